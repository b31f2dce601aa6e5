"""Keypoint files -> one canonical :class:`~backsafe.model.PoseSequence`.

Public entry points:

* :data:`KEYPOINT_FORMATS` -- the ``--input-format`` names of keypoint files (DESIGN.md, "Input formats").
* :func:`detect_format` -- guess a file's format from its extension and content ("video" for clips).
* :func:`load_keypoints` -- read one file (or OpenPose frame folder) into a PoseSequence.
* :func:`load_blazepose_csv_segments` -- one PoseSequence per ``segment`` of an Exercise-Correction CSV.
* :func:`iter_uiprmd_reps` -- one PoseSequence per repetition of a UI-PRMD npz (Kinect or Vicon).

Conventions (see :class:`~backsafe.model.PoseSequence`): float32 (T, J, 4) x, y, z, confidence in
:data:`~backsafe.skeleton.CANONICAL_JOINTS` order; missing joints NaN with confidence 0. 2D formats are in image
pixels, y down (normalised files are scaled by ``image_size``, default 1000 x 1000), with ``pelvis`` = mid-hip
and ``neck`` = mid-shoulder filled in where the format does not measure them. Kinect and motion-capture
formats are world metres, y up (Plug-in Gait markers become joint centres, see ``_adapters_mocap``). Apart from
C3D, which states its own frame rate, none of these files carries time stamps, so the caller gives ``fps``.

Every malformed input raises :class:`~backsafe.errors.KeypointFormatError` (or another
:class:`~backsafe.errors.InputError`) with a one-line message; library exceptions are wrapped.
"""

from __future__ import annotations

import csv
import io
from tokenize import TokenError
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import numpy.typing as npt

from ..errors import InputError, KeypointFormatError, ValueRangeError
from ..model import PoseSequence
from ._adapters_common import (
    build_sequence,
    check_any_present,
    check_fps,
    check_frame_count,
    check_image_size,
    check_text_size,
    expand_to_frame_numbers,
    fill_2d_trunk,
    frame_times,
    printable,
    read_json,
    read_text_head,
)
from ._adapters_image import (
    BLAZEPOSE_NAMES,
    OPENPOSE_NAMES,
    csv_landmark_names,
    load_blazepose_csv,
    load_coco18_array,
    load_openpose_frames,
    load_positions_json,
    positions_frames,
    positions_joint_keys,
    read_blazepose_csv,
    scale_normalised,
)
from ._adapters_mocap import PIG_N_MARKERS, load_pig39_array, load_pig_c3d
from ._adapters_kinect import (
    KINECT_V2_COLUMNS,
    UIPRMD_N_JOINTS,
    UiprmdFile,
    UiprmdRepMeta,
    check_sensor,
    read_uiprmd_npz,
    load_kinect_v2_txt,
    load_uiprmd_array,
)

__all__ = [
    "KEYPOINT_FORMATS",
    "VIDEO_EXTENSIONS",
    "detect_format",
    "load_keypoints",
    "load_blazepose_csv_segments",
    "iter_uiprmd_reps",
    "CsvSegmentMeta",
    "UiprmdRepMeta",
]

KEYPOINT_FORMATS: tuple[str, ...] = (
    "blazepose-csv",
    "blazepose-json",
    "openpose-json",
    "coco18-npy",
    "coco17-json",
    "kinect-uiprmd",
    "kinect-v2",
    "pig39-npy",
    "c3d",
)
VIDEO_EXTENSIONS: frozenset[str] = frozenset({".mp4", ".mov", ".webm", ".avi", ".mkv", ".m4v"})
_WORLD_FORMATS = frozenset({"kinect-uiprmd", "kinect-v2", "pig39-npy", "c3d"})
#: sources whose keypoints are skin markers of optical motion capture (mm precision), for the reference floors
MARKER_SOURCES = frozenset({"pig39-npy", "c3d", "vicon-uiprmd"})


# ----------------------------------------------------------------------------------------------- detection


