"""The personal reference (faults/reference.py): each rep judged against the person's own good reps.

Constructed kinematics: fires above median(reference) + max(floor, 2 SD), stays quiet below, 2-of-3 persistence,
2D floors never below §5's 10° for angles, a 2D/3D mismatch is refused with a warning, depth is reported as the
angle itself. Real data: UI-PRMD deep squats of held-out subjects judged against each subject's own first three
correct reps, through the product's pipeline.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pytest

from backsafe.exercises import get_exercise
from backsafe.faults.reference import MEASURES, REFERENCE_CODES, PersonalReference, check_against_reference, floor_for
from backsafe.faults.registry import check_faults
from backsafe.faults.thresholds import load_thresholds
from backsafe.io.keypoints import iter_uiprmd_reps
from backsafe.pipeline import AnalysisOptions, analyze_pose, build_reference

from fault_builders import assert_finding_ok, bumps, ctx_for, make_kin, make_reps

MEASURE = {m.name: m for m in MEASURES}


def _set(trunk_peaks, *, dims="3d", knee_peaks=None, view="side"):  # type: ignore[no-untyped-def]
    reps, n = make_reps(len(trunk_peaks))
    series = {"trunk_inclination_deg": bumps(reps, trunk_peaks, n)}
    series["knee_flexion_deg"] = bumps(reps, knee_peaks if knee_peaks is not None else 100.0, n)
    return make_kin(n, dims=dims, view=view, series=series), reps


def _reference(trunk_peaks, **kw):  # type: ignore[no-untyped-def]
    kin, reps = _set(trunk_peaks, **kw)
    ref = PersonalReference()
    ref.add(kin, reps, "good.npy")
    return ref


def test_reference_codes_are_fault_codes_of_design() -> None:
    assert REFERENCE_CODES <= {"back_rounding", "back_arching", "partial_range", "lateral_shift", "hip_rotation",
                               "knee_valgus", "knee_varus"}


def test_fires_above_reference_plus_margin_and_stays_quiet_below() -> None:
    ref = _reference([30.0, 31.0, 30.5])
    floor = floor_for(MEASURE["trunk_lean"], "3d")
    assert floor is not None
    margin = max(floor, 2 * float(np.std([30.0, 31.0, 30.5], ddof=1)))
    kin, reps = _set([30.0, 30.0 + margin + 5, 30.0 + margin + 6, 30.0 + margin - 2, 30.5])
    found = check_against_reference(ctx_for(kin, reps, "deep_squat"), "back_rounding", ref)
    assert [f.rep for f in found] == [2, 3]
    for f in found:
        assert_finding_ok(f, kin, reps, code="back_rounding", unit="deg")
        assert f.threshold == pytest.approx(30.5 + margin, abs=0.2)


def test_persistence_drops_a_single_rep_in_a_set() -> None:
    ref = _reference([30.0, 30.0, 30.0])
    kin, reps = _set([30.0, 70.0, 30.0, 30.0, 30.0])
    assert check_against_reference(ctx_for(kin, reps, "deep_squat"), "back_rounding", ref) == []


def test_a_lone_rep_is_judged_alone() -> None:
    ref = _reference([30.0, 30.0, 30.0])
    kin, reps = _set([70.0])
    found = check_against_reference(ctx_for(kin, reps, "deep_squat"), "back_rounding", ref)
    assert [f.rep for f in found] == [1]


def test_depth_shortfall_is_reported_as_the_angle_below_its_threshold() -> None:
    ref = _reference([30.0, 30.0, 30.0], knee_peaks=[120.0, 121.0, 119.0])
    kin, reps = _set([30.0] * 3, knee_peaks=[80.0, 82.0, 118.0])
    found = check_against_reference(ctx_for(kin, reps, "deep_squat"), "partial_range", ref)
    assert [f.rep for f in found] == [1, 2]
    f = found[0]
    assert f.value == pytest.approx(80.0, abs=0.5)
    assert f.value < f.threshold < 120.0
    assert_finding_ok(f, kin, reps, code="partial_range", unit="deg")


def test_wide_reference_variation_widens_the_margin() -> None:
    """§5: margin = max(floor, 2 × within-person SD): a person whose good reps vary by 10° is not flagged at +12°."""
    ref = _reference([20.0, 30.0, 40.0])
    kin, reps = _set([42.0, 42.0, 42.0])
    assert check_against_reference(ctx_for(kin, reps, "deep_squat"), "back_rounding", ref) == []


def test_2d_floors_never_go_below_ten_degrees() -> None:
    for m in MEASURES:
        floor = floor_for(m, "2d")
        if floor is not None and m.unit == "deg":
            assert floor >= 10.0, m.name


def test_registry_uses_the_reference_and_warns_on_a_dims_mismatch() -> None:
    ex = get_exercise("deep_squat")
    ref2d = _reference([30.0, 30.0, 30.0], dims="2d")
    kin, reps = _set([30.0, 75.0, 75.0, 30.0])
    res = check_faults(kin, reps, ex, tempo=ex.default_tempo, reference=ref2d)
    assert any("reference" in w and "not used" in w for w in res.warnings)
    ref3d = _reference([30.0, 30.0, 30.0])
    res = check_faults(kin, reps, ex, tempo=ex.default_tempo, reference=ref3d)
    assert {f.rep for f in res.findings if f.code == "back_rounding"} == {2, 3}


def test_markers_and_camera_joints_do_not_judge_each_other() -> None:
    """A reference from motion-capture markers (joint centres built from skin markers) has other medians than a
    depth camera's joints for the same body: it judges only marker recordings, and a mix is refused."""
    from dataclasses import replace

    from backsafe.faults.reference import CUE_TALL

    ex = get_exercise("deep_squat")
    kin, reps = _set([30.0, 75.0, 75.0, 30.0])
    camera, mocap = replace(kin, source="kinect-uiprmd"), replace(kin, source="vicon-uiprmd")
    good, good_reps = _set([30.0, 30.0, 30.0])
    ref_markers = PersonalReference()
    ref_markers.add(replace(good, source="pig39-npy"), good_reps)
    assert ref_markers.markers and ref_markers.summary()["markers"] is True
    refused = check_faults(camera, reps, ex, tempo=ex.default_tempo, reference=ref_markers)
    assert any("motion-capture markers" in w and "not used" in w for w in refused.warnings)
    assert all(f.cue != CUE_TALL for f in refused.findings)  # the population rule judged, not the reference
    used = check_faults(mocap, reps, ex, tempo=ex.default_tempo, reference=ref_markers)
    assert not any("not used" in w for w in used.warnings)
    assert {f.rep for f in used.findings if f.code == "back_rounding" and f.cue == CUE_TALL} == {2, 3}
    with pytest.raises(ValueError, match="mixes motion-capture markers"):
        ref_markers.add(camera, reps)
    assert "markers" not in _reference([30.0, 30.0, 30.0]).summary()


