"""Crash safety of the web app's job worker (issue [7/7] point 1): SIGKILL a real uvicorn server -- the job threads
live in it -- at least 20 times at random moments while jobs run and sets are being logged, on SQLite (WAL) and on
PostgreSQL, then check what is left.

Each round starts the server on the same database and data folder (forked from a process that has imported the app
already: tests/web/serve_fork.py) and kills it after a random delay: a quarter of the kills land during start-up
(migrations, the sweep, recovery of the previous round's orphaned jobs), the rest while a job is queued or running
(analysis, JSON and HTML report, annotated video, renaming, the database commit). Meanwhile one thread logs sets
(``POST /api/log``) and another uploads clips (``POST /api/jobs``) without pause, both remembering what the server
acknowledged. The analysis is the slow fake of tests/web/fakes.py (no MediaPipe), but the report, HTML and annotated
video are written by the real code.

After the loop a last start must, within a bounded time:

- leave no job ``queued`` or ``running``: each is ``done`` or ``failed`` with a reason (too many interrupted
  starts);
- have written every done job's report completely (valid JSON against the published schema, HTML ending with
  ``</html>``), and nothing else: no ``.partial`` folder, no report folder without its database row, no uploaded
  clip left once its job ended (privacy);
- still hold every training-log entry whose POST was answered 201 before a kill;
- run a re-submitted clip to ``done``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_restart import HERE, Server
from webhelpers import PASSWORD

from backsafe.report.json_report import validate_report_dict


N_KILLS = 20
KILL_AFTER_S = (0.05, 4.0)  # after the server answers; a job takes ~2.5 s (0.6 s fake analysis, report, video)


class LoopServer(Server):
    """The restart test's server with shorter timings (a job is orphaned 1 s after its heartbeat stopped), each
    start forked from a process that has already imported the app (tests/web/serve_fork.py): a real server
    process, killed with SIGKILL, that starts in a fraction of a second."""

    def __init__(self, db_url: str, data_dir: Path, log: Path, port: int) -> None:
        super().__init__(db_url, data_dir, log)
        self.port, self.url = port, f"http://127.0.0.1:{port}"
        self.env.update({"BACKSAFE_JOB_STALE_AFTER_S": "1", "BACKSAFE_JOB_HEARTBEAT_S": "0.2",
                         "BACKSAFE_JOB_MAX_ATTEMPTS": "4", "BACKSAFE_ORPHAN_MIN_AGE_S": "3",
                         "FAKE_ANALYZE_S": "0.6", "OPENBLAS_NUM_THREADS": "1"})
        self.forker: subprocess.Popen[str] | None = None
        self.pid: int | None = None

    def spawn(self) -> None:
        """Start without waiting for it to answer (a kill may land during start-up)."""
        if self.forker is None:
            with open(self.log, "ab") as out:
                self.forker = subprocess.Popen([sys.executable, str(HERE / "serve_fork.py")], env=self.env,
                                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=out, text=True)
            assert self.forker.stdout is not None and self.forker.stdout.readline().strip() == "ready", \
                self.log.read_text()[-3000:]
        assert self.forker.stdin is not None and self.forker.stdout is not None
        self.forker.stdin.write(f"{self.port}\n")
        self.forker.stdin.flush()
        self.pid = int(self.forker.stdout.readline())

    def answers(self) -> bool:
        try:
            return httpx.get(self.url + "/api/health", timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False

    def alive(self) -> bool:
        try:
            os.kill(self.pid or 0, 0)
        except ProcessLookupError:
            return False
        return True

    def wait_ready(self, timeout_s: float = 30.0) -> None:
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout_s:
            try:
                if httpx.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert self.alive(), self.log.read_text()[-3000:]
            time.sleep(0.02)
        raise AssertionError("server did not start: " + self.log.read_text()[-3000:])

    def kill(self) -> None:
        os.kill(self.pid or 0, signal.SIGKILL)
        t0 = time.monotonic()
        while self.alive():  # reaped by the fork server
            assert time.monotonic() - t0 < 10
            time.sleep(0.01)

    def stop(self) -> None:
        if self.pid is not None and self.alive():
            os.kill(self.pid, signal.SIGTERM)
            t0 = time.monotonic()
            while self.alive() and time.monotonic() - t0 < 10:
                time.sleep(0.05)
            if self.alive():
                os.kill(self.pid, signal.SIGKILL)
        if self.forker is not None:
            assert self.forker.stdin is not None
            self.forker.stdin.close()
            try:
                self.forker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.forker.kill()
                self.forker.wait()


class Traffic:
    """Two client threads that keep logging sets and uploading clips across kills and restarts."""

    def __init__(self, url: str, headers: dict[str, str], clip: Path) -> None:
        self.url, self.headers, self.clip = url, headers, clip
        self.stop = threading.Event()
        self.acked_logs: list[int] = []
        self.acked_jobs: list[str] = []
        self.lost_uploads = 0
        self._seq = 0
        self.threads = [threading.Thread(target=self._log_sets, daemon=True),
                        threading.Thread(target=self._upload, daemon=True)]

    def __enter__(self) -> Traffic:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=15)

    def _log_sets(self) -> None:
        with httpx.Client(base_url=self.url, timeout=5, headers=self.headers) as c:
            while not self.stop.is_set():
                self._seq += 1
                reps = self._seq
                try:
                    r = c.post("/api/log", json={"exercise": "squat", "sets": 1, "reps": reps, "pain_during": 1})
                except httpx.HTTPError:
                    time.sleep(0.05)  # the server is down: try the next entry in a moment
                    continue
                if r.status_code == 201:
                    self.acked_logs.append(reps)
                time.sleep(0.02)

    def _upload(self) -> None:
        with httpx.Client(base_url=self.url, timeout=10, headers=self.headers) as c:
            while not self.stop.is_set():
                try:
                    unfinished = [j for j in c.get("/api/jobs").json() if j["status"] in ("queued", "running")]
                    if len(unfinished) >= 2:  # keep the queue short: jobs must be running when the kill comes
                        time.sleep(0.1)
                        continue
                    with open(self.clip, "rb") as f:
                        r = c.post("/api/jobs", files={"file": ("set.mp4", f, "video/mp4")},
                                   data={"exercise": "back_squat", "keep_video": "true" if self._seq % 3 else "false"})
                except (httpx.HTTPError, ValueError):
                    self.lost_uploads += 1
                    time.sleep(0.1)
                    continue
                if r.status_code == 202:
                    self.acked_jobs.append(r.json()["id"])


def _report_folders(data: Path) -> dict[str, Path]:
    return {p.name: p for p in data.glob("users/*/reports/*") if p.is_dir()}


def _wait_all_finished(c: httpx.Client, timeout_s: float) -> list[dict[str, Any]]:
    t0 = time.monotonic()
    while True:
        jobs: list[dict[str, Any]] = c.get("/api/jobs").json()
        if all(j["status"] in ("done", "failed") for j in jobs):
            return jobs
        assert time.monotonic() - t0 < timeout_s, [j for j in jobs if j["status"] not in ("done", "failed")]
        time.sleep(0.2)


@pytest.mark.slow
def test_sigkill_loop_while_jobs_run(db_url: str, tmp_path: Path, synth_clip: Path) -> None:
    from test_restart import _free_port

    data = tmp_path / "data"
    srv = LoopServer(db_url, data, tmp_path / "server.log", _free_port())
    srv.spawn()
    srv.wait_ready()
    c = httpx.Client(base_url=srv.url, timeout=10)
    try:
        assert c.post("/api/auth/signup", json={"name": "alice", "password": PASSWORD}).status_code == 201
        tok = c.post("/api/auth/token", json={"name": "alice", "password": PASSWORD}).json()["token"]
        c.headers["Authorization"] = f"Bearer {tok}"
        if db_url.startswith("sqlite"):
            mode = sqlite3.connect(db_url.removeprefix("sqlite:///")).execute("PRAGMA journal_mode").fetchone()[0]
            assert mode == "wal", mode

        rng = random.Random(7)
        kills = {"start-up": 0, "just started": 0, "job running": 0, "job queued": 0, "idle": 0}
        ready_s: list[float] = []
        t_loop = time.monotonic()
        with Traffic(srv.url, dict(c.headers), synth_clip) as traffic:
            for i in range(N_KILLS):
                if i > 0:
                    srv.spawn()
                t_spawn = time.monotonic()
                if i % 4 == 3:  # during start-up: migrations, sweeping, recovery of the orphaned jobs
                    time.sleep(rng.uniform(0.0, 0.6) * (min(ready_s) if ready_s else 0.3))
                    phase = "start-up" if not srv.answers() else "just started"
                else:
                    srv.wait_ready()
                    ready_s.append(time.monotonic() - t_spawn)
                    time.sleep(rng.uniform(*KILL_AFTER_S))
                    try:
                        states = {j["status"] for j in c.get("/api/jobs", timeout=2).json()}
                    except httpx.HTTPError:
                        states = set()
                    phase = "job running" if "running" in states else "job queued" if "queued" in states else "idle"
                srv.kill()
                kills[phase] += 1
            acked_logs = list(traffic.acked_logs)
            acked_jobs = list(traffic.acked_jobs)
            traffic.stop.set()
        loop_s = time.monotonic() - t_loop

        srv.spawn()  # the last start: everything must settle
        srv.wait_ready()
        jobs = _wait_all_finished(c, timeout_s=60)
        by_id = {j["id"]: j for j in jobs}
        done = [j for j in jobs if j["status"] == "done"]
        failed = [j for j in jobs if j["status"] == "failed"]
        print(f"\n{N_KILLS} kills in {loop_s:.0f} s (a start took {min(ready_s):.2f}-{max(ready_s):.2f} s): {kills}; "
              f"jobs {len(jobs)} ({len(done)} done, {len(failed)} failed, attempts {sorted(j['attempts'] for j in jobs)}), upload attempts refused or cut "
              f"{traffic.lost_uploads}, log entries acknowledged {len(acked_logs)}")
        assert kills["job running"] >= N_KILLS // 3, kills
        assert set(acked_jobs) <= set(by_id), "an acknowledged upload has no job"
        for j in failed:
            assert j["error"] and "interrupted" in j["error"], j
            assert j["attempts"] >= 4, j
        assert done, "no job completed across the restarts"

        # every done job's report is complete; nothing half-written or orphaned is left on disk
        t0 = time.monotonic()
        while (folders := _report_folders(data)).keys() - {j["report_id"] for j in done} and time.monotonic() - t0 < 30:
            time.sleep(0.5)  # a folder renamed in place by a killed server goes with the next sweep
        assert not [n for n in folders if n.endswith(".partial")], "half-written report folders left"
        reports = {j["report_id"] for j in done}
        assert set(folders) == reports, f"report folders without a done job: {sorted(set(folders) - reports)}"
        for j in done:
            doc = json.loads((folders[j["report_id"]] / "report.json").read_text(encoding="utf-8"))
            validate_report_dict(doc)
            html = (folders[j["report_id"]] / "report.html").read_text(encoding="utf-8")
            assert html.rstrip().endswith("</html>"), j
            r = c.get(f"/api/reports/{j['report_id']}")
            assert r.status_code == 200 and r.json()["report"]["rep_count"] >= 1, r.text
        t0 = time.monotonic()  # orphaned clips go once untouched for BACKSAFE_ORPHAN_MIN_AGE_S
        while left := list(data.rglob("uploads/*")):
            assert time.monotonic() - t0 < 30, f"uploaded clips left after their jobs ended: {left}"
            time.sleep(0.5)

        logged = [e["reps"] for e in c.get("/api/log").json()]
        missing = sorted(set(acked_logs) - set(logged))
        assert not missing, f"log entries acknowledged before a kill are missing: {missing}"
        assert len(logged) == len(set(logged)), "a log entry was written twice"

        # re-submitting works once the dust has settled
        with open(synth_clip, "rb") as f:
            r = c.post("/api/jobs", files={"file": ("again.mp4", f, "video/mp4")}, data={"exercise": "back_squat"})
        assert r.status_code == 202, r.text
        t0 = time.monotonic()
        while (job := c.get(f"/api/jobs/{r.json()['id']}").json())["status"] not in ("done", "failed"):
            assert time.monotonic() - t0 < 30, job
            time.sleep(0.1)
        assert job["status"] == "done" and job["attempts"] == 1, job
    finally:
        c.close()
        srv.stop()


def test_sweep_removes_only_what_nobody_points_at(make_client: Any, synth_clip: Path) -> None:
    """The sweep behind the loop above, in-process: what a killed server leaves goes once old enough; the clip of a
    queued job, a report with its row and anything recent (another live process may be writing it) stay."""

    from webhelpers import ApiUser

    from backsafe.web.jobs import JobRunner

    c = make_client(run_jobs=False, orphan_min_age_s=60)
    u = ApiUser(c, "alice")
    queued = u.upload(synth_clip).json()["id"]
    app = c.app.state
    runner = JobRunner(app.db, app.storage, app.settings)
    user_dir = next((app.storage.root / "users").iterdir())
    (user_dir / "reports").mkdir()
    old = time.time() - 3600

    def make(rel: str, *, age: float = old) -> Path:
        p = user_dir / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
        os.utime(p, (age, age))
        if p.parent.name != "uploads":
            os.utime(p.parent, (age, age))
        return p

    live_upload = user_dir / "uploads" / f"{queued}.video"
    os.utime(live_upload, (old, old))
    cut_upload = make("uploads/" + "a" * 32 + ".video")  # the upload's row was never committed
    partial = make("reports/" + "b" * 32 + ".partial/report.json")
    unrecorded = make("reports/" + "c" * 32 + "/report.json")  # renamed in place, then killed before the commit
    recent = make("uploads/" + "d" * 32 + ".video", age=time.time())  # may still be on its way to the database
    from backsafe.web import crud

    with app.db.session() as s:
        crud.create_report(s, u.id, public_id="e" * 32, job_public_id=None, exercise="back_squat", view=None,
                           rep_count=1, faults={}, top_cue=None, quality=None, has_annotated=False,
                           has_original=False)
    recorded = make("reports/" + "e" * 32 + "/report.json")

    assert runner.sweep_orphans(window_s=600) == []  # a periodic pass: all this is older than it looks back
    gone = set(runner.sweep_orphans())
    assert gone == {cut_upload, partial.parent, unrecorded.parent}, gone
    assert live_upload.exists() and recent.exists() and recorded.exists()
    assert runner.sweep_orphans() == []  # a second pass finds nothing more


def test_recover_fails_a_job_interrupted_too_often_and_removes_its_clip(make_client: Any, synth_clip: Path) -> None:
    import datetime as dt

    from sqlalchemy import update
    from webhelpers import ApiUser

    from backsafe.web import crud
    from backsafe.web.jobs import JobRunner
    from backsafe.web.models import Job

    c = make_client(run_jobs=False, job_max_attempts=2, job_stale_after_s=5)
    u = ApiUser(c, "alice")
    jid = u.upload(synth_clip).json()["id"]
    app = c.app.state
    clip = next((app.storage.root / "users").glob(f"*/uploads/{jid}.video"))
    with app.db.session() as s:  # as left by a server killed during its second attempt
        s.execute(update(Job).where(Job.public_id == jid).values(
            status="running", attempts=2, heartbeat_at=crud.utcnow() - dt.timedelta(minutes=1)))
    assert JobRunner(app.db, app.storage, app.settings).recover() == [(jid, "failed")]
    job = u.client.get(f"/api/jobs/{jid}").json()
    assert job["status"] == "failed" and "interrupted 2 times" in job["error"], job
    assert not clip.exists(), "the clip of a failed job was kept"
