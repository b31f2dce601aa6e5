"""rushing (COACHING_RULES §7) and jumping (§5 J) on constructed reps and foot heights.

No labelled rushing data exists; jumping is labelled only by the Sports2D jumping-jack demo video (which needs
MediaPipe, so it is not a unit test): both are covered here with constructed tempos and flight phases.
"""

from __future__ import annotations

import numpy as np
import pytest
from fault_builders import FEAR_WORDS, assert_finding_ok, ctx_for, findings_on, make_kin, make_reps

from backsafe.faults.rules import jumping, rushing
from backsafe.model import Tempo

T = Tempo  # eccentric, bottom, concentric, top


def _rush(exercise: str, tempos: list[Tempo], tempo: str | None = None,  # type: ignore[no-untyped-def]
          load: float | None = None, prescribed: bool | None = None):
    reps, n = make_reps(len(tempos), tempos=tempos)
    kin = make_kin(n)
    ctx = ctx_for(kin, reps, exercise, tempo=tempo, load_kg=load, tempo_prescribed=prescribed)
    return kin, reps, rushing.check(ctx)


@pytest.mark.parametrize(
    ("tempo_arg", "rep_tempo", "phase", "load"),
    [
        # no prescribed tempo (the exercise default, 3-1-2-0 for squat): only the uncontrolled, under load (§7)
        (None, T(2.0, 1.0, 1.0, 0.0), None, None),
        (None, T(1.4, 1.0, 1.0, 0.0), None, None),  # brisk, unloaded: a tempo note at most, never a fault
        (None, T(0.5, 0.0, 0.4, 0.0), None, None),  # even a drop is not judged without external load
        (None, T(2.0, 1.0, 0.7, 0.0), None, 20.0),  # a quick concentric is not uncontrolled
        (None, T(1.0, 0.5, 1.0, 0.0), None, 20.0),  # brisk but controlled under load
        (None, T(0.6, 0.5, 1.0, 0.0), "eccentric_s", 20.0),  # a drop: eccentric < 0.7 s under load
        (None, T(0.9, 0.05, 1.0, 0.0), "bottom_s", 20.0),  # a bounce out of the bottom under load
        (None, T(1.5, 0.05, 1.0, 0.0), None, 20.0),  # a quick turn after a slow descent is not a bounce
        # explicit tempo: 60 % of the prescription and the bounce rule
        ("4-1-2-0", T(2.0, 1.0, 1.5, 0.0), "eccentric_s", None),  # 2.0 < 0.6 x 4
        ("4-1-2-0", T(2.5, 1.0, 1.5, 0.0), None, None),
        ("3-1-3-0", T(2.0, 1.0, 1.5, 0.0), "concentric_s", None),  # 1.5 < 0.6 x 3
        ("3-2-2-0", T(2.5, 0.05, 1.5, 0.0), "bottom_s", None),  # bounce where a 2 s pause is prescribed
        ("3-2-2-0", T(2.5, 0.3, 1.5, 0.0), None, None),
        ("3-0-2-0", T(2.5, 0.0, 1.5, 0.0), None, None),  # no pause prescribed: no bounce
        ("X-1-X-0", T(0.5, 1.0, 0.4, 0.0), None, None),  # X = fast with intent
        ("2-1-1-0", T(1.4, 1.0, 1.0, 0.0), None, None),  # on the person's own 2-1-1-0 plan
        ("2-1-1-0", T(1.1, 1.0, 1.0, 0.0), "eccentric_s", None),  # under 60 % of it (1.2 s)
    ],
)
def test_rushing_table(tempo_arg: str | None, rep_tempo: Tempo, phase: str | None, load: float | None) -> None:
    kin, reps, found = _rush("squat", [rep_tempo] * 5, tempo_arg, load)
    for f in findings_on(found, kin, reps, phase is not None, code="rushing", unit="s"):
        assert f.value == pytest.approx(getattr(rep_tempo, phase))
        assert f.value < f.threshold
        rep = reps[f.rep - 1]
        assert f.frames == rep.phase_frames[phase.removesuffix("_s")]
        assert {"eccentric_s": "down", "concentric_s": "up", "bottom_s": "pause"}[phase] in f.cue.lower()


