"""Adapters for measured 3D skeletons: UI-PRMD Kinect (npy / npz) and Kinect v2 text (KERAAL), and the
UI-PRMD npz files of either sensor (the Vicon ones hold Plug-in Gait markers, see _adapters_mocap.py).

Output is the canonical (T, J, 4) float32 array in metres, y up (``space="world"``), confidence 1 for every
present joint.

Left and right, checked on the data (both files label the person's own sides, nothing is swapped here):

* Kinect v2 text (KERAAL): native Kinect camera space, right-handed, x towards the sensor's left, y up, z away
  from the sensor. The person faces the sensor (toes point to -z), so their own left is at smaller x: the
  ``*Left`` joints are. In the KERAAL "ELK" flank stretch the Kinect ``WristRight`` rises first, exactly like
  OpenPose's ``rWrist`` in the unmirrored video of the same recording.
* UI-PRMD ``positions_abs``: camera at the origin, person at z < 0 facing +z (toes point to +z), y up,
  right-handed (BVH-style), so the person's left is at +x; the ``left *`` joints are. Checked against the
  simultaneous Vicon recordings of the hurdle step (m02): the leg that Kinect labels as stepping is on the same
  anatomical side in the right-handed Vicon lab frame (z up, forward = the stepping foot's direction, which the
  sternum-vs-C7 markers confirm), in all 10 correct reps sampled (subjects 1-7, both legs occur); 2 of 10
  incorrect reps were ambiguous (the stepping leg was not clear in the Kinect data).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import numpy.typing as npt

from ..errors import InputError, KeypointFormatError
from ._adapters_common import (
    F32,
    check_frame_count,
    check_points_array,
    check_text_size,
    read_text_head,
    world_from_positions,
)
from ._adapters_mocap import PIG_N_MARKERS, load_pig39_array

#: UI-PRMD Kinect joint index -> canonical name (collars 6, 10 and the head tip 5 have no counterpart)
UIPRMD_JOINTS: dict[int, str] = {
    0: "pelvis",  # waist (root)
    1: "spine_mid",
    2: "spine_chest",  # chest
    3: "neck",
    4: "nose",  # head centre, not the nose: used only as a head point
    7: "left_shoulder",  # left upper arm
    8: "left_elbow",  # left forearm
    9: "left_wrist",  # left hand
    11: "right_shoulder",
    12: "right_elbow",
    13: "right_wrist",
    14: "left_hip",  # left upper leg
    15: "left_knee",  # left lower leg
    16: "left_ankle",  # left foot
    17: "left_foot_index",  # left toes
    18: "right_hip",
    19: "right_knee",
    20: "right_ankle",
    21: "right_foot_index",
}
UIPRMD_N_JOINTS = 22
UIPRMD_FPS = 30.0

#: Kinect v2 joint index -> canonical name (hands, hand tips and thumbs are not mapped)
KINECT_V2_JOINTS: dict[int, str] = {
    0: "pelvis",  # SpineBase
    1: "spine_mid",  # SpineMid
    2: "neck",  # Neck
    3: "nose",  # Head: head centre, used only as a head point
    4: "left_shoulder",
    5: "left_elbow",
    6: "left_wrist",
    8: "right_shoulder",
    9: "right_elbow",
    10: "right_wrist",
    12: "left_hip",
    13: "left_knee",
    14: "left_ankle",
    15: "left_foot_index",  # FootLeft
    16: "right_hip",
    17: "right_knee",
    18: "right_ankle",
    19: "right_foot_index",  # FootRight
    20: "spine_chest",  # SpineShoulder
}
KINECT_V2_COLUMNS = 25 * 7  # 25 joints x (x, y, z in m, quaternion x, y, z, w)


def load_uiprmd_array(path: Path, arr: npt.NDArray[Any]) -> F32:
    """(T, 22, 3) UI-PRMD ``positions_abs`` in cm, y up -> canonical metres."""
    check_points_array(path, arr, UIPRMD_N_JOINTS, "kinect-uiprmd", "in cm")
    return world_from_positions(np.asarray(arr, dtype=np.float64) / 100.0, UIPRMD_JOINTS)


def load_kinect_v2_txt(path: Path) -> F32:
    """KERAAL Kinect text: whitespace separated, one row per frame, 25 joints x (x, y, z, qx, qy, qz, qw)."""
    check_text_size(path)
    read_text_head(path)  # refuses binary content before numpy tries to parse it
    try:
        table = np.loadtxt(path, dtype=np.float64, ndmin=2)
    except (ValueError, UnicodeDecodeError) as exc:
        raise KeypointFormatError(
            f"{path}: kinect-v2 expects whitespace-separated numbers, {KINECT_V2_COLUMNS} per row ({exc})"
        ) from exc
    if table.shape[0] == 0 or table.size == 0:
        raise KeypointFormatError(f"{path}: the file holds no rows; expected {KINECT_V2_COLUMNS} numbers per frame")
    if table.shape[1] != KINECT_V2_COLUMNS:
        raise KeypointFormatError(
            f"{path}: kinect-v2 expected {KINECT_V2_COLUMNS} columns (25 joints x 7), got {table.shape[1]}"
        )
    check_frame_count(table.shape[0], path, "the file")
    return world_from_positions(table.reshape(-1, 25, 7)[..., :3], KINECT_V2_JOINTS)


@dataclass(frozen=True, slots=True)
class UiprmdSensor:
    """What differs between the two sensors' UI-PRMD files."""

    key: str  # npz key of the positions
    fps: float  # frame rate (UI-PRMD paper; the files hold no time stamps)
    source: str  # PoseSequence.source of its reps
    width: int  # points per frame
    load: Callable[[Path, npt.NDArray[Any]], F32]  # one rep's positions -> canonical array


