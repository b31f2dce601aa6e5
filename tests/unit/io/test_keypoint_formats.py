"""Keypoint adapters on the real dataset files: every format of DESIGN.md loads into the canonical skeleton."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from backsafe.io.keypoints import (
    KEYPOINT_FORMATS,
    detect_format,
    iter_uiprmd_reps,
    load_blazepose_csv_segments,
    load_keypoints,
)
from backsafe.model import PoseSequence
from backsafe.skeleton import BLAZEPOSE_33, CANONICAL_JOINTS, JOINT_INDEX

KERAAL = "keraal_samples/G3-{fmt}-{ex}-P1T1-Unknown-C-0.{ext}"
COCO18_NAMES = ("Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist", "RHip", "RKnee",
                "RAnkle", "LHip", "LKnee", "LAnkle", "REye", "LEye", "REar", "LEar")  # fmt: skip


def keraal(fmt: str, ex: str = "CTK") -> str:
    return KERAAL.format(fmt=fmt, ex=ex, ext="txt" if fmt in ("Kinect", "Vicon") else "json")


def med(pose: PoseSequence, joint: str, axis: int) -> float:
    return float(np.nanmedian(pose.joint(joint)[:, axis]))


def seg_len(pose: PoseSequence, a: str, b: str) -> float:
    """Median 3D distance between two joints."""
    return float(np.nanmedian(np.linalg.norm(pose.joint(a)[:, :3] - pose.joint(b)[:, :3], axis=1)))


def assert_canonical(pose: PoseSequence, n_frames: int, fps: float, source: str) -> None:
    assert pose.data.dtype == np.float32
    assert pose.data.shape == (n_frames, len(CANONICAL_JOINTS), 4)
    assert pose.joints == CANONICAL_JOINTS
    assert pose.source == source
    np.testing.assert_allclose(pose.timestamps_s, np.arange(n_frames) / fps)
    conf = pose.data[..., 3]
    assert np.all((conf >= 0) & (conf <= 1))
    missing = conf == 0
    assert np.all(np.isnan(pose.data[..., :3][missing]))  # missing joint: NaN xyz, confidence 0
    assert np.all(np.isfinite(pose.data[..., :2][~missing]))


def assert_mid(pose: PoseSequence, target: str, a: str, b: str) -> None:
    both = (pose.joint(a)[:, 3] > 0) & (pose.joint(b)[:, 3] > 0)
    assert both.sum() > 0
    expected = 0.5 * (pose.joint(a)[both, :2] + pose.joint(b)[both, :2])
    np.testing.assert_allclose(pose.joint(target)[both, :2], expected, rtol=1e-6)


# ----------------------------------------------------------------------------------------------- detect_format

DETECT_TABLE = [
    ("exercise_correction/plank/plank_test.csv", "blazepose-csv"),
    ("exercise_correction/plank/plank_kaggle_correct.csv", "blazepose-csv"),
    ("exercise_correction/bicep_curl/bicep_curl_test.csv", "blazepose-csv"),
    ("exercise_correction/lunge/lunge_err_test.csv", "blazepose-csv"),
    ("exercise_correction/lunge/lunge_stage_test.csv", "blazepose-csv"),
    ("exercise_correction/squat/squat_stage_train.csv", "blazepose-csv"),
    *[(keraal("BP", ex), "blazepose-json") for ex in ("CTK", "ELK", "RTK")],
    *[(keraal("OP", ex), "openpose-json") for ex in ("CTK", "ELK", "RTK")],
    *[(keraal("AP", ex), "coco17-json") for ex in ("CTK", "ELK", "RTK")],
    *[(keraal("Kinect", ex), "kinect-v2") for ex in ("CTK", "ELK", "RTK")],
    ("pose_trainer/bicep/bicep_good_1.npy", "coco18-npy"),
    ("pose_trainer/shoulderpress/shoulderpressgood1.npy", "coco18-npy"),
    ("pose_trainer/sample_bicep_curl.mp4", "video"),
    ("videos/sports2d_demo.mp4", "video"),
]


@pytest.mark.parametrize(("rel", "expected"), DETECT_TABLE)
def test_detect_format_on_real_files(datasets: Path, rel: str, expected: str) -> None:
    assert detect_format(datasets / rel) == expected


def test_detect_format_folder_and_uiprmd_npy(datasets: Path, tmp_path: Path) -> None:
    rep = np.load(datasets / "ui_prmd/kinect/m01_deep_squat.npz")["positions_abs"][:50]
    np.save(tmp_path / "rep.npy", rep)
    assert detect_format(tmp_path / "rep.npy") == "kinect-uiprmd"
    folder = write_openpose_folder(np.load(datasets / "pose_trainer/bicep/bicep_good_1.npy")[:5], tmp_path / "op")
    assert detect_format(folder) == "openpose-json"


def test_formats_constant() -> None:
    assert KEYPOINT_FORMATS == ("blazepose-csv", "blazepose-json", "openpose-json", "coco18-npy", "coco17-json",
                                "kinect-uiprmd", "kinect-v2", "pig39-npy", "c3d")  # fmt: skip


# ----------------------------------------------------------------------------------------------- blazepose-csv


def test_blazepose_csv_bicep(datasets: Path) -> None:
    path = datasets / "exercise_correction/bicep_curl/bicep_curl_test.csv"
    pose = load_keypoints(path, fps=30)
    assert_canonical(pose, 430, 30.0, "blazepose-csv")
    assert pose.space == "image" and pose.image_size == (1000, 1000)
    kept = {"nose", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
            "left_hip", "right_hip"}  # fmt: skip
    present = {n for n in CANONICAL_JOINTS if np.any(pose.joint(n)[:, 3] > 0)}
    assert present == kept | {"pelvis", "neck"}
    assert med(pose, "left_shoulder", 1) < med(pose, "left_hip", 1)  # standing: shoulders above hips (y down)
    assert np.all(np.isfinite(pose.joint("left_shoulder")[:, 2]))  # BlazePose z kept
    assert np.all(np.isnan(pose.joint("spine_mid")[:, :3]))
    assert_mid(pose, "pelvis", "left_hip", "right_hip")
    assert_mid(pose, "neck", "left_shoulder", "right_shoulder")
    # values and visibility come from the right columns, scaled by the default 1000 x 1000
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    first = rows[0]
    np.testing.assert_allclose(
        pose.joint("right_elbow")[0],
        [float(first["right_elbow_x"]) * 1000, float(first["right_elbow_y"]) * 1000,
         float(first["right_elbow_z"]) * 1000, float(first["right_elbow_v"])],
        rtol=1e-5,
    )  # fmt: skip


def test_blazepose_csv_image_size_scales_x_and_y(datasets: Path) -> None:
    path = datasets / "exercise_correction/squat/squat_stage_train.csv"
    square = load_keypoints(path, fps=30)
    hd = load_keypoints(path, "blazepose-csv", fps=30, image_size=(1920, 1080))
    assert hd.image_size == (1920, 1080)
    np.testing.assert_allclose(hd.data[..., 0], square.data[..., 0] * 1.92, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(hd.data[..., 1], square.data[..., 1] * 1.08, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(hd.data[..., 2], square.data[..., 2] * 1.92, rtol=1e-5, atol=1e-3)  # z: scale of x
    left = med(hd, "left_hip", 0) - med(hd, "right_hip", 0)
    assert abs(left) < 0.2 * 1920  # hips close together in x in these (mostly side) views


def test_blazepose_csv_segments_plank(datasets: Path) -> None:
    segments = load_blazepose_csv_segments(datasets / "exercise_correction/plank/plank_test.csv", fps=30)
    assert len(segments) == 20  # 6 C + 6 H + 8 L dev segments
    assert sum(p.n_frames for p, _ in segments) == 595
    ids = [m["segment"] for _, m in segments]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    counts: dict[str, int] = {}
    for pose, meta in segments:
        labels = meta["labels"]
        assert labels.dtype.kind == "U" and labels.shape == (pose.n_frames,)
        assert len(set(labels.tolist())) == 1  # segments were cut where the label changes
        counts[str(labels[0])] = counts.get(str(labels[0]), 0) + pose.n_frames
        assert pose.timestamps_s[0] == 0.0 and pose.fps == pytest.approx(30.0)
        start, stop = meta["rows"]
        assert stop - start == pose.n_frames
        # plank, side view: shoulders and hips at a similar height, ankles far from the shoulders in x
        assert abs(med(pose, "left_shoulder", 0) - med(pose, "left_ankle", 0)) > 200
    assert counts == {"C": 190, "H": 203, "L": 202}


def test_blazepose_csv_without_segment_column(datasets: Path) -> None:
    segments = load_blazepose_csv_segments(datasets / "exercise_correction/plank/plank_kaggle_correct.csv", fps=30)
    assert len(segments) == 1
    pose, meta = segments[0]
    assert meta["segment"] is None and pose.n_frames == 171
    assert set(meta["labels"].tolist()) == {"C"}


def test_blazepose_csv_segments_squat_stage(datasets: Path) -> None:
    segments = load_blazepose_csv_segments(datasets / "exercise_correction/squat/squat_stage_train.csv", fps=25)
    labels = {str(m["labels"][0]) for _, m in segments}
    assert labels == {"up", "down"}
    assert sum(p.n_frames for p, _ in segments) == 4160
    pose = segments[0][0]
    assert pose.timestamps_s[1] == pytest.approx(0.04)
    assert med(pose, "nose", 1) < med(pose, "left_hip", 1) < med(pose, "left_ankle", 1)


# ----------------------------------------------------------------------------------------------- KERAAL JSON


def test_blazepose_json_keraal(datasets: Path) -> None:
    pose = load_keypoints(datasets / keraal("BP"), fps=30)
    assert_canonical(pose, 196, 30.0, "blazepose-json")
    assert pose.image_size == (1000, 1000)
    assert np.all(pose.data[:, : len(BLAZEPOSE_33), 3] == 1.0)  # all 33 present, no visibility -> 1
    assert np.all(np.isfinite(pose.data[:, : len(BLAZEPOSE_33), 2]))  # z kept
    assert med(pose, "left_shoulder", 1) < med(pose, "left_hip", 1) < med(pose, "left_ankle", 1)
    assert_mid(pose, "pelvis", "left_hip", "right_hip")
    assert np.all(np.isnan(pose.joint("spine_chest")[:, :3]))
    with (datasets / keraal("BP")).open() as fh:
        raw = json.load(fh)["positions"]
    np.testing.assert_allclose(pose.joint("left_knee")[0, :3], np.array(raw["1.0"]["Left_knee"]) * 1000, rtol=1e-5)


def test_openpose_json_keraal_positions_layout(datasets: Path) -> None:
    pose = load_keypoints(datasets / keraal("OP"), fps=30)
    assert_canonical(pose, 197, 30.0, "openpose-json")
    assert np.all(pose.data[-1, :, 3] == 0)  # the last frame of the file is empty: all missing
    assert pose.joint("right_ear")[0, 3] == 0 and pose.joint("right_ear")[6, 3] == 1.0  # rEar absent in frame 1
    # frame "25.0" (index 24) lacks lAnkle, rElbow ...: missing there, present the frame before
    assert pose.joint("left_ankle")[24, 3] == 0 and np.isnan(pose.joint("left_ankle")[24, 0])
    assert pose.joint("left_ankle")[23, 3] == 1.0
    # OpenPose measures the neck: taken from the file, not replaced by mid-shoulder
    with (datasets / keraal("OP")).open() as fh:
        raw = json.load(fh)["positions"]
    np.testing.assert_allclose(pose.joint("neck")[0, :2], np.array(raw["1.0"]["Neck"]) * 1000, rtol=1e-6)
    assert med(pose, "neck", 1) < med(pose, "pelvis", 1) < med(pose, "left_knee", 1)
    # person faces the camera in an unmirrored video: their left side is on the image right
    assert med(pose, "left_shoulder", 0) > med(pose, "right_shoulder", 0)
    assert med(pose, "left_hip", 0) > med(pose, "right_hip", 0)


def test_coco17_json_keraal_matches_openpose(datasets: Path) -> None:
    ap = load_keypoints(datasets / keraal("AP"), fps=30, image_size=(640, 480))
    op = load_keypoints(datasets / keraal("OP"), fps=30, image_size=(640, 480))
    # frame keys "0".."195" skip "12" (AlphaPose drops frames): an all-missing frame keeps later frames' times
    assert_canonical(ap, 196, 30.0, "coco17-json")
    assert np.all(ap.data[12, :, 3] == 0) and np.all(ap.data[[11, 13], 0, 3] == 1.0)
    assert ap.image_size == (640, 480)
    # AlphaPose and OpenPose ran on the same video: the same joints land within a few pixels
    for joint in ("nose", "left_eye", "right_ear", "left_shoulder", "right_hip", "left_knee", "right_ankle"):
        for axis in (0, 1):
            assert med(ap, joint, axis) == pytest.approx(med(op, joint, axis), abs=12), (joint, axis)
    assert np.all(np.isnan(ap.joint("left_heel")[:, :3]))  # not in COCO-17
    assert_mid(ap, "neck", "left_shoulder", "right_shoulder")


def test_keraal_blazepose_sample_is_mirrored(datasets: Path) -> None:
    """Documents a property of the KERAAL BlazePose samples (not of the format): they were run on a mirrored
    video, so x is 1 - x of the OpenPose files and BlazePose's Left_* is the person's right."""
    bp = load_keypoints(datasets / keraal("BP", "ELK"), fps=30)
    op = load_keypoints(datasets / keraal("OP", "ELK"), fps=30)
    assert med(bp, "nose", 0) == pytest.approx(1000 - med(op, "nose", 0), abs=15)
    assert med(bp, "left_shoulder", 0) == pytest.approx(1000 - med(op, "right_shoulder", 0), abs=15)
    # flank stretch: the person raises the right arm first (OpenPose and Kinect agree), BlazePose says left
    assert first_arm_raised(op) == "right"
    assert first_arm_raised(bp) == "left"


def first_arm_raised(pose: PoseSequence) -> str:
    """Side whose wrist first goes above the nose (y down in image space, y up in world space)."""
    sign = 1.0 if pose.space == "world" else -1.0
    frames = {}
    for side in ("left", "right"):
        above = sign * (pose.joint(f"{side}_wrist")[:, 1] - pose.joint("nose")[:, 1]) > 0
        hits = np.flatnonzero(above)
        frames[side] = int(hits[0]) if hits.size else 10**9
    return min(frames, key=lambda s: frames[s])


# ----------------------------------------------------------------------------------------------- coco18-npy + folder


def test_coco18_npy_pose_trainer(datasets: Path) -> None:
    path = datasets / "pose_trainer/frontraise/frontraise_bad_1.npy"
    raw = np.load(path)
    pose = load_keypoints(path, fps=30)
    assert_canonical(pose, raw.shape[0], 30.0, "coco18-npy")
    present = raw[..., 2] > 0
    xs, ys = raw[..., 0][present], raw[..., 1][present]
    assert pose.image_size == (int(np.ceil(xs.max())), int(np.ceil(ys.max())))
    # undetected (confidence 0) -> missing; detected -> the pixel values and OpenPose confidence
    for src, name in ((0, "nose"), (1, "neck"), (4, "right_wrist"), (11, "left_hip"), (17, "left_ear")):
        dst = pose.joint(name)
        np.testing.assert_array_equal(dst[:, 3] > 0, raw[:, src, 2] > 0)
        ok = raw[:, src, 2] > 0
        np.testing.assert_allclose(dst[ok, :2], raw[ok, src, :2], rtol=1e-6)
        np.testing.assert_allclose(dst[ok, 3], raw[ok, src, 2], rtol=1e-6)
    assert np.all(np.isnan(pose.data[..., 2]))  # no depth
    assert med(pose, "neck", 1) < med(pose, "right_hip", 1)
    given = load_keypoints(path, "coco18-npy", fps=30, image_size=(1920, 1080))
    assert given.image_size == (1920, 1080)
    np.testing.assert_array_equal(given.data, pose.data)  # pixel formats are not rescaled


def test_coco18_npy_with_undetected_joints(datasets: Path) -> None:
    path = datasets / "pose_trainer/bicep/bicep_good_1.npy"
    raw = np.load(path)
    assert np.any(raw[..., 2] == 0)  # this file has undetected joints
    pose = load_keypoints(path, fps=30)
    t, j = np.argwhere(raw[..., 2] == 0)[0]
    from backsafe.io._adapters_image import COCO18

    assert pose.joint(COCO18[j])[t, 3] == 0 and np.all(np.isnan(pose.joint(COCO18[j])[t, :3]))


def write_openpose_folder(coco18: np.ndarray, folder: Path, empty_frames: tuple[int, ...] = ()) -> Path:
    """Per-frame OpenPose JSON files (COCO-18) as OpenPose writes them, from a (T, 18, 3) array."""
    folder.mkdir(parents=True, exist_ok=True)
    for t, frame in enumerate(coco18):
        people = [] if t in empty_frames else [{"person_id": [-1], "pose_keypoints_2d": frame.ravel().tolist()}]
        doc = {"version": 1.3, "people": people}
        (folder / f"clip_{t:012d}_keypoints.json").write_text(json.dumps(doc))
    return folder


def test_openpose_folder_coco18_matches_npy(datasets: Path, tmp_path: Path) -> None:
    path = datasets / "pose_trainer/shouldershrug/shouldershrug_good_1.npy"
    raw = np.load(path)
    folder = write_openpose_folder(raw, tmp_path / "frames", empty_frames=(3,))
    pose = load_keypoints(folder, fps=30)
    ref = load_keypoints(path, fps=30)
    assert_canonical(pose, raw.shape[0], 30.0, "openpose-json")
    assert np.all(pose.data[3, :, 3] == 0)  # nobody detected in frame 3
    keep = np.arange(raw.shape[0]) != 3
    np.testing.assert_allclose(pose.data[keep], ref.data[keep], rtol=1e-6, equal_nan=True)


def test_openpose_folder_natural_order_and_single_file(tmp_path: Path) -> None:
    base = synthetic_coco18(12)
    folder = tmp_path / "frames"
    folder.mkdir()
    for t, frame in enumerate(base):  # unpadded numbers: 10 must come after 9
        (folder / f"f{t}.json").write_text(json.dumps({"people": [{"pose_keypoints_2d": frame.ravel().tolist()}]}))
    pose = load_keypoints(folder, "openpose-json", fps=10)
    np.testing.assert_allclose(pose.joint("nose")[:, 0], base[:, 0, 0])
    single = load_keypoints(folder / "f5.json", fps=10)
    assert single.n_frames == 1 and single.joint("nose")[0, 0] == pytest.approx(base[5, 0, 0])


def synthetic_coco18(n_frames: int) -> np.ndarray:
    """A standing person facing the camera, 640 x 480, drifting right by 2 px a frame."""
    xy = {0: (320, 100), 1: (320, 140), 2: (290, 140), 3: (280, 190), 4: (275, 240), 5: (350, 140),
          6: (360, 190), 7: (365, 240), 8: (300, 250), 9: (300, 330), 10: (300, 410), 11: (340, 250),
          12: (340, 330), 13: (340, 410), 14: (312, 92), 15: (328, 92), 16: (305, 96), 17: (335, 96)}  # fmt: skip
    frame = np.array([[*xy[i], 0.9] for i in range(18)], dtype=np.float64)
    out = np.repeat(frame[None], n_frames, axis=0)
    out[:, :, 0] += 2.0 * np.arange(n_frames)[:, None]
    return out


def test_openpose_folder_body25(tmp_path: Path) -> None:
    coco = synthetic_coco18(4)
    # BODY_25: COCO-18 with MidHip inserted at 8, then LBigToe LSmallToe LHeel RBigToe RSmallToe RHeel
    mid_hip = np.array([320.0, 255.0, 0.8])
    feet = np.array([[350, 425, 0.7], [345, 425, 0.7], [335, 420, 0.7], [290, 425, 0.7], [295, 425, 0.7],
                     [305, 420, 0.7]], dtype=np.float64)  # fmt: skip
    folder = tmp_path / "b25"
    folder.mkdir()
    for t in range(4):
        body = np.vstack([coco[t, :8], mid_hip, coco[t, 8:], feet])
        assert body.shape == (25, 3)
        doc = {"people": [{"pose_keypoints_2d": body.ravel().tolist()}]}
        (folder / f"v_{t:012d}_keypoints.json").write_text(json.dumps(doc))
    pose = load_keypoints(folder, fps=30)
    np.testing.assert_allclose(pose.joint("pelvis")[:, :2], np.repeat(mid_hip[None, :2], 4, 0))  # MidHip measured
    np.testing.assert_allclose(pose.joint("left_foot_index")[0], [350, 425, np.nan, 0.7], rtol=1e-6)
    np.testing.assert_allclose(pose.joint("right_heel")[0], [305, 420, np.nan, 0.7], rtol=1e-6)
    np.testing.assert_allclose(pose.joint("left_hip")[0, :2], coco[0, 11, :2])
    assert pose.image_size == (int(np.ceil(coco[:, :, 0].max())), 425)


# ----------------------------------------------------------------------------------------------- Kinect


def test_kinect_v2_keraal(datasets: Path) -> None:
    path = datasets / keraal("Kinect")
    raw = np.loadtxt(path).reshape(-1, 25, 7)
    pose = load_keypoints(path, fps=30)
    assert_canonical(pose, 197, 30.0, "kinect-v2")
    assert pose.space == "world" and pose.image_size is None
    np.testing.assert_allclose(pose.joint("pelvis")[:, :3], raw[:, 0, :3], rtol=1e-6)  # SpineBase
    np.testing.assert_allclose(pose.joint("spine_chest")[:, :3], raw[:, 20, :3], rtol=1e-6)  # SpineShoulder
    np.testing.assert_allclose(pose.joint("right_knee")[:, :3], raw[:, 17, :3], rtol=1e-6)
    assert np.all(pose.joint("left_pinky")[:, 3] == 0)  # hands are not mapped
    # y up, metres, plausible body
    assert med(pose, "nose", 1) > med(pose, "spine_chest", 1) > med(pose, "spine_mid", 1) > med(pose, "pelvis", 1)
    assert med(pose, "left_shoulder", 1) > med(pose, "left_hip", 1) > med(pose, "left_knee", 1)
    assert 0.3 < seg_len(pose, "left_hip", "left_knee") < 0.6
    assert 0.3 < seg_len(pose, "right_knee", "right_ankle") < 0.55
    assert 0.25 < seg_len(pose, "left_shoulder", "right_shoulder") < 0.5
    # native camera frame, person facing the sensor (toes towards -z): their left is at smaller x
    assert med(pose, "left_foot_index", 2) < med(pose, "left_ankle", 2)
    assert med(pose, "left_hip", 0) < med(pose, "right_hip", 0)
    assert med(pose, "left_shoulder", 0) < med(pose, "right_shoulder", 0)


def test_kinect_v2_left_right_match_openpose(datasets: Path) -> None:
    """Flank stretch: Kinect's right wrist rises first, as OpenPose's rWrist on the same recording."""
    kinect = load_keypoints(datasets / keraal("Kinect", "ELK"), fps=30)
    op = load_keypoints(datasets / keraal("OP", "ELK"), fps=30)
    assert first_arm_raised(kinect) == first_arm_raised(op) == "right"


def test_kinect_uiprmd_reps(datasets: Path) -> None:
    reps = list(iter_uiprmd_reps(datasets / "ui_prmd/kinect/m01_deep_squat.npz"))
    assert len(reps) == 140
    assert sum(m["correct"] for _, m in reps) == 70
    pose, meta = reps[0]
    assert meta == {"subject": 1, "episode": 1, "correct": True, "movement": "deep_squat", "movement_id": "m01",
                    "rep_index": 0}  # fmt: skip
    assert all(37 <= p.n_frames <= 179 for p, _ in reps)
    assert_canonical(pose, pose.n_frames, 30.0, "kinect-uiprmd")
    assert pose.space == "world" and pose.image_size is None
    present = {n for n in CANONICAL_JOINTS if np.all(pose.joint(n)[:, 3] == 1)}
    assert {"pelvis", "spine_mid", "spine_chest", "neck", "nose", "left_foot_index", "right_wrist"} <= present
    assert len(present) == 19
    # metres, y up: head above chest above pelvis above knees
    assert med(pose, "nose", 1) > med(pose, "spine_chest", 1) > med(pose, "pelvis", 1) > med(pose, "left_knee", 1)
    assert med(pose, "left_shoulder", 1) > med(pose, "left_hip", 1)
    for p, _ in reps[::10]:
        assert 0.3 < seg_len(p, "left_hip", "left_knee") < 0.6
        assert 0.3 < seg_len(p, "right_knee", "right_ankle") < 0.6
        # person faces +z (toes point to +z), right-handed frame: their own left is at +x
        assert med(p, "left_foot_index", 2) > med(p, "left_ankle", 2)
        assert med(p, "left_hip", 0) > med(p, "right_hip", 0)
        assert med(p, "left_shoulder", 0) > med(p, "right_shoulder", 0)
    # deep squat: the pelvis drops by well over 20 cm during the rep
    assert np.ptp(pose.joint("pelvis")[:, 1]) > 0.2


def test_kinect_uiprmd_npy_equals_npz_rep(datasets: Path, tmp_path: Path) -> None:
    npz = np.load(datasets / "ui_prmd/kinect/m03_inline_lunge.npz")
    a, b = npz["offsets"][5], npz["offsets"][6]
    np.save(tmp_path / "rep.npy", npz["positions_abs"][a:b])
    pose = load_keypoints(tmp_path / "rep.npy", fps=30)
    ref = next(p for p, m in iter_uiprmd_reps(datasets / "ui_prmd/kinect/m03_inline_lunge.npz") if m["rep_index"] == 5)
    assert pose.source == "kinect-uiprmd" and pose.space == "world"
    np.testing.assert_allclose(pose.data, ref.data, equal_nan=True)
    np.testing.assert_allclose(pose.joint("pelvis")[:, :3], npz["positions_abs"][a:b, 0] / 100, rtol=1e-6)
    assert pose.data[0, JOINT_INDEX["neck"], 3] == 1.0
