"""What the pages and the JSON API both do: accounts, uploads, access to reports, the log, the dashboard.

Routes stay thin: they parse, call one of these, and render or serialise the answer.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from ..coach.logbook import CheckinResult, LogBook
from ..coach.units import Profile, Unit, format_load, parse_load
from ..db.engine import Database
from ..errors import InputError, ValueRangeError, VideoReadError
from ..exercises import get_exercise
from . import crud
from .auth import (
    SESSION_TOKEN_PREFIX,
    LoginLimiter,
    check_password_strength,
    check_user_name,
    hash_password,
    hash_token,
    limit_key,
    needs_rehash,
    new_token,
    verify_password,
)
from .config import Settings
from .deps import CurrentUser, readable_owner
from .errors import AuthRequired, Conflict, NotFound, RateLimited, TooLarge
from .jobs import JobRunner
from .models import Job, WebReport
from .references import stored_reference
from .schemas import JobOut, ProfileOut, ReportOut
from .storage import Storage, safe_label

__all__ = ["sign_up", "log_in", "change_password", "delete_account", "save_upload", "job_out", "report_out",
           "readable_report", "report_file", "logbook", "dashboard_data", "VIEWS", "own_reference", "stored_reference",
           "REFERENCE_NOT_FOUND", "set_profile", "profile_out", "checkin", "checkin_message", "outcomes_out",
           "record_outcome", "explain_rules", "clearance_for", "upload_load_kg", "exercise_name", "person_text"]

VIEWS = ("side", "front", "oblique")
CHUNK = 1024 * 1024
#: the one answer for a reference id that is not one of the user's own reports (never says whether it exists)
REFERENCE_NOT_FOUND = "reference report not found: reference_id must be the id of one of your own reports"


# --- accounts --------------------------------------------------------------------------------------------------

def sign_up(db: Database, name: str, password: str, role: str) -> int:
    name = check_user_name(name)
    check_password_strength(password, name)
    if role not in ("person", "coach"):
        raise ValueRangeError(f"role {role!r}: expected person or coach")
    pw_hash = hash_password(password)
    with db.session() as s:
        if crud.get_user_by_name(s, name) is not None:
            raise Conflict(f"the user name {name!r} is taken; pick another")
        user, _ = crud.create_account(s, name, pw_hash, role)
        return int(user.id)


# argon2id costs ~0.5 s of CPU a hash. Passwords are hashed and verified OUTSIDE any database transaction: on
# SQLite every web transaction takes the write lock (BEGIN IMMEDIATE, see db.py), so a hash inside one held the
# lock for every other request, and 50 users logging in at once made requests wait past the 5 s busy timeout
# (503 "database is locked", found by tools/load_test.py). The second transaction re-reads the stored hash and
# refuses if it changed in between (a concurrent password change or account deletion).

def _stored_hash(db: Database, *, name: str | None = None, user_id: int | None = None) -> tuple[int, str] | None:
    with db.session() as s:
        found = crud.find_account(s, name) if name is not None else crud.get_account(s, int(user_id or 0))
        return (int(found[0].id), str(found[1].password_hash)) if found else None


def _lookup_name(name: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKC", name)
    return "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Cc")).strip()


def log_in(db: Database, limiter: LoginLimiter, settings: Settings, name: str, password: str, address: str,
           *, old_session: str | None = None, trusted: bool = False) -> tuple[str, int]:
    """Check the password (rate-limited) and open a NEW session; the old one, if any, is ended (no fixation)."""
    # the limits count the normalised name ("alice", "alice ", "Alice" and "alice\u200b" are one counter), and
    # the account is looked up by the same spelling the sign-up stored (NFKC, stripped)
    limiter.check(name, address, trusted=trusted)
    found = _stored_hash(db, name=_lookup_name(name))
    ok = verify_password(found[1] if found else None, password)  # the same cost for an unknown name
    if not ok or found is None:
        limiter.failed(name, address, trusted=trusted)
        raise AuthRequired("user name or password is wrong")
    uid, stored = found
    rehashed = hash_password(password) if needs_rehash(stored) else None
    with db.session() as s:
        acc = crud.get_account(s, uid)
        if acc is None or acc[1].password_hash != stored:
            raise AuthRequired("user name or password is wrong")
        if rehashed:
            acc[1].password_hash = rehashed
        if old_session:
            crud.delete_session(s, hash_token(old_session))
        token = new_token(SESSION_TOKEN_PREFIX)
        crud.create_session(s, uid, hash_token(token), settings.session_days)
    limiter.succeeded(name, trusted=trusted)
    return token, uid


def change_password(db: Database, user: CurrentUser, current: str, new: str, session_days: int = 14) -> str | None:
    """Set a new password; every other session ends; the caller's session is replaced (new token returned)."""
    check_password_strength(new, user.name)
    found = _stored_hash(db, user_id=user.id)
    if found is None or not verify_password(found[1], current):
        raise AuthRequired("the current password is wrong")
    new_hash = hash_password(new)
    with db.session() as s:
        acc = crud.get_account(s, user.id)
        if acc is None or acc[1].password_hash != found[1]:
            raise AuthRequired("the password was changed meanwhile; log in again")
        acc[1].password_hash = new_hash
        acc[1].password_changed_at = crud.utcnow()
        crud.delete_user_sessions(s, user.id)
        if user.via != "session":
            return None
        token = new_token(SESSION_TOKEN_PREFIX)
        crud.create_session(s, user.id, hash_token(token), session_days)
        return token


