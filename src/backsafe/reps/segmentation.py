"""Repetition segmentation from an exercise's primary signal.

Designed against the ways popular counters fail on real clips:

- **fixed joint-angle thresholds** that a seated or foreshortened movement never crosses → every threshold is
  relative to this clip's own rest level and typical rep amplitude;
- **one fixed body side** → both sides are averaged (NaN-aware) in the kinematics, and in front or oblique views a
  view-aware signal (hip height) is fused with the knee angle that the view foreshortens;
- **jitter crossing a threshold twice** → hysteresis (leave the rest zone above 50 % of the amplitude, return
  below 20 %) on a zero-phase-filtered signal, and a minimum rep duration;
- **a tracker that loses the person** → gaps are NaN, never zeros; an excursion broken by a long gap is not
  stitched into a rep, and reps at the clip's edges that never left or returned to rest are marked partial.

The signal counted on is chosen and normalised in :mod:`.signal`, each rep's tempo measured in :mod:`.tempo`;
holds are in :mod:`.holds`.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import find_peaks

from ..exercises import Exercise
from ..model import Kinematics, Rep
from .holds import hold_as_rep, hold_span, hold_time, steady_hold_span, whole_clip_rep
from .signal import MIN_AMPLITUDE, FloatArray, RepSignal, choose_signal, rep_signal, view_signal, with_body_signals
from .tempo import measure_tempo

# the signal reps are counted on (.signal) and holds (.holds) have their own modules; their names stay importable
# from here for the callers that counted on them being here
__all__ = ["MIN_AMPLITUDE", "RepSignal", "choose_signal", "hold_as_rep", "hold_span", "hold_time", "rep_signal",
           "segment_reps", "steady_hold_span", "view_signal", "whole_clip_rep", "with_body_signals"]

#: hysteresis on the signal normalised to the typical rep amplitude (0 = rest, 1 = typical turnaround)
ENTER = 0.5
LEAVE = 0.2
#: an excursion whose peak reaches this share of the typical amplitude is a full rep; above PARTIAL_MIN partial
FULL_MIN = 0.5
PARTIAL_MIN = 0.3
MIN_REP_S = 0.4
#: a tracking gap up to this long inside a rep does not split or end it
MAX_BRIDGE_S = 2.0
#: two turnarounds inside one excursion are two reps only when the dip between them is this deep
SPLIT_PROMINENCE = 0.35


def _excursions(
    x: FloatArray, enter: float, leave: float, bridge: int = 0, hard: tuple[int, ...] = ()
) -> list[tuple[int, int, bool, bool]]:
    """Intervals where x rises above ``enter`` and is bounded by falls below ``leave`` (hysteresis).

    Returns (start, end_exclusive, started_at_rest, ended_at_rest). A run of NaN (the tracker lost the person)
    up to ``bridge`` samples long does not end an excursion when the signal on its far side is still away from
    rest: a rep whose lockout was out of frame is still a rep. A longer gap, or the clip's edge, ends it
    without a return to rest.
    """
    out: list[tuple[int, int, bool, bool]] = []
    n = x.size
    finite = np.isfinite(x)
    is_break = np.zeros(n + 1, dtype=bool)
    is_break[[b for b in hard if 0 < b < n]] = True

    def next_finite(k: int) -> int | None:
        j = k
        while j < n and not finite[j]:
            j += 1
        return j if j < n and j - k <= bridge else None

    i = 0
    while i < n:
        if not (finite[i] and x[i] > enter):
            i += 1
            continue
        # walk back to where the signal left the rest zone
        s = i
        while s > 0 and finite[s - 1] and x[s - 1] > leave and not is_break[s]:
            s -= 1
        started = s > 0 and bool(finite[s - 1]) and not is_break[s]
        e = i
        ended = False
        while e < n:
            if e > i and is_break[e]:
                break  # another person from here on: the rep did not come back to rest in view
            if not finite[e]:
                j = next_finite(e)
                if j is None:
                    break
                e = j
                continue
            if x[e] <= leave:
                ended = True
                break
            e += 1
        if out and s < out[-1][1]:
            s = out[-1][1]
        out.append((s, e, started, ended))
        i = e + 1
    return out


def _extend_to_rest(
    x: FloatArray, a: int, b: int, breaks: tuple[int, ...] = (), min_step: float = 0.0
) -> tuple[int, int]:
    """Widen a rep from the hysteresis crossings to where the movement really starts and ends.

    Walk outwards while the signal keeps moving towards rest faster than the pause speed (``min_step`` per
    frame, §7: |dθ/dt| < 10°/s is a pause), so the slow first and last part of each phase counts in the tempo
    but the time standing still does not. Never crosses a track switch.
    """
    n = x.size
    lo = max([k for k in breaks if k <= a], default=0)
    hi = min([k for k in breaks if k >= b], default=n)
    while a > lo and np.isfinite(x[a - 1]) and x[a] - x[a - 1] > min_step:
        a -= 1
    while b < hi and np.isfinite(x[b]) and x[b - 1] - x[b] > min_step:
        b += 1
    return a, b


def _split(x: FloatArray, s: int, e: int, min_gap: int) -> list[tuple[int, int]]:
    """Split one excursion at deep dips between turnarounds (touch-and-go reps that skip the rest zone)."""
    seg = x[s:e].copy()
    ok = np.isfinite(seg)
    if not ok.any():
        return [(s, e)]
    # a bridged tracking gap is not a dip back to rest: interpolate across it
    seg[~ok] = np.interp(np.flatnonzero(~ok), np.flatnonzero(ok), seg[ok])
    peaks, _ = find_peaks(seg, prominence=SPLIT_PROMINENCE, distance=max(1, min_gap))
    if peaks.size <= 1:
        return [(s, e)]
    cuts = [s + int(p0 + np.argmin(seg[p0:p1])) for p0, p1 in zip(peaks[:-1], peaks[1:])]
    bounds = [s, *cuts, e]
    return [(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]


def turn_of(x: FloatArray, a: int, b: int) -> int:
    """The turnaround frame of the span [a, b): where the normalised signal is furthest from rest."""
    return a + int(np.nanargmax(x[a:b]))


def _seen_below_enter(x: FloatArray, a: int, b: int, *, first: bool) -> bool:
    """Whether the signal's first (or last) seen value in [a, b) is below ENTER: the camera saw the rep pass
    mid-range on that side of its turnaround."""
    seg = x[a:b]
    ok = np.flatnonzero(np.isfinite(seg))
    if ok.size == 0:
        return False
    return bool(seg[ok[0] if first else ok[-1]] < ENTER)


def segment_reps(kin: Kinematics, ex: Exercise) -> list[Rep]:
    """Find the repetitions of ``ex`` in ``kin``; holds and continuous exercises have none.

    Returns reps in time order, numbered from 1. ``partial`` marks reps that reached only part of the typical
    amplitude, or were cut by the clip's start or end (the set started mid-clip).
    """
    if ex.kind != "reps" or ex.primary_signal is None or kin.n_frames < 3:
        return []
    sig = rep_signal(kin, ex)
    if sig is None:
        return []
    fps = kin.fps or 30.0
    min_len = int(round(MIN_REP_S * fps))
    t = kin.timestamps_s
    x = sig.x
    reps: list[Rep] = []
    bridge = int(round(MAX_BRIDGE_S * fps))
    # the §7 pause speed (10°/s; 10 % of the amplitude per second for other units) per frame, in x units
    pause_step = (10.0 / sig.amplitude if sig.unit == "deg" else 0.1) / fps
    for s, e, started, ended in _excursions(x, PARTIAL_MIN, LEAVE, bridge, kin.track_breaks):
        for a, b in _split(x, s, e, min_len):
            if b - a < min_len:
                continue
            a, b = _extend_to_rest(x, a, b, kin.track_breaks, pause_step)
            # robustness fix (issue 9, property tests): the previous rep, widened to the dip's lowest frame, can
            # end one frame after this one starts; reps may touch but never overlap
            if reps and a < reps[-1].end_frame:
                a = reps[-1].end_frame
                if b - a < 2:
                    continue
            seg_ok = np.isfinite(x[a:b])
            peak = float(np.max(x[a:b][seg_ok])) if seg_ok.any() else float("nan")
            if not peak >= PARTIAL_MIN:  # NaN too (an all-NaN span made nanargmax raise; robustness fix, issue 9)
                continue
            # cut by the clip's edge: only when the rep's middle is out of view there. A rep first seen below
            # half its typical amplitude (ENTER) on the way up, or last seen below it on the way down, showed its
            # turnaround and its way through mid-range: it is a whole rep whose very start (or end) the camera
            # missed (the Sports2D jumper is found 0.4 s in, arms at 70° of 170°: a human counts that jack)
            edge_cut = (a == s and not started and not _seen_below_enter(x, a, turn_of(x, a, b), first=True)) or \
                (b == e and not ended and not _seen_below_enter(x, turn_of(x, a, b), b, first=False))
            partial = peak < FULL_MIN or edge_cut
            turn = turn_of(x, a, b)
            end = min(b, kin.n_frames - 1)
            tempo, phases = measure_tempo(t, sig, a, turn, end, ex)
            reps.append(
                Rep(
                    index=len(reps) + 1,
                    start_frame=int(a),
                    turn_frame=int(turn),
                    end_frame=int(end),
                    start_s=float(t[a]),
                    end_s=float(t[end]),
                    tempo=tempo,
                    range_fraction=round(peak, 3),
                    partial=bool(partial),
                    phase_frames=phases,
                )
            )
    return _with_rest_pauses(reps, t, ex)


def _with_rest_pauses(reps: list[Rep], t: FloatArray, ex: Exercise) -> list[Rep]:
    """The rest-end pause of a rep is the time at rest before the next rep starts (capped at 5 s; 0 for the last).

    It is the "top" pause of a squat (rest standing) and the "bottom" pause of a curl (rest arm down).
    """
    from dataclasses import replace

    out: list[Rep] = []
    for i, r in enumerate(reps):
        rest_s = 0.0
        if i + 1 < len(reps):
            rest_s = min(max(float(t[reps[i + 1].start_frame] - t[r.end_frame]), 0.0), 5.0)
        if ex.first_phase == "concentric":
            tempo = replace(r.tempo, bottom_s=rest_s)
        else:
            tempo = replace(r.tempo, top_s=rest_s)
        out.append(replace(r, tempo=tempo))
    return out
