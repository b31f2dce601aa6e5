"""Real UI-PRMD reps laid end to end as one set, for tests of the personal reference (CLI, batch, web)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def write_uiprmd_set(datasets: Path, subject: int, episodes: list[int], correct: bool, dest: Path) -> Path:
    """Stored UI-PRMD deep squats of one subject, the given episodes end to end, as one set (a Kinect npy file,
    30 Hz): read back with ``input_format="kinect-uiprmd", fps=30``."""
    d = np.load(datasets / "ui_prmd" / "kinect" / "m01_deep_squat.npz")
    o = d["offsets"]
    parts = []
    for e in episodes:
        i = next(k for k in range(len(d["subject"]))
                 if d["subject"][k] == subject and d["episode"][k] == e and bool(d["correct"][k]) == correct)
        parts.append(d["positions_abs"][o[i]: o[i + 1]])
    dest.parent.mkdir(parents=True, exist_ok=True)
    np.save(dest, np.concatenate(parts))
    return dest