def test_a_brisk_controlled_set_gets_a_tempo_note_not_a_fault() -> None:
    """§7: no prescribed tempo, ~2 s reps (0.8 s down): a note ("take 2-3 s on the way down"), not rushing."""
    reps, n = make_reps(5, tempo=T(0.8, 0.1, 0.9, 0.2))
    kin = make_kin(n)
    ctx = ctx_for(kin, reps, "squat")
    found = rushing.check(ctx)
    assert found == []
    note = rushing.tempo_note(ctx, found)
    assert note is not None and "2-3 s on the way down" in note
    slow = ctx_for(kin, make_reps(5, tempo=T(2.0, 0.5, 1.5, 0.2))[0], "squat")
    assert rushing.tempo_note(slow, []) is None
    assert rushing.tempo_note(ctx_for(kin, reps, "squat", tempo="3-1-2-0", tempo_prescribed=True), []) is None
    assert rushing.tempo_note(ctx_for(kin, reps, "kettlebell_swing"), []) is None


def test_the_registry_passes_the_note_and_the_default_run_has_no_rushing() -> None:
    from backsafe.exercises import get_exercise
    from backsafe.faults.registry import check_faults

    reps, n = make_reps(5, tempo=T(0.8, 0.1, 0.9, 0.2))
    kin = make_kin(n)
    ex = get_exercise("squat")
    res = check_faults(kin, reps, ex, tempo=ex.default_tempo)
    assert not [f for f in res.findings if f.code == "rushing"]
    assert any("on the way down" in x for x in res.notes)


def test_a_prescribed_tempo_equal_to_the_default_is_still_prescribed() -> None:
    """``--tempo 3-1-2-0`` on a squat (its default) is the person's prescription: 1.5 s down is < 60 % of 3 s."""
    fast = [T(1.5, 1.0, 1.5, 0.0)] * 3
    assert _rush("squat", fast, "3-1-2-0")[2] == []  # inferred: same as the default, so not prescribed
    assert len(_rush("squat", fast, "3-1-2-0", prescribed=True)[2]) == 3


def test_rushing_cue_uses_prescribed_seconds() -> None:
    _, _, found = _rush("squat", [T(2.0, 1.0, 1.0, 0.0)] * 3, "4-1-2-0")
    assert "4 seconds" in found[0].cue


def test_rushing_persistence() -> None:
    ok, fast = T(2.0, 1.0, 1.2, 0.0), T(0.8, 0.0, 0.5, 0.0)
    assert _rush("squat", [ok, ok, fast, ok, ok], "3-1-2-0", prescribed=True)[2] == []
    assert [f.rep for f in _rush("squat", [ok, fast, ok, fast, ok], "3-1-2-0", prescribed=True)[2]] == [2, 4]


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


def _jump_kin(n: int, feet: np.ndarray, hips_follow: bool = True):  # type: ignore[no-untyped-def]
    """Kinematics whose hips rise with the feet (a body in the air), standing hip height 0.5 statures."""
    hip = 0.5 + (np.nan_to_num(feet, nan=0.0) if hips_follow else np.zeros(n))
    return make_kin(n, series={"feet_height_rel": feet, "hip_height_rel": hip})


