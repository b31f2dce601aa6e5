"""What the clip allows: the tracker's switches, the camera view (judged again on the reps' frames) and the
keypoints' confidence, each said once in the report's warnings."""

from __future__ import annotations

from dataclasses import replace
import numpy as np

from ..exercises import Exercise
from ..model import Kinematics, PoseSequence, Rep, View, full_or_all
from .measure import find_reps

__all__ = ["LOW_CONFIDENCE", "LOW_CONFIDENCE_BY_SOURCE", "clip_quality", "reps_in_view"]

#: a clip whose mean keypoint confidence on the trunk and legs is below this share of the source's confidence
#: scale is flagged low_confidence (MediaPipe visibility 0.6; OpenPose heat-map peaks run lower: 0.3)
LOW_CONFIDENCE = 0.6
LOW_CONFIDENCE_BY_SOURCE = {"openpose-json": 0.3, "coco18-npy": 0.3, "coco17-json": 0.3}


def _view_warning(ex: Exercise, view: str) -> str:
    return (f"{ex.name} is best filmed from the {' or '.join(ex.views)}; this clip looks like a {view} view, "
            "so some faults cannot be judged")


def clip_quality(pose: PoseSequence, kin: Kinematics, stats: dict[str, float], ex: Exercise,
                 warnings: list[str]) -> tuple[str, float]:
    """("ok" or "low_confidence", the mean keypoint confidence); what limits the judgement is added to
    ``warnings`` (a tracker switch, an unknown or unsuitable view, low confidence)."""
    if stats.get("track_switches", 0) > 0:
        warnings.append(
            f"the pose tracker jumped between people or lost the person {int(stats['track_switches'])} time(s); "
            "no repetition is counted across a switch (film one person, whole body in frame)"
        )
    if kin.view == "unknown":
        warnings.append("the camera view could not be determined; view-dependent faults were not judged")
    if ex.views and kin.dims == "2d" and kin.view not in ex.views:
        warnings.append(_view_warning(ex, kin.view))
    conf = kin.confidence
    mean_conf = float(np.nanmean(conf)) if conf is not None and np.isfinite(conf).any() else 0.0
    quality = "ok"
    if pose.space == "image" and mean_conf < LOW_CONFIDENCE_BY_SOURCE.get(pose.source, LOW_CONFIDENCE):
        quality = "low_confidence"
        warnings.append(
            f"keypoint confidence is low (mean {mean_conf:.2f}); film side on at hip height, about 3 m away, "
            "whole body in frame, good light"
        )
    return quality, mean_conf


def reps_in_view(cleaned: PoseSequence, kin: Kinematics, ex: Exercise, count_ex: Exercise, view: View | None,
                 warnings: list[str]) -> tuple[Kinematics, list[Rep]]:
    """The reps (counted as ``count_ex``) and the kinematics they are judged on. Without a forced ``view``, the
    view where the reps are (a person who walks about or turns before or after the set, issue 16's front-view
    jumping jack called "side") is judged again on the reps' frames, and the kinematics follow it."""
    from ..kinematics.angles import compute_kinematics, detect_view
    from ..reps.tempo import bound_rest_pauses

    reps = bound_rest_pauses(find_reps(kin, count_ex), count_ex)  # no rest pause longer than its rep (issue 16)
    if view is not None or kin.dims != "2d" or not reps:
        return kin, reps
    in_reps = np.zeros(kin.n_frames, dtype=bool)
    for r in full_or_all(reps):
        in_reps[r.start_frame : r.end_frame + 1] = True
    rep_view, _ = detect_view(cleaned, in_reps)
    if rep_view not in (kin.view, "unknown"):
        kin = replace(compute_kinematics(cleaned, view=rep_view), track_breaks=kin.track_breaks)
        reps = bound_rest_pauses(find_reps(kin, count_ex), count_ex) or reps
        warnings[:] = [w for w in warnings if not w.startswith(f"{ex.name} is best filmed from")]
        if ex.views and kin.view not in ex.views:
            warnings.append(_view_warning(ex, kin.view))
    return kin, reps
