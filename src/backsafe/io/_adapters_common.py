"""Shared pieces of the keypoint adapters: canonical arrays, time stamps, limits, safe reading.

Private: the public entry points live in :mod:`backsafe.io.keypoints`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import InputError, KeypointFormatError, ValueRangeError
from ..model import PoseSequence, Space
from ..skeleton import JOINT_INDEX, N_JOINTS

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]

#: more frames than this is not an exercise set (≈ 9 h at 30 fps): refuse instead of filling memory
MAX_FRAMES = 1_000_000
#: text keypoint files (JSON, CSV, TXT) larger than this are refused before they are read
MAX_TEXT_BYTES = 1 << 30
MIN_FPS, MAX_FPS = 1.0, 1000.0

#: normalised 0-1 coordinates are scaled to this (width, height) when the caller gives no image size. The
#: true aspect ratio is unknown then: x and y are treated as equally scaled, so 2D angles are distorted by the
#: real aspect ratio (a 16:9 clip squeezes horizontal distances by 9/16). Pass image_size to undo it.
DEFAULT_NORMALISED_SIZE: tuple[int, int] = (1000, 1000)


def empty_canonical(n_frames: int) -> F32:
    """(T, J, 4) float32 array: xyz NaN, confidence 0 (every joint missing)."""
    data = np.full((n_frames, N_JOINTS, 4), np.nan, dtype=np.float32)
    data[..., 3] = 0.0
    return data


def check_frame_count(n_frames: int, path: Path, what: str) -> None:
    if n_frames == 0:
        raise KeypointFormatError(f"{path}: {what} holds no frames; is the file complete?")
    if n_frames > MAX_FRAMES:
        raise KeypointFormatError(
            f"{path}: {what} holds {n_frames} frames, more than the limit of {MAX_FRAMES}; split the recording"
        )


def world_from_positions(positions_m: npt.NDArray[np.floating[Any]], mapping: dict[int, str], *,
                         origin_is_gap: bool = True) -> F32:
    """(T, S, 3) metres -> canonical (T, J, 4). A joint not finite is missing, and so is one at exactly (0, 0, 0)
    when ``origin_is_gap`` (how sensors export a lost joint; not for joints computed from markers)."""
    values = np.asarray(positions_m, dtype=np.float64)
    finite = np.all(np.isfinite(values), axis=2)
    at_origin = np.all(values == 0.0, axis=2) if origin_is_gap else np.zeros_like(finite)
    conf = np.where(finite & ~at_origin, 1.0, 0.0)
    data = empty_canonical(values.shape[0])
    put_joints(data, np.where(finite[..., None], values, np.nan), conf, mapping)
    return data


def check_points_array(path: Path, arr: npt.NDArray[Any], n_points: int, fmt: str, unit: str) -> None:
    """A (T, n_points, 3) array with at least one frame and not more than the limit."""
    if arr.ndim != 3 or arr.shape[1:] != (n_points, 3):
        raise KeypointFormatError(f"{path}: {fmt} expected shape (T, {n_points}, 3) {unit}, got {arr.shape}")
    check_frame_count(arr.shape[0], path, "the array")


def check_fps(fps: float | None, path: Path, fmt: str) -> float:
    """Validate the caller's frame rate for a format whose file carries no time stamps."""
    if fps is None:
        raise InputError(f"{path}: {fmt} carries no time stamps; pass --fps (e.g. --fps 30)")
    if isinstance(fps, bool) or not isinstance(fps, (int, float, np.integer, np.floating)):
        raise ValueRangeError(f"fps must be a number between {MIN_FPS:g} and {MAX_FPS:g}, got {fps!r}")
    value = float(fps)
    if not math.isfinite(value) or not MIN_FPS <= value <= MAX_FPS:
        raise ValueRangeError(f"fps must be between {MIN_FPS:g} and {MAX_FPS:g}, got {fps!r}")
    return value


