"""knee_valgus — the knee caves inwards (frontal-plane projection angle, medial +).

COACHING_RULES.md §5 K: FPPA > 12° (women) / 9° (men) **and** > baseline + 8° (the SDD is 7.5-8.9°, Munro 2012).
The baseline is the person's own standing FPPA at the start of the rep (static alignment), so only the dynamic
cave-in counts. Needs a front view with the camera at knee height, or 3D.
"""

from __future__ import annotations

import numpy as np

from ...model import Finding, Kinematics
from ..base import FaultContext, FloatArray, RepMeasure, make_findings, measure_reps
from ._views import frontal

CODE = "knee_valgus"
NEEDS = "a front view at knee height or 3D keypoints"
FPPA_DEG = {"female": 12.0, "male": 9.0}
MARGIN_DEG = 8.0
CUE = "Push your knees out so they track over your second toe."


def visible(kin: Kinematics) -> bool:
    return frontal(kin)


def worst_knee(kin: Kinematics, sign: float) -> FloatArray:
    """Per frame, the knee furthest in the direction ``sign`` (+ medial for valgus, - lateral for varus)."""
    a = sign * kin["fppa_left_deg"]
    b = sign * kin["fppa_right_deg"]
    return sign * np.fmax(a, b)


def dynamic_candidates(
    ctx: FaultContext, series: FloatArray, sign: float, absolute: float
) -> tuple[list[RepMeasure], list[bool]]:
    measures = measure_reps(ctx.reps, series, "max" if sign > 0 else "min")
    cands: list[bool] = []
    for m in measures:
        start = series[max(0, m.rep.start_frame - 3): m.rep.start_frame + 3]
        standing = float(np.nanmedian(start)) if np.isfinite(start).any() else 0.0
        v = sign * m.value
        cands.append(bool(np.isfinite(v) and v > sign * absolute and v - sign * standing > MARGIN_DEG))
    return measures, cands


def check(ctx: FaultContext) -> list[Finding]:
    if "fppa_left_deg" not in ctx.kin.series:
        return []
    thr = FPPA_DEG.get(ctx.sex, FPPA_DEG["male"])
    series = worst_knee(ctx.kin, +1.0)
    measures, cands = dynamic_candidates(ctx, series, +1.0, thr)
    return make_findings(CODE, measures, cands, [thr] * len(measures), series, unit="deg", cue=CUE,
                         signal="fppa_left_deg", step=8.0)
