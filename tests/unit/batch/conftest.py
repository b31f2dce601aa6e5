"""Small real keypoint inputs for batch tests: UI-PRMD Kinect deep squats (3 stored reps per file), no MediaPipe."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest


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


@pytest.fixture()
def squat_dir(datasets: Path, tmp_path: Path) -> Path:
    """tmp/in with 4 squat npy files, a broken one, and a manifest (outside the folder) giving their fps."""
    d = tmp_path / "in"
    names = write_squat_inputs(datasets, d, 4)
    (d / "broken.npy").write_bytes(b"this is not a numpy file")
    manifest = [{"file": n, "exercise": "squat", "fps": 30} for n in [*names, "broken.npy"]]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return d
