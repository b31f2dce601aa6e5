"""Small real keypoint inputs for batch tests: UI-PRMD Kinect deep squats (stored reps), no MediaPipe."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def write_squat_inputs(datasets: Path, folder: Path, n: int, reps_per_file: int = 3) -> list[str]:
    """``n`` npy files of real UI-PRMD deep squats, (T, 22, 3) cm, 30 Hz; returns their names."""
    z = np.load(datasets / "ui_prmd" / "kinect" / "m01_deep_squat.npz")
    off, pos = z["offsets"], z["positions_abs"]
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for k in range(n):
        a, b = off[reps_per_file * k], off[reps_per_file * (k + 1)]
        name = f"squat_{k:02d}.npy"
        np.save(folder / name, pos[a:b])
        names.append(name)
    return names
