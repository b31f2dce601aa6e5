"""Fixtures for batch tests: real UI-PRMD keypoint inputs, no MediaPipe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from squat_inputs import write_squat_inputs


@pytest.fixture()
def squat_dir(datasets: Path, tmp_path: Path) -> Path:
    """tmp/in with 4 squat npy files, a broken one, and a manifest (outside the folder) giving their fps."""
    d = tmp_path / "in"
    names = write_squat_inputs(datasets, d, 4)
    (d / "broken.npy").write_bytes(b"this is not a numpy file")
    manifest = [{"file": n, "exercise": "squat", "fps": 30} for n in [*names, "broken.npy"]]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    return d
