"""hip_rotation — the pelvis drops or twists (COACHING_RULES.md §5 P: hip line vs horizontal, drop > 8°;
yaw ≈ acos(hip width / standing width), > 15°). Relative to the person's standing posture before each rep (§5
baseline, faults/base.py ``neutral_baselines``) so a slightly turned camera does not count while a twist in every
rep does. The drop is judged only in symmetric stances (faults/base.py ``symmetric_stance``): a hurdle step
lifts one leg and a side lunge or split stance loads one hip more, so the hip line tilts by the movement itself
(clean UI-PRMD hurdle steps and side lunges, Vicon markers: 6-20° from standing); the twist (yaw) is judged in
every stance, except from 2D keypoints in a side lunge, where the pelvis turns towards the bending leg by design
and the unsigned 2D yaw cannot tell that turn from a twist (faults/base.py ``pelvis_turns_by_design``; the
report says it was not judged). In 3D the twist is the turn the hips and the shoulders share (``shared_turn``): hips
that rotate take the trunk round with them. No labelled data exists for this fault: it is covered by constructed
tests only."""

from __future__ import annotations

import numpy as np

from ...model import Finding
from ..rule import Rule
from ..base import (FaultContext, Measure, flag_either, measure_reps, pelvis_turns_by_design, relative_to_neutral,
                    symmetric_stance)
from ._views import frontal

CODE = "hip_rotation"
NEEDS = "a front view or 3D keypoints"
DROP_DEG = 8.0
YAW_DEG = 15.0
NOT_JUDGED_YAW = ("hip twist not checked: in a side lunge the hips turn towards the bending leg by design, and "
                  "from video that turn cannot be told from a twist")
CUE = "Keep your hips level and square to the front."


def shared_turn(ctx: FaultContext) -> np.ndarray:
    """3D: the turn from the standing posture that the pelvis and the shoulders share (same direction; the
    smaller of the two), 0 where they turn opposite ways. Hips that rotate carry the trunk above them round with
    them; a hip line that turns alone is, on depth-camera and estimated skeletons, mostly the hip joints'
    placement error (one thigh occluding the other in a split stance): the hips of clean UI-PRMD Kinect inline
    lunges read 11-34° of yaw while their shoulders read ≤ 15°, and the Vicon pelvis ≤ 16° in side lunges."""
    kin = ctx.kin
    hips = relative_to_neutral(ctx, kin["hip_yaw_deg"], "the pelvis", absolute=False)
    shoulders = relative_to_neutral(ctx, kin["shoulder_yaw_deg"], "the shoulders", absolute=False)
    shared = np.where(np.sign(hips) == np.sign(shoulders), np.fmin(np.abs(hips), np.abs(shoulders)), 0.0)
    return np.where(np.isfinite(hips) & np.isfinite(shoulders), shared, np.nan)


def check(ctx: FaultContext) -> list[Finding]:
    kin = ctx.kin
    if "pelvis_tilt_deg" not in kin.series:
        return []
    drop = relative_to_neutral(ctx, kin["pelvis_tilt_deg"], "the pelvis") if symmetric_stance(ctx.ex) \
        else np.full(kin.n_frames, np.nan)
    # the 2D yaw is unsigned (acos of the hips' width): where the movement itself turns the pelvis, it would read
    # the designed turn as a twist
    yaw_by_design = kin.dims == "2d" and pelvis_turns_by_design(ctx.ex)
    if yaw_by_design and "hip_yaw_deg" in kin.series:
        ctx.warn(NOT_JUDGED_YAW)
    if "hip_yaw_deg" not in kin.series or yaw_by_design:
        yaw = np.full(kin.n_frames, np.nan)
    elif "shoulder_yaw_deg" in kin.series:
        yaw = shared_turn(ctx)
    else:
        yaw = relative_to_neutral(ctx, kin["hip_yaw_deg"], "the pelvis")
    parts = [
        Measure(measure_reps(ctx.reps, drop, "max"), DROP_DEG, drop, "deg", "pelvis_tilt_deg", 8.0),
        Measure(measure_reps(ctx.reps, yaw, "max"), YAW_DEG, yaw, "deg", "hip_yaw_deg", 10.0),
    ]
    return flag_either(CODE, parts, cue=CUE)


RULE = Rule(code=CODE, needs=NEEDS, run=check, visible=frontal)
