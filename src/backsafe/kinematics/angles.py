"""Kinematics: named angle and distance time series, view detection, and the body scale.

Conventions
-----------
- Angles in degrees. Flexion angles are ``180 - included angle`` (0 = straight joint).
- Image space (2D): x right, y down, pixels; "vertical" is the image's y axis (camera assumed level).
- World space (3D, measured or MediaPipe world landmarks): metres, y up. Sagittal and frontal planes come from
  the person's own body axes (hip line = lateral axis), so every fault can be judged from 3D.
- Lengths are normalised by the stature (``*_rel``) or the hip width (``*_hipw``) so thresholds do not depend on
  camera distance; ``load_lever_m`` is in metres (scale from MediaPipe's world landmarks or anthropometry).
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import numpy.typing as npt

from ..model import Kinematics, PoseSequence, View
from ..skeleton import JOINT_INDEX as J

FloatArray = npt.NDArray[np.float64]

#: series name of each exercise primary signal (exercises.json ``primary_signal``)
PRIMARY_SERIES: dict[str, str] = {
    "knee_flexion": "knee_flexion_deg",
    "hip_flexion": "hip_flexion_deg",
    "hip_extension": "hip_flexion_deg",
    "elbow_flexion": "elbow_flexion_deg",
    "shoulder_elevation": "shoulder_elevation_deg",
    "shoulder_shrug": "shoulder_shrug_rel",
    "trunk_inclination": "trunk_inclination_deg",
    "hip_height": "hip_height_rel",
    "knee_separation": "knee_separation_hipw",
}

#: de Leva (1996) / Winter: thigh + shank ≈ 0.49 of stature; used when no metric scale is available
LEG_TO_STATURE = 0.49
DEFAULT_STATURE_M = 1.75

#: view detection: the 2D shoulder and hip widths across the torso (perpendicular to the hip→shoulder line, so a
#: trunk bent level in a good morning or turned in a jumping jack's arm swing is measured the same), each as a share
#: of its frontal width: shoulders ≈ 0.75 torso lengths apart, hip joint centres ≈ 0.45 (MediaPipe on the front-view
#: clips of datasets/clips: 0.71-0.83 and 0.43-0.53). The share ≈ |cos(yaw)|, the mean of the two. A skeleton whose
#: hips sit close together (COCO/OpenPose hips, a narrow pelvis) still reads as front by its shoulders alone when
#: they are at least 0.9 of their frontal width. Side: share ≤ 0.45 (yaw ≥ ~63°); front: ≥ 0.75 (yaw ≤ ~41°);
#: oblique between.
FRONT_SHOULDER_TORSO = 0.75
FRONT_HIP_TORSO = 0.45
FRONT_BY_SHOULDERS = 0.9
SIDE_MAX_WIDTH = 0.45
FRONT_MIN_WIDTH = 0.75


def _nanmean(*arrays: FloatArray) -> FloatArray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return np.asarray(np.nanmean(np.stack(arrays), axis=0), dtype=np.float64)


def _nanmedian(x: FloatArray) -> float:
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def _included_angle(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Angle at b (degrees) between b->a and b->c; vectors (T, D)."""
    u = a - b
    v = c - b
    nu = np.linalg.norm(u, axis=1)
    nv = np.linalg.norm(v, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.einsum("td,td->t", u, v) / (nu * nv)
    return np.asarray(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))), dtype=np.float64)


def _angle_between(u: FloatArray, v: FloatArray) -> FloatArray:
    nu = np.linalg.norm(u, axis=1)
    nv = np.linalg.norm(v, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.einsum("td,td->t", u, v) / (nu * nv)
    return np.asarray(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))), dtype=np.float64)


class _Body:
    """Joint positions (T, D) by name, in a frame where axis 1 is UP, with per-frame body axes."""

    def __init__(self, xyz: FloatArray, dims: Literal["2d", "3d"]) -> None:
        self.dims = dims
        if dims == "2d":
            # image (x right, y down) -> (x right, y up) so that "up" is +y in both cases
            self.p = np.stack([xyz[..., 0], -xyz[..., 1]], axis=-1)
        else:
            self.p = xyz
        self.up = np.zeros(self.p.shape[-1])
        self.up[1] = 1.0

    def __getitem__(self, name: str) -> FloatArray:
        return self.p[:, J[name]]

    def mid(self, a: str, b: str) -> FloatArray:
        """Midpoint of two joints; where one is missing (the hidden side in a side view), the other one."""
        return _nanmean(self[a], self[b])


