"""Create/read/delete helpers for the training log. Every query filters by ``user_id``.

Functions take an open :class:`sqlalchemy.orm.Session` (from :meth:`Database.session`, which commits or rolls back
as one transaction) and never commit themselves.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from .models import (
    AnalysisReport,
    Checkin,
    Clearance,
    ExerciseEntry,
    OutcomeMeasure,
    TrainingSession,
    TriageRecord,
    User,
)

__all__ = [
    "DEFAULT_USER",
    "get_or_create_user",
    "get_user",
    "add_entry",
    "add_report",
    "upsert_checkin",
    "add_triage",
    "list_sessions",
    "list_entries",
    "list_checkins",
    "list_triage",
    "add_clearance",
    "list_clearances",
    "upsert_outcome",
    "list_outcomes",
    "set_profile_fields",
    "count_log_rows",
    "delete_log",
]

DEFAULT_USER = "local"


def utcnow() -> dt.datetime:
    """Naive UTC now, to the second (stored identically by SQLite and PostgreSQL)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def get_user(s: Session, name: str) -> User | None:
    return s.scalars(select(User).where(User.name == name)).one_or_none()


def get_or_create_user(s: Session, name: str = DEFAULT_USER) -> User:
    user = get_user(s, name)
    if user is None:
        user = User(name=name, created_at=utcnow())
        s.add(user)
        s.flush()
    return user


def _get_or_create_session(s: Session, user_id: int, date: dt.date) -> TrainingSession:
    ts = s.scalars(
        select(TrainingSession).where(TrainingSession.user_id == user_id, TrainingSession.date == date)
    ).one_or_none()
    if ts is None:
        ts = TrainingSession(user_id=user_id, date=date, warmup=None)
        s.add(ts)
        s.flush()
    return ts


def add_entry(
    s: Session,
    user_id: int,
    *,
    date: dt.date,
    exercise: str,
    load_kg: float,
    sets: int,
    reps: int,
    rpe: float | None = None,
    pain_before: int | None = None,
    pain_during: int | None = None,
    pain_after: int | None = None,
    warmup: bool | None = None,
    created_at: dt.datetime | None = None,
    position: int | None = None,
) -> ExerciseEntry:
    """Append an exercise entry to the user's session on ``date`` (created if needed).

    ``warmup=True`` marks the session as warmed up; ``False`` records "no warm-up" unless one was already logged.
    """
    ts = _get_or_create_session(s, user_id, date)
    if warmup is True or (warmup is False and ts.warmup is None):
        ts.warmup = warmup
    if position is None:
        last = s.scalar(
            select(func.max(ExerciseEntry.position)).where(
                ExerciseEntry.session_id == ts.id, ExerciseEntry.user_id == user_id
            )
        )
        position = 0 if last is None else int(last) + 1
    entry = ExerciseEntry(
        user_id=user_id,
        session_id=ts.id,
        position=position,
        exercise=exercise,
        load_kg=float(load_kg),
        sets=sets,
        reps=reps,
        rpe=rpe,
        pain_before=pain_before,
        pain_during=pain_during,
        pain_after=pain_after,
        warmup=warmup,
        created_at=created_at or utcnow(),
    )
    s.add(entry)
    s.flush()
    return entry


def add_report(
    s: Session, user_id: int, entry: ExerciseEntry, *, path: str, rep_count: int | None, faults: Mapping[str, int]
) -> AnalysisReport:
    if entry.user_id != user_id:
        raise ValueError("entry belongs to another user")
    rep = AnalysisReport(
        user_id=user_id,
        entry_id=entry.id,
        path=path,
        rep_count=rep_count,
        faults_json=json.dumps(dict(sorted(faults.items())), sort_keys=True),
    )
    s.add(rep)
    s.flush()
    return rep


def upsert_checkin(s: Session, user_id: int, date: dt.date, pain: int, sleep_hours: float | None = None) -> Checkin:
    """The check-in of ``date`` (replaced when there is one; a re-check-in without sleep keeps the sleep given)."""
    c = s.scalars(select(Checkin).where(Checkin.user_id == user_id, Checkin.date == date)).one_or_none()
    if c is None:
        c = Checkin(user_id=user_id, date=date, pain=pain, sleep_hours=sleep_hours)
        s.add(c)
    else:
        c.pain = pain
        if sleep_hours is not None:
            c.sleep_hours = sleep_hours
    s.flush()
    return c


def add_triage(s: Session, user_id: int, date: dt.date, outcome: str, answers: Mapping[str, Any]) -> TriageRecord:
    rec = TriageRecord(user_id=user_id, date=date, outcome=outcome, answers_json=json.dumps(answers, sort_keys=True))
    s.add(rec)
    s.flush()
    return rec


