"""The Plug-in Gait adapter (io/_adapters_mocap.py): 39 skin markers (mm, lab frame z up) -> joint centres.

Constructed markers: a standing person, facing +x, built here with plausible anatomical coordinates. The expected
joint centres are computed in this file from the published rules, not read back from the adapter: Harrington et
al. 2007 hip centres in a pelvis frame placed by a known rotation, knee and ankle centres characterised by their
geometry (distance, perpendicular to the segment, in the plane of the segment and the pelvis' left-right line,
towards the midline). Gaps, units, the y-up output and the invariance of the kinematics to the lab's heading.

Loading: the pig39-npy format through load_keypoints (detection by shape, refusals).

Real data (UI-PRMD Vicon, ../shared): the marker order PIG_MARKERS really is the order of the stored columns
(heights, left/right, the hip centres land inside the pelvis), the npz reader's metadata, and the personal-reference
floors that follow the sensor (thresholds.json ``reference_floor_markers`` vs ``reference_floor_3d``), down to the
thresholds of the findings the pipeline writes.
"""

from __future__ import annotations

import json
import math
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from backsafe.errors import InputError, KeypointFormatError
from backsafe.exercises import get_exercise
from backsafe.faults.reference import MEASURES, floor_for
from backsafe.io._adapters_mocap import PIG_MARKERS, pig_canonical
from backsafe.io.keypoints import MARKER_SOURCES, detect_format, iter_uiprmd_reps, load_keypoints
from backsafe.kinematics.angles import compute_kinematics
from backsafe.model import PoseSequence
from backsafe.pipeline import AnalysisOptions, analyze_pose, build_reference
from backsafe.skeleton import CANONICAL_JOINTS, JOINT_INDEX

F64 = npt.NDArray[np.float64]
IDX = {name: i for i, name in enumerate(PIG_MARKERS)}

#: the joints the adapter builds from markers (every other canonical joint stays missing)
BUILT = frozenset({
    "nose", "left_ear", "right_ear", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist",
    "right_wrist", "left_index", "right_index", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
    "right_ankle", "left_heel", "right_heel", "left_foot_index", "right_foot_index", "pelvis", "spine_mid",
    "spine_chest", "neck",
})  # fmt: skip

# ----------------------------------------------------------------------------------------------- construction

#: pelvis of the constructed person (mm): inter-ASIS width, mid-ASIS to mid-PSIS depth, PSIS half-spacing
PW, PD, PSIS_HALF = 250.0, 160.0, 45.0
#: mid-ASIS of the standing person (lab mm): the person stands at x = 0, y = 0, facing +x
ASIS_MID = np.array([60.0, 0.0, 980.0])


def _lab_to_canonical(p_mm: npt.NDArray[Any]) -> F64:
    """What the adapter's docstring promises: lab (x, y, z) mm, z up -> (y, z, x) metres, y up."""
    out: F64 = np.asarray(p_mm, dtype=np.float64)[..., [1, 2, 0]] / 1000.0
    return out


def _rot_z(deg: float) -> F64:
    a = math.radians(deg)
    return np.array([[math.cos(a), -math.sin(a), 0.0], [math.sin(a), math.cos(a), 0.0], [0.0, 0.0, 1.0]])


def _rot_y(deg: float) -> F64:
    a = math.radians(deg)
    return np.array([[math.cos(a), 0.0, math.sin(a)], [0.0, 1.0, 0.0], [-math.sin(a), 0.0, math.cos(a)]])


def pelvis_axes(tilt_deg: float = 0.0, yaw_deg: float = 0.0) -> F64:
    """Columns: the pelvis frame's anterior, superior, right axes in the lab frame (z up, person facing +x).

    Facing +x with z up in a right-handed frame, the person's left is +y, so right is -y. ``tilt_deg`` tips the
    pelvis forward (anterior tilt: ASIS down relative to PSIS), ``yaw_deg`` turns it to the person's left."""
    base = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]])  # columns: +x, +z, -y
    # anterior tilt: a rotation about the left-right axis that moves the anterior axis down
    rot = _rot_z(yaw_deg) @ _rot_y(tilt_deg)
    axes: F64 = rot @ base
    return axes


def harrington_lab(axes: F64, origin: F64, pw: float, pd: float, side: str) -> F64:
    """Harrington et al. 2007 hip centre (mm, lab) from the pelvis frame (origin mid-ASIS, x anterior, y superior,
    z right): x = -0.24 PD - 9.9, y = -0.30 PW - 10.9, z = +/-(0.33 PW + 7.3), + for the right hip."""
    z = 0.33 * pw + 7.3
    local = np.array([-0.24 * pd - 9.9, -0.30 * pw - 10.9, z if side == "right" else -z])
    out: F64 = origin + axes @ local
    return out


