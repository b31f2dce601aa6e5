"""[1/7] must-show 2 and 3: rep counting on every real clip with a known count, and per-rep segmentation of
UI-PRMD, through ``backsafe eval`` on the manifests in eval/manifests (the product's own pipeline)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from backsafe.evaluation import evaluate_manifest, rep_metrics

if TYPE_CHECKING:
    from backsafe.model import PoseSequence

MANIFESTS = Path(__file__).resolve().parents[2] / "eval" / "manifests"


@pytest.mark.slow
@pytest.mark.xdist_group("mediapipe")
def test_rep_count_on_real_clips(datasets: Path, pose_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKSAFE_POSE_CACHE", str(pose_cache))
    monkeypatch.setenv("BACKSAFE_SHARED_DIR", str(datasets.parent))
    outcomes = evaluate_manifest(MANIFESTS / "rep_count.json")
    assert not [o for o in outcomes if o.error], [o.error for o in outcomes if o.error]
    m = rep_metrics(outcomes)
    assert m is not None and m["n"] == 30
    wrong = [(o.item, o.expected_reps, o.counted_reps) for o in outcomes
             if not (o.expected_reps[0] <= (o.counted_reps or -1) <= o.expected_reps[1])]  # type: ignore[index]
    assert m["right"] >= 0.90, wrong
    assert m["within_one"] == 1.0, wrong


def test_uiprmd_one_rep_per_stored_repetition(datasets: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKSAFE_SHARED_DIR", str(datasets.parent))
    outcomes = evaluate_manifest(MANIFESTS / "uiprmd.json")
    assert len(outcomes) == 700
    exactly_one = sum(1 for o in outcomes if o.counted_reps == 1) / len(outcomes)
    assert exactly_one >= 0.95
    for mv in ("m01", "m02", "m03", "m04", "m05"):
        sub = [o for o in outcomes if mv in o.item]
        assert sum(1 for o in sub if o.counted_reps == 1) / len(sub) >= 0.9, mv


# ---------------------------------------------------------------- hard cases built from real keypoints (issue 16)

def _count(pose: PoseSequence, exercise: str) -> tuple[str, int]:
    """(signal counted on, full reps)."""
    from backsafe.exercises import get_exercise
    from backsafe.pipeline import _clean_and_measure
    from backsafe.reps.segmentation import choose_signal, segment_reps

    _, _, kin = _clean_and_measure(pose)
    ex = get_exercise(exercise)
    return choose_signal(kin, ex)[0], sum(1 for r in segment_reps(kin, ex) if not r.partial)


def _crop(pose: PoseSequence, joints: list[str]) -> PoseSequence:
    import numpy as np

    from backsafe.skeleton import JOINT_INDEX

    d = pose.data.copy()
    for n in joints:
        d[:, JOINT_INDEX[n], :3] = np.nan
        d[:, JOINT_INDEX[n], 3] = 0.0
    return pose.replace(data=d)


FEET = ["left_ankle", "right_ankle", "left_heel", "right_heel", "left_foot_index", "right_foot_index"]


@pytest.mark.slow
@pytest.mark.xdist_group("mediapipe")
@pytest.mark.parametrize(("clip", "exercise", "full"), [
    ("clips/squat_side_TomNotchYmk.mp4", "squat", 10),
    ("clips/squat_oblique_Jurisimo00.mp4", "squat", 8),
    ("clips/split_squat_side_Ambaks.mp4", "split_squat", 11),
])
def test_cropped_lower_body_still_counts(datasets: Path, pose_cache: Path, clip: str, exercise: str,
                                         full: int) -> None:
    """A real clip's keypoints with the feet out of frame (then the knees too): the count falls back on the hips
    (hip flexion, then the hips' height) and stays within the labelled full..full+partial reps."""
    from backsafe.pipeline import AnalysisOptions, load_pose

    pose, _ = load_pose(datasets / clip, AnalysisOptions(exercise=exercise, pose_cache_dir=pose_cache))
    name, n = _count(_crop(pose, FEET), exercise)
    assert name == "hip_flexion_deg" and full <= n <= full + 1
    name, n = _count(_crop(pose, FEET + ["left_knee", "right_knee"]), exercise)
    assert name == "hip_height_torso" and full <= n <= full + 1


def _uiprmd_set(datasets: Path, movement: str, subject: int, n: int = 5) -> PoseSequence:
    import numpy as np

    from backsafe.io.keypoints import iter_uiprmd_reps

    reps = [p for p, m in iter_uiprmd_reps(datasets / f"ui_prmd/kinect/{movement}.npz", "kinect")
            if m["subject"] == subject and m["correct"]][:n]
    data = np.concatenate([p.data for p in reps])
    return reps[0].replace(data=data, timestamps_s=np.arange(data.shape[0]) / reps[0].fps)


def _project(pose: PoseSequence, yaw_deg: float) -> PoseSequence:
    """A 3D skeleton filmed by a camera turned ``yaw_deg`` about the vertical (0 = facing the person): an image."""
    import numpy as np

    from backsafe.model import PoseSequence

    xyz = pose.data[..., :3].astype(np.float64)
    c, s = np.cos(np.radians(yaw_deg)), np.sin(np.radians(yaw_deg))
    x = c * xyz[..., 0] + s * xyz[..., 2]
    out = np.stack([640 + 400 * x, 700 - 400 * xyz[..., 1], np.full_like(x, np.nan),
                    np.where(np.isfinite(x), 0.95, 0.0)], axis=-1).astype(np.float32)
    return PoseSequence(data=out, timestamps_s=pose.timestamps_s, space="image", image_size=(1280, 960),
                        source="projected")


@pytest.mark.parametrize("yaw", [0, 30, 60, 90])
@pytest.mark.parametrize(("movement", "exercise", "subject"), [
    ("m01_deep_squat", "deep_squat", 5), ("m01_deep_squat", "deep_squat", 7), ("m03_inline_lunge", "inline_lunge", 6),
])
def test_foreshortened_projection_counts_every_rep(datasets: Path, movement: str, exercise: str, subject: int,
                                                   yaw: int) -> None:
    """Five real 3D reps (UI-PRMD Kinect, unseen subjects) projected from the front to the side: as many full reps
    as in 3D (a stored rep that starts away from rest is partial in 3D too), and at least 4 of the 5."""
    pose = _uiprmd_set(datasets, movement, subject)
    in_3d = _count(pose, exercise)[1]
    assert in_3d >= 4 and _count(_project(pose, yaw), exercise)[1] == in_3d


def _seen_along_the_arm(pose: PoseSequence) -> PoseSequence:
    """A sagittal 2D movement seen from the front (or a lateral raise from the side): the image's horizontal is
    lost; left and right joints sit either side of the body's midline."""
    import numpy as np

    from backsafe.skeleton import JOINT_INDEX

    d = pose.data.copy()
    idx = [JOINT_INDEX[n] for n in ("left_hip", "right_hip", "left_shoulder", "right_shoulder")]
    mid = np.nanmean(d[:, idx, 0], axis=1)
    sh = np.nanmean(d[:, idx[2:], :2], axis=1)
    hp = np.nanmean(d[:, idx[:2], :2], axis=1)
    torso = float(np.nanmedian(np.linalg.norm(sh - hp, axis=1)))
    for name, k in JOINT_INDEX.items():
        off = 0.4 * torso if name.startswith("left_") else -0.4 * torso if name.startswith("right_") else 0.0
        d[:, k, 0] = mid + off
    return pose.replace(data=d)


def test_raise_filmed_along_the_arm_counts_on_the_wrists(datasets: Path) -> None:
    """Pose Trainer front raises (real, side view) seen along the arm's path: the arm's image angle flips as the
    elbow passes the shoulder, so reps are counted on the wrists' height; the count equals the side view's."""
    import warnings

    from backsafe.io.keypoints import load_keypoints

    files = sorted((datasets / "pose_trainer" / "frontraise").glob("*.npy"))
    assert files
    same = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        for f in files:
            pose = load_keypoints(f, input_format="coco18-npy", fps=30)
            same += _count(pose, "front_raise")[1] == _count(_seen_along_the_arm(pose), "front_raise")[1]
    assert same / len(files) >= 0.9


@pytest.mark.slow
@pytest.mark.xdist_group("mediapipe")
def test_video_cropped_above_the_ankles_counts_every_rep(datasets: Path, tmp_path: Path) -> None:
    """A real video cropped, not keypoints removed: the coach's barbell deadlifts (4 reps) with the frame cut at
    70 % of its height, feet out and knees at the edge. MediaPipe then loses the knees at every lockout, the hip
    angle with them, for 1.5-3 s a rep; those gaps are filled from the trunk's tilt, which moves with the hip angle
    where both are seen (reps/signal.py ``_gaps_filled``). Without it: 3 reps and 5 partials. The default run (no
    exercise given) must also read it as a deadlift."""
    from fractions import Fraction

    import av
    import numpy as np

    from backsafe.io.video import iter_frames
    from backsafe.pipeline import analyze

    src = datasets / "clips" / "deadlift_side_Jurisimo00.mp4"
    if not src.is_file():
        pytest.skip("clips/deadlift_side_Jurisimo00.mp4 not in this copy of the datasets")
    out = tmp_path / "cropped.mp4"
    with av.open(str(out), mode="w") as container:
        stream = None
        for fr in iter_frames(src):
            img = np.ascontiguousarray(fr.rgb[: int(0.70 * fr.rgb.shape[0]) // 2 * 2])
            if stream is None:
                stream = container.add_stream("libx264", rate=Fraction(30))
                stream.width, stream.height, stream.pix_fmt = img.shape[1], img.shape[0], "yuv420p"
                stream.options = {"crf": "12"}
            for pkt in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                container.mux(pkt)
        assert stream is not None
        for pkt in stream.encode(None):
            container.mux(pkt)
    given = analyze(out, "deadlift", back_shape=False)
    assert given.rep_count == 4, [(r.start_s, r.end_s, r.partial) for r in given.reps]
    default = analyze(out, back_shape=False)
    assert default.exercise == "deadlift" and default.rep_count == 4, (default.exercise, default.rep_count)