def _lean_set(peaks, *, dims="3d"):  # type: ignore[no-untyped-def]
    """A set whose trunk leans sideways by the signed ``peaks`` (deg; the sign is the body's left/right in 3D)."""
    reps, n = make_reps(len(peaks))
    return make_kin(n, dims=dims, view="front", series={"trunk_lateral_lean_deg": bumps(reps, peaks, n)}), reps


def _floors(monkeypatch: pytest.MonkeyPatch, table: dict[str, float | None]) -> None:
    import backsafe.faults.reference as refmod

    real = refmod.load_thresholds()
    monkeypatch.setattr(refmod, "load_thresholds", lambda: real | {"reference_floor_3d": {
        k: {"value": v} for k, v in table.items()}})


def test_two_sided_measures_catch_a_lean_to_the_wrong_side(monkeypatch: pytest.MonkeyPatch) -> None:
    """A lopsided movement (a side lunge leans the trunk ~12° towards the lunging leg): a rep leaning 12° the
    other way has the same |value| as the good reps, so the |value| measure misses it; the two-sided pair (signed
    peak and trough against the reference's) catches it."""
    good, good_reps = _lean_set([12.0, 12.5, 11.5])
    ref = PersonalReference()
    ref.add(good, good_reps)
    assert {"lateral_lean_hi", "lateral_lean_lo"} <= set(ref.values)
    kin, reps = _lean_set([-12.0, -12.0, 12.0, 12.0, 30.0])
    ctx = ctx_for(kin, reps, "side_lunge")
    _floors(monkeypatch, {"lateral_lean": 5.0, "lateral_lean_hi": None, "lateral_lean_lo": None})
    assert check_against_reference(ctx, "lateral_shift", ref) == []  # |value|: -12° looks like the good 12°
    _floors(monkeypatch, {"lateral_lean": None, "lateral_lean_hi": 5.0, "lateral_lean_lo": 5.0})
    found = check_against_reference(ctx, "lateral_shift", ref)
    assert [f.rep for f in found] == [1, 2]  # reps 1-2 lean the wrong way; rep 5 (30°) alone is not persistent
    assert found[0].value == pytest.approx(-12.0, abs=0.5) and found[0].value < found[0].threshold
    assert_finding_ok(found[0], kin, reps, code="lateral_shift", unit="deg")


