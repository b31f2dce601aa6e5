"""Optical motion capture (Plug-in Gait markers) as input, end to end, on the real UI-PRMD Vicon recordings.

- The same sessions measured by two sensors: UI-PRMD recorded every rep with a Kinect v2 and a Vicon system at
  once. Through the product's pipeline (adapter, cleaning, kinematics, reps) both must tell the same story: per-rep
  peak knee flexion and trunk inclination of the deep squats agree, and in the hurdle step both see the same
  leg step over. Every Vicon rep is one rep.
- The CLI as a user runs it: one real Vicon rep saved as a (T, 39, 3) npy, with and without a reference rep of the
  same person; a (T, 38, 3) npy is refused with exit 3 and nothing written.
- The eval manifest uiprmd_vicon_reference through backsafe.evaluation.run_eval (what `backsafe eval` runs): the
  [2/7] targets on the held-out subjects.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from corpus import ERROR_LINE, run_cli, visible_files

from backsafe.exercises import get_exercise
from backsafe.io.keypoints import iter_uiprmd_reps
from backsafe.pipeline import AnalysisOptions, analyze_pose
from backsafe.report.json_report import validate_report_dict

MANIFESTS = Path(__file__).resolve().parents[2] / "eval" / "manifests"
Key = tuple[int, int, bool]  # subject, episode, correct


def _analyse(path: Path, sensor: str, exercise: str) -> dict[Key, Any]:
    """Every stored rep of a UI-PRMD file through analyze_pose, by (subject, episode, correct)."""
    ex = get_exercise(exercise)
    out: dict[Key, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for pose, meta in iter_uiprmd_reps(path, sensor):
            key = (int(meta["subject"]), int(meta["episode"]), bool(meta["correct"]))
            assert key not in out, key
            out[key] = analyze_pose(pose, ex, AnalysisOptions(exercise=exercise), {})
    return out


def _peak(report: Any, series: str) -> float:
    return float(np.nanmax(report.kinematics[series]))


@pytest.fixture(scope="module")
def squats(datasets: Path) -> dict[str, dict[Key, Any]]:
    d = datasets / "ui_prmd"
    return {"kinect": _analyse(d / "kinect/m01_deep_squat.npz", "kinect", "deep_squat"),
            "vicon": _analyse(d / "vicon/m01_deep_squat.npz", "vicon", "deep_squat")}


@pytest.fixture(scope="module")
def hurdles(datasets: Path) -> dict[str, dict[Key, Any]]:
    d = datasets / "ui_prmd"
    return {"kinect": _analyse(d / "kinect/m02_hurdle_step.npz", "kinect", "hurdle_step"),
            "vicon": _analyse(d / "vicon/m02_hurdle_step.npz", "vicon", "hurdle_step")}


# ----------------------------------------------------------------------------------------------- two sensors


def test_both_sensors_hold_the_same_deep_squat_sessions(datasets: Path, squats: dict[str, dict[Key, Any]]) -> None:
    assert list(squats["kinect"]) == list(squats["vicon"])  # same reps, same order
    assert len(squats["vicon"]) == 140
    for report in squats["vicon"].values():
        assert report.dims == "3d" and report.kinematics.source == "vicon-uiprmd"
        assert report.kinematics.fps == pytest.approx(100.0)
    # the recordings last about as long on both sensors; they were cut separately (measured median |diff| 0.08 s)
    k = np.load(datasets / "ui_prmd/kinect/m01_deep_squat.npz")
    v = np.load(datasets / "ui_prmd/vicon/m01_deep_squat.npz")
    dur = np.diff(v["offsets"]) / 100.0 - np.diff(k["offsets"]) / 30.0
    assert float(np.median(np.abs(dur))) < 0.2, np.median(np.abs(dur))


def _paired(squats: dict[str, dict[Key, Any]], series: str) -> tuple[npt.NDArray[np.float64], ...]:
    keys = list(squats["vicon"])
    a = np.array([_peak(squats["kinect"][k], series) for k in keys])
    b = np.array([_peak(squats["vicon"][k], series) for k in keys])
    subject = np.array([k[0] for k in keys])
    return a, b, subject


def _within_subject(x: npt.NDArray[np.float64], subject: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    out = x.copy()
    for s in np.unique(subject):
        out[subject == s] -= x[subject == s].mean()
    return out


@pytest.mark.parametrize("series", ["knee_flexion_deg", "trunk_inclination_deg"])
def test_kinect_and_vicon_agree_on_per_rep_peaks(squats: dict[str, dict[Key, Any]], series: str) -> None:
    """Measured on the 140 deep squats (Kinect positions_abs at 30 Hz vs Plug-in Gait markers at 100 Hz):

    ============================ ============= ============= ====== ============= ==================
    peak per rep                 median |diff| 90th pct      r      r within-subj  median diff (V-K)
    ============================ ============= ============= ====== ============= ==================
    knee flexion                 4.5°          12.6°         0.88   0.83          +2.4°
    trunk inclination            4.5°          11.6°         0.88   0.85          -4.5°
    ============================ ============= ============= ====== ============= ==================

    The sensors do not measure the same points: Kinect estimates its hip and shoulder joints from depth,
    the Vicon ones are built from skin markers (Harrington hip centres, acromion markers), so a few degrees of
    systematic offset are expected (the trunk reads ~4.5° more upright on Vicon). Most of the spread comes from
    subject 1's incorrect reps, whose two recordings were cut differently (durations differ by up to 2.8 s).
    Bounds: median |diff| < 8° (~1.8x the measured value; well under the 10-15° reference floors, so a
    person's own reference means the same on either sensor), 90th percentile < 20°, r > 0.80 across reps and
    > 0.70 within subjects (rep-to-rep changes of one person are seen by both sensors, not only who is who).
    """
    a, b, subject = _paired(squats, series)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(b))
    diff = np.abs(b - a)
    assert float(np.median(diff)) < 8.0, np.median(diff)
    assert float(np.percentile(diff, 90)) < 20.0, np.percentile(diff, 90)
    assert float(np.corrcoef(a, b)[0, 1]) > 0.80, np.corrcoef(a, b)[0, 1]
    within = float(np.corrcoef(_within_subject(a, subject), _within_subject(b, subject))[0, 1])
    assert within > 0.70, within


def test_incorrect_squats_are_shallower_on_both_sensors(squats: dict[str, dict[Key, Any]]) -> None:
    """The label shows on both sensors the same way: incorrect deep squats reach less knee flexion."""
    for sensor in ("kinect", "vicon"):
        reps = squats[sensor]
        good = np.median([_peak(r, "knee_flexion_deg") for k, r in reps.items() if k[2]])
        bad = np.median([_peak(r, "knee_flexion_deg") for k, r in reps.items() if not k[2]])
        assert good - bad > 10.0, (sensor, good, bad)


def test_every_vicon_rep_is_one_rep(squats: dict[str, dict[Key, Any]], hurdles: dict[str, dict[Key, Any]]) -> None:
    """Each stored rep is one repetition: the hurdle step finds exactly one rep in every one of the 140 recordings,
    the deep squat at least one.

    A full rep (not partial) is found in all but a few: there UI-PRMD's Vicon cut does not hold the whole
    movement (it starts or ends deep in it; e.g. subject 7's squat episode 4 ends at the bottom and episode 5
    starts there), and the pipeline rightly calls that rep partial. Allowed: at most 5 % per movement, each one cut
    mid-movement (knee flexion at its first or last frame above a third of its peak; measured: 0.45-1.0 for these,
    at most 0.20 for the squats that start and end standing)."""
    assert len(hurdles["vicon"]) == 140
    assert {k: len(r.reps) for k, r in hurdles["vicon"].items() if len(r.reps) != 1} == {}
    assert all(len(r.reps) >= 1 for r in squats["vicon"].values())
    for reps in (squats["vicon"], hurdles["vicon"]):
        odd = [k for k, r in reps.items() if (len(r.reps), r.rep_count) != (1, 1)]
        assert len(odd) <= 0.05 * len(reps), odd
        for k in odd:
            knee = reps[k].kinematics["knee_flexion_deg"]
            assert max(knee[0], knee[-1]) > np.nanmax(knee) / 3, (k, knee[0], knee[-1], np.nanmax(knee))


def test_both_sensors_see_the_same_leg_step_over(hurdles: dict[str, dict[Key, Any]]) -> None:
    """Hurdle step: the stepping leg bends ~90° more than the stance leg. Some subjects step with the left leg,
    others with the right; in every rep Kinect and Vicon agree which (a left/right mix-up in either adapter would
    flip it), and the per-side peaks correlate (measured r 0.99 left, 0.97 right)."""
    keys = list(hurdles["vicon"])
    assert keys == list(hurdles["kinect"])
    side = {s: np.array([[_peak(hurdles[s][k], f"knee_flexion_{lr}_deg") for lr in ("left", "right")]
                         for k in keys]) for s in ("kinect", "vicon")}
    step_k = np.sign(side["kinect"][:, 0] - side["kinect"][:, 1])
    step_v = np.sign(side["vicon"][:, 0] - side["vicon"][:, 1])
    assert set(step_v.tolist()) == {-1.0, 1.0}  # both legs occur: the test can tell a swap
    assert np.array_equal(step_k, step_v), [k for k, a, b in zip(keys, step_k, step_v) if a != b]
    assert float(np.median(np.abs(side["vicon"][:, 0] - side["vicon"][:, 1]))) > 45.0
    for i in (0, 1):
        assert float(np.corrcoef(side["kinect"][:, i], side["vicon"][:, i])[0, 1]) > 0.90


# ----------------------------------------------------------------------------------------------- CLI


def _save_rep(datasets: Path, subject: int, episode: int, correct: bool, dest: Path,
              drop_last_marker: bool = False) -> Path:
    """One stored Vicon deep squat as a (T, 39, 3) npy of int16 mm, exactly as the npz holds it."""
    with np.load(datasets / "ui_prmd" / "vicon" / "m01_deep_squat.npz") as d:
        i = next(k for k in range(len(d["subject"])) if (int(d["subject"][k]), int(d["episode"][k]),
                                                          bool(d["correct"][k])) == (subject, episode, correct))
        rep = d["positions_mm"][d["offsets"][i]: d["offsets"][i + 1]]
    if drop_last_marker:
        rep = rep[:, :38]
    dest.parent.mkdir(parents=True, exist_ok=True)
    np.save(dest, rep)
    return dest


def _ok_report(args: list[str], out: Path) -> dict[str, Any]:
    run = run_cli(["analyze", *args, "--out", str(out)])
    assert run.code == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    assert visible_files(out) == ["report.json"], visible_files(out)
    doc: dict[str, Any] = json.loads((out / "report.json").read_text())
    validate_report_dict(doc)
    return doc


def test_cli_analyses_a_vicon_rep(datasets: Path, tmp_path: Path) -> None:
    rep = _save_rep(datasets, 6, 5, True, tmp_path / "in" / "squat.npy")
    doc = _ok_report([str(rep), "--exercise", "deep_squat", "--fps", "100"], tmp_path / "out")
    assert doc["rep_count"] == 1 and len(doc["reps"]) == 1
    assert doc["dims"] == "3d"
    assert doc["input"]["format"] == "pig39-npy"
    assert doc["input"]["fps"] == 100.0 and doc["input"]["frames"] == np.load(rep).shape[0]
    assert "reference" not in doc


def test_cli_judges_a_vicon_rep_against_another_of_the_same_person(datasets: Path, tmp_path: Path) -> None:
    ref = _save_rep(datasets, 6, 1, True, tmp_path / "in" / "good.npy")
    rep = _save_rep(datasets, 6, 5, True, tmp_path / "in" / "later.npy")
    doc = _ok_report([str(rep), "--exercise", "deep_squat", "--fps", "100", "--reference", str(ref)],
                     tmp_path / "out")
    assert doc["rep_count"] == 1 and doc["dims"] == "3d"
    assert doc["reference"]["reps"] == 1 and doc["reference"]["dims"] == "3d"
    assert doc["reference"]["sources"] == ["good.npy"]


@pytest.mark.parametrize("extra", [[], ["--input-format", "pig39-npy"]], ids=["detected", "forced"])
def test_cli_refuses_38_markers(datasets: Path, tmp_path: Path, extra: list[str]) -> None:
    bad = _save_rep(datasets, 6, 5, True, tmp_path / "in" / "short.npy", drop_last_marker=True)
    out = tmp_path / "out"
    run = run_cli(["analyze", str(bad), "--exercise", "deep_squat", "--fps", "100", *extra, "--out", str(out)])
    assert run.code == 3, (run.code, run.stderr[-2000:])
    assert "Traceback" not in run.stderr
    assert len(run.error_lines) == 1 and ERROR_LINE.match(run.error_lines[0]), run.error_lines
    assert re.search(r"\(T, 39, 3\)", run.error_lines[0]) and "38" in run.error_lines[0], run.error_lines[0]
    assert visible_files(out) == []


# ----------------------------------------------------------------------------------------------- eval manifest


def _balanced_accuracy(units: list[dict[str, Any]]) -> float:
    """BA of the "any" label, computed here from the per-unit labels and predictions."""
    y = np.array([bool(u["labels"]["any"]) for u in units])
    p = np.array([bool(u["predicted"].get("any", False)) for u in units])
    assert y.any() and (~y).any()
    return float(0.5 * ((y & p).sum() / y.sum() + (~y & ~p).sum() / (~y).sum()))


def test_uiprmd_vicon_reference_manifest_meets_the_targets(datasets: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """[2/7] on the held-out subjects 5-7, each judged against their own correct episodes 1-3: mean balanced
    accuracy over the five movements >= 0.90 and each >= 0.80, no rep in error (currently 0.92; deep squat 0.90
    and side lunge 0.83 are the closest to their bounds)."""
    from rich.console import Console

    from backsafe.evaluation import run_eval

    monkeypatch.setenv("BACKSAFE_SHARED_DIR", str(datasets.parent))
    manifest = MANIFESTS / "uiprmd_vicon_reference.json"
    m = json.loads(manifest.read_text())
    assert {it.get("sensor") for it in m["items"]} == {"vicon"}
    assert all("/vicon/" in it["file"] for it in m["items"])
    results = run_eval(manifest, out=tmp_path / "eval.json", console=Console(file=io.StringIO()))
    assert json.loads((tmp_path / "eval.json").read_text()).keys() == results.keys()
    res = results["uiprmd_vicon_reference"]
    units = res["units"]
    assert [u for u in units if u["error"]] == []
    test = [u for u in units if u["split"] == "test"]
    assert {u["detail"]["subject"] for u in test} == {5, 6, 7}
    assert {u["detail"]["subject"] for u in units if u["split"] == "calib"} == {1, 2, 3, 4}
    # calibration reps (correct episodes 1-3) are the references, never scored
    assert not [u for u in units if not u["labels"]["any"] and re.search(r"#s\de[123]$", u["item"])]
    by_movement = {}
    for it in m["items"]:
        sub = [u for u in test if u["item"].startswith(it["file"] + "#")]
        assert len(sub) >= 40, (it["file"], len(sub))
        by_movement[it["exercise"]] = _balanced_accuracy(sub)
        reported = res["summary"]["test"]["by_exercise"][it["exercise"]]["any"]["balanced_accuracy"]
        assert reported == pytest.approx(by_movement[it["exercise"]], abs=1e-9)
    assert len(by_movement) == 5
    assert all(ba >= 0.80 for ba in by_movement.values()), by_movement
    assert float(np.mean(list(by_movement.values()))) >= 0.90, by_movement
