"""Web tables, on top of the coach's ``users`` table (its own metadata and migration chain).

::

    users (coach) ─┬─ web_accounts     password hash, role person|coach, folder key for the user's files
                   ├─ web_sessions     browser log-ins (only a hash of the cookie is stored)
                   ├─ web_api_tokens   bearer tokens for scripts (hash only)
                   ├─ web_jobs         uploaded clips waiting for / under / after analysis
                   ├─ web_reports      finished analyses (JSON, HTML, annotated video on disk)
                   ├─ web_shares       person → coach: the coach may read the person's reports and log
                   └─ web_comments     a shared coach's notes on the person's training (or one report)

Every row carries a ``user_id`` with ``ON DELETE CASCADE``: deleting the user row deletes everything. These
tables have their own metadata (not ``backsafe.db.models.Base``) and their own Alembic chain
(``backsafe/web/migrations``, version table ``alembic_version_web``), so the coach's schema is left as it is.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["WebBase", "Account", "WebSession", "ApiToken", "Job", "WebReport", "Share", "Comment", "USER_TABLES",
           "JOB_STATES"]

JOB_STATES = ("queued", "running", "done", "failed")


class WebBase(DeclarativeBase):
    """Declarative base of the web tables."""


# The coach's users table, declared here only so that foreign keys resolve; the coach's migrations own it.
users_stub = Table("users", WebBase.metadata, Column("id", Integer, primary_key=True))

_USER_FK = ForeignKey("users.id", ondelete="CASCADE")


class Account(WebBase):
    __tablename__ = "web_accounts"

    user_id: Mapped[int] = mapped_column(_USER_FK, primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # person | coach
    files_key: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    password_changed_at: Mapped[dt.datetime] = mapped_column(DateTime)


class _UserRow:
    """The first two columns of a table of one user's rows: the row's own id, then the user's (the row goes with
    the user). ``sort_order`` keeps them first, as the migrations made them: a mixin's columns otherwise come last."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True, sort_order=-1)


class WebSession(_UserRow, WebBase):
    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ApiToken(_UserRow, WebBase):
    __tablename__ = "web_api_tokens"

    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Job(WebBase):
    """An uploaded clip and its analysis: queued → running → done | failed (with a reason)."""

    __tablename__ = "web_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    exercise: Mapped[str] = mapped_column(String(64))
    view: Mapped[str | None] = mapped_column(String(16))
    load_kg: Mapped[float | None] = mapped_column(Float)
    tempo: Mapped[str | None] = mapped_column(String(32))
    keep_video: Mapped[bool] = mapped_column(Boolean)
    upload_label: Mapped[str] = mapped_column(String(120))  # the person's file name, shown only, never a path
    upload_file: Mapped[str | None] = mapped_column(String(64))  # server-generated name in the user's folder
    stage: Mapped[str] = mapped_column(String(32))
    progress_done: Mapped[int] = mapped_column(Integer)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    report_public_id: Mapped[str | None] = mapped_column(String(32))
    # one of the same user's reports to judge against (their own good reps); checked at upload and when run
    reference_report_id: Mapped[str | None] = mapped_column(String(32))
    # who to analyse when several people are in frame (options.person_key spelling) and the pose model size, as
    # chosen at upload; None is the default (auto, full), as for jobs queued before they could be chosen
    person: Mapped[str | None] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(8))


class WebReport(WebBase):
    """A finished analysis: summary in the row, files in the user's folder (names made by the server)."""

    __tablename__ = "web_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    job_public_id: Mapped[str | None] = mapped_column(String(32))
    exercise: Mapped[str] = mapped_column(String(64))
    view: Mapped[str | None] = mapped_column(String(16))
    rep_count: Mapped[int] = mapped_column(Integer)
    faults_json: Mapped[str] = mapped_column(Text)
    top_cue: Mapped[str | None] = mapped_column(Text)
    quality: Mapped[str | None] = mapped_column(String(32))
    folder: Mapped[str] = mapped_column(String(64))  # server-generated folder name under the user's folder
    has_annotated: Mapped[bool] = mapped_column(Boolean)
    has_original: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # when the annotated video and the key frames go (None: kept until the report is deleted, or already gone)
    media_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Share(WebBase):
    """``owner`` lets ``coach`` read their reports, training log and plan."""

    __tablename__ = "web_shares"
    __table_args__ = (UniqueConstraint("owner_id", "coach_id", name="uq_web_shares_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Comment(WebBase):
    """A coach's note to a person who shares with them, on their training or on one report."""

    __tablename__ = "web_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    report_public_id: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


#: every web table with a user column, for deletion and the "nothing left" test
USER_TABLES: tuple[tuple[type[WebBase], str], ...] = (
    (Account, "user_id"), (WebSession, "user_id"), (ApiToken, "user_id"), (Job, "user_id"),
    (WebReport, "user_id"), (Share, "owner_id"), (Share, "coach_id"), (Comment, "owner_id"),
    (Comment, "author_id"),
)
