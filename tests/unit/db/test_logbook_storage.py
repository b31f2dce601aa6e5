"""The training log on SQLite and PostgreSQL: writes, reads, user isolation, bad input leaves the log unchanged."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from backsafe.coach.logbook import LogBook, open_logbook
from backsafe.coach.triage import TriageAnswers
from backsafe.db import DatabaseURLError, open_database
from backsafe.errors import InputError, StorageError, UnknownExerciseError, ValueRangeError

TODAY = dt.date(2026, 11, 25)
D = dt.date(2026, 11, 20)


def _log(book: LogBook, **kw):
    args = dict(date=D, exercise="goblet_squat", load_kg=12, sets=3, reps=10, rpe=7, pain_before=1, pain_during=2,
                pain_after=3, warmup=True, today=TODAY)
    args.update(kw)
    return book.log(**args)


def test_log_and_read_back(book: LogBook) -> None:
    res = _log(book)
    assert res.exercise == "goblet_squat"
    book.checkin(date=D + dt.timedelta(days=1), pain=2, today=TODAY)
    book.checkin(date=D + dt.timedelta(days=1), pain=1, today=TODAY)  # upsert
    hist = book.history()
    (e,) = hist.entries
    assert (e.date, e.load_kg, e.sets, e.reps, e.rpe, e.pain_before, e.pain_during, e.pain_after, e.warmup) == (
        D, 12.0, 3, 10, 7.0, 1, 2, 3, True)
    assert hist.checkins == {D + dt.timedelta(days=1): 1}
    assert book.counts() == {"sessions": 1, "entries": 1, "reports": 0, "checkins": 1, "triage": 0, "clearances": 0,
                             "outcomes": 0}


def test_log_links_report_faults(book: LogBook, tmp_path: Path) -> None:
    rep = tmp_path / "report.json"
    rep.write_text(json.dumps({"schema_version": "1", "exercise": "goblet_squat", "rep_count": 8, "reps": [],
                               "summary": {"faults": {"knee_valgus": 3}, "top_cue": "", "quality": "ok"}}))
    _log(book, report=rep)
    assert book.history().entries[0].faults == {"knee_valgus": 3}


def test_users_are_isolated(db_url: str) -> None:
    alice = open_logbook(db_url, "alice")
    bob = LogBook(alice.db, "bob")
    try:
        _log(alice)
        assert len(alice.history().entries) == 1
        assert bob.history().entries == ()
        assert bob.counts()["entries"] == 0
    finally:
        alice.db.dispose()


def test_triage_is_stored(book: LogBook) -> None:
    r = book.triage(TriageAnswers(frozenset({"fever"})), date=D, today=TODAY)
    assert r.outcome == "urgent"  # §1: fever with back pain = possible infection, same day
    (t,) = book.history().triage
    assert t.outcome == "urgent" and t.answers["flags"] == ["fever"]


@pytest.mark.parametrize(
    ("kw", "exc", "match"),
    [
        ({"load_kg": -5}, ValueRangeError, "negative"),
        ({"load_kg": 501}, ValueRangeError, "above 500"),
        ({"pain_during": 11}, ValueRangeError, "0-10"),
        ({"pain_after": -1}, ValueRangeError, "0-10"),
        ({"rpe": 11}, ValueRangeError, "RPE"),
        ({"sets": 0}, ValueRangeError, "sets"),
        ({"exercise": "goblet_sqaut"}, UnknownExerciseError, "did you mean goblet_squat"),
        ({"date": TODAY + dt.timedelta(days=1)}, ValueRangeError, "in the future"),
    ],
)
def test_bad_input_leaves_log_unchanged(book: LogBook, kw: dict, exc: type, match: str) -> None:
    _log(book)
    before = book.counts()
    with pytest.raises(exc, match=match):
        _log(book, **kw)
    assert book.counts() == before


def test_bad_checkin_and_report_leave_log_unchanged(book: LogBook, tmp_path: Path) -> None:
    before = book.counts()
    with pytest.raises(ValueRangeError, match="0-10"):
        book.checkin(date=D, pain=11, today=TODAY)
    with pytest.raises(ValueRangeError, match="future"):
        book.checkin(date=TODAY + dt.timedelta(days=3), pain=2, today=TODAY)
    bad = tmp_path / "r.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="not a readable JSON report"):
        _log(book, report=bad)
    other = tmp_path / "o.json"
    other.write_text(json.dumps({"exercise": "deadlift", "summary": {"faults": {}}}))
    with pytest.raises(InputError, match="not 'goblet_squat'"):
        _log(book, report=other)
    assert book.counts() == before


def test_write_is_transactional(book: LogBook, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure after the entry row is flushed (while linking the report) rolls the whole entry back."""
    from backsafe.db import crud

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(crud, "add_report", boom)
    import backsafe.coach.logbook as lbmod

    monkeypatch.setattr(lbmod, "read_report_faults", lambda p: ("goblet_squat", 5, {}))
    with pytest.raises(RuntimeError):
        _log(book, report=Path("x.json"))
    assert book.counts()["entries"] == 0 and book.counts()["sessions"] == 0


@pytest.mark.parametrize("url", ["nosuchdb://x/y", "::::", "mysql://u@h/db"])
def test_broken_database_url(url: str) -> None:
    with pytest.raises(DatabaseURLError, match="database URL"):
        open_database(url)


def test_unreachable_database_paths(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="does not exist"):
        open_database(f"sqlite:///{blocker / 'sub' / 'log.db'}")
    with pytest.raises(StorageError, match="is not a folder"):
        open_database(f"sqlite:///{blocker / 'log.db'}")
    with pytest.raises(StorageError, match="cannot connect"):
        open_database("postgresql://nobody@127.0.0.1:1/nothing")
    notdb = tmp_path / "notdb.sqlite3"
    notdb.write_bytes(b"this is not a sqlite file" * 100)
    with pytest.raises(StorageError, match="not a SQLite database|database error"):
        open_database(f"sqlite:///{notdb}")


def test_locked_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    book = open_logbook(f"sqlite:///{path}", busy_timeout_s=0.2)
    try:
        _log(book)
        before = book.counts()
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StorageError, match="locked by another program"):
                _log(book, date=D + dt.timedelta(days=1))
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert book.counts() == before
    finally:
        book.db.dispose()


def test_default_url_from_env_and_platformdirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from backsafe.db import default_database_url, resolve_database_url

    monkeypatch.delenv("BACKSAFE_DATABASE_URL", raising=False)
    assert resolve_database_url(None) == default_database_url()
    assert default_database_url().startswith("sqlite:///") and "backsafe" in default_database_url()
    monkeypatch.setenv("BACKSAFE_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert resolve_database_url(None).endswith("env.db")
    assert resolve_database_url("sqlite:///x.db") == "sqlite:///x.db"
