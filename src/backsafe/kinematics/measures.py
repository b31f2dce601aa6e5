"""The named series of :func:`backsafe.kinematics.angles.compute_kinematics`, one function per measure family.

Each family reads the body (:class:`Frame`) and adds its series in a fixed order (the order the report's frames
table lists them): trunk (§5 R/A/S), joint angles, spine and head, the plank's body line (§5 A), heights (§5 J),
frontal-plane measures (§5 S/P/K), shrug, and the load's lever arm and segment centres of mass (§5 D, §6).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ..model import PoseSequence, View
from ..skeleton import JOINT_INDEX as J
from .geometry import Body, FloatArray, angle_between, included_angle, nanmean, nanmedian, signed_plane_angle

#: de Leva (1996) / Winter: thigh + shank ≈ 0.49 of stature; used when no metric scale is available
LEG_TO_STATURE = 0.49
DEFAULT_STATURE_M = 1.75


@dataclass(slots=True)
class Frame:
    """What every family reads: the body, its axes and the series written so far."""

    body: Body
    dims: Literal["2d", "3d"]
    view: View
    fwd: FloatArray
    lat: FloatArray
    series: dict[str, FloatArray] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        b = self.body
        self.mid_sh = b.mid("left_shoulder", "right_shoulder")
        self.mid_hip = b.mid("left_hip", "right_hip")
        self.mid_ank = b.mid("left_ankle", "right_ankle")
        self.trunk = self.mid_sh - self.mid_hip

    mid_sh: FloatArray = field(init=False)
    mid_hip: FloatArray = field(init=False)
    mid_ank: FloatArray = field(init=False)
    trunk: FloatArray = field(init=False)

    @property
    def n(self) -> int:
        return int(self.body.p.shape[0])

    def put(self, name: str, values: FloatArray, unit: str) -> None:
        self.series[name] = np.asarray(values, dtype=np.float64)
        self.units[name] = unit


def trunk_series(f: Frame) -> None:
    """Trunk inclination (sagittal, + forward: §5 R proxy, A lean-back) and lateral lean (frontal: §5 S)."""
    body, dims, view = f.body, f.dims, f.view
    if dims == "3d" or view in ("side", "oblique"):
        f.put("trunk_inclination_deg", signed_plane_angle(f.trunk, body.up, f.fwd), "deg")
    else:
        # from the front, sagittal lean is foreshortening only: use the torso's apparent shortening
        torso_len = np.linalg.norm(f.trunk, axis=1)
        ref = np.nanpercentile(torso_len, 95) if np.isfinite(torso_len).any() else np.nan
        with np.errstate(invalid="ignore"):
            f.put("trunk_inclination_deg", np.degrees(np.arccos(np.clip(torso_len / ref, 0, 1))), "deg")
    # lateral lean (frontal plane), + toward image right / person's left in 3D
    if dims == "3d" or view in ("front", "oblique"):
        f.put("trunk_lateral_lean_deg", signed_plane_angle(f.trunk, body.up, f.lat), "deg")


def joint_series(f: Frame) -> None:
    """Hip, knee and elbow flexion and shoulder elevation, per side and their mean."""
    body = f.body
    for side in ("left", "right"):
        sh, el, wr = body[f"{side}_shoulder"], body[f"{side}_elbow"], body[f"{side}_wrist"]
        hp, kn, an = body[f"{side}_hip"], body[f"{side}_knee"], body[f"{side}_ankle"]
        f.put(f"hip_flexion_{side}_deg", 180.0 - included_angle(sh, hp, kn), "deg")
        f.put(f"knee_flexion_{side}_deg", 180.0 - included_angle(hp, kn, an), "deg")
        f.put(f"elbow_flexion_{side}_deg", 180.0 - included_angle(sh, el, wr), "deg")
        f.put(f"shoulder_elevation_{side}_deg", angle_between(hp - sh, el - sh), "deg")
    for joint in ("hip_flexion", "knee_flexion", "elbow_flexion", "shoulder_elevation"):
        f.put(f"{joint}_deg", nanmean(f.series[f"{joint}_left_deg"], f.series[f"{joint}_right_deg"]), "deg")


def spine_and_head_series(f: Frame) -> None:
    """Spine flexion from measured spine joints (§5 R "with spine/thorax keypoints"), ear-shoulder-hip angle."""
    body = f.body
    # pelvis->mid-spine vs chest->neck in the sagittal plane, + = flexed forward (Kinect/mocap)
    if f.dims == "3d" and np.isfinite(body["spine_mid"]).any() and np.isfinite(body["neck"]).any():
        lower = body["spine_mid"] - body["pelvis"]
        upper = body["neck"] - body["spine_chest"]
        f.put("spine_flexion_deg",
              signed_plane_angle(upper, body.up, f.fwd) - signed_plane_angle(lower, body.up, f.fwd), "deg")
    # head/neck posture: ear-shoulder-hip angle (upper back and neck flexion shows as a smaller angle)
    ear = nanmean(body["left_ear"], body["right_ear"]) if f.dims == "2d" else body["nose"]
    f.put("ear_shoulder_hip_deg", included_angle(ear, f.mid_sh, f.mid_hip), "deg")


def body_line_series(f: Frame) -> None:
    """Body line for planks and push-ups (§5 A): + = hips sag below the shoulder-ankle line, - = hips piked."""
    sag = 180.0 - included_angle(f.mid_sh, f.mid_hip, f.mid_ank)
    line = f.mid_ank - f.mid_sh
    rel = f.mid_hip - f.mid_sh
    if f.dims == "2d":
        # hip below the line (towards the ground) -> sag. "Below" = the side of the line away from +y (up).
        normal = np.stack([-line[:, 1], line[:, 0]], axis=1)
        normal *= np.sign(normal[:, 1:2] + 1e-12)  # make the normal point up
    else:
        normal = np.cross(np.cross(line, f.body.up), line)
    below = np.einsum("td,td->t", rel, normal) < 0
    f.put("body_line_deg", np.where(below, sag, -sag), "deg")


def stature_and_ground(body: Body) -> tuple[float, float]:
    """Standing height (in the data's length unit) and the ground level (axis-1 coordinate, up positive)."""
    feet = np.stack([body[n][:, 1] for n in ("left_ankle", "right_ankle", "left_heel", "right_heel",
                                               "left_foot_index", "right_foot_index")], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        lowest = np.nanmin(feet, axis=1)
    ground = float(np.nanpercentile(lowest, 10)) if np.isfinite(lowest).any() else float("nan")
    thigh = nanmean(np.linalg.norm(body["left_hip"] - body["left_knee"], axis=1),
                    np.linalg.norm(body["right_hip"] - body["right_knee"], axis=1))
    shank = nanmean(np.linalg.norm(body["left_knee"] - body["left_ankle"], axis=1),
                    np.linalg.norm(body["right_knee"] - body["right_ankle"], axis=1))
    leg = thigh + shank
    # the longest stretch the legs show (foreshortening only shortens them)
    leg_len = float(np.nanpercentile(leg, 90)) if np.isfinite(leg).any() else float("nan")
    stature = leg_len / LEG_TO_STATURE if np.isfinite(leg_len) else float("nan")
    return stature, ground


def height_series(f: Frame, t: npt.NDArray[Any], stature: float, ground: float) -> None:
    """Feet and hip heights above the ground in statures, and their vertical speeds (§5 J flight, hip height)."""
    body = f.body
    feet_y = np.stack([body[n][:, 1] for n in ("left_ankle", "right_ankle", "left_heel", "right_heel",
                                                 "left_foot_index", "right_foot_index")], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        left_foot = np.nanmin(feet_y[:, 0::2], axis=1)
        right_foot = np.nanmin(feet_y[:, 1::2], axis=1)
    f.put("foot_left_height_rel", (left_foot - ground) / stature, "stature")
    f.put("foot_right_height_rel", (right_foot - ground) / stature, "stature")
    f.put("feet_height_rel", np.fmin(f.series["foot_left_height_rel"], f.series["foot_right_height_rel"]), "stature")
    f.put("hip_height_rel", (f.mid_hip[:, 1] - ground) / stature, "stature")
    if f.n >= 3:
        f.put("hip_vy_rel_s", np.gradient(f.series["hip_height_rel"], t), "stature/s")
        f.put("feet_vy_rel_s", np.gradient(f.series["feet_height_rel"], t), "stature/s")


def frontal_series(f: Frame) -> None:
    """Frontal-plane measures (front view in 2D; always in 3D): hips over feet (§5 S), pelvis drop and yaw (§5 P),
    FPPA and the knee's place beside the toes (§5 K), knee separation."""
    if not (f.dims == "3d" or f.view in ("front", "oblique")):
        return
    body, dims = f.body, f.dims
    hip_w = np.linalg.norm(body["left_hip"] - body["right_hip"], axis=1)
    hip_w_ref = np.nanpercentile(hip_w, 90) if np.isfinite(hip_w).any() else np.nan
    if not hip_w_ref > 0:
        hip_w_ref = np.nan  # hips in one point (a degenerate skeleton): nothing is measured in hip widths
    offset = np.einsum("td,td->t", f.mid_hip - f.mid_ank, f.lat) / hip_w_ref
    if dims == "3d":
        # Kinect's hip joints drift sideways in deep flexion (thighs occlude the pelvis): judge the shift
        # while the knees are bent no more than 60°
        bent = np.fmax(f.series["knee_flexion_left_deg"], f.series["knee_flexion_right_deg"]) > 60.0
        offset = np.where(bent, np.nan, offset)
    f.put("lateral_offset_hipw", offset, "hip widths")
    hips = body["left_hip"] - body["right_hip"]
    shs = body["left_shoulder"] - body["right_shoulder"]
    f.put("pelvis_tilt_deg", np.degrees(np.arctan2(hips[:, 1], np.linalg.norm(np.delete(hips, 1, axis=1), axis=1))),
          "deg")
    f.put("shoulder_tilt_deg", np.degrees(np.arctan2(shs[:, 1], np.linalg.norm(np.delete(shs, 1, axis=1), axis=1))),
          "deg")
    if dims == "3d":
        f.put("hip_yaw_deg", _signed_yaw(hips, body.up), "deg")
        # the shoulder line's turn: a twist of the hips turns the trunk above them with it (§5 P; see
        # faults/rules/hip_rotation.py for where it confirms the pelvis)
        f.put("shoulder_yaw_deg", _signed_yaw(shs, body.up), "deg")
    else:
        # yaw ≈ acos(hip width / standing hip width) (COACHING_RULES §5 P)
        with np.errstate(invalid="ignore"):
            f.put("hip_yaw_deg", np.degrees(np.arccos(np.clip(hip_w / hip_w_ref, 0, 1))), "deg")
    for side, other in (("left", "right"), ("right", "left")):
        _knee_series(f, side, other, float(hip_w_ref))
    knees = np.linalg.norm(body["left_knee"] - body["right_knee"], axis=1)
    f.put("knee_separation_hipw", knees / hip_w_ref, "hip widths")


def _signed_yaw(line: FloatArray, up: FloatArray) -> FloatArray:
    """The turn (deg) of a left-right body line about the vertical from the clip's median direction of it, signed
    about the body's up axis, so that a turn either way from the standing direction is a difference, not the same
    unsigned angle to the median direction (issue 16)."""
    ref_dir = np.nanmedian(line / np.linalg.norm(line, axis=1, keepdims=True), axis=0)
    flat = line.copy()
    flat[:, 1] = 0
    ref = ref_dir.copy()
    ref[1] = 0
    ref_t = np.tile(ref, (line.shape[0], 1))
    turn = np.cross(ref_t, flat) @ up
    return np.asarray(np.where(turn < 0, -1.0, 1.0) * angle_between(flat, ref_t), dtype=np.float64)


def _knee_series(f: Frame, side: str, other: str, hip_w_ref: float) -> None:
    """One knee's FPPA (§5 K, medial +) where it is defined, and its lateral place beside the toes."""
    body, dims, lat = f.body, f.dims, f.lat
    hp, kn, an = body[f"{side}_hip"], body[f"{side}_knee"], body[f"{side}_ankle"]

    def proj(p: FloatArray) -> FloatArray:
        """Onto the body's frontal plane (lateral, up) in 3D; the image plane in 2D."""
        if dims != "3d":
            return p
        return np.stack([np.einsum("td,td->t", p, lat), p @ body.up], axis=1)

    hp2, kn2, an2, oh2 = proj(hp), proj(kn), proj(an), proj(body[f"{other}_hip"])
    fppa = 180.0 - included_angle(hp2, kn2, an2)
    # medial = the knee lies on the midline side of the hip-ankle line (COACHING_RULES §5 K: medial +)
    line2 = an2 - hp2
    nrm = np.stack([-line2[:, 1], line2[:, 0]], axis=1)
    knee_side = np.einsum("td,td->t", kn2 - hp2, nrm)
    mid_side = np.einsum("td,td->t", oh2 - hp2, nrm)
    signed = np.where(np.sign(knee_side) == np.sign(mid_side), fppa, -fppa)
    # FPPA is defined for a thigh and shank seen (mostly) in the frontal plane: in deep flexion the thigh
    # points at the camera, its projection shrinks and the angle is meaningless. Keep frames where both
    # projected segments are at least half their longest projection in the clip.
    thigh = np.linalg.norm(kn2 - hp2, axis=1)
    shank = np.linalg.norm(an2 - kn2, axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        valid = (thigh >= 0.5 * np.nanpercentile(thigh, 90)) & (shank >= 0.5 * np.nanpercentile(shank, 90))
    if dims == "3d":
        # FPPA is read at moderate knee flexion (single-leg squat and landing norms are taken at 45-60°);
        # in deep flexion the frontal projection of a forward-pointing thigh means little
        valid &= f.series[f"knee_flexion_{side}_deg"] <= 60.0
        # and only while the thigh and shank lie near the frontal plane (within 45°): the rear leg of a
        # lunge or a thigh pointing forward projects to a meaningless frontal angle
        for seg_vec in (kn - hp, an - kn):
            with np.errstate(invalid="ignore", divide="ignore"):
                out_of_plane = np.abs(np.einsum("td,td->t", seg_vec, f.fwd)) / np.linalg.norm(seg_vec, axis=1)
            valid &= out_of_plane < np.sin(np.radians(45.0))
    f.put(f"fppa_{side}_deg", np.where(valid, signed, np.nan), "deg")
    # knee outside the foot: lateral offset of the knee from the toes (foot index), + = outside, in hip
    # widths; "knees out over the toes" is good squatting, knees wide *beyond* the toes is varus
    toe2 = proj(body[f"{side}_foot_index"])
    outward = hp2 - oh2  # from the other hip towards this hip = away from the midline
    with np.errstate(invalid="ignore", divide="ignore"):
        outward = outward / np.linalg.norm(outward, axis=1, keepdims=True)
    f.put(f"knee_outside_toe_{side}_hipw", np.einsum("td,td->t", kn2 - toe2, outward) / hip_w_ref, "hip widths")


def shrug_series(f: Frame) -> None:
    """Shoulders rising towards the head, in torso lengths."""
    torso_len = np.linalg.norm(f.trunk, axis=1)
    torso_ref = nanmedian(torso_len)
    f.put("shoulder_shrug_rel", (f.mid_sh[:, 1] - f.mid_hip[:, 1]) / torso_ref - 1.0, "torso lengths")


def metres_per_unit(pose: PoseSequence, stature: float) -> tuple[float, str]:
    """Metres per length unit of the keypoints, and where the scale came from."""
    if pose.space == "world":
        return 1.0, "measured 3D"
    if pose.world is not None:
        w = pose.world.astype(np.float64)
        wl = np.linalg.norm(w[:, J["left_hip"]] - w[:, J["left_knee"]], axis=1) + np.linalg.norm(
            w[:, J["left_knee"]] - w[:, J["left_ankle"]], axis=1)
        wr = np.linalg.norm(w[:, J["right_hip"]] - w[:, J["right_knee"]], axis=1) + np.linalg.norm(
            w[:, J["right_knee"]] - w[:, J["right_ankle"]], axis=1)
        leg_m = nanmedian(nanmean(wl, wr))
        if np.isfinite(leg_m) and np.isfinite(stature) and stature > 0:
            return leg_m / (stature * LEG_TO_STATURE), "MediaPipe world landmarks"
    if np.isfinite(stature) and stature > 0:
        return DEFAULT_STATURE_M / stature, f"assumed stature {DEFAULT_STATURE_M} m"
    return float("nan"), "unknown"


def load_series(f: Frame, m_per_unit: float) -> None:
    """The load's lever arm (NIOSH H, §5 D) and the segment centres of mass for the static L5/S1 moment (§6)."""
    body = f.body
    # L5/S1 sits on the mid-hip -> mid-shoulder line, 10 % above mid-hip (COACHING_RULES §6)
    l5 = f.mid_hip + 0.10 * f.trunk
    hands = nanmean(body["left_wrist"], body["right_wrist"])

    def ahead_m(p: FloatArray) -> FloatArray:
        """Horizontal distance in front of L5/S1 along the facing direction, metres."""
        return np.asarray(np.einsum("td,td->t", p - l5, f.fwd) * m_per_unit, dtype=np.float64)

    f.put("load_lever_m", ahead_m(hands), "m")
    # the forearm's direction projected on the facing direction, per side: the hand's COM and the NIOSH grip both
    # lie ~8 cm beyond the wrist along the forearm
    fore_along: dict[str, FloatArray] = {}
    for side in ("left", "right"):
        fore = body[f"{side}_wrist"] - body[f"{side}_elbow"]
        with np.errstate(invalid="ignore", divide="ignore"):
            fore_along[side] = np.einsum("td,td->t", fore / np.linalg.norm(fore, axis=1, keepdims=True), f.fwd)
    # segment centres of mass for the static L5/S1 moment (de Leva 1996 COM %, COACHING_RULES §6)
    if f.dims == "3d" or f.view in ("side", "oblique"):
        male = True  # segment COM fractions differ by < 2 % between the sexes; masses are applied later
        head = nanmean(body["left_ear"], body["right_ear"]) if f.dims == "2d" else body["nose"]
        f.put("com_dx_head_m", ahead_m(head), "m")
        f.put("com_dx_trunk_m", ahead_m(f.mid_sh + (0.514 if male else 0.496) * (f.mid_hip - f.mid_sh)), "m")
        for side in ("left", "right"):
            sh, el, wr = body[f"{side}_shoulder"], body[f"{side}_elbow"], body[f"{side}_wrist"]
            f.put(f"com_dx_upperarm_{side}_m", ahead_m(sh + 0.577 * (el - sh)), "m")
            f.put(f"com_dx_forearm_{side}_m", ahead_m(el + 0.457 * (wr - el)), "m")
            # hand COM ≈ 8 cm beyond the wrist along the forearm (the NIOSH +8 cm grip offset)
            f.put(f"com_dx_hand_{side}_m", ahead_m(wr) + 0.08 * fore_along[side], "m")
    # NIOSH H: mid-ankle to the grip, and the grip is ~8 cm beyond the wrist *along the forearm* (as for the hand
    # COM above): with the arms hanging, as in a deadlift, that adds nothing horizontally; with the forearm level
    # it adds the full 8 cm. Where no forearm is seen, the whole 8 cm is added (the longer, cautious lever).
    along = nanmean(fore_along["left"], fore_along["right"])
    grip_dx = 0.08 * np.where(np.isfinite(along), along, 1.0)
    wrists_dx = np.einsum("td,td->t", hands - f.mid_ank, f.fwd) * m_per_unit
    f.put("hands_ankle_dx_m", np.abs(wrists_dx + grip_dx), "m")
