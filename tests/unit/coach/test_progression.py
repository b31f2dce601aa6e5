"""Unit rules of load progression (COACHING_RULES.md §4)."""

from __future__ import annotations

import datetime as dt

import pytest

from backsafe.coach.history import History, LoggedEntry
from backsafe.coach.progression import (
    active_pain_trigger,
    bodyweight_rung,
    floor_to_step,
    max_increase_kg,
    prescribe,
)
from backsafe.exercises import get_exercise

D0 = dt.date(2026, 9, 1)


def e(day: int, ex: str = "goblet_squat", load: float = 12.0, sets: int = 3, reps: int = 10, **kw) -> LoggedEntry:
    return LoggedEntry(date=D0 + dt.timedelta(days=day), exercise=ex, load_kg=load, sets=sets, reps=reps,
                       warmup=True, **kw)


def rx(entries, day: int, ex: str = "goblet_squat", checkins=None, recovering=None):
    hist = History(entries=tuple(entries), checkins=checkins or {})
    when = D0 + dt.timedelta(days=day)
    return prescribe(get_exercise(ex), hist.before(when), when, recovering=recovering)


@pytest.mark.parametrize(("load", "step", "out"), [(25.5, 1, 25), (13.6, 2.5, 12.5), (10.2, 1, 10), (2, 1, 2)])
def test_floor_to_step(load, step, out) -> None:
    assert floor_to_step(load, step) == out


def test_article_30_to_25_lb() -> None:
    assert floor_to_step(30 * 0.85, 5) == 25  # §4: 30 → 25 lb, −17 %


@pytest.mark.parametrize(("load", "step", "cap"), [(12, 1, 1), (100, 2.5, 5), (20, 2.5, 2.5)])
def test_increase_cap(load, step, cap) -> None:
    assert max_increase_kg(load, step) == cap


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
    assert (twice.sets, twice.reps, twice.load_kg, twice.action) == (3, 8, 13, "progress")
    assert "2-for-2" in twice.reason


def test_barbell_step_and_5_percent_cap() -> None:
    hist = [e(0, "back_squat", 100, 3, 12, rpe=5), e(2, "back_squat", 100, 3, 12, rpe=5)]
    assert rx(hist, 4, "back_squat").load_kg == 105  # RIR 5 = +2 → +5 %
    hist = [e(0, "back_squat", 100, 3, 12, rpe=7), e(2, "back_squat", 100, 3, 12, rpe=7)]
    assert rx(hist, 4, "back_squat").load_kg == 102.5  # at target → one step


@pytest.mark.parametrize(("rpe", "load", "action"), [(10, 10.0, "back_off"), (9, 11.0, "back_off")])
def test_rir_table_backs_off(rpe, load, action) -> None:
    p = rx([e(0, load=12, rpe=rpe)], 2)
    assert (p.load_kg, p.action) == (load, action)


def test_rpe_below_5_is_ignored() -> None:
    p = rx([e(0, reps=10, rpe=3)], 2)
    assert p.reps == 11 and "Hackett" in p.reason


def test_pain_trigger_drops_load_and_holds_for_two_sessions() -> None:
    log = [e(0, load=12), e(2, load=12, pain_during=6)]
    p = rx(log, 4)
    assert p.load_kg == 10 and p.action == "back_off" and "0.85" in p.reason
    log.append(e(4, load=10))
    assert rx(log, 6).load_kg == 10 and rx(log, 6).action == "hold"
    log.append(e(6, load=10))
    nxt = rx(log, 8)
    assert nxt.action == "progress" and nxt.load_kg < 12


def test_rise_of_two_above_pre_session_is_a_trigger() -> None:
    p = rx([e(0, load=20, pain_before=1, pain_during=3)], 2)
    assert p.load_kg == 17


def test_pain_trigger_on_bodyweight_regresses() -> None:
    p = rx([e(0, "squat", 0, pain_after=7)], 2, "squat")
    assert p.exercise == "box_squat" and p.action == "regress" and p.replaces == "squat"


def test_trigger_caps_future_loads() -> None:
    log = [e(0, load=12, pain_during=6), e(2, load=10), e(4, load=10), e(6, load=11, reps=12),
           e(8, load=11, reps=12)]
    log += [e(10, load=11, sets=3, reps=12), e(12, load=11, sets=3, reps=12)]
    p = rx(log, 14)
    assert p.load_kg < 12 and "stay below 12 kg" in p.reason
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
    assert p.action == "deload" and p.sets == 2 and p.load_kg == 10


def test_planned_deload_in_week_six() -> None:
    log = [e(d, reps=10, rpe=7) for d in range(0, 35, 3)]
    p = rx(log, 36)
    assert p.action == "deload" and "planned" in p.reason


def test_first_time_bodyweight_first() -> None:
    p = rx([], 0)
    assert p.exercise == "squat" and p.replaces == "goblet_squat" and "Bodyweight first" in p.reason
    mastered = [e(0, "squat", 0, 3, 12, rpe=7), e(2, "squat", 0, 3, 12, rpe=7)]
    p2 = rx(mastered, 4)
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
    assert rx([], 0, "jump_squat").exercise == "jump_squat"


def test_every_prescription_has_a_reason_and_film() -> None:
    from backsafe.exercises import load_library

    for ex in load_library().values():
        p = prescribe(ex, History(), D0)
        assert p.reason and p.film and p.tempo
