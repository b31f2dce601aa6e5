"""Exercise recognition: which movement family a clip shows, from which joints move and how the body is placed.

No model is fitted. The decision follows from the biomechanics of each family (COACHING_RULES §2 patterns):

- **push-up / plank**: the trunk is near horizontal for most of the clip, or the hands are on the floor level
  with the feet (a push-up filmed from the front foreshortens the trunk, but its hands stay down by the feet);
- **jump**: both feet leave the floor together, repeatedly (a hop, a jump squat, a burpee), or the jack pattern
  (arms sweep overhead while the feet spread and close) with or without flight;
- **squat / hinge / lunge** (the lower body moves): a **hinge** bends at the hips with little knee bend, so the
  trunk tips far forward and the hips barely drop; a **squat** bends knees and hips together and the hips drop
  toward knee level; a **lunge** has an asymmetric stance (feet split front-back or one foot stepping out and
  back) or one knee bent while the other stays straight (side lunge);
- **curl / press-raise-row** (the lower body stays still, standing or seated): a **curl** bends the elbow with
  the upper arm kept by the trunk; a **press, raise or row** moves the upper arm (press overhead, raise to the
  side or front, pull back with the trunk bent over, shrug).

Ranges are robust (5th-95th percentile) so that a few mistracked frames do not decide. Thresholds are set from
joint ranges the movements need (a squat to parallel bends the knee ≥ 70°; 2D angle error is 5-15°, COACHING_RULES
§5, so a range under ~20° is treated as "still") — not fitted to clips. The exercise id within the family uses
what else is visible: hands at the shoulders or overhead, arms swinging, a bar on the back, a seated posture.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .exercises import Exercise
from .kinematics.geometry import Body, true_runs
from .model import Kinematics, PoseSequence
from .reps.signal import end_levels

FloatArray = npt.NDArray[np.float64]

FAMILIES: tuple[str, ...] = ("squat", "hinge", "lunge", "pushup_plank", "press_raise_row", "curl", "jump")
FAMILY_NAMES: dict[str, str] = {
    "squat": "squat",
    "hinge": "hinge (deadlift, good morning, swing)",
    "lunge": "lunge / split squat",
    "pushup_plank": "push-up / plank",
    "press_raise_row": "press / raise / row",
    "curl": "curl",
    "jump": "jump / jacks",
}

#: the family of each exercise in the library; exercises not listed (bridges, floor core work, mobility, walking)
#: belong to no family here: they are never recognised and a given one is never called a mismatch
EXERCISE_FAMILY: dict[str, str] = {
    **{e: "squat" for e in ("squat", "box_squat", "goblet_squat", "back_squat", "sit_to_stand", "deep_squat")},
    **{e: "hinge" for e in ("deadlift", "romanian_deadlift", "kettlebell_deadlift", "dowel_hinge", "good_morning",
                             "kettlebell_swing")},
    **{e: "lunge" for e in ("lunge", "walking_lunge", "split_squat", "assisted_split_squat", "side_lunge",
                             "inline_lunge", "hurdle_step", "step_up")},
    **{e: "pushup_plank" for e in ("plank", "knee_plank", "side_plank", "push_up", "incline_push_up")},
    **{e: "press_raise_row" for e in ("lateral_raise", "front_raise", "shoulder_press", "shrug", "bent_over_row",
                                       "chest_supported_row", "bent_arm_lateral_raise", "bent_arm_front_raise",
                                       "seated_shoulder_press")},
    "bicep_curl": "curl",
    **{e: "jump" for e in ("jump_squat", "jump_lunge", "burpee", "step_back_burpee", "jumping_jack", "step_jack")},
}

# ---- thresholds, each from what the movement needs (not fitted) -------------------------------------------
#: trunk this far from vertical is "lying/propped" (a plank line is ~70-90°; a deep hinge passes 60° only at
#: its bottom, a small share of the clip)
HORIZONTAL_DEG = 60.0
#: share of the tracked clip spent horizontal that makes a floor exercise (a burpee spends ~30-50 % there)
HORIZONTAL_SHARE = 0.5
#: a range below this is "still" for a joint angle: 2D keypoint angle error is 5-15° (COACHING_RULES §5)
STILL_DEG = 20.0
#: both feet above the floor by this share of stature at once is flight (a jump); tracking noise of the foot
#: keypoints is ~1-2 % of stature on clean clips
FLIGHT_STATURE = 0.04
#: knee range (deg) that makes a lower-body movement: a quarter squat or a shallow side lunge bends the knee
#: 30-45°, beyond the 2D angle noise (STILL_DEG); arm exercises move the knee < 20°
LOWER_MOVES_DEG = 25.0


@dataclass(frozen=True, slots=True)
class Recognition:
    """What the clip shows: family, a sensible exercise id of it, how sure, and the evidence."""

    family: str | None  # None: could not tell (too little movement or tracking)
    exercise: str | None
    confidence: float  # 0-1: how clearly the deciding features clear their thresholds
    features: dict[str, float] = field(default_factory=dict)
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "exercise": self.exercise,
            "confidence": round(self.confidence, 2),
            "reason": self.reason,
            "features": {k: round(v, 3) for k, v in self.features.items() if math.isfinite(v)},
        }


def family_of(ex: Exercise | str) -> str | None:
    return EXERCISE_FAMILY.get(ex if isinstance(ex, str) else ex.id)


def _rng(x: FloatArray) -> float:
    ok = x[np.isfinite(x)]
    if ok.size < 5:
        return float("nan")
    lo, hi = np.percentile(ok, [5, 95])
    return float(hi - lo)


def _pct(x: FloatArray, q: float) -> float:
    ok = x[np.isfinite(x)]
    return float(np.percentile(ok, q)) if ok.size else float("nan")


def _share(mask: npt.NDArray[np.bool_], valid: npt.NDArray[np.bool_]) -> float:
    n = int(valid.sum())
    return float((mask & valid).sum() / n) if n else float("nan")


def _nanmean2(a: FloatArray, b: FloatArray) -> FloatArray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return np.asarray(np.nanmean(np.stack([a, b]), axis=0), dtype=np.float64)


def _margin(value: float, threshold: float, scale: float) -> float:
    """0.5 at the threshold, toward 1 as ``value`` clears it by ``scale`` (a logistic); NaN counts as 0.5."""
    if not math.isfinite(value):
        return 0.5
    return 1.0 / (1.0 + math.exp(-(value - threshold) / max(scale, 1e-9)))


def _rolling_low(x: FloatArray, half: int) -> FloatArray:
    """The 10th percentile of ``x`` in a window of ±``half`` samples (a local floor level)."""
    out = np.full(x.size, np.nan)
    for i in range(x.size):
        w = x[max(0, i - half): i + half + 1]
        w = w[np.isfinite(w)]
        if w.size >= 3:
            out[i] = np.percentile(w, 10)
    return out


def _flight_episodes(kin: Kinematics) -> int:
    """Jumps: short spells (0.1-0.8 s) when both feet rise above the local floor level by FLIGHT_STATURE and the
    hips rise with them. The floor is local (±1.5 s) so a camera zoom or cut does not read as flight."""
    feet = kin.series.get("feet_height_rel")
    hip = kin.series.get("hip_height_rel")
    if feet is None or hip is None or kin.n_frames < 10:
        return 0
    fps = kin.fps or 30.0
    half = max(3, int(round(1.5 * fps)))
    up = (feet - _rolling_low(feet, half) > FLIGHT_STATURE) & (hip - _rolling_low(hip, half) > FLIGHT_STATURE)
    return sum(1 for start, stop in true_runs(up) if 0.1 <= (stop - start) / fps <= 0.8)


@dataclass(frozen=True, slots=True)
class _Seen:
    """What the feature groups read: the body (y up), its body unit, and the series they share."""

    body: Body
    kin: Kinematics
    unit: float
    sh: FloatArray
    hp: FloatArray
    wr: FloatArray
    an: FloatArray
    torso: FloatArray
    shw: FloatArray
    incl: FloatArray

    def get(self, name: str) -> FloatArray:
        return self.kin.series.get(name, np.full(self.kin.n_frames, np.nan))


def _seen(pose: PoseSequence, kin: Kinematics) -> _Seen:
    xyz = pose.data[..., :3] if kin.dims == "3d" else pose.data[..., :2]
    body = Body(xyz.astype(np.float64), kin.dims)  # 2D: turned to y up
    sh, hp = body.mid("left_shoulder", "right_shoulder"), body.mid("left_hip", "right_hip")
    torso = np.linalg.norm(sh - hp, axis=1)
    shw = np.linalg.norm(body["left_shoulder"] - body["right_shoulder"], axis=1)
    # body unit: the torso, or the shoulder width where a front view foreshortens the torso (a push-up from the
    # front); robust high percentile (foreshortening only shortens)
    unit = max(_pct(torso, 90), 1.3 * _pct(shw, 90))
    if not math.isfinite(unit) or unit <= 0:
        unit = float("nan")
    incl = np.abs(kin.series.get("trunk_inclination_deg", np.full(kin.n_frames, np.nan)))
    return _Seen(body=body, kin=kin, unit=unit, sh=sh, hp=hp, wr=body.mid("left_wrist", "right_wrist"),
                 an=body.mid("left_ankle", "right_ankle"), torso=torso, shw=shw, incl=incl)


def _posture_features(f: dict[str, float], s: _Seen) -> None:
    """Trunk inclination, hands at floor level, joint ranges and medians."""
    valid = np.isfinite(s.incl)
    f["horizontal_share"] = _share(s.incl > HORIZONTAL_DEG, valid)
    f["trunk_incl_p95"] = _pct(s.incl, 95)
    f["trunk_incl_median"] = _pct(s.incl, 50)
    f["trunk_range"] = _rng(s.get("trunk_inclination_deg"))
    # hands at floor level: wrists as low as the ankles (within a third of the body unit)
    hands_low = (s.wr[:, 1] - s.an[:, 1]) / s.unit < 0.35
    ok = np.isfinite(s.wr[:, 1]) & np.isfinite(s.an[:, 1])
    f["hands_low_share"] = _share(hands_low, ok)
    f["knee_range"] = _rng(s.get("knee_flexion_deg"))
    f["hip_range"] = _rng(s.get("hip_flexion_deg"))
    # where the set starts in the hip's range: a deadlift from the floor starts with the hips bent (the bar waits
    # there before the first pull)
    hip_ends = end_levels(s.get("hip_flexion_deg"))
    f["hip_starts_flexed"] = float("nan") if hip_ends is None else float(hip_ends[0] > 0.6)
    f["elbow_range"] = _rng(s.get("elbow_flexion_deg"))
    f["shoulder_range"] = _rng(s.get("shoulder_elevation_deg"))
    f["knee_median"] = _pct(s.get("knee_flexion_deg"), 50)
    f["hip_median"] = _pct(s.get("hip_flexion_deg"), 50)
    f["elbow_median"] = _pct(s.get("elbow_flexion_deg"), 50)


def _arm_and_height_features(f: dict[str, float], s: _Seen) -> None:
    """Upper arm against the vertical, wrists against the shoulders, hip travel, shrug, flight and steps."""
    # upper arm against the vertical (not the trunk): a hanging arm in a hinge stays vertical while the trunk tips
    arm_v = []
    for side in ("left", "right"):
        v = s.body[f"{side}_elbow"] - s.body[f"{side}_shoulder"]
        down = -v[:, 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            arm_v.append(np.degrees(np.arccos(np.clip(down / np.linalg.norm(v, axis=1), -1, 1))))
    arm = _nanmean2(arm_v[0], arm_v[1])
    f["arm_vertical_range"] = _rng(arm)
    f["arm_vertical_p95"] = _pct(arm, 95)
    # wrists relative to the shoulders (body units, + above): overhead presses, hands held at the shoulders
    wrel = (s.wr[:, 1] - s.sh[:, 1]) / s.unit
    f["wrist_above_shoulder_p95"] = _pct(wrel, 95)
    f["wrist_above_shoulder_median"] = _pct(wrel, 50)
    f["wrist_height_range"] = _rng(wrel)
    # hip vertical travel in body units (camera-fixed; works without feet in frame)
    f["hip_drop"] = _rng(s.hp[:, 1] / s.unit)
    f["hip_drop_stature"] = _rng(s.get("hip_height_rel"))
    f["shrug_range"] = _rng(s.get("shoulder_shrug_rel"))
    # flight: both feet off the floor together
    feet = s.get("feet_height_rel")
    f["flight_p98"] = _pct(feet, 98)
    f["flight_share"] = _share(feet > FLIGHT_STATURE, np.isfinite(feet))
    fl, fr = s.get("foot_left_height_rel"), s.get("foot_right_height_rel")
    f["foot_step"] = float(np.nanmax([_rng(fl), _rng(fr)])) if np.isfinite([_rng(fl), _rng(fr)]).any() else math.nan


def _stance_features(f: dict[str, float], s: _Seen) -> None:
    """Ankle separation in body units, along the image/horizontal axis (2D) or the horizontal plane (3D)."""
    d = s.body["left_ankle"] - s.body["right_ankle"]
    if s.kin.dims == "3d":
        # the body's own horizontal axes: lateral = the hip line, forward = perpendicular to it
        hl = s.body["left_hip"] - s.body["right_hip"]
        lat = np.array([_pct(hl[:, 0], 50), 0.0, _pct(hl[:, 2], 50)])
        lat = lat / (np.linalg.norm(lat) or 1.0)
        fwd = np.array([-lat[2], 0.0, lat[0]])
        lat_sep = np.abs(d @ lat)
        fwd_sep = np.abs(d @ fwd)
    elif s.kin.view == "front":
        lat_sep, fwd_sep = np.abs(d[:, 0]), np.full(len(d), np.nan)
    else:  # side (and oblique, mostly side): the image's horizontal is the walking direction
        lat_sep, fwd_sep = np.full(len(d), np.nan), np.abs(d[:, 0])
    f["stance_lat_p90"] = _pct(lat_sep / s.unit, 90)
    f["stance_fwd_p90"] = _pct(fwd_sep / s.unit, 90)
    f["stance_range"] = _rng(np.abs(d[:, 0]) / s.unit)
    f["upright_share"] = _share(s.incl < 30.0, np.isfinite(s.incl))
    with np.errstate(invalid="ignore", divide="ignore"):
        f["torso_shoulder_ratio"] = _pct(s.torso / s.shw, 50)


def _bottom_features(f: dict[str, float], s: _Seen) -> None:
    """Trunk against shank at the bottom of the movement (frames of the deepest hip flexion): a squat keeps the
    trunk about parallel to the shins; a hinge tips the trunk far past near-vertical shins."""
    hipf = s.get("hip_flexion_deg")
    if np.isfinite(hipf).sum() >= 5 and (s.kin.dims == "3d" or s.kin.view != "front"):
        bottom = np.isfinite(hipf) & (hipf >= _pct(hipf, 90))
        shank_deg = []
        for side in ("left", "right"):
            v = s.body[f"{side}_knee"] - s.body[f"{side}_ankle"]
            horiz = np.linalg.norm(np.delete(v, 1, axis=1), axis=1)
            shank_deg.append(np.degrees(np.arctan2(horiz, v[:, 1])))
        shank = _nanmean2(shank_deg[0], shank_deg[1])
        f["trunk_minus_shank"] = _pct(s.incl[bottom] - shank[bottom], 50)
        f["shank_bottom"] = _pct(shank[bottom], 50)
    else:
        f["trunk_minus_shank"] = math.nan
        f["shank_bottom"] = math.nan


def features(pose: PoseSequence, kin: Kinematics) -> dict[str, float]:
    """The biomechanical features recognition decides on (see the module docstring), group by group."""
    s = _seen(pose, kin)
    f: dict[str, float] = {}
    _posture_features(f, s)
    _arm_and_height_features(f, s)
    _stance_features(f, s)
    _bottom_features(f, s)
    f["flight_episodes"] = float(_flight_episodes(kin))
    kl, kr = s.get("knee_flexion_left_deg"), s.get("knee_flexion_right_deg")
    f["knee_asym_p90"] = _pct(np.abs(kl - kr), 90)
    f["ankle_visible_share"] = float(np.mean(np.isfinite(s.an[:, 1]))) if s.an.size else 0.0
    f["view_side"] = 1.0 if kin.view == "side" else 0.0
    f["view_front"] = 1.0 if kin.view == "front" else 0.0
    f["dims3d"] = 1.0 if kin.dims == "3d" else 0.0
    return f


def _finite(x: float, default: float = 0.0) -> float:
    return x if math.isfinite(x) else default


def _split_stance(f: dict[str, float]) -> bool:
    """Feet apart front-to-back: in 3D along the body's forward axis (0.3 torso lengths: a squat's feet stay level,
    < 0.15); in a side view along the image (0.65 torso lengths: a squat's feet overlap, < 0.45); an oblique view
    mixes in the stance width, so it needs more (0.9)."""
    v = _finite(f["stance_fwd_p90"])
    if f["dims3d"] > 0:
        return v >= 0.3
    return v >= (0.65 if f["view_side"] > 0 else 0.9)


def classify(f: dict[str, float]) -> tuple[str | None, float, str]:
    """(family, confidence, reason) from :func:`features`. Each branch states the biomechanical cue it uses."""
    g = _finite
    knee, hip, arm = g(f["knee_range"]), g(f["hip_range"]), g(f["arm_vertical_range"])
    elbow = g(f["elbow_range"])
    trunk95 = f["trunk_incl_p95"]
    side_like = f["dims3d"] > 0 or f["view_front"] == 0
    # 1. floor exercises: the trunk near horizontal most of the time and never upright (a push-up or plank);
    #    from the front the trunk is foreshortened (shorter than the shoulders are wide) with the hands down
    horizontal = g(f["horizontal_share"]) >= HORIZONTAL_SHARE and g(f["upright_share"], 1.0) < 0.15
    front_floor = (f["view_front"] > 0 and g(f["torso_shoulder_ratio"], 9.0) < 0.8
                   and g(f["hands_low_share"]) >= 0.5)
    if (horizontal or front_floor) and knee < 45.0:
        conf = _margin(g(f["horizontal_share"]), HORIZONTAL_SHARE, 0.1) if horizontal else 0.6
        return "pushup_plank", conf, "the body is held near horizontal, hands on the floor"
    # 2. burpee: floor phases and standing phases, hips travelling from the floor to standing, arms overhead
    if (g(f["horizontal_share"]) >= 0.15 and g(f["upright_share"]) >= 0.15 and g(f["hip_drop"]) >= 1.0
            and (g(f["wrist_above_shoulder_p95"], -1) >= 0.3 or g(f["flight_episodes"]) >= 2)):
        return "jump", _margin(g(f["hip_drop"]), 1.0, 0.2), "down to the floor and up again with a jump"
    # 3. jacks: the arms sweep overhead while the feet spread and close
    if arm >= 90.0 and g(f["wrist_above_shoulder_p95"], -1) >= 0.3 and g(f["stance_range"]) >= 0.4 \
            and hip < 60.0 or (arm >= 90.0 and g(f["stance_range"]) >= 0.6 and g(f["flight_episodes"]) >= 2):
        return "jump", _margin(g(f["stance_range"]), 0.4, 0.15), "arms overhead while the feet spread (jacks)"
    # 4. lower body: knees bend, or the hips hinge with the trunk tipping far forward
    # a hinge with the knees hidden (plates, cropping): the hips bend, the trunk tips and the hands go down
    # The arms do not move by themselves in a hinge: hanging (deadlift) or held at the chest or head (good
    # morning), the wrists keep their height below or beside the shoulders (< 0.5 torso lengths of change; a curl
    # or raise moves them ≥ 0.7), or the hands go down to the floor
    hinge_only = hip >= 45.0 and g(trunk95) >= 55.0 and side_like and (
        g(f["wrist_height_range"], 9.0) < 0.5 or g(f["hands_low_share"]) >= 0.3)
    if knee >= LOWER_MOVES_DEG or hinge_only:
        ratio = knee / hip if hip > 0 and math.isfinite(f["knee_range"]) else math.nan
        # lunge: a split stance front-to-back, a wide stance with one knee bent and the other straight (side
        # lunge), or one leg working alone (the knees differ by more than a squat's left-right noise)
        split = _split_stance(f)
        side_lunge = g(f["stance_lat_p90"]) >= 1.2 and g(f["knee_asym_p90"]) >= 30.0
        # 3D knee angles are not foreshortened (a 3D squat's left-right difference stays < 15°); in 2D the hidden
        # leg is guessed, so only a very large difference counts
        one_leg = g(f["knee_asym_p90"]) >= (45.0 if f["dims3d"] > 0 else 75.0)
        # hinge: the trunk tips far forward (p95 ≥ 55°: a squat keeps it within ~45°, COACHING_RULES §5), the knees
        # bend less than the hips, the hips drop little and the hands reach toward the floor
        pts = sum((g(trunk95) >= 55.0, g(ratio, 1.0) < 0.9, g(f["hip_drop"], 1.0) < 0.65,
                   g(f["hands_low_share"]) >= 0.15))
        if side_like and g(trunk95) >= 55.0 and (pts >= 3 or g(ratio, 1.0) < 0.5 or (hinge_only and knee < 25.0)):
            return "hinge", min(0.95, 0.5 + 0.12 * pts), "the hips bend far more than the knees and the trunk tips forward"
        if split or side_lunge or one_leg:
            why = ("split stance" if split else "wide stance, one knee bent" if side_lunge else "one leg at a time")
            cue = max(g(f["stance_fwd_p90"]) / 0.65 if split else 0.0, g(f["knee_asym_p90"]) / 45.0)
            return "lunge", min(0.95, 0.4 + 0.3 * min(cue, 1.5)), f"the legs work asymmetrically ({why})"
        conf = _margin(knee, LOWER_MOVES_DEG, 12.0) * (0.9 if pts <= 1 else 0.7)
        return "squat", conf, "knees and hips bend together and the hips drop"
    # 5. a held lunge (little movement, split stance with the knees bent)
    if _split_stance(f) and g(f["knee_median"]) >= 20.0:
        return "lunge", 0.6, "a split stance held with the knees bent"
    # 6. upper body (lower body still, standing or seated); needs the arms in view
    if not math.isfinite(f["elbow_range"]) and not math.isfinite(f["arm_vertical_range"]):
        return None, 0.0, "the arms are not in view and the legs barely move"
    if g(f["trunk_incl_median"]) >= 35.0 and side_like and elbow >= 45.0 and knee < LOWER_MOVES_DEG:
        return "press_raise_row", _margin(elbow, 45.0, 15.0), "the elbows pull with the trunk bent over (row)"
    # a curl bends the elbow at least as much as the upper arm moves and never takes the hands overhead; a raise
    # moves the upper arm with the elbow nearly straight; a press takes the hands overhead
    if elbow >= 60.0 and (arm < 60.0 or elbow >= 0.8 * arm) and g(f["wrist_above_shoulder_p95"], 0) < 0.6:
        return "curl", _margin(elbow, 60.0, 15.0), "the elbow bends while the upper arm stays by the trunk"
    if arm >= 40.0 or elbow >= 60.0 or g(f["shrug_range"]) >= 0.04:
        strength = max(arm / 40.0, elbow / 60.0, g(f["shrug_range"]) / 0.04)
        return "press_raise_row", min(0.95, 0.3 + 0.3 * strength), "the upper arms move (press, raise, row or shrug)"
    return None, 0.0, "too little movement to recognise"


def choose_exercise(family: str, f: dict[str, float], load_kg: float | None = None) -> str:
    """A sensible exercise id of ``family`` from what else is visible (see the module docstring)."""
    g = _finite
    wrist95 = g(f["wrist_above_shoulder_p95"], -1.0)
    wrist50 = g(f["wrist_above_shoulder_median"], -1.0)
    if family == "squat":
        if wrist50 >= -0.25 and g(f["elbow_median"]) >= 90.0:  # hands held at the shoulders: bar or bell
            # a bar on the back puts the wrists at or above the shoulders; a bell held in front sits just below
            return "back_squat" if wrist50 >= 0.05 else "goblet_squat"
        return "squat"
    if family == "hinge":
        if wrist50 >= -0.25:
            return "good_morning"  # hands at the shoulders or head
        if g(f["arm_vertical_range"]) >= 70.0 and wrist95 >= -0.1 and g(f["hands_low_share"]) < 0.1:
            return "kettlebell_swing"  # the arms swing up to chest height and the weight never touches down
        hands = f["hands_low_share"]
        if np.isfinite(hands):
            return "deadlift" if hands >= 0.1 else "romanian_deadlift"
        # the feet out of frame (hands vs ankles unknown): a deadlift's first pull starts with the bar on the
        # floor, the hips bent; a Romanian deadlift starts standing (the bar taken from a rack or already up).
        # Read as an RDL, a deadlift filmed with the feet cut off rested at the wrong end: no rep was found and
        # its rounded back went unjudged (YFGD Bad 4, default run)
        return "deadlift" if g(f["hip_starts_flexed"]) >= 0.5 else "romanian_deadlift"
    if family == "lunge":
        if g(f["stance_lat_p90"]) >= 1.2 and g(f["knee_asym_p90"]) >= 30.0:
            return "side_lunge"
        if g(f["foot_step"]) >= 0.05:
            return "lunge"  # a foot steps out and back
        return "split_squat"
    if family == "pushup_plank":
        return "push_up" if g(f["elbow_range"]) >= 40.0 else "plank"
    if family == "press_raise_row":
        if wrist95 >= 0.6 and g(f["elbow_range"]) >= 60.0:
            return "seated_shoulder_press" if g(f["knee_median"]) >= 60.0 else "shoulder_press"
        if g(f["trunk_incl_median"]) >= 35.0 and g(f["elbow_range"]) >= 45.0:
            return "bent_over_row"
        if g(f["arm_vertical_range"]) < 40.0 and g(f["elbow_range"]) < 60.0:
            return "shrug"
        # a raise: to the side from the front the wrists spread wider than the shoulders; otherwise a front raise
        return "lateral_raise" if f.get("wrist_spread_range", 0.0) >= 0.5 else "front_raise"
    if family == "curl":
        return "bicep_curl"
    if family == "jump":
        if g(f["horizontal_share"]) >= 0.15:
            return "burpee" if g(f["flight_episodes"]) >= 1 or wrist95 >= 0.3 else "step_back_burpee"
        if g(f["arm_vertical_range"]) >= 90.0:
            return "jumping_jack" if g(f["flight_episodes"]) >= 2 else "step_jack"
        return "jump_squat"
    raise ValueError(family)


def recognise(pose: PoseSequence, kin: Kinematics, load_kg: float | None = None) -> Recognition:
    """The movement family and a sensible exercise id of it, from the cleaned keypoints and their kinematics."""
    f = features(pose, kin)
    family, conf, reason = classify(f)
    ex = choose_exercise(family, f, load_kg) if family is not None else None
    return Recognition(family=family, exercise=ex, confidence=float(conf), features=f, reason=reason)