def _facing_2d(body: _Body) -> tuple[Literal["left", "right"] | None, FloatArray]:
    """Direction the person faces in a side view: +1 = image right, -1 = image left (per frame and overall)."""
    toe = _nanmean(body["left_foot_index"][:, 0] - body["left_heel"][:, 0],
                   body["right_foot_index"][:, 0] - body["right_heel"][:, 0])
    nose = body["nose"][:, 0] - body.mid("left_shoulder", "right_shoulder")[:, 0]
    ear = body["nose"][:, 0] - _nanmean(body["left_ear"][:, 0], body["right_ear"][:, 0])
    votes = np.nansum(np.stack([np.sign(toe) * 2, np.sign(nose), np.sign(ear) * 2]), axis=0)
    overall = np.nansum(np.sign(votes))
    if overall == 0:
        return None, np.sign(votes)
    return ("right" if overall > 0 else "left"), np.sign(votes)


def detect_view(pose: PoseSequence, frames: npt.NDArray[np.bool_] | None = None) -> tuple[View, dict[str, float]]:
    """Side, front or oblique from the 2D widths of the shoulders and hips across the torso.

    In a side view the left and right shoulders (and hips) overlap in the image (width ≈ 0-0.25 of their frontal
    width); from the front they are a shoulder width apart. Measured 3D skeletons are judged in the body's own
    axes and reported as "front" (the sensor faces the person) with dims "3d". ``frames``: judge only these
    frames (the reps: a clip whose person walks about or turns before and after the set, issue 16's jumping jack).
    """
    d = pose.data if frames is None else pose.data[frames]
    ls, rs, lh, rh = (d[:, J[n], :2].astype(np.float64) for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip"))
    if pose.space == "world":
        return "front", {"world": 1.0}
    axis = 0.5 * (ls + rs) - 0.5 * (lh + rh)
    torso = np.linalg.norm(axis, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ax = axis / torso[:, None]

        def across(v: FloatArray) -> FloatArray:
            return np.asarray(np.abs(ax[:, 0] * v[:, 1] - ax[:, 1] * v[:, 0]) / torso, dtype=np.float64)

        sw = across(ls - rs)
        hw = across(lh - rh)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        share = np.nanmean(np.stack([sw / FRONT_SHOULDER_TORSO, hw / FRONT_HIP_TORSO]), axis=0)
    width = _nanmedian(share)
    shoulders = _nanmedian(sw / FRONT_SHOULDER_TORSO)
    evidence = {"shoulder_width_torso": _nanmedian(sw), "hip_width_torso": _nanmedian(hw), "width_torso": width}
    if pose.world is not None:
        # yaw of the hip line in MediaPipe's world frame (estimated depth: a help, not the decider)
        w = pose.world.astype(np.float64)
        hip = w[:, J["left_hip"]] - w[:, J["right_hip"]]
        yaw = np.degrees(np.arctan2(np.abs(hip[:, 2]), np.abs(hip[:, 0])))
        evidence["world_hip_yaw_deg"] = _nanmedian(yaw)
    if not np.isfinite(width):
        return "unknown", evidence
    if width <= SIDE_MAX_WIDTH:
        return "side", evidence
    if width >= FRONT_MIN_WIDTH or shoulders >= FRONT_BY_SHOULDERS:
        return "front", evidence
    return "oblique", evidence


def _stature_and_ground(body: _Body, conf: FloatArray) -> tuple[float, float]:
    """Standing height (in the data's length unit) and the ground level (axis-1 coordinate, up positive)."""
    feet = np.stack([body[n][:, 1] for n in ("left_ankle", "right_ankle", "left_heel", "right_heel",
                                               "left_foot_index", "right_foot_index")], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        lowest = np.nanmin(feet, axis=1)
    ground = float(np.nanpercentile(lowest, 10)) if np.isfinite(lowest).any() else float("nan")
    thigh = _nanmean(np.linalg.norm(body["left_hip"] - body["left_knee"], axis=1),
                     np.linalg.norm(body["right_hip"] - body["right_knee"], axis=1))
    shank = _nanmean(np.linalg.norm(body["left_knee"] - body["left_ankle"], axis=1),
                     np.linalg.norm(body["right_knee"] - body["right_ankle"], axis=1))
    leg = thigh + shank
    # the longest stretch the legs show (foreshortening only shortens them)
    leg_len = float(np.nanpercentile(leg, 90)) if np.isfinite(leg).any() else float("nan")
    stature = leg_len / LEG_TO_STATURE if np.isfinite(leg_len) else float("nan")
    return stature, ground


def _metres_per_unit(pose: PoseSequence, body: _Body, stature: float) -> tuple[float, str]:
    if pose.space == "world":
        return 1.0, "measured 3D"
    if pose.world is not None:
        w = pose.world.astype(np.float64)
        wl = np.linalg.norm(w[:, J["left_hip"]] - w[:, J["left_knee"]], axis=1) + np.linalg.norm(
            w[:, J["left_knee"]] - w[:, J["left_ankle"]], axis=1)
        wr = np.linalg.norm(w[:, J["right_hip"]] - w[:, J["right_knee"]], axis=1) + np.linalg.norm(
            w[:, J["right_knee"]] - w[:, J["right_ankle"]], axis=1)
        leg_m = _nanmedian(_nanmean(wl, wr))
        if np.isfinite(leg_m) and np.isfinite(stature) and stature > 0:
            return leg_m / (stature * LEG_TO_STATURE), "MediaPipe world landmarks"
    if np.isfinite(stature) and stature > 0:
        return DEFAULT_STATURE_M / stature, f"assumed stature {DEFAULT_STATURE_M} m"
    return float("nan"), "unknown"


def _signed_plane_angle(v: FloatArray, up: FloatArray, fwd: FloatArray) -> FloatArray:
    """Angle of v from vertical within the plane (up, fwd); + toward fwd. v, fwd: (T, D)."""
    a = np.einsum("td,d->t", v, up)
    b = np.einsum("td,td->t", v, fwd)
    return np.asarray(np.degrees(np.arctan2(b, a)), dtype=np.float64)


def compute_kinematics(pose: PoseSequence, view: View | None = None) -> Kinematics:
    """All named series for a cleaned PoseSequence.

    Parameters
    ----------
    pose : cleaned keypoints (see :func:`backsafe.kinematics.filtering.clean_pose`).
    view : force the camera view; detected when None.
    """
    dims: Literal["2d", "3d"] = "3d" if pose.space == "world" else "2d"
    detected, evidence = detect_view(pose)
    view = view or detected
    xyz = pose.data[..., :3].astype(np.float64)
    body = _Body(xyz if dims == "3d" else xyz[..., :2], dims)
    conf = pose.data[..., 3].astype(np.float64)
    T = pose.n_frames
    S: dict[str, FloatArray] = {}
    U: dict[str, str] = {}

    def put(name: str, values: FloatArray, unit: str) -> None:
        S[name] = np.asarray(values, dtype=np.float64)
        U[name] = unit

    mid_sh = body.mid("left_shoulder", "right_shoulder")
    mid_hip = body.mid("left_hip", "right_hip")
    mid_ank = body.mid("left_ankle", "right_ankle")
    trunk = mid_sh - mid_hip

    # forward direction and lateral axis
    facing: Literal["left", "right"] | None = None
    if dims == "3d":
        lat = body["left_hip"] - body["right_hip"]  # person's right -> left
        lat[:, 1] = 0.0
        lat /= np.linalg.norm(lat, axis=1, keepdims=True)
        fwd = np.cross(lat, body.up)  # left x up = forward (right-handed, y up)
        # make sure "forward" is where the toes point
        toes = _nanmean(body["left_foot_index"] - body["left_ankle"], body["right_foot_index"] - body["right_ankle"])
        if np.nanmedian(np.einsum("td,td->t", toes, fwd)) < 0:
            fwd = -fwd
    else:
        facing, _ = _facing_2d(body)
        sign = 1.0 if facing != "left" else -1.0
        fwd = np.tile(np.array([sign, 0.0]), (T, 1))
        lat = np.tile(np.array([1.0, 0.0]), (T, 1))

    # trunk inclination to vertical: sagittal, + forward (COACHING_RULES §5 R proxy, A lean-back)
    if dims == "3d" or view in ("side", "oblique"):
        put("trunk_inclination_deg", _signed_plane_angle(trunk, body.up, fwd), "deg")
    else:
        # from the front, sagittal lean is foreshortening only: use the torso's apparent shortening
        torso_len = np.linalg.norm(trunk, axis=1)
        ref = np.nanpercentile(torso_len, 95) if np.isfinite(torso_len).any() else np.nan
        with np.errstate(invalid="ignore"):
            put("trunk_inclination_deg", np.degrees(np.arccos(np.clip(torso_len / ref, 0, 1))), "deg")
    # lateral lean (frontal plane), + toward image right / person's left in 3D
    if dims == "3d":
        put("trunk_lateral_lean_deg", _signed_plane_angle(trunk, body.up, lat), "deg")
    elif view in ("front", "oblique"):
        put("trunk_lateral_lean_deg", _signed_plane_angle(trunk, body.up, lat), "deg")

    for side in ("left", "right"):
        sh, el, wr = body[f"{side}_shoulder"], body[f"{side}_elbow"], body[f"{side}_wrist"]
        hp, kn, an = body[f"{side}_hip"], body[f"{side}_knee"], body[f"{side}_ankle"]
        put(f"hip_flexion_{side}_deg", 180.0 - _included_angle(sh, hp, kn), "deg")
        put(f"knee_flexion_{side}_deg", 180.0 - _included_angle(hp, kn, an), "deg")
        put(f"elbow_flexion_{side}_deg", 180.0 - _included_angle(sh, el, wr), "deg")
        put(f"shoulder_elevation_{side}_deg", _angle_between(hp - sh, el - sh), "deg")
    for joint in ("hip_flexion", "knee_flexion", "elbow_flexion", "shoulder_elevation"):
        put(f"{joint}_deg", _nanmean(S[f"{joint}_left_deg"], S[f"{joint}_right_deg"]), "deg")
    # spine flexion from measured spine joints (Kinect/mocap): pelvis->mid-spine vs chest->neck in the sagittal
    # plane, + = flexed forward (COACHING_RULES §5 R "with spine/thorax keypoints")
    if dims == "3d" and np.isfinite(body["spine_mid"]).any() and np.isfinite(body["neck"]).any():
        lower = body["spine_mid"] - body["pelvis"]
        upper = body["neck"] - body["spine_chest"]
        put("spine_flexion_deg", _signed_plane_angle(upper, body.up, fwd) - _signed_plane_angle(lower, body.up, fwd),
            "deg")
    # head/neck posture: ear-shoulder-hip angle (upper back and neck flexion shows as a smaller angle)
    ear = _nanmean(body["left_ear"], body["right_ear"]) if dims == "2d" else body["nose"]
    put("ear_shoulder_hip_deg", _included_angle(ear, mid_sh, mid_hip), "deg")

    # body line for planks and push-ups: + = hips sag below the shoulder-ankle line, - = hips piked
    sag = 180.0 - _included_angle(mid_sh, mid_hip, mid_ank)
    line = mid_ank - mid_sh
    rel = mid_hip - mid_sh
    if dims == "2d":
        # hip below the line (towards the ground) -> sag. "Below" = the side of the line away from +y (up).
        normal = np.stack([-line[:, 1], line[:, 0]], axis=1)
        normal *= np.sign(normal[:, 1:2] + 1e-12)  # make the normal point up
        below = np.einsum("td,td->t", rel, normal) < 0
    else:
        normal = np.cross(np.cross(line, body.up), line)
        below = np.einsum("td,td->t", rel, normal) < 0
    put("body_line_deg", np.where(below, sag, -sag), "deg")

    # heights relative to the ground, in statures (jumping, hip height)
    stature, ground = _stature_and_ground(body, conf)
    feet_y = np.stack([body[n][:, 1] for n in ("left_ankle", "right_ankle", "left_heel", "right_heel",
                                                 "left_foot_index", "right_foot_index")], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        left_foot = np.nanmin(feet_y[:, 0::2], axis=1)
        right_foot = np.nanmin(feet_y[:, 1::2], axis=1)
    put("foot_left_height_rel", (left_foot - ground) / stature, "stature")
    put("foot_right_height_rel", (right_foot - ground) / stature, "stature")
    put("feet_height_rel", np.fmin(S["foot_left_height_rel"], S["foot_right_height_rel"]), "stature")
    put("hip_height_rel", (mid_hip[:, 1] - ground) / stature, "stature")
    t = pose.timestamps_s
    if T >= 3:
        put("hip_vy_rel_s", np.gradient(S["hip_height_rel"], t), "stature/s")
        put("feet_vy_rel_s", np.gradient(S["feet_height_rel"], t), "stature/s")

    # frontal-plane measures (front view in 2D; always in 3D)
    hip_w = np.linalg.norm(body["left_hip"] - body["right_hip"], axis=1)
    if dims == "3d" or view in ("front", "oblique"):
        hip_w_ref = np.nanpercentile(hip_w, 90) if np.isfinite(hip_w).any() else np.nan
        offset = np.einsum("td,td->t", mid_hip - mid_ank, lat) / hip_w_ref
        if dims == "3d":
            # Kinect's hip joints drift sideways in deep flexion (thighs occlude the pelvis): judge the shift
            # while the knees are bent no more than 60°
            bent = np.fmax(S["knee_flexion_left_deg"], S["knee_flexion_right_deg"]) > 60.0
            offset = np.where(bent, np.nan, offset)
        put("lateral_offset_hipw", offset, "hip widths")
        hips = body["left_hip"] - body["right_hip"]
        shs = body["left_shoulder"] - body["right_shoulder"]
        put("pelvis_tilt_deg", np.degrees(np.arctan2(hips[:, 1], np.linalg.norm(np.delete(hips, 1, axis=1), axis=1))), "deg")
        put("shoulder_tilt_deg", np.degrees(np.arctan2(shs[:, 1], np.linalg.norm(np.delete(shs, 1, axis=1), axis=1))), "deg")
        if dims == "3d":
            ref_dir = np.nanmedian(hips / np.linalg.norm(hips, axis=1, keepdims=True), axis=0)
            h2 = hips.copy()
            h2[:, 1] = 0
            r2 = ref_dir.copy()
            r2[1] = 0
            # signed (about the body's up axis), so that a turn either way from the standing direction is a
            # difference, not the same unsigned angle to the clip's median direction (issue 16)
            turn = np.cross(np.tile(r2, (T, 1)), h2) @ body.up
            put("hip_yaw_deg", np.where(turn < 0, -1.0, 1.0) * _angle_between(h2, np.tile(r2, (T, 1))), "deg")
        else:
            # yaw ≈ acos(hip width / standing hip width) (COACHING_RULES §5 P)
            with np.errstate(invalid="ignore"):
                put("hip_yaw_deg", np.degrees(np.arccos(np.clip(hip_w / hip_w_ref, 0, 1))), "deg")
        for side, other in (("left", "right"), ("right", "left")):
            hp, kn, an = body[f"{side}_hip"], body[f"{side}_knee"], body[f"{side}_ankle"]
            if dims == "3d":
                # project onto the frontal plane (up, lateral) of the body
                def proj(p: FloatArray) -> FloatArray:
                    return np.stack([np.einsum("td,td->t", p, lat), p @ body.up], axis=1)

                hp2, kn2, an2, oh2 = proj(hp), proj(kn), proj(an), proj(body[f"{other}_hip"])
            else:
                hp2, kn2, an2, oh2 = hp, kn, an, body[f"{other}_hip"]
            fppa = 180.0 - _included_angle(hp2, kn2, an2)
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
                valid &= S[f"knee_flexion_{side}_deg"] <= 60.0
                # and only while the thigh and shank lie near the frontal plane (within 45°): the rear leg of a
                # lunge or a thigh pointing forward projects to a meaningless frontal angle
                for seg_vec in (kn - hp, an - kn):
                    with np.errstate(invalid="ignore", divide="ignore"):
                        out_of_plane = np.abs(np.einsum("td,td->t", seg_vec, fwd)) / np.linalg.norm(seg_vec, axis=1)
                    valid &= out_of_plane < np.sin(np.radians(45.0))
            put(f"fppa_{side}_deg", np.where(valid, signed, np.nan), "deg")
            # knee outside the foot: lateral offset of the knee from the toes (foot index), + = outside, in hip
            # widths; "knees out over the toes" is good squatting, knees wide *beyond* the toes is varus
            toe = body[f"{side}_foot_index"]
            if dims == "3d":
                toe2 = proj(toe)
            else:
                toe2 = toe
            outward = hp2 - oh2  # from the other hip towards this hip = away from the midline
            with np.errstate(invalid="ignore", divide="ignore"):
                outward = outward / np.linalg.norm(outward, axis=1, keepdims=True)
            put(f"knee_outside_toe_{side}_hipw", np.einsum("td,td->t", kn2 - toe2, outward) / hip_w_ref, "hip widths")
        knees = np.linalg.norm(body["left_knee"] - body["right_knee"], axis=1)
        put("knee_separation_hipw", knees / hip_w_ref, "hip widths")

    # shrug: shoulders rising towards the head, in torso lengths
    torso_len = np.linalg.norm(trunk, axis=1)
    torso_ref = _nanmedian(torso_len)
    put("shoulder_shrug_rel", (mid_sh[:, 1] - mid_hip[:, 1]) / torso_ref - 1.0, "torso lengths")

    # load lever arm: horizontal distance from the hands (+8 cm, NIOSH H) to L5/S1, in metres
    # L5/S1 sits on the mid-hip -> mid-shoulder line, 10 % above mid-hip (COACHING_RULES §6)
    m_per_unit, scale_source = _metres_per_unit(pose, body, stature)
    l5 = mid_hip + 0.10 * trunk
    hands = _nanmean(body["left_wrist"], body["right_wrist"])

    def ahead_m(p: FloatArray) -> FloatArray:
        """Horizontal distance in front of L5/S1 along the facing direction, metres."""
        return np.asarray(np.einsum("td,td->t", p - l5, fwd) * m_per_unit, dtype=np.float64)

    put("load_lever_m", ahead_m(hands), "m")
    # the forearm's direction projected on the facing direction, per side: the hand's COM and the NIOSH grip both
    # lie ~8 cm beyond the wrist along the forearm
    fore_along: dict[str, FloatArray] = {}
    for side in ("left", "right"):
        fore = body[f"{side}_wrist"] - body[f"{side}_elbow"]
        with np.errstate(invalid="ignore", divide="ignore"):
            fore_along[side] = np.einsum("td,td->t", fore / np.linalg.norm(fore, axis=1, keepdims=True), fwd)
    # segment centres of mass for the static L5/S1 moment (de Leva 1996 COM %, COACHING_RULES §6)
    if dims == "3d" or view in ("side", "oblique"):
        male = True  # segment COM fractions differ by < 2 % between the sexes; masses are applied later
        head = _nanmean(body["left_ear"], body["right_ear"]) if dims == "2d" else body["nose"]
        put("com_dx_head_m", ahead_m(head), "m")
        put("com_dx_trunk_m", ahead_m(mid_sh + (0.514 if male else 0.496) * (mid_hip - mid_sh)), "m")
        for side in ("left", "right"):
            sh, el, wr = body[f"{side}_shoulder"], body[f"{side}_elbow"], body[f"{side}_wrist"]
            put(f"com_dx_upperarm_{side}_m", ahead_m(sh + 0.577 * (el - sh)), "m")
            put(f"com_dx_forearm_{side}_m", ahead_m(el + 0.457 * (wr - el)), "m")
            # hand COM ≈ 8 cm beyond the wrist along the forearm (the NIOSH +8 cm grip offset)
            put(f"com_dx_hand_{side}_m", ahead_m(wr) + 0.08 * fore_along[side], "m")
    # NIOSH H: mid-ankle to the grip, and the grip is ~8 cm beyond the wrist *along the forearm* (as for the hand
    # COM above): with the arms hanging, as in a deadlift, that adds nothing horizontally; with the forearm level
    # it adds the full 8 cm. Where no forearm is seen, the whole 8 cm is added (the longer, cautious lever).
    along = _nanmean(fore_along["left"], fore_along["right"])
    grip_dx = 0.08 * np.where(np.isfinite(along), along, 1.0)
    wrists_dx = np.einsum("td,td->t", hands - mid_ank, fwd) * m_per_unit
    put("hands_ankle_dx_m", np.abs(wrists_dx + grip_dx), "m")

    evidence["m_per_unit"] = float(m_per_unit)
    evidence["stature_units"] = float(stature)
    # per frame: the better-seen side of shoulder, hip and knee (the far side is hidden in a side view), averaged
    # over the joints this input has at all (an upper-body file has no knees)
    pairs = [(J[f"left_{n}"], J[f"right_{n}"]) for n in ("shoulder", "hip", "knee")]
    best = np.stack([np.fmax(conf[:, a], conf[:, b]) for a, b in pairs], axis=1)
    present = np.isfinite(xyz[:, [a for a, _ in pairs], 0]) | np.isfinite(xyz[:, [b for _, b in pairs], 0])
    has_joint = present.any(axis=0)
    confidence = best[:, has_joint].mean(axis=1) if has_joint.any() else np.zeros(T)
    return Kinematics(
        timestamps_s=t.astype(np.float64),
        series=S,
        units=U,
        view=view,
        dims=dims,
        facing=facing,
        confidence=confidence,
        stature=stature,
        length_unit="m" if pose.space == "world" else "px",
        view_evidence=evidence,
        scale_source=scale_source,
        source=pose.source,
    )