def standing_markers(tilt_deg: float = 0.0, yaw_deg: float = 0.0) -> dict[str, F64]:
    """A standing adult (about 1.75 m), arms by the sides, facing +x, lab mm, z up, y = person's left.

    The pelvis markers are placed in the pelvis frame (``pelvis_axes``) so that the inter-ASIS width is exactly
    PW and the mid-ASIS to mid-PSIS distance exactly PD, whatever the tilt and yaw."""
    ax = pelvis_axes(tilt_deg, yaw_deg)

    def pelvis(a: float, s: float, r: float) -> F64:  # anterior, superior, right (mm) -> lab
        out: F64 = ASIS_MID + ax @ np.array([a, s, r])
        return out

    m: dict[str, F64] = {
        "LASI": pelvis(0.0, 0.0, -PW / 2), "RASI": pelvis(0.0, 0.0, PW / 2),
        "LPSI": pelvis(-PD, 0.0, -PSIS_HALF), "RPSI": pelvis(-PD, 0.0, PSIS_HALF),
    }  # fmt: skip
    left = {
        "FHD": (110.0, 75.0, 1690.0), "BHD": (-90.0, 70.0, 1710.0),
        "SHO": (-10.0, 185.0, 1440.0), "UPA": (-30.0, 215.0, 1300.0), "ELB": (-40.0, 220.0, 1130.0),
        "FRM": (-10.0, 230.0, 1000.0), "WRA": (25.0, 235.0, 870.0), "WRB": (-25.0, 215.0, 865.0),
        "FIN": (5.0, 225.0, 780.0),
        "THI": (50.0, 150.0, 720.0), "KNE": (20.0, 140.0, 500.0), "TIB": (10.0, 130.0, 300.0),
        "ANK": (-20.0, 125.0, 85.0), "HEE": (-70.0, 95.0, 40.0), "TOE": (130.0, 110.0, 30.0),
    }  # fmt: skip
    for name, (x, y, z) in left.items():
        m["L" + name] = np.array([x, y, z])
        m["R" + name] = np.array([x, -y, z])
    m.update({
        "C7": np.array([-80.0, 0.0, 1480.0]), "T10": np.array([-120.0, 0.0, 1250.0]),
        "CLAV": np.array([70.0, 0.0, 1440.0]), "STRN": np.array([110.0, 0.0, 1300.0]),
        "RBAK": np.array([-120.0, -80.0, 1350.0]),
    })  # fmt: skip
    assert set(m) == set(PIG_MARKERS)
    return m


def as_array(markers: dict[str, F64]) -> F64:
    """(39, 3) in PIG_MARKERS order."""
    return np.stack([markers[n] for n in PIG_MARKERS]).astype(np.float64)


def joints_of(data: npt.NDArray[np.float32], frame: int = 0) -> dict[str, F64]:
    return {n: data[frame, JOINT_INDEX[n], :3].astype(np.float64) for n in CANONICAL_JOINTS}


def squat_like(n: int = 60) -> F64:
    """(n, 39, 3) markers that move (a person lowering and rising, with some sway), for angle comparisons."""
    base = as_array(standing_markers())
    out = np.repeat(base[None], n, axis=0)
    s = np.sin(np.linspace(0.0, np.pi, n))[:, None]
    upper = [IDX[k] for k in PIG_MARKERS if k[1:] not in ("THI", "KNE", "TIB", "ANK", "HEE", "TOE")]
    knees = [IDX[k] for k in ("LTHI", "RTHI", "LKNE", "RKNE")]
    out[:, upper, 2] -= 350.0 * s  # the body goes down
    out[:, upper, 0] -= 150.0 * s  # hips back
    out[:, [IDX[k] for k in PIG_MARKERS if k in ("C7", "T10", "CLAV", "STRN", "RBAK") or k[1:] in
            ("FHD", "BHD", "SHO", "UPA", "ELB", "FRM", "WRA", "WRB", "FIN")], 0] += 250.0 * s  # trunk leans forward
    out[:, knees, 0] += 180.0 * s  # knees forward
    out[:, knees, 2] -= 60.0 * s
    out[:, :, 1] += 20.0 * np.sin(np.linspace(0.0, 3 * np.pi, n))[:, None]  # sway sideways
    return out


