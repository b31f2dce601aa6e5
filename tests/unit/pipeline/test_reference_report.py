"""A report.json as the person's reference: every report stores the per-rep measures a reference needs
(``rep_measures``), and ``reference_from_report_dict`` rebuilds from them exactly the reference that
``reference_from_report`` takes from the Report itself (real UI-PRMD deep squats)."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest

from backsafe.errors import InputError
from backsafe.report.document import Report
from backsafe.pipeline import (
    analyze,
    load_reference,
    reference_from_report,
    reference_from_report_dict,
)
from backsafe.report.json_report import read_report_file, report_to_dict, validate_report_dict
from tests.uiprmd_sets import write_uiprmd_set

OPTS = {"input_format": "kinect-uiprmd", "fps": 30}


@pytest.fixture(scope="module")
def good(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Path]:
    d = tmp_path_factory.mktemp("ref")
    rec = write_uiprmd_set(datasets, 6, [1, 2, 3], True, d / "good.npy")
    report = analyze(rec, "deep_squat", **OPTS)
    doc = report_to_dict(report)
    validate_report_dict(doc)
    p = d / "report.json"
    p.write_text(json.dumps(doc, indent=2))
    return report, p


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_report_json_rebuilds_the_same_reference(good: tuple[Report, Path]) -> None:
    report, path = good
    doc = read_report_file(path)
    assert doc is not None and doc["rep_measures"]["reps"] == [1, 2, 3] and doc["rep_measures"]["dims"] == "3d"
    a, b = reference_from_report(report), reference_from_report_dict(doc, "deep_squat")
    assert (a.dims, a.n_reps, a.sources) == (b.dims, b.n_reps, b.sources) == ("3d", 3, ["good.npy"])
    assert list(a.values) == list(b.values) and len(a.values) >= 8
    for name in a.values:
        assert all(_same(x, y) for x, y in zip(a.values[name], b.values[name], strict=True)), name
    assert json.dumps(a.summary()) == json.dumps(b.summary())


def test_a_set_judged_against_the_report_equals_judged_against_the_recording(
        good: tuple[Report, Path], datasets: Path, tmp_path: Path) -> None:
    report, path = good
    wrong = write_uiprmd_set(datasets, 6, [1, 2, 3], False, tmp_path / "wrong.npy")
    by_report = report_to_dict(analyze(wrong, "deep_squat", reference=report, **OPTS))
    by_json = report_to_dict(analyze(wrong, "deep_squat", reference=path, **OPTS))
    # a recording (a Report) also gets the rep-by-rep comparison with its time series, attached by analyze itself
    # (issue 18); a report.json's stored measures have none to compare with. Everything judged is the same.
    assert "comparison" in by_report and "comparison" not in by_json
    by_report.pop("comparison")
    assert json.dumps(by_json) == json.dumps(by_report)
    assert by_json["summary"]["faults"].get("partial_range", 0) >= 2  # the shallow squats, against their own depth
    assert isinstance(load_reference(path, "deep_squat", **OPTS), type(reference_from_report(report)))
    assert isinstance(load_reference(wrong, "deep_squat", **OPTS), Report)  # a recording is analysed


def test_unusable_reports_are_refused_with_the_reason(good: tuple[Report, Path]) -> None:
    doc = json.loads(good[1].read_text())
    with pytest.raises(InputError, match="a report of 'deep_squat', not of 'back_squat'"):
        reference_from_report_dict(doc, "back_squat")
    old = {k: v for k, v in doc.items() if k != "rep_measures"}
    with pytest.raises(InputError, match="older backsafe"):
        reference_from_report_dict(old, "deep_squat")
    none = {**old, "reps": [], "rep_count": 0}
    with pytest.raises(InputError, match="no repetition was found"):
        reference_from_report_dict(none, "deep_squat")
    broken = copy.deepcopy(doc)
    broken["rep_measures"]["values"]["trunk_lean"] = [1.0]  # 1 value for 3 reps
    with pytest.raises(InputError, match="malformed"):
        reference_from_report_dict(broken, "deep_squat")
    broken["rep_measures"]["values"]["trunk_lean"] = ["x", 1, 2]
    with pytest.raises(InputError, match="malformed"):
        reference_from_report_dict(broken, "deep_squat")
    marked = copy.deepcopy(doc)
    marked["rep_measures"]["markers"] = "yes"
    with pytest.raises(InputError, match="malformed"):
        reference_from_report_dict(marked, "deep_squat")
    with pytest.raises(InputError, match="not a backsafe report"):
        reference_from_report_dict({"positions": {}}, "deep_squat")


def test_a_marker_report_keeps_saying_so(datasets: Path, tmp_path: Path) -> None:
    """A report of motion-capture markers rebuilds a marker reference, which a Kinect set then refuses."""
    import numpy as np

    npz = np.load(datasets / "ui_prmd/vicon/m01_deep_squat.npz")
    rows = [i for i in range(len(npz["subject"])) if npz["subject"][i] == 6 and npz["correct"][i]][:3]
    markers = np.concatenate([npz["positions_mm"][npz["offsets"][i]:npz["offsets"][i + 1]] for i in rows])
    np.save(tmp_path / "good_markers.npy", markers)
    doc = report_to_dict(analyze(tmp_path / "good_markers.npy", "deep_squat", input_format="pig39-npy", fps=100))
    validate_report_dict(doc)
    assert doc["rep_measures"]["markers"] is True
    ref = reference_from_report_dict(doc, "deep_squat")
    assert ref.markers and ref.summary()["markers"] is True
    kinect = write_uiprmd_set(datasets, 6, [4, 5, 6], True, tmp_path / "kinect.npy")
    judged = report_to_dict(analyze(kinect, "deep_squat", reference=ref, **OPTS))
    assert any("motion-capture markers" in w and "not used" in w for w in judged["warnings"])


def test_only_backsafe_reports_are_read_as_reports(tmp_path: Path) -> None:
    (tmp_path / "kp.json").write_text(json.dumps({"positions": {"0": {}}}))
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "r.npy").write_bytes(b"x")
    for name in ("kp.json", "bad.json", "r.npy", "missing.json"):
        assert read_report_file(tmp_path / name) is None, name


def test_cli_takes_a_report_json_as_reference(good: tuple[Report, Path], datasets: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from backsafe.cli import app

    wrong = write_uiprmd_set(datasets, 6, [1, 2, 3], False, tmp_path / "wrong.npy")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["analyze", str(wrong), "--exercise", "deep_squat", "--input-format",
                                   "kinect-uiprmd", "--fps", "30", "--reference", str(good[1]), "--out", str(out),
                                   "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "report.json").read_text())
    assert doc["reference"]["sources"] == ["good.npy"] and "comparison" not in doc
    res = CliRunner().invoke(app, ["analyze", str(wrong), "--exercise", "squat", "--input-format", "kinect-uiprmd",
                                   "--fps", "30", "--reference", str(good[1]), "--out", str(tmp_path / "o2")])
    assert res.exit_code == 3 and "not of 'squat'" in res.output


def test_a_reference_path_is_analysed_with_the_sets_options(datasets: Path) -> None:
    """``analyze(reference=path)`` reads the reference recording as the CLI and batch do (load_reference, with
    the set's own options): a forced view reaches the reference too, so its front-view measures are there."""
    folder = datasets / "pose_trainer/frontraise"
    opts = {"input_format": "coco18-npy", "fps": 30, "view": "front"}
    good, judged = folder / "frontraise_good_2.npy", folder / "frontraise_bad_1.npy"
    by_path = report_to_dict(analyze(judged, "front_raise", reference=good, **opts))
    loaded = load_reference(good, "front_raise", **opts)
    assert isinstance(loaded, Report) and loaded.view == "front"
    by_report = report_to_dict(analyze(judged, "front_raise", reference=loaded, **opts))
    assert json.dumps(by_path) == json.dumps(by_report)
    assert "lateral_lean" in by_path["reference"]["baseline"]  # measured only where the view is frontal
