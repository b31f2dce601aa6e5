"""Background analysis jobs: stored in the database, run by a local thread pool, recovered after a restart.

Life of a job::

    queued ──claim──▶ running ──▶ done    (report row + files written, clip deleted unless kept)
                         │  └───▶ failed  (reason stored: the analysis error, a crash, a time-out)
                         └─ server killed: no heartbeat for ``job_stale_after_s`` → queued again
                            (attempt n+1), or failed once ``job_max_attempts`` starts were interrupted

Workers claim jobs with a conditional UPDATE, so several server processes can share one database. Each running
job's heartbeat is refreshed every ``job_heartbeat_s`` while its thread lives; a killed server stops refreshing,
which is how the next start (or another process) knows the job was orphaned.

A server killed at any moment leaves no more than files nobody points at: a clip whose upload was cut before its
job row was committed, the upload of a job that was then failed, a ``.partial`` report folder, or a finished report
folder whose database row was never committed. :meth:`JobRunner.sweep_orphans` removes them at start and with each
recovery pass, once they are old enough that no live process (this one or another sharing the data folder) can
still be writing them (``tests/web/test_crash_loop.py`` kills the server 20 times to check all this).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..db.engine import Database
from ..errors import BacksafeError, InputError
from ..model import ReportData
from . import crud
from .config import Settings
from .job_options import JobOptions, job_options
from .models import Account, Job
from .references import stored_reference
from .report_store import new_report_folder, removed_on_failure, row_fields
from .storage import Storage

__all__ = ["AnalyzeFn", "JobRunner", "JobTimeout", "JobCancelled", "default_analyze", "drop_media",
           "PROGRESS_TOTAL", "TEXT_ONLY_HTML"]

log = logging.getLogger("backsafe.web.jobs")
AnalyzeFn = Callable[..., ReportData]
#: the periodic sweeps look at files that became old enough within this long; the sweep at start looks at all
SWEEP_WINDOW_S = 3600.0


class JobTimeout(BacksafeError):
    """The analysis ran longer than ``job_timeout_s``."""


class JobInterrupted(Exception):
    """The server is shutting down: the job goes back to the queue."""


class JobCancelled(Exception):
    """The job's row is no longer running (cancelled by its owner, or the account was deleted): stop, write
    nothing."""


def default_analyze(path: Path, exercise: str, **kwargs: Any) -> ReportData:
    from ..pipeline import analyze

    return analyze(path, exercise, **kwargs)


def _analyze_shipped(data: bytes, suffix: str, exercise: str, options: JobOptions) -> ReportData:
    """Runs on a Ray worker: the clip arrives as bytes (workers need not share a disk), is analysed from a private
    temporary file, and the file is removed before the report goes back."""
    import tempfile

    from ..pipeline import analyze

    with tempfile.TemporaryDirectory(prefix="backsafe-ray-") as tmp:
        clip = Path(tmp) / f"clip{suffix}"
        clip.write_bytes(data)
        return analyze(clip, exercise, **options)


def ray_analyze(address: str) -> AnalyzeFn:
    """An AnalyzeFn that runs each analysis as a Ray task on the cluster at ``address`` (BACKSAFE_RAY_ADDRESS).

    Progress is reported as started and finished only (the pose loop runs on another machine). Ray is imported
    and connected on first use, so a web server without Ray installed still starts and says why jobs fail.
    """
    state: dict[str, Any] = {}

    def run(path: Path, exercise: str, progress: Callable[..., None] | None = None, **options: Any) -> ReportData:
        try:
            import ray
        except ImportError as exc:
            from ..errors import DependencyError

            raise DependencyError("BACKSAFE_RAY_ADDRESS is set but Ray is not installed: pip install ray") from exc
        if "task" not in state:
            if not ray.is_initialized():
                ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
            state["task"] = ray.remote(num_cpus=1, max_retries=1)(_analyze_shipped)
        if progress is not None:
            progress(0, None)
        ref = state["task"].remote(Path(path).read_bytes(), Path(path).suffix, exercise, options)
        return ray.get(ref)  # type: ignore[no-any-return]

    return run


class JobRunner:
    """Runs queued jobs of one database with ``settings.workers`` threads (on a Ray cluster when
    ``settings.ray_address`` is set)."""

    def __init__(self, db: Database, storage: Storage, settings: Settings, analyze_fn: AnalyzeFn | None = None) -> None:
        self.db = db
        self.storage = storage
        self.settings = settings
        if analyze_fn is None and settings.ray_address:
            analyze_fn = ray_analyze(settings.ray_address)
        self.analyze_fn = analyze_fn or default_analyze
        self._pool = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="backsafe-job")
        self._active: set[int] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- control -------------------------------------------------------------------------------------------------
    def start(self) -> None:
        self.recover()
        self.sweep_orphans()
        self._thread = threading.Thread(target=self._loop, name="backsafe-job-dispatch", daemon=True)
        self._thread.start()

    def stop(self, wait: bool = True) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def sweep_orphans(self, window_s: float | None = None) -> list[Path]:
        """Remove what killed servers left behind and nobody points at (see the module doc); return what went.

        An uploaded clip stays while its job is queued or running; a report folder while its row exists. Anything
        else under ``users/*/uploads`` and ``users/*/reports`` untouched for ``settings.orphan_min_age_s`` goes.
        ``window_s``: look only at what changed within that long before the cut-off (the periodic passes: what is
        older was looked at before), so a server with many reports does not read all their rows every time."""
        users = self.storage.root / "users"
        if not users.is_dir():
            return []
        cutoff = time.time() - self.settings.orphan_min_age_s
        since = cutoff - window_s if window_s is not None else -1.0
        uploads = [p for p in users.glob("*/uploads/*") if since < _last_change(p) < cutoff]
        folders = [p for p in users.glob("*/reports/*") if since < _last_change(p) < cutoff]
        if not uploads and not folders:
            return []
        from sqlalchemy import select

        from .models import WebReport

        with self.db.session() as s:
            keys = dict(s.execute(select(Account.user_id, Account.files_key)).all())
            live = {(keys.get(uid), name) for uid, name in s.execute(
                select(Job.user_id, Job.upload_file).where(Job.status.in_(("queued", "running"))))}
            kept = {(keys.get(uid), name) for uid, name in s.execute(select(WebReport.user_id, WebReport.folder))}
        gone: list[Path] = []
        for p in uploads:
            if (p.parent.parent.name, p.name) not in live:
                p.unlink(missing_ok=True)
                gone.append(p)
        for p in folders:
            if (p.parent.parent.name, p.name) not in kept:
                shutil.rmtree(p, ignore_errors=True)
                gone.append(p)
        for p in gone:
            log.warning("removed %s left by an interrupted job", p.relative_to(self.storage.root))
        return gone

    def notify(self) -> None:
        """A job was queued: look for work now."""
        self._wake.set()

    def recover(self) -> list[tuple[str, str]]:
        """Re-queue (or fail) running jobs whose heartbeat stopped: a killed or crashed server's jobs. The clip of
        a job failed here goes at once (privacy), like that of any job that ended."""
        from sqlalchemy import select

        with self.db.session() as s:
            changed = crud.requeue_stale(s, self.settings.job_stale_after_s, self.settings.job_max_attempts)
            failed = [pid for pid, state in changed if state == "failed"]
            clips = s.execute(select(Job.public_id, Account.files_key).join(Account, Account.user_id == Job.user_id)
                              .where(Job.public_id.in_(failed))).all() if failed else []
        for pid, files_key in clips:
            self._remove_upload(files_key, pid)
        for pid, state in changed:
            log.warning("job %s was orphaned: now %s", pid, state)
        return changed

    def idle(self) -> bool:
        with self._lock:
            return not self._active

    # --- loop --------------------------------------------------------------------------------------------------
    def _loop(self) -> None:
        last_recover = last_beat = time.monotonic()
        while not self._stop.is_set():
            try:
                now = time.monotonic()
                if now - last_beat >= self.settings.job_heartbeat_s:
                    self._heartbeat()
                    last_beat = now
                if now - last_recover >= max(1.0, self.settings.job_stale_after_s / 2):
                    self.recover()
                    self.sweep_orphans(window_s=SWEEP_WINDOW_S)
                    self.expire_media()
                    last_recover = now
                self._dispatch()
            except Exception:  # noqa: BLE001 - the dispatcher must outlive a database hiccup
                log.exception("job dispatcher error (retrying)")
            self._wake.wait(timeout=min(1.0, self.settings.job_heartbeat_s))
            self._wake.clear()

    def _dispatch(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                if len(self._active) >= self.settings.workers:
                    return
                busy = list(self._active)
            with self.db.session() as s:
                job = crud.claim_next_job(s, exclude=busy)
                job_id = job.id if job is not None else None
            if job_id is None:
                return
            with self._lock:
                self._active.add(job_id)
            self._pool.submit(self._run_guarded, job_id)

    def _heartbeat(self) -> None:
        with self._lock:
            ids = list(self._active)
        if ids:
            with self.db.session() as s:
                for job_id in ids:
                    crud.update_job(s, job_id, heartbeat_at=crud.utcnow())

    # --- one job -----------------------------------------------------------------------------------------------
    def _run_guarded(self, job_id: int) -> None:
        try:
            self._run(job_id)
        except JobCancelled:
            log.info("job %s was cancelled or its account deleted: stopped", job_id)
            self._drop_cancelled(job_id)
        except JobInterrupted:
            with self.db.session() as s:  # back to the queue, unless it was cancelled meanwhile
                crud.update_running_job(s, job_id, status="queued", stage="queued (server restarted)",
                                        progress_done=0)
        except BacksafeError as e:
            self._fail(job_id, self._public(str(e)))
        except Exception as e:  # noqa: BLE001 - a crashed job ends as failed with its reason, never stuck
            log.error("job %s crashed:\n%s", job_id, traceback.format_exc())
            self._fail(job_id, self._public(f"internal error during analysis ({type(e).__name__}: {e})"))
        finally:
            with self._lock:
                self._active.discard(job_id)
            self._wake.set()

    def _public(self, message: str) -> str:
        """The reason as shown to the person: server paths become "the clip"."""
        return re.sub(re.escape(str(self.storage.root)) + r"[^\s:]*", "the clip", message)

    def _fail(self, job_id: int, reason: str) -> None:
        try:
            with self.db.session() as s:
                job = s.get(Job, job_id)
                if job is None:
                    return
                acc = s.get(Account, job.user_id)
                # only a job still running: one cancelled meanwhile keeps its own reason (its clip, removed by
                # the cancel, is what a check here found missing)
                crud.update_running_job(s, job_id, status="failed", stage="failed", error=reason[:2000],
                                        finished_at=crud.utcnow())
                s.flush()
                if acc is not None and job.upload_file:  # gone before "failed" can be read, as for "done"
                    self._remove_upload(acc.files_key, job.public_id)
        except Exception:  # noqa: BLE001
            log.exception("could not mark job %s failed", job_id)

    def _drop_cancelled(self, job_id: int) -> None:
        """The clip of a cancelled job goes (the cancel removed it already; a deleted account's folder is gone)."""
        with self.db.session() as s:
            job = s.get(Job, job_id)
            acc = s.get(Account, job.user_id) if job is not None else None
            found = (acc.files_key, job.public_id) if job is not None and acc is not None else None
        if found:
            self._remove_upload(*found)

    def forget_user(self, user_id: int) -> None:
        """The account was deleted: its running analyses stop at their next progress step (their rows are gone,
        so their next update finds nothing: JobCancelled)."""
        log.info("user %s deleted: their running jobs stop", user_id)

    def expire_media(self) -> list[str]:
        """Drop the annotated video and key frames of reports past their keep date (``media_keep_days``); return
        the report ids done."""
        with self.db.session() as s:
            due = crud.expired_media(s, crud.utcnow())
        done = []
        for _row_id, public_id, files_key, folder in due:
            try:
                drop_media(self.db, self.storage, files_key, folder, public_id)
                done.append(public_id)
            except Exception:  # noqa: BLE001 - one broken folder must not stop the others
                log.exception("could not drop the pictures of report %s", public_id)
        return done

    def _remove_upload(self, files_key: str, job_public_id: str) -> None:
        self.storage.upload_path(files_key, job_public_id).unlink(missing_ok=True)

    def _progress_fn(self, job_id: int, stage: str, started: float) -> Callable[[int, int | None], None]:
        last = [0.0]

        def progress(done: int, total: int | None) -> None:
            now = time.monotonic()
            if now - started > self.settings.job_timeout_s:
                raise JobTimeout(f"the analysis took longer than {self.settings.job_timeout_s:g} s and was stopped")
            if self._stop.is_set():
                raise JobInterrupted()
            if now - last[0] < 0.4 and (total is None or done < total):
                return
            # the bar only moves forward: a stage's count restarting at 0 (the video after the pose) shows as the
            # share of the whole job (pose up to 80 %, report and video after), never below what was shown
            with self.db.session() as s:
                if not crud.update_running_job(s, job_id, stage=stage, progress_done=_overall(stage, done, total),
                                               progress_total=PROGRESS_TOTAL, heartbeat_at=crud.utcnow()):
                    raise JobCancelled()
            last[0] = now

        return progress

    def _run(self, job_id: int) -> None:
        from ..report.html import render_html
        from ..report.json_report import write_json

        with self.db.session() as s:
            job = s.get(Job, job_id)
            if job is None:
                return  # the account was deleted meanwhile
            acc = s.get(Account, job.user_id)
            if acc is None:
                return
            files_key, jpid = acc.files_key, job.public_id
            exercise, keep = job.exercise, job.keep_video
            options = job_options(job)
            ref_id = job.reference_report_id
            ref_row = crud.get_report(s, job.user_id, ref_id) if ref_id else None  # the job owner's own only
            ref_folder = ref_row.folder if ref_row is not None else None
        clip = self.storage.upload_path(files_key, jpid)
        if not clip.exists():
            raise BacksafeError("the uploaded clip is no longer on the server; upload it again")
        if ref_id:
            options["reference"] = self._reference(files_key, ref_id, ref_folder, exercise)
        started = time.monotonic()
        report = self.analyze_fn(clip, exercise, progress=self._progress_fn(job_id, "pose", started), **options)

        rid, final, tmp = new_report_folder(self.storage, files_key)
        # Retention (the upload form says it plainly): with "keep the videos", the clip, the annotated video and
        # the key frames stay until the report is deleted; without it the clip goes now and the annotated video and
        # key frames (pictures of the person) go after media_keep_days (0: never made), the report stays.
        keep_days = self.settings.media_keep_days
        pictures = keep or keep_days > 0
        media_until = None if keep or not pictures else crud.utcnow() + dt.timedelta(days=keep_days)
        with removed_on_failure(tmp):
            self._set_stage(job_id, "report")
            write_json(report, tmp / "report.json")
            render_html(report, None, tmp / TEXT_ONLY_HTML)  # the report without pictures, for when they go
            if pictures:
                render_html(report, clip, tmp / "report.html")
                has_annotated = self._annotate(job_id, report, clip, tmp / "annotated.mp4", started)
            else:
                os.replace(tmp / TEXT_ONLY_HTML, tmp / "report.html")
                has_annotated = False
            if keep:
                shutil.copyfile(clip, tmp / "original.video")
            os.replace(tmp, final)
        with removed_on_failure(final):
            with self.db.session() as s:
                job_row = s.get(Job, job_id)
                if job_row is None or job_row.status != "running":
                    raise JobCancelled()  # deleted with its account, or cancelled while the report was written
                crud.create_report(s, report_user_id(s, job_id), public_id=rid, job_public_id=jpid,
                                   **row_fields(report, exercise), has_annotated=has_annotated, has_original=keep,
                                   media_until=media_until if pictures else None)
                crud.update_job(s, job_id, status="done", stage="done", report_public_id=rid,
                                finished_at=crud.utcnow(), error=None, progress_done=PROGRESS_TOTAL,
                                progress_total=PROGRESS_TOTAL)
                s.flush()  # the rows are written (a constraint error surfaces here, with the clip still there)
                # privacy: the clip goes once analysed (a kept copy is in the report), before anyone can read
                # "done": removed after the commit, a client polling the job saw "done" beside the clip for a moment.
                # Should the commit itself fail now, the job is retried or failed as "upload it again".
                self._remove_upload(files_key, jpid)

    def _reference(self, files_key: str, report_id: str, folder: str | None, exercise: str) -> Any:
        """The personal reference of the user's stored report (its report.json's per-rep measures; no video
        needed). InputError, which fails the job with its reason, when the report is gone or cannot serve."""
        if folder is None:
            raise InputError("the reference report was deleted after this clip was uploaded; upload the clip again "
                             "and pick another reference, or none")
        return stored_reference(self.storage, files_key, folder, report_id, exercise,
                                missing="upload the clip again and pick another reference, or none")

    def _set_stage(self, job_id: int, stage: str) -> None:
        with self.db.session() as s:
            if not crud.update_running_job(s, job_id, stage=stage, heartbeat_at=crud.utcnow(),
                                           progress_done=_overall(stage, 0, None), progress_total=PROGRESS_TOTAL):
                raise JobCancelled()

    def _annotate(self, job_id: int, report: ReportData, clip: Path, out: Path, started: float) -> bool:
        from ..report.video import write_annotated_video

        if report.pose is None:
            return False
        self._set_stage(job_id, "video")
        prog = self._progress_fn(job_id, "video", started)
        try:
            write_annotated_video(report, clip, out, progress=lambda d, t: prog(d, t or None))
        except JobTimeout:
            raise
        except (BacksafeError, OSError, ValueError) as e:  # the report stays useful without the video
            log.warning("job %s: annotated video not written: %s", job_id, e)
            return False
        return out.exists()


TEXT_ONLY_HTML = "report.text.html"
#: progress is stored as parts of this whole: pose 0-800, report 800-850, video 850-1000 (one bar, forward only)
PROGRESS_TOTAL = 1000
_STAGE_SPAN = {"starting": (0, 0), "pose": (0, 800), "report": (800, 850), "video": (850, 1000)}


def _overall(stage: str, done: int, total: int | None) -> int:
    lo, hi = _STAGE_SPAN.get(stage, (0, 0))
    if not total:
        return lo
    return lo + int((hi - lo) * min(max(done, 0), total) / total)


def drop_media(db: Database, storage: Storage, files_key: str, folder: str, public_id: str) -> None:
    """Remove a report's pictures of the person: the annotated video, and the key frames (report.html becomes the
    version written without them). The report, its numbers and keypoints stay; a kept original stays (asked for)."""
    from sqlalchemy import update

    from .models import WebReport

    d = storage.report_dir(files_key, folder)
    text_only = d / TEXT_ONLY_HTML
    if text_only.is_file():
        os.replace(text_only, d / "report.html")
    (d / "annotated.mp4").unlink(missing_ok=True)
    with db.session() as s:
        s.execute(update(WebReport).where(WebReport.public_id == public_id)
                  .values(has_annotated=False, media_until=None))


def _last_change(p: Path) -> float:
    """The newest modification time of ``p`` and, for a folder, of what is directly in it (0 if it vanished)."""
    try:
        t = p.stat().st_mtime
        if p.is_dir():
            for c in p.iterdir():
                t = max(t, c.stat().st_mtime)
    except OSError:
        return 0.0
    return t


def report_user_id(s: Any, job_id: int) -> int:
    job = s.get(Job, job_id)
    return int(job.user_id)
