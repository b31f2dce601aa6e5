"""C3D files of Plug-in Gait markers (``--input-format c3d``): what a motion-capture lab exports.

The C3D files here are written with the ``c3d`` package from real UI-PRMD Vicon reps (the markers of the
``ui_prmd/vicon`` npz), so every C3D test has the same rep as a ``pig39-npy`` array to compare with: labels found by
name (subject prefix, letter case, order and extra markers do not matter), frame rate and units from the file, the
up axis from POINT:Y_SCREEN, invalid samples (negative residual) as gaps; damaged, truncated, mislabelled or
upside-down files refused with one clear line.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import c3d
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backsafe.errors import InputError, KeypointFormatError, ValueRangeError
from backsafe.io._adapters_mocap import PIG_MARKERS
from backsafe.io.keypoints import detect_format, load_keypoints
from backsafe.skeleton import JOINT_INDEX

F64 = npt.NDArray[np.float64]


def vicon_rep(datasets: Path, index: int = 0) -> F64:
    npz = np.load(datasets / "ui_prmd/vicon/m01_deep_squat.npz")
    o = npz["offsets"]
    out: F64 = npz["positions_mm"][o[index]:o[index + 1]].astype(np.float64)
    return out


def write_c3d(path: Path, markers: F64, labels: list[str], *, rate: float = 100.0, units: str = "mm",
              residual: F64 | None = None, y_screen: str | None = None) -> Path:
    w = c3d.Writer(point_rate=rate, point_units=f"{units:<4}")
    w.set_point_labels(labels)
    if y_screen is not None:
        w.set_screen_axis(X="+X", Y=y_screen)
    res = np.zeros(markers.shape[:2]) if residual is None else residual
    frames = [(np.c_[markers[t], res[t], np.zeros(markers.shape[1])].astype(np.float32),
               np.zeros((0, 0), np.float32)) for t in range(markers.shape[0])]
    w.add_frames(frames)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with path.open("wb") as f:
            w.write(f)
    return path


@pytest.fixture(scope="module")
def rep(datasets: Path) -> F64:
    return vicon_rep(datasets)


@pytest.fixture(scope="module")
def as_npy(rep: F64, tmp_path_factory: pytest.TempPathFactory) -> npt.NDArray[np.float32]:
    p = tmp_path_factory.mktemp("npy") / "rep.npy"
    np.save(p, rep)
    return load_keypoints(p, fps=100).data


def test_c3d_reads_as_the_same_markers_as_the_array(rep: F64, as_npy: npt.NDArray[np.float32],
                                                    tmp_path: Path) -> None:
    """Shuffled labels with a subject prefix, lower case, and two markers no joint uses: the same joints."""
    order = np.random.default_rng(3).permutation(len(PIG_MARKERS))
    labels = [f"Pat07:{PIG_MARKERS[i].lower()}" for i in order] + ["Pat07:LMED", "Pat07:CentreOfMass"]
    extra = np.zeros((rep.shape[0], 2, 3)) + 500.0
    path = write_c3d(tmp_path / "trial.c3d", np.concatenate([rep[:, order], extra], axis=1), labels)
    assert detect_format(path) == "c3d"
    pose = load_keypoints(path)
    assert pose.source == "c3d" and pose.space == "world"
    assert pose.fps == pytest.approx(100.0) and pose.n_frames == rep.shape[0]
    np.testing.assert_allclose(pose.data, as_npy, atol=1e-6, equal_nan=True)


@pytest.mark.parametrize(("units", "scale"), [("m", 1e-3), ("cm", 0.1)])
def test_units_come_from_the_file(rep: F64, as_npy: npt.NDArray[np.float32], tmp_path: Path, units: str,
                                  scale: float) -> None:
    path = write_c3d(tmp_path / "m.c3d", rep * scale, list(PIG_MARKERS), units=units)
    np.testing.assert_allclose(load_keypoints(path).data, as_npy, atol=2e-5, equal_nan=True)


@pytest.mark.parametrize("up", ["+Y", "+X"])
def test_the_up_axis_comes_from_y_screen(rep: F64, as_npy: npt.NDArray[np.float32], tmp_path: Path,
                                         up: str) -> None:
    """A lab whose vertical is y (or x): the same rep, turned so that axis is up, reads as the same joints."""
    cols = [2, 0, 1] if up == "+Y" else [1, 2, 0]  # z-up (x, y, z) -> (z, x, y) puts z in the y column
    turned = np.empty_like(rep)
    turned[..., cols] = rep
    path = write_c3d(tmp_path / "y.c3d", turned, list(PIG_MARKERS), y_screen=up)
    np.testing.assert_allclose(load_keypoints(path).data, as_npy, atol=1e-6, equal_nan=True)
    upside_down = write_c3d(tmp_path / "flipped.c3d", rep * np.array([1.0, -1.0, -1.0]), list(PIG_MARKERS))
    with pytest.raises(KeypointFormatError, match="head markers are below the feet"):
        load_keypoints(upside_down)


def test_a_negative_residual_is_a_gap(rep: F64, tmp_path: Path) -> None:
    residual = np.zeros(rep.shape[:2])
    residual[5, PIG_MARKERS.index("LKNE")] = -1.0  # the C3D mark of an invalid sample
    pose = load_keypoints(write_c3d(tmp_path / "gap.c3d", rep, list(PIG_MARKERS), residual=residual))
    conf = pose.data[..., 3]
    assert conf[5, JOINT_INDEX["left_knee"]] == 0 and conf[5, JOINT_INDEX["left_ankle"]] == 0
    assert conf[5, JOINT_INDEX["right_knee"]] == 1 and conf[4, JOINT_INDEX["left_knee"]] == 1


def test_the_frame_rate_is_the_files(rep: F64, tmp_path: Path) -> None:
    path = write_c3d(tmp_path / "r.c3d", rep, list(PIG_MARKERS), rate=120.0)
    assert load_keypoints(path).fps == pytest.approx(120.0)
    assert load_keypoints(path, fps=120.0).fps == pytest.approx(120.0)
    with pytest.raises(ValueRangeError, match="contradicts the C3D file's own 120 Hz"):
        load_keypoints(path, fps=30.0)


def test_refusals_say_what_is_wrong(rep: F64, tmp_path: Path) -> None:
    other = [f"M{i:02d}" for i in range(len(PIG_MARKERS))]  # another marker set
    with pytest.raises(KeypointFormatError, match=r"no Plug-in Gait pelvis marker LASI, RASI, LPSI, RPSI.*M00"):
        load_keypoints(write_c3d(tmp_path / "other.c3d", rep, other))
    good = write_c3d(tmp_path / "good.c3d", rep, list(PIG_MARKERS)).read_bytes()
    (tmp_path / "cut.c3d").write_bytes(good[: len(good) * 2 // 3])
    with pytest.raises(KeypointFormatError, match="truncated|not a readable C3D"):
        load_keypoints(tmp_path / "cut.c3d")
    two = write_c3d(tmp_path / "two.c3d", np.concatenate([rep, rep + 800.0], axis=1),
                    [f"Ann:{m}" for m in PIG_MARKERS] + [f"Bob:{m}" for m in PIG_MARKERS])
    with pytest.raises(KeypointFormatError, match=r"markers of 2 subjects \(Ann, Bob\); export one subject"):
        load_keypoints(two)
    newline = write_c3d(tmp_path / "nl.c3d", rep, [f"M{i}\nX" for i in range(len(PIG_MARKERS))])
    with pytest.raises(KeypointFormatError) as err:
        load_keypoints(newline)
    assert "\n" not in str(err.value)
    (tmp_path / "empty.c3d").write_bytes(b"")
    with pytest.raises(KeypointFormatError, match="empty"):
        load_keypoints(tmp_path / "empty.c3d")
    (tmp_path / "text.c3d").write_text("LASI,RASI\n1,2\n")
    with pytest.raises(KeypointFormatError, match="C3D"):
        load_keypoints(tmp_path / "text.c3d")


SETTINGS = dict(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.function_scoped_fixture])


@settings(**SETTINGS)  # type: ignore[arg-type]
@given(cuts=st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), max_size=12),
       keep=st.floats(0.0, 1.0), fps=st.sampled_from([None, 100.0, 30.0, 0.0, float("nan")]))
def test_damaged_c3d_is_refused_or_read_well(cuts: list[tuple[int, int]], keep: float, fps: float | None,
                                             tmp_path: Path) -> None:
    """Bytes of a real C3D changed or cut anywhere: only InputError escapes, a result is well formed."""
    markers = np.tile(np.linspace(-1, 1, 39)[:, None] * np.array([100.0, 200.0, 0.0]) + [0, 0, 1000.0], (20, 1, 1))
    markers[:, [PIG_MARKERS.index(m) for m in ("LFHD", "RFHD", "LBHD", "RBHD")], 2] = 1700.0
    path = write_c3d(tmp_path / "base.c3d", markers, list(PIG_MARKERS))
    raw = bytearray(path.read_bytes())
    for pos, value in cuts:
        raw[pos % len(raw)] = value
    raw = raw[: max(1, int(len(raw) * keep))] if keep < 1.0 else raw
    p = tmp_path / "damaged.c3d"
    p.write_bytes(bytes(raw))
    try:
        pose = load_keypoints(p, fps=fps)
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc).strip()
        return
    assert pose.n_frames >= 1 and np.all(np.diff(pose.timestamps_s) > 0)
    assert not np.isinf(pose.data[..., :3]).any() and np.isfinite(pose.data[..., 3]).all()


def test_batch_takes_c3d_trials(rep: F64, tmp_path: Path) -> None:
    """A clinic's folder of C3D trials: backsafe batch finds them and needs no --fps for them."""
    import json

    from backsafe.batch import report_dir, run_batch

    trials = tmp_path / "trials"
    trials.mkdir()
    write_c3d(trials / "visit1.c3d", rep, list(PIG_MARKERS))
    res = run_batch(trials, tmp_path / "out", exercise="deep_squat")
    assert (res.n_ok, res.n_failed) == (1, 0)
    doc = json.loads((report_dir(tmp_path / "out", "visit1.c3d") / "report.json").read_text())
    assert doc["input"]["format"] == "c3d" and doc["input"]["fps"] == 100.0 and doc["rep_count"] == 1
