"""Unit rules of load progression (COACHING_RULES.md §4)."""

from __future__ import annotations

import datetime as dt

import pytest

from backsafe.coach.history import History, LoggedEntry
from backsafe.coach.progression import (
    active_pain_trigger,
    bodyweight_rung,
    ladder_cap,
    max_increase_kg,
    prescribe,
)
from backsafe.coach.units import Profile, floor_load, parse_load
from backsafe.exercises import get_exercise

D0 = dt.date(2026, 9, 1)


def e(day: int, ex: str = "goblet_squat", load: float = 12.0, sets: int = 3, reps: int = 10, **kw) -> LoggedEntry:
    return LoggedEntry(date=D0 + dt.timedelta(days=day), exercise=ex, load_kg=load, sets=sets, reps=reps,
                       warmup=True, **kw)


# Two earlier bodyweight squat sessions (3 × 12, easy): the ladder then allows a light load close to the body.
BASE = [LoggedEntry(date=D0 - dt.timedelta(days=4 - 2 * i), exercise="squat", load_kg=0, sets=3, reps=12, rpe=7,
                    warmup=True) for i in range(2)]


def rx(entries, day: int, ex: str = "goblet_squat", checkins=None, recovering=None, base=True):
    hist = History(entries=tuple((BASE if base else []) + list(entries)), checkins=checkins or {})
    when = D0 + dt.timedelta(days=day)
    return prescribe(get_exercise(ex), hist.before(when), when, recovering=recovering)


@pytest.mark.parametrize(("load", "kind", "unit", "out"), [
    (25.5, "dumbbell", "kg", 24), (11.9, "dumbbell", "kg", 10), (9.5, "dumbbell", "kg", 9),
    (13.6, "barbell", "kg", 0), (23.6, "barbell", "kg", 22.5), (17.9, "kettlebell", "kg", 16)])
def test_floor_to_the_steps_people_own(load, kind, unit, out) -> None:
    # §4: dumbbells 1 kg to 10 kg then 2 kg; barbell 20 kg bar + 2.5 kg; kettlebells 4 kg apart
    assert floor_load(load, kind, Profile(unit=unit)) == out


def test_article_30_to_25_lb() -> None:
    lb = Profile(unit="lb")
    got = floor_load(parse_load("30lb") * 0.85 + 1e-6, "dumbbell", lb)  # §4: 30 → 25 lb, −17 %
    assert abs(got - parse_load("25lb")) < 1e-3


@pytest.mark.parametrize(("load", "ex", "cap"), [(12, "goblet_squat", 2), (100, "back_squat", 5),
                                                 (20, "back_squat", 2.5), (16, "kettlebell_deadlift", 4)])
def test_increase_cap(load, ex, cap) -> None:
    # §4: +5 % or the next available step, whichever is larger
    assert max_increase_kg(load, get_exercise(ex)) == pytest.approx(cap)


def test_bodyweight_rungs() -> None:
    assert bodyweight_rung(get_exercise("goblet_squat")).id == "squat"
    assert bodyweight_rung(get_exercise("back_squat")).id == "squat"
    assert bodyweight_rung(get_exercise("romanian_deadlift")).id == "dowel_hinge"
    assert bodyweight_rung(get_exercise("bicep_curl")) is None


def test_reps_then_sets_then_load() -> None:
    assert (rx([e(0, sets=2, reps=8, rpe=7)], 2).sets, rx([e(0, sets=2, reps=8, rpe=7)], 2).reps) == (2, 9)
    assert rx([e(0, sets=2, reps=8, rpe=6)], 2).reps == 10  # RIR 4 = +1 over target → +2 reps
    p = rx([e(0, sets=2, reps=12, rpe=7)], 2)
    assert (p.sets, p.reps, p.load_kg) == (3, 8, 12)
    once = rx([e(0, sets=3, reps=12, rpe=7)], 2)
    assert (once.load_kg, once.action) == (12, "hold")
    twice = rx([e(0, sets=3, reps=12, rpe=7), e(2, sets=3, reps=12, rpe=7)], 4)
    assert (twice.sets, twice.reps, twice.load_kg, twice.action) == (3, 8, 14, "progress")  # next dumbbell: 14 kg
    assert "2-for-2" in twice.reason and "+17 %" in twice.reason