def test_a_null_floor_turns_a_measure_off_for_the_sensor(monkeypatch: pytest.MonkeyPatch) -> None:
    hi = MEASURE["lateral_lean_hi"]
    _floors(monkeypatch, {"lateral_lean_hi": None})
    assert floor_for(hi, "3d") is None
    _floors(monkeypatch, {"lateral_lean_hi": 4.0})
    assert floor_for(hi, "3d") == 4.0
    assert floor_for(hi, "2d") is None  # a 2D sign follows the way the person faces: never judged in 2D
    assert floor_for(MEASURE["lateral_lean"], "2d") == 10.0


def test_reference_is_view_gated_like_its_rule() -> None:
    """A 2D front view cannot see forward lean: with a reference, back_rounding is still not judged there."""
    ex = get_exercise("deep_squat")
    ref = _reference([10.0, 10.0, 10.0], dims="2d", view="front")
    kin, reps = _set([10.0, 60.0, 60.0, 10.0], dims="2d", view="front")
    res = check_faults(kin, reps, ex, tempo=ex.default_tempo, reference=ref)
    assert not [f for f in res.findings if f.code == "back_rounding"]
    assert "back_rounding" in [code for code, _ in res.not_checked]  # said once, with the others, in the report


def test_uiprmd_held_out_subjects_against_their_own_first_reps(datasets: Path) -> None:
    """Real Kinect deep squats, subjects 5-7: with each person's correct episodes 1-3 as their reference,
    incorrect reps are flagged far more often than their remaining correct reps. (The Kinect floors are fitted on
    subjects 1-7 since [2/6]; the unseen-person figure is the leave-one-subject-out test below.)"""
    ex = get_exercise("deep_squat")
    reps = [(p, m) for p, m in iter_uiprmd_reps(datasets / "ui_prmd/kinect/m01_deep_squat.npz")
            if m["subject"] in (5, 6, 7)]
    flagged: dict[bool, list[bool]] = {True: [], False: []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        refs: dict[int, PersonalReference] = {}
        for pose, meta in reps:
            if meta["correct"] and meta["episode"] <= 3:
                refs[meta["subject"]] = build_reference(pose, ex, into=refs.get(meta["subject"]), one_rep=True)
        for pose, meta in reps:
            if meta["correct"] and meta["episode"] <= 3:
                continue
            report = analyze_pose(pose, ex, AnalysisOptions(exercise=ex.id), {}, reference=refs[meta["subject"]])
            assert report.extra["reference"]["reps"] == 3
            codes = {f.code for f in report.findings} - {"rushing"}
            flagged[not meta["correct"]].append(bool(codes))
    tpr = float(np.mean(flagged[True]))
    fpr = float(np.mean(flagged[False]))
    assert len(flagged[True]) == 30 and len(flagged[False]) == 21
    # docs/evaluation.md: deep squat 5-7 BA 0.87 with the reference; a broken reference path falls to ~0.5
    assert 0.5 * (tpr + 1 - fpr) >= 0.80, (tpr, fpr)


@pytest.mark.slow
def test_kinect_reference_floors_leave_one_subject_out(datasets: Path) -> None:
    """[2/6] must-show 5 on the data here: the Kinect reference floors fitted on six UI-PRMD subjects and scored
    on the seventh, seven times (tools/calibrate.py --loso): mean balanced accuracy >= 0.90 and every movement
    >= 0.80 for a person the floors never saw. Also checks that the floors in data/thresholds.json are the ones
    that procedure fits on all seven (a stale table, or one fitted on fewer people, fails)."""
    import json
    import subprocess
    import sys

    tool = Path(__file__).resolve().parents[3] / "tools" / "calibrate.py"
    out = subprocess.run([sys.executable, str(tool), "--reference-only", "--loso", "--reference-subjects",
                          "1,2,3,4,5,6,7"], capture_output=True, text=True, timeout=600,
                         env={**os.environ, "BACKSAFE_SHARED_DIR": str(datasets.parent)})
    assert out.returncode == 0, out.stderr[-2000:]
    loso = next(line for line in out.stdout.splitlines() if line.startswith("leave-one-calib-subject-out"))
    per_movement = json.loads(loso.split("per movement", 1)[1].split("mean", 1)[0])
    assert len(per_movement) == 5 and min(per_movement) >= 0.80 and np.mean(per_movement) >= 0.90, loso
    fitted = next(line for line in out.stdout.splitlines() if line.startswith("reference_floor_3d:"))
    table = load_thresholds()["reference_floor_3d"]
    for name, value in json.loads(fitted.split(":", 1)[1].split("calib BA", 1)[0].strip().replace("'", '"')).items():
        assert table[name]["value"] == value, (name, table[name], value)
        assert "subjects 1-7" in table[name]["source"], table[name]
