"""hip_rotation — the pelvis drops or twists (COACHING_RULES.md §5 P: hip line vs horizontal, drop > 8°;
yaw ≈ acos(hip width / standing width), > 15°). Relative to the person's standing posture before each rep (§5
baseline, faults/base.py ``neutral_baselines``) so a slightly turned camera does not count while a twist in every
rep does. The drop is judged only in symmetric stances (faults/base.py ``symmetric_stance``): a hurdle step
lifts one leg and a side lunge or split stance loads one hip more, so the hip line tilts by the movement itself
(clean UI-PRMD hurdle steps and side lunges, Vicon markers: 6-20° from standing); the twist (yaw) is judged in
every stance, except from 2D keypoints in a side lunge, where the pelvis turns towards the bending leg by design
and the unsigned 2D yaw cannot tell that turn from a twist (faults/base.py ``pelvis_turns_by_design``; the
report says it was not judged). No labelled data exists for this fault: it is covered by constructed tests only."""

from __future__ import annotations

import numpy as np

from ...model import Finding
from ..rule import Rule
from ..base import FaultContext, Measure, flag_either, measure_reps, pelvis_turns_by_design, symmetric_stance
from ._views import frontal
from .lateral_shift import _relative_to_standing

CODE = "hip_rotation"
NEEDS = "a front view or 3D keypoints"
DROP_DEG = 8.0
YAW_DEG = 15.0
NOT_JUDGED_YAW = ("hip twist not checked: in a side lunge the hips turn towards the bending leg by design, and "
                  "from video that turn cannot be told from a twist")
CUE = "Keep your hips level and square to the front."


def check(ctx: FaultContext) -> list[Finding]:
    kin = ctx.kin
    if "pelvis_tilt_deg" not in kin.series:
        return []
    drop = _relative_to_standing(kin["pelvis_tilt_deg"], ctx, "the pelvis") if symmetric_stance(ctx.ex) \
        else np.full(kin.n_frames, np.nan)
    # the 2D yaw is unsigned (acos of the hips' width): where the movement itself turns the pelvis, it would read
    # the designed turn as a twist
    yaw_by_design = kin.dims == "2d" and pelvis_turns_by_design(ctx.ex)
    if yaw_by_design and "hip_yaw_deg" in kin.series:
        ctx.warn(NOT_JUDGED_YAW)
    yaw = _relative_to_standing(kin["hip_yaw_deg"], ctx, "the pelvis") \
        if "hip_yaw_deg" in kin.series and not yaw_by_design else np.full(kin.n_frames, np.nan)
    parts = [
        Measure(measure_reps(ctx.reps, drop, "max"), DROP_DEG, drop, "deg", "pelvis_tilt_deg", 8.0),
        Measure(measure_reps(ctx.reps, yaw, "max"), YAW_DEG, yaw, "deg", "hip_yaw_deg", 10.0),
    ]
    return flag_either(CODE, parts, cue=CUE)


RULE = Rule(code=CODE, needs=NEEDS, run=check, visible=frontal)