def delete_account(db: Database, storage: Storage, user: CurrentUser, password: str,
                   runner: JobRunner | None = None) -> None:
    """Delete every row of the user (log, reports, jobs, sessions, tokens, shares, account) and all their files;
    their running analyses stop; on SQLite the file and its log are rewritten without them (scrub_database)."""
    found = _stored_hash(db, user_id=user.id)
    if found is None or not verify_password(found[1], password):
        raise AuthRequired("the password is wrong; nothing was deleted")
    with db.session() as s:
        acc = crud.get_account(s, user.id)
        if acc is None or acc[1].password_hash != found[1]:
            raise AuthRequired("the password was changed meanwhile; nothing was deleted")
        crud.delete_user_everything(s, user.id)  # a running job sees its row gone and stops (jobs.JobCancelled)
    if runner is not None:
        runner.forget_user(user.id)
    storage.delete_user(user.files_key)
    scrub_database(db)


def scrub_database(db: Database) -> None:
    """Leave no deleted personal data in the database files. SQLite keeps deleted rows in free pages of the file
    and in the write-ahead log until they are reused: VACUUM rewrites the file without them and a TRUNCATE
    checkpoint empties the log (retried while another connection still reads an older snapshot)."""
    if not db.is_sqlite:
        return
    import time as _time

    raw = db.engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("VACUUM")
        for _ in range(50):
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy or not busy[0]:
                break
            _time.sleep(0.1)
    finally:
        raw.close()


# --- uploads and jobs ----------------------------------------------------------------------------------------

def _copy_limited(src: IO[bytes], dst: Path, limit: int) -> int:
    n = 0
    with open(dst, "wb") as out:
        while chunk := src.read(CHUNK):
            n += len(chunk)
            if n > limit:
                raise TooLarge(f"the clip is larger than the {limit / 1024 / 1024:g} MB limit; trim it or film a "
                               "shorter set")
            out.write(chunk)
    return n


def without_paths(message: str, *paths: Path | str) -> str:
    """``message`` with every server path in it (as given, resolved, and any under the data folder) said as "the
    upload": messages from the decoder name the file, sometimes more than once and inside quotes."""
    out = message
    for p in paths:
        for form in sorted({str(p), str(Path(p).resolve())}, key=len, reverse=True):
            if form and form != ".":
                out = out.replace(form, "the upload")
    import re

    # anything that still looks like an absolute path into a users/ folder or a temporary file
    out = re.sub(r"(?:[A-Za-z]:)?[/\\][^\s'\":]*(?:users|uploads|reports|tmp)[/\\][^\s'\":]*", "the upload", out)
    return out.replace("the upload: the upload: ", "the upload: ")


