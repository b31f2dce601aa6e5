"""Clips of 10 s or more run pose as two halves side by side (issue [6/7]); the halves join without a gap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from backsafe.pose import runner
from backsafe.errors import NoPersonError
from backsafe.io.video import iter_frames
from backsafe.pose.base import FramePose
from backsafe.skeleton import BLAZEPOSE_33


class SeesUntil:
    """A fake pose model that finds a person in frames before ``until_s`` (clip time)."""

    def __init__(self, until_s: float) -> None:
        self.until_s = until_s

    def process(self, rgb: Any, t_s: float | None = None) -> FramePose | None:
        assert t_s is not None
        if t_s >= self.until_s:
            return None
        img = np.full((len(BLAZEPOSE_33), 4), t_s, np.float32)
        return FramePose(image=img, world=None)

    def close(self) -> None:
        pass


@pytest.mark.parametrize("stride", [1, 2])
def test_two_halves_cover_every_frame_once_in_order(sample_clip: Path, monkeypatch: pytest.MonkeyPatch,
                                                     stride: int) -> None:
    monkeypatch.setattr(runner, "default_estimator", lambda model="full": SeesUntil(99.0))
    calls: list[tuple[int, int | None]] = []
    pose = runner.estimate_video_pose(sample_clip, stride=stride, progress=lambda i, n: calls.append((i, n)))
    all_t = [f.t_s for f in iter_frames(sample_clip)]
    seam = next(t for t in all_t if t >= all_t[-1] / 2 - 0.1)
    first = [t for t in all_t if t < seam][::stride]
    second = [t for t in all_t if t >= seam]
    # each half keeps every stride-th frame of its own
    assert abs(len(pose.timestamps_s) - (len(first) + len(second[::stride]))) <= 1
    assert np.all(np.diff(pose.timestamps_s) > 0)
    assert np.allclose(pose.data[:, 0, 0], pose.timestamps_s)  # each row is the frame it says it is
    assert calls[-1] == (pose.n_frames * stride, 614)


def test_serial_when_switched_off_or_short(sample_clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKSAFE_POSE_SPLIT", "0")
    assert not runner._split_worthwhile(20.0)
    monkeypatch.delenv("BACKSAFE_POSE_SPLIT")
    assert not runner._split_worthwhile(9.0) and not runner._split_worthwhile(None)


def test_no_person_is_judged_on_the_whole_clip(sample_clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a person in the first 15 % only: 30 % of the first half, but under 20 % of the clip
    monkeypatch.setattr(runner, "default_estimator", lambda model="full": SeesUntil(3.0))
    with pytest.raises(NoPersonError):
        runner.estimate_video_pose(sample_clip)
    # in the first 30 %: the second half finds nobody, and that is fine
    monkeypatch.setattr(runner, "default_estimator", lambda model="full": SeesUntil(6.0))
    pose = runner.estimate_video_pose(sample_clip)
    assert pose.n_frames == 614
