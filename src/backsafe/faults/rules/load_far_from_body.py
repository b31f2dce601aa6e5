"""load_far_from_body — a held load far from the spine multiplies the lumbar moment.

COACHING_RULES.md §5 D and §6: NIOSH H = horizontal distance of the hands (+8 cm) from the mid-ankle, flag
H > 25 cm in hinges and pulls (HM = 25/H); straight-arm raises: elbow > 150° (flexion < 30°) with the arm raised
→ "bend the elbows" (a bent elbow cuts the moment by about a third, §6 worked example). Kettlebell swing: H > 25 cm
at the bottom → "keep the bell close".
"""

from __future__ import annotations

import numpy as np

from ...exercises import Exercise
from ...model import Finding, Kinematics, Rep
from ..rule import Rule
from ..base import FaultContext, RepMeasure, make_findings, measure_reps
from ._views import any_view, sagittal

CODE = "load_far_from_body"
NEEDS = "a side view or 3D keypoints for hinges; any view for raises"
H_MAX_M = 0.25
STRAIGHT_ELBOW_FLEXION_DEG = 30.0  # elbow angle > 150°
ARM_RAISED_DEG = 45.0
HINGE_PATTERNS = ("hinge", "hinge_hold", "ballistic")
CUE_RAISE = "Bend your elbows a little and keep the weights closer to you."
CUE_HINGE = "Keep the weight close: let it slide along your legs."
CUE_SWING = "Keep the bell close to your body and hinge from the hips."


#: kettlebell swing: H is judged at the bottom of the swing only (hip flexion within this share of the rep's
#: peak); at the top of a swing the arms are horizontal by design
SWING_BOTTOM_SHARE = 0.8


def visible_for(kin: Kinematics, ex: Exercise) -> bool:
    """Raises can be judged from any view (elbow angle); hinges and swings need the sagittal plane."""
    if ex.pattern in HINGE_PATTERNS:
        return sagittal(kin)
    return any_view(kin)


def _median_over(h: np.ndarray, rep: Rep) -> float:
    seg = h[rep.start_frame: rep.end_frame + 1]
    return float(np.nanmedian(seg)) if np.isfinite(seg).any() else float("nan")


def _swing_bottom(h: np.ndarray, kin: Kinematics, ctx: FaultContext) -> np.ndarray:
    """``h`` kept only around the bottom of each hinge or swing (hip flexion near the rep's peak)."""
    hip = kin.get("hip_flexion_deg")
    if hip is None:
        return h
    out = np.full_like(h, np.nan)
    for r in ctx.reps:
        sl = slice(r.start_frame, r.end_frame + 1)
        seg = hip[sl]
        if not np.isfinite(seg).any():
            continue
        with np.errstate(invalid="ignore"):
            bottom = seg >= SWING_BOTTOM_SHARE * np.nanmax(seg)
        out[sl] = np.where(bottom, h[sl], np.nan)
    return out


def check(ctx: FaultContext) -> list[Finding]:
    kin = ctx.kin
    ex = ctx.ex
    if ex.pattern == "raise":
        elbow = kin["elbow_flexion_deg"]
        raised = kin["shoulder_elevation_deg"] > ARM_RAISED_DEG
        # elbow flexion while the arm is raised; straight = small flexion
        masked = np.where(raised, elbow, np.nan)
        measures = measure_reps(ctx.reps, masked, "min")
        cands = [bool(np.isfinite(m.value) and m.value < STRAIGHT_ELBOW_FLEXION_DEG) for m in measures]
        return make_findings(CODE, measures, cands, [STRAIGHT_ELBOW_FLEXION_DEG] * len(measures), masked,
                             unit="deg elbow flexion", cue=CUE_RAISE, signal="elbow_flexion_deg", step=10.0,
                             above=False)
    if ex.pattern in HINGE_PATTERNS and sagittal(kin) and "hands_ankle_dx_m" in kin.series:
        # NIOSH H is read where the lever matters: at the bottom of the hinge (the lift's origin, the swing's
        # backswing), as the median over those frames so one noisy wrist does not decide
        h = _swing_bottom(kin["hands_ankle_dx_m"], kin, ctx)
        measures = [RepMeasure(m.rep, _median_over(h, m.rep), m.worst_frame) for m in measure_reps(ctx.reps, h, "max")]
        cands = [bool(np.isfinite(m.value) and m.value > H_MAX_M) for m in measures]
        cue = CUE_SWING if ex.id == "kettlebell_swing" else CUE_HINGE
        return make_findings(CODE, measures, cands, [H_MAX_M] * len(measures), h, unit="m", cue=cue,
                             signal="hands_ankle_dx_m", step=0.1)
    return []


RULE = Rule(code=CODE, needs=NEEDS, run=check, visible=any_view, visible_for=visible_for)
