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
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.signal import find_peaks

from ..exercises import Exercise
from ..kinematics.angles import PRIMARY_SERIES
from ..model import Kinematics, PoseSequence, Rep
from .tempo import measure_tempo

FloatArray = npt.NDArray[np.float64]

#: hysteresis on the signal normalised to the typical rep amplitude (0 = rest, 1 = typical turnaround)
ENTER = 0.5
LEAVE = 0.2
#: an excursion whose peak reaches this share of the typical amplitude is a full rep; above PARTIAL_MIN partial
FULL_MIN = 0.5
PARTIAL_MIN = 0.3
#: the smallest amplitude that is movement rather than noise: 2D angle error is 5-15° (COACHING_RULES §5,
#: Thiele 2024), so a 15° swing is the floor; 4 % of stature for heights
MIN_AMPLITUDE = {"deg": 15.0, "stature": 0.04, "hip widths": 0.15, "torso lengths": 0.04, "torso": 0.1}
MIN_REP_S = 0.4
#: a tracking gap up to this long inside a rep does not split or end it
MAX_BRIDGE_S = 2.0
#: two turnarounds inside one excursion are two reps only when the dip between them is this deep
SPLIT_PROMINENCE = 0.35


@dataclass(frozen=True, slots=True)
class RepSignal:
    """The signal reps were counted on: values, its name, and the normalisation used."""

    name: str
    values: FloatArray  # in the series' own unit
    x: FloatArray  # 0 = rest, 1 = typical full rep
    rest: float
    amplitude: float
    unit: str


def _zscore_toward(values: FloatArray, rest_high: bool) -> FloatArray:
    v = -values if rest_high else values
    lo, hi = np.nanpercentile(v, [5, 95]) if np.isfinite(v).any() else (0.0, 1.0)
    rng = hi - lo if hi > lo else 1.0
    return (v - lo) / rng


#: view-independent heights (up positive) in torso lengths, added to the kinematics by :func:`with_body_signals`:
#: the mid-hip (camera-fixed: no feet or stature needed, so a clip whose feet leave the frame still has it), the
#: wrists above the shoulders, and the mid-shoulder
BODY_SIGNALS = ("hip_height_torso", "wrist_height_torso", "shoulder_height_torso")

#: signals that carry the same repetition when the exercise's own one cannot (COACHING_RULES §5: count on what is
#: visible): (series, True when it rests at the opposite end of the primary signal). A squat lowers the hips and
#: tips the trunk; a raise or press lifts the wrists above their hanging height in any view (the arm angle of a
#: lateral raise filmed from the side is foreshortened to a few degrees); a push-up lowers the shoulders.
ALTERNATES: dict[str, tuple[tuple[str, bool], ...]] = {
    "knee_flexion": (("hip_flexion_deg", False), ("hip_height_torso", True), ("trunk_inclination_deg", False)),
    "hip_flexion": (("trunk_inclination_deg", False), ("hip_height_torso", True)),
    "shoulder_elevation": (("wrist_height_torso", False),),
    "elbow_flexion": (("shoulder_height_torso", True),),
}
#: a primary signal seen on fewer tracked frames than this share (ankles out of frame) is replaced
MIN_COVERAGE = 0.6
#: an angle signal whose typical rep is smaller than this in 2D is foreshortened (a squat bends the knee ≥ 60°, a
#: raise lifts the arm ≥ 60°, a curl or push-up bends the elbow ≥ 60°; seen at ≤ 35° the movement is mostly
#: toward the camera): an alternate that shows a clearly larger movement, relative to its own noise floor, wins
FORESHORTENED_DEG = 35.0


