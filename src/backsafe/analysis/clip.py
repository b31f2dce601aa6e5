"""What the clip allows: the tracker's switches, the camera view (judged again on the reps' frames) and the
keypoints' confidence, each said once in the report's warnings."""

from __future__ import annotations

from dataclasses import replace
import numpy as np

from ..exercises import Exercise
from ..model import Kinematics, PoseSequence, Rep, View, full_or_all
from .measure import find_reps

__all__ = ["LOW_CONFIDENCE", "LOW_CONFIDENCE_BY_SOURCE", "clip_quality", "reps_without_jump", "reps_in_view"]

#: the feet must be tracked on at least this share of a rep's frames for a missing flight to mean "no jump" (with
#: the feet out of frame or lost, a jump cannot be seen, and the rep stands as counted)
FEET_SEEN_SHARE = 0.8

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


def reps_without_jump(kin: Kinematics, ex: Exercise, reps: list[Rep]) -> list[Rep]:
    """In an exercise whose rep *is* a jump (``jump_expected``: a jumping jack, a jump squat), a rep in which the
    feet were seen and never left the floor is not a full rep of it: it is marked partial. A jumping jack is
    counted on the arms; the arms raised while standing or walking after the set (the Sports2D demo, issue 20) are
    not a jack. The feet's rise is the §5 J one (faults/rules/jumping.py ``flight_height``)."""
    if not ex.jump_expected or not reps or "feet_height_rel" not in kin.series:
        return reps
    from ..faults.rules.jumping import FLIGHT_REL, flight_height

    # "no jump" must be clear: the feet never rose the §5 J 3 % of stature above the floor they stood on, not even
    # in a rise that fails the flight's physical checks (a burpee's jump seen side-on, keypoints sliding)
    with np.errstate(invalid="ignore"):
        airborne = np.nan_to_num(flight_height(kin), nan=0.0) > FLIGHT_REL
    feet = np.isfinite(kin["feet_height_rel"])
    out = []
    for r in reps:
        # the take-off is on the way out (to the turnaround): the feet must be seen there for "no jump" to hold
        seen = float(feet[r.start_frame : r.turn_frame + 1].mean()) >= FEET_SEEN_SHARE
        jumped = bool(airborne[r.start_frame : r.end_frame + 1].any())
        out.append(replace(r, partial=True) if seen and not jumped and not r.partial else r)
    return out


def _no_jump_warning(ex: Exercise, found: list[Rep], reps: list[Rep]) -> str | None:
    grounded = [r for r, o in zip(found, reps) if o.partial and not r.partial]
    if not grounded:
        return None
    at = ", ".join(f"{r.start_s:.1f} s" for r in grounded)
    return (f"{len(grounded)} movement(s) without a jump (at {at}) counted as partial, not as a full "
            f"{ex.name.lower()}: the feet stayed on the floor")


def reps_in_view(cleaned: PoseSequence, kin: Kinematics, ex: Exercise, count_ex: Exercise, view: View | None,
                 warnings: list[str]) -> tuple[Kinematics, list[Rep]]:
    """The reps (counted as ``count_ex``) and the kinematics they are judged on. Without a forced ``view``, the
    view where the reps are (a person who walks about or turns before or after the set, issue 16's front-view
    jumping jack called "side") is judged again on the reps' frames, and the kinematics follow it. In a jumping
    exercise, a rep without a jump is partial (:func:`reps_without_jump`), and the report says so once."""
    from ..kinematics.angles import compute_kinematics, detect_view
    from ..reps.tempo import bound_rest_pauses

    found = bound_rest_pauses(find_reps(kin, count_ex), count_ex)  # no rest pause longer than its rep (issue 16)
    reps = reps_without_jump(kin, count_ex, found)
    if view is None and kin.dims == "2d" and reps:
        in_reps = np.zeros(kin.n_frames, dtype=bool)
        for r in full_or_all(reps):
            in_reps[r.start_frame : r.end_frame + 1] = True
        rep_view, _ = detect_view(cleaned, in_reps)
        if rep_view not in (kin.view, "unknown"):
            kin = replace(compute_kinematics(cleaned, view=rep_view), track_breaks=kin.track_breaks)
            again = bound_rest_pauses(find_reps(kin, count_ex), count_ex)
            if again:
                found, reps = again, reps_without_jump(kin, count_ex, again)
            warnings[:] = [w for w in warnings if not w.startswith(f"{ex.name} is best filmed from")]
            if ex.views and kin.view not in ex.views:
                warnings.append(_view_warning(ex, kin.view))
    said = _no_jump_warning(count_ex, found, reps)
    if said:
        warnings.append(said)
    return kin, reps