def _decoded_duration_s(path: Path, fps: float, stop_after_s: float) -> float | None:
    """The clip's length read from its frames, for a stream whose container gives none (a raw H.264 stream named
    .mp4): frames counted by reading the stream until past ``stop_after_s`` (the limit), then frames / fps (time
    stamps when the packets carry them)."""
    import av

    try:
        with av.open(str(path), mode="r") as container:
            stream = container.streams.video[0]
            rate = float(stream.guessed_rate or stream.average_rate or fps or 0) or 25.0
            tb = float(stream.time_base) if stream.time_base else None
            n, first, last = 0, None, None
            for packet in container.demux(stream):
                if packet.size == 0:
                    continue
                n += 1
                if packet.pts is not None and tb:
                    t = float(packet.pts) * tb
                    first = t if first is None else min(first, t)
                    last = t if last is None else max(last, t)
                by_count = n / rate
                if by_count > stop_after_s:
                    return by_count
            by_time = (last - first + 1.0 / rate) if first is not None and last is not None else 0.0
            return max(n / rate, by_time) if n else None
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise VideoReadError(f"the upload could not be read to its end ({type(exc).__name__})") from None


def _check_clip(path: Path, settings: Settings) -> None:
    from ..io.video import probe_video

    try:
        info = probe_video(path)
    except VideoReadError as e:
        # the decoder's message names the server path (at its start and inside quotes): say it about the upload
        raise VideoReadError(without_paths(str(e), path, settings.data_dir).replace(
            "the upload: ", "the upload is not usable: ", 1)) from None
    duration = info.duration_s
    if duration is None:  # no duration in the container: count the frames instead of skipping the limit
        duration = _decoded_duration_s(path, info.fps, settings.max_duration_s)
    if duration is not None and duration > settings.max_duration_s:
        shown = f"more than {settings.max_duration_s:g}" if info.duration_s is None else f"{duration:.0f}"
        raise ValueRangeError(f"the clip lasts {shown} s; the limit is {settings.max_duration_s:g} s "
                              "(film one set)")
    if max(info.width, info.height) > settings.max_video_side_px:
        raise ValueRangeError(f"the clip is {info.width}x{info.height}; the limit is "
                              f"{settings.max_video_side_px} px on the longer side")


def _is_public_id(value: str) -> bool:
    return 16 <= len(value) <= 32 and all(c in "0123456789abcdef" for c in value)


def own_reference(db: Database, storage: Storage, user: CurrentUser, reference_id: str, exercise: str) -> str:
    """Check that ``reference_id`` is one of ``user``'s own reports that can judge a set of ``exercise``.

    Returns the id. Raises NotFound (404) for an id that is malformed, unknown or anyone else's, with one message
    for all three (a shared coach may read a person's report but not judge with it; nobody learns which ids
    exist), and InputError (422) when the user's own report cannot serve: another exercise, no rep in it, or a
    report stored before reports kept their per-rep measures.
    """
    rid = reference_id.strip()
    if not _is_public_id(rid):
        raise NotFound(REFERENCE_NOT_FOUND)
    with db.session() as s:
        rep = crud.get_report(s, user.id, rid)
        if rep is None:
            raise NotFound(REFERENCE_NOT_FOUND)
        folder = rep.folder
    stored_reference(storage, user.files_key, folder, rid, exercise, missing="pick another report")
    return rid


