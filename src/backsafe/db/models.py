"""Tables of the training log (SQLAlchemy 2 declarative, typed).

::

    users ─┬─ training_sessions ── exercise_entries ── analysis_reports
           ├─ checkins            (next-morning pain, hours slept)
           ├─ triage_records      (answers + outcome, re-evaluated for each plan date)
           ├─ clearances          (a clinician's clearance: date and the flags it covers)
           └─ outcome_measures    (weekly pain NRS and PSFS activity scores)

The schema itself is created by the Alembic migrations in ``backsafe/migrations``; these classes must match them
(``tests/unit/db/test_migrations.py`` compares the two).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = ["Base", "User", "TrainingSession", "ExerciseEntry", "AnalysisReport", "Checkin", "TriageRecord",
           "Clearance", "OutcomeMeasure", "OUTCOME_KINDS"]

OUTCOME_KINDS = ("pain_nrs", "psfs")


class Base(DeclarativeBase):
    """Declarative base of every backsafe table."""


class User(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("name", name="uq_users_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    wake_time: Mapped[str | None] = mapped_column(String(5))  # "HH:MM"
    age_years: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # Profile (§4 units and equipment): loads are stored in kg and shown in ``unit``.
    unit: Mapped[str | None] = mapped_column(String(2))  # None: not chosen yet (kg shown)
    body_mass_kg: Mapped[float | None] = mapped_column(Float)
    sex: Mapped[str | None] = mapped_column(String(6))  # female | male
    default_tempo: Mapped[str | None] = mapped_column(String(16))  # "3-1-2-0"
    equipment_json: Mapped[str | None] = mapped_column(Text)  # {"dumbbell": [kg, ...], ...}


class TrainingSession(Base):
    """One training day of one user: whether a warm-up was done before the working sets."""

    __tablename__ = "training_sessions"
    __table_args__ = (UniqueConstraint("user_id", "date", name="uq_training_sessions_user_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    warmup: Mapped[bool | None] = mapped_column(Boolean)  # None = not recorded
    notes: Mapped[str | None] = mapped_column(Text)

    entries: Mapped[list[ExerciseEntry]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="ExerciseEntry.position"
    )


class ExerciseEntry(Base):
    """One exercise in a session: load, sets x reps, effort and pain scores (NRS 0-10)."""

    __tablename__ = "exercise_entries"
    __table_args__ = (
        CheckConstraint("load_kg >= 0 AND load_kg <= 500", name="ck_entries_load"),
        CheckConstraint("sets >= 1 AND sets <= 20", name="ck_entries_sets"),
        CheckConstraint("reps >= 1 AND reps <= 300", name="ck_entries_reps"),
        CheckConstraint("rpe IS NULL OR (rpe >= 1 AND rpe <= 10)", name="ck_entries_rpe"),
        CheckConstraint("pain_before IS NULL OR (pain_before >= 0 AND pain_before <= 10)", name="ck_entries_pb"),
        CheckConstraint("pain_during IS NULL OR (pain_during >= 0 AND pain_during <= 10)", name="ck_entries_pd"),
        CheckConstraint("pain_after IS NULL OR (pain_after >= 0 AND pain_after <= 10)", name="ck_entries_pa"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    exercise: Mapped[str] = mapped_column(String(64))
    load_kg: Mapped[float] = mapped_column(Float)
    sets: Mapped[int] = mapped_column(Integer)
    reps: Mapped[int] = mapped_column(Integer)
    rpe: Mapped[float | None] = mapped_column(Float)
    pain_before: Mapped[int | None] = mapped_column(Integer)
    pain_during: Mapped[int | None] = mapped_column(Integer)
    pain_after: Mapped[int | None] = mapped_column(Integer)
    warmup: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

    session: Mapped[TrainingSession] = relationship(back_populates="entries")
    reports: Mapped[list[AnalysisReport]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="AnalysisReport.id"
    )


class AnalysisReport(Base):
    """A video analysis report linked to a log entry: its path and fault counts (for warm-up choice, trends)."""

    __tablename__ = "analysis_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("exercise_entries.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(Text)
    rep_count: Mapped[int | None] = mapped_column(Integer)
    faults_json: Mapped[str] = mapped_column(Text)  # {"back_rounding": 3, ...}

    entry: Mapped[ExerciseEntry] = relationship(back_populates="reports")


class Checkin(Base):
    """Next-morning pain (NRS 0-10) and the hours slept the night before (§8), one per user and day."""

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("user_id", "date", name="uq_checkins_user_date"),
        CheckConstraint("pain >= 0 AND pain <= 10", name="ck_checkins_pain"),
        CheckConstraint("sleep_hours IS NULL OR (sleep_hours >= 0 AND sleep_hours <= 24)", name="ck_checkins_sleep"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    pain: Mapped[int] = mapped_column(Integer)
    sleep_hours: Mapped[float | None] = mapped_column(Float)


class TriageRecord(Base):
    """A triage questionnaire as answered on a date (answers as JSON) and the outcome it gave then."""

    __tablename__ = "triage_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(16))
    answers_json: Mapped[str] = mapped_column(Text)


class Clearance(Base):
    """A clinician's clearance as the person reported it (§1 State): its date and the triage flags it covers."""

    __tablename__ = "clearances"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    flags_json: Mapped[str] = mapped_column(Text)  # ["fever", ...]
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class OutcomeMeasure(Base):
    """A weekly outcome measure (§4 Outcome measures): the week's pain NRS, or one PSFS activity's score (0-10).

    One pain_nrs row per user and date; one psfs row per user, date and activity (partial unique indexes: both
    SQLite and PostgreSQL support ``WHERE`` on an index).
    """

    __tablename__ = "outcome_measures"
    __table_args__ = (
        CheckConstraint("kind IN ('pain_nrs', 'psfs')", name="ck_outcomes_kind"),
        CheckConstraint("score >= 0 AND score <= 10", name="ck_outcomes_score"),
        CheckConstraint("(kind = 'psfs') = (activity IS NOT NULL)", name="ck_outcomes_activity"),
        Index("uq_outcomes_nrs", "user_id", "date", unique=True, sqlite_where=text("kind = 'pain_nrs'"),
              postgresql_where=text("kind = 'pain_nrs'")),
        Index("uq_outcomes_psfs", "user_id", "date", "activity", unique=True, sqlite_where=text("kind = 'psfs'"),
              postgresql_where=text("kind = 'psfs'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    activity: Mapped[str | None] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