def with_body_signals(kin: Kinematics, pose: PoseSequence) -> Kinematics:
    """``kin`` plus :data:`BODY_SIGNALS`, from the cleaned keypoints: heights (up positive) of the mid-hip, the
    wrists above the shoulders and the mid-shoulder, in torso lengths (the 90th percentile torso: foreshortening
    only shortens it). Camera-fixed, so they hold while the camera holds still."""
    from dataclasses import replace

    from ..skeleton import JOINT_INDEX

    p = pose.data[..., :3].astype(np.float64)
    up = p[..., 1] if pose.space == "world" else -p[..., 1]

    def mid(a: str, b: str) -> FloatArray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=RuntimeWarning)
            return np.asarray(np.nanmean(np.stack([up[:, JOINT_INDEX[a]], up[:, JOINT_INDEX[b]]]), axis=0))

    def mid_xyz(a: str, b: str) -> FloatArray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=RuntimeWarning)
            return np.asarray(np.nanmean(np.stack([p[:, JOINT_INDEX[a]], p[:, JOINT_INDEX[b]]]), axis=0))

    if pose.space == "world":
        torso = np.linalg.norm(mid_xyz("left_shoulder", "right_shoulder") - mid_xyz("left_hip", "right_hip"), axis=1)
    else:
        torso = np.linalg.norm((mid_xyz("left_shoulder", "right_shoulder") - mid_xyz("left_hip", "right_hip"))[:, :2],
                               axis=1)
    if not np.isfinite(torso).any():
        return kin
    ref = float(np.nanpercentile(torso, 90))
    if not ref > 0:
        return kin
    sh = mid("left_shoulder", "right_shoulder")
    series = dict(kin.series)
    units = dict(kin.units)
    series["hip_height_torso"] = mid("left_hip", "right_hip") / ref
    series["wrist_height_torso"] = (mid("left_wrist", "right_wrist") - sh) / ref
    series["shoulder_height_torso"] = sh / ref
    if pose.space != "world":
        # the upper arm's apparent length against its longest: well below 1 where it points at the camera
        arm = np.linalg.norm((mid_xyz("left_elbow", "right_elbow") - mid_xyz("left_shoulder", "right_shoulder"))[:, :2],
                             axis=1)
        if np.isfinite(arm).any() and np.nanpercentile(arm, 95) > 0:
            series["upper_arm_apparent"] = arm / float(np.nanpercentile(arm, 95))
            units["upper_arm_apparent"] = "ratio"
        # the same for the forearm (faults/rules/partial_range.py: a curl's 2D elbow angle is only true to size
        # while the forearm lies in the image plane)
        fore = np.linalg.norm((mid_xyz("left_wrist", "right_wrist") - mid_xyz("left_elbow", "right_elbow"))[:, :2],
                              axis=1)
        if np.isfinite(fore).any() and np.nanpercentile(fore, 95) > 0:
            series["forearm_apparent"] = fore / float(np.nanpercentile(fore, 95))
            units["forearm_apparent"] = "ratio"
    for name in BODY_SIGNALS:
        units[name] = "torso"  # heights in torso lengths; floor 0.1 (≈ 3 % of stature, MIN_AMPLITUDE)
    return replace(kin, series=series, units=units)


def _coverage(kin: Kinematics, values: FloatArray) -> float:
    """Share of the frames where the person is tracked (trunk visible) on which ``values`` is measured."""
    tracked = np.isfinite(kin.series.get("trunk_inclination_deg", values))
    n = int(tracked.sum())
    return float(np.isfinite(values[tracked]).sum() / n) if n else 0.0


