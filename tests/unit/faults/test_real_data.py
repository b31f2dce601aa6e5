"""Fault rules on real labelled keypoints from ../shared/datasets, loaded and analysed by the product's own code.

- Exercise-Correction plank (C correct / H hips high / L low back sag, per frame): body line and
  back_arching / hips_piked.
- Exercise-Correction bicep curl (C / L lean back): trunk inclination and back_arching.
- Pose Trainer front raise (good / bad per file, OpenPose COCO-18): arm raised to shoulder level (partial_range).
- UI-PRMD Kinect deep squat (3D): every rule runs, none is refused for the view, the lumbar moment is reported.

Where the data cannot test a fault: no labelled data exists for hip_rotation, lateral_shift, knee_varus (nor
knee_valgus beyond correct-only squats), rushing or jumping (only the Sports2D jumping-jack video, which needs
MediaPipe); those are covered by the constructed tests in this folder. Known failures are marked xfail with the
reason (bugs outside the fault rules: kinematics, pipeline quality gate, segmentation).
"""

from __future__ import annotations

import warnings
from collections import Counter
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from backsafe.exercises import get_exercise
from backsafe.faults.base import FaultContext
from backsafe.faults.rules import partial_range
from backsafe.io.keypoints import iter_uiprmd_reps, load_blazepose_csv_segments, load_keypoints
from backsafe.pipeline import AnalysisOptions, analyze_pose


def _segments(datasets: Path, rel: str, exercise: str) -> list[dict]:  # type: ignore[type-arg]
    ex = get_exercise(exercise)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for pose, meta in load_blazepose_csv_segments(datasets / rel, fps=30):
            label = Counter(meta["labels"].tolist()).most_common(1)[0][0]
            report = analyze_pose(pose, ex, AnalysisOptions(exercise=exercise), meta={})
            out.append({"segment": meta["segment"], "label": label, "report": report,
                        "codes": {f.code for f in report.findings}})
    return out


