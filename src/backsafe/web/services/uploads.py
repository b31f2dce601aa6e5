"""Uploads and jobs: a clip checked and queued (size, duration, per-person queue limit), cancelled, shown."""

from __future__ import annotations

from pathlib import Path
from typing import IO
from sqlalchemy.orm import Session
from ...db.engine import Database
from ...errors import ValueRangeError, VideoReadError
from ...exercises import get_exercise
from ...pose.models import DEFAULT_MODEL
from .. import crud
from ..config import Settings
from ..deps import CurrentUser
from ..errors import Conflict, NotFound, RateLimited, TooLarge
from ..job_options import DEFAULT_PERSON, stored_choices
from ..jobs import JobRunner
from ..models import Job
from ..references import stored_reference
from ..schemas import JobOut
from ..storage import Storage, safe_label


VIEWS = ("side", "front", "oblique")
CHUNK = 1024 * 1024
#: the one answer for a reference id that is not one of the user's own reports (never says whether it exists)
REFERENCE_NOT_FOUND = "reference report not found: reference_id must be the id of one of your own reports"



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
    from ...io.video import probe_video

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
                tempo: str | None, keep_video: bool, reference_id: str | None = None, person: str | None = None,
                model: str | None = None) -> Job:
    """Store the clip under a server-made name, check it by decoding, and queue its analysis (against one of the
    user's own earlier reports when ``reference_id`` names one; checked before the clip is stored). ``person``: who
    to analyse when several people are in frame, ``model``: the pose model size (blank or None: the defaults)."""
    ex = get_exercise(exercise)
    if view in ("", "auto"):
        view = None
    if view is not None and view not in VIEWS:
        raise ValueRangeError(f"view {view!r}: expected auto, side, front or oblique")
    if tempo:
        from ...exercises import Tempo4

        Tempo4.parse(tempo)
    if load_kg is not None and not 0 <= load_kg <= 500:
        raise ValueRangeError(f"load {load_kg:g} kg: expected 0-500 kg")
    person, model = stored_choices(person, model)
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
                                  upload_file=path.name, reference_report_id=reference, person=person, model=model)
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
                  reference_id=job.reference_report_id, person=job.person or DEFAULT_PERSON,
                  model=job.model or DEFAULT_MODEL)
