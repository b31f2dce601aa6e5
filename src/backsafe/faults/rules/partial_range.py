"""partial_range — the rep stopped short of the exercise's range.

Two checks: (1) relative — the rep reached less than 60 % of the person's own typical excursion in this set
(segmentation marks it partial); (2) absolute, where the view shows the angle true to size (side view or 3D):
the turnaround angle is below the exercise's minimum range in ``MIN_RANGE_DEG`` [H: COACHING_RULES.md §2
"regress → progress" ranges; raise to shoulder level = 80° arm elevation, as the Pose Trainer authors' rule].
"""

from __future__ import annotations

import numpy as np

from ...kinematics.angles import PRIMARY_SERIES
from ...model import Finding, Kinematics, Rep
from ..base import FaultContext, RepMeasure, make_findings
from ..thresholds import exercise_threshold
from ._views import any_view, sagittal

CODE = "partial_range"
NEEDS = "any view"
#: minimum turnaround of the primary signal in degrees (2D side view or 3D only) [H]
MIN_RANGE_DEG: dict[str, float] = {
    "squat": 70.0, "box_squat": 60.0, "goblet_squat": 70.0, "back_squat": 70.0, "jump_squat": 50.0,
    "split_squat": 60.0, "lunge": 60.0, "side_lunge": 50.0,
    "bicep_curl": 90.0, "front_raise": 80.0, "lateral_raise": 70.0, "shoulder_press": 140.0,
    "push_up": 60.0, "romanian_deadlift": 40.0, "good_morning": 40.0,
}
CUE = "Use the full range: move all the way to the end position on every rep, even if that means a lighter load."


def visible(kin: Kinematics) -> bool:
    return any_view(kin)


def check(ctx: FaultContext) -> list[Finding]:
    ex = ctx.ex
    if not ctx.reps or ex.primary_signal is None:
        return []
    name = PRIMARY_SERIES[ex.primary_signal]
    series = ctx.kin.series.get(name)
    calibrated = exercise_threshold("min_range_deg", ex.id)
    default = calibrated if calibrated is not None else MIN_RANGE_DEG.get(ex.id)
    min_deg = default if sagittal(ctx.kin) and ctx.kin.units.get(name) == "deg" else None
    measures: list[RepMeasure] = []
    cands: list[bool] = []
    thresholds: list[float] = []
    for r in ctx.reps:
        if "whole" in r.phase_frames:  # no rep was found: there is no turnaround to judge
            continue
        peak = float(series[r.turn_frame]) if series is not None else float("nan")
        if min_deg is not None and np.isfinite(peak):
            measures.append(RepMeasure(r, peak, r.turn_frame))
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


def _edge(r: Rep, ctx: FaultContext) -> bool:
    """A rep cut by the clip's start or end is not the person's fault."""
    return r.start_frame <= 1 or r.end_frame >= ctx.kin.n_frames - 2
