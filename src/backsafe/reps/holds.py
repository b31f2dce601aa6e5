"""Holds (plank, side plank, ...): the span held in position, its steady part, the time held, and a hold (or a
clip without any repetition) reported as one pseudo-rep so that its faults have a place in the report."""

from __future__ import annotations

import numpy as np

from ..exercises import Exercise
from ..model import Kinematics, Rep, Tempo

__all__ = ["MIN_STEADY_S", "STEADY_SPEED_TORSO_S", "STEADY_WINDOW_S", "hold_as_rep", "hold_span", "hold_time",
           "steady_hold_span", "whole_clip_rep"]


def hold_span(kin: Kinematics, ex: Exercise) -> tuple[int, int] | None:
    """Frames (start, end inclusive) of the longest stretch held in position, gaps under 1 s bridged.

    Plank-like holds: trunk within 35° of horizontal (|inclination| > 55°); side plank: lateral lean.
    """
    if ex.kind != "hold" or kin.n_frames == 0:
        return None
    key = "trunk_lateral_lean_deg" if ex.id == "side_plank" and "trunk_lateral_lean_deg" in kin.series \
        else "trunk_inclination_deg"
    incl = np.abs(kin[key])
    in_pos = np.isfinite(incl) & (incl > 55.0)
    if not in_pos.any():
        return None
    t = kin.timestamps_s
    best: tuple[int, int] | None = None
    start = None
    last_ok = None
    for i, ok in enumerate(in_pos):
        if ok:
            if start is None or (last_ok is not None and t[i] - t[last_ok] > 1.0):
                start = i
            last_ok = i
            if best is None or t[i] - t[start] > t[best[1]] - t[best[0]]:
                best = (start, i)
    return best


#: a hold is steady while the mid-hip and mid-shoulder heights move slower than this, in torso lengths per second
#: over a 0.5 s window [H]: getting down into a plank drops the hips ~1-2 torso lengths within a second, a held
#: plank drifts a few hundredths of a torso per second (keypoint jitter included)
STEADY_SPEED_TORSO_S = 0.15
#: smoothing window of the heights before their speed is taken, and the longest unsteady gap still bridged (s)
STEADY_WINDOW_S = 0.5
#: a steady stretch shorter than this is no hold to judge on its own: the whole time in position is judged [H]
MIN_STEADY_S = 1.0


def steady_hold_span(kin: Kinematics, ex: Exercise, span: tuple[int, int] | None = None) -> tuple[int, int] | None:
    """Frames (start, end inclusive) of the longest steady stretch of a hold inside ``span`` (default
    :func:`hold_span`): body in position (as :func:`hold_span`) and the mid-hip and mid-shoulder heights still
    (speed under :data:`STEADY_SPEED_TORSO_S`). Getting into position, and whatever follows the hold, are not
    the hold and are left out, so the hold's faults are judged on the hold alone. None when there is no steady
    stretch of at least :data:`MIN_STEADY_S` (or no height signal): then the whole span is the hold."""
    if span is None:
        span = hold_span(kin, ex)
    if span is None or ex.kind != "hold":
        return None
    a, b = span
    names = [n for n in ("hip_height_torso", "shoulder_height_torso") if n in kin.series]
    if not names:
        return None
    fps = kin.fps if kin.fps and kin.fps > 0 else 30.0
    w = max(1, int(round(STEADY_WINDOW_S * fps)))
    steady = np.ones(b - a + 1, dtype=bool)
    for n in names:
        h = np.asarray(kin.series[n][a: b + 1], dtype=np.float64)
        ok = np.isfinite(h)
        if ok.sum() < 2:
            return None
        idx = np.arange(h.size)
        filled = np.interp(idx, idx[ok], h[ok])
        smooth = np.convolve(filled, np.ones(w) / w, mode="same")
        # speed over one window, centred: |h(i + w/2) - h(i - w/2)| / window
        lo = np.clip(idx - w // 2, 0, h.size - 1)
        hi = np.clip(idx + w // 2, 0, h.size - 1)
        dt = np.maximum(hi - lo, 1) / fps
        speed = np.abs(smooth[hi] - smooth[lo]) / dt
        steady &= ok & (speed < STEADY_SPEED_TORSO_S)
    trunk = kin.series.get("trunk_inclination_deg")
    if trunk is not None and ex.id != "side_plank":
        with np.errstate(invalid="ignore"):
            steady &= np.abs(trunk[a: b + 1]) > 55.0  # body roughly horizontal, as hold_span
    best: tuple[int, int] | None = None
    start: int | None = None
    last: int | None = None
    for i in (int(x) for x in np.flatnonzero(steady)):
        if start is None or last is None or i - last > w:
            start = i
        last = i
        if best is None or i - start > best[1] - best[0]:
            best = (start, i)
    if best is None:
        return None
    # the centred window blurs each edge of the stretch by half a window: those frames are already moving
    lo_k, hi_k = best[0] + (w // 2 if best[0] > 0 else 0), best[1] - (w // 2 if best[1] < b - a else 0)
    if (hi_k - lo_k + 1) / fps < MIN_STEADY_S:
        return None
    return a + lo_k, a + hi_k


def hold_time(kin: Kinematics, ex: Exercise) -> float | None:
    """Seconds held in position (see :func:`hold_span`); None for exercises that are not holds."""
    if ex.kind != "hold":
        return None
    span = hold_span(kin, ex)
    if span is None:
        return 0.0
    dt = 1.0 / kin.fps if kin.fps else 0.0
    return round(float(kin.timestamps_s[span[1]] - kin.timestamps_s[span[0]] + dt), 2)


def hold_as_rep(kin: Kinematics, ex: Exercise) -> list[Rep]:
    """A hold reported as one "rep" spanning it, so that faults during the hold have a place in the report."""
    span = hold_span(kin, ex)
    if span is None:
        return []
    a, b = span
    t = kin.timestamps_s
    return [Rep(index=1, start_frame=a, turn_frame=(a + b) // 2, end_frame=b, start_s=float(t[a]),
                end_s=float(t[b]), tempo=Tempo(0.0, float(t[b] - t[a]), 0.0, 0.0), phase_frames={"hold": (a, b)})]


def whole_clip_rep(kin: Kinematics) -> list[Rep]:
    """When no repetition is found, one partial pseudo-rep spanning the tracked part of the clip, so that posture
    faults (a sagging back, a lean-back) are still judged and reported; tempo and range are not."""
    ok = np.flatnonzero(np.isfinite(kin["trunk_inclination_deg"])) if "trunk_inclination_deg" in kin.series \
        else np.arange(kin.n_frames)
    if ok.size < 2:
        return []
    a, b = int(ok[0]), int(ok[-1])
    t = kin.timestamps_s
    return [Rep(index=1, start_frame=a, turn_frame=(a + b) // 2, end_frame=b, start_s=float(t[a]), end_s=float(t[b]),
                tempo=Tempo(0.0, 0.0, 0.0, 0.0), range_fraction=0.0, partial=True, phase_frames={"whole": (a, b)})]