def save_upload(db: Database, storage: Storage, settings: Settings, runner: JobRunner | None, user: CurrentUser, *,
                src: IO[bytes], filename: str | None, exercise: str, view: str | None, load_kg: float | None,
                tempo: str | None, keep_video: bool, reference_id: str | None = None) -> Job:
    """Store the clip under a server-made name, check it by decoding, and queue its analysis (against one of the
    user's own earlier reports when ``reference_id`` names one; checked before the clip is stored)."""
    ex = get_exercise(exercise)
    if view in ("", "auto"):
        view = None
    if view is not None and view not in VIEWS:
        raise ValueRangeError(f"view {view!r}: expected auto, side, front or oblique")
    if tempo:
        from ..exercises import Tempo4

        Tempo4.parse(tempo)
    if load_kg is not None and not 0 <= load_kg <= 500:
        raise ValueRangeError(f"load {load_kg:g} kg: expected 0-500 kg")
    reference = own_reference(db, storage, user, reference_id, ex.id) if reference_id and reference_id.strip() else None
    _check_queue(db, settings, user.id)
    job_id = crud.new_id()
    path = storage.upload_path(user.files_key, job_id)
    try:
        _copy_limited(src, path, settings.max_upload_bytes)
        if path.stat().st_size == 0:
            raise VideoReadError("the upload is empty (0 bytes)")
        _check_clip(path, settings)
        with db.session() as s:
            _check_queue_in(s, settings, user.id)  # again, inside the transaction that adds the job
            job = crud.create_job(s, user.id, public_id=job_id, exercise=ex.id, view=view, load_kg=load_kg,
                                  tempo=tempo or None, keep_video=keep_video, upload_label=safe_label(filename),
                                  upload_file=path.name, reference_report_id=reference)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if runner is not None:
        runner.notify()
    return job


QUEUE_FULL = ("you already have {n} clips waiting or being analysed (the limit is {limit}); wait for one to "
              "finish or cancel one")


def _check_queue_in(s: Session, settings: Settings, user_id: int) -> None:
    n = crud.count_open_jobs(s, user_id)
    if n >= settings.max_open_jobs_per_user:
        raise RateLimited(QUEUE_FULL.format(n=n, limit=settings.max_open_jobs_per_user), 30)


def _check_queue(db: Database, settings: Settings, user_id: int) -> None:
    with db.session() as s:
        _check_queue_in(s, settings, user_id)


CANCELLED = "cancelled by you"


def cancel_job(db: Database, storage: Storage, user: CurrentUser, public_id: str) -> Job:
    """Stop a queued or running job of the user's own: it ends as failed ("cancelled by you"), its clip is deleted
    at once; a running analysis stops at its next progress step. A finished job is left as it is (409)."""
    with db.session() as s:
        job = crud.get_job(s, user.id, public_id)
        if job is None:
            raise NotFound("job not found")
        if job.status not in ("queued", "running"):
            raise Conflict(f"the job is already {job.status}; nothing to cancel")
        crud.update_job(s, job.id, status="failed", stage="cancelled", error=CANCELLED, finished_at=crud.utcnow())
        s.refresh(job)
        s.expunge(job)
    storage.upload_path(user.files_key, public_id).unlink(missing_ok=True)
    return job


def job_out(job: Job) -> JobOut:
    pct = None
    if job.status == "done":
        pct = 100.0
    elif job.progress_total:
        pct = round(100.0 * min(job.progress_done, job.progress_total) / job.progress_total, 1)
    return JobOut(id=job.public_id, status=job.status, stage=job.stage, exercise=job.exercise,  # type: ignore[arg-type]
                  view=job.view, progress_done=job.progress_done, progress_total=job.progress_total, percent=pct,
                  error=job.error, attempts=job.attempts, created_at=job.created_at, finished_at=job.finished_at,
                  report_id=job.report_public_id, upload_name=job.upload_label,
                  reference_id=job.reference_report_id)


# --- reports -----------------------------------------------------------------------------------------------------