def detect_format(path: str | Path) -> str:
    """Guess the input format of ``path`` from its extension and content.

    Parameters
    ----------
    path : str or Path
        A keypoint file, a folder of per-frame OpenPose JSON files, or a video.

    Returns
    -------
    str
        One of :data:`KEYPOINT_FORMATS`, or ``"video"`` for a video extension (mp4 mov webm avi mkv m4v).

    Raises
    ------
    InputError
        The path does not exist.
    KeypointFormatError
        Nothing fits; the message says what was expected and what was found.
    """
    p = _existing(path)
    if p.is_dir():
        return _detect_folder(p)
    suffix = p.suffix.lower()
    if suffix in VIDEO_EXTENSIONS:
        return "video"
    if suffix == ".npy":
        shape = _npy_shape(p)
        if len(shape) == 3 and shape[1:] == (18, 3):
            return "coco18-npy"
        if len(shape) == 3 and shape[1:] == (UIPRMD_N_JOINTS, 3):
            return "kinect-uiprmd"
        if len(shape) == 3 and shape[1:] == (PIG_N_MARKERS, 3):
            return "pig39-npy"
        raise KeypointFormatError(
            f"{p}: npy of shape {shape} fits no keypoint format; expected (T, 18, 3) OpenPose COCO-18, "
            f"(T, {UIPRMD_N_JOINTS}, 3) UI-PRMD Kinect or (T, {PIG_N_MARKERS}, 3) Plug-in Gait markers"
        )
    if suffix == ".npz":
        raise KeypointFormatError(
            f"{p}: an npz holds several UI-PRMD repetitions; read it with iter_uiprmd_reps(), "
            "or save one repetition's positions_abs as (T, 22, 3) .npy"
        )
    if suffix == ".json":
        return _detect_json(p, read_json(p))
    if suffix == ".csv":
        return _detect_csv(p)
    if suffix == ".txt":
        return _detect_txt(p)
    if suffix == ".c3d":
        return "c3d"
    raise KeypointFormatError(
        f"{p}: unknown extension {suffix or '(none)'!r}; expected .c3d, .csv, .json, .npy, .txt, a folder of OpenPose "
        f"JSON or a video ({', '.join(sorted(VIDEO_EXTENSIONS))}); pass --input-format to say which"
    )


