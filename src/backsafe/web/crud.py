"""Create/read/delete for the web tables. Every read of a person's data filters by the user id it is given;
functions take an open Session (``Database.session()``) and never commit."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ..db import crud as core
from ..db.models import AnalysisReport, Checkin, ExerciseEntry, TrainingSession, TriageRecord, User
from .models import USER_TABLES, Account, ApiToken, Comment, Job, Share, WebReport, WebSession

__all__ = ["utcnow", "new_id", "create_account", "find_account", "get_account", "create_session", "session_user",
           "delete_session", "delete_user_sessions", "create_api_token", "token_user", "list_api_tokens",
           "delete_api_token", "create_job", "get_job", "list_jobs", "claim_next_job", "update_job", "requeue_stale",
           "create_report", "get_report", "list_reports", "add_share", "remove_share", "list_shares",
           "list_shared_with", "is_shared", "delete_user_everything", "count_user_rows",
           "update_running_job", "count_open_jobs", "expired_media", "add_comment", "list_comments"]


def utcnow() -> dt.datetime:
    return core.utcnow()


def new_id() -> str:
    return secrets.token_hex(16)


# --- accounts --------------------------------------------------------------------------------------------------

def create_account(s: Session, name: str, password_hash: str, role: str) -> tuple[User, Account]:
    now = utcnow()
    user = User(name=name, created_at=now)
    s.add(user)
    s.flush()
    acc = Account(user_id=user.id, password_hash=password_hash, role=role, files_key=new_id(), created_at=now,
                  password_changed_at=now)
    s.add(acc)
    s.flush()
    return user, acc


def find_account(s: Session, name: str) -> tuple[User, Account] | None:
    if "\x00" in name:  # no user name has one, and PostgreSQL refuses it in a query (log-in/share forms)
        return None
    row = s.execute(select(User, Account).join(Account, Account.user_id == User.id).where(User.name == name)).first()
    return (row[0], row[1]) if row else None


def get_account(s: Session, user_id: int) -> tuple[User, Account] | None:
    row = s.execute(select(User, Account).join(Account, Account.user_id == User.id).where(User.id == user_id)).first()
    return (row[0], row[1]) if row else None


# --- sessions and tokens ----------------------------------------------------------------------------------------

def create_session(s: Session, user_id: int, token_hash: str, days: int) -> WebSession:
    now = utcnow()
    ws = WebSession(user_id=user_id, token_hash=token_hash, created_at=now, expires_at=now + dt.timedelta(days=days))
    s.add(ws)
    s.flush()
    return ws


def session_user(s: Session, token_hash: str) -> int | None:
    ws = s.scalars(select(WebSession).where(WebSession.token_hash == token_hash)).one_or_none()
    if ws is None or ws.expires_at <= utcnow():
        return None
    return ws.user_id


def delete_session(s: Session, token_hash: str) -> None:
    s.execute(delete(WebSession).where(WebSession.token_hash == token_hash))


def delete_user_sessions(s: Session, user_id: int, *, keep_hash: str | None = None) -> None:
    q = delete(WebSession).where(WebSession.user_id == user_id)
    if keep_hash:
        q = q.where(WebSession.token_hash != keep_hash)
    s.execute(q)


def create_api_token(s: Session, user_id: int, name: str, token_hash: str) -> ApiToken:
    t = ApiToken(user_id=user_id, name=name, token_hash=token_hash, created_at=utcnow())
    s.add(t)
    s.flush()
    return t


def token_user(s: Session, token_hash: str) -> int | None:
    t = s.scalars(select(ApiToken).where(ApiToken.token_hash == token_hash)).one_or_none()
    if t is None:
        return None
    t.last_used_at = utcnow()
    return t.user_id


def list_api_tokens(s: Session, user_id: int) -> Sequence[ApiToken]:
    return s.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)).all()


def delete_api_token(s: Session, user_id: int, token_id: int) -> bool:
    res = s.execute(delete(ApiToken).where(ApiToken.user_id == user_id, ApiToken.id == token_id))
    return bool(res.rowcount)  # type: ignore[attr-defined]


# --- jobs -------------------------------------------------------------------------------------------------------

def create_job(s: Session, user_id: int, *, public_id: str, exercise: str, view: str | None, load_kg: float | None,
               tempo: str | None, keep_video: bool, upload_label: str, upload_file: str,
               reference_report_id: str | None = None, person: str | None = None, model: str | None = None) -> Job:
    job = Job(public_id=public_id, user_id=user_id, status="queued", exercise=exercise, view=view, load_kg=load_kg,
              tempo=tempo, keep_video=keep_video, upload_label=upload_label, upload_file=upload_file, stage="queued",
              progress_done=0, progress_total=None, attempts=0, created_at=utcnow(),
              reference_report_id=reference_report_id, person=person, model=model)
    s.add(job)
    s.flush()
    return job


def get_job(s: Session, user_id: int, public_id: str) -> Job | None:
    return s.scalars(select(Job).where(Job.user_id == user_id, Job.public_id == public_id)).one_or_none()


def list_jobs(s: Session, user_id: int, limit: int = 50) -> Sequence[Job]:
    return s.scalars(select(Job).where(Job.user_id == user_id).order_by(Job.id.desc()).limit(limit)).all()


def claim_next_job(s: Session, *, exclude: Sequence[int] = ()) -> Job | None:
    """Take the oldest queued job and mark it running (a conditional update, so two workers cannot both win)."""
    q = select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(5)
    if exclude:
        q = q.where(Job.id.not_in(list(exclude)))
    for job_id in s.scalars(q).all():
        now = utcnow()
        res = s.execute(update(Job).where(Job.id == job_id, Job.status == "queued").values(
            status="running", stage="starting", started_at=now, heartbeat_at=now, attempts=Job.attempts + 1))
        if res.rowcount:  # type: ignore[attr-defined]
            return s.get(Job, job_id)
    return None


def update_job(s: Session, job_id: int, **values: Any) -> None:
    s.execute(update(Job).where(Job.id == job_id).values(**values))


def update_running_job(s: Session, job_id: int, **values: Any) -> bool:
    """Update a job only while it is still running; False when it was cancelled or deleted meanwhile."""
    res = s.execute(update(Job).where(Job.id == job_id, Job.status == "running").values(**values))
    return bool(res.rowcount)  # type: ignore[attr-defined]


def count_open_jobs(s: Session, user_id: int) -> int:
    return int(s.scalar(select(func.count()).select_from(Job).where(
        Job.user_id == user_id, Job.status.in_(("queued", "running")))) or 0)


def requeue_stale(s: Session, stale_after_s: float, max_attempts: int) -> list[tuple[str, str]]:
    """Running jobs with no heartbeat for ``stale_after_s``: back to the queue, or failed after ``max_attempts``."""
    cutoff = utcnow() - dt.timedelta(seconds=stale_after_s)
    out: list[tuple[str, str]] = []
    for job in s.scalars(select(Job).where(Job.status == "running", Job.heartbeat_at < cutoff)).all():
        if job.attempts >= max_attempts:
            job.status, job.stage, job.finished_at = "failed", "failed", utcnow()
            job.error = (f"the analysis was interrupted {job.attempts} times (server stopped or restarted while it "
                         "ran); upload the clip again")
            out.append((job.public_id, "failed"))
        else:
            job.status, job.stage, job.progress_done = "queued", "queued (restarted)", 0
            out.append((job.public_id, "queued"))
    s.flush()
    return out


# --- reports ----------------------------------------------------------------------------------------------------

def create_report(s: Session, user_id: int, *, public_id: str, job_public_id: str | None, exercise: str,
                  view: str | None, rep_count: int, faults: Mapping[str, int], top_cue: str | None,
                  quality: str | None, has_annotated: bool, has_original: bool,
                  media_until: dt.datetime | None = None) -> WebReport:
    r = WebReport(public_id=public_id, user_id=user_id, job_public_id=job_public_id, exercise=exercise, view=view,
                  rep_count=rep_count, faults_json=json.dumps(dict(sorted(faults.items()))), top_cue=top_cue,
                  quality=quality, folder=public_id, has_annotated=has_annotated, has_original=has_original,
                  created_at=utcnow(), media_until=media_until)
    s.add(r)
    s.flush()
    return r


def get_report(s: Session, user_id: int, public_id: str) -> WebReport | None:
    return s.scalars(select(WebReport).where(WebReport.user_id == user_id,
                                             WebReport.public_id == public_id)).one_or_none()


def list_reports(s: Session, user_id: int, limit: int = 100) -> Sequence[WebReport]:
    return s.scalars(select(WebReport).where(WebReport.user_id == user_id)
                     .order_by(WebReport.created_at.desc(), WebReport.id.desc()).limit(limit)).all()


def expired_media(s: Session, now: dt.datetime, limit: int = 200) -> list[tuple[int, str, str, str]]:
    """Reports whose pictures are past their keep date: (row id, public id, files key, folder)."""
    rows = s.execute(select(WebReport.id, WebReport.public_id, Account.files_key, WebReport.folder)
                     .join(Account, Account.user_id == WebReport.user_id)
                     .where(WebReport.media_until.is_not(None), WebReport.media_until <= now)
                     .order_by(WebReport.media_until).limit(limit)).all()
    return [(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]


# --- coach comments ---------------------------------------------------------------------------------------------

def add_comment(s: Session, owner_id: int, author_id: int, text: str, report_public_id: str | None = None) -> Comment:
    c = Comment(owner_id=owner_id, author_id=author_id, report_public_id=report_public_id, text=text,
                created_at=utcnow())
    s.add(c)
    s.flush()
    return c


def list_comments(s: Session, owner_id: int, limit: int = 100) -> list[tuple[Comment, str]]:
    """Comments on ``owner_id``'s training (newest first) with their author's name."""
    rows = s.execute(select(Comment, User.name).join(User, User.id == Comment.author_id)
                     .where(Comment.owner_id == owner_id).order_by(Comment.id.desc()).limit(limit)).all()
    return [(r[0], str(r[1])) for r in rows]


# --- shares -----------------------------------------------------------------------------------------------------

def add_share(s: Session, owner_id: int, coach_id: int) -> None:
    if is_shared(s, owner_id, coach_id):
        return
    s.add(Share(owner_id=owner_id, coach_id=coach_id, created_at=utcnow()))
    s.flush()


def remove_share(s: Session, owner_id: int, coach_id: int) -> None:
    s.execute(delete(Share).where(Share.owner_id == owner_id, Share.coach_id == coach_id))


def is_shared(s: Session, owner_id: int, coach_id: int) -> bool:
    return s.scalar(select(func.count()).select_from(Share).where(Share.owner_id == owner_id,
                                                                   Share.coach_id == coach_id)) == 1


def list_shares(s: Session, owner_id: int) -> list[tuple[int, str]]:
    """Coaches this person shares with: (coach user id, name)."""
    rows = s.execute(select(User.id, User.name).join(Share, Share.coach_id == User.id)
                     .where(Share.owner_id == owner_id).order_by(User.name)).all()
    return [(int(r[0]), str(r[1])) for r in rows]


def list_shared_with(s: Session, coach_id: int) -> list[tuple[int, str]]:
    """People who share with this coach: (user id, name)."""
    rows = s.execute(select(User.id, User.name).join(Share, Share.owner_id == User.id)
                     .where(Share.coach_id == coach_id).order_by(User.name)).all()
    return [(int(r[0]), str(r[1])) for r in rows]


# --- delete everything ------------------------------------------------------------------------------------------

_LOG_TABLES = (AnalysisReport, ExerciseEntry, TrainingSession, Checkin, TriageRecord)


def delete_user_everything(s: Session, user_id: int) -> None:
    """Every row of this user in every table, then the user row (the cascade would do it; this does not rely on it)."""
    for model, col in USER_TABLES:
        s.execute(delete(model).where(getattr(model, col) == user_id))
    core.delete_log(s, user_id)
    s.execute(delete(User).where(User.id == user_id))


def count_user_rows(s: Session, user_id: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for model, col in USER_TABLES:
        key = f"{model.__tablename__}.{col}"
        out[key] = int(s.scalar(select(func.count()).select_from(model)
                                .where(getattr(model, col) == user_id)) or 0)
    for log_model in _LOG_TABLES:
        out[log_model.__tablename__] = int(s.scalar(select(func.count()).select_from(log_model)
                                                    .where(log_model.user_id == user_id)) or 0)
    out["users"] = int(s.scalar(select(func.count()).select_from(User).where(User.id == user_id)) or 0)
    return out


def get_user_by_name(s: Session, name: str) -> User | None:
    return core.get_user(s, name)


def find_report(s: Session, public_id: str) -> WebReport | None:
    """A report by id, whoever owns it: callers must check access (``deps.readable_owner``)."""
    return s.scalars(select(WebReport).where(WebReport.public_id == public_id)).one_or_none()