def pose_from(markers: F64, fps: float = 100.0) -> PoseSequence:
    return PoseSequence(data=pig_canonical(markers), timestamps_s=np.arange(markers.shape[0]) / fps,
                        joints=CANONICAL_JOINTS, space="world", image_size=None, source="pig39-npy")


# ----------------------------------------------------------------------------------------------- constructed markers


def test_output_is_metres_with_y_up() -> None:
    mk = standing_markers()
    data = pig_canonical(as_array(mk)[None])
    assert data.dtype == np.float32 and data.shape == (1, len(CANONICAL_JOINTS), 4)
    j = joints_of(data)
    # markers taken as they are: metres, the lab's height (z) became y, its x became z, its y became x
    for joint, marker in (("left_shoulder", "LSHO"), ("right_elbow", "RELB"), ("left_heel", "LHEE"),
                          ("right_foot_index", "RTOE"), ("left_index", "LFIN")):
        np.testing.assert_allclose(j[joint], _lab_to_canonical(mk[marker]), atol=1e-6)
    assert j["nose"][1] == pytest.approx(1.70, abs=0.02)  # head centre ~1.7 m up
    heights = [j[n][1] for n in ("nose", "neck", "left_shoulder", "pelvis", "left_knee", "left_ankle", "left_heel")]
    assert heights == sorted(heights, reverse=True), heights
    assert 0.0 < j["left_heel"][1] < 0.1
    # the frame stays right-handed: the person's left (+y lab) x up (+z lab) = forward (+x lab)
    left = j["left_shoulder"] - j["right_shoulder"]
    up = np.array([0.0, 1.0, 0.0])
    fwd = np.cross(left, up)
    assert float(np.dot(fwd, j["left_foot_index"] - j["left_heel"])) > 0


@pytest.mark.parametrize(("tilt", "yaw"), [(0.0, 0.0), (12.0, 0.0), (-8.0, 25.0)])
def test_hip_centres_follow_harrington(tilt: float, yaw: float) -> None:
    mk = standing_markers(tilt, yaw)
    j = joints_of(pig_canonical(as_array(mk)[None]))
    ax = pelvis_axes(tilt, yaw)
    for side in ("left", "right"):
        expected = _lab_to_canonical(harrington_lab(ax, ASIS_MID, PW, PD, side))
        np.testing.assert_allclose(j[f"{side}_hip"], expected, atol=2e-6)  # float32 metres: ~1 µm
    np.testing.assert_allclose(j["pelvis"], (j["left_hip"] + j["right_hip"]) / 2, atol=2e-6)
    # the hip centres are 2 x (0.33 PW + 7.3 mm) apart, whatever the pelvis' orientation
    assert np.linalg.norm(j["left_hip"] - j["right_hip"]) == pytest.approx(2 * (0.33 * PW + 7.3) / 1000, abs=1e-5)


def test_left_hip_is_on_the_persons_left() -> None:
    mk = standing_markers()
    j = joints_of(pig_canonical(as_array(mk)[None]))
    lasi, rasi = _lab_to_canonical(mk["LASI"]), _lab_to_canonical(mk["RASI"])
    for side, own, other in (("left", lasi, rasi), ("right", rasi, lasi)):
        hip = j[f"{side}_hip"]
        assert np.linalg.norm(hip - own) < np.linalg.norm(hip - other), side
    assert float(np.dot(j["left_hip"] - j["right_hip"], lasi - rasi)) > 0
    # facing +x lab, the person's left is +y lab = canonical x
    assert j["left_hip"][0] > 0 > j["right_hip"][0]
    # and so is every other left joint
    for n in ("shoulder", "elbow", "wrist", "knee", "ankle", "heel", "foot_index", "ear"):
        assert j[f"left_{n}"][0] > j[f"right_{n}"][0], n


def _medial_offset_ok(centre: F64, marker: F64, proximal: F64, lateral_line: F64, towards_midline: F64,
                      half_width: float) -> None:
    """The centre is the marker moved ``half_width`` m perpendicular to the segment proximal->marker, within the
    plane of that segment and the pelvis' left-right line, towards the midline."""
    d = centre - marker
    seg = marker - proximal
    assert np.linalg.norm(d) == pytest.approx(half_width, abs=2e-6)
    assert abs(float(np.dot(d, seg))) / np.linalg.norm(seg) < 2e-6  # perpendicular to the segment
    normal = np.cross(seg, lateral_line)
    assert abs(float(np.dot(d, normal))) / np.linalg.norm(normal) < 2e-6  # in the segment / left-right plane
    assert float(np.dot(d, towards_midline)) > 0.9 * half_width  # near-vertical leg: almost all of it medial