def choose_signal(kin: Kinematics, ex: Exercise) -> tuple[str, FloatArray, str, bool]:
    """(name, values, unit, rest_high) of the signal to count on: :func:`view_signal` of the exercise's own
    signal, unless it is missing on much of the clip (cropped) or foreshortened to a small movement in 2D; then
    the first of :data:`ALTERNATES` that shows the movement clearly."""
    name, values, unit, rest_high = view_signal(kin, ex)
    assert ex.primary_signal is not None
    alternates = ALTERNATES.get(ex.primary_signal, ())
    if not alternates or ex.kind != "reps":
        return name, values, unit, rest_high
    cropped = _coverage(kin, values) < MIN_COVERAGE or _arm_at_camera(kin, ex)
    own = _amplitude(values, rest_high) if np.isfinite(values).any() else float("nan")
    small = (unit == "deg" and kin.dims == "2d" and not own >= FORESHORTENED_DEG) or not np.isfinite(own) or \
        own <= MIN_AMPLITUDE.get(unit, 0.0)
    if not (cropped or small):
        return name, values, unit, rest_high
    own_clear = own / MIN_AMPLITUDE[unit] if unit in MIN_AMPLITUDE and np.isfinite(own) else 0.0
    if cropped:
        own_clear = 0.0
    for alt, inverted in alternates:
        v = kin.series.get(alt)
        if v is None or _coverage(kin, v) < MIN_COVERAGE:
            continue
        alt_unit = kin.units.get(alt, "")
        alt_rest_high = rest_high != inverted
        amp = _amplitude(v, alt_rest_high)
        floor = MIN_AMPLITUDE.get(alt_unit, 0.0)
        # the alternate must clear its own noise floor by more than the primary clears its own (twice over
        # when the primary is merely small: it still carries the rep, just less clearly)
        if np.isfinite(amp) and floor > 0 and amp / floor > max(1.0, (2.0 if not cropped else 1.0) * own_clear):
            return alt, v, alt_unit, alt_rest_high
    return name, values, unit, rest_high


#: at the top of a raise the upper arm seen shorter than this share of its length points at the camera: its
#: angle in the image is then meaningless (it flips as the elbow passes the shoulder), not merely small
ARM_AT_CAMERA = 0.6


def _arm_at_camera(kin: Kinematics, ex: Exercise) -> bool:
    """A raise or press filmed along the arm's path (a lateral raise from the side, a front raise from the
    front): over the frames where the wrists are highest, the upper arm looks shorter than ARM_AT_CAMERA."""
    if ex.primary_signal != "shoulder_elevation" or kin.dims != "2d":
        return False
    arm, wrist = kin.series.get("upper_arm_apparent"), kin.series.get("wrist_height_torso")
    if arm is None or wrist is None or not np.isfinite(wrist).any():
        return False
    top = np.isfinite(wrist) & (wrist >= np.nanpercentile(wrist, 90)) & np.isfinite(arm)
    return bool(top.any() and float(np.median(arm[top])) < ARM_AT_CAMERA)


def _amplitude(v: FloatArray, rest_high: bool) -> float:
    """The typical rep amplitude of a signal (as :func:`rep_signal` normalises by)."""
    if not np.isfinite(v).any():
        return float("nan")
    rest_high = _rest_end_from_data(v, rest_high)
    rest = _rest_level(v, rest_high)
    d = (rest - v) if rest_high else (v - rest)
    return _typical_height(d)


def _typical_height(d: FloatArray) -> float:
    """The typical turnaround of a signal measured from its rest level: the median of the tall peaks, robust to a
    few big non-exercise movements (the 98th percentile when no peak stands out)."""
    peaks, _ = find_peaks(np.nan_to_num(d, nan=0.0), prominence=max(1e-9, 0.3 * np.nanpercentile(d, 98)))
    if peaks.size:
        heights = d[peaks]
        return float(np.median(heights[heights >= 0.5 * heights.max()]))
    return float(np.nanpercentile(d, 98))


def view_signal(kin: Kinematics, ex: Exercise) -> tuple[str, FloatArray, str, bool]:
    """(name, values, unit, rest_high) of the signal to count on, view-aware.

    Knee and hip flexion from the front are foreshortened in 2D; there the hip's vertical travel (in statures)
    is fused with the angle, each scaled to its own range, so either can carry the rep.
    """
    assert ex.primary_signal is not None
    name = PRIMARY_SERIES[ex.primary_signal]
    rest_high = ex.rest_end == "high"
    # robustness fix (issue 9, property tests): frontal series (knee_separation_hipw of the clamshell) exist only
    # in front/oblique views or 3D; from the side there is no signal to count on (no reps) instead of a KeyError
    values = kin.series.get(name)
    if values is None:
        values = np.full(kin.n_frames, np.nan)
    unit = kin.units.get(name, "")
    # hinges keep the hips high (a good morning barely moves them): only knee-driven movements are fused
    lower_body = ex.primary_signal == "knee_flexion" and ex.pattern in ("squat", "lunge", "single_leg")
    if kin.dims == "2d" and kin.view in ("front", "oblique") and lower_body and "hip_height_rel" in kin.series:
        a = _zscore_toward(values, rest_high)
        # hip height falls as flexion rises; rest at the top of the hip's travel for a low-rest exercise
        b = _zscore_toward(kin["hip_height_rel"], not rest_high)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=RuntimeWarning)
            fused = np.nanmean(np.stack([a, b]), axis=0)
        return f"{name}+hip_height_rel", fused, "fused", False
    return name, values, unit, rest_high


