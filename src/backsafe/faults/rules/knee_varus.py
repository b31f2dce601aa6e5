"""knee_varus — the knee bows outwards: FPPA < -10° and beyond the standing baseline by the SDD (8°)
(COACHING_RULES.md §5 K: varus < -10°), **and** the knee is wide of the foot (more than 0.15 hip widths
outside the toes) [H]: in a squat with the toes turned out, knees travelling out over the toes is the coached
pattern ("knees over your second toe") and reads as a negative FPPA on its own (UI-PRMD's correct deep squats
reach -20° to -40°), so only knees pushed beyond the feet count."""

from __future__ import annotations

import numpy as np

from ...model import Finding, Kinematics
from ..base import FaultContext, make_findings
from ._views import frontal
from .knee_valgus import dynamic_candidates, worst_knee

CODE = "knee_varus"
NEEDS = "a front view at knee height or 3D keypoints"
FPPA_DEG = -10.0
OUTSIDE_TOE_HIPW = 0.15
CUE = "Keep your knees in line with your second toe, not pushed wide."


def visible(kin: Kinematics) -> bool:
    return frontal(kin)


def check(ctx: FaultContext) -> list[Finding]:
    if "fppa_left_deg" not in ctx.kin.series:
        return []
    series = worst_knee(ctx.kin, -1.0)
    measures, cands = dynamic_candidates(ctx, series, -1.0, FPPA_DEG)
    kin = ctx.kin
    if "knee_outside_toe_left_hipw" in kin.series:
        outside = np.fmax(kin["knee_outside_toe_left_hipw"], kin["knee_outside_toe_right_hipw"])
        cands = [c and bool(np.nan_to_num(outside[m.worst_frame], nan=0.0) > OUTSIDE_TOE_HIPW)
                 for c, m in zip(cands, measures)]
    return make_findings(CODE, measures, cands, [FPPA_DEG] * len(measures), series, unit="deg", cue=CUE,
                         signal="fppa_left_deg", step=8.0, above=False)
