"""The training log: entries written, listed, edited and deleted by their owner; names shown to people."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from sqlalchemy.orm import Session
from ...coach.logbook import LogBook
from ...coach.units import parse_load
from ...db.engine import Database
from ...exercises import get_exercise
from .. import crud
from ..deps import CurrentUser
from ..errors import NotFound
from ..models import Job
from ..storage import Storage
from .uploads import _is_public_id


class LogEntryFields(TypedDict):
    """One of the user's log entries as the edit form and the pages read it (:func:`get_log_entry`)."""

    id: int
    date: dt.date
    exercise: str
    load_kg: float
    sets: int
    reps: int
    rpe: float | None
    pain_before: int | None
    pain_during: int | None
    pain_after: int | None
    warmup: bool | None


class LogRow(LogEntryFields):
    """A row of the log list (:func:`log_rows`): an entry with its place in its day."""

    position: int


def logbook(db: Database, user_name: str) -> LogBook:
    return LogBook(db, user_name)


def log_entry(db: Database, storage: Storage, user: CurrentUser, data: dict[str, Any]) -> Any:
    """Log one exercise; a linked report (one of the user's own) counts its faults for the coach. The load is
    ``load_kg`` (kg) or ``load`` as typed ("30lb", "13.6kg", a number in the person's unit; COACHING_RULES §4
    units), checked by the coach (plausibility included)."""
    report_path = None
    rid = data.pop("report_id", None)
    if rid:
        with db.session() as s:
            rep = crud.get_report(s, user.id, str(rid))
            if rep is None:
                raise NotFound("report not found")
            report_path = storage.report_dir(user.files_key, rep.folder) / "report.json"
    day = data.pop("date", None) or dt.date.today()
    if data.get("load") is None:
        data.pop("load", None)
    return logbook(db, user.name).log(date=day, report=report_path, **data)


def log_rows(db: Database, user_name: str, limit: int = 50) -> list[LogRow]:
    """The user's log entries, newest first, each with its id (for edit and delete)."""
    from ...db import crud as core

    with db.session() as s:
        u = core.get_user(s, user_name)
        if u is None:
            return []
        rows = list(core.list_entries(s, u.id))[::-1][:limit]
        return [{"id": e.id, "date": e.session.date, "position": e.position, "exercise": e.exercise,
                 "load_kg": e.load_kg, "sets": e.sets, "reps": e.reps, "rpe": e.rpe, "pain_before": e.pain_before,
                 "pain_during": e.pain_during, "pain_after": e.pain_after, "warmup": e.warmup} for e in rows]


def _own_entry(s: Session, user_name: str, entry_id: int) -> Any:
    from ...db import crud as core
    from ...db.models import ExerciseEntry

    u = core.get_user(s, user_name)
    e = s.get(ExerciseEntry, entry_id) if u is not None else None
    if e is None or u is None or e.user_id != u.id:
        raise NotFound("log entry not found")
    return e


def own_log_entry(db: Database, user: CurrentUser, entry_id: int) -> int:
    """A route dependency: the entry is the caller's own, else 404 before the body is even read."""
    with db.session() as s:
        _own_entry(s, user.name, entry_id)
    return entry_id


def get_log_entry(db: Database, user_name: str, entry_id: int) -> LogEntryFields:
    with db.session() as s:
        e = _own_entry(s, user_name, entry_id)
        return {"id": e.id, "date": e.session.date, "exercise": e.exercise, "load_kg": e.load_kg, "sets": e.sets,
                "reps": e.reps, "rpe": e.rpe, "pain_before": e.pain_before, "pain_during": e.pain_during,
                "pain_after": e.pain_after, "warmup": e.warmup}


def edit_log_entry(db: Database, user_name: str, entry_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Change one of the user's own log entries: the same checks as logging it (coach.logbook), the same place in
    its day; a new date moves it to the end of that day."""
    from ...coach.logbook import check_date, validate_entry_values
    from ...coach.units import check_plausible
    from ...db import crud as core

    ex = get_exercise(str(data["exercise"]))
    day = data.get("date") or dt.date.today()
    check_date(day)
    book = logbook(db, user_name)
    unit = book.profile().unit
    load = data.get("load")
    kg = parse_load(str(load), unit) if load not in (None, "") else float(data.get("load_kg") or 0.0)
    fields = {k: data.get(k) for k in ("sets", "reps", "rpe", "pain_before", "pain_during", "pain_after")}
    validate_entry_values(load_kg=kg, sets=int(fields["sets"] or 0), reps=int(fields["reps"] or 0),
                          rpe=fields["rpe"], pain_before=fields["pain_before"], pain_during=fields["pain_during"],
                          pain_after=fields["pain_after"])
    check_plausible(ex, float(kg), unit)
    with db.session() as s:
        e = _own_entry(s, user_name, entry_id)
        old_session = e.session
        if day != old_session.date:  # moved to another day: the end of that day, its linked report kept
            target = core._get_or_create_session(s, e.user_id, day)
            e.position = 1 + max((x.position for x in target.entries), default=-1)
            e.session_id = target.id
            s.flush()
            s.expire(e, ["session"])
            _drop_empty_session(s, old_session)
            old_session = target
        e.exercise, e.load_kg, e.warmup = ex.id, round(kg, 3), data.get("warmup")
        for k, v in fields.items():
            setattr(e, k, v)
        if data.get("warmup") is True:
            old_session.warmup = True
        return {"id": e.id}


def delete_log_entry(db: Database, user_name: str, entry_id: int) -> None:
    """Delete one of the user's own log entries (and its day when it was the day's last)."""
    with db.session() as s:
        e = _own_entry(s, user_name, entry_id)
        ts = e.session
        s.delete(e)
        s.flush()
        _drop_empty_session(s, ts)


def _drop_empty_session(s: Session, ts: Any) -> None:
    s.refresh(ts)
    if not ts.entries:
        s.delete(ts)


def report_exercise(db: Database, user_id: int, report_id: str) -> str | None:
    """The exercise of one of the user's own reports as chosen at upload (else as the report names it), to carry
    it into the log form with the upload's load."""
    from sqlalchemy import select

    if not _is_public_id(report_id):
        return None
    with db.session() as s:
        chosen = s.scalars(select(Job.exercise).where(Job.user_id == user_id, Job.report_public_id == report_id)
                           ).first()
        rep = crud.get_report(s, user_id, report_id)
        return chosen or (rep.exercise if rep is not None else None)


def exercise_name(ex_id: str) -> str:
    """The exercise's name for people (§9: names, not ids); the id made readable if the library lost it."""
    try:
        return get_exercise(ex_id).name
    except Exception:  # noqa: BLE001 - an entry of an exercise no longer in the library still shows
        return ex_id.replace("_", " ")


def person_text(text: str) -> str:
    """Coach text as read on the web: without the terminal's code quotes (the coach's texts name no commands)."""
    return text.replace("`", "")
