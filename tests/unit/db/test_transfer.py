"""Export → import round-trips the whole log exactly (JSON and CSV), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from backsafe.coach.logbook import LogBook, open_logbook
from backsafe.coach.transfer import export_log, from_csv, import_log, to_csv
from backsafe.coach.triage import TriageAnswers
from backsafe.errors import InputError, ValueRangeError

TODAY = dt.date(2026, 11, 25)


def _fill(book: LogBook, tmp_path: Path) -> None:
    rep = tmp_path / "report.json"
    rep.write_text(json.dumps({"exercise": "goblet_squat", "rep_count": 8,
                               "summary": {"faults": {"back_rounding": 2, "knee_valgus": 1}}}))
    d = dt.date(2026, 10, 1)
    book.set_profile(wake_time="06:30", age_years=41, unit="lb", body_mass_kg=72.5, sex="male",
                     default_tempo="3-1-2-0", equipment={"dumbbell": [5, 10, 15, 20], "kettlebell": ["8kg", "16kg"]})
    book.triage(TriageAnswers(frozenset({"poor_sleep"}), injury_date=dt.date(2026, 9, 28)), date=d, today=TODAY)
    book.triage(TriageAnswers(frozenset({"fever"})), date=d + dt.timedelta(days=1), today=TODAY)
    book.triage(TriageAnswers(frozenset(), clinician_cleared=True), date=d + dt.timedelta(days=3), today=TODAY)
    book.outcome(date=d, pain_week=6, psfs={"tying shoes": 3, "walking, 30 min": 4.5}, today=TODAY)
    book.outcome(date=d + dt.timedelta(days=7), pain_week=4, psfs={"tying shoes": 5}, today=TODAY)
    for i in range(6):
        day = d + dt.timedelta(days=2 * i)
        book.log(date=day, exercise="squat", load_kg=0, sets=3, reps=10, rpe=6.5, pain_before=1, warmup=i != 2,
                 today=TODAY)
        book.log(date=day, exercise="goblet_squat", load_kg=12.5 + i, sets=3, reps=8, pain_during=i % 3,
                 pain_after=None, report=rep if i == 3 else None, today=TODAY)
        book.checkin(date=day + dt.timedelta(days=1), pain=i % 4, sleep_hours=None if i == 1 else 5.5 + i / 2,
                     today=TODAY)


def test_json_round_trip(db_url: str, tmp_path: Path) -> None:
    src = open_logbook(db_url, "alice")
    try:
        _fill(src, tmp_path)
        doc = export_log(src)
        assert doc["version"] == 2
        assert len(doc["clearances"]) == 1 and "fever" in doc["clearances"][0]["flags"]
        assert len(doc["outcomes"]) == 5 and doc["user"]["unit"] == "lb" and doc["user"]["equipment"]["kettlebell"] \
            == [8.0, 16.0]
        assert [c["sleep_hours"] for c in doc["checkins"]][:3] == [5.5, None, 6.5]
        text = json.dumps(doc)
        dst = LogBook(src.db, "bob")
        import_log(dst, json.loads(text))
        again = export_log(dst)
        again["user"]["name"] = "alice"
        assert again == doc
        assert dst.history() == src.history()
        assert dst.counts() == src.counts()
    finally:
        src.db.dispose()


@pytest.fixture
def filled(book: LogBook, tmp_path: Path) -> LogBook:
    """The default user's log with a bit of everything (:func:`_fill`)."""
    _fill(book, tmp_path)
    return book


def test_csv_round_trip(filled: LogBook, tmp_path: Path) -> None:
    doc = export_log(filled)
    csv_text = to_csv(doc)
    assert from_csv(csv_text) == doc
    other = open_logbook(f"sqlite:///{tmp_path / 'other.db'}")
    import_log(other, from_csv(csv_text))
    assert export_log(other) == doc
    assert to_csv(export_log(other)) == csv_text
    other.db.dispose()


def test_import_refuses_non_empty_log_unless_replace(filled: LogBook) -> None:
    doc = export_log(filled)
    with pytest.raises(InputError, match="not empty"):
        import_log(filled, doc)
    import_log(filled, doc, replace=True)
    assert export_log(filled) == doc


def test_bad_import_leaves_log_unchanged(filled: LogBook) -> None:
    """Each bad file is refused as a whole: the log keeps every record it had."""
    doc = export_log(filled)
    before = filled.counts()
    for mutate, error, match in (
        (lambda d: d["sessions"][-1]["entries"][0].update(load_kg=-3), ValueRangeError, "negative"),
        (lambda d: d["sessions"][-1]["entries"][0].pop("created_at"), InputError, "malformed"),
        (lambda d: d["outcomes"][0].update(score=11), InputError, "0-10"),
        (lambda d: d["outcomes"][1].update(activity=None), InputError, "pain_nrs"),
        (lambda d: d["clearances"][0].update(flags=["no_such_flag"]), InputError, "unknown triage flag"),
        (lambda d: d["checkins"][0].update(sleep_hours=30), InputError, "0-24"),
        (lambda d: d["user"].update(unit="stone"), InputError, "kg or lb"),
        (lambda d: d["user"].update(equipment={"sandbag": [10]}), InputError, "equipment"),
    ):
        bad = json.loads(json.dumps(doc))
        mutate(bad)
        with pytest.raises(error, match=match):
            import_log(filled, bad, replace=True)
    with pytest.raises(InputError, match="not a backsafe log export"):
        import_log(filled, {"hello": 1}, replace=True)
    assert filled.counts() == before
    assert export_log(filled) == doc


def test_version_1_export_still_imports(book: LogBook) -> None:
    """A file written before the profile, sleep, clearances and outcomes existed imports with their defaults."""
    v1 = {"format": "backsafe-log", "version": 1, "user": {"name": "local", "wake_time": "06:45", "age_years": 50},
          "sessions": [{"date": "2026-10-01", "warmup": True, "notes": None, "entries": [
              {"position": 0, "exercise": "goblet_squat", "load_kg": 12.0, "sets": 3, "reps": 10, "rpe": 7.0,
               "pain_before": 1, "pain_during": 2, "pain_after": None, "warmup": True,
               "created_at": "2026-10-01T08:00:00", "reports": []}]}],
          "checkins": [{"date": "2026-10-02", "pain": 1}],
          "triage": [{"date": "2026-10-01", "outcome": "proceed", "answers": {"flags": []}}]}
    import_log(book, v1)
    doc = export_log(book)
    assert doc["version"] == 2 and doc["clearances"] == [] and doc["outcomes"] == []
    assert doc["user"]["unit"] is None and doc["user"]["wake_time"] == "06:45"  # version 1 had no unit
    assert doc["checkins"] == [{"date": "2026-10-02", "pain": 1, "sleep_hours": None}]
    assert doc["sessions"][0]["entries"][0]["load_kg"] == 12.0
    # a version-1 CSV has only the first 23 columns
    v1_csv = "".join(",".join(line.split(",")[:23]) + "\n" for line in to_csv(doc).splitlines())
    assert "sleep_hours" not in v1_csv
    again = from_csv(v1_csv)
    assert again["user"]["wake_time"] == "06:45" and again["checkins"] == doc["checkins"]
    with pytest.raises(InputError, match="version 3 not supported"):
        import_log(book, {**v1, "version": 3}, replace=True)