def _existing(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file or folder")
    return p


def _detect_folder(p: Path) -> str:
    frames = sorted(f for f in p.iterdir() if f.suffix.lower() == ".json" and f.is_file())
    if not frames:
        raise KeypointFormatError(f"{p}: folder has no .json files; expected per-frame OpenPose JSON files")
    doc = read_json(frames[0])
    if isinstance(doc, dict) and isinstance(doc.get("people"), list):
        return "openpose-json"
    raise KeypointFormatError(
        f'{frames[0]}: expected an OpenPose frame {{"people": [{{"pose_keypoints_2d": [...]}}]}} in the folder'
    )


def _detect_json(p: Path, doc: Any) -> str:
    if isinstance(doc, dict) and isinstance(doc.get("people"), list):
        return "openpose-json"
    if isinstance(doc, dict) and "positions" in doc:
        _, frames = positions_frames(p, doc)
        keys = positions_joint_keys(frames)
        lower = {k.lower() for k in keys}
        n_blaze = len(lower & BLAZEPOSE_NAMES)
        n_openpose = len(lower & set(OPENPOSE_NAMES))
        if n_blaze > n_openpose:
            return "blazepose-json"
        if n_openpose > n_blaze:
            return "openpose-json"
        if keys and all(k.isdigit() and int(k) < 17 for k in keys):
            return "coco17-json"
        shown = printable(", ".join(sorted(keys)[:6])) or "none"
        raise KeypointFormatError(
            f"{p}: cannot tell the skeleton from the joint keys ({shown}); expected BlazePose names "
            '(Left_shoulder, ...), OpenPose names (rShoulder, ...) or COCO-17 indices "0".."16"; '
            "pass --input-format"
        )
    got = f"keys {printable(', '.join(sorted(map(str, doc))[:5]))}" if isinstance(doc, dict) else type(doc).__name__
    raise KeypointFormatError(
        f'{p}: JSON fits no keypoint format; expected {{"positions": ...}} or an OpenPose {{"people": ...}} '
        f"frame, got {got}"
    )


def _detect_csv(p: Path) -> str:
    check_text_size(p)
    head = read_text_head(p)
    try:
        header = next(csv.reader(io.StringIO(head)), [])
    except csv.Error as exc:
        raise KeypointFormatError(f"{p}: not a readable CSV header ({exc})") from exc
    if csv_landmark_names([h.strip().lower() for h in header]):
        return "blazepose-csv"
    raise KeypointFormatError(
        f"{p}: CSV has no BlazePose <landmark>_x columns (e.g. left_shoulder_x); "
        f"got columns {printable(', '.join(header[:5])) or 'none'}"
    )


def _detect_txt(p: Path) -> str:
    check_text_size(p)
    first = next((line for line in read_text_head(p).splitlines() if line.strip()), "")
    n_cols = len(first.split())
    if n_cols == KINECT_V2_COLUMNS:
        return "kinect-v2"
    hint = " (that is a KERAAL Vicon file: 17 rigid targets x 7, not supported)" if n_cols == 119 else ""
    raise KeypointFormatError(
        f"{p}: text file with {n_cols} columns{hint}; expected {KINECT_V2_COLUMNS} (Kinect v2: 25 joints x 7)"
    )


def _npy_shape(p: Path) -> tuple[int, ...]:
    return tuple(_open_npy(p).shape)


def _open_npy(p: Path) -> npt.NDArray[Any]:
    """Memory-map an .npy (header checked, nothing loaded); refuses pickles, text and non-numeric arrays."""
    if p.stat().st_size == 0:
        raise KeypointFormatError(f"{p}: the file is empty; expected a NumPy .npy array")
    try:
        arr = np.load(p, mmap_mode="r", allow_pickle=False)
    # robustness fix (issue 9, parser fuzzing): a damaged header is parsed by ast.literal_eval, which raises
    # SyntaxError / tokenize.TokenError; absurd shapes raise OverflowError
    except (ValueError, OSError, EOFError, SyntaxError, TokenError, OverflowError, MemoryError) as exc:
        raise KeypointFormatError(f"{p}: not a NumPy .npy array ({exc}); expected a (T, J, 3) .npy") from exc
    if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "fiu":
        kind = arr.dtype if isinstance(arr, np.ndarray) else type(arr).__name__
        raise KeypointFormatError(f"{p}: expected a numeric (T, J, 3) array, got {kind}")
    if arr.ndim >= 1:
        check_frame_count(arr.shape[0], p, "the array")
    return arr


# ----------------------------------------------------------------------------------------------- loading


def load_keypoints(
    path: str | Path,
    input_format: str = "auto",
    fps: float | None = None,
    image_size: Sequence[int] | None = None,
) -> PoseSequence:
    """Read a keypoint file into the canonical PoseSequence.

    Parameters
    ----------
    path : str or Path
        The file, or for ``openpose-json`` a folder of per-frame files.
    input_format : str
        One of :data:`KEYPOINT_FORMATS`, or ``"auto"`` to use :func:`detect_format`.
    fps : float, optional
        Frame rate, 1-1000. Required: none of these formats carries time stamps. ``timestamps_s`` is
        ``arange(T) / fps``. Frames the file skips (JSON frame keys or OpenPose
        file numbers with gaps) are inserted as all-missing frames, so every frame keeps its time.
    image_size : (width, height), optional
        Pixel size of the video the keypoints came from. Normalised 0-1 files (BlazePose CSV/JSON, KERAAL OP/AP
        JSON) are scaled by it, by 1000 x 1000 when not given (aspect ratio unknown: x and y equally scaled).
        Pixel formats keep it, or estimate it as (ceil(max x), ceil(max y)). Ignored for 3D formats.

    Returns
    -------
    PoseSequence
        ``space="image"`` for 2D formats, ``"world"`` (metres, y up) for the Kinect formats; ``source`` is the
        format name.

    Raises
    ------
    InputError
        Missing file or missing ``fps``; ValueRangeError (an InputError) for fps or image_size out of range.
    KeypointFormatError
        Content that does not fit the format (shape, columns, JSON layout, no finite keypoint, too many frames).

    Examples
    --------
    >>> pose = load_keypoints("pose_trainer/bicep/bicep_good_1.npy", fps=30)  # doctest: +SKIP
    >>> pose.space, pose.data.shape[1:]  # doctest: +SKIP
    ('image', (37, 4))
    """
    p = _existing(path)
    fmt = detect_format(p) if input_format == "auto" else input_format
    if fmt == "video":
        raise KeypointFormatError(f"{p}: is a video, not a keypoint file; analyse it with --input-format video")
    if fmt not in KEYPOINT_FORMATS:
        raise InputError(f"unknown input format {fmt!r}; expected auto, video or one of {', '.join(KEYPOINT_FORMATS)}")
    if fmt == "c3d":  # the one keypoint format that carries its own frame rate
        return _load_c3d(p, fps, fmt)
    rate = check_fps(fps, p, fmt)
    size = check_image_size(image_size)
    if fmt in _WORLD_FORMATS:
        return _load_world(p, fmt, rate)
    return _load_image(p, fmt, rate, size)


def _load_c3d(p: Path, fps: float | None, fmt: str) -> PoseSequence:
    """A C3D file at its own frame rate; ``fps``, when given, must agree with it (within 1 %)."""
    if p.is_dir():
        raise KeypointFormatError(f"{p}: is a folder; expected a .c3d file")
    data, rate = load_pig_c3d(p)
    if fps is not None and abs(check_fps(fps, p, fmt) - rate) > 0.01 * rate:
        raise ValueRangeError(f"{p}: --fps {fps:g} contradicts the C3D file's own {rate:g} Hz; leave --fps "
                              "out")
    return build_sequence(data, frame_times(data.shape[0], rate), path=p, source=fmt, space="world",
                          image_size=None)


def _load_world(p: Path, fmt: str, rate: float) -> PoseSequence:
    """A 3D format of :data:`_WORLD_FORMATS` (metres, y up)."""
    if fmt == "kinect-v2":
        data = load_kinect_v2_txt(p)
    else:
        data = (load_uiprmd_array if fmt == "kinect-uiprmd" else load_pig39_array)(p, _load_npy(p))
    return build_sequence(
        data, frame_times(data.shape[0], rate), path=p, source=fmt, space="world", image_size=None
    )


def _load_image(p: Path, fmt: str, rate: float, size: tuple[int, int] | None) -> PoseSequence:
    """A 2D format (image pixels); frames the file skips are inserted as all-missing frames."""
    frame_numbers: Sequence[float] | None = None
    if fmt == "blazepose-csv":
        data, used = load_blazepose_csv(p, size)
    elif fmt == "coco18-npy":
        data, used = load_coco18_array(p, _load_npy(p), size)
    elif fmt == "openpose-json" and not p.is_dir():
        doc = read_json(p)
        if isinstance(doc, dict) and "positions" in doc:
            data, used, frame_numbers = load_positions_json(p, doc, fmt, size)
        else:
            data, used, frame_numbers = load_openpose_frames(p, size)
    elif fmt == "openpose-json":
        data, used, frame_numbers = load_openpose_frames(p, size)
    else:
        data, used, frame_numbers = load_positions_json(p, _read_json_file(p), fmt, size)
    data = expand_to_frame_numbers(data, frame_numbers, p)
    return build_sequence(
        data, frame_times(data.shape[0], rate), path=p, source=fmt, space="image", image_size=used
    )


def _read_json_file(p: Path) -> Any:
    if p.is_dir():
        raise KeypointFormatError(f"{p}: is a folder; expected a JSON file")
    return read_json(p)


def _load_npy(p: Path) -> npt.NDArray[Any]:
    if p.is_dir():
        raise KeypointFormatError(f"{p}: is a folder; expected a .npy file")
    arr = _open_npy(p)
    try:
        return np.array(arr, dtype=np.float64)
    except (ValueError, OSError) as exc:
        raise KeypointFormatError(f"{p}: cannot read the array data ({exc}); is the file truncated?") from exc


class CsvSegmentMeta(TypedDict):
    """One segment of a BlazePose CSV: its id (None without a ``segment`` column), its per-frame labels and its
    (start, stop) data-row indices in the file."""

    segment: int | None
    labels: npt.NDArray[np.str_]
    rows: tuple[int, int]


def load_blazepose_csv_segments(
    path: str | Path, fps: float, image_size: Sequence[int] | None = None
) -> list[tuple[PoseSequence, CsvSegmentMeta]]:
    """One PoseSequence per contiguous ``segment`` of an Exercise-Correction BlazePose CSV.

    Parameters
    ----------
    path : str or Path
        A BlazePose CSV, e.g. ``exercise_correction/plank/plank_test.csv``.
    fps : float
        Frame rate of the source video (not recorded in these files; phone videos, likely 30).
    image_size : (width, height), optional
        As in :func:`load_keypoints` (default 1000 x 1000 for the normalised coordinates).

    Returns
    -------
    list of (PoseSequence, dict)
        In file order. The dict holds ``segment`` (the id, None for a file without a ``segment`` column, which
        gives one sequence), ``labels`` (numpy str array, one label per frame, "" without a ``label`` column)
        and ``rows`` ((start, stop) data-row indices in the file). Each sequence's time starts at 0.

    Raises
    ------
    InputError, KeypointFormatError
        As :func:`load_keypoints`.
    """
    p = _existing(path)
    rate = check_fps(fps, p, "blazepose-csv")
    size = check_image_size(image_size)
    table = read_blazepose_csv(p)
    used = scale_normalised(table.data, size)
    fill_2d_trunk(table.data)
    # the all-missing check is for the whole file: a single empty segment is valid (nobody in view)
    check_any_present(table.data, p)
    n = table.data.shape[0]
    if table.segments is None:
        bounds = [(0, n)]
    else:
        cuts = np.flatnonzero(np.diff(table.segments) != 0) + 1
        edges = [0, *cuts.tolist(), n]
        bounds = list(zip(edges[:-1], edges[1:]))
    out: list[tuple[PoseSequence, CsvSegmentMeta]] = []
    for start, stop in bounds:
        pose = PoseSequence(
            data=np.ascontiguousarray(table.data[start:stop]),
            timestamps_s=frame_times(stop - start, rate),
            space="image",
            image_size=used,
            source="blazepose-csv",
        )
        meta: CsvSegmentMeta = {
            "segment": None if table.segments is None else int(table.segments[start]),
            "labels": table.labels[start:stop],
            "rows": (int(start), int(stop)),
        }
        out.append((pose, meta))
    return out


def iter_uiprmd_reps(npz_path: str | Path, sensor: str = "kinect") -> Iterator[tuple[PoseSequence, UiprmdRepMeta]]:
    """One world-space PoseSequence per repetition of a UI-PRMD npz.

    Parameters
    ----------
    npz_path : str or Path
        ``ui_prmd/kinect/mXX_<movement>.npz`` or ``ui_prmd/vicon/mXX_<movement>.npz``.
    sensor : "kinect" or "vicon"
        Kinect: ``positions_abs`` (22 joints, cm, 30 Hz). Vicon: ``positions_mm`` (the 39 Plug-in Gait markers,
        100 Hz), turned into joint centres as for ``pig39-npy``.

    Yields
    ------
    (PoseSequence, dict)
        Metres, y up, ``source`` "kinect-uiprmd" or "vicon-uiprmd"; the dict holds ``subject``, ``episode``,
        ``correct`` (bool), ``movement`` (e.g. "deep_squat"), ``movement_id`` ("m01") and ``rep_index``.

    Raises
    ------
    InputError, KeypointFormatError
        Missing file, other sensor, or an npz whose keys or offsets do not fit.
    """
    check_sensor(sensor)
    p = _existing(npz_path)
    if p.is_dir():
        raise KeypointFormatError(f"{p}: is a folder; expected a ui_prmd/{sensor}/*.npz file")
    npz = read_uiprmd_npz(p, sensor)  # checked now, so a bad file fails at the call, not at the first rep
    return _uiprmd_sequences(npz)


def _uiprmd_sequences(npz: UiprmdFile) -> Iterator[tuple[PoseSequence, UiprmdRepMeta]]:
    for data, meta in npz.reps():
        pose = build_sequence(
            data,
            frame_times(data.shape[0], npz.fps),
            path=npz.path,
            source=npz.source,
            space="world",
            image_size=None,
        )
        yield pose, meta
