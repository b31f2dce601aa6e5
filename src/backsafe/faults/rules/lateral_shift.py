"""lateral_shift — the hips drift sideways over one foot, or the trunk leans sideways.

COACHING_RULES.md §5 S (front view): mid-hip offset from mid-ankle > 0.15 hip widths, or trunk lateral lean
> 10°. Both are measured relative to the person's own standing position at the start of each rep, so a camera
that is slightly off-centre does not read as a shift.
"""

from __future__ import annotations

import numpy as np

from ...model import Finding, Kinematics
from ..base import FaultContext, Measure, flag_either, measure_reps
from ._views import frontal

CODE = "lateral_shift"
NEEDS = "a front view or 3D keypoints"
OFFSET_HIPW = 0.15
LEAN_DEG = 10.0
BILATERAL_PATTERNS = ("squat", "hinge", "bridge", "push", "hold", "press", "raise", "arm")
CUE = "Keep your weight even on both feet, belly button over the middle."


def visible(kin: Kinematics) -> bool:
    return frontal(kin)


def _relative_to_rep_start(series: np.ndarray, ctx: FaultContext) -> np.ndarray:
    out = np.full_like(series, np.nan)
    for r in ctx.reps:
        sl = slice(r.start_frame, r.end_frame + 1)
        ref = series[max(0, r.start_frame - 3): r.start_frame + 3]
        ref_v = np.nanmedian(ref) if np.isfinite(ref).any() else np.nan
        out[sl] = np.abs(series[sl] - ref_v)
    return out


def check(ctx: FaultContext) -> list[Finding]:
    kin = ctx.kin
    if "lateral_offset_hipw" not in kin.series:
        return []
    # the hip-over-feet offset only means "shift" when both feet stay planted; lunges and steps move the feet
    bilateral = ctx.ex.pattern in BILATERAL_PATTERNS or ctx.ex.id == "sit_to_stand"
    off = _relative_to_rep_start(kin["lateral_offset_hipw"], ctx) if bilateral else np.full(kin.n_frames, np.nan)
    lean = _relative_to_rep_start(kin["trunk_lateral_lean_deg"], ctx) if "trunk_lateral_lean_deg" in kin.series \
        else np.full(kin.n_frames, np.nan)
    parts = [
        Measure(measure_reps(ctx.reps, off, "max"), OFFSET_HIPW, off, "hip widths", "lateral_offset_hipw", 0.1),
        Measure(measure_reps(ctx.reps, lean, "max"), LEAN_DEG, lean, "deg", "trunk_lateral_lean_deg", 10.0),
    ]
    return flag_either(CODE, parts, cue=CUE)
