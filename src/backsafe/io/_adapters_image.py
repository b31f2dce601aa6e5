"""Adapters for 2D image keypoints: BlazePose CSV/JSON, OpenPose JSON, COCO-18 npy, COCO-17 JSON.

Every adapter returns the canonical (T, J, 4) float32 array in image pixels (y down); the public wrapper in
:mod:`backsafe.io.keypoints` adds time stamps. Left and right are taken as the file labels them: the person's
own side as the pose model judged it. A horizontally mirrored (selfie) video therefore has its sides swapped;
the KERAAL BlazePose samples are such a case (their x is 1 - x of the OpenPose/AlphaPose files of the same
recordings and their Left_* joints move like OpenPose's r* joints).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import KeypointFormatError
from ..skeleton import BLAZEPOSE_33, JOINT_INDEX
from ._adapters_common import (
    DEFAULT_NORMALISED_SIZE,
    F32,
    MAX_FRAMES,
    as_float,
    check_frame_count,
    check_text_size,
    empty_canonical,
    estimate_image_size,
    fill_2d_trunk,
    last_number,
    natural_key,
    printable,
    put_joints,
    read_json,
)

# ----------------------------------------------------------------------------------------------- joint tables

#: OpenPose COCO-18 order (also the pose_trainer npy order) -> canonical names
COCO18: tuple[str, ...] = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow",
    "left_wrist", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
    "right_eye", "left_eye", "right_ear", "left_ear",
)  # fmt: skip

#: OpenPose BODY_25 order -> canonical names (None: no canonical counterpart, dropped)
BODY25: tuple[str | None, ...] = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow",
    "left_wrist", "pelvis", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
    "right_eye", "left_eye", "right_ear", "left_ear",
    "left_foot_index",  # 19 LBigToe
    None,  # 20 LSmallToe
    "left_heel",  # 21 LHeel
    "right_foot_index",  # 22 RBigToe
    None,  # 23 RSmallToe
    "right_heel",  # 24 RHeel
)

#: COCO-17 order (AlphaPose, KERAAL AP files) -> canonical names
COCO17: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
    "right_knee", "left_ankle", "right_ankle",
)  # fmt: skip

#: OpenPose part names as written in the KERAAL OP files (Nose, Neck, rShoulder ...), lower-cased
OPENPOSE_NAMES: dict[str, str] = {
    "nose": "nose", "neck": "neck", "midhip": "pelvis",
    "rshoulder": "right_shoulder", "relbow": "right_elbow", "rwrist": "right_wrist",
    "lshoulder": "left_shoulder", "lelbow": "left_elbow", "lwrist": "left_wrist",
    "rhip": "right_hip", "rknee": "right_knee", "rankle": "right_ankle",
    "lhip": "left_hip", "lknee": "left_knee", "lankle": "left_ankle",
    "reye": "right_eye", "leye": "left_eye", "rear": "right_ear", "lear": "left_ear",
    "lbigtoe": "left_foot_index", "rbigtoe": "right_foot_index", "lheel": "left_heel", "rheel": "right_heel",
}  # fmt: skip

BLAZEPOSE_NAMES: frozenset[str] = frozenset(BLAZEPOSE_33)
REQUIRED_CSV_JOINTS: tuple[str, ...] = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")


def scale_normalised(data: F32, image_size: tuple[int, int] | None) -> tuple[int, int]:
    """Scale normalised 0-1 x, y (and BlazePose z, same scale as x) to pixels in place.

    Without ``image_size`` the frame is taken as 1000 x 1000: the true aspect ratio is unknown, so x and y are
    treated as equally scaled and 2D angles come out distorted by the clip's real aspect ratio.
    """
    width, height = image_size if image_size is not None else DEFAULT_NORMALISED_SIZE
    data[..., 0] *= width
    data[..., 1] *= height
    data[..., 2] *= width
    return width, height


def finish_pixels(data: F32, image_size: tuple[int, int] | None) -> tuple[int, int]:
    """Pixel formats: derived trunk joints, and the image size given or estimated from the keypoints."""
    fill_2d_trunk(data)
    return image_size if image_size is not None else estimate_image_size(data)


# ----------------------------------------------------------------------------------------------- BlazePose CSV


@dataclass(frozen=True, slots=True)
class CsvTable:
    """A BlazePose landmark CSV in canonical form plus its non-landmark columns."""

    data: F32  # (T, J, 4) in normalised units (not yet scaled)
    segments: npt.NDArray[np.int64] | None
    labels: npt.NDArray[np.str_]


def csv_landmark_names(header: Sequence[str]) -> list[str]:
    """BlazePose landmark names that have an ``<name>_x`` column, in header order."""
    return [h[:-2] for h in header if h.endswith("_x") and h[:-2] in BLAZEPOSE_NAMES]


def read_blazepose_csv(path: Path) -> CsvTable:
    """Parse a BlazePose landmark CSV (``<landmark>_x, _y, _z, _v``); other columns are kept aside."""
    check_text_size(path)
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise KeypointFormatError(f"{path}: not a readable CSV ({exc}); expected a BlazePose landmark CSV") from exc
    if not rows:
        raise KeypointFormatError(f"{path}: the file is empty; expected a header row with <landmark>_x columns")
    header = [h.strip().lower() for h in rows[0]]
    body = [r for r in rows[1:] if any(cell.strip() for cell in r)]
    names = csv_landmark_names(header)
    missing = [n for n in REQUIRED_CSV_JOINTS if n not in names or n + "_y" not in header]
    if missing:
        raise KeypointFormatError(
            f"{path}: BlazePose CSV needs <landmark>_x/_y columns for at least shoulders and hips; "
            f"missing {', '.join(missing)} (header starts {printable(', '.join(header[:6])) or 'empty'})"
        )
    check_frame_count(len(body), path, "the CSV")
    col = {h: i for i, h in enumerate(header)}
    values = _csv_numbers(path, body, len(header))
    data = empty_canonical(len(body))
    for name in names:
        xyz = np.stack([_column(values, col.get(f"{name}_{a}")) for a in "xyz"], axis=1)[:, None, :]
        vis = _column(values, col.get(f"{name}_v"), default=1.0)
        # a row with x, y but no visibility cell counts as seen; NaN x/y makes the joint missing
        vis = np.where(np.isnan(vis), 1.0, vis)
        put_joints(data, xyz, vis[:, None], {0: name})
    segments = _csv_segments(path, body, col.get("segment"))
    label_col = col.get("label")
    labels = np.array([r[label_col].strip() if label_col is not None and label_col < len(r) else "" for r in body])
    return CsvTable(data=data, segments=segments, labels=labels.astype(np.str_))


def _csv_numbers(path: Path, body: list[list[str]], n_cols: int) -> npt.NDArray[np.float64]:
    """All cells as floats, NaN where empty or not a number (label columns are text)."""
    out = np.full((len(body), n_cols), np.nan)
    for i, row in enumerate(body):
        if len(row) > n_cols:
            raise KeypointFormatError(f"{path}: row {i + 2} has {len(row)} cells, the header {n_cols}")
        for j, cell in enumerate(row):
            try:
                out[i, j] = float(cell)
            except ValueError:
                pass
    return out


def _column(values: npt.NDArray[np.float64], index: int | None, default: float = math.nan) -> Any:
    if index is None:
        return np.full(values.shape[0], default)
    return values[:, index]


def _csv_segments(path: Path, body: list[list[str]], index: int | None) -> npt.NDArray[np.int64] | None:
    if index is None:
        return None
    try:
        return np.array([int(float(r[index])) for r in body], dtype=np.int64)
    except (ValueError, IndexError, OverflowError) as exc:
        raise KeypointFormatError(f"{path}: the segment column must hold whole numbers in every row") from exc


def load_blazepose_csv(path: Path, image_size: tuple[int, int] | None) -> tuple[F32, tuple[int, int]]:
    table = read_blazepose_csv(path)
    size = scale_normalised(table.data, image_size)
    fill_2d_trunk(table.data)
    return table.data, size


# ------------------------------------------------------------------------------------- {"positions": ...} JSON


def positions_frames(path: Path, doc: Any) -> tuple[list[float], list[Mapping[str, Any]]]:
    """Frames of a KERAAL-style ``{"positions": {frame: {joint: [x, y, ...]}}}`` document, in frame order."""
    positions = doc.get("positions") if isinstance(doc, dict) else None
    if not isinstance(positions, dict):
        raise KeypointFormatError(f'{path}: expected {{"positions": {{frame: {{joint: [x, y, ...]}}}}}}')
    check_frame_count(len(positions), path, '"positions"')
    try:
        keyed = sorted((float(k), v) for k, v in positions.items())
    except (ValueError, TypeError) as exc:
        raise KeypointFormatError(f'{path}: "positions" frame keys must be frame numbers, e.g. "1.0"') from exc
    frames = [v for _, v in keyed]
    if not all(isinstance(f, dict) for f in frames):
        raise KeypointFormatError(f'{path}: each "positions" frame must map joint names to [x, y, ...]')
    return [k for k, _ in keyed], frames


def positions_joint_keys(frames: Sequence[Mapping[str, Any]], limit: int = 50) -> set[str]:
    """Union of the joint keys of the first frames (some frames are empty or partial)."""
    keys: set[str] = set()
    for frame in frames[:limit]:
        keys.update(str(k) for k in frame)
    return keys


def positions_to_array(
    path: Path, frames: Sequence[Mapping[str, Any]], mapping: Mapping[str, str], layout: str
) -> tuple[F32, bool]:
    """Fill the canonical array from named joints; returns (data, had_depth).

    ``mapping`` maps the file's joint key to a canonical name. With ``layout="xyzv"`` (BlazePose) a value is
    [x, y], [x, y, z] or [x, y, z, visibility]; with ``layout="xyc"`` (OpenPose, COCO-17) it is [x, y] or
    [x, y, confidence]. Absent joints stay missing; present ones without a confidence get 1.
    """
    data = empty_canonical(len(frames))
    had_depth = False
    conf_at = 3 if layout == "xyzv" else 2
    try:
        for t, frame in enumerate(frames):
            for key, value in frame.items():
                name = mapping.get(str(key))
                if name is None:
                    continue
                if not isinstance(value, (list, tuple)) or len(value) < 2:
                    raise TypeError(f"joint {key!r} in frame {t}: expected [x, y, ...], got {value!r}")
                x, y = as_float(value[0]), as_float(value[1])
                z = as_float(value[2]) if layout == "xyzv" and len(value) > 2 else math.nan
                c = as_float(value[conf_at]) if len(value) > conf_at else 1.0
                if not (math.isfinite(x) and math.isfinite(y) and c > 0) or math.isinf(z):
                    continue
                had_depth |= math.isfinite(z)
                data[t, JOINT_INDEX[name]] = (x, y, z, min(c, 1.0))
    except (TypeError, ValueError, OverflowError) as exc:
        raise KeypointFormatError(f"{path}: {exc}") from exc
    return data, had_depth


def blazepose_json_mapping(keys: set[str]) -> dict[str, str]:
    return {k: k.lower() for k in keys if k.lower() in BLAZEPOSE_NAMES}


def openpose_names_mapping(keys: set[str]) -> dict[str, str]:
    return {k: OPENPOSE_NAMES[k.lower()] for k in keys if k.lower() in OPENPOSE_NAMES}


def coco17_mapping(keys: set[str]) -> dict[str, str]:
    return {str(i): name for i, name in enumerate(COCO17) if str(i) in keys}


def load_positions_json(
    path: Path, doc: Any, fmt: str, image_size: tuple[int, int] | None
) -> tuple[F32, tuple[int, int], list[float]]:
    """blazepose-json, openpose-json (KERAAL names) or coco17-json in the KERAAL ``positions`` layout."""
    numbers, frames = positions_frames(path, doc)
    keys = positions_joint_keys(frames, limit=len(frames))
    if fmt == "blazepose-json":
        mapping, layout, need = blazepose_json_mapping(keys), "xyzv", "BlazePose names (Nose, Left_shoulder, ...)"
    elif fmt == "openpose-json":
        mapping, layout, need = openpose_names_mapping(keys), "xyc", "OpenPose names (Nose, Neck, rShoulder, ...)"
    else:
        mapping, layout, need = coco17_mapping(keys), "xyc", 'COCO-17 joint keys "0".."16"'
    if not {"left_shoulder", "right_shoulder"} & set(mapping.values()):
        shown = printable(", ".join(sorted(keys)[:6])) or "none"
        raise KeypointFormatError(f"{path}: {fmt} expects joint keys with {need}; got {shown}")
    data, _ = positions_to_array(path, frames, mapping, layout)
    size = scale_normalised(data, image_size)
    fill_2d_trunk(data)
    return data, size, numbers


# ------------------------------------------------------------------------------------- OpenPose per-frame JSON


def openpose_people_row(path: Path, doc: Any) -> npt.NDArray[np.float64] | None:
    """``people[0].pose_keypoints_2d`` as a (K, 3) array, None when nobody was detected."""
    if not isinstance(doc, dict) or not isinstance(doc.get("people"), list):
        raise KeypointFormatError(f'{path}: expected an OpenPose frame {{"people": [{{"pose_keypoints_2d": ...}}]}}')
    people = doc["people"]
    if not people:
        return None
    first = people[0]
    flat = first.get("pose_keypoints_2d") if isinstance(first, dict) else None
    if not isinstance(flat, list):
        raise KeypointFormatError(f"{path}: people[0] has no pose_keypoints_2d list")
    if len(flat) not in (54, 75):
        raise KeypointFormatError(
            f"{path}: pose_keypoints_2d has {len(flat)} values; expected 54 (COCO-18) or 75 (BODY_25)"
        )
    try:
        return np.array([as_float(v) for v in flat], dtype=np.float64).reshape(-1, 3)
    except (TypeError, ValueError) as exc:
        raise KeypointFormatError(f"{path}: pose_keypoints_2d must hold numbers ({exc})") from exc


def openpose_frame_files(folder: Path) -> list[Path]:
    files = sorted((p for p in folder.iterdir() if p.suffix.lower() == ".json" and p.is_file()),
                   key=lambda p: natural_key(p.name))  # fmt: skip
    check_frame_count(len(files), folder, "the folder (no *.json frame files)")
    return files


def load_openpose_frames(
    path: Path, image_size: tuple[int, int] | None
) -> tuple[F32, tuple[int, int], list[float] | None]:
    """A folder of per-frame OpenPose JSON files (or one such file): BODY_25 or COCO-18, pixels."""
    files = openpose_frame_files(path) if path.is_dir() else [path]
    rows = [openpose_people_row(f, read_json(f)) for f in files]
    widths = {r.shape[0] for r in rows if r is not None}
    if len(widths) > 1:
        raise KeypointFormatError(f"{path}: frames mix BODY_25 and COCO-18 keypoints ({sorted(widths)} joints)")
    n_joints = widths.pop() if widths else 18
    table: Sequence[str | None] = BODY25 if n_joints == 25 else COCO18
    stacked = np.full((len(rows), n_joints, 3), np.nan)
    for t, r in enumerate(rows):
        if r is not None:
            stacked[t] = r
    data = empty_canonical(len(rows))
    xyz = np.concatenate([stacked[..., :2], np.full(stacked.shape[:2] + (1,), np.nan)], axis=2)
    put_joints(data, xyz, stacked[..., 2], {i: n for i, n in enumerate(table) if n is not None})
    present = data[..., 3] > 0
    if np.any(present) and float(np.nanmax(np.abs(data[..., :2][present]))) <= 1.0:
        # OpenPose run with --keypoint_scale 3 writes 0-1 coordinates: no real body fits in one pixel
        size = scale_normalised(data, image_size)
        fill_2d_trunk(data)
    else:
        size = finish_pixels(data, image_size)
    numbers = [last_number(f.stem) for f in files]
    frame_numbers = None if None in numbers or len(files) < 2 else [float(n) for n in numbers if n is not None]
    return data, size, frame_numbers


# ----------------------------------------------------------------------------------------------- COCO-18 npy


def load_coco18_array(
    path: Path, arr: npt.NDArray[Any], image_size: tuple[int, int] | None
) -> tuple[F32, tuple[int, int]]:
    """(T, 18, 3) x px, y px, confidence (0 = not detected, then x = y = 0)."""
    if arr.ndim != 3 or arr.shape[1:] != (18, 3):
        raise KeypointFormatError(
            f"{path}: coco18-npy expected shape (T, 18, 3), got {arr.shape}; is this another skeleton?"
        )
    check_frame_count(arr.shape[0], path, "the array")
    values = np.asarray(arr, dtype=np.float64)
    xyz = np.concatenate([values[..., :2], np.full(values.shape[:2] + (1,), np.nan)], axis=2)
    data = empty_canonical(values.shape[0])
    put_joints(data, xyz, values[..., 2], dict(enumerate(COCO18)))
    return data, finish_pixels(data, image_size)


__all__ = [
    "BODY25",
    "COCO17",
    "COCO18",
    "MAX_FRAMES",
    "CsvTable",
    "load_blazepose_csv",
    "load_coco18_array",
    "load_openpose_frames",
    "load_positions_json",
    "openpose_people_row",
    "positions_frames",
    "positions_joint_keys",
    "read_blazepose_csv",
]
