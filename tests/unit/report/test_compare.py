"""Reference comparison: DTW on known curves, synthetic sets with known departures, real UI-PRMD recordings."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from report_synth import make_report
from uiprmd_reports import uiprmd_report

from backsafe.compare import Comparison, best_rep, compare_to_reference, dtw
from backsafe.errors import InputError
from backsafe.report.wording import PHASES


def _cost(a, b):
    return np.abs(np.subtract.outer(np.asarray(a, float), np.asarray(b, float)))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([0, 1, 2], [0, 1, 2], 0.0),
        ([0, 1, 2], [0, 0, 1, 1, 2], 0.0),  # a time-stretched copy aligns at no cost
        ([0, 1, 2], [0, 2, 2], 1.0),
        ([5], [1, 2, 3], 9.0),
    ],
)
def test_dtw_known_costs(a, b, expected):
    total, path = dtw(_cost(a, b))
    assert total == pytest.approx(expected)
    assert path[0] == (0, 0) and path[-1] == (len(a) - 1, len(b) - 1)
    steps = np.diff(np.array(path), axis=0)
    assert set(map(tuple, steps)) <= {(1, 0), (0, 1), (1, 1)}


def test_dtw_matches_a_plain_double_loop():
    rng = np.random.default_rng(3)
    c = rng.random((17, 23))
    acc = np.full((18, 24), np.inf)
    acc[0, 0] = 0
    for i in range(1, 18):
        for j in range(1, 24):
            acc[i, j] = c[i - 1, j - 1] + min(acc[i - 1, j], acc[i, j - 1], acc[i - 1, j - 1])
    total, path = dtw(c)
    assert total == pytest.approx(acc[17, 23])
    assert sum(c[i, j] for i, j in path) == pytest.approx(total)


def test_dtw_band_is_widened_to_length_difference_and_rejects_empty():
    total, path = dtw(_cost([0, 1, 2, 3, 4, 5], [0, 5]), band=0)
    assert np.isfinite(total) and path[-1] == (5, 1)
    with pytest.raises(ValueError, match="non-empty"):
        dtw(np.zeros((0, 3)))


def test_best_rep_is_the_one_with_fewest_faults():
    report = make_report(n_reps=4, rounding_rep=1, rushing_rep=2)
    assert best_rep(report).index == 3
    assert best_rep(replace(report, reps=[])) is None


def test_rounded_rep_departs_most_in_trunk_at_the_bottom():
    person = make_report(n_reps=4, rounding_rep=2, rushing_rep=3, rounding_deg=30.0)
    coach = make_report(n_reps=2, rounding_rep=None, rushing_rep=None)
    cmp = compare_to_reference(person, coach)
    assert isinstance(cmp, Comparison)
    assert cmp.primary_signal == "knee_flexion_deg"
    assert set(cmp.signals) == {"knee_flexion_deg", "hip_flexion_deg", "trunk_inclination_deg"}
    by_rep = {r.rep: r for r in cmp.reps}
    assert set(by_rep) == {1, 2, 3, 4}
    assert by_rep[1].distance < 0.02 and by_rep[4].distance < 0.02  # same movement
    assert cmp.worst.rep == 2
    assert by_rep[2].signal in ("trunk_inclination_deg", "hip_flexion_deg")
    assert by_rep[2].phase in ("bottom", "eccentric", "concentric")
    assert by_rep[2].difference > 5  # more trunk lean than the coach
    # the rushed rep has the same shape, only faster: DTW absorbs the timing, the tempo ratio shows it
    assert by_rep[3].distance < 0.05
    assert by_rep[3].tempo_ratio["eccentric"] == pytest.approx(0.5, abs=0.1)
    d = cmp.as_dict()
    json.dumps(d)
    assert d["worst_rep"] == 2 and len(d["reps"]) == 4
    assert "rep 2" in cmp.text()


def test_comparison_errors_are_clear():
    person = make_report()
    with pytest.raises(InputError, match="kinematics"):
        compare_to_reference(replace(person, kinematics=None), person)
    with pytest.raises(InputError, match="no repetition"):
        compare_to_reference(person, replace(make_report(), reps=[]))
    kin = person.kinematics
    no_knee = replace(kin, series={k: v for k, v in kin.series.items() if k != "knee_flexion_deg"})
    with pytest.raises(InputError, match="knee_flexion_deg"):
        compare_to_reference(replace(person, kinematics=no_knee), make_report())


def test_missing_series_is_dropped_not_fatal():
    person = make_report()
    kin = person.kinematics
    hip = kin.series["hip_flexion_deg"].copy()
    hip[: len(hip) // 2 + 50] = np.nan
    person = replace(person, kinematics=replace(kin, series={**kin.series, "hip_flexion_deg": hip}))
    cmp = compare_to_reference(person, make_report(rounding_rep=None, rushing_rep=None))
    assert "hip_flexion_deg" not in cmp.signals and len(cmp.reps) == 4


def test_real_uiprmd_incorrect_squats_depart_more_than_correct_ones(datasets):
    """Two real recordings sets (UI-PRMD Kinect deep squat): each subject's deliberately incorrect reps are further
    from another subject's correct reference than the same subject's correct reps, and every rep gets a phase
    and a signal."""
    wins = 0
    for subject in range(1, 8):
        ref = uiprmd_report(datasets, 2 if subject != 2 else 3, True)
        bad = compare_to_reference(uiprmd_report(datasets, subject, False), ref)
        good = compare_to_reference(uiprmd_report(datasets, subject, True), ref)
        assert len(bad.reps) == 10 and len(good.reps) == 10
        for r in bad.reps:
            assert r.phase in PHASES and r.signal in bad.signals and r.distance > 0
        wins += np.mean([r.distance for r in bad.reps]) > np.mean([r.distance for r in good.reps])
    assert wins >= 6
    # subject 1's incorrect squats lean the trunk further forward at the bottom
    s1 = compare_to_reference(uiprmd_report(datasets, 1, False), uiprmd_report(datasets, 2, True))
    assert max(s1.reps, key=lambda r: r.distance).signal == "trunk_inclination_deg"
    assert np.mean([r.distance for r in s1.reps]) > 2 * np.mean(
        [r.distance for r in compare_to_reference(uiprmd_report(datasets, 1, True), uiprmd_report(datasets, 2, True)).reps]
    )
