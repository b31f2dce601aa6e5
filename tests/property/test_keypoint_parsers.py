"""Fuzz the keypoint parsers with Hypothesis (issue 9, point 2): on any CSV text, JSON text, npy bytes or Kinect
text, ``detect_format`` and ``load_keypoints`` either return a valid PoseSequence or raise an InputError
(KeypointFormatError, ValueRangeError) -- never a bare ValueError, IndexError, TypeError, KeyError or a JSON
decoder error.

Inputs are written to a temporary file (the parsers read paths) and read with every format name and with
``auto``. Structured strategies stay close to the real layouts so that the fuzzing reaches past the first check.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backsafe.errors import InputError
from backsafe.io.keypoints import KEYPOINT_FORMATS, detect_format, load_keypoints
from backsafe.skeleton import BLAZEPOSE_33, N_JOINTS

EXPLORE = os.environ.get("HYPOTHESIS_PROFILE") == "explore"
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FORMATS = st.sampled_from(("auto",) + KEYPOINT_FORMATS)
FPS = st.sampled_from([30.0, 30.0, 1.0, 1000.0, None, 0.0, float("nan"), -5.0])
SIZES = st.sampled_from([None, None, (640, 480), (0, 0), (1, 1), (10**9, 10**9)])


def n_examples(n: int) -> int:
    return 1500 if EXPLORE else n


def parse(raw: bytes, suffix: str, fmt: str, fps: float | None, size: tuple[int, int] | None) -> None:
    """Write ``raw`` to a file and run the parsers: only InputError may escape; a result must be well formed."""
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"input{suffix}"
        p.write_bytes(raw)
        try:
            detect_format(p)
        except InputError:
            pass
        try:
            pose = load_keypoints(p, input_format=fmt, fps=fps, image_size=size)
        except InputError as exc:
            msg = str(exc)
            assert msg and "\n" not in msg.strip(), f"message should be one line: {msg!r}"
            return
    assert pose.data.ndim == 3 and pose.data.shape[1:] == (N_JOINTS, 4)
    assert pose.n_frames >= 1
    assert np.all(np.diff(pose.timestamps_s) > 0)
    xyz = pose.data[..., :3]
    assert not np.isinf(xyz).any(), "infinite coordinates must become missing (NaN)"
    conf = pose.data[..., 3]
    assert np.all(np.isfinite(conf)), "confidence is always a number (0 = missing)"
    assert np.isfinite(xyz).any(), "a returned sequence has at least one keypoint"


# -------------------------------------------------------------------------------------------------- CSV

LANDMARK_COLUMNS = [f"{n}_{a}" for n in BLAZEPOSE_33 for a in ("x", "y", "z", "v")]
cells = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(-2, 2).map(lambda v: f"{v:.4f}"),
    st.sampled_from(["", "nan", "NaN", "inf", "-inf", "1e309", "abc", "0x10", "1,5", '"0.5"', "None", " 0.5 ", "—"]),
    st.text(max_size=6),
)


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=300))
    cols = draw(st.lists(st.sampled_from(LANDMARK_COLUMNS + ["frame", "label", "segment", "class", ""]),
                         min_size=0, max_size=40))
    if draw(st.booleans()):
        cols = [c for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip") for c in
                (f"{n}_x", f"{n}_y")] + cols
    n_rows = draw(st.integers(0, 30))
    ragged = draw(st.booleans())
    rows = []
    for _ in range(n_rows):
        k = len(cols) + (draw(st.integers(-3, 3)) if ragged else 0)
        rows.append(",".join(draw(st.lists(cells, min_size=max(k, 0), max_size=max(k, 0)))))
    sep = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return sep.join([",".join(cols), *rows]) + draw(st.sampled_from(["", sep]))


@settings(max_examples=n_examples(150), **SETTINGS)
@given(text=csv_texts(), fmt=st.sampled_from(["auto", "blazepose-csv", "blazepose-csv", "coco17-json"]), fps=FPS,
       size=SIZES, bom=st.booleans())
def test_csv_text(text: str, fmt: str, fps, size, bom: bool) -> None:  # type: ignore[no-untyped-def]
    raw = text.encode("utf-8", errors="surrogatepass") if bom is False else b"\xef\xbb\xbf" + text.encode(
        "utf-8", errors="surrogatepass")
    parse(raw, ".csv", fmt, fps, size)


# -------------------------------------------------------------------------------------------------- JSON

json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)
numbers = st.one_of(st.floats(-2, 2), st.floats(allow_nan=False, allow_infinity=False), st.none(), st.integers(-5, 5),
                    st.text(max_size=3), st.just(True))
joint_names = st.sampled_from([n.title().replace("_", "") for n in BLAZEPOSE_33]
                              + list(BLAZEPOSE_33) + ["Nose", "LShoulder", "RHip", "x", ""])


@st.composite
def json_docs(draw: st.DrawFn) -> object:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return draw(json_values)
    if kind in (1, 2):  # {"positions": {frame: {joint: [x, y, z]}}} (KERAAL BlazePose / OpenPose / AlphaPose)
        frames = draw(st.dictionaries(
            st.one_of(st.integers(-3, 50).map(str), st.text(max_size=4)),
            st.one_of(st.dictionaries(joint_names, st.lists(numbers, max_size=4), max_size=12), json_values),
            max_size=12))
        return {"positions": frames} if kind == 1 else {"positions": list(frames.values())}
    if kind == 3:  # an OpenPose frame
        people = draw(st.lists(st.fixed_dictionaries(
            {"pose_keypoints_2d": st.lists(numbers, max_size=80)}), max_size=2))
        return {"version": 1.3, "people": people}
    return [draw(st.lists(numbers, max_size=60)) for _ in range(draw(st.integers(0, 5)))]


@settings(max_examples=n_examples(150), **SETTINGS)
@given(doc=json_docs(), fmt=st.sampled_from(["auto", "blazepose-json", "openpose-json", "coco17-json"]), fps=FPS,
       size=SIZES, cut=st.integers(0, 3))
def test_json_text(doc: object, fmt: str, fps, size, cut: int) -> None:  # type: ignore[no-untyped-def]
    raw = json.dumps(doc, allow_nan=True).encode()
    if cut == 0 and len(raw) > 2:  # a truncated export
        raw = raw[: len(raw) // 2]
    parse(raw, ".json", fmt, fps, size)


@settings(max_examples=n_examples(40), **SETTINGS)
@given(raw=st.binary(max_size=400), suffix=st.sampled_from([".json", ".csv", ".txt", ".npy", ".c3d", ""]),
       fmt=FORMATS)
def test_any_bytes(raw: bytes, suffix: str, fmt: str) -> None:
    parse(raw, suffix, fmt, 30.0, None)


# -------------------------------------------------------------------------------------------------- npy

dtypes = st.sampled_from([np.float64, np.float32, np.float16, np.int64, np.int8, np.uint8, np.bool_, np.complex64,
                          "U3", "S2", "<M8[s]"])


@st.composite
def npy_bytes(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 3))
    if kind == 0:  # a real keypoint shape, any values
        j = draw(st.sampled_from([18, 22, 17, 25, 33, 39]))
        n = draw(st.integers(0, 12))
        arr = draw(hnp.arrays(np.float64, (n, j, draw(st.sampled_from([3, 2, 4]))),
                              elements=st.floats(allow_nan=True, allow_infinity=True)))
    elif kind == 1:  # any dtype, any small shape
        dtype = draw(dtypes)
        shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6))
        arr = draw(hnp.arrays(dtype, shape))
    elif kind == 2:  # structured dtype
        arr = np.zeros(draw(st.integers(0, 5)), dtype=[("x", "f4"), ("y", "i2")])
    else:  # a valid npy whose bytes were damaged
        arr = np.ones((draw(st.integers(1, 10)), 18, 3))
    buf = io.BytesIO()
    np.save(buf, arr)
    raw = bytearray(buf.getvalue())
    if kind == 3 or draw(st.integers(0, 4)) == 0:
        for _ in range(draw(st.integers(1, 6))):
            if not raw:
                break
            pos = draw(st.integers(0, len(raw) - 1))
            raw[pos] = draw(st.integers(0, 255))
        if draw(st.booleans()):
            raw = raw[: draw(st.integers(0, len(raw)))]
    return bytes(raw)


@settings(max_examples=n_examples(150), **SETTINGS)
@given(raw=npy_bytes(), fmt=st.sampled_from(["auto", "coco18-npy", "kinect-uiprmd", "pig39-npy"]), fps=FPS,
       size=SIZES)
def test_npy_bytes(raw: bytes, fmt: str, fps, size) -> None:  # type: ignore[no-untyped-def]
    parse(raw, ".npy", fmt, fps, size)


def test_object_npy_is_refused_without_unpickling(tmp_path: Path) -> None:
    """A pickled npy could run code when loaded: it must be refused, not unpickled."""
    p = tmp_path / "evil.npy"
    np.save(p, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    try:
        load_keypoints(p, fps=30)
    except InputError as exc:
        assert "pickle" in str(exc).lower() or "object" in str(exc).lower()
    else:  # pragma: no cover
        raise AssertionError("an object array was loaded")


# -------------------------------------------------------------------------------------------------- Kinect v2

@st.composite
def kinect_texts(draw: st.DrawFn) -> str:
    n_rows = draw(st.integers(0, 8))
    width = draw(st.sampled_from([175, 175, 174, 176, 75, 0]))
    rows = []
    for _ in range(n_rows):
        vals = draw(st.lists(st.one_of(st.floats(-3, 3).map(lambda v: f"{v:.3f}"), cells), min_size=width,
                             max_size=width))
        rows.append(draw(st.sampled_from([" ", "\t", ","])).join(vals))
    return "\n".join(rows)


@settings(max_examples=n_examples(60), **SETTINGS)
@given(text=kinect_texts(), fmt=st.sampled_from(["auto", "kinect-v2"]), fps=FPS)
def test_kinect_text(text: str, fmt: str, fps) -> None:  # type: ignore[no-untyped-def]
    parse(text.encode("utf-8", errors="surrogatepass"), ".txt", fmt, fps, None)

