"""The first stage of an analysis: the keypoints of a clip (pose estimation) or of a keypoint file (its adapter,
io/keypoints.py), turned upright when they were recorded sideways, and the input's fields for the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InputError
from ..io.video import is_video, probe_video
from ..model import PoseSequence
from ..options import AnalysisOptions, effective_stride
from ..pose.models import describe_model
from ..pose.runner import EstimatorFactory, ProgressFn, upright_video_pose

__all__ = ["load_pose"]


def _video_pose(path: Path, opts: AnalysisOptions, estimator_factory: EstimatorFactory | None,
                progress: ProgressFn | None) -> tuple[PoseSequence, dict[str, object]]:
    info = probe_video(path)  # the only probe of the clip: the pose runner is handed it
    stride = effective_stride(opts.stride, info.fps)
    got = upright_video_pose(path, info, opts.exercise, estimator_factory, stride, progress, opts.pose_cache_dir,
                             person=opts.person, model=opts.model)
    info, pose = got.info, got.pose  # after a turn: the turned frame size
    meta = {"path": path.name, "format": "video", "width": info.width, "height": info.height,
            "fps": round(info.fps, 3), "frames": pose.n_frames, "duration_s": round(pose.duration_s, 3),
            "rotation_deg": info.rotation_deg, "pose_model": describe_model(opts.model), **got.turned}
    if opts.stride > 1:
        meta["stride"] = stride  # every stride-th frame analysed (--fast), never below MIN_ANALYSED_FPS
    if got.people is not None:
        meta["people"] = got.people  # several people in frame: report.extra["people"] (analysis/assemble.py)
    return pose, meta


def _keypoint_pose(path: Path, opts: AnalysisOptions) -> tuple[PoseSequence, dict[str, object]]:
    from ..io.keypoints import detect_format, load_keypoints
    from ..orientation import choose_rotation, posture_of, rotate_pose

    fmt = opts.input_format if opts.input_format != "auto" else detect_format(path)
    pose = load_keypoints(path, input_format=fmt, fps=opts.fps, image_size=opts.image_size)
    orientation = choose_rotation(pose, posture_of(opts.exercise))
    if orientation.rotation_deg:  # keypoints of a sideways or upside-down clip: turned upright (issue 16)
        pose = rotate_pose(pose, orientation.rotation_deg)
    meta: dict[str, object] = {"path": path.name, "format": fmt, "guessed_format": opts.input_format == "auto",
                            "fps": round(pose.fps, 3), "frames": pose.n_frames, "duration_s": round(pose.duration_s, 3)}
    if orientation.rotation_deg:
        meta |= {"turned_deg": orientation.rotation_deg, "orientation": orientation.as_dict()}
    return pose, meta


def load_pose(
    path: str | Path,
    opts: AnalysisOptions,
    estimator_factory: EstimatorFactory | None = None,
    progress: ProgressFn | None = None,
) -> tuple[PoseSequence, dict[str, Any]]:
    """Keypoints from a video (pose estimation) or a keypoint file (adapter); plus input metadata."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if is_video(path, opts.input_format):
        return _video_pose(path, opts, estimator_factory, progress)
    return _keypoint_pose(path, opts)