def _median(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


@pytest.fixture(scope="module")
def plank(datasets: Path) -> list[dict]:  # type: ignore[type-arg]
    return _segments(datasets, "exercise_correction/plank/plank_test.csv", "plank")


@pytest.fixture(scope="module")
def curl(datasets: Path) -> list[dict]:  # type: ignore[type-arg]
    return _segments(datasets, "exercise_correction/bicep_curl/bicep_curl_test.csv", "bicep_curl")


# --- plank --------------------------------------------------------------------------------------------------------


def test_plank_body_line_sign_orders_the_labels(plank: list[dict]) -> None:  # type: ignore[type-arg]
    """Sag (L) reads positive, pike (H) most negative, correct (C) in between: sign and side are right."""
    med = {lab: [m for s in plank if s["label"] == lab
                 if np.isfinite(m := _median(s["report"].kinematics["body_line_deg"]))] for lab in "CHL"}
    assert all(med[lab] for lab in "CHL"), med
    assert min(med["L"]) > 10.0
    assert max(med["H"]) < -10.0
    assert max(med["C"]) < min(med["L"]) and min(med["C"]) > max(med["H"])


def test_plank_sag_and_pike_found(plank: list[dict]) -> None:  # type: ignore[type-arg]
    measured = [s for s in plank if np.isfinite(s["report"].kinematics["body_line_deg"]).any()]
    sag = [s for s in measured if s["label"] == "L"]
    pike = [s for s in measured if s["label"] == "H"]
    assert sag and pike
    assert all("back_arching" in s["codes"] for s in sag)
    assert all("hips_piked" in s["codes"] for s in pike)
    assert not any("back_arching" in s["codes"] for s in measured if s["label"] in "CH")
    for s in plank:  # a hold is one "rep"; nothing is refused for the view
        assert s["report"].view == "side"
        assert not any("cannot be judged" in w for w in s["report"].warnings)


def test_plank_every_segment_measured(plank: list[dict]) -> None:  # type: ignore[type-arg]
    assert all(np.isfinite(s["report"].kinematics["body_line_deg"]).any() for s in plank)


def test_plank_correct_segments_are_clean(plank: list[dict]) -> None:  # type: ignore[type-arg]
    measured = [s for s in plank if s["label"] == "C" and np.isfinite(s["report"].kinematics["body_line_deg"]).any()]
    assert measured
    assert all(not s["codes"] & {"back_arching", "hips_piked"} for s in measured)


# --- bicep curl lean-back -----------------------------------------------------------------------------------------


def test_curl_lean_back_sign(curl: list[dict]) -> None:  # type: ignore[type-arg]
    """trunk_inclination_deg is + forward: lean-back segments read about -20°, correct ones about 0°, whichever way
    the person faces."""
    med = {lab: [_median(s["report"].kinematics["trunk_inclination_deg"]) for s in curl if s["label"] == lab]
           for lab in "CL"}
    assert med["L"] and med["C"]
    assert max(med["L"]) < -10.0
    assert min(med["C"]) > -5.0
    assert {s["report"].kinematics.facing for s in curl if s["label"] == "L"} == {"left", "right"}


def test_curl_lean_back_flagged_where_a_rep_is_found(curl: list[dict]) -> None:  # type: ignore[type-arg]
    with_rep = [s for s in curl if s["label"] == "L" and s["report"].reps]
    assert with_rep
    assert all("back_arching" in s["codes"] for s in with_rep)
    assert not any("back_arching" in s["codes"] for s in curl if s["label"] == "C")


def test_curl_every_lean_back_segment_flagged(curl: list[dict]) -> None:  # type: ignore[type-arg]
    assert all("back_arching" in s["codes"] for s in curl if s["label"] == "L")


# --- pose trainer front raise -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def front_raises(datasets: Path) -> list[tuple[str, object]]:
    ex = get_exercise("front_raise")
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for p in sorted((datasets / "pose_trainer" / "frontraise").glob("*.npy")):
            pose = load_keypoints(p, "coco18-npy", fps=30)
            out.append((p.stem, analyze_pose(pose, ex, AnalysisOptions(exercise="front_raise", view="side"), {})))
    return out


def test_front_raise_good_vs_bad_arm_height(front_raises: list[tuple[str, object]]) -> None:
    """The authors' rule "arm raised to shoulder level": every good file raises the arm above 85°, most bad ones do
    not, and partial_range (80° for a front raise, side view) says so."""
    ex = get_exercise("front_raise")
    flagged = {}
    for name, rep in front_raises:
        ctx = FaultContext(kin=rep.kinematics, reps=rep.reps, ex=ex, tempo=ex.default_tempo)  # type: ignore[attr-defined]
        flagged[name] = bool(partial_range.check(ctx))
        top = np.nanmax(rep.kinematics["shoulder_elevation_deg"])  # type: ignore[attr-defined]
        if "_good_" in name:
            assert top > 80.0, name  # the partial_range threshold for front_raise
    good = [v for k, v in flagged.items() if "_good_" in k]
    bad = [v for k, v in flagged.items() if "_bad_" in k]
    assert not any(good)
    assert sum(bad) >= 0.7 * len(bad)


def test_front_raise_through_the_whole_pipeline(front_raises: list[tuple[str, object]]) -> None:
    for _, rep in front_raises:
        assert rep.quality == "ok"  # type: ignore[attr-defined]


# --- UI-PRMD Kinect 3D --------------------------------------------------------------------------------------------


def test_uiprmd_deep_squat_3d_rules_run(datasets: Path) -> None:
    ex = get_exercise("squat")
    n = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for pose, meta in islice(iter_uiprmd_reps(datasets / "ui_prmd" / "kinect" / "m01_deep_squat.npz"), 0, 140, 7):
            rep = analyze_pose(pose, ex, AnalysisOptions(exercise="squat"), meta={})
            assert rep.dims == "3d"
            assert not any("cannot be judged" in w for w in rep.warnings), rep.warnings
            assert {f.code for f in rep.findings} <= set(ex.faults)
            for f in rep.findings:
                r = next(r for r in rep.reps if r.index == f.rep)
                assert r.start_frame <= f.frames[0] <= f.frames[1] <= r.end_frame
            if rep.reps:
                assert rep.lumbar_moment_nm, meta
            n += 1
    assert n == 20
