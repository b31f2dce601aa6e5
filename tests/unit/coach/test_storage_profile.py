"""The TOML profile file (DESIGN.md contract additions; COACHING_RULES.md §4 units and equipment steps) and the
outcome-change arithmetic (§4 Outcome measures: 2 NRS points or 30 %, Ostelo 2008; 2 PSFS points)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from backsafe.coach.history import OutcomeRecord
from backsafe.coach.logbook import open_logbook
from backsafe.coach.profile_file import parse_profile, read_profile_file
from backsafe.coach.progress import outcome_changes
from backsafe.coach.units import LB_PER_KG
from backsafe.errors import InputError, ValueRangeError

PROFILE = """
unit = "lb"
body_mass = "80kg"
sex = "female"
default_tempo = "3-1-2-0"
wake_time = "06:30"
age = 41

[equipment]
dumbbell = [5, 10, 15, 20, 25, 30]
kettlebell = ["8kg", "12kg", "16kg"]
"""


def test_profile_file_round_trip(tmp_path: Path) -> None:
    f = tmp_path / "profile.toml"
    f.write_text(PROFILE)
    kw = read_profile_file(f)
    assert kw["unit"] == "lb" and kw["body_mass_kg"] == 80.0 and kw["age_years"] == 41
    book = open_logbook(f"sqlite:///{tmp_path / 'log.db'}")
    try:
        p = book.set_profile(**kw)
        assert (p.unit, p.body_mass_kg, p.sex, p.default_tempo, p.wake_time, p.age_years) == (
            "lb", 80.0, "female", "3-1-2-0", dt.time(6, 30), 41)
        assert p.equipment["dumbbell"] == tuple(round(v / LB_PER_KG, 3) for v in (5, 10, 15, 20, 25, 30))
        assert p.equipment["kettlebell"] == (8.0, 12.0, 16.0)
        doc = p.to_json()  # shown in the person's unit: the pounds they typed
        assert doc["equipment"]["dumbbell"] == [5.0, 10.0, 15.0, 20.0, 25.0, 30.0] and doc["equipment_unit"] == "lb"
    finally:
        book.db.dispose()


def test_bare_numbers_use_the_files_unit_else_the_persons() -> None:
    assert parse_profile({"body_mass": 176})["body_mass_kg"] == 176.0  # default kg
    assert parse_profile({"body_mass": 176}, "lb")["body_mass_kg"] == round(176 / LB_PER_KG, 3)
    assert parse_profile({"unit": "kg", "body_mass": 80}, "lb")["body_mass_kg"] == 80.0
    assert parse_profile({"equipment": {"barbell": [45]}}, "lb")["equipment"]["barbell"] == [
        f"{round(45 / LB_PER_KG, 3)!r}kg"]


@pytest.mark.parametrize(
    ("text", "exc", "match"),
    [
        ('units = "lb"', ValueRangeError, "unknown key 'units'"),
        ('unit = "stone"', ValueRangeError, "unit = 'stone'"),
        ('body_mass = "eighty"', ValueRangeError, "body_mass"),
        ("age = 41.5", ValueRangeError, "whole years"),
        ('sex = 1', ValueRangeError, "expected a string"),
        ('equipment = [5, 10]', ValueRangeError, "must be a table"),
        ('[equipment]\ndumbbell = 5', ValueRangeError, "expected a list"),
        ('[equipment]\ndumbbell = ["5 stone"]', ValueRangeError, "equipment.dumbbell"),
        ("unit = ", InputError, "not valid TOML"),
    ],
)
def test_profile_file_refusals(tmp_path: Path, text: str, exc: type, match: str) -> None:
    f = tmp_path / "p.toml"
    f.write_text(text)
    with pytest.raises(exc, match=match):
        read_profile_file(f)


def test_profile_file_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_profile_file(tmp_path / "nope.toml")


D0, D1 = dt.date(2026, 10, 1), dt.date(2026, 10, 29)


@pytest.mark.parametrize(
    ("first", "latest", "meaningful"),
    [(6, 3, True), (6, 5, False), (3, 2, True), (10, 8, True), (8, 7, False), (0, 1, False), (0, 2, True),
     (3, 6, True)],
)
def test_nrs_meaningful_change(first: float, latest: float, meaningful: bool) -> None:
    # §4: 2 NRS points or 30 % of the first score (Ostelo 2008)
    (c,) = outcome_changes((OutcomeRecord(D0, "pain_nrs", first), OutcomeRecord(D1, "pain_nrs", latest)))
    assert c.meaningful is meaningful
    assert ("— a meaningful change" in c.text) is meaningful
    assert ("for the worse" in c.text) is (meaningful and latest > first)
    assert "§" not in c.text and "pain_nrs" not in c.text


def test_psfs_change_uses_shared_activities() -> None:
    recs = (OutcomeRecord(D0, "psfs", 3, "tying shoes"), OutcomeRecord(D0, "psfs", 4, "walking"),
            OutcomeRecord(D1, "psfs", 5, "tying shoes"), OutcomeRecord(D1, "psfs", 5.5, "walking"),
            OutcomeRecord(D1, "psfs", 0, "running"))  # new activity: not in the comparison
    (c,) = outcome_changes(recs)
    assert (c.first, c.latest, c.meaningful) == (3.5, 5.25, False)  # +1.75 < 2 points
    assert "not yet a meaningful change" in c.text
    (c,) = outcome_changes(recs[:2] + (OutcomeRecord(D1, "psfs", 6, "tying shoes"),
                                       OutcomeRecord(D1, "psfs", 6, "walking")))
    assert c.meaningful and c.text.endswith("from 3.5 to 6/10 — a meaningful change")


def test_one_record_is_no_change() -> None:
    assert outcome_changes((OutcomeRecord(D0, "pain_nrs", 6),)) == []
