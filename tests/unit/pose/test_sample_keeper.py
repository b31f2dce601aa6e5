"""The people count's sample frames are kept from the pose pass (pose/multi.py ``SampleKeeper``), not decoded a
second time: the same frames ``io.video.sample_frames`` seeks for, on the real sample clip, both through the two
halves (a long clip) and through one decoder (a short one)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from backsafe.errors import NoPersonError
from backsafe.io.video import VideoFrame, probe_video, sample_frames
from backsafe.pose import runner
from backsafe.pose.multi import COUNT_SAMPLES, SampleKeeper


class _NoPose:
    """An estimator that finds nobody: the keeper watches the decoded frames whatever the model sees."""

    def process(self, rgb: np.ndarray) -> None:
        return None

    def close(self) -> None:
        pass


def _frames(times: list[float]) -> list[VideoFrame]:
    return [VideoFrame(i, t, np.full((2, 2, 3), i, np.uint8)) for i, t in enumerate(times)]


def test_keeper_takes_the_first_frame_at_or_after_each_time_from_either_half() -> None:
    keeper = SampleKeeper(duration_s=4.0, fps=10.0, n=4)  # targets 0.45, 1.45, 2.45, 3.45 s
    second = _frames([2.0, 2.5, 3.0, 3.5, 3.9])  # the second half's frames may come first
    first = _frames([0.0, 0.4, 0.5, 1.0, 1.5, 1.9])
    assert [fr.t_s for fr in keeper.watch(iter(second))] == [2.0, 2.5, 3.0, 3.5, 3.9]  # passed on unchanged
    list(keeper.watch(iter(first)))
    got = keeper.frames()  # 0.5 s and 1.5 s of the first half, 2.5 s and 3.5 s of the second
    assert got is not None and [int(f[0, 0, 0]) for f in got] == [2, 4, 1, 3]
    short = SampleKeeper(duration_s=4.0, fps=10.0, n=4)
    list(short.watch(iter(first)))  # nothing at or after 2.45 s: the count samples the file instead
    assert short.frames() is None


@pytest.mark.slow
@pytest.mark.parametrize("split", [True, False], ids=["two-halves", "one-decoder"])
def test_kept_frames_are_the_sampled_frames_of_the_sample_clip(sample_clip: Path, split: bool,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "_split_worthwhile", lambda duration_s: split)
    monkeypatch.setattr(runner, "default_estimator", lambda model="full": _NoPose())
    info = probe_video(sample_clip)
    keeper = SampleKeeper(info.duration_s or 0.0, info.fps, COUNT_SAMPLES)
    with pytest.raises(NoPersonError):  # nobody found by the stand-in model: the frames were all decoded first
        runner.estimate_video_pose(sample_clip, info=info, keeper=keeper)
    kept = keeper.frames()
    sampled = sample_frames(sample_clip, COUNT_SAMPLES, info=info)
    assert kept is not None and len(kept) == len(sampled) == COUNT_SAMPLES
    assert all(np.array_equal(a, b) for a, b in zip(kept, sampled))
