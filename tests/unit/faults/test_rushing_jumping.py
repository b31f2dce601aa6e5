"""rushing (COACHING_RULES §7) and jumping (§5 J) on constructed reps and foot heights.

No labelled rushing data exists; jumping is labelled only by the Sports2D jumping-jack demo video (which needs
MediaPipe, so it is not a unit test): both are covered here with constructed tempos and flight phases.
"""

from __future__ import annotations

import numpy as np
import pytest
from fault_builders import FEAR_WORDS, assert_finding_ok, ctx_for, make_kin, make_reps

from backsafe.faults.rules import jumping, rushing
from backsafe.model import Tempo

T = Tempo  # eccentric, bottom, concentric, top


def _rush(exercise: str, tempos: list[Tempo], tempo: str | None = None):  # type: ignore[no-untyped-def]
    reps, n = make_reps(len(tempos), tempos=tempos)
    kin = make_kin(n)
    return kin, reps, rushing.check(ctx_for(kin, reps, exercise, tempo=tempo))


@pytest.mark.parametrize(
    ("tempo_arg", "rep_tempo", "phase"),
    [
        # default tempo (3-1-2-0 for squat): absolute floors only
        (None, T(2.0, 1.0, 1.0, 0.0), None),
        (None, T(1.7, 1.0, 1.0, 0.0), None),  # < 60 % of 3 s, but default tempo: not nagged
        (None, T(1.4, 1.0, 1.0, 0.0), "eccentric_s"),
        (None, T(2.0, 1.0, 0.7, 0.0), "concentric_s"),
        (None, T(2.0, 0.0, 1.0, 0.0), None),  # no bounce rule on the default tempo
        # explicit tempo: 60 % of the prescription and the bounce rule
        ("4-1-2-0", T(2.0, 1.0, 1.5, 0.0), "eccentric_s"),  # 2.0 < 0.6 x 4
        ("4-1-2-0", T(2.5, 1.0, 1.5, 0.0), None),
        ("3-1-3-0", T(2.0, 1.0, 1.5, 0.0), "concentric_s"),  # 1.5 < 0.6 x 3
        ("3-2-2-0", T(2.5, 0.05, 1.5, 0.0), "bottom_s"),  # bounce where a 2 s pause is prescribed
        ("3-2-2-0", T(2.5, 0.3, 1.5, 0.0), None),
        ("3-0-2-0", T(2.5, 0.0, 1.5, 0.0), None),  # no pause prescribed: no bounce
        ("X-1-X-0", T(0.5, 1.0, 0.4, 0.0), None),  # X = fast with intent
        # a prescribed tempo replaces the absolute floors: 1.4 s is on the person's own 2-1-1-0 plan...
        ("2-1-1-0", T(1.4, 1.0, 1.0, 0.0), None),
        # ...and under 60 % of it (1.2 s) is rushing
        ("2-1-1-0", T(1.1, 1.0, 1.0, 0.0), "eccentric_s"),
    ],
)
def test_rushing_table(tempo_arg: str | None, rep_tempo: Tempo, phase: str | None) -> None:
    kin, reps, found = _rush("squat", [rep_tempo] * 5, tempo_arg)
    if phase is None:
        assert found == []
        return
    assert len(found) == 5
    for f in found:
        assert_finding_ok(f, kin, reps, code="rushing", unit="s")
        assert f.value == pytest.approx(getattr(rep_tempo, phase))
        assert f.value < f.threshold
        rep = reps[f.rep - 1]
        assert f.frames == rep.phase_frames[phase.removesuffix("_s")]
    cue = found[0].cue.lower()
    assert {"eccentric_s": "down", "concentric_s": "up", "bottom_s": "pause"}[phase] in cue


def test_rushing_cue_uses_prescribed_seconds() -> None:
    _, _, found = _rush("squat", [T(2.0, 1.0, 1.0, 0.0)] * 3, "4-1-2-0")
    assert "4 seconds" in found[0].cue


def test_rushing_persistence() -> None:
    ok, fast = T(2.0, 1.0, 1.2, 0.0), T(0.8, 0.0, 0.5, 0.0)
    assert _rush("squat", [ok, ok, fast, ok, ok])[2] == []
    assert [f.rep for f in _rush("squat", [ok, fast, ok, fast, ok])[2]] == [2, 4]


