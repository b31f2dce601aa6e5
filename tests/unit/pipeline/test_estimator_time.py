"""The pose model is given each frame's real time (issue [6/7]: --stride 2 lost 40 points of rep-count accuracy
because MediaPipe's region-of-interest filter assumed 1/30 s between the frames it was shown)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from backsafe.io.video import VideoFrame
from backsafe.pose.base import FramePose, run_estimator, takes_time
from backsafe.pose.mediapipe_backend import MediaPipePose
from backsafe.skeleton import BLAZEPOSE_33


def _frames(times: list[float]) -> list[VideoFrame]:
    return [VideoFrame(index=i, t_s=t, rgb=np.zeros((4, 4, 3), np.uint8)) for i, t in enumerate(times)]


def _pose() -> FramePose:
    img = np.ones((len(BLAZEPOSE_33), 4), np.float32)
    return FramePose(image=img, world=None)


class Timed:
    def __init__(self) -> None:
        self.times: list[float | None] = []

    def process(self, rgb: Any, t_s: float | None = None) -> FramePose:
        self.times.append(t_s)
        return _pose()

    def close(self) -> None:
        pass


class Untimed:
    def __init__(self) -> None:
        self.n = 0

    def process(self, rgb: Any) -> FramePose:
        self.n += 1
        return _pose()

    def close(self) -> None:
        pass


def test_run_estimator_passes_frame_times_to_estimators_that_take_them() -> None:
    times = [i * 2 / 29.97 for i in range(12)]
    est = Timed()
    seq = run_estimator(_frames(times), est, image_size=(4, 4))
    assert est.times == times
    assert np.allclose(seq.timestamps_s, times)


def test_run_estimator_still_drives_estimators_without_a_time_parameter() -> None:
    est = Untimed()
    run_estimator(_frames([i / 30 for i in range(12)]), est, image_size=(4, 4))
    assert est.n == 12 and not takes_time(est) and takes_time(Timed())


class _FakeSolution:
    """Stands in for mp.solutions.pose.Pose: SolutionBase.process adds 33333 us and stamps the frame with it."""

    def __init__(self) -> None:
        self._simulated_timestamp = 0
        self.stamps: list[int] = []

    def process(self, rgb: Any) -> Any:
        self._simulated_timestamp += 33333
        self.stamps.append(self._simulated_timestamp)

        class R:
            pose_landmarks = None
            pose_world_landmarks = None
            segmentation_mask = None

        return R()


def _bare_pose() -> tuple[MediaPipePose, _FakeSolution]:
    mp_pose = MediaPipePose.__new__(MediaPipePose)
    fake = _FakeSolution()
    mp_pose._pose = fake
    mp_pose.enable_segmentation = False
    mp_pose.last_mask = None
    mp_pose._last_t = None
    return mp_pose, fake


RGB = np.zeros((4, 4, 3), np.uint8)


def test_mediapipe_graph_steps_are_the_real_frame_intervals() -> None:
    est, fake = _bare_pose()
    for t in (0.0, 0.0667, 0.1335, 0.2002):  # stride 2 at 29.97 fps
        est.process(RGB, t_s=t)
    assert fake.stamps[0] == 33333
    assert list(np.diff(fake.stamps)) == [66700, 66800, 66700]
    est2, fake2 = _bare_pose()
    for k in range(4):  # 24 fps
        est2.process(RGB, t_s=k / 24)
    assert np.allclose(np.diff(fake2.stamps), 41667, atol=1)


def test_thirty_fps_keeps_mediapipes_own_graph_times() -> None:
    # 29.97 fps at stride 1: exactly the 1/30 s steps MediaPipe used before (bit-identical landmarks)
    est, fake = _bare_pose()
    for k in range(50):
        est.process(RGB, t_s=k / 29.97)
    assert fake.stamps == [33333 * (k + 1) for k in range(50)]


def test_mediapipe_graph_time_keeps_increasing_across_clips() -> None:
    # batch workers reuse one model for many clips: each clip starts again at t = 0
    est, fake = _bare_pose()
    for t in (0.0, 0.5, 1.0, 0.0, 0.5, 0.5):
        est.process(RGB, t_s=t)
    assert all(b > a for a, b in zip(fake.stamps, fake.stamps[1:]))
    assert fake.stamps[4] - fake.stamps[3] == 500000
    # without a time the solution's own 1/30 s step applies
    est.process(RGB)
    assert fake.stamps[-1] - fake.stamps[-2] == 33333


def test_frames_with_and_without_time_never_repeat_a_graph_time() -> None:
    est, fake = _bare_pose()
    est.process(RGB, t_s=0.0)
    for _ in range(5):
        est.process(RGB)
    est.process(RGB, t_s=0.0333)
    assert all(b > a for a, b in zip(fake.stamps, fake.stamps[1:]))
