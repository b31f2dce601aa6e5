"""Coach safety storage ([1/6]) on SQLite and PostgreSQL: the profile, loads typed in the person's unit, the
plausibility limit, sleep at check-in, stored clearances and outcome measures (COACHING_RULES.md §1 State,
§4 units / plausibility / outcome measures, §8 sleep)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from backsafe.coach.logbook import LogBook, open_logbook
from backsafe.coach.progress import compute_trends, render_terminal
from backsafe.coach.triage import TriageAnswers
from backsafe.coach.units import LB_PER_KG, Profile
from backsafe.errors import ValueRangeError

TODAY = dt.date(2026, 11, 25)
D = dt.date(2026, 11, 20)


def test_profile_round_trip_and_defaults(book: LogBook) -> None:
    assert book.profile() == Profile(unit_chosen=False)  # nothing set: kg shown, standard steps, unit not chosen
    p = book.set_profile(unit="lb", body_mass_kg=80, sex="female", default_tempo="3-1-2-0",
                         equipment={"dumbbell": [5, 10, 15, 20, 25, 30], "kettlebell": ["8kg", "12kg", "16kg"]},
                         wake_time="06:30", age_years=41)
    assert p == book.profile() == book.history().profile
    assert (p.unit, p.body_mass_kg, p.sex, p.default_tempo, p.wake_time, p.age_years) == (
        "lb", 80.0, "female", "3-1-2-0", dt.time(6, 30), 41)
    # numbers are in the person's unit (lb here), stored in kg; kettlebells given in kg stay kg
    assert p.equipment["dumbbell"] == tuple(round(v / LB_PER_KG, 3) for v in (5, 10, 15, 20, 25, 30))
    assert p.equipment["kettlebell"] == (8.0, 12.0, 16.0)
    # a later call changes only what it names; an empty list clears a kind
    p2 = book.set_profile(unit="kg", equipment={"kettlebell": []})
    assert p2.unit == "kg" and "kettlebell" not in p2.equipment and p2.equipment["dumbbell"] == p.equipment[
        "dumbbell"] and p2.age_years == 41


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"unit": "stone"}, "expected kg or lb"),
        ({"body_mass_kg": 900}, "body mass"),
        ({"sex": "x"}, "female or male"),
        ({"default_tempo": "fast"}, "tempo"),
        ({"equipment": {"sandbag": [10]}}, "equipment 'sandbag'"),
        ({"equipment": {"dumbbell": [0]}}, "above 0"),
        ({"equipment": {"dumbbell": ["ten"]}}, "load 'ten'"),
        ({"wake_time": "7am"}, "HH:MM"),
        ({"age_years": 12}, "adults"),
    ],
)
def test_profile_refusals_leave_it_unchanged(book: LogBook, kw: dict, match: str) -> None:
    before = book.set_profile(unit="lb", age_years=30)
    with pytest.raises(ValueRangeError, match=match):
        book.set_profile(**kw)
    assert book.profile() == before


def test_load_in_pounds_is_stored_in_kg_and_shown_in_pounds(book: LogBook) -> None:
    book.set_profile(unit="lb")
    res = book.log(date=D, exercise="goblet_squat", load="30lb", sets=3, reps=10, today=TODAY)
    assert res.load_kg == 13.608 and res.unit == "lb" and res.load_shown == "30 lb"
    assert book.history().entries[0].load_kg == 13.608
    res = book.log(date=D, exercise="goblet_squat", load=25, sets=3, reps=10, today=TODAY)  # a number: their unit
    assert res.load_kg == 11.34 and res.load_shown == "25 lb"
    res = book.log(date=D, exercise="goblet_squat", load="12kg", sets=3, reps=10, today=TODAY)
    assert res.load_kg == 12.0 and res.load_shown == "26.5 lb"
    with pytest.raises(ValueRangeError, match="give the load once"):
        book.log(date=D, exercise="goblet_squat", load="30lb", load_kg=13.6, sets=3, reps=10, today=TODAY)
    assert book.counts()["entries"] == 3


def test_implausible_load_refused_nothing_written(book: LogBook) -> None:
    before = book.counts()
    with pytest.raises(ValueRangeError, match="goblet squat is more than"):  # §4 plausibility
        book.log(date=D, exercise="goblet_squat", load_kg=400, sets=3, reps=10, today=TODAY)
    with pytest.raises(ValueRangeError, match="goblet squat is more than"):
        book.log(date=D, exercise="goblet_squat", load="400kg", sets=3, reps=10, today=TODAY)
    assert book.counts() == before
    assert book.log(date=D, exercise="deadlift", load_kg=180, sets=3, reps=5, today=TODAY).load_kg == 180.0


def test_checkin_stores_sleep_and_returns_flags(book: LogBook) -> None:
    res = book.checkin(date=D, pain=2, sleep_hours=6.5, today=TODAY)
    assert (res.date, res.pain, res.sleep_hours, res.flags) == (D, 2, 6.5, ())
    book.checkin(date=D, pain=1, today=TODAY)  # a second check-in without sleep keeps the sleep given
    hist = book.history()
    assert hist.checkins == {D: 1} and hist.sleep == {D: 6.5}
    before = book.counts()
    for bad in (-1, 25, float("nan")):
        with pytest.raises(ValueRangeError, match="0-24 hours"):
            book.checkin(date=D + dt.timedelta(days=1), pain=1, sleep_hours=bad, today=TODAY)
    assert book.counts() == before
    # §1 severe pain: a 9/10 morning is a stop-level flag, not a silent "saved"
    res = book.checkin(date=D + dt.timedelta(days=1), pain=9, today=TODAY)
    assert [f.code for f in res.flags] == ["severe_pain"] and res.flags[0].level == "stop"


def test_clearance_stored_with_its_scope(book: LogBook) -> None:
    r = book.triage(TriageAnswers(frozenset({"fever"})), date=D, today=TODAY)
    assert r.outcome == "urgent"
    assert book.history().clearances == ()
    r = book.triage(TriageAnswers(frozenset(), clinician_cleared=True), date=D + dt.timedelta(days=2), today=TODAY)
    (c,) = book.history().clearances
    assert c.date == D + dt.timedelta(days=2) and "fever" in c.flags
    assert r.outcome == "proceed"
    assert book.counts()["clearances"] == 1 and book.counts()["triage"] == 2


def test_clearance_with_nothing_to_cover_is_not_stored(book: LogBook) -> None:
    r = book.triage(TriageAnswers(frozenset(), clinician_cleared=True), date=D, today=TODAY)
    assert r.outcome == "proceed" and book.counts()["clearances"] == 0


def test_outcome_measures_stored_and_meaningful_change(book: LogBook) -> None:
    w0, w1, w2 = D - dt.timedelta(days=14), D - dt.timedelta(days=7), D
    book.outcome(date=w0, pain_week=6, psfs={"tying shoes": 3, "walking 30 min": 4}, today=TODAY)
    book.outcome(date=w1, pain_week=5, today=TODAY)
    book.outcome(date=w2, pain_week=3, psfs={"tying shoes": 6, "walking 30 min": 6}, today=TODAY)
    book.outcome(date=w2, psfs={"walking 30 min": 7}, today=TODAY)  # same date and activity: replaced
    hist = book.history()
    assert [(o.date, o.kind, o.activity, o.score) for o in hist.outcomes] == [
        (w0, "pain_nrs", None, 6.0), (w0, "psfs", "tying shoes", 3.0), (w0, "psfs", "walking 30 min", 4.0),
        (w1, "pain_nrs", None, 5.0),
        (w2, "pain_nrs", None, 3.0), (w2, "psfs", "tying shoes", 6.0), (w2, "psfs", "walking 30 min", 7.0)]
    tr = compute_trends(hist)
    nrs, psfs = tr.changes
    assert (nrs.first, nrs.latest, nrs.meaningful) == (6.0, 3.0, True)
    assert (psfs.first, psfs.latest, psfs.meaningful) == (3.5, 6.5, True)
    assert [v for v in tr.pain_week if v is not None] == [6.0, 5.0, 3.0]
    text = render_terminal(tr)
    assert "Pain down from 6 to 3/10 — a meaningful change" in text
    assert "up from 3.5 to 6.5/10 — a meaningful change" in text
    assert tr.to_json()["changes"][0]["meaningful"] is True


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({}, "give the week's pain"),
        ({"pain_week": 11}, "0-10"),
        ({"psfs": {"walking": 12}}, "0-10"),
        ({"psfs": {"": 5}}, "1-200 characters"),
        ({"psfs": {"x" * 201: 5}}, "1-200 characters"),
        ({"psfs": {f"a{i}": 5 for i in range(6)}}, "1-5"),
    ],
)
def test_outcome_refusals_write_nothing(book: LogBook, kw: dict, match: str) -> None:
    with pytest.raises(ValueRangeError, match=match):
        book.outcome(date=D, today=TODAY, **kw)
    assert book.counts()["outcomes"] == 0


def test_trends_loads_in_the_persons_unit(book: LogBook) -> None:
    book.set_profile(unit="lb")
    book.log(date=D, exercise="goblet_squat", load="30lb", sets=3, reps=10, today=TODAY)
    tr = compute_trends(book.history())
    doc = tr.to_json()
    assert doc["load_kg"]["goblet_squat"] == [13.608] and doc["unit"] == "lb" and doc["load"]["goblet_squat"] == [30.0]
    assert "Load (lb, heaviest)" in render_terminal(tr) and "30 lb" in render_terminal(tr)


def test_nonexistent_folder_is_refused(tmp_path: Path) -> None:
    from backsafe.db import DatabaseFolderMissingError
    from backsafe.errors import InputError, StorageError

    target = tmp_path / "no" / "such" / "log.db"
    with pytest.raises(DatabaseFolderMissingError, match="does not exist") as ei:
        open_logbook(f"sqlite:///{target}")
    assert isinstance(ei.value, StorageError) and isinstance(ei.value, InputError)
    assert not (tmp_path / "no").exists()