def test_barbell_step_and_5_percent_cap() -> None:
    goblet = [e(-1, "goblet_squat", 12, 3, 12, rpe=7)]  # the rung below the barbell, after the bodyweight squats
    hist = goblet + [e(0, "back_squat", 100, 3, 12, rpe=5), e(2, "back_squat", 100, 3, 12, rpe=5)]
    assert rx(hist, 4, "back_squat").load_kg == 105  # RIR 5 = +2 → +5 %
    hist = goblet + [e(0, "back_squat", 100, 3, 12, rpe=7), e(2, "back_squat", 100, 3, 12, rpe=7)]
    assert rx(hist, 4, "back_squat").load_kg == 102.5  # at target → one step


@pytest.mark.parametrize(("rpe", "load", "reps", "action"), [(10, 10.0, 10, "back_off"), (9, 12.0, 9, "hold")])
def test_rir_table_backs_off(rpe, load, reps, action) -> None:
    # failure: −10 % → the largest dumbbell ≤ 10.8 kg is 10 kg; RIR 1: −2.5-5 % has no dumbbell (11 kg does not
    # exist above 10 kg), so the same load one rep further from failure
    p = rx([e(0, load=12, rpe=rpe)], 2)
    assert (p.load_kg, p.reps, p.action) == (load, reps, action)
    if load != 12:
        assert "−17 %" in p.reason


def test_rpe_below_5_is_ignored() -> None:
    p = rx([e(0, reps=10, rpe=3)], 2)
    assert p.reps == 11 and "too far from failure" in p.reason


def test_pain_trigger_drops_load_and_holds_for_two_sessions() -> None:
    log = [e(0, load=12), e(2, load=12, pain_during=6)]
    p = rx(log, 4)
    assert p.load_kg == 10 and p.action == "back_off" and "85 %" in p.reason and "−17 %" in p.reason
    log.append(e(4, load=10))
    assert rx(log, 6).load_kg == 10 and rx(log, 6).action == "hold"
    log.append(e(6, load=10))
    nxt = rx(log, 8)
    assert nxt.action == "progress" and nxt.load_kg < 12


def test_rise_of_two_above_pre_session_is_a_trigger() -> None:
    p = rx([e(0, load=20, pain_before=1, pain_during=3)], 2)
    assert p.load_kg == 16  # 0.85 × 20 = 17 → the largest dumbbell ≤ 17 kg is 16 kg


def test_pain_0_to_2_is_no_trigger() -> None:
    # §4: pain 0-2 during a set needs no change, whatever the rise (today's main cut it 17 % and capped it 4 weeks)
    p = rx([e(0, load=12, pain_before=0, pain_during=2, rpe=7)], 2)
    assert p.load_kg == 12 and p.action == "progress"
    assert active_pain_trigger([e(0, load=12, pain_before=0, pain_during=2)], D0 + dt.timedelta(days=2)) is None


def test_pain_trigger_on_bodyweight_regresses() -> None:
    p = rx([e(0, "squat", 0, pain_after=7)], 2, "squat")
    assert p.exercise == "box_squat" and p.action == "regress" and p.replaces == "squat"


def test_trigger_caps_future_loads() -> None:
    log = [e(0, load=12, pain_during=6), e(2, load=10), e(4, load=10), e(6, load=11, reps=12),
           e(8, load=11, reps=12)]
    log += [e(10, load=11, sets=3, reps=12), e(12, load=11, sets=3, reps=12)]
    p = rx(log, 14)
    assert p.load_kg < 12 and "below 12 kg" in p.reason
    assert (p.sets, p.reps) == (3, 12)  # the cap keeps last time's sets × reps (today's main: 3 × 8)
    assert active_pain_trigger(log, D0 + dt.timedelta(days=14)).load_kg == 12
    assert active_pain_trigger(log, D0 + dt.timedelta(days=40)) is None


