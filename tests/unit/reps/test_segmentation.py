"""Rep segmentation against the known failure modes of popular counters (synthetic curves with known reps)."""

from __future__ import annotations

import numpy as np
import pytest

from backsafe.exercises import get_exercise
from backsafe.kinematics.angles import compute_kinematics
from backsafe.kinematics.filtering import clean_pose
from backsafe.reps.segmentation import segment_reps
from tests.unit.synth import rep_curve, squat_set


def _reps(flex: np.ndarray, exercise: str = "squat", **kw: object):  # type: ignore[no-untyped-def]
    pose = squat_set(flex, **kw)
    kin = compute_kinematics(clean_pose(pose)[0])
    return segment_reps(kin, get_exercise(exercise)), kin


@pytest.mark.parametrize("n", [1, 3, 8])
def test_counts_clean_reps(n: int) -> None:
    reps, _ = _reps(rep_curve(n))
    assert [r.partial for r in reps] == [False] * n


def test_tempo_phases_measured() -> None:
    reps, _ = _reps(rep_curve(3, down_s=2.0, bottom_s=0.5, up_s=1.0, rest_s=1.5))
    for r in reps[:2]:
        assert r.tempo.eccentric_s == pytest.approx(2.0, abs=0.35)
        assert r.tempo.concentric_s == pytest.approx(1.0, abs=0.35)
        assert r.tempo.bottom_s == pytest.approx(0.5, abs=0.3)
        assert r.tempo.top_s == pytest.approx(1.5, abs=0.45)


def test_noise_does_not_double_count() -> None:
    rng = np.random.default_rng(1)
    flex = rep_curve(5) + rng.normal(0, 4.0, size=rep_curve(5).size)  # jitter around every threshold
    reps, _ = _reps(flex)
    assert sum(not r.partial for r in reps) == 5


def test_shallow_movement_is_not_a_rep() -> None:
    reps, _ = _reps(rep_curve(4, depth=14.0))  # below the 15° noise floor of 2D angles
    assert reps == []


def test_partial_rep_marked() -> None:
    full = rep_curve(3)
    half = rep_curve(1, depth=40.0, lead_s=0.0)
    reps, _ = _reps(np.r_[full, half, rep_curve(1, lead_s=0.0)])
    assert [r.partial for r in reps] == [False, False, False, True, False]


def test_set_starting_mid_rep() -> None:
    flex = rep_curve(4)
    start = int(1.0 * 30 + 1.0 * 30)  # cut inside the first rep's descent
    reps, _ = _reps(flex[start:])
    assert reps[0].partial
    assert sum(not r.partial for r in reps) == 3


def test_set_starting_early_in_a_rep_counts_it() -> None:
    """Cut a quarter of the way down (below half the rep's amplitude): the camera saw the rep pass mid-range, its
    turnaround and its return, so it is a whole rep whose first frames were missed (issue 20's jumping jacks);
    cut three quarters of the way down (test_set_starting_mid_rep) it stays partial."""
    flex = rep_curve(4)
    reps, _ = _reps(flex[int(1.0 * 30 + 0.5 * 30):])
    assert [r.partial for r in reps] == [False] * 4


def test_a_clip_cut_mid_movement_at_both_ends_keeps_the_exercises_rest_end() -> None:
    """reps/signal.py ``_rest_end_from_data``: the clip's ends trump the exercise's rest end only when the clip
    is at rest at one end at least. Cut mid-rep at both ends (it starts and ends deep in a rep), a squat still
    rests standing, and the reps run standing → bottom → standing; standing still at both ends (UI-PRMD's
    sit-to-stand) the clip's own rest end is taken."""
    flex = rep_curve(3, down_s=0.8, up_s=0.8)  # brisk reps: the clip's ends are moving fast
    cut = flex[int(1.0 * 30 + 0.4 * 30): -int(1.0 * 30 + 0.4 * 30)]  # from rep 1's way down to rep 3's way up
    reps, _ = _reps(cut)
    full = [r for r in reps if not r.partial]
    assert len(full) == 1 and full[0].range_fraction > 0.9
    standing_seated = 95.0 - (rep_curve(3, depth=95.0) - 5.0)  # rests seated by the exercise's data, stands still
    reps, _ = _reps(95.0 - standing_seated + 5.0, exercise="sit_to_stand")  # a clip that starts and ends standing
    assert sum(not r.partial for r in reps) == 3


def test_pause_inside_rep_is_one_rep() -> None:
    reps, _ = _reps(rep_curve(3, bottom_s=2.5))
    assert sum(not r.partial for r in reps) == 3


def test_seated_start_sit_to_stand() -> None:
    # rests seated (high knee flexion), stands up and sits back down
    flex = 95.0 - (rep_curve(4, depth=95.0) - 5.0)
    reps, _ = _reps(flex, exercise="sit_to_stand")
    assert sum(not r.partial for r in reps) == 4


def test_front_view_uses_view_aware_signal() -> None:
    reps, _ = _reps(rep_curve(4), view="front")
    assert sum(not r.partial for r in reps) == 4


def test_tracking_gap_inside_rep_is_bridged() -> None:
    pose = squat_set(rep_curve(3))
    data = pose.data.copy()
    r2_bottom = int((1.0 + 2.5 + 1.0 + 1.0 + 1.5) * 30)
    data[r2_bottom - 8 : r2_bottom + 8, :, :3] = np.nan
    data[r2_bottom - 8 : r2_bottom + 8, :, 3] = 0.0
    kin = compute_kinematics(clean_pose(pose.replace(data=data))[0])
    reps = segment_reps(kin, get_exercise("squat"))
    assert sum(not r.partial for r in reps) == 3


def test_reps_ordered_and_inside_clip() -> None:
    reps, kin = _reps(rep_curve(6))
    ends = [(r.start_frame, r.end_frame) for r in reps]
    assert all(a < b for a, b in ends)
    assert all(ends[i][1] <= ends[i + 1][0] for i in range(len(ends) - 1))
    assert ends[-1][1] < kin.n_frames
    assert [r.index for r in reps] == list(range(1, len(reps) + 1))


def test_gaps_filled_from_an_alternate_that_moves_with_the_primary() -> None:
    """reps/signal.py ``_gaps_filled``: frames the primary misses while the person is tracked take the straight-line
    fit of a correlated alternate; measured frames stay as they are; an alternate that does not move with the
    primary fills nothing."""
    from dataclasses import replace

    from backsafe.reps.signal import ALTERNATES, _gaps_filled

    _, kin = _reps(rep_curve(4))
    knee = kin["knee_flexion_deg"].copy()
    holed = knee.copy()
    holed[knee < 20] = np.nan  # every standing stretch lost, as a knee at the frame's edge is
    alts = ALTERNATES["knee_flexion"]
    filled = _gaps_filled(kin, holed, "knee_flexion_deg", "deg", alts)
    seen = np.isfinite(holed)
    assert np.array_equal(filled[seen], holed[seen])
    assert np.isfinite(filled).all()
    assert np.nanmax(np.abs(filled - knee)) < 10.0  # the hip angle's fit lands near the truth
    rng = np.random.default_rng(0)
    noise = {a: rng.normal(size=kin.n_frames) for a, _ in alts}
    unrelated = replace(kin, series=dict(kin.series) | noise)
    assert np.array_equal(_gaps_filled(unrelated, holed, "knee_flexion_deg", "deg", alts), holed, equal_nan=True)
