"""back_rounding — the back bends forward (lumbar/thoracic flexion) instead of hinging at the hips.

COACHING_RULES.md §5 R: with spine keypoints (3D Kinect/mocap), curvature = angle between pelvis→mid-spine and
chest→neck, flag > neutral + 15°. Without them (2D video) a proxy: the trunk inclination rises more than
10° over the person's baseline without a matching rise in depth ("trunk Δ > baseline + 10° with no hip Δ").
The shoulder-hip line alone cannot see the lumbar spine bend, so the 2D rule is relative only, and it is
reported as a whole-back cue, never as a lumbar diagnosis.
"""

from __future__ import annotations

import numpy as np

from ...model import Finding, Kinematics
from ..base import FaultContext, flag_reps, measure_reps
from ._views import sagittal

CODE = "back_rounding"
NEEDS = "a side view or 3D keypoints"
CURVATURE_MARGIN_DEG = 15.0  # §5 R: curvature > neutral + 15°
TRUNK_MARGIN_DEG = 10.0  # §5 R: trunk Δ > baseline + 10° with no hip Δ
CUE = "Keep a long, neutral back: chest proud, hinge from the hips."


def visible(kin: Kinematics) -> bool:
    return sagittal(kin)


def check(ctx: FaultContext) -> list[Finding]:
    kin = ctx.kin
    reps = ctx.reps
    if not reps:
        return []
    if "spine_flexion_deg" in kin.series and np.isfinite(kin["spine_flexion_deg"]).any():
        spine = kin["spine_flexion_deg"]
        # neutral: the spine at the start of each rep (standing/rest), median over reps
        neutral = float(np.nanmedian([spine[r.start_frame] for r in reps]))
        rel = spine - neutral
        measures = measure_reps(reps, rel, "max")
        return flag_reps(ctx, CODE, measures, rel, absolute=CURVATURE_MARGIN_DEG, relative_floor=None,
                         unit="deg", cue=CUE, signal="spine_flexion_deg", step=10.0)
    if len(reps) < 3:
        return []  # the 2D proxy is relative to the person's own first reps
    trunk = kin["trunk_inclination_deg"]
    depth = kin["knee_flexion_deg"] if "knee_flexion_deg" in kin.series else np.zeros_like(trunk)
    t_max = measure_reps(reps, trunk, "max")
    d_max = measure_reps(reps, depth, "max")
    base_t = float(np.nanmedian([m.value for m in t_max[:3]]))
    base_d = float(np.nanmedian([m.value for m in d_max[:3]]))
    # trunk lean beyond what extra depth explains (half a degree of trunk per degree of extra knee bend)
    excess = np.full(kin.n_frames, np.nan)
    for tm, dm in zip(t_max, d_max):
        sl = slice(tm.rep.start_frame, tm.rep.end_frame + 1)
        extra_depth = max(0.0, dm.value - base_d) if np.isfinite(dm.value) else 0.0
        excess[sl] = trunk[sl] - base_t - 0.5 * extra_depth
    measures = measure_reps(reps, excess, "max")
    return flag_reps(ctx, CODE, measures, excess, absolute=TRUNK_MARGIN_DEG, relative_floor=None, unit="deg",
                     cue=CUE, signal="trunk_inclination_deg", step=10.0)