@pytest.mark.parametrize(("tilt", "yaw"), [(0.0, 0.0), (10.0, 30.0)])
def test_knee_and_ankle_centres_are_moved_medially(tilt: float, yaw: float) -> None:
    mk = standing_markers(tilt, yaw)
    if yaw:  # turn the legs with the pelvis
        r = _rot_z(yaw)
        for k in PIG_MARKERS:
            if k[1:] in ("THI", "KNE", "TIB", "ANK", "HEE", "TOE"):
                mk[k] = r @ mk[k]
    j = joints_of(pig_canonical(as_array(mk)[None]))
    c = {k: _lab_to_canonical(v) for k, v in mk.items()}
    right_dir = (c["RASI"] - c["LASI"]) / np.linalg.norm(c["RASI"] - c["LASI"])
    for side, s, medial in (("left", "L", right_dir), ("right", "R", -right_dir)):
        _medial_offset_ok(j[f"{side}_knee"], c[f"{s}KNE"], j[f"{side}_hip"], right_dir, medial, 0.050)
        _medial_offset_ok(j[f"{side}_ankle"], c[f"{s}ANK"], j[f"{side}_knee"], right_dir, medial, 0.035)
    # along the pelvis' left-right line the knee centres are nearer each other than the markers (2 x ~5 cm)
    apart = float(np.dot(j["right_knee"] - j["left_knee"], right_dir))
    assert apart < float(np.dot(c["RKNE"] - c["LKNE"], right_dir)) - 0.09


def test_other_joints_are_the_named_markers() -> None:
    mk = standing_markers()
    j = joints_of(pig_canonical(as_array(mk)[None]))
    c = {k: _lab_to_canonical(v) for k, v in mk.items()}
    expected = {
        "neck": (c["C7"] + c["CLAV"]) / 2,
        "spine_mid": (c["T10"] + c["STRN"]) / 2,
        "spine_chest": (c["T10"] + c["STRN"]) / 2,
        "nose": (c["LFHD"] + c["RFHD"] + c["LBHD"] + c["RBHD"]) / 4,
    }
    for side, s in (("left", "L"), ("right", "R")):
        expected[f"{side}_ear"] = (c[f"{s}FHD"] + c[f"{s}BHD"]) / 2
        expected[f"{side}_wrist"] = (c[f"{s}WRA"] + c[f"{s}WRB"]) / 2
    for name, value in expected.items():
        np.testing.assert_allclose(j[name], value, atol=2e-6, err_msg=name)
    data = pig_canonical(as_array(mk)[None])
    present = {n for n in CANONICAL_JOINTS if data[0, JOINT_INDEX[n], 3] > 0}
    assert present == BUILT
    assert np.all(data[0, [JOINT_INDEX[n] for n in BUILT], 3] == 1.0)


#: marker with a gap -> the joints that must go missing with it (every other built joint stays)
GAPS: dict[str, set[str]] = {
    "LELB": {"left_elbow"},
    "RWRB": {"right_wrist"},
    "LFIN": {"left_index"},
    "LFHD": {"nose", "left_ear"},
    "RBHD": {"nose", "right_ear"},
    "T10": {"spine_mid", "spine_chest"},
    "CLAV": {"neck"},
    "RSHO": {"right_shoulder"},
    "LANK": {"left_ankle"},
    "RHEE": {"right_heel"},
    "LTOE": {"left_foot_index"},
    # the ankle centre is moved perpendicular to the shank, which starts at the knee centre
    "LKNE": {"left_knee", "left_ankle"},
    # both hip centres need all four pelvis markers; knees and ankles are moved relative to them
    "RPSI": {"left_hip", "right_hip", "pelvis", "left_knee", "right_knee", "left_ankle", "right_ankle"},
    # markers no joint is built from
    "RBAK": set(), "LUPA": set(), "RFRM": set(), "LTHI": set(), "RTIB": set(),
}  # fmt: skip


@pytest.mark.parametrize("marker", list(GAPS))
def test_a_gap_removes_only_the_joints_built_from_it(marker: str) -> None:
    one = as_array(standing_markers())
    frames = np.repeat(one[None], 4, axis=0)
    frames[1, IDX[marker]] = 0.0  # how Vicon exports a gap
    frames[2, IDX[marker]] = np.nan
    frames[3, IDX[marker], 2] = np.inf  # one non-finite coordinate is enough
    data = pig_canonical(frames)
    for f in (1, 2, 3):
        missing = {n for n in BUILT if data[f, JOINT_INDEX[n], 3] == 0}
        assert missing == GAPS[marker], (f, missing)
        for n in missing:
            assert np.all(np.isnan(data[f, JOINT_INDEX[n], :3])), n
        for n in BUILT - missing:  # untouched: the same values as the complete frame
            np.testing.assert_array_equal(data[f, JOINT_INDEX[n]], data[0, JOINT_INDEX[n]], err_msg=n)
    assert {n for n in BUILT if data[0, JOINT_INDEX[n], 3] == 0} == set()