def add_clearance(s: Session, user_id: int, date: dt.date, flags: Sequence[str], note: str | None = None,
                  created_at: dt.datetime | None = None) -> Clearance:
    """Store a clinician's clearance (§1 State): its date and the triage flags it covers."""
    rec = Clearance(user_id=user_id, date=date, flags_json=json.dumps(sorted(set(flags))), note=note,
                    created_at=created_at or utcnow())
    s.add(rec)
    s.flush()
    return rec


def list_clearances(s: Session, user_id: int) -> Sequence[Clearance]:
    return s.scalars(
        select(Clearance).where(Clearance.user_id == user_id).order_by(Clearance.date, Clearance.id)
    ).all()


def upsert_outcome(s: Session, user_id: int, date: dt.date, kind: str, score: float,
                   activity: str | None = None) -> OutcomeMeasure:
    """The pain NRS of ``date``, or the PSFS score of ``activity`` on ``date`` (replaced when there is one)."""
    q = select(OutcomeMeasure).where(OutcomeMeasure.user_id == user_id, OutcomeMeasure.date == date,
                                     OutcomeMeasure.kind == kind)
    q = q.where(OutcomeMeasure.activity.is_(None) if activity is None else OutcomeMeasure.activity == activity)
    rec = s.scalars(q).one_or_none()
    if rec is None:
        rec = OutcomeMeasure(user_id=user_id, date=date, kind=kind, activity=activity, score=float(score))
        s.add(rec)
    else:
        rec.score = float(score)
    s.flush()
    return rec


def list_outcomes(s: Session, user_id: int) -> Sequence[OutcomeMeasure]:
    return s.scalars(
        select(OutcomeMeasure)
        .where(OutcomeMeasure.user_id == user_id)
        .order_by(OutcomeMeasure.date, OutcomeMeasure.kind, OutcomeMeasure.activity, OutcomeMeasure.id)
    ).all()


_PROFILE_FIELDS = frozenset({"wake_time", "age_years", "unit", "body_mass_kg", "sex", "default_tempo",
                             "equipment_json"})


def set_profile_fields(s: Session, user: User, **fields: Any) -> User:
    """Set profile columns of ``user`` (values already validated; ``None`` clears a nullable field)."""
    unknown = sorted(set(fields) - _PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {unknown}")
    for k, v in fields.items():
        setattr(user, k, v)
    s.flush()
    return user


def list_sessions(s: Session, user_id: int, *, until: dt.date | None = None) -> Sequence[TrainingSession]:
    q = (
        select(TrainingSession)
        .where(TrainingSession.user_id == user_id)
        .options(selectinload(TrainingSession.entries).selectinload(ExerciseEntry.reports))
        .order_by(TrainingSession.date)
    )
    if until is not None:
        q = q.where(TrainingSession.date <= until)
    return s.scalars(q).all()


def list_entries(s: Session, user_id: int, *, exercise: str | None = None) -> Sequence[ExerciseEntry]:
    q = (
        select(ExerciseEntry)
        .join(TrainingSession, ExerciseEntry.session_id == TrainingSession.id)
        .where(ExerciseEntry.user_id == user_id, TrainingSession.user_id == user_id)
        .order_by(TrainingSession.date, ExerciseEntry.position)
    )
    if exercise is not None:
        q = q.where(ExerciseEntry.exercise == exercise)
    return s.scalars(q).all()


def list_checkins(s: Session, user_id: int) -> Sequence[Checkin]:
    return s.scalars(select(Checkin).where(Checkin.user_id == user_id).order_by(Checkin.date)).all()


def list_triage(s: Session, user_id: int) -> Sequence[TriageRecord]:
    return s.scalars(
        select(TriageRecord).where(TriageRecord.user_id == user_id).order_by(TriageRecord.date, TriageRecord.id)
    ).all()


def count_log_rows(s: Session, user_id: int) -> dict[str, int]:
    """Row counts per table for one user (tests use it to prove a failed write changed nothing)."""
    out: dict[str, int] = {}
    for name, model in (
        ("sessions", TrainingSession),
        ("entries", ExerciseEntry),
        ("reports", AnalysisReport),
        ("checkins", Checkin),
        ("triage", TriageRecord),
        ("clearances", Clearance),
        ("outcomes", OutcomeMeasure),
    ):
        out[name] = int(s.scalar(select(func.count()).select_from(model).where(model.user_id == user_id)) or 0)
    return out


def delete_log(s: Session, user_id: int) -> None:
    """Delete every log row of one user (the user row stays)."""
    for model in (AnalysisReport, ExerciseEntry, TrainingSession, Checkin, TriageRecord, Clearance, OutcomeMeasure):
        s.execute(delete(model).where(model.user_id == user_id))
