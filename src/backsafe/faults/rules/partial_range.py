"""partial_range — the rep stopped short of the exercise's range.

Two checks: (1) relative — the rep reached less than 60 % of the person's own typical excursion in this set
(segmentation marks it partial); (2) absolute, where the view shows the angle true to size (side view or 3D):
the turnaround angle is below the exercise's minimum range in ``MIN_RANGE_DEG`` [H: COACHING_RULES.md §2
"regress → progress" ranges; raise to shoulder level = 80° arm elevation, as the Pose Trainer authors' rule].

The rep's range is the furthest its primary angle reaches within the rep (for signals resting at their low end),
not only its value at the rep's turnaround frame: a rep counted on another signal (segmentation's alternates,
e.g. the shoulders' height for a curl) can place the turnaround at either end of the angle's travel.

A 2D angle is true to size only while both of its segments lie in the image plane (COACHING_RULES §5 "2D angle
error"). For elbow-driven exercises the absolute floor is applied only when the forearm, at the rep's furthest
point, is seen at ≥ ``FOREARM_TRUE_SIZE`` of its longest length in the clip (its length hanging at the side);
a forearm pointing at the camera reads a full curl as a few degrees, so there the rep is judged against the
person's own reps only (check 1), and the report notes that the absolute range was not judged.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ...kinematics.angles import PRIMARY_SERIES
from ...model import Finding, Rep
from ..rule import Rule
from ..base import FaultContext, RepMeasure, make_findings
from ..thresholds import exercise_threshold
from ._views import any_view, sagittal

CODE = "partial_range"
NEEDS = "any view"
#: minimum turnaround of the primary signal in degrees (2D side view or 3D only) [H]
MIN_RANGE_DEG: dict[str, float] = {
    "squat": 70.0, "box_squat": 60.0, "goblet_squat": 70.0, "back_squat": 70.0, "jump_squat": 50.0,
    # side lunge: below every correct rep of UI-PRMD's clinical side lunges (Vakanski et al. 2018; Vicon knee flexion
    # of the bending leg 33-49° in subjects 1-7's correct reps, docs/evaluation.md "Constructed faults"): a 50°
    # floor flagged 4 of 7 people's correct one-rep sets
    "split_squat": 60.0, "lunge": 60.0, "side_lunge": 30.0,
    "bicep_curl": 90.0, "front_raise": 80.0, "lateral_raise": 70.0, "shoulder_press": 140.0,
    "push_up": 60.0, "romanian_deadlift": 40.0, "good_morning": 40.0,
}
#: a forearm seen shorter than this share of its longest image length is turned more than ~45° out of the
#: image plane (acos 0.7 ≈ 46°) [H]: there a 2D elbow angle can be off by more than the 5-15° 2D error budget
#: (§5), so an absolute range floor would judge the camera, not the rep
FOREARM_TRUE_SIZE = 0.7
NOT_JUDGED_FORESHORTENED = ("Range of motion was judged against your own reps only: the forearm pointed towards "
                            "the camera, so the elbow angle in the picture is not its true size. Film from the "
                            "side, with the arm across the picture, to have the full range checked.")
CUE = "Use the full range: move all the way to the end position on every rep, even if that means a lighter load."


def check(ctx: FaultContext) -> list[Finding]:
    ex = ctx.ex
    if not ctx.reps or ex.primary_signal is None:
        return []
    name = PRIMARY_SERIES[ex.primary_signal]
    series = ctx.kin.series.get(name)
    calibrated = exercise_threshold("min_range_deg", ex.id)
    default = calibrated if calibrated is not None else MIN_RANGE_DEG.get(ex.id)
    min_deg = default if sagittal(ctx.kin) and ctx.kin.units.get(name) == "deg" else None
    reps = [r for r in ctx.reps if "whole" not in r.phase_frames]  # no rep found: no turnaround to judge
    peaks = [_furthest(series, r, ex.rest_end) for r in reps]
    if min_deg is not None and not all(_true_size(ctx, at) for _, at in peaks):
        # the angle is not seen true to size in this clip: every rep is judged against the person's own reps
        min_deg = None
        ctx.note(NOT_JUDGED_FORESHORTENED)
    measures: list[RepMeasure] = []
    cands: list[bool] = []
    thresholds: list[float] = []
    for r, (peak, at) in zip(reps, peaks):
        if min_deg is not None and np.isfinite(peak):
            measures.append(RepMeasure(r, peak, at))
            thresholds.append(min_deg)
            cands.append(peak < min_deg or (r.range_fraction < 0.6 and not _edge(r, ctx)))
        else:
            measures.append(RepMeasure(r, r.range_fraction * 100.0, r.turn_frame))
            thresholds.append(60.0)
            cands.append(r.range_fraction < 0.6 and not _edge(r, ctx))
    unit = "deg" if min_deg is not None else "% of typical rep"
    sig = name if min_deg is not None else ""
    flat = np.full(ctx.kin.n_frames, np.nan) if series is None or min_deg is None else series
    return make_findings(CODE, measures, cands, thresholds, flat, unit=unit, cue=CUE, signal=sig, step=15.0,
                         above=False)


def _furthest(series: npt.NDArray[np.float64] | None, r: Rep, rest_end: str) -> tuple[float, int]:
    """The rep's furthest value of its primary angle (its maximum for a signal resting low) and that frame; for a
    signal resting high, its value at the turnaround."""
    if series is None:
        return float("nan"), r.turn_frame
    seg = series[r.start_frame: r.end_frame + 1]
    if rest_end == "low" and np.isfinite(seg).any():
        k = int(np.nanargmax(seg))
        return float(seg[k]), r.start_frame + k
    return float(series[r.turn_frame]), r.turn_frame


def _true_size(ctx: FaultContext, frame: int) -> bool:
    """Whether the primary angle is seen true to size at ``frame``: for elbow-driven exercises in 2D, the forearm
    is not much shorter in the image than its longest (``FOREARM_TRUE_SIZE``); always for other signals and 3D."""
    fore = ctx.kin.series.get("forearm_apparent")
    if ctx.ex.primary_signal != "elbow_flexion" or ctx.kin.dims != "2d" or fore is None:
        return True
    v = float(fore[frame])
    return not np.isfinite(v) or v >= FOREARM_TRUE_SIZE


def _edge(r: Rep, ctx: FaultContext) -> bool:
    """A rep cut by the clip's start or end is not the person's fault."""
    return r.start_frame <= 1 or r.end_frame >= ctx.kin.n_frames - 2


RULE = Rule(code=CODE, needs=NEEDS, run=check, visible=any_view)