def readable_report(s: Session, user: CurrentUser, public_id: str) -> tuple[WebReport, str, str]:
    """(report, owner name, owner files key) if ``user`` may read it; else NotFound (never says which)."""
    if not _is_public_id(public_id):
        raise NotFound("report not found")
    rep = crud.find_report(s, public_id)
    if rep is None or not readable_owner(s, user, rep.user_id):
        raise NotFound("report not found")
    acc = crud.get_account(s, rep.user_id)
    if acc is None:
        raise NotFound("report not found")
    return rep, acc[0].name, acc[1].files_key


def report_out(rep: WebReport, owner: str, doc: dict[str, Any] | None = None) -> ReportOut:
    return ReportOut(id=rep.public_id, owner=owner, exercise=rep.exercise, view=rep.view, rep_count=rep.rep_count,
                     faults=json.loads(rep.faults_json), top_cue=rep.top_cue, quality=rep.quality,
                     created_at=rep.created_at, has_annotated_video=rep.has_annotated, kept_original=rep.has_original,
                     report=doc)


REPORT_FILES = {"json": "report.json", "html": "report.html", "video": "annotated.mp4", "original": "original.video"}


def report_file(storage: Storage, files_key: str, rep: WebReport, kind: str) -> Path:
    name = REPORT_FILES[kind]
    if kind == "video" and not rep.has_annotated or kind == "original" and not rep.has_original:
        raise NotFound("no such file for this report")
    p = storage.report_dir(files_key, rep.folder) / name
    if not p.is_file():
        raise NotFound("the report's file is missing")
    return p


def drop_report_media(db: Database, storage: Storage, user: CurrentUser, public_id: str) -> None:
    """The person drops the annotated video and key frames of one of their own reports now."""
    from .jobs import drop_media

    with db.session() as s:
        rep = crud.get_report(s, user.id, public_id) if _is_public_id(public_id) else None
        if rep is None:
            raise NotFound("report not found")
        folder = rep.folder
    drop_media(db, storage, user.files_key, folder, public_id)


def expire_if_due(db: Database, storage: Storage, files_key: str, rep: WebReport) -> bool:
    """Drop the report's pictures now when their keep date passed (the runner's sweep may not have come yet)."""
    from .jobs import drop_media

    if rep.media_until is not None and rep.media_until <= crud.utcnow():
        drop_media(db, storage, files_key, rep.folder, rep.public_id)
        return True
    return False


def delete_report(db: Database, storage: Storage, user: CurrentUser, public_id: str) -> None:
    with db.session() as s:
        rep = crud.get_report(s, user.id, public_id)
        if rep is None:
            raise NotFound("report not found")
        folder = rep.folder
        s.delete(rep)
    storage.delete_report(user.files_key, folder)


# --- log and dashboard -----------------------------------------------------------------------------------------

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


def log_rows(db: Database, user_name: str, limit: int = 50) -> list[dict[str, Any]]:
    """The user's log entries, newest first, each with its id (for edit and delete)."""
    from ..db import crud as core

    with db.session() as s:
        u = core.get_user(s, user_name)
        if u is None:
            return []
        rows = list(core.list_entries(s, u.id))[::-1][:limit]
        return [{"id": e.id, "date": e.session.date, "position": e.position, "exercise": e.exercise,
                 "load_kg": e.load_kg, "sets": e.sets, "reps": e.reps, "rpe": e.rpe, "pain_before": e.pain_before,
                 "pain_during": e.pain_during, "pain_after": e.pain_after, "warmup": e.warmup} for e in rows]


def _own_entry(s: Session, user_name: str, entry_id: int) -> Any:
    from ..db import crud as core
    from ..db.models import ExerciseEntry

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


def get_log_entry(db: Database, user_name: str, entry_id: int) -> dict[str, Any]:
    with db.session() as s:
        e = _own_entry(s, user_name, entry_id)
        return {"id": e.id, "date": e.session.date, "exercise": e.exercise, "load_kg": e.load_kg, "sets": e.sets,
                "reps": e.reps, "rpe": e.rpe, "pain_before": e.pain_before, "pain_during": e.pain_during,
                "pain_after": e.pain_after, "warmup": e.warmup}


