"""A clip is probed once per analysis (issue 18): the pose runner is handed the probe, nothing probes it again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from backsafe.io import video
from backsafe.pipeline import AnalysisOptions, load_pose
from backsafe.pose.base import FramePose
from backsafe.skeleton import BLAZEPOSE_33


class Anyone:
    """A fake pose model: the same standing figure in every frame."""

    def process(self, rgb: Any, t_s: float | None = None) -> FramePose | None:
        h, w = rgb.shape[:2]
        img = np.zeros((len(BLAZEPOSE_33), 4), np.float32)
        img[:, 0] = 0.5 * w
        img[:, 1] = np.linspace(0.1, 0.9, len(BLAZEPOSE_33)) * h  # head at the top, feet at the bottom
        img[:, 3] = 0.9
        return FramePose(image=img, world=None)

    def close(self) -> None:
        pass


def test_load_pose_probes_the_clip_once(sample_clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []
    real = video._probe_video

    def counted(path: Path) -> video.VideoInfo:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(video, "_probe_video", counted)
    monkeypatch.setenv("BACKSAFE_POSE_SPLIT", "0")
    pose, meta = load_pose(sample_clip, AnalysisOptions(exercise="back_squat", stride=2), estimator_factory=Anyone)
    assert len(calls) == 1
    assert (meta["width"], meta["height"]) == (608, 1080) and meta["stride"] == 2
    assert pose.n_frames == meta["frames"] > 0


def test_turn_info_swaps_the_size_at_a_quarter_turn() -> None:
    info = video.VideoInfo(path="x", width=640, height=360, fps=30.0, n_frames=10, duration_s=1.0, rotation_deg=0,
                           codec="h264")
    assert video.turn_info(info, 0) is info and video.turn_info(info, 180) is info
    assert (video.turn_info(info, 90).width, video.turn_info(info, -90).height) == (360, 640)
