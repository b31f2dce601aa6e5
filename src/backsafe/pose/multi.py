"""Everyone in frame: MediaPipe's Tasks-API PoseLandmarker with several poses a frame, on the ``.task`` bundle built at
install time by tools/build_pose_bundle.py (nothing is downloaded at run time).

:class:`MultiPoseDetector` gives every person of a frame (duplicates of one person removed, :func:`dedupe`);
:func:`count_people` looks at a few sampled frames to tell a one-person clip (analysed as before, by the legacy
single-person tracker) from one with several people (tracked by pose/tracking.py, one of them analysed).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import DependencyError
from ..io.video import VideoFrame
from ..skeleton import BLAZEPOSE_33

F32 = npt.NDArray[np.float32]

__all__ = ["COUNT_SAMPLES", "MAX_PEOPLE", "Detection", "MultiPoseDetector", "SampleKeeper", "box_of", "bundle_path",
           "bundled_model", "count_people", "dedupe", "iou"]

#: at most this many people a frame (a gym: the lifter, a coach, a passer-by or two)
MAX_PEOPLE = 4
#: a landmark counts for boxes and similarity above this visibility
VISIBLE = 0.5
#: two detections overlapping more than this (box IoU) with skeletons this close (mean joint distance over the box
#: diagonal) are one person found twice
DUP_IOU, DUP_DIST = 0.6, 0.15
#: frames sampled to count the people of a clip the single-person tracker followed without a break
COUNT_SAMPLES = 4


def bundle_path(model: str = "full") -> Path:
    """The PoseLandmarker bundle of ``model`` in the installed mediapipe wheel (tools/build_pose_bundle.py)."""
    try:
        import mediapipe
    except Exception as exc:  # ImportError, or a protobuf/numpy mismatch raising at import
        raise DependencyError(f"MediaPipe is not installed or failed to import ({exc})") from exc
    p = Path(mediapipe.__file__).parent / "modules" / "pose_landmark" / f"backsafe_pose_landmarker_{model}.task"
    if not p.is_file():
        raise DependencyError(f"the multi-person pose bundle {p.name} is missing; run `python "
                              "tools/build_pose_bundle.py` (the Makefile's install step does)")
    return p


def bundled_model(model: str) -> str:
    """``model`` when its multi-person bundle was built at install time (lite and heavy need their npm files), else
    full, whose bundle is built from the wheel's own model."""
    try:
        bundle_path(model)
    except DependencyError:
        return "full"
    return model


@dataclass(frozen=True, slots=True)
class Detection:
    """One person in one frame: (33, 4) image landmarks (x px, y px, z, visibility), world (33, 3) m y-up or None."""

    image: F32
    world: F32 | None

    @property
    def box(self) -> tuple[float, float, float, float]:
        return box_of(self.image)

    @property
    def score(self) -> float:
        return float(np.nanmean(self.image[:, 3]))


def box_of(image: F32) -> tuple[float, float, float, float]:
    """x0, y0, x1, y1 of the visible landmarks (all landmarks when too few are visible)."""
    vis = image[:, 3] >= VISIBLE
    pts = image[vis, :2] if vis.sum() >= 4 else image[:, :2]
    pts = pts[np.isfinite(pts).all(axis=1)]
    if not len(pts):
        return (0.0, 0.0, 0.0, 0.0)
    return (float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max()))


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def skeleton_distance(a: F32, b: F32) -> float:
    """Mean distance of the joints both show, over the diagonal of ``a``'s box (0 = the same skeleton)."""
    both = (a[:, 3] >= VISIBLE) & (b[:, 3] >= VISIBLE)
    if both.sum() < 4:
        both = np.ones(len(a), bool)
    x0, y0, x1, y1 = box_of(a)
    diag = max(float(np.hypot(x1 - x0, y1 - y0)), 1.0)
    d = np.linalg.norm(a[both, :2] - b[both, :2], axis=1)
    return float(np.nanmean(d)) / diag if np.isfinite(d).any() else np.inf


def dedupe(dets: list[Detection]) -> list[Detection]:
    """One detection per person: of two that overlap (box IoU > DUP_IOU) with nearly the same skeleton, the more
    confident is kept."""
    kept: list[Detection] = []
    for d in sorted(dets, key=lambda d: -d.score):
        if all(not (iou(d.box, k.box) > DUP_IOU and skeleton_distance(k.image, d.image) < DUP_DIST) for k in kept):
            kept.append(d)
    return kept


