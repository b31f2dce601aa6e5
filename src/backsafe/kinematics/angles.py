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
from .geometry import Body, FloatArray, nanmean, nanmedian
from .measures import (
    DEFAULT_STATURE_M,
    LEG_TO_STATURE,
    Frame,
    body_line_series,
    frontal_series,
    height_series,
    joint_series,
    load_series,
    metres_per_unit,
    shrug_series,
    spine_and_head_series,
    stature_and_ground,
    trunk_series,
)

__all__ = ["DEFAULT_STATURE_M", "LEG_TO_STATURE", "PRIMARY_SERIES", "compute_kinematics", "detect_view"]

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


def _facing_2d(body: Body) -> tuple[Literal["left", "right"] | None, FloatArray]:
    """Direction the person faces in a side view: +1 = image right, -1 = image left (per frame and overall)."""
    toe = nanmean(body["left_foot_index"][:, 0] - body["left_heel"][:, 0],
                   body["right_foot_index"][:, 0] - body["right_heel"][:, 0])
    nose = body["nose"][:, 0] - body.mid("left_shoulder", "right_shoulder")[:, 0]
    ear = body["nose"][:, 0] - nanmean(body["left_ear"][:, 0], body["right_ear"][:, 0])
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
    width = nanmedian(share)
    shoulders = nanmedian(sw / FRONT_SHOULDER_TORSO)
    evidence = {"shoulder_width_torso": nanmedian(sw), "hip_width_torso": nanmedian(hw), "width_torso": width}
    if pose.world is not None:
        # yaw of the hip line in MediaPipe's world frame (estimated depth: a help, not the decider)
        w = pose.world.astype(np.float64)
        hip = w[:, J["left_hip"]] - w[:, J["right_hip"]]
        yaw = np.degrees(np.arctan2(np.abs(hip[:, 2]), np.abs(hip[:, 0])))
        evidence["world_hip_yaw_deg"] = nanmedian(yaw)
    if not np.isfinite(width):
        return "unknown", evidence
    if width <= SIDE_MAX_WIDTH:
        return "side", evidence
    if width >= FRONT_MIN_WIDTH or shoulders >= FRONT_BY_SHOULDERS:
        return "front", evidence
    return "oblique", evidence


def _axes(body: Body, dims: Literal["2d", "3d"], n: int) -> tuple[Literal["left", "right"] | None, FloatArray,
                                                                     FloatArray]:
    """(facing, forward, lateral) per frame: from the hip line and the toes in 3D; along the image's x in 2D."""
    if dims == "3d":
        lat = body["left_hip"] - body["right_hip"]  # person's right -> left
        lat[:, 1] = 0.0
        lat /= np.linalg.norm(lat, axis=1, keepdims=True)
        fwd = np.cross(lat, body.up)  # left x up = forward (right-handed, y up)
        # make sure "forward" is where the toes point
        toes = nanmean(body["left_foot_index"] - body["left_ankle"], body["right_foot_index"] - body["right_ankle"])
        if np.nanmedian(np.einsum("td,td->t", toes, fwd)) < 0:
            fwd = -fwd
        return None, fwd, lat
    facing, _ = _facing_2d(body)
    sign = 1.0 if facing != "left" else -1.0
    return facing, np.tile(np.array([sign, 0.0]), (n, 1)), np.tile(np.array([1.0, 0.0]), (n, 1))


def _confidence(xyz: FloatArray, conf: FloatArray) -> FloatArray:
    """Per frame: the better-seen side of shoulder, hip and knee (the far side is hidden in a side view), averaged
    over the joints this input has at all (an upper-body file has no knees)."""
    pairs = [(J[f"left_{n}"], J[f"right_{n}"]) for n in ("shoulder", "hip", "knee")]
    best = np.stack([np.fmax(conf[:, a], conf[:, b]) for a, b in pairs], axis=1)
    present = np.isfinite(xyz[:, [a for a, _ in pairs], 0]) | np.isfinite(xyz[:, [b for _, b in pairs], 0])
    has_joint = present.any(axis=0)
    return np.asarray(best[:, has_joint].mean(axis=1) if has_joint.any() else np.zeros(xyz.shape[0]),
                      dtype=np.float64)


def compute_kinematics(pose: PoseSequence, view: View | None = None) -> Kinematics:
    """All named series for a cleaned PoseSequence (kinematics/measures.py, one function per measure family).

    Parameters
    ----------
    pose : cleaned keypoints (see :func:`backsafe.kinematics.filtering.clean_pose`).
    view : force the camera view; detected when None.
    """
    dims: Literal["2d", "3d"] = "3d" if pose.space == "world" else "2d"
    detected, evidence = detect_view(pose)
    view = view or detected
    xyz = pose.data[..., :3].astype(np.float64)
    body = Body(xyz if dims == "3d" else xyz[..., :2], dims)
    conf = pose.data[..., 3].astype(np.float64)
    facing, fwd, lat = _axes(body, dims, pose.n_frames)
    f = Frame(body=body, dims=dims, view=view, fwd=fwd, lat=lat)
    trunk_series(f)
    joint_series(f)
    spine_and_head_series(f)
    body_line_series(f)
    stature, ground = stature_and_ground(body)
    t = pose.timestamps_s
    height_series(f, t, stature, ground)
    frontal_series(f)
    shrug_series(f)
    m_per_unit, scale_source = metres_per_unit(pose, stature)
    load_series(f, m_per_unit)
    evidence["m_per_unit"] = float(m_per_unit)
    evidence["stature_units"] = float(stature)
    return Kinematics(
        timestamps_s=t.astype(np.float64),
        series=f.series,
        units=f.units,
        view=view,
        dims=dims,
        facing=facing,
        confidence=_confidence(xyz, conf),
        stature=stature,
        length_unit="m" if pose.space == "world" else "px",
        view_evidence=evidence,
        scale_source=scale_source,
        source=pose.source,
    )
