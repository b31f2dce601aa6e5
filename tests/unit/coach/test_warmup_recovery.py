"""Warm-up (§3) and recovery (§8)."""

from __future__ import annotations

import datetime as dt

import pytest

from backsafe.coach.history import History
from backsafe.coach.progression import prescribe
from backsafe.coach.recovery import parse_wake_time, recovery_plan
from backsafe.coach.warmup import MAX_MINUTES, MIN_MINUTES, generate_warmup
from backsafe.coach.wording import check_wording
from backsafe.errors import ValueRangeError
from backsafe.exercises import FAULT_CODES, get_exercise

D = dt.date(2026, 11, 20)


def _rx(*ids: str, load: float | None = None):
    out = []
    for i in ids:
        p = prescribe(get_exercise(i), History(), D)
        if load is not None and get_exercise(i).loaded:
            from dataclasses import replace

            p = replace(p, exercise=i, load_kg=load)
        out.append(p)
    return out


@pytest.mark.parametrize("faults", [{}, {c: 3 for c in FAULT_CODES}, {"knee_valgus": 5}, {"rushing": 1}])
@pytest.mark.parametrize("day", [(), ("squat",), ("goblet_squat", "romanian_deadlift", "shoulder_press", "plank")])
def test_length_8_to_12_minutes(faults, day) -> None:
    items = generate_warmup(_rx(*day), faults)
    total = sum(i.minutes for i in items)
    assert MIN_MINUTES <= total <= MAX_MINUTES
    assert items[0].phase == "raise"
    assert all(i.dose for i in items)
    assert all(check_wording(i.name + i.dose + i.reason) == [] for i in items)


def test_knee_valgus_adds_glute_medius_work() -> None:
    names = [i.name for i in generate_warmup(_rx("squat"), {"knee_valgus": 4})]
    assert any("abduction" in n for n in names) and any("Band walk" in n for n in names)
    plain = [i.name for i in generate_warmup(_rx("squat"), {})]
    assert not any("abduction" in n for n in plain)


def test_rounding_adds_hinge_patterning() -> None:
    names = [i.name for i in generate_warmup(_rx("squat"), {"back_rounding": 2})]
    assert "Dowel hip hinge" in names


def test_always_breathing_foam_and_glute_activation() -> None:
    items = generate_warmup(_rx("squat"), {})
    text = " ".join(i.name for i in items)
    assert "Diaphragmatic breathing" in text and "Foam roll" in text and "glute" in text.lower()
    assert any("not on the lower back" in i.dose for i in items)


def test_ramp_sets_at_50_and_75_percent() -> None:
    from dataclasses import replace

    p = replace(prescribe(get_exercise("back_squat"), History(), D), exercise="back_squat", load_kg=60.0)
    ramp = [i for i in generate_warmup([p]) if i.phase == "potentiate"][0]
    assert "30 kg" in ramp.dose and "45 kg" in ramp.dose


@pytest.mark.parametrize(("wake", "age", "bed", "hi"), [("07:00", 30, "22:45", 9.0), ("05:30", 70, "21:45", 8.0),
                                                        ("08:15", None, "00:00", 9.0)])
def test_bedtime_from_wake_time(wake, age, bed, hi) -> None:
    r = recovery_plan(parse_wake_time(wake), age)
    assert r["bedtime"] == bed and r["sleep_target_h"] == [7.0, hi]
    text = " ".join(i["advice"] for i in r["items"])
    assert "may help a little" in text and "isn't proven" in text and "22:00-23:00" in text
    assert check_wording(text) == []


def test_bad_wake_time_and_age() -> None:
    with pytest.raises(ValueRangeError, match="HH:MM"):
        parse_wake_time("7am")
    with pytest.raises(ValueRangeError, match="adults"):
        recovery_plan(age_years=12)
