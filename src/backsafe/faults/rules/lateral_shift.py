"""lateral_shift — the hips drift sideways over one foot, or the trunk leans sideways.

COACHING_RULES.md §5 S (front view): mid-hip offset from mid-ankle > 0.15 hip widths, or trunk lateral lean
> 10°. Both are measured relative to the person's own standing posture before each rep (§5 baseline;
faults/base.py ``neutral_baselines``: the standing frames before the first rep and between reps, never the set's
first reps), so a camera that is slightly off-centre does not read as a shift while a shift in every rep, or in
a single-rep set, still does.
"""

from __future__ import annotations

import numpy as np

from ...model import Finding
from ..rule import Rule
from ..base import FaultContext, Measure, flag_either, measure_reps, relative_to_neutral, symmetric_stance
from ._views import frontal

CODE = "lateral_shift"
NEEDS = "a front view or 3D keypoints"
OFFSET_HIPW = 0.15
LEAN_DEG = 10.0
#: exercises whose movement is a sideways step: the body moves over the bending leg and the trunk leans with it by
#: design (COACHING_RULES §2: a lateral lunge loads one leg at a time), so neither the offset nor the lean is a shift
SIDEWAYS_BY_DESIGN = ("side_lunge",)
CUE = "Keep your weight even on both feet, belly button over the middle."


def check(ctx: FaultContext) -> list[Finding]:
    kin = ctx.kin
    if "lateral_offset_hipw" not in kin.series or ctx.ex.id in SIDEWAYS_BY_DESIGN:
        return []
    # the hip-over-feet offset only means "shift" when both feet stay planted; lunges and steps move the feet
    bilateral = symmetric_stance(ctx.ex)
    off = relative_to_neutral(ctx, kin["lateral_offset_hipw"], "the hips' position") if bilateral \
        else np.full(kin.n_frames, np.nan)
    lean = relative_to_neutral(ctx, kin["trunk_lateral_lean_deg"], "the trunk's sideways lean") \
        if "trunk_lateral_lean_deg" in kin.series else np.full(kin.n_frames, np.nan)
    parts = [
        Measure(measure_reps(ctx.reps, off, "max"), OFFSET_HIPW, off, "hip widths", "lateral_offset_hipw", 0.1),
        Measure(measure_reps(ctx.reps, lean, "max"), LEAN_DEG, lean, "deg", "trunk_lateral_lean_deg", 10.0),
    ]
    return flag_either(CODE, parts, cue=CUE)


RULE = Rule(code=CODE, needs=NEEDS, run=check, visible=frontal)