class MultiPoseDetector:
    """PoseLandmarker over a clip's frames in time order (VIDEO mode), or over single images (``video=False``).

    Use one instance per clip (it tracks across frames); time stamps must increase."""

    def __init__(self, max_people: int = MAX_PEOPLE, video: bool = True, model: str = "full") -> None:
        try:
            import mediapipe as mp
            from mediapipe.tasks.python import BaseOptions, vision
        except Exception as exc:
            raise DependencyError(f"MediaPipe is not installed or failed to import ({exc})") from exc
        self._mp = mp
        self.video = video
        mode = vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE
        opts = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(bundle_path(model))), running_mode=mode,
            num_poses=max_people, min_pose_detection_confidence=0.5, min_pose_presence_confidence=0.5,
            min_tracking_confidence=0.5)
        try:
            self._lm: Any = vision.PoseLandmarker.create_from_options(opts)
        except Exception as exc:
            raise DependencyError(f"MediaPipe PoseLandmarker failed to start: {exc}") from exc
        self._last_ms = -1

    def detect(self, rgb: npt.NDArray[np.uint8], t_s: float = 0.0) -> list[Detection]:
        h, w = rgb.shape[:2]
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        if self.video:
            ms = max(int(round(t_s * 1000)), self._last_ms + 1)  # strictly increasing, as VIDEO mode requires
            self._last_ms = ms
            res = self._lm.detect_for_video(image, ms)
        else:
            res = self._lm.detect(image)
        n_bp = len(BLAZEPOSE_33)
        out: list[Detection] = []
        for k, lms in enumerate(res.pose_landmarks):
            img = np.array([(p.x * w, p.y * h, p.z * w, p.visibility if p.visibility is not None else 0.0)
                            for p in lms[:n_bp]], dtype=np.float32)
            world = None
            if k < len(res.pose_world_landmarks):
                world = np.array([(p.x, -p.y, -p.z) for p in res.pose_world_landmarks[k][:n_bp]], dtype=np.float32)
            out.append(Detection(img, world))
        return dedupe(out)

    def close(self) -> None:
        self._lm.close()


def count_people(frames: Sequence[npt.NDArray[np.uint8]], detector: MultiPoseDetector | None = None) -> int:
    """The most people seen in any of ``frames`` (a few sampled frames: each on its own, image mode)."""
    det = detector or MultiPoseDetector(video=False)
    try:
        return max((len(det.detect(f)) for f in frames), default=0)
    finally:
        if detector is None:
            det.close()


class SampleKeeper:
    """The frames the people count samples (pose/runner.py ``_several_people``), kept as the pose pass decodes them:
    for each of ``n`` evenly spaced times, the first frame at or after it, by the rule of io/video.py
    ``sample_frames``.
    Seeking for them again decoded most of a clip with sparse key frames (x264's 250-frame GOP): 0.4-1 s of the
    sample clip's analysis, a core busy while nothing else ran (issue [6/6] e2e_vs_core_limit)."""

    def __init__(self, duration_s: float, fps: float, n: int) -> None:
        self.targets = [duration_s * (i + 0.5) / max(n, 1) - 0.5 / max(fps, 1.0) for i in range(max(n, 1))]
        self._best: list[VideoFrame | None] = [None] * len(self.targets)
        self._lock = threading.Lock()

    @staticmethod
    def through(keeper: SampleKeeper | None, frames: Iterator[VideoFrame]) -> Iterator[VideoFrame]:
        """``frames`` watched by ``keeper``, or as they are when there is none."""
        return keeper.watch(frames) if keeper is not None else frames

    def watch(self, frames: Iterator[VideoFrame]) -> Iterator[VideoFrame]:
        """``frames`` unchanged, each offered to the keeper on the way (the two halves call it from two threads)."""
        for fr in frames:
            with self._lock:
                for i, t in enumerate(self.targets):
                    best = self._best[i]
                    if fr.t_s >= t and (best is None or fr.t_s < best.t_s):
                        self._best[i] = fr
            yield fr

    def frames(self) -> list[npt.NDArray[np.uint8]] | None:
        """The kept frames in time order, or None when a time got none (a cached pose, a clip cut short)."""
        if any(b is None for b in self._best):
            return None
        return [b.rgb for b in self._best if b is not None]
