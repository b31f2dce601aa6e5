"""jumping — both feet leave the ground (a flight phase): high-impact work to avoid while recovering.

COACHING_RULES.md §5 J: both ankles > 3 % of stature above the standing baseline for ≥ 2 frames. The baseline is
local (a rolling 10th percentile over ±2 s) so that walking towards the camera or a slow camera drift is not read as
a jump; a flight must also come back down within 1.5 s.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import percentile_filter

from ...exercises import get_exercise
from ...model import Finding, Kinematics, Rep
from ..base import FaultContext, RepMeasure, make_findings
from ._views import any_view

CODE = "jumping"
NEEDS = "any view with the feet in frame"
FLIGHT_REL = 0.03
MIN_FRAMES = 2
MAX_FLIGHT_S = 1.5
BASELINE_WINDOW_S = 4.0
#: the ground is a low percentile of the feet height over the window, not its minimum: the minimum of noisy
#: keypoints sits ~2.5 SD below the standing level and would lower the 3 % threshold by that much
GROUND_PERCENTILE = 10


def visible(kin: Kinematics) -> bool:
    return any_view(kin) and "feet_height_rel" in kin.series


def flight_height(kin: Kinematics) -> np.ndarray:
    """Height of the lower foot above the local ground level, in statures (NaN where unknown)."""
    feet = kin["feet_height_rel"]
    ok = np.isfinite(feet)
    if not ok.any():
        return feet
    filled = np.where(ok, feet, np.nanmax(feet))
    w = max(3, int(BASELINE_WINDOW_S * (kin.fps or 30.0)))
    ground = percentile_filter(filled, GROUND_PERCENTILE, size=w, mode="nearest")
    return np.where(ok, feet - ground, np.nan)


def flights(kin: Kinematics) -> list[tuple[int, int]]:
    """Frame spans (inclusive) of flight phases."""
    h = flight_height(kin)
    up = np.nan_to_num(h, nan=0.0) > FLIGHT_REL
    edges = np.flatnonzero(np.diff(np.concatenate(([0], up.astype(np.int8), [0]))))
    out = []
    max_frames = int(MAX_FLIGHT_S * (kin.fps or 30.0))
    for a, b in zip(edges[::2], edges[1::2]):
        if MIN_FRAMES <= b - a <= max_frames:
            out.append((int(a), int(b - 1)))
    return out


def _rep_for(frame: int, reps: list[Rep]) -> Rep | None:
    for r in reps:
        if r.start_frame <= frame <= r.end_frame:
            return r
    return min(reps, key=lambda r: min(abs(frame - r.start_frame), abs(frame - r.end_frame)), default=None)


def check(ctx: FaultContext) -> list[Finding]:
    spans = flights(ctx.kin)
    if not spans or not ctx.reps:
        return []
    h = flight_height(ctx.kin)
    alt = ctx.ex.while_recovering
    instead = get_exercise(alt).name.lower() if alt else "a version with both feet on the ground"
    cue = f"Keep both feet on the ground while your back recovers: swap the jump for {instead}, 3 seconds down."
    by_rep: dict[int, tuple[Rep, float, int]] = {}
    for a, b in spans:
        r = _rep_for((a + b) // 2, ctx.reps)
        if r is None:
            continue
        k = a + int(np.nanargmax(h[a : b + 1]))
        peak = float(h[k])
        # robustness fix (issue 9, property tests): a flight between reps is charged to the nearest rep; its
        # frames are clamped into that rep so that a finding always lies inside its rep
        k = min(max(k, r.start_frame), r.end_frame)
        if r.index not in by_rep or peak > by_rep[r.index][1]:
            by_rep[r.index] = (r, peak, k)
    measures = [RepMeasure(r, v, k) for r, v, k in by_rep.values()]
    # any flight phase counts (no persistence): one jump is already high-impact work
    findings = make_findings(CODE, measures, [True] * len(measures), [FLIGHT_REL] * len(measures), h,
                             unit="stature", cue=cue, signal="feet_height_rel", step=0.05)
    return findings
