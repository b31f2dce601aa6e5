"""The pose-estimator interface and the loop that turns decoded frames into a PoseSequence.

Any object with ``process(rgb) -> FramePose | None`` and ``close()`` is an estimator: tests inject a fake one
(like httpx's MockTransport), the product uses :class:`backsafe.pose.mediapipe_backend.MediaPipePose`.
"""

from __future__ import annotations

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
    def process(self, rgb: npt.NDArray[np.uint8]) -> FramePose | None: ...

    def close(self) -> None: ...


def run_estimator(
    frames: Iterable[VideoFrame],
    estimator: PoseEstimator,
    image_size: tuple[int, int],
    source: str = "mediapipe",
    progress: Callable[[int], None] | None = None,
    frame_hook: Callable[[VideoFrame, FramePose | None], None] | None = None,
) -> PoseSequence:
    """Run ``estimator`` over decoded frames; frames without a person become NaN with confidence 0.

    Only the keypoints are kept (37 joints x 4 floats a frame): memory does not grow with the frame size,
    and decoded frames are released as soon as the estimator is done with them.

    Raises
    ------
    NoPersonError
        When a person is found in fewer than max(10 frames, 20 % of the clip).
    """
    n_bp = len(BLAZEPOSE_33)
    chunks: list[F32] = []
    worlds: list[F32] = []
    times: list[float] = []
    any_world = False
    n_found = 0
    nan_img = np.full((N_JOINTS, 4), np.nan, dtype=np.float32)
    nan_img[:, 3] = 0.0
    nan_world = np.full((N_JOINTS, 3), np.nan, dtype=np.float32)
    for i, frame in enumerate(frames):
        fp = estimator.process(frame.rgb)
        if frame_hook is not None:
            frame_hook(frame, fp)
        img = nan_img.copy()
        wld = nan_world.copy()
        if fp is not None:
            n_found += 1
            img[:n_bp] = fp.image
            if fp.world is not None:
                wld[:n_bp] = fp.world
                any_world = True
        chunks.append(img)
        worlds.append(wld)
        times.append(frame.t_s)
        if progress is not None:
            progress(i + 1)
    n = len(times)
    if n_found < max(MIN_PERSON_FRAMES, MIN_PERSON_SHARE * n):
        raise NoPersonError(
            f"a person was found in {n_found} of {n} frames; film the whole body, side on, about 3 m away"
        )
    data = np.stack(chunks) if chunks else np.zeros((0, N_JOINTS, 4), np.float32)
    world = np.stack(worlds) if any_world else None
    return PoseSequence(
        data=data,
        timestamps_s=np.asarray(times, dtype=np.float64),
        space="image",
        image_size=image_size,
        source=source,
        world=world,
    )