def check_image_size(image_size: Sequence[int] | None) -> tuple[int, int] | None:
    """(width, height) as two positive whole pixel counts, or None."""
    if image_size is None:
        return None
    values = list(image_size) if isinstance(image_size, (tuple, list)) else []
    numeric = (int, float, np.integer, np.floating)
    whole = [v for v in values if isinstance(v, numeric) and not isinstance(v, bool) and float(v).is_integer()]
    if len(values) != 2 or len(whole) != 2 or not all(0 < float(v) <= 100_000 for v in whole):
        raise ValueRangeError(
            f"image_size must be (width, height), two positive whole pixel counts, got {image_size!r}"
        )
    return int(whole[0]), int(whole[1])


def frame_times(n_frames: int, fps: float) -> F64:
    """Time stamps in s of evenly spaced frames: ``arange(T) / fps``."""
    return np.arange(n_frames, dtype=np.float64) / fps


def expand_to_frame_numbers(data: F32, frame_numbers: Sequence[float] | None, path: Path) -> F32:
    """Put frames at their frame numbers, inserting all-missing frames where numbers are skipped.

    A tracker that found nobody in a frame may leave the frame out (AlphaPose does); keeping the gap keeps the
    time of every later frame right. Numbers that are not whole and strictly increasing are ignored.
    """
    if frame_numbers is None or len(frame_numbers) != data.shape[0] or data.shape[0] < 2:
        return data
    numbers = np.asarray(frame_numbers, dtype=np.float64)
    if not (np.all(np.isfinite(numbers)) and np.all(numbers == np.round(numbers)) and np.all(np.diff(numbers) > 0)):
        return data
    rows = (numbers - numbers[0]).astype(np.int64)
    span = int(rows[-1]) + 1
    if span == data.shape[0]:
        return data
    check_frame_count(span, path, f"the frame numbers ({numbers[0]:.0f} to {numbers[-1]:.0f})")
    out = empty_canonical(span)
    out[rows] = data
    return out


def put_joints(
    data: F32,
    values: npt.NDArray[np.floating[Any]],
    conf: npt.NDArray[np.floating[Any]],
    mapping: Mapping[int, str],
) -> None:
    """Copy source joints into the canonical array.

    ``values`` is (T, S, 3) xyz (NaN where unknown), ``conf`` (T, S). A joint whose x or y is not finite, or
    whose confidence is not > 0, becomes missing (NaN xyz, confidence 0).
    """
    for src, name in mapping.items():
        dst = JOINT_INDEX[name]
        # robustness fix (issue 9, parser fuzzing): cast first, so a value too big for float32 (inf) is missing
        with np.errstate(over="ignore", invalid="ignore"):
            xyz = values[:, src, :3].astype(np.float32)
        c = conf[:, src]
        present = np.isfinite(xyz[:, 0]) & np.isfinite(xyz[:, 1]) & np.isfinite(c) & (c > 0)
        if values.shape[2] >= 3:
            present &= ~np.isinf(xyz[:, 2])
        data[present, dst, :3] = xyz[present]
        data[present, dst, 3] = np.clip(c[present], 0.0, 1.0)


def fill_midpoint(data: F32, target: str, a: str, b: str) -> None:
    """Fill the frames where ``target`` is missing with the midpoint of ``a`` and ``b`` (both present)."""
    t, ia, ib = JOINT_INDEX[target], JOINT_INDEX[a], JOINT_INDEX[b]
    missing = data[:, t, 3] <= 0
    both = (data[:, ia, 3] > 0) & (data[:, ib, 3] > 0)
    rows = missing & both
    if not np.any(rows):
        return
    data[rows, t, :3] = 0.5 * (data[rows, ia, :3] + data[rows, ib, :3])
    data[rows, t, 3] = np.minimum(data[rows, ia, 3], data[rows, ib, 3])