@pytest.mark.parametrize(
    ("length", "height", "fires"),
    [(2, 0.05, True), (6, 0.10, True), (1, 0.20, False), (5, 0.025, False), (3, 0.031, True),
     (30, 0.05, False)],  # a foot "up" for 1 s at 5 % of stature: longer than gravity allows, a tracking error
)
def test_flight_phase(length: int, height: float, fires: bool) -> None:
    reps, n = make_reps(5)
    a = reps[2].turn_frame
    kin = _jump_kin(n, _feet(n, [(a, length, height)], noise=0.002))
    found = jumping.check(ctx_for(kin, reps, "squat"))
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
    kin = _jump_kin(n, _feet(n, [(r.turn_frame, 8, 0.08) for r in reps]))
    assert [f.rep for f in jumping.check(ctx_for(kin, reps, "step_up"))] == [1, 2, 3, 4, 5]


def test_a_hop_in_a_squat_is_jumping_and_in_a_jump_squat_it_is_the_exercise() -> None:
    """§5 J: every exercise meant to keep contact checks jumping (a squat with a hop is a jump squat); in a
    jumping exercise the flight is the exercise, not a fault."""
    from backsafe.exercises import get_exercise, load_library
    from backsafe.faults.registry import check_faults

    reps, n = make_reps(3)
    kin = _jump_kin(n, _feet(n, [(reps[1].end_frame - 10, 8, 0.07)]))
    ex = get_exercise("squat")
    res = check_faults(kin, reps, ex, tempo=ex.default_tempo)
    assert [f.rep for f in res.findings if f.code == "jumping"] == [2]
    assert jumping.check(ctx_for(kin, reps, "jump_squat")) == []
    for e in load_library().values():
        assert ("jumping" in e.faults) != e.jump_expected or e.pattern in ("core", "mobility", "activation", "bridge",
                                                                            "cardio"), e.id


def test_feet_that_rise_without_the_body_are_not_a_jump() -> None:
    """A foot keypoint sliding up (plates hiding the feet in a deadlift) while the hips stay put."""
    reps, n = make_reps(3)
    kin = _jump_kin(n, _feet(n, [(reps[1].turn_frame, 6, 0.08)]), hips_follow=False)
    assert jumping.check(ctx_for(kin, reps, "deadlift")) == []


def test_a_hop_from_a_lower_stance_is_found() -> None:
    """The level the feet stand at before take-off is the baseline, not the set's lowest foot (a lunge's stance
    sat 4 % of stature above the set's ground, so a later hop merged with it into one over-long "flight")."""
    reps, n = make_reps(2)
    feet = np.zeros(n)
    feet[reps[1].start_frame:] = 0.045
    feet[reps[1].end_frame - 12: reps[1].end_frame - 4] += 0.07
    kin = _jump_kin(n, feet)
    assert [f.rep for f in jumping.check(ctx_for(kin, reps, "lunge"))] == [2]


def test_slow_drift_and_walking_towards_camera_are_not_jumps() -> None:
    reps, n = make_reps(5)
    drift = np.linspace(0.0, 0.3, n)  # the feet rise slowly in the image over the whole clip
    kin = _jump_kin(n, drift)
    assert jumping.check(ctx_for(kin, reps, "squat")) == []
    step = np.where(np.arange(n) > n // 2, 0.06, 0.0)  # a level change that stays (camera bumped)
    kin = _jump_kin(n, step)
    assert jumping.check(ctx_for(kin, reps, "squat")) == []


def test_jumping_nan_feet_and_missing_series() -> None:
    reps, n = make_reps(3)
    kin = make_kin(n, series={"feet_height_rel": np.full(n, np.nan)})
    assert jumping.check(ctx_for(kin, reps, "squat")) == []
    assert not jumping.visible(make_kin(n, drop=["feet_height_rel"]))
    gappy = _feet(n, [(reps[1].turn_frame, 4, 0.08)])
    gappy[::7] = np.nan
    gappy[reps[1].turn_frame - 3: reps[1].turn_frame + 7] = np.nan_to_num(gappy[reps[1].turn_frame - 3:
                                                                                  reps[1].turn_frame + 7])
    kin = _jump_kin(n, gappy)
    assert [f.rep for f in jumping.check(ctx_for(kin, reps, "squat"))] == [2]
