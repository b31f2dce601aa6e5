"""The signal repetitions are counted on: the exercise's own one (view-aware), or a visible alternate when the
clip crops or foreshortens it, normalised to 0 = rest, 1 = a typical rep (:func:`rep_signal`).

Every threshold is relative to this clip's own rest level and typical rep amplitude (fixed joint-angle thresholds
fail on a seated or foreshortened movement); in front or oblique views a view-aware signal (hip height) is fused
with the knee angle that the view foreshortens.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.signal import find_peaks

from ..exercises import Exercise
from ..kinematics.angles import PRIMARY_SERIES
from ..model import Kinematics, PoseSequence

__all__ = ["ALTERNATES", "BODY_SIGNALS", "MIN_AMPLITUDE", "RepSignal", "choose_signal", "end_levels", "rep_signal",
           "view_signal", "with_body_signals"]

FloatArray = npt.NDArray[np.float64]

#: the smallest amplitude that is movement rather than noise: 2D angle error is 5-15° (COACHING_RULES §5,
#: Thiele 2024), so a 15° swing is the floor; 4 % of stature for heights
MIN_AMPLITUDE = {"deg": 15.0, "stature": 0.04, "hip widths": 0.15, "torso lengths": 0.04, "torso": 0.1}

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


def _tracked(kin: Kinematics, values: FloatArray) -> npt.NDArray[np.bool_]:
    """The frames where the person is tracked (trunk visible); ``values``' own frames when there is no trunk."""
    return np.isfinite(kin.series.get("trunk_inclination_deg", values))


def _coverage(kin: Kinematics, values: FloatArray) -> float:
    """Share of the frames where the person is tracked (trunk visible) on which ``values`` is measured."""
    tracked = _tracked(kin, values)
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
    own = _amplitude(values, rest_high, kin.fps) if np.isfinite(values).any() else float("nan")
    small = (unit == "deg" and kin.dims == "2d" and not own >= FORESHORTENED_DEG) or not np.isfinite(own) or \
        own <= MIN_AMPLITUDE.get(unit, 0.0)
    if not (cropped or small):
        return name, _gaps_filled(kin, values, name, unit, alternates), unit, rest_high
    own_clear = own / MIN_AMPLITUDE[unit] if unit in MIN_AMPLITUDE and np.isfinite(own) else 0.0
    if cropped:
        own_clear = 0.0
    for alt, inverted in alternates:
        v = kin.series.get(alt)
        if v is None or _coverage(kin, v) < MIN_COVERAGE:
            continue
        alt_unit = kin.units.get(alt, "")
        alt_rest_high = rest_high != inverted
        amp = _amplitude(v, alt_rest_high, kin.fps)
        floor = MIN_AMPLITUDE.get(alt_unit, 0.0)
        # the alternate must clear its own noise floor by more than the primary clears its own (twice over
        # when the primary is merely small: it still carries the rep, just less clearly)
        if np.isfinite(amp) and floor > 0 and amp / floor > max(1.0, (2.0 if not cropped else 1.0) * own_clear):
            return alt, _gaps_filled(kin, v, alt, alt_unit, alternates), alt_unit, alt_rest_high
    return name, _gaps_filled(kin, values, name, unit, alternates), unit, rest_high


#: an alternate fills the primary signal's gaps only when the two move as one where both are seen: |r| at least
#: this over at least GAP_FILL_MIN_FRAMES frames [H] (in a hinge the trunk tips as the hips bend, r ≈ 0.99 on the
#: coach's deadlifts; a squat's knee and hip angles likewise)
GAP_FILL_MIN_R = 0.9
GAP_FILL_MIN_FRAMES = 30


def _gaps_filled(kin: Kinematics, values: FloatArray, name: str, unit: str,
                 alternates: tuple[tuple[str, bool], ...]) -> FloatArray:
    """``values`` with the frames it misses while the person is tracked filled from the first alternate that moves
    with it (a straight-line fit on the frames where both are seen, :data:`GAP_FILL_MIN_R`); measured frames are
    never changed. A clip cropped just above the knees loses the hip angle at every lockout, where the knee sits
    at the frame's edge: the gaps then fell at the top of every rep, 2-3 s long, and split reps into partials
    (the coach's deadlifts cropped at 70 % of the height: 3 reps of 4). The trunk's tilt is still seen there."""
    if unit == "fused":
        return values
    missing = ~np.isfinite(values) & _tracked(kin, values)
    if not missing.any():
        return values
    for alt, _ in alternates:
        v = kin.series.get(alt)
        if v is None or alt == name:
            continue
        both = np.isfinite(values) & np.isfinite(v)
        gap = missing & np.isfinite(v)
        if int(both.sum()) < GAP_FILL_MIN_FRAMES or not gap.any() or np.ptp(v[both]) <= 0 or np.ptp(values[both]) <= 0:
            continue
        r = float(np.corrcoef(values[both], v[both])[0, 1])
        if not abs(r) >= GAP_FILL_MIN_R:
            continue
        slope, intercept = np.polyfit(v[both], values[both], 1)
        out = np.array(values, dtype=np.float64, copy=True)
        out[gap] = slope * v[gap] + intercept
        return out
    return values


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