def fill_2d_trunk(data: F32) -> None:
    """Derived trunk joints of 2D formats: pelvis = mid-hip, neck = mid-shoulder, where not measured.

    spine_mid and spine_chest stay missing: a single camera does not see the spine.
    """
    fill_midpoint(data, "pelvis", "left_hip", "right_hip")
    fill_midpoint(data, "neck", "left_shoulder", "right_shoulder")


def estimate_image_size(data: F32) -> tuple[int, int]:
    """(ceil(max x), ceil(max y)) over present joints, at least 1 px: a floor for the unknown frame size."""
    present = data[..., 3] > 0
    if not np.any(present):
        return (1, 1)
    xs, ys = data[..., 0][present], data[..., 1][present]
    return (max(1, math.ceil(float(np.max(xs)))), max(1, math.ceil(float(np.max(ys)))))


def check_any_present(data: F32, path: Path) -> None:
    if not np.any(data[..., 3] > 0):
        raise KeypointFormatError(
            f"{path}: no finite keypoint in {data.shape[0]} frames (all missing, NaN or inf); "
            "is this the right file?"
        )


def build_sequence(
    data: F32,
    timestamps_s: F64,
    *,
    path: Path,
    source: str,
    space: Space,
    image_size: tuple[int, int] | None,
) -> PoseSequence:
    """Final checks shared by every adapter, then the PoseSequence (its joints: the canonical ones, its default)."""
    # robustness fix (issue 9, parser fuzzing): huge finite values overflow to inf when cast to float32 or scaled
    # to pixels; such a joint is missing (NaN, confidence 0), an infinite depth is unknown (NaN)
    bad = ~(np.isfinite(data[..., 0]) & np.isfinite(data[..., 1]))
    if bad.any():
        data[bad, :3] = np.nan
        data[bad, 3] = 0.0
    data[..., 2][np.isinf(data[..., 2])] = np.nan
    check_any_present(data, path)
    return PoseSequence(
        data=data,
        timestamps_s=timestamps_s,
        space=space,
        image_size=image_size,
        source=source,
    )


def check_text_size(path: Path) -> None:
    size = path.stat().st_size
    if size == 0:
        raise KeypointFormatError(f"{path}: the file is empty; is the export complete?")
    if size > MAX_TEXT_BYTES:
        raise KeypointFormatError(
            f"{path}: {size / 2**20:.0f} MiB is over the {MAX_TEXT_BYTES >> 20} MiB limit for text keypoint files"
        )


def read_json(path: Path) -> Any:
    """Parse a JSON file; every failure becomes a KeypointFormatError."""
    check_text_size(path)
    try:
        with path.open("r", encoding="utf-8") as fh:
            return json.load(fh)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise KeypointFormatError(f"{path}: not valid JSON ({exc}); expected a keypoint JSON export") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc


def read_text_head(path: Path, n_bytes: int = 1 << 16) -> str:
    """The first bytes of a text file, decoded; KeypointFormatError when it is binary."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(n_bytes)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc
    if b"\x00" in raw:
        raise KeypointFormatError(f"{path}: binary content where a text keypoint file was expected")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # a multi-byte character may be cut at the end of the chunk; drop it
        return raw[: n_bytes - 4].decode("utf-8-sig", errors="replace")


def printable(text: str, limit: int = 120) -> str:
    """File content quoted in a message, kept on one line: control characters escaped, cut at ``limit``.

    Robustness fix (issue 9, parser fuzzing): a JSON key or CSV header with a newline broke the one-line message.
    """
    out = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return out if len(out) <= limit else out[: limit - 3] + "..."


def as_float(value: Any) -> float:
    """float(value) for JSON numbers; NaN for null; TypeError/ValueError for anything else."""
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return float(value)


_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[Any, ...]:
    """Sort key that orders ``f_2`` before ``f_10``."""
    return tuple(int(part) if part.isdigit() else part.lower() for part in _DIGITS.split(name))


def last_number(name: str) -> int | None:
    found = _DIGITS.findall(name)
    return int(found[-1]) if found else None
