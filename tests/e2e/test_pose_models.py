"""The real lite, full and heavy models (issue [6/6] "model size as an option"): each runs offline from the files
installed by tools/install_pose_models.py, finds the person, gives its own landmarks (the option really switches
the model), and the CLI's report records it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from backsafe.options import AnalysisOptions
from backsafe.pipeline import load_pose

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def short_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(REPO / "bench"))
    from videotools import cut_clip

    return cut_clip(REPO / "samples" / "rohanx01_squat_side.mp4", tmp_path_factory.mktemp("clip") / "c.mp4", 4.0, 3.0)


def test_each_model_finds_the_person_with_its_own_landmarks(short_clip: Path) -> None:
    pytest.importorskip("mediapipe")
    poses = {}
    for m in ("lite", "full", "heavy"):
        pose, meta = load_pose(short_clip, AnalysisOptions(exercise="back_squat", model=m))
        assert f"-{m} " in str(meta["pose_model"])
        found = np.isfinite(pose.data[:, 23, 0])  # left hip
        assert found.mean() > 0.9, m
        poses[m] = pose.data[:, :33, :2]
    for a, b in (("lite", "full"), ("full", "heavy"), ("lite", "heavy")):
        diff = np.nanmedian(np.abs(poses[a] - poses[b]))
        assert diff > 0.01, f"{a} and {b} gave the same landmarks: the model did not switch"
        assert diff < 40, f"{a} vs {b}: median {diff:.1f} px apart, not the same person"


def test_cli_report_records_the_model(short_clip: Path, tmp_path: Path) -> None:
    pytest.importorskip("mediapipe")
    exe = Path(sys.executable).parent / "backsafe"
    r = subprocess.run([str(exe), "analyze", str(short_clip), "-e", "back_squat", "--model", "lite", "--out",
                        str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    doc = json.loads((tmp_path / "report.json").read_text())
    assert doc["pose_model"] == "lite"
    assert doc["input"]["pose_model"].startswith("mediapipe-blazepose-lite")
