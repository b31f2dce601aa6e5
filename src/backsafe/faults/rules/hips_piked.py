"""hips_piked — hips high above the shoulder-ankle line (plank, push-up): the "high lower back" of the
Exercise-Correction plank labels. COACHING_RULES.md §5 A uses 10° for the sag; the pike is its mirror image."""

from __future__ import annotations

from ...model import Finding
from ..rule import Rule
from ..base import FaultContext, flag_reps, measure_reps, steady_hold
from ..thresholds import exercise_threshold
from ._views import sagittal

CODE = "hips_piked"
NEEDS = "a side view or 3D keypoints"
PIKE_DEG = 10.0
CUE = "Lower your hips until shoulders, hips and heels make one straight line."


def check(ctx: FaultContext) -> list[Finding]:
    # holds: only the steady hold is judged, not getting into it or what follows (faults/base.py steady_hold)
    line = steady_hold(ctx, ctx.kin["body_line_deg"])
    measures = measure_reps(ctx.reps, line, "min")
    # a calibrated limit where labelled data exists (data/thresholds.json), else the mirror of the 10° sag
    calibrated = exercise_threshold("body_line_pike_deg", ctx.ex.id)
    limit = calibrated if calibrated is not None else -PIKE_DEG
    return flag_reps(ctx, CODE, measures, line, absolute=limit, relative_floor=None, unit="deg", cue=CUE,
                     signal="body_line_deg", step=10.0, above=False)


RULE = Rule(code=CODE, needs=NEEDS, run=check, visible=sagittal)
