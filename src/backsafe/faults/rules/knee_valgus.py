"""knee_valgus — the knee caves inwards (frontal-plane projection angle, FPPA, medial +).

COACHING_RULES.md §5 K: the FPPA's **change from standing** > 12° (women) / 9° (men); with the person's reference
the reference decides (faults/reference.py: > the reference + its margin). The standing value is the person's
own FPPA in their standing posture before the rep (faults/base.py ``neutral_baselines``), never the set's first
reps, so knees that cave on every rep, or in a single rep, are found. The margin is never below the FPPA's SDD
(7.5-8.9°, Munro 2012) nor, on 2D keypoints, below 10° (§5: sub-10° thresholds are noise in 2D), nor below 2 × the
standing frames' own SD.

Sign (checked on the real front-view squats of ../shared/datasets/clips): a clean bodyweight squat filmed from
the front reads a *negative* FPPA that grows with depth (−45° to −100° at the deepest valid frames), because the
knees travel forward and out over turned-out toes and the 2D image angle is the whole projected knee bend.
Knees that cave in move the other way, towards the midline, so the change from standing is positive. A single
frame at the edge of the valid range is not evidence of varus (knee_varus.py).
Needs a front view with the camera at knee height, or 3D.
"""

from __future__ import annotations

import numpy as np

from ...model import Finding, Kinematics
from ..rule import Rule
from ..base import (
    FaultContext,
    FloatArray,
    RepMeasure,
    make_findings,
    measure_reps,
    relative_to_neutral,
    symmetric_stance,
)
from ._views import frontal

CODE = "knee_valgus"
NEEDS = "a front view at knee height or 3D keypoints"
FPPA_DEG = {"female": 12.0, "male": 9.0}  # §5 K: change from standing
SDD_DEG = 8.0  # Munro 2012: SDD 7.5-8.9°
MIN_2D_DEG = 10.0  # §5: sub-10° thresholds are noise on 2D keypoints
CUE = "Push your knees out so they track over your second toe."


def worst_knee(kin: Kinematics, sign: float) -> FloatArray:
    """Per frame, the knee furthest in the direction ``sign`` (+ medial for valgus, - lateral for varus)."""
    a = sign * kin["fppa_left_deg"]
    b = sign * kin["fppa_right_deg"]
    return sign * np.fmax(a, b)


#: a foot this much higher than the other (share of stature, ``foot_*_height_rel``) is off the floor or on its
#: toes: that leg is swinging (hurdle step) or trailing (the rear leg of a lunge), not carrying the body
FOOT_LIFTED_REL = 0.02


def working_legs(ctx: FaultContext) -> tuple[FloatArray, FloatArray]:
    """Per frame, 1.0 where each leg (left, right) is a working leg whose FPPA is judged, NaN where it is not.

    The FPPA is a measure of the loaded knee (Munro 2012: single-leg squat and landing). With both feet planted
    side by side (faults/base.py ``symmetric_stance``) both knees work. In a split, lateral or single-leg stance
    (COACHING_RULES §2: lunges, hurdle step, step-up) only the leg that carries the body does: its foot is on the
    floor and its knee bends the most. The swing leg of a hurdle step is lifted with the knee bent (its FPPA is a
    hip rotation, not a knee caving), the straight leg of a side lunge is abducted, and the rear knee of a lunge
    points at the floor behind the body, where a frontal-plane angle is not defined."""
    kin = ctx.kin
    n = kin.n_frames
    both = np.ones(n)
    if symmetric_stance(ctx.ex):
        return both, both.copy()
    names = ("foot_left_height_rel", "foot_right_height_rel", "knee_flexion_left_deg", "knee_flexion_right_deg")
    if not all(k in kin.series for k in names):
        return both, both.copy()
    fl, fr, kl, kr = (np.asarray(kin[k], dtype=float) for k in names)
    with np.errstate(invalid="ignore"):
        left_up = fl - fr > FOOT_LIFTED_REL
        right_up = fr - fl > FOOT_LIFTED_REL
        left = ~left_up & (right_up | ~(kr > kl))
        right = ~right_up & (left_up | ~(kl >= kr))
    return np.where(left, 1.0, np.nan), np.where(right, 1.0, np.nan)


#: on measured 3D keypoints the FPPA's change is judged only while that knee is bent at least this much [H]: the
#: FPPA describes a loaded, bending knee (its norms are taken at 45-60° of flexion: single-leg squat, landing), and
#: a nearly straight leg's frontal angle is its static alignment plus joint-centre noise (clean UI-PRMD Kinect
#: hurdle steps read a 9.6-11° "change" on a stance knee bent 12-17°). The standing value is still read straight.
MIN_JUDGED_FLEXION_DEG = 20.0


def bent_enough(ctx: FaultContext, side: str) -> FloatArray:
    """1.0 where ``side``'s FPPA may be judged (3D: the knee bent at least MIN_JUDGED_FLEXION_DEG), NaN elsewhere."""
    kin = ctx.kin
    name = f"knee_flexion_{side}_deg"
    if kin.dims != "3d" or name not in kin.series:
        return np.ones(kin.n_frames)
    with np.errstate(invalid="ignore"):
        return np.where(np.asarray(kin[name], dtype=float) >= MIN_JUDGED_FLEXION_DEG, 1.0, np.nan)


def change_from_standing(ctx: FaultContext, sign: float) -> FloatArray:
    """Per frame (within reps), the larger of the working knees' FPPA change from that knee's standing value, in
    the direction ``sign`` (+ medial, − lateral), signed so that + is medial (:func:`working_legs`,
    :func:`bent_enough`)."""
    kin = ctx.kin
    legs = working_legs(ctx)
    parts = [sign * relative_to_neutral(ctx, kin[f"fppa_{side}_deg"], "the knee angle", absolute=False) * w
             * bent_enough(ctx, side) for side, w in zip(("left", "right"), legs)]
    with np.errstate(invalid="ignore"):
        return sign * np.fmax(parts[0], parts[1])


def change_limit(ctx: FaultContext, base: float) -> float:
    lim = max(base, SDD_DEG)
    if ctx.kin.dims == "2d":
        lim = max(lim, MIN_2D_DEG)
    return lim


def dynamic_candidates(
    ctx: FaultContext, series: FloatArray, sign: float, limit: float
) -> tuple[list[RepMeasure], list[bool]]:
    """Per rep, the worst change from standing and whether it is beyond ``limit`` (in the direction ``sign``)."""
    measures = measure_reps(ctx.reps, series, "max" if sign > 0 else "min")
    cands = [bool(np.isfinite(m.value) and sign * m.value > limit) for m in measures]
    return measures, cands


def check(ctx: FaultContext) -> list[Finding]:
    if "fppa_left_deg" not in ctx.kin.series or "fppa_right_deg" not in ctx.kin.series:
        return []
    limit = change_limit(ctx, FPPA_DEG.get(ctx.subject.sex, FPPA_DEG["male"]))
    series = change_from_standing(ctx, +1.0)
    measures, cands = dynamic_candidates(ctx, series, +1.0, limit)
    return make_findings(CODE, measures, cands, [limit] * len(measures), series, unit="deg", cue=CUE,
                         signal="fppa_left_deg", step=8.0)


RULE = Rule(code=CODE, needs=NEEDS, run=check, visible=frontal)
