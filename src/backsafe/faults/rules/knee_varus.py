"""knee_varus — the knee bows outwards: FPPA < -10° and beyond the standing baseline by the SDD (8°)
(COACHING_RULES.md §5 K: varus < -10°)."""

from __future__ import annotations

from ...model import Finding, Kinematics
from ..base import FaultContext, make_findings
from ._views import frontal
from .knee_valgus import dynamic_candidates, worst_knee

CODE = "knee_varus"
NEEDS = "a front view at knee height or 3D keypoints"
FPPA_DEG = -10.0
CUE = "Keep your knees in line with your second toe, not pushed wide."


def visible(kin: Kinematics) -> bool:
    return frontal(kin)


def check(ctx: FaultContext) -> list[Finding]:
    if "fppa_left_deg" not in ctx.kin.series:
        return []
    series = worst_knee(ctx.kin, -1.0)
    measures, cands = dynamic_candidates(ctx, series, -1.0, FPPA_DEG)
    return make_findings(CODE, measures, cands, [FPPA_DEG] * len(measures), series, unit="deg", cue=CUE,
                         signal="fppa_left_deg", step=8.0, above=False)
