"""Keypoint adapters on malformed input: always a backsafe error with a clear one-line message, never a crash."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from backsafe.errors import InputError, KeypointFormatError, ValueRangeError
from backsafe.io import _adapters_common
from backsafe.io.keypoints import detect_format, iter_uiprmd_reps, load_blazepose_csv_segments, load_keypoints

CSV_HEADER = "label," + ",".join(
    f"{side}_{joint}_{axis}" for joint in ("shoulder", "hip") for side in ("left", "right") for axis in "xy"
)


def write_bytes(name: str, content: bytes) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        (tmp / name).write_bytes(content)
        return tmp / name

    return make


def write_npy(name: str, array: np.ndarray) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        np.save(tmp / name, array)
        return tmp / name

    return make


def write_json(name: str, doc: Any) -> Callable[[Path], Path]:
    return write_bytes(name, json.dumps(doc).encode())


def truncated_npy(tmp: Path) -> Path:
    np.save(tmp / "cut.npy", np.ones((100, 18, 3)))
    raw = (tmp / "cut.npy").read_bytes()
    (tmp / "cut.npy").write_bytes(raw[: len(raw) // 2])
    return tmp / "cut.npy"


def empty_folder(tmp: Path) -> Path:
    (tmp / "frames").mkdir()
    return tmp / "frames"


def folder_of_wrong_json(tmp: Path) -> Path:
    (tmp / "frames").mkdir()
    (tmp / "frames" / "f_0.json").write_text('{"positions_not": 1}')
    return tmp / "frames"


SHOULDERS_ONLY_CSV = b"label,left_shoulder_x,left_shoulder_y,right_shoulder_x,right_shoulder_y\nC,1,2,3,4\n"
PERSON18 = np.tile(np.array([[100.0, 200.0, 0.9]]), (18, 1))
ONE_ROW = "C," + ",".join(["0.5"] * 8)
KINECT_ROW = " ".join(["0.1"] * 175)

# (id, file factory, input_format, exception, match)
BAD_INPUTS: list[tuple[str, Callable[[Path], Path], str, type[Exception], str]] = [
    ("empty npy", write_bytes("e.npy", b""), "auto", KeypointFormatError, "empty"),
    ("empty csv", write_bytes("e.csv", b""), "auto", KeypointFormatError, "empty"),
    ("empty json", write_bytes("e.json", b""), "auto", KeypointFormatError, "empty"),
    ("empty txt", write_bytes("e.txt", b""), "auto", KeypointFormatError, "empty"),
    ("empty csv explicit", write_bytes("e.csv", b""), "blazepose-csv", KeypointFormatError, "empty"),
    ("text as npy", write_bytes("t.npy", b"hello, world\n1,2,3\n"), "auto", KeypointFormatError, "not a NumPy"),
    ("text as npy explicit", write_bytes("t.npy", b"hello\n"), "coco18-npy", KeypointFormatError, "not a NumPy"),
    ("text as json", write_bytes("t.json", b"frame,x,y\n1,2,3\n"), "auto", KeypointFormatError, "not valid JSON"),
    ("truncated json", write_bytes("t.json", b'{"positions": {"1": {"Nose": [0.1,'), "blazepose-json",
     KeypointFormatError, "not valid JSON"),
    ("binary as csv", write_bytes("b.csv", b"\x93NUMPY\x01\x00\x00\xff\xfe"), "auto", KeypointFormatError, "binary"),
    ("binary as csv explicit", write_bytes("b.csv", b"\xff\xfe\x00\x01abc"), "blazepose-csv", KeypointFormatError,
     "not a readable CSV"),
    ("binary as txt", write_bytes("b.txt", b"\x00\x01\x02"), "kinect-v2", KeypointFormatError, "binary"),
    ("text as txt", write_bytes("k.txt", (" ".join(["x"] * 175) + "\n").encode()), "kinect-v2",
     KeypointFormatError, "whitespace-separated numbers"),
    ("coco17 npy as coco18", write_npy("p.npy", np.ones((120, 17, 3))), "coco18-npy", KeypointFormatError,
     r"expected shape \(T, 18, 3\), got \(120, 17, 3\)"),
    ("coco17 npy auto", write_npy("p.npy", np.ones((120, 17, 3))), "auto", KeypointFormatError,
     r"shape \(120, 17, 3\) fits no keypoint format"),
    ("2d npy", write_npy("p.npy", np.ones((120, 54))), "coco18-npy", KeypointFormatError, r"got \(120, 54\)"),
    ("uiprmd wrong shape", write_npy("p.npy", np.ones((50, 22, 2))), "kinect-uiprmd", KeypointFormatError,
     r"expected shape \(T, 22, 3\)"),
    ("coco18 as uiprmd", write_npy("p.npy", np.ones((50, 18, 3))), "kinect-uiprmd", KeypointFormatError,
     r"got \(50, 18, 3\)"),
    ("zero frames npy", write_npy("p.npy", np.ones((0, 18, 3))), "auto", KeypointFormatError, "no frames"),
    ("nan-only npy", write_npy("p.npy", np.full((30, 18, 3), np.nan)), "auto", KeypointFormatError,
     "no finite keypoint"),
    ("inf-only npy", write_npy("p.npy", np.full((30, 22, 3), np.inf)), "auto", KeypointFormatError,
     "no finite keypoint"),
    ("zero-confidence npy", write_npy("p.npy", np.zeros((30, 18, 3))), "coco18-npy", KeypointFormatError,
     "no finite keypoint"),
    ("string npy", write_npy("p.npy", np.array([["a", "b", "c"]] * 18)[None]), "coco18-npy", KeypointFormatError,
     "numeric"),
    ("pickled npy", write_npy("p.npy", np.array([{"a": 1}], dtype=object)), "coco18-npy", KeypointFormatError,
     "not a NumPy"),
    ("truncated npy", truncated_npy, "coco18-npy", KeypointFormatError, "not a NumPy"),
    ("csv missing hips", write_bytes("m.csv", SHOULDERS_ONLY_CSV), "auto", KeypointFormatError,
     "missing left_hip, right_hip"),
    ("csv no landmarks", write_bytes("m.csv", b"angle,label\n12,C\n"), "auto", KeypointFormatError,
     "no BlazePose <landmark>_x columns"),
    ("csv no landmarks explicit", write_bytes("m.csv", b"angle,label\n12,C\n"), "blazepose-csv",
     KeypointFormatError, "at least shoulders and hips"),
    ("csv header only", write_bytes("h.csv", (CSV_HEADER + "\n").encode()), "auto", KeypointFormatError,
     "no frames"),
    ("csv nan only", write_bytes("n.csv", (CSV_HEADER + "\nC" + ",nan" * 8 + "\nC" + "," * 8 + "\n").encode()),
     "auto", KeypointFormatError, "no finite keypoint"),
    ("csv too many cells", write_bytes("r.csv", (CSV_HEADER + "\n" + ONE_ROW + ",1,2\n").encode()), "auto",
     KeypointFormatError, "row 2 has 11 cells"),
    ("json list", write_json("l.json", [1, 2, 3]), "auto", KeypointFormatError, "fits no keypoint format"),
    ("json other keys", write_json("o.json", {"frames": []}), "auto", KeypointFormatError, "got keys frames"),
    ("json no frames", write_json("o.json", {"positions": {}}), "auto", KeypointFormatError, "no frames"),
    ("json unknown joints", write_json("o.json", {"positions": {"1": {"foo": [1, 2], "bar": [3, 4]}}}), "auto",
     KeypointFormatError, "cannot tell the skeleton"),
    ("json frame key", write_json("o.json", {"positions": {"first": {"Nose": [1, 2]}}}), "auto",
     KeypointFormatError, "frame numbers"),
    ("json frame not dict", write_json("o.json", {"positions": {"1": [1, 2]}}), "blazepose-json",
     KeypointFormatError, "map joint names"),
    ("json value not list", write_json("o.json", {"positions": {"1": {"Left_shoulder": "abc", "Nose": [1, 2]}}}),
     "blazepose-json", KeypointFormatError, r"expected \[x, y, ...\]"),
    ("json value text", write_json("o.json", {"positions": {"1": {"Left_shoulder": ["a", "b"]}}}),
     "blazepose-json", KeypointFormatError, "expected a number"),
    ("json all null", write_json("o.json", {"positions": {"1": {"Left_shoulder": [None, None], "Nose": [None, 1]}}}),
     "blazepose-json", KeypointFormatError, "no finite keypoint"),
    ("blazepose json as coco17", write_json("o.json", {"positions": {"1": {"Left_shoulder": [0.1, 0.2]}}}),
     "coco17-json", KeypointFormatError, "COCO-17 joint keys"),
    ("openpose wrong length", write_json("f.json", {"people": [{"pose_keypoints_2d": [1.0] * 30}]}), "auto",
     KeypointFormatError, "expected 54 \\(COCO-18\\) or 75 \\(BODY_25\\)"),
    ("openpose no keypoints", write_json("f.json", {"people": [{"face": []}]}), "openpose-json",
     KeypointFormatError, "no pose_keypoints_2d"),
    ("openpose nobody", write_json("f.json", {"people": []}), "openpose-json", KeypointFormatError,
     "no finite keypoint"),
    ("openpose text values", write_json("f.json", {"people": [{"pose_keypoints_2d": ["a"] * 54}]}),
     "openpose-json", KeypointFormatError, "must hold numbers"),
    ("empty folder", empty_folder, "auto", KeypointFormatError, "no .json"),
    ("empty folder explicit", empty_folder, "openpose-json", KeypointFormatError, "no frames"),
    ("folder of other json", folder_of_wrong_json, "auto", KeypointFormatError, "expected an OpenPose frame"),
    ("kinect 174 columns", write_bytes("k.txt", (" ".join(["0.1"] * 174) + "\n").encode()), "auto",
     KeypointFormatError, "174 columns"),
    ("kinect 174 explicit", write_bytes("k.txt", (" ".join(["0.1"] * 174) + "\n").encode()), "kinect-v2",
     KeypointFormatError, r"expected 175 columns \(25 joints x 7\), got 174"),
    ("kinect ragged", write_bytes("k.txt", (KINECT_ROW + "\n0.1 0.2\n").encode()), "kinect-v2",
     KeypointFormatError, "175 per row"),
    ("kinect all zero", write_bytes("k.txt", (" ".join(["0"] * 175) + "\n").encode()), "kinect-v2",
     KeypointFormatError, "no finite keypoint"),
    ("vicon txt", write_bytes("v.txt", (" ".join(["0.1"] * 119) + "\n").encode()), "auto", KeypointFormatError,
     "KERAAL Vicon"),
    ("npz", write_bytes("r.npz", b"PK"), "auto", KeypointFormatError, "iter_uiprmd_reps"),
    ("unknown extension", write_bytes("k.dat", b"1 2 3"), "auto", KeypointFormatError, "unknown extension '.dat'"),
    ("video", write_bytes("clip.mp4", b"not really a video"), "auto", KeypointFormatError, "is a video"),
    ("unknown format name", write_npy("p.npy", np.ones((5, 18, 3))), "alphapose", InputError,
     "unknown input format 'alphapose'"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "input_format", "exc", "match"), [c[1:] for c in BAD_INPUTS],
                         ids=[c[0] for c in BAD_INPUTS])  # fmt: skip
def test_bad_input_raises_clear_error(
    tmp_path: Path, make: Callable[[Path], Path], input_format: str, exc: type[Exception], match: str
) -> None:
    path = make(tmp_path)
    with pytest.raises(exc, match=match) as info:
        load_keypoints(path, input_format, fps=30)
    message = str(info.value)
    assert "\n" not in message  # one line
    if exc is KeypointFormatError and input_format != "alphapose":
        assert str(path.name) in message  # says which file


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (write_npy("p.npy", np.ones((120, 17, 3))), r"expected \(T, 18, 3\) OpenPose COCO-18, \(T, 22, 3\) UI-PRMD Kinect or \(T, 39, 3\)"),
        (write_bytes("e.json", b""), "empty"),
        (write_json("o.json", {"positions": {"1": {"7": [1, 2], "x": [1, 2]}}}), "cannot tell the skeleton"),
        (write_bytes("m.csv", b"angle,label\n"), "no BlazePose"),
        # "Nose" alone is both a BlazePose and an OpenPose name
        (write_json("n.json", {"positions": {"1": {"Nose": [0.1, 0.2]}}}), "cannot tell the skeleton"),
    ],
)
def test_detect_format_errors(tmp_path: Path, make: Callable[[Path], Path], match: str) -> None:
    with pytest.raises(KeypointFormatError, match=match):
        detect_format(make(tmp_path))


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        load_keypoints(tmp_path / "nope.csv", fps=30)
    with pytest.raises(InputError, match="no such file or folder"):
        detect_format(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="no such file or folder"):
        list(iter_uiprmd_reps(tmp_path / "nope.npz"))


@pytest.mark.parametrize(
    "make",
    [
        write_npy("p.npy", np.tile(PERSON18, (5, 1, 1))),
        write_bytes("p.csv", (CSV_HEADER + "\n" + ONE_ROW + "\n").encode()),
        write_json("p.json", {"positions": {"1": {"Left_shoulder": [0.1, 0.2, 0.0]}}}),
        write_bytes("k.txt", (KINECT_ROW + "\n").encode()),
    ],
)
def test_missing_fps(tmp_path: Path, make: Callable[[Path], Path]) -> None:
    with pytest.raises(InputError, match="carries no time stamps; pass --fps"):
        load_keypoints(make(tmp_path))


@pytest.mark.parametrize("fps", [0, 0.5, -30, 1001, float("nan"), float("inf"), True, "30"])
def test_fps_out_of_range(tmp_path: Path, fps: Any) -> None:
    path = write_npy("p.npy", np.tile(PERSON18, (5, 1, 1)))(tmp_path)
    with pytest.raises(ValueRangeError, match="fps must be"):
        load_keypoints(path, fps=fps)


@pytest.mark.parametrize("fps", [1, 29.97, 1000])
def test_fps_limits_accepted(tmp_path: Path, fps: float) -> None:
    path = write_npy("p.npy", np.tile(PERSON18, (5, 1, 1)))(tmp_path)
    pose = load_keypoints(path, fps=fps)
    np.testing.assert_allclose(pose.timestamps_s, np.arange(5) / fps)


@pytest.mark.parametrize("size", [(0, 480), (-640, 480), (640,), (640.5, 480), ("a", "b"), 640])
def test_bad_image_size(tmp_path: Path, size: Any) -> None:
    path = write_npy("p.npy", np.tile(PERSON18, (5, 1, 1)))(tmp_path)
    with pytest.raises(ValueRangeError, match="image_size"):
        load_keypoints(path, fps=30, image_size=size)


def test_frame_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_adapters_common, "MAX_FRAMES", 100)
    npy = write_npy("p.npy", np.tile(PERSON18, (101, 1, 1)))(tmp_path)
    with pytest.raises(KeypointFormatError, match="more than the limit of 100"):
        load_keypoints(npy, fps=30)
    csv_path = write_bytes("p.csv", (CSV_HEADER + "\n" + (ONE_ROW + "\n") * 101).encode())(tmp_path)
    with pytest.raises(KeypointFormatError, match="more than the limit of 100"):
        load_keypoints(csv_path, fps=30)
    gap = write_json("g.json", {"positions": {"0": {"Left_shoulder": [0.1, 0.2]}, "500": {"Nose": [0.1, 0.2]}}})
    with pytest.raises(KeypointFormatError, match="frame numbers .* more than the limit"):
        load_keypoints(gap(tmp_path), fps=30)


def test_segments_bad_input(tmp_path: Path) -> None:
    bad_segment = tmp_path / "s.csv"
    bad_segment.write_text("segment," + CSV_HEADER + "\nx," + ONE_ROW + "\n")
    with pytest.raises(KeypointFormatError, match="segment column must hold whole numbers"):
        load_blazepose_csv_segments(bad_segment, fps=30)
    with pytest.raises(InputError, match="carries no time stamps"):
        load_blazepose_csv_segments(bad_segment, fps=None)  # type: ignore[arg-type]
    with pytest.raises(ValueRangeError, match="fps must be"):
        load_blazepose_csv_segments(bad_segment, fps=5000)


def test_segments_keep_empty_segment(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    rows = ["1," + ONE_ROW, "1," + ONE_ROW, "2,C" + ",nan" * 8, "3," + ONE_ROW]
    path.write_text("segment," + CSV_HEADER + "\n" + "\n".join(rows) + "\n")
    segments = load_blazepose_csv_segments(path, fps=30)
    assert [m["segment"] for _, m in segments] == [1, 2, 3]
    assert [p.n_frames for p, _ in segments] == [2, 1, 1]
    assert np.all(segments[1][0].data[..., 3] == 0)  # nobody in segment 2: kept, all missing


def write_npz(path: Path, **arrays: np.ndarray) -> Path:
    np.savez(path, **arrays)
    return path


def test_uiprmd_npz_bad_input(tmp_path: Path) -> None:
    pos = np.ones((10, 22, 3), dtype=np.float32)
    meta = {"subject": np.array([1, 1]), "episode": np.array([1, 2]), "correct": np.array([True, False])}
    with pytest.raises(KeypointFormatError, match="missing positions_abs"):
        list(iter_uiprmd_reps(write_npz(tmp_path / "a.npz", offsets=np.array([0, 5, 10]), **meta)))
    with pytest.raises(KeypointFormatError, match="this is a vicon file: pass sensor='vicon'"):
        list(iter_uiprmd_reps(write_npz(tmp_path / "v.npz", offsets=np.array([0, 5, 10]), positions_mm=pos,
                                        **meta)))  # fmt: skip
    with pytest.raises(KeypointFormatError, match="do not cut positions_abs"):
        list(iter_uiprmd_reps(write_npz(tmp_path / "b.npz", offsets=np.array([0, 5, 12]), positions_abs=pos, **meta)))
    with pytest.raises(KeypointFormatError, match=r"expected shape \(T, 22, 3\)"):
        list(iter_uiprmd_reps(write_npz(tmp_path / "c.npz", offsets=np.array([0, 5, 10]),
                                        positions_abs=np.ones((10, 21, 3)), **meta)))  # fmt: skip
    (tmp_path / "d.npz").write_bytes(b"not a zip")
    with pytest.raises(KeypointFormatError, match="not a readable UI-PRMD npz"):
        list(iter_uiprmd_reps(tmp_path / "d.npz"))
    with zipfile.ZipFile(tmp_path / "e.npz", "w") as zf:
        zf.writestr("offsets.npy", b"garbage")
    with pytest.raises(KeypointFormatError):
        list(iter_uiprmd_reps(tmp_path / "e.npz"))
    with pytest.raises(InputError, match="'kinect'.*or 'vicon'"):
        iter_uiprmd_reps(tmp_path / "a.npz", sensor="optitrack")
    with pytest.raises(KeypointFormatError, match="missing positions_mm; this is a kinect file: pass sensor='kinect'"):
        iter_uiprmd_reps(tmp_path / "b.npz", sensor="vicon")
    with pytest.raises(KeypointFormatError, match="do not cut"):  # raised at the call, before iterating
        iter_uiprmd_reps(tmp_path / "b.npz")


def test_uiprmd_npz_good_synthetic(tmp_path: Path) -> None:
    pos = np.zeros((10, 22, 3), dtype=np.float32)
    pos[..., 1] = np.arange(22)[None, :] * 10.0 + 1.0  # cm, every joint present
    meta = {"subject": np.array([3, 3]), "episode": np.array([1, 2]), "correct": np.array([True, False])}
    path = write_npz(tmp_path / "m04_side_lunge.npz", offsets=np.array([0, 4, 10]), positions_abs=pos, **meta)
    reps = list(iter_uiprmd_reps(path))
    assert [p.n_frames for p, _ in reps] == [4, 6]
    assert reps[1][1] == {"subject": 3, "episode": 2, "correct": False, "movement": "side_lunge",
                          "movement_id": "m04", "rep_index": 1}  # fmt: skip
    assert reps[0][0].joint("left_hip")[0, 1] == pytest.approx(1.41)  # joint 14: 141 cm -> 1.41 m


def test_openpose_folder_with_skipped_file_numbers(tmp_path: Path) -> None:
    folder = tmp_path / "frames"
    folder.mkdir()
    for number in (0, 1, 2, 5, 6):  # frames 3 and 4 not written
        doc = {"people": [{"pose_keypoints_2d": (PERSON18 + [number, 0, 0]).ravel().tolist()}]}
        (folder / f"clip_{number:012d}_keypoints.json").write_text(json.dumps(doc))
    pose = load_keypoints(folder, fps=10)
    assert pose.n_frames == 7
    assert np.all(pose.data[3:5, :, 3] == 0)
    assert pose.joint("nose")[5, 0] == pytest.approx(105.0)
    np.testing.assert_allclose(pose.timestamps_s, np.arange(7) / 10)


def test_nan_and_inf_joints_become_missing(tmp_path: Path) -> None:
    arr = np.tile(PERSON18, (4, 1, 1))
    arr[0, 0, 0] = np.nan
    arr[1, 2, 1] = np.inf
    arr[2, 5, 2] = np.nan  # confidence NaN
    pose = load_keypoints(write_npy("p.npy", arr)(tmp_path), fps=30)
    for t, name in ((0, "nose"), (1, "right_shoulder"), (2, "left_shoulder")):
        assert pose.joint(name)[t, 3] == 0 and np.all(np.isnan(pose.joint(name)[t, :3]))
    assert pose.joint("nose")[1, 3] == pytest.approx(0.9)
    # neck is measured in COCO-18: not replaced; pelvis derived from the hips
    assert pose.joint("pelvis")[0, 0] == pytest.approx(100.0)
