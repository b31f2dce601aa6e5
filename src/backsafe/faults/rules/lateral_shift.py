"""lateral_shift — the hips drift sideways over one foot, or the trunk leans sideways.

COACHING_RULES.md §5 S (front view): mid-hip offset from mid-ankle > 0.15 hip widths, or trunk lateral lean
> 10°. Both are measured relative to the person's own standing position at the start of each rep, so a camera
that is slightly off-centre does not read as a shift.
"""

from __future__ import annotations

import numpy as np

from ...model import Finding, Kinematics
from ..base import FaultContext, RepMeasure, make_findings, measure_reps
from ._views import frontal

CODE = "lateral_shift"
NEEDS = "a front view or 3D keypoints"
OFFSET_HIPW = 0.15
LEAN_DEG = 10.0
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
    off = _relative_to_rep_start(kin["lateral_offset_hipw"], ctx)
    lean = _relative_to_rep_start(kin["trunk_lateral_lean_deg"], ctx) if "trunk_lateral_lean_deg" in kin.series \
        else np.full(kin.n_frames, np.nan)
    m_off = measure_reps(ctx.reps, off, "max")
    m_lean = measure_reps(ctx.reps, lean, "max")
    # report whichever of the two is further over its threshold, in its own unit
    findings_off = make_findings(CODE, m_off, [m.value > OFFSET_HIPW for m in m_off], [OFFSET_HIPW] * len(m_off),
                                 off, unit="hip widths", cue=CUE, signal="lateral_offset_hipw", step=0.1)
    reps_off = {f.rep for f in findings_off}
    lean_only: list[RepMeasure] = [m for m in m_lean if m.rep.index not in reps_off]
    cand = [bool(np.isfinite(m.value) and m.value > LEAN_DEG) for m in m_lean]
    findings_lean = [f for f in make_findings(CODE, m_lean, cand, [LEAN_DEG] * len(m_lean), lean, unit="deg",
                                              cue=CUE, signal="trunk_lateral_lean_deg", step=10.0)
                     if f.rep in {m.rep.index for m in lean_only}]
    return findings_off + findings_lean