def _amplitude(v: FloatArray, rest_high: bool, fps: float | None = None) -> float:
    """The typical rep amplitude of a signal (as :func:`rep_signal` normalises by)."""
    if not np.isfinite(v).any():
        return float("nan")
    rest_high = _rest_end_from_data(v, rest_high, fps)
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


#: the clip's first (last) STILL_END_S seconds are a resting posture when the signal moves over less than
#: STILL_END_SPREAD of its 5-95 % range there [H]: standing still varies by a few per cent; a clip cut mid-rep
#: at speed sweeps more (the Sports2D jumper's arms: 70° to 138° of a 150° range, 0.45). A slow 1.5 s squat descent
#: sweeps ~0.3 in its fastest 0.3 s and reads as "at rest" by this test: the test tells a brisk cut from a still end
#: only (UI-PRMD Vicon sit-to-stands start rising within 0.3 s: a tighter spread made their one rep two)
STILL_END_S = 0.3
STILL_END_SPREAD = 0.35


def _valid_range(v: FloatArray) -> tuple[npt.NDArray[np.intp], float, float] | None:
    """(indices of the valid frames, 5th and 95th percentile); None with fewer than 10 valid frames or no range."""
    ok = np.flatnonzero(np.isfinite(v))
    if ok.size < 10:
        return None
    lo, hi = np.nanpercentile(v, [5, 95])
    return (ok, float(lo), float(hi)) if hi - lo > 0 else None


def _ends_in(v: FloatArray, ok: npt.NDArray[np.intp], lo: float, hi: float) -> tuple[float, float]:
    k = max(1, ok.size // 10)
    return float((np.median(v[ok[:k]]) - lo) / (hi - lo)), float((np.median(v[ok[-k:]]) - lo) / (hi - lo))


def end_levels(v: FloatArray) -> tuple[float, float] | None:
    """Where the clip starts and ends within the signal's 5-95 % range (0 = its low, 1 = its high): the median of
    the first and of the last tenth of its valid frames; None with fewer than 10 valid frames or no range."""
    got = _valid_range(v)
    return None if got is None else _ends_in(v, *got)


def _rest_end_from_data(v: FloatArray, rest_high: bool, fps: float | None = None) -> bool:
    """Which end of its range the signal rests at. The exercise says where it usually rests (a squat stands, a
    sit-to-stand starts seated); when the clip both starts and ends clearly at the other end, and is at rest there
    at one end at least, trust the clip (UI-PRMD's sit-to-stand recordings start and end standing still). A clip
    cut mid-movement at both ends is not at rest: a jumping-jack clip that begins with the arms on their way up and ends with an arm raise after the set
    (the Sports2D demo) still rests with the arms down, as the exercise says (issue 20)."""
    got = _valid_range(v)
    if got is None:
        return rest_high
    ok, lo, hi = got
    first, last = _ends_in(v, ok, lo, hi)
    still = max(3, int(round(STILL_END_S * (fps or 30.0))))
    spread = [float(np.ptp(v[idx]) / (hi - lo)) for idx in (ok[:still], ok[-still:])]
    if min(spread) > STILL_END_SPREAD:  # at rest at one end at least (a hop may end a set)
        return rest_high
    if rest_high and first < 0.3 and last < 0.3:
        return False
    if not rest_high and first > 0.7 and last > 0.7:
        return True
    return rest_high


def _rest_level(v: FloatArray, rest_high: bool) -> float:
    """The level the signal returns to between reps: a robust low (or high) percentile of the clip."""
    return float(np.nanpercentile(v, 95 if rest_high else 5))


def rep_signal(kin: Kinematics, ex: Exercise) -> RepSignal | None:
    """The normalised signal reps are counted on, or None when the clip shows no movement above noise."""
    name, v, unit, rest_high = choose_signal(kin, ex)
    if not np.isfinite(v).any():
        return None
    rest_high = _rest_end_from_data(v, rest_high, kin.fps)
    rest = _rest_level(v, rest_high)
    d = (rest - v) if rest_high else (v - rest)
    amplitude = _typical_height(d)
    floor = MIN_AMPLITUDE.get(unit, 0.0) if unit != "fused" else 0.3
    if not np.isfinite(amplitude) or amplitude <= floor:
        return None
    return RepSignal(name=name, values=v, x=d / amplitude, rest=rest, amplitude=amplitude, unit=unit)
