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
    book.set_profile(wake_time="06:30", age_years=41)
    book.triage(TriageAnswers(frozenset({"poor_sleep"}), injury_date=dt.date(2026, 9, 28)), date=d, today=TODAY)
    for i in range(6):
        day = d + dt.timedelta(days=2 * i)
        book.log(date=day, exercise="squat", load_kg=0, sets=3, reps=10, rpe=6.5, pain_before=1, warmup=i != 2,
                 today=TODAY)
        book.log(date=day, exercise="goblet_squat", load_kg=12.5 + i, sets=3, reps=8, pain_during=i % 3,
                 pain_after=None, report=rep if i == 3 else None, today=TODAY)
        book.checkin(date=day + dt.timedelta(days=1), pain=i % 4, today=TODAY)


def test_json_round_trip(db_url: str, tmp_path: Path) -> None:
    src = open_logbook(db_url, "alice")
    try:
        _fill(src, tmp_path)
        doc = export_log(src)
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


def test_csv_round_trip(db_url: str, tmp_path: Path) -> None:
    src = open_logbook(db_url)
    try:
        _fill(src, tmp_path)
        doc = export_log(src)
        csv_text = to_csv(doc)
        assert from_csv(csv_text) == doc
        other = open_logbook(f"sqlite:///{tmp_path / 'other.db'}")
        import_log(other, from_csv(csv_text))
        assert export_log(other) == doc
        assert to_csv(export_log(other)) == csv_text
        other.db.dispose()
    finally:
        src.db.dispose()


def test_import_refuses_non_empty_log_unless_replace(db_url: str, tmp_path: Path) -> None:
    book = open_logbook(db_url)
    try:
        _fill(book, tmp_path)
        doc = export_log(book)
        with pytest.raises(InputError, match="not empty"):
            import_log(book, doc)
        import_log(book, doc, replace=True)
        assert export_log(book) == doc
    finally:
        book.db.dispose()


def test_bad_import_leaves_log_unchanged(db_url: str, tmp_path: Path) -> None:
    book = open_logbook(db_url)
    try:
        _fill(book, tmp_path)
        doc = export_log(book)
        before = book.counts()
        broken = json.loads(json.dumps(doc))
        broken["sessions"][-1]["entries"][0]["load_kg"] = -3
        with pytest.raises(ValueRangeError, match="negative"):
            import_log(book, broken, replace=True)
        missing = json.loads(json.dumps(doc))
        del missing["sessions"][-1]["entries"][0]["created_at"]
        with pytest.raises(InputError, match="malformed"):
            import_log(book, missing, replace=True)
        with pytest.raises(InputError, match="not a backsafe log export"):
            import_log(book, {"hello": 1}, replace=True)
        assert book.counts() == before
        assert export_log(book) == doc
    finally:
        book.db.dispose()