def _rest_end_from_data(v: FloatArray, rest_high: bool) -> bool:
    """Which end of its range the signal rests at. The exercise says where it usually rests (a squat stands, a
    sit-to-stand starts seated); when the clip both starts and ends clearly at the other end, trust the clip
    (UI-PRMD's sit-to-stand recordings start and end standing)."""
    ok = np.flatnonzero(np.isfinite(v))
    if ok.size < 10:
        return rest_high
    lo, hi = np.nanpercentile(v, [5, 95])
    if hi - lo <= 0:
        return rest_high
    k = max(1, ok.size // 10)
    first = (np.median(v[ok[:k]]) - lo) / (hi - lo)
    last = (np.median(v[ok[-k:]]) - lo) / (hi - lo)
    if rest_high and first < 0.3 and last < 0.3:
        return False
    if not rest_high and first > 0.7 and last > 0.7:
        return True
    return rest_high


def _rest_level(v: FloatArray, rest_high: bool) -> float:
    """The level the signal returns to between reps: a robust low (or high) percentile of the clip."""
    return float(np.nanpercentile(v, 95 if rest_high else 5))


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


def rep_signal(kin: Kinematics, ex: Exercise) -> RepSignal | None:
    """The normalised signal reps are counted on, or None when the clip shows no movement above noise."""
    name, v, unit, rest_high = choose_signal(kin, ex)
    if not np.isfinite(v).any():
        return None
    rest_high = _rest_end_from_data(v, rest_high)
    rest = _rest_level(v, rest_high)
    d = (rest - v) if rest_high else (v - rest)
    amplitude = _typical_height(d)
    floor = MIN_AMPLITUDE.get(unit, 0.0) if unit != "fused" else 0.3
    if not np.isfinite(amplitude) or amplitude <= floor:
        return None
    return RepSignal(name=name, values=v, x=d / amplitude, rest=rest, amplitude=amplitude, unit=unit)


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
            edge_cut = (a == s and not started) or (b == e and not ended)
            partial = peak < FULL_MIN or edge_cut
            turn = a + int(np.nanargmax(x[a:b]))
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
    from ..model import Tempo

    return [Rep(index=1, start_frame=a, turn_frame=(a + b) // 2, end_frame=b, start_s=float(t[a]),
                end_s=float(t[b]), tempo=Tempo(0.0, float(t[b] - t[a]), 0.0, 0.0), phase_frames={"hold": (a, b)})]


def whole_clip_rep(kin: Kinematics) -> list[Rep]:
    """When no repetition is found, one partial pseudo-rep spanning the tracked part of the clip, so that posture
    faults (a sagging back, a lean-back) are still judged and reported; tempo and range are not."""
    from ..model import Tempo

    ok = np.flatnonzero(np.isfinite(kin["trunk_inclination_deg"])) if "trunk_inclination_deg" in kin.series \
        else np.arange(kin.n_frames)
    if ok.size < 2:
        return []
    a, b = int(ok[0]), int(ok[-1])
    t = kin.timestamps_s
    return [Rep(index=1, start_frame=a, turn_frame=(a + b) // 2, end_frame=b, start_s=float(t[a]), end_s=float(t[b]),
                tempo=Tempo(0.0, 0.0, 0.0, 0.0), range_fraction=0.0, partial=True, phase_frames={"whole": (a, b)})]