def edit_log_entry(db: Database, user_name: str, entry_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Change one of the user's own log entries: the same checks as logging it (coach.logbook), the same place in
    its day; a new date moves it to the end of that day."""
    from ..coach.logbook import check_date, validate_entry_values
    from ..coach.units import check_plausible
    from ..db import crud as core

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


# --- profile, check-ins, outcome measures, triage clearance, rules -----------------------------------------------

def profile_out(p: Profile) -> ProfileOut:
    doc = p.to_json()
    return ProfileOut(unit=p.unit, body_mass_kg=p.body_mass_kg,
                      body_mass=format_load(p.body_mass_kg, p.unit) if p.body_mass_kg else None, sex=p.sex,
                      default_tempo=p.default_tempo, equipment=doc["equipment"], equipment_unit=p.unit,
                      wake_time=doc["wake_time"], age_years=p.age_years)


def set_profile(db: Database, user_name: str, data: dict[str, Any]) -> Profile:
    """Set the profile fields given (None = keep). Body mass is "80kg", "176lb" or a number in the unit (the one
    given here, else the stored one); the coach checks every value (ValueRangeError → 400, one line)."""
    book = logbook(db, user_name)
    fields = {k: v for k, v in data.items() if v is not None}
    mass = fields.pop("body_mass", None)
    if mass is not None:
        unit: Unit = fields["unit"] if fields.get("unit") in ("kg", "lb") else book.profile().unit
        fields["body_mass_kg"] = parse_load(mass, unit)  # §4 units: stored in kg; the coach checks the range
    return book.set_profile(**fields)


def checkin(db: Database, user_name: str, day: dt.date, pain: int, sleep_hours: float | None) -> CheckinResult:
    return logbook(db, user_name).checkin(date=day, pain=pain, sleep_hours=sleep_hours)


def checkin_message(res: CheckinResult) -> str:
    """One plain line: the severe-pain warning first when there is one (§1 severe pain), else "saved"."""
    sleep = f", {res.sleep_hours:g} h of sleep" if res.sleep_hours is not None else ""
    saved = f"Check-in saved: {res.date.isoformat()}, pain {res.pain}/10{sleep}."
    stop = [f for f in res.flags if f.level == "stop"]
    if stop:
        return f"{stop[0].title}: {stop[0].message} ({saved})"
    return saved


def record_outcome(db: Database, user_name: str, day: dt.date, pain_week: int | None,
                   psfs: dict[str, float] | None) -> None:
    logbook(db, user_name).outcome(date=day, pain_week=pain_week, psfs=psfs)


def outcomes_out(db: Database, user_name: str) -> dict[str, Any]:
    """Every outcome record, oldest first, and the change from the first to the latest with whether it is
    meaningful (§4 Outcome measures: 2 NRS points or 30 %, 2 PSFS points)."""
    from ..coach.progress import outcome_changes

    hist = logbook(db, user_name).history()
    recs = sorted(hist.outcomes, key=lambda o: (o.date, o.kind, o.activity or ""))
    return {"records": [{"date": o.date.isoformat(), "kind": o.kind, "score": o.score, "activity": o.activity}
                        for o in recs],
            "changes": [c.to_json() for c in outcome_changes(hist.outcomes)]}


def explain_rules(ids: list[str]) -> list[dict[str, str]]:
    """The rules behind a plan, for the "Explain" switch: title, plain text, source and evidence (coach.rules)."""
    from ..coach.rules import RULES

    return [{"id": r.id, "title": r.title, "text": r.text, "source": r.source, "evidence": r.evidence}
            for r in (RULES[i] for i in dict.fromkeys(ids) if i in RULES)]


def clearance_for(db: Database, user_name: str, day: dt.date) -> dict[str, Any] | None:
    """The clearance stored on ``day`` (§1 State), with what it covers in plain words; None when there is none."""
    from ..coach.triage import QUESTIONS

    text = {q.id: q.text.rstrip("?") for q in QUESTIONS}
    found = [c for c in logbook(db, user_name).history().clearances if c.date == day]
    if not found:
        return None
    flags = sorted({f for c in found for f in c.flags})
    return {"date": day.isoformat(), "flags": flags, "covers": [text.get(f, f.replace("_", " ")) for f in flags]}


def clearances_list(hist: Any) -> list[dict[str, Any]]:
    from ..coach.triage import QUESTIONS

    text = {q.id: q.text.rstrip("?") for q in QUESTIONS}
    return [{"date": c.date.isoformat(), "covers": [text.get(f, f.replace("_", " ")) for f in sorted(c.flags)]}
            for c in sorted(hist.clearances, key=lambda c: c.date, reverse=True)]


def upload_load_kg(db: Database, user_id: int, report_id: str) -> float | None:
    """The load given when the clip of ``report_id`` (one of the user's own) was uploaded, if any."""
    from sqlalchemy import select

    if not _is_public_id(report_id):
        return None
    with db.session() as s:
        return s.scalars(select(Job.load_kg).where(Job.user_id == user_id, Job.report_public_id == report_id)
                         ).first()


def dashboard_data(db: Database, owner_id: int, owner_name: str, *, with_plan: bool = True) -> dict[str, Any]:
    from ..coach.progress import compute_trends

    book = logbook(db, owner_name)
    hist = book.history()
    trends = compute_trends(hist)
    with db.session() as s:
        reports = [(r.public_id, r.exercise, r.rep_count, json.loads(r.faults_json), r.created_at)
                   for r in crud.list_reports(s, owner_id, limit=20)]
    sessions: dict[dt.date, list[Any]] = {}
    for e in hist.entries:
        sessions.setdefault(e.date, []).append(e)
    recent = sorted(sessions.items(), key=lambda kv: kv[0], reverse=True)[:7]
    fault_by_report = [(r[4].date().isoformat(), sum(r[3].values())) for r in reversed(reports)]
    plan = None
    if with_plan:
        try:
            plan = book.plan(date=dt.date.today()).to_json()
        except InputError:
            plan = None
    from ..coach.progress import outcome_changes

    return {"recent": recent, "trends": trends.to_json(), "reports": reports, "fault_series": fault_by_report,
            "checkins": sorted(hist.checkins.items()), "plan": plan, "unit": hist.profile.unit,
            "explain": explain_rules(plan["rules"]) if plan else [],
            "outcome_changes": [c.to_json() for c in outcome_changes(hist.outcomes)],
            "outcome_latest": _latest_outcomes(hist),
            "pain_series": [(e.date.isoformat(), e.max_pain) for e in hist.entries
                            if any(p is not None for p in (e.pain_before, e.pain_during, e.pain_after))]}


def _latest_outcomes(hist: Any) -> dict[str, Any] | None:
    if not hist.outcomes:
        return None
    day = max(o.date for o in hist.outcomes)
    rec = [o for o in hist.outcomes if o.date == day]
    pain = next((o.score for o in rec if o.kind == "pain_nrs"), None)
    return {"date": day.isoformat(), "pain_week": pain,
            "psfs": sorted((o.activity or "", o.score) for o in rec if o.kind == "psfs")}


# --- sharing -------------------------------------------------------------------------------------------------------

def share_with(db: Database, user: CurrentUser, coach_name: str) -> None:
    with db.session() as s:
        found = crud.find_account(s, coach_name.strip())
        if found is None or found[1].role != "coach" or found[0].id == user.id:
            raise NotFound(f"no coach account called {coach_name!r}")
        crud.add_share(s, user.id, found[0].id)


def unshare(db: Database, user: CurrentUser, coach_name: str) -> None:
    with db.session() as s:
        found = crud.find_account(s, coach_name.strip())
        if found is None or not crud.is_shared(s, user.id, found[0].id):
            raise NotFound(f"not shared with {coach_name!r}")
        crud.remove_share(s, user.id, found[0].id)