def test_a_marker_near_but_not_at_the_origin_is_not_a_gap() -> None:
    frames = as_array(standing_markers())[None].copy()
    frames[0, IDX["LELB"]] = (0.0, 0.0, 0.5)  # only exactly (0, 0, 0) is a gap
    data = pig_canonical(frames)
    assert data[0, JOINT_INDEX["left_elbow"], 3] == 1.0
    np.testing.assert_allclose(data[0, JOINT_INDEX["left_elbow"], :3], [0.0, 0.0005, 0.0], atol=1e-9)


def test_a_joint_centre_at_the_lab_origin_is_not_a_gap() -> None:
    """Only a marker at (0, 0, 0) is a gap (module docstring). A joint built from present markers may land on the
    lab origin (hands on the floor, wrist markers either side of it) and is then still measured."""
    mk = standing_markers()
    mk["LWRA"], mk["LWRB"] = np.array([10.0, 0.0, 0.0]), np.array([-10.0, 0.0, 0.0])
    data = pig_canonical(as_array(mk)[None])
    assert data[0, JOINT_INDEX["left_wrist"], 3] == 1.0
    np.testing.assert_allclose(data[0, JOINT_INDEX["left_wrist"], :3], [0.0, 0.0, 0.0], atol=1e-9)


def _rotated(markers: F64, deg: float, shift: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> F64:
    out: F64 = markers @ _rot_z(deg).T + np.asarray(shift)
    return out


def _angle_series(pose: PoseSequence) -> dict[str, F64]:
    kin = compute_kinematics(pose)
    return {k: v for k, v in kin.series.items() if kin.units[k] == "deg"}


def test_kinematics_do_not_depend_on_the_heading_in_the_lab() -> None:
    """Turning the whole lab frame 90° about z (the person now faces +y): the same angles. A 90° turn is exact in
    floating point ((x, y) -> (-y, x)), so the angles agree to rounding in float64."""
    markers = squat_like()
    a = _angle_series(pose_from(markers))
    b = _angle_series(pose_from(_rotated(markers, 90.0)))
    assert a.keys() == b.keys() and {"knee_flexion_deg", "trunk_inclination_deg", "hip_flexion_deg"} <= a.keys()
    assert np.nanmax(a["knee_flexion_deg"]) - np.nanmin(a["knee_flexion_deg"]) > 30.0  # the angles do move
    for k in a:
        np.testing.assert_array_equal(np.isnan(a[k]), np.isnan(b[k]), err_msg=k)
        np.testing.assert_allclose(b[k], a[k], atol=1e-6, err_msg=k)


def test_kinematics_do_not_depend_on_an_arbitrary_heading_and_position() -> None:
    """Any heading and place in the lab. The canonical array is float32 (~0.1 µm at a few metres): measured up to
    8e-5° here (arccos near 0° or 180° magnifies rounding), so 1e-3°."""
    markers = squat_like()
    a = _angle_series(pose_from(markers))
    b = _angle_series(pose_from(_rotated(markers, -137.0, (2500.0, -1800.0, 0.0))))
    for k in a:
        np.testing.assert_array_equal(np.isnan(a[k]), np.isnan(b[k]), err_msg=k)
        np.testing.assert_allclose(b[k], a[k], atol=1e-3, err_msg=k)


# ----------------------------------------------------------------------------------------------- loading


def test_pig39_npy_loads_as_world_metres(tmp_path: Path) -> None:
    markers = squat_like(30).astype(np.float32)
    path = tmp_path / "markers.npy"
    np.save(path, markers)
    assert detect_format(path) == "pig39-npy"
    for fmt in ("auto", "pig39-npy"):
        pose = load_keypoints(path, fmt, fps=100)
        assert pose.space == "world" and pose.source == "pig39-npy" and pose.image_size is None
        assert pose.data.shape == (30, len(CANONICAL_JOINTS), 4)
        np.testing.assert_allclose(pose.timestamps_s, np.arange(30) / 100.0)
        np.testing.assert_allclose(pose.joint("left_shoulder")[:, :3], _lab_to_canonical(markers[:, IDX["LSHO"]]),
                                   atol=1e-6)
    with pytest.raises(InputError, match="pass --fps"):
        load_keypoints(path)


def test_int16_millimetres_as_stored_by_uiprmd(tmp_path: Path) -> None:
    markers = np.round(squat_like(10)).astype(np.int16)
    np.save(tmp_path / "m.npy", markers)
    pose = load_keypoints(tmp_path / "m.npy", fps=100)
    np.testing.assert_allclose(pose.joint("right_heel")[:, :3], _lab_to_canonical(markers[:, IDX["RHEE"]]),
                               atol=1e-6)


@pytest.mark.parametrize("shape", [(50, 38, 3), (50, 40, 3), (50, 39, 2)])
def test_wrong_marker_count_is_refused(tmp_path: Path, shape: tuple[int, int, int]) -> None:
    path = tmp_path / "bad.npy"
    np.save(path, np.ones(shape, dtype=np.float32))
    with pytest.raises(KeypointFormatError, match=r"fits no keypoint format.*\(T, 39, 3\) Plug-in Gait markers"):
        detect_format(path)
    with pytest.raises(KeypointFormatError, match=r"fits no keypoint format"):
        load_keypoints(path, fps=100)
    with pytest.raises(KeypointFormatError, match=rf"pig39-npy expected shape \(T, 39, 3\).*got \({shape[0]}, "):
        load_keypoints(path, "pig39-npy", fps=100)


@pytest.mark.parametrize("fill", [0.0, np.nan])
def test_no_marker_at_all_is_refused(tmp_path: Path, fill: float) -> None:
    path = tmp_path / "gaps.npy"
    np.save(path, np.full((40, 39, 3), fill, dtype=np.float32))
    with pytest.raises(KeypointFormatError, match="no finite keypoint"):
        load_keypoints(path, fps=100)


def test_no_frames_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.npy"
    np.save(path, np.zeros((0, 39, 3), dtype=np.float32))
    with pytest.raises(KeypointFormatError, match="no frames"):
        load_keypoints(path, "pig39-npy", fps=100)


# ----------------------------------------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def vicon_squat(datasets: Path) -> dict[str, npt.NDArray[np.generic]]:
    with np.load(datasets / "ui_prmd" / "vicon" / "m01_deep_squat.npz") as d:
        return {k: d[k] for k in d.files}


def _first_frames(d: dict[str, npt.NDArray[np.generic]]) -> F64:
    """(N, 39, 3) first frame of every stored rep, mm, gaps NaN."""
    p: F64 = d["positions_mm"][d["offsets"][:-1]].astype(np.float64)
    p[np.all(p == 0, axis=2)] = np.nan
    return p


def test_uiprmd_columns_are_plug_in_gait_in_order(vicon_squat: dict[str, npt.NDArray[np.generic]]) -> None:
    """The source gives no marker names; PIG_MARKERS is the adapter's claim. At the start of every stored deep
    squat (standing, dowel overhead): heights in anatomical order, the L markers on the person's left."""
    p = _first_frames(vicon_squat)
    z = {n: np.nanmedian(p[:, IDX[n], 2]) for n in PIG_MARKERS}
    for s in "LR":
        chain = [f"{s}TOE", f"{s}ANK", f"{s}TIB", f"{s}KNE", f"{s}THI", f"{s}ASI", f"{s}SHO", f"{s}FHD"]
        assert [z[n] for n in chain] == sorted(z[n] for n in chain), (s, [(n, z[n]) for n in chain])
        assert z[f"{s}HEE"] < z[f"{s}TIB"] and z[f"{s}PSI"] < z[f"{s}SHO"]
        # dowel overhead: elbows above shoulders, wrists above elbows, fingers above the head
        assert z[f"{s}SHO"] < z[f"{s}ELB"] < z[f"{s}WRA"] < z[f"{s}FIN"] and z[f"{s}FHD"] < z[f"{s}FIN"]
    assert z["STRN"] < z["CLAV"] < z["C7"] and z["T10"] < z["C7"]
    # left/right and front/back, per rep: facing = where the toes point; the person's left = facing x up
    toes = (p[:, IDX["LTOE"]] + p[:, IDX["RTOE"]] - p[:, IDX["LHEE"]] - p[:, IDX["RHEE"]])[:, :2]
    left = np.stack([-toes[:, 1], toes[:, 0]], axis=1)  # z x facing, in the horizontal plane (right-handed, z up)
    for a, b in (("LASI", "RASI"), ("LPSI", "RPSI"), ("LKNE", "RKNE"), ("LANK", "RANK"), ("LSHO", "RSHO"),
                 ("LFHD", "RFHD"), ("LWRA", "RWRA")):
        side = np.einsum("nd,nd->n", p[:, IDX[a], :2] - p[:, IDX[b], :2], left)
        assert np.nanmin(side) > 0, (a, b)
    for front, back in (("LASI", "LPSI"), ("CLAV", "C7"), ("STRN", "T10"), ("LFHD", "LBHD"), ("RTOE", "RHEE")):
        ahead = np.einsum("nd,nd->n", p[:, IDX[front], :2] - p[:, IDX[back], :2], toes)
        assert np.nanmin(ahead) > 0, (front, back)


def test_uiprmd_hip_centres_inside_the_pelvis(vicon_squat: dict[str, npt.NDArray[np.generic]]) -> None:
    """On real pelves the regression lands where hips are: below the ASIS, above the knee markers, between the two
    ASIS, behind them, and the knee centres between the knee markers."""
    p = _first_frames(vicon_squat)
    data = pig_canonical(p)
    c = _lab_to_canonical(p)
    y = 1  # canonical up
    for side, s, o in (("left", "L", "R"), ("right", "R", "L")):
        hip = data[:, JOINT_INDEX[f"{side}_hip"], :3]
        asis, other_asis = c[:, IDX[f"{s}ASI"]], c[:, IDX[f"{o}ASI"]]
        below = asis[:, y] - hip[:, y]
        assert 0.04 < np.nanmedian(below) < 0.15
        assert np.all(hip[:, y] > c[:, IDX[f"{s}KNE"], y])
        across = other_asis - asis
        t = np.einsum("nd,nd->n", hip - asis, across) / np.einsum("nd,nd->n", across, across)
        assert np.all((t > 0.05) & (t < 0.5)), side  # inside the ASIS, on its own side of the midline
        knee = data[:, JOINT_INDEX[f"{side}_knee"], :3]
        kt = np.einsum("nd,nd->n", knee - c[:, IDX[f"{s}KNE"]], c[:, IDX[f"{o}KNE"]] - c[:, IDX[f"{s}KNE"]])
        assert np.all(kt > 0), side  # moved towards the other knee
    width = np.linalg.norm(data[:, JOINT_INDEX["left_hip"], :3] - data[:, JOINT_INDEX["right_hip"], :3], axis=1)
    # adult hip joint centres are ~15-20 cm apart; subject 5's ASIS markers are 43 cm apart (other subjects 24-28),
    # which the regression turns into 30 cm
    assert 0.12 < np.nanmin(width) and np.nanmax(width) < 0.32


def test_iter_uiprmd_vicon_reps(datasets: Path, vicon_squat: dict[str, npt.NDArray[np.generic]]) -> None:
    reps = list(iter_uiprmd_reps(datasets / "ui_prmd" / "vicon" / "m01_deep_squat.npz", sensor="vicon"))
    d = vicon_squat
    assert len(reps) == len(d["subject"]) == 140
    lengths = np.diff(d["offsets"])
    for i, (pose, meta) in enumerate(reps):
        assert pose.source == "vicon-uiprmd" and pose.space == "world"
        assert pose.n_frames == lengths[i]
        np.testing.assert_allclose(np.diff(pose.timestamps_s), 0.01)
        assert (meta["subject"], meta["episode"], meta["correct"]) == (
            int(d["subject"][i]), int(d["episode"][i]), bool(d["correct"][i]))
        assert meta["movement"] == "deep_squat" and meta["movement_id"] == "m01" and meta["rep_index"] == i
    # the stored mm are the markers: the first rep's left shoulder is LSHO in metres, y up
    first = d["positions_mm"][: lengths[0], IDX["LSHO"]].astype(np.float64)
    ok = ~np.all(first == 0, axis=1)
    np.testing.assert_allclose(reps[0][0].joint("left_shoulder")[ok, :3], _lab_to_canonical(first[ok]), atol=1e-6)


def test_real_rep_angles_do_not_depend_on_the_lab_heading(vicon_squat: dict[str, npt.NDArray[np.generic]]) -> None:
    """A real deep squat through the whole analysis, as recorded and with the lab turned 90°: same reps, same
    findings, same angles (cleaning, filtering and kinematics work in the body's axes)."""
    o = vicon_squat["offsets"]
    markers = vicon_squat["positions_mm"][o[10]: o[11]].astype(np.float64)
    ex = get_exercise("deep_squat")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        a = analyze_pose(pose_from(markers), ex, AnalysisOptions(exercise="deep_squat"), {})
        b = analyze_pose(pose_from(_rotated(markers, 90.0)), ex, AnalysisOptions(exercise="deep_squat"), {})
    assert a.kinematics is not None and b.kinematics is not None
    assert [(r.start_frame, r.turn_frame, r.end_frame) for r in a.reps] == [
        (r.start_frame, r.turn_frame, r.end_frame) for r in b.reps]
    assert [(f.code, f.rep) for f in a.findings] == [(f.code, f.rep) for f in b.findings]
    for k, v in a.kinematics.series.items():
        if a.kinematics.units[k] == "deg":
            np.testing.assert_allclose(b.kinematics[k], v, atol=1e-6, err_msg=k)


# ----------------------------------------------------------------------------------------------- reference floors


def _thresholds() -> dict[str, dict[str, object]]:
    text = (resources.files("backsafe") / "data" / "thresholds.json").read_text(encoding="utf-8")
    out: dict[str, dict[str, object]] = json.loads(text)
    return out


def _value(entry: object) -> float | None:
    v = entry["value"] if isinstance(entry, dict) else entry  # type: ignore[index]
    return None if v is None else float(v)  # null: the sensor does not judge the measure


def test_reference_floors_follow_the_sensor() -> None:
    t = _thresholds()
    markers, camera = t["reference_floor_markers"], t["reference_floor_3d"]
    differ = [m for m in MEASURES if m.name in markers and m.name in camera
              and _value(markers[m.name]) != _value(camera[m.name])]
    assert differ, "no measure whose marker floor differs from the Kinect one: this test would prove nothing"
    assert MARKER_SOURCES == {"pig39-npy", "c3d", "vicon-uiprmd"}
    for m in MEASURES:
        if m.name in markers:
            assert floor_for(m, "3d", "vicon-uiprmd") == _value(markers[m.name]), m.name
            assert floor_for(m, "3d", "pig39-npy") == _value(markers[m.name]), m.name
            assert floor_for(m, "3d", "c3d") == _value(markers[m.name]), m.name
        if m.name in camera:
            assert floor_for(m, "3d", "kinect-uiprmd") == _value(camera[m.name]), m.name
            assert floor_for(m, "3d", "kinect-v2") == _value(camera[m.name]), m.name
            assert floor_for(m, "3d") == _value(camera[m.name]), m.name
        assert floor_for(m, "2d", "vicon-uiprmd") == m.floor_2d  # 2D floors do not depend on the source
    hip_yaw = next(m for m in MEASURES if m.name == "hip_yaw")
    assert floor_for(hip_yaw, "3d", "vicon-uiprmd") != floor_for(hip_yaw, "3d", "kinect-uiprmd")


def test_pipeline_judges_vicon_reps_with_the_marker_floors(datasets: Path) -> None:
    """Held-out subject 5's incorrect deep squats (Vicon) against their correct episodes 1-3: each finding the
    reference judges sits at median ± max(marker floor, 2 SD), and at least one of them would sit elsewhere with
    the Kinect floor (so the source really reaches the rule)."""
    t = _thresholds()
    ex = get_exercise("deep_squat")
    reps = [(p, m) for p, m in iter_uiprmd_reps(datasets / "ui_prmd/vicon/m01_deep_squat.npz", "vicon")
            if m["subject"] == 5]
    judged, differs = 0, 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ref = None
        for pose, meta in reps:
            if meta["correct"] and meta["episode"] <= 3:
                ref = build_reference(pose, ex, into=ref, one_rep=True)
        assert ref is not None
        for pose, meta in reps:
            if meta["correct"]:
                continue
            report = analyze_pose(pose, ex, AnalysisOptions(exercise=ex.id), {}, reference=ref)
            assert report.kinematics is not None and report.kinematics.source == "vicon-uiprmd"
            for f in report.findings:
                m = next((m for m in MEASURES if m.code == f.code and m.signal == f.signal), None)
                if m is None:
                    continue  # a population rule (rushing)
                base = ref.baseline(m.name)
                assert base is not None
                median, sd = base
                sign = 1.0 if m.above else -1.0
                marker_thr = median + sign * max(_value(t["reference_floor_markers"][m.name]), 2 * sd)
                camera_thr = median + sign * max(_value(t["reference_floor_3d"][m.name]), 2 * sd)
                assert f.threshold == pytest.approx(marker_thr, abs=1e-6), (meta, m.name)
                judged += 1
                differs += abs(marker_thr - camera_thr) > 1e-6
    assert judged >= 3 and differs >= 1, (judged, differs)