def test_morning_not_settled_holds_then_backs_off() -> None:
    log = [e(0, reps=10, rpe=7)]
    checkins = {D0 - dt.timedelta(days=1): 1, D0 + dt.timedelta(days=1): 4}
    p = rx(log, 2, checkins=checkins)
    assert (p.load_kg, p.sets, p.reps, p.action) == (12, 3, 10, "hold") and "not settled" in p.reason
    log.append(e(2, reps=10, rpe=7))
    checkins[D0 + dt.timedelta(days=3)] = 4
    p2 = rx(log, 4, checkins=checkins)
    assert p2.action in ("back_off", "deload") and p2.load_kg < 12


def test_reactive_deload_on_two_flare_ups() -> None:
    log = [e(0, reps=10), e(2, reps=10), e(4, reps=10)]
    checkins = {D0 - dt.timedelta(days=1): 0, D0 + dt.timedelta(days=1): 3, D0 + dt.timedelta(days=3): 3}
    p = rx(log, 6, checkins=checkins)
    assert p.action == "deload" and p.sets == 2 and p.load_kg == 10 and "−17 %" in p.reason


def test_planned_deload_in_week_six() -> None:
    log = [e(d, reps=10, rpe=7) for d in range(0, 35, 3)]
    p = rx(log, 36)
    assert p.action == "deload" and "planned" in p.reason


def test_first_time_bodyweight_first() -> None:
    p = rx([], 0, base=False)
    assert p.exercise == "squat" and p.replaces == "goblet_squat" and "starts at the bottom" in p.reason
    mastered = [e(0, "squat", 0, 3, 12, rpe=7), e(2, "squat", 0, 3, 12, rpe=7)]
    p2 = rx(mastered, 4, base=False)
    assert (p2.exercise, p2.load_kg, p2.sets, p2.reps) == ("goblet_squat", 6, 2, 8)


def test_holds_and_walking() -> None:
    p = rx([], 0, "plank")
    assert (p.rep_unit, p.reps) == ("s", 20)
    assert rx([e(0, "plank", 0, 2, 20)], 2, "plank").reps == 25
    w = rx([e(0, "walking", 0, 1, 10)], 2, "walking")
    assert (w.rep_unit, w.reps) == ("min", 15)


def test_high_impact_replaced_while_recovering() -> None:
    p = rx([], 0, "jump_squat", recovering="a pain flare-up")
    assert p.exercise == "squat" and p.replaces == "jump_squat" and p.tempo == "3-1-2-0" and p.action == "replace"


def test_no_history_starts_at_the_bottom() -> None:
    # §4 the ladder binds: someone with no history is never given jumps or a ballistic lift (today's main: jump lunge)
    for ex in ("jump_lunge", "jump_squat", "burpee", "kettlebell_swing", "deadlift", "back_squat"):
        p = rx([], 0, ex, base=False)
        assert get_exercise(p.exercise).ladder_rung <= 1 and get_exercise(p.exercise).impact == "low", ex
        assert p.replaces == ex


def test_jumps_after_four_pain_free_weeks_on_the_ladder() -> None:
    weeks = [e(d, "squat", 0, 3, 12, rpe=7) for d in range(0, 35, 3)]
    assert ladder_cap(History(entries=tuple(BASE + weeks)), D0 + dt.timedelta(days=36))[0] == 2
    assert rx(weeks, 36, "jump_squat").exercise == "squat"  # bodyweight rung: the next is 2, jumps are 5


def test_every_prescription_has_a_reason_and_film() -> None:
    from backsafe.exercises import load_library

    for ex in load_library().values():
        p = prescribe(ex, History(), D0)
        assert p.reason and p.film
        assert (p.tempo is None) == (p.rep_unit != "reps")
        assert "§" not in p.reason and "First time" in p.reason or p.action == "replace"
