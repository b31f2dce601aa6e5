"""The shared §5 machinery: per-rep reduction, baseline + margin, persistence, severity ladder, frame spans."""

from __future__ import annotations

import numpy as np
import pytest

from backsafe.faults.base import baseline_margin, measure_reps, over_span, persistent, severity_for

from fault_builders import make_reps


@pytest.mark.parametrize(
    ("cands", "expected"),
    [
        ([False, False, True, False, False], [False] * 5),  # one noisy rep among clean ones
        ([True, False, False, False, False], [False] * 5),
        ([True, False, True, False, False], [True, False, True, False, False]),  # 2 of 3 consecutive
        ([False, True, True, False, False], [False, True, True, False, False]),
        ([True, False, False, True, False], [False] * 5),  # 2 reps, but never within 3 consecutive
        ([True] * 5, [True] * 5),
        ([], []),
        ([True], [True]),  # a hold (one "rep") counts alone
        ([True, False], [False, False]),  # two reps: both must show it
        ([True, True], [True, True]),
    ],
)
def test_persistence_two_of_three(cands: list[bool], expected: list[bool]) -> None:
    assert persistent(cands) == expected


@pytest.mark.parametrize(
    ("values", "floor", "base", "margin"),
    [
        ([10.0, 12.0, 14.0, 40.0], 8.0, 12.0, 8.0),  # SD of first 3 = 2 -> 2 SD = 4 < floor
        ([0.0, 10.0, 20.0, 0.0], 8.0, 10.0, 20.0),  # SD 10 -> margin 20
        ([np.nan, 5.0, 5.0, 5.0], 8.0, 5.0, 8.0),  # NaN reps skipped
        ([], 8.0, np.nan, 8.0),
    ],
)
def test_baseline_is_median_of_first_three(values: list[float], floor: float, base: float, margin: float) -> None:
    b, m = baseline_margin(values, floor)
    assert b == pytest.approx(base, nan_ok=True)
    assert m == pytest.approx(margin)


@pytest.mark.parametrize(
    ("excess", "step", "expected"),
    [(0.1, 10.0, "mild"), (9.9, 10.0, "mild"), (10.0, 10.0, "moderate"), (25.0, 10.0, "severe"),
     (500.0, 10.0, "severe"), (np.nan, 10.0, "mild"), (5.0, 0.0, "mild"), (-1.0, 10.0, "mild")],
)
def test_severity_ladder(excess: float, step: float, expected: str) -> None:
    assert severity_for(excess, step) == expected


def test_measure_reps_handles_all_nan_rep() -> None:
    reps, n = make_reps(3, rep_frames=30, gap=5)
    s = np.zeros(n)
    s[reps[0].start_frame + 10] = 7.0
    s[reps[1].start_frame: reps[1].end_frame + 1] = np.nan
    m = measure_reps(reps, s, "max")
    assert m[0].value == 7.0 and m[0].worst_frame == reps[0].start_frame + 10
    assert np.isnan(m[1].value)
    assert m[2].value == 0.0
    assert measure_reps(reps, -s, "min")[0].value == -7.0
    assert measure_reps(reps, -s, "absmax")[0].value == -7.0


def test_over_span_is_contiguous_and_inside_rep() -> None:
    reps, n = make_reps(1, rep_frames=30, gap=5)
    r = reps[0]
    s = np.zeros(n)
    s[r.start_frame + 10: r.start_frame + 15] = 20.0
    s[r.start_frame + 20] = 20.0  # a separate excursion is not merged
    assert over_span(s, r, 10.0, r.start_frame + 12) == (r.start_frame + 10, r.start_frame + 14)
    s_nan = s.copy()
    s_nan[r.start_frame + 9] = np.nan
    assert over_span(s_nan, r, 10.0, r.start_frame + 12)[0] == r.start_frame + 10
    assert over_span(s, r, 10.0, r.end_frame + 50) == (r.end_frame + 50, r.end_frame + 50)