UIPRMD_SENSORS: dict[str, UiprmdSensor] = {
    "kinect": UiprmdSensor("positions_abs", UIPRMD_FPS, "kinect-uiprmd", UIPRMD_N_JOINTS, load_uiprmd_array),
    "vicon": UiprmdSensor("positions_mm", 100.0, "vicon-uiprmd", PIG_N_MARKERS, load_pig39_array),
}

_MOVEMENT = re.compile(r"^(m\d+)_(.+)$")


class UiprmdRepMeta(TypedDict):
    """Who and what one UI-PRMD repetition is (``movement_id`` "m01", ``movement`` "deep_squat")."""

    subject: int
    episode: int
    correct: bool
    movement: str
    movement_id: str
    rep_index: int


@dataclass(frozen=True, slots=True)
class UiprmdFile:
    """The validated arrays of one UI-PRMD npz (all repetitions stacked along time)."""

    path: Path
    positions: npt.NDArray[Any]  # (sum T, 22, 3) Kinect cm or (sum T, 39, 3) Vicon Plug-in Gait mm
    offsets: npt.NDArray[np.int64]  # (N + 1,)
    subject: npt.NDArray[Any]
    episode: npt.NDArray[Any]
    correct: npt.NDArray[Any]
    sensor: str = "kinect"

    @property
    def fps(self) -> float:
        return UIPRMD_SENSORS[self.sensor].fps

    @property
    def source(self) -> str:
        return UIPRMD_SENSORS[self.sensor].source

    def reps(self) -> Iterator[tuple[F32, UiprmdRepMeta]]:
        """Canonical arrays and metadata of each repetition, in file order."""
        match = _MOVEMENT.match(self.path.stem)
        movement_id, movement = (match.group(1), match.group(2)) if match else ("", self.path.stem)
        load = UIPRMD_SENSORS[self.sensor].load
        for i in range(self.offsets.shape[0] - 1):
            data = load(self.path, self.positions[self.offsets[i] : self.offsets[i + 1]])
            meta: UiprmdRepMeta = {
                "subject": int(self.subject[i]),
                "episode": int(self.episode[i]),
                "correct": bool(self.correct[i]),
                "movement": movement,
                "movement_id": movement_id,
                "rep_index": i,
            }
            yield data, meta


def read_uiprmd_npz(path: Path, sensor: str = "kinect") -> UiprmdFile:
    """Open and check a UI-PRMD npz of ``sensor`` (keys, offsets, per-rep metadata) before any rep is used."""
    spec = UIPRMD_SENSORS[sensor]
    key = spec.key
    needed = ("offsets", "subject", "episode", "correct", key)
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in needed if k not in npz.files]
            if missing:
                other = next((s for s, v in UIPRMD_SENSORS.items() if v.key in npz.files and s != sensor), None)
                hint = f"; this is a {other} file: pass sensor={other!r}" if other else ""
                raise KeypointFormatError(
                    f"{path}: UI-PRMD {sensor} npz needs keys {', '.join(needed)}; missing {', '.join(missing)}{hint}"
                )
            arrays = {k: npz[k] for k in needed}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise KeypointFormatError(f"{path}: not a readable UI-PRMD npz ({exc})") from exc
    offsets = np.asarray(arrays["offsets"]).astype(np.int64, casting="unsafe")
    positions = arrays[key]
    n_reps = offsets.shape[0] - 1 if offsets.ndim == 1 else -1
    consistent = (
        n_reps >= 1
        and positions.ndim >= 1
        and arrays["subject"].shape == arrays["episode"].shape == arrays["correct"].shape == (n_reps,)
        and offsets[0] == 0
        and offsets[-1] == positions.shape[0]
        and bool(np.all(np.diff(offsets) > 0))
    )
    if not consistent:
        raise KeypointFormatError(
            f"{path}: offsets {offsets.shape} do not cut {key} {positions.shape} into "
            f"{arrays['subject'].shape} repetitions"
        )
    if positions.ndim != 3 or positions.shape[1:] != (spec.width, 3):
        raise KeypointFormatError(f"{path}: {key} expected shape (T, {spec.width}, 3), got {positions.shape}")
    return UiprmdFile(path, positions, offsets, arrays["subject"], arrays["episode"], arrays["correct"], sensor)


def check_sensor(sensor: str) -> None:
    if sensor not in UIPRMD_SENSORS:
        raise InputError(
            f"sensor={sensor!r}: UI-PRMD files come from 'kinect' (ui_prmd/kinect/*.npz, joints) or 'vicon' "
            "(ui_prmd/vicon/*.npz, Plug-in Gait markers)"
        )


__all__ = [
    "KINECT_V2_COLUMNS",
    "UIPRMD_FPS",
    "UIPRMD_N_JOINTS",
    "UIPRMD_SENSORS",
    "check_sensor",
    "UiprmdFile",
    "UiprmdRepMeta",
    "read_uiprmd_npz",
    "load_kinect_v2_txt",
    "load_uiprmd_array",
]