def test_rushing_partial_reps_skipped() -> None:
    from dataclasses import replace

    reps, n = make_reps(3, tempo=T(0.5, 0.0, 0.4, 0.0))
    reps = [replace(r, partial=True) for r in reps]
    assert rushing.check(ctx_for(make_kin(n), reps, "squat")) == []


@pytest.mark.parametrize("exercise", ["kettlebell_swing", "burpee"])
@pytest.mark.parametrize("tempo", [None, "3-1-2-0"])
def test_rushing_exempt_exercises(exercise: str, tempo: str | None) -> None:
    assert _rush(exercise, [T(0.3, 0.0, 0.2, 0.0)] * 5, tempo)[2] == []


def test_bounce_unknown_after_the_last_rep_of_an_up_first_exercise() -> None:
    """A curl's "bottom" pause is the rest before the next rep; after the last rep it is unknown (0 by
    convention), so it must not count as a bounce (bug: the last rep was always a bounce candidate)."""
    rest, bounce, last = T(2.0, 1.0, 2.0, 0.0), T(2.0, 0.05, 2.0, 0.0), T(2.0, 0.0, 2.0, 0.0)
    _, _, found = _rush("bicep_curl", [rest, rest, rest, bounce, last], "2-1-2-0")
    assert found == []
    _, _, found = _rush("bicep_curl", [rest, rest, bounce, bounce, last], "2-1-2-0")
    assert [f.rep for f in found] == [3, 4]


# --- jumping --------------------------------------------------------------------------------------------------


def _feet(n: int, flights: list[tuple[int, int, float]], noise: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(0)
    h = rng.normal(0.0, noise, n) if noise else np.zeros(n)
    for a, length, height in flights:
        h[a: a + length] = height
    return h


@pytest.mark.parametrize(
    ("length", "height", "fires"),
    [(2, 0.05, True), (6, 0.10, True), (1, 0.20, False), (5, 0.025, False), (3, 0.031, True)],
)
def test_flight_phase(length: int, height: float, fires: bool) -> None:
    reps, n = make_reps(5)
    a = reps[2].turn_frame
    kin = make_kin(n, series={"feet_height_rel": _feet(n, [(a, length, height)], noise=0.002)})
    found = jumping.check(ctx_for(kin, reps, "burpee"))
    assert bool(found) is fires
    if fires:
        (f,) = found  # one jump is enough: no persistence for high-impact work
        assert_finding_ok(f, kin, reps, code="jumping", unit="stature")
        assert f.rep == 3
        assert f.value == pytest.approx(height, abs=0.01)
        assert f.threshold == 0.03
        assert f.frames[0] >= a and f.frames[1] <= a + length - 1
        assert "ground" in f.cue
        assert not any(w in f.cue.lower() for w in FEAR_WORDS)


def test_every_jump_rep_is_reported() -> None:
    reps, n = make_reps(5)
    kin = make_kin(n, series={"feet_height_rel": _feet(n, [(r.turn_frame, 8, 0.08) for r in reps])})
    assert [f.rep for f in jumping.check(ctx_for(kin, reps, "step_up"))] == [1, 2, 3, 4, 5]


def test_slow_drift_and_walking_towards_camera_are_not_jumps() -> None:
    reps, n = make_reps(5)
    drift = np.linspace(0.0, 0.3, n)  # the feet rise slowly in the image over the whole clip
    kin = make_kin(n, series={"feet_height_rel": drift})
    assert jumping.check(ctx_for(kin, reps, "burpee")) == []
    step = np.where(np.arange(n) > n // 2, 0.06, 0.0)  # a level change that stays (camera bumped)
    kin = make_kin(n, series={"feet_height_rel": step})
    assert jumping.check(ctx_for(kin, reps, "burpee")) == []


def test_jumping_nan_feet_and_missing_series() -> None:
    reps, n = make_reps(3)
    kin = make_kin(n, series={"feet_height_rel": np.full(n, np.nan)})
    assert jumping.check(ctx_for(kin, reps, "burpee")) == []
    assert not jumping.visible(make_kin(n, drop=["feet_height_rel"]))
    gappy = _feet(n, [(reps[1].turn_frame, 4, 0.08)])
    gappy[::7] = np.nan
    kin = make_kin(n, series={"feet_height_rel": gappy})
    assert [f.rep for f in jumping.check(ctx_for(kin, reps, "burpee"))] == [2]
