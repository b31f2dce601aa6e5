"""The pose-estimator interface and the loop that turns decoded frames into a PoseSequence.

Any object with ``process(rgb) -> FramePose | None`` and ``close()`` is an estimator: tests inject a fake one
(like httpx's MockTransport), the product uses :class:`backsafe.pose.mediapipe_backend.MediaPipePose`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from ..errors import NoPersonError
from ..io.video import VideoFrame
from ..model import PoseSequence
from ..skeleton import BLAZEPOSE_33, N_JOINTS

F32 = npt.NDArray[np.float32]

#: fewer frames with a person than this share of the clip means "no person" (CLI exit 4)
MIN_PERSON_SHARE = 0.2
MIN_PERSON_FRAMES = 10


@dataclass(frozen=True, slots=True)
class FramePose:
    """One frame's landmarks in BlazePose-33 order.

    image: (33, 4) x px, y px (y down), z (relative depth, px scale), visibility 0-1
    world: (33, 3) metres, origin at the hip centre, y UP (converted from MediaPipe's y-down), or None
    """

    image: F32
    world: F32 | None


class PoseEstimator(Protocol):
    """``process`` may also take the frame's time in the clip as ``t_s`` (seconds); :func:`run_estimator` passes it
    to estimators whose ``process`` has a ``t_s`` parameter (a tracker with time-based smoothing needs it)."""

    def process(self, rgb: npt.NDArray[np.uint8]) -> FramePose | None: ...

    def close(self) -> None: ...


def takes_time(estimator: object) -> bool:
    """Whether ``estimator.process`` accepts the frame time stamp (``t_s``)."""
    try:
        return "t_s" in inspect.signature(estimator.process).parameters  # type: ignore[attr-defined]
    except (TypeError, ValueError, AttributeError):
        return False


def check_person_found(n_found: int, n: int) -> None:
    """Raise NoPersonError when a person was found in fewer than max(10 frames, 20 % of the clip)."""
    if n_found < max(MIN_PERSON_FRAMES, MIN_PERSON_SHARE * n):
        raise NoPersonError(
            f"a person was found in {n_found} of {n} frames; film the whole body, side on, about 3 m away"
        )


def run_estimator(
    frames: Iterable[VideoFrame],
    estimator: PoseEstimator,
    image_size: tuple[int, int],
    source: str = "mediapipe",
    progress: Callable[[int], None] | None = None,
    frame_hook: Callable[[VideoFrame, FramePose | None], None] | None = None,
    check_person: bool = True,
) -> PoseSequence:
    """Run ``estimator`` over decoded frames; frames without a person become NaN with confidence 0.

    Only the keypoints are kept (37 joints x 4 floats a frame): memory does not grow with the frame size,
    and decoded frames are released as soon as the estimator is done with them.

    Raises
    ------
    NoPersonError
        When a person is found in fewer than max(10 frames, 20 % of the clip) (unless ``check_person`` is
        False: a part of a clip analysed in pieces is checked as a whole by the caller).
    """
    n_bp = len(BLAZEPOSE_33)
    block = 1024  # keypoints are collected in blocks of frames: a few arrays, not two small ones per frame
    img_blocks: list[F32] = []
    wld_blocks: list[F32] = []
    time_blocks: list[npt.NDArray[np.float64]] = []
    any_world = False
    timed = takes_time(estimator)
    n_found = 0
    n = 0
    for i, frame in enumerate(frames):
        k = i % block
        if k == 0:
            img_blocks.append(np.full((block, N_JOINTS, 4), np.nan, dtype=np.float32))
            img_blocks[-1][..., 3] = 0.0
            wld_blocks.append(np.full((block, N_JOINTS, 3), np.nan, dtype=np.float32))
            time_blocks.append(np.zeros(block, dtype=np.float64))
        fp = estimator.process(frame.rgb, t_s=frame.t_s) if timed else estimator.process(frame.rgb)  # type: ignore[call-arg]
        if frame_hook is not None:
            frame_hook(frame, fp)
        if fp is not None:
            n_found += 1
            img_blocks[-1][k, :n_bp] = fp.image
            if fp.world is not None:
                wld_blocks[-1][k, :n_bp] = fp.world
                any_world = True
        time_blocks[-1][k] = frame.t_s
        n = i + 1
        if progress is not None:
            progress(n)
    if check_person:
        check_person_found(n_found, n)
    if n:
        data = np.concatenate(img_blocks)[:n]
        world = np.concatenate(wld_blocks)[:n] if any_world else None
        times = np.concatenate(time_blocks)[:n]
    else:
        data, world, times = np.zeros((0, N_JOINTS, 4), np.float32), None, np.zeros(0)
    return PoseSequence(
        data=data,
        timestamps_s=times,
        space="image",
        image_size=image_size,
        source=source,
        world=world,
    )
