"""hip_rotation — the pelvis drops or twists (COACHING_RULES.md §5 P: hip line vs horizontal, drop > 8°;
yaw ≈ acos(hip width / standing width), > 15°). Relative to the rep's own start so a slightly turned camera
does not count. No labelled data exists for this fault: it is covered by constructed tests only."""

from __future__ import annotations

import numpy as np

from ...model import Finding, Kinematics
from ..base import FaultContext, make_findings, measure_reps
from ._views import frontal
from .lateral_shift import _relative_to_rep_start

CODE = "hip_rotation"
NEEDS = "a front view or 3D keypoints"
DROP_DEG = 8.0
YAW_DEG = 15.0
CUE = "Keep your hips level and square to the front."


def visible(kin: Kinematics) -> bool:
    return frontal(kin)


def check(ctx: FaultContext) -> list[Finding]:
    kin = ctx.kin
    if "pelvis_tilt_deg" not in kin.series:
        return []
    drop = _relative_to_rep_start(kin["pelvis_tilt_deg"], ctx)
    yaw = _relative_to_rep_start(kin["hip_yaw_deg"], ctx) if "hip_yaw_deg" in kin.series else np.full_like(drop, np.nan)
    m_drop = measure_reps(ctx.reps, drop, "max")
    m_yaw = measure_reps(ctx.reps, yaw, "max")
    out = make_findings(CODE, m_drop, [bool(m.value > DROP_DEG) for m in m_drop], [DROP_DEG] * len(m_drop), drop,
                        unit="deg", cue=CUE, signal="pelvis_tilt_deg", step=8.0)
    done = {f.rep for f in out}
    yaw_f = make_findings(CODE, m_yaw, [bool(m.value > YAW_DEG) for m in m_yaw], [YAW_DEG] * len(m_yaw), yaw,
                          unit="deg", cue=CUE, signal="hip_yaw_deg", step=10.0)
    return out + [f for f in yaw_f if f.rep not in done]
