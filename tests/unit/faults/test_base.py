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
        ([True, False], [False, False]),  # two reps: both must show it (§5: a set of 1 or 2 reps: every rep)
        ([True, True], [True, True]),
    ],
)
def test_persistence_two_of_three(cands: list[bool], expected: list[bool]) -> None:
    assert persistent(cands) == expected


@pytest.mark.parametrize(
    ("values", "floor", "base", "margin"),
    [
        ([10.0, 12.0, 14.0, 12.0], 8.0, 12.0, 8.0),  # the person's neutral values: SD 1.6 -> 2 SD < floor
        ([0.0, 10.0, 20.0, 10.0], 8.0, 10.0, 16.33),  # SD 8.2 -> margin 16.3
        ([np.nan, 5.0, 5.0, 5.0], 8.0, 5.0, 8.0),  # NaN frames skipped
        ([], 8.0, np.nan, 8.0),
    ],
)
def test_baseline_is_the_median_of_the_neutral_values(values: list[float], floor: float, base: float,
                                                       margin: float) -> None:
    b, m = baseline_margin(values, floor)
    assert b == pytest.approx(base, nan_ok=True)
    assert m == pytest.approx(margin, abs=0.01)


def test_neutral_baseline_is_the_standing_posture_so_every_rep_faults_are_found() -> None:
    """§5: the baseline is the standing posture before the reps, never the set's first reps: a pelvis that drops
    12° in every rep (and in a one-rep set) is found; with no standing posture the rule says so."""
    from backsafe.faults.base import NO_STANDING, neutral_baselines, neutral_mask
    from backsafe.faults.rules import hip_rotation
    from fault_builders import bumps, ctx_for, make_kin

    for n_reps in (5, 1, 2):
        reps, n = make_reps(n_reps)
        series = {"knee_flexion_deg": bumps(reps, 90.0, n), "pelvis_tilt_deg": bumps(reps, 12.0, n, base=3.0)}
        kin = make_kin(n, view="front", series=series)
        ctx = ctx_for(kin, reps, "squat")
        mask = neutral_mask(ctx)
        assert mask is not None and mask[: reps[0].start_frame].all()
        assert [b for b, _ in neutral_baselines(ctx, kin["pelvis_tilt_deg"])] == pytest.approx([3.0] * n_reps, abs=0.5)
        assert [f.rep for f in hip_rotation.check(ctx)] == list(range(1, n_reps + 1))
        assert ctx.warnings == []
    reps, n = make_reps(3)  # no primary-signal movement: no standing posture, the rule falls back and says so
    kin = make_kin(n, view="front", series={"pelvis_tilt_deg": bumps(reps, 12.0, n)})
    ctx = ctx_for(kin, reps, "squat")
    assert neutral_mask(ctx) is None
    assert len(hip_rotation.check(ctx)) == 3
    assert ctx.warnings == [NO_STANDING]


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
