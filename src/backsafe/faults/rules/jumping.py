"""jumping — both feet leave the ground (a flight phase): high-impact work to avoid while recovering.

COACHING_RULES.md §5 J: both ankles > 3 % of stature above the standing baseline for ≥ 2 frames. The baseline is
local (the level the feet stood at just before take-off and just after landing, :func:`flight_height`) so that
walking towards the camera, a slow camera drift or a lunge's lower stance is not read as a jump; a flight must
also come back down within 1.5 s. It runs in every exercise meant to keep contact with the
ground (its ``faults`` list in data/exercises.json; a squat with a hop is a jump squat). In a jumping exercise
(``jump_expected``) the flight is the exercise, not a fault: the rule stays silent there and the coach names the
exercise as high impact while recovering.

A flight is also checked against physics, because foot keypoints jump by themselves (plates hiding the feet in a
deadlift, a plank's feet, a fade to an end card gave "jumps" on every clean real clip of ../shared/datasets/clips):
- the take-off and the landing are seen (the feet are tracked on the frames either side);
- the whole body goes up and comes down: the hips rise, from take-off to the feet's highest frame, and fall again
  by landing, each by at least half as much as the feet (in a jump the body is carried up and down with the
  feet; a foot keypoint sliding up a shin, or ankles that lift as a person stands up, are not);
- it lasts no longer than a ballistic flight to its height (t = 2·sqrt(2h/g)) plus 2 frames: a foot that stays
  "up" longer than gravity allows is a tracking error, not a flight.
The real jumping jacks of the Sports2D demo (8-10 frame flights at 5-7 % of stature, hips rising with the feet)
pass all three.
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import percentile_filter

from ...exercises import get_exercise
from ...kinematics.geometry import true_runs
from ...model import Finding, Kinematics, Rep
from ..rule import Rule
from ..base import FaultContext, RepMeasure, make_findings
from ._views import any_view

CODE = "jumping"
NEEDS = "any view with the feet in frame"
FLIGHT_REL = 0.03
MIN_FRAMES = 2
MAX_FLIGHT_S = 1.5
G = 9.81
ASSUMED_STATURE_M = 1.7  # when the keypoints have no metric scale (2D): only used to bound a flight's duration
HIP_RISE_SHARE = 0.5  # the hips rise at least half as much as the feet during a flight
SEEN_FRAMES = 2  # frames before take-off and after landing that must be tracked
LANDING_S = 0.25  # the hips come down within this time after the feet touch down (knees absorb the landing)
BASELINE_WINDOW_S = 4.0
#: the ground is a low percentile of the feet height over the window, not its minimum: the minimum of noisy
#: keypoints sits ~2.5 SD below the standing level and would lower the 3 % threshold by that much
GROUND_PERCENTILE = 10
TAKEOFF_S = 0.35  # the ground is seen within this time before take-off and after landing


def visible(kin: Kinematics) -> bool:
    return any_view(kin) and "feet_height_rel" in kin.series


def flight_height(kin: Kinematics) -> np.ndarray:
    """Height of the lower foot above the level it stood at around that moment, in statures (NaN where unknown).

    The standing level at frame t is the higher of the lowest foot height in the ``TAKEOFF_S`` before t and in the
    ``TAKEOFF_S`` after it: a flight leaves from the ground and comes back to it within that time on both sides
    (a 12 cm hop rises for 0.16 s), while a foot that steps up and stays there (a step, a bumped camera) has a high
    level after it, and a slow drift moves little within the window. It is never below the set's ground (a low
    percentile over ``BASELINE_WINDOW_S``), so that a dip of a noisy keypoint does not lift the frames around it.
    The level is the one the person stands at, not the lowest foot of a lunge's whole set."""
    feet = kin["feet_height_rel"]
    ok = np.isfinite(feet)
    if not ok.any():
        return feet
    filled = np.where(ok, feet, np.nanmax(feet))
    fps = kin.fps or 30.0
    w = max(3, int(BASELINE_WINDOW_S * fps))
    ground = percentile_filter(filled, GROUND_PERCENTILE, size=w, mode="nearest")
    k = max(2, int(round(TAKEOFF_S * fps)))
    pad = np.concatenate([np.full(k, filled[0]), filled, np.full(k, filled[-1])])
    win = np.lib.stride_tricks.sliding_window_view(pad, k + 1)  # win[i] = pad[i : i + k + 1]
    before = win[: filled.size].min(axis=1)  # frames t-k .. t
    after = win[k: k + filled.size].min(axis=1)  # frames t .. t+k
    level = np.fmax(np.fmax(before, after), ground)
    return np.where(ok, feet - level, np.nan)


def flights(kin: Kinematics) -> list[tuple[int, int]]:
    """Frame spans (inclusive) of flight phases."""
    h = flight_height(kin)
    up = np.nan_to_num(h, nan=0.0) > FLIGHT_REL
    out = []
    fps = kin.fps or 30.0
    max_frames = int(MAX_FLIGHT_S * fps)
    for a, b in true_runs(up):
        if MIN_FRAMES <= b - a <= max_frames and _physical(kin, h, a, b - 1, fps):
            out.append((a, b - 1))
    return out


def _physical(kin: Kinematics, h: np.ndarray, a: int, b: int, fps: float) -> bool:
    """Whether the flight a..b (inclusive) looks like a body in the air (see the module docstring)."""
    n = h.size
    before, after = h[max(0, a - SEEN_FRAMES): a], h[b + 1: b + 1 + SEEN_FRAMES]
    if before.size < SEEN_FRAMES or after.size < SEEN_FRAMES or not (np.isfinite(before).all()
                                                                     and np.isfinite(after).all()):
        return False
    k = a + int(np.nanargmax(h[a: b + 1]))
    peak = float(h[k])
    hip = kin.series.get("hip_height_rel")
    # take-off: the lowest foot frame in the TAKEOFF_S before the flight crossed the threshold (at 100 Hz the
    # frame before the crossing is already well off the ground)
    lo = max(0, a - max(1, int(round(TAKEOFF_S * fps))))
    t0 = lo + int(np.nanargmin(h[lo: a])) if a > lo and np.isfinite(h[lo: a]).any() else a - 1
    if hip is not None and t0 >= 0 and np.isfinite(hip[t0]) and np.isfinite(hip[k]):
        if hip[k] - hip[t0] < HIP_RISE_SHARE * peak:
            return False
        # ...and come down with them: standing up out of a squat lifts the hips a lot and, in depth-camera
        # skeletons, the ankles a little, but the hips do not come back down at the "landing"
        land = hip[b + 1: b + 1 + max(SEEN_FRAMES, int(round(LANDING_S * fps)))]
        top = np.nanmax(hip[a: b + 1])
        if not np.isfinite(land).any() or top - np.nanmin(land) < HIP_RISE_SHARE * peak:
            return False
    stature_m = kin.stature if kin.length_unit == "m" and kin.stature else ASSUMED_STATURE_M
    ballistic_s = 2.0 * np.sqrt(2.0 * max(peak, 0.0) * stature_m / G)
    return (b - a + 1) <= ballistic_s * fps + 2 and b < n


def _rep_for(frame: int, reps: list[Rep]) -> Rep | None:
    for r in reps:
        if r.start_frame <= frame <= r.end_frame:
            return r
    return min(reps, key=lambda r: min(abs(frame - r.start_frame), abs(frame - r.end_frame)), default=None)


def check(ctx: FaultContext) -> list[Finding]:
    if ctx.ex.jump_expected:
        return []
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


RULE = Rule(code=CODE, needs=NEEDS, run=check, visible=visible)
