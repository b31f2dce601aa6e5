"""Kill the server (SIGKILL of a real uvicorn process) while a job runs and while sets are being logged; after a
restart the job completes (or is marked failed with a reason) and every log entry acknowledged before the kill
is there."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from webhelpers import PASSWORD

HERE = Path(__file__).resolve().parent
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, db_url: str, data_dir: Path, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "BACKSAFE_DATABASE_URL": db_url, "BACKSAFE_DATA_DIR": str(data_dir),
                    "BACKSAFE_SECRET_KEY": "restart-test-" + "s" * 40, "BACKSAFE_JOB_STALE_AFTER_S": "2",
                    "BACKSAFE_JOB_HEARTBEAT_S": "0.3", "BACKSAFE_WORKERS": "1", "FAKE_ANALYZE_S": "4"}
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, str(HERE / "serve_fake.py"), str(self.port)], env=self.env,
                                         stdout=out, stderr=subprocess.STDOUT)
        t0 = time.monotonic()
        while time.monotonic() - t0 < 30:
            try:
                if httpx.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert self.proc.poll() is None, self.log.read_text()
            time.sleep(0.1)
        raise AssertionError("server did not start: " + self.log.read_text())

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def test_sigkill_mid_job_then_restart(db_url: str, tmp_path: Path, synth_clip: Path) -> None:
    srv = Server(db_url, tmp_path / "data", tmp_path / "server.log")
    srv.start()
    try:
        c = httpx.Client(base_url=srv.url, timeout=10)
        assert c.post("/api/auth/signup", json={"name": "alice", "password": PASSWORD}).status_code == 201
        tok = c.post("/api/auth/token", json={"name": "alice", "password": PASSWORD}).json()["token"]
        c.headers["Authorization"] = f"Bearer {tok}"
        with open(synth_clip, "rb") as f:
            r = c.post("/api/jobs", files={"file": ("set.mp4", f, "video/mp4")}, data={"exercise": "back_squat"})
        assert r.status_code == 202, r.text
        job_id = r.json()["id"]

        acked: list[int] = []
        stop = threading.Event()

        def log_sets() -> None:  # keeps logging sets until the server dies under it
            i = 0
            with httpx.Client(base_url=srv.url, timeout=5, headers=dict(c.headers)) as lc:
                while not stop.is_set() and i < 250:
                    i += 1
                    try:
                        rr = lc.post("/api/log", json={"exercise": "squat", "sets": 1, "reps": i, "pain_during": 1})
                    except httpx.HTTPError:
                        return
                    if rr.status_code == 201:
                        acked.append(i)

        writer = threading.Thread(target=log_sets)
        writer.start()
        t0 = time.monotonic()
        while True:  # kill once the job is clearly under way
            job = c.get(f"/api/jobs/{job_id}").json()
            if job["status"] == "running" and job["progress_done"] >= 3:
                break
            assert job["status"] in ("queued", "running"), job
            assert time.monotonic() - t0 < 30, job
            time.sleep(0.1)
        assert acked, "no log entry was acknowledged before the kill"
        srv.kill()
        stop.set()
        writer.join(timeout=10)
        killed_at = (job["stage"], job["progress_done"])

        srv.start()  # same database, same data folder
        t0 = time.monotonic()
        while True:
            job = c.get(f"/api/jobs/{job_id}").json()
            if job["status"] in ("done", "failed"):
                break
            assert time.monotonic() - t0 < 60, job
            time.sleep(0.2)
        assert job["status"] == "done" or job["error"], job
        assert job["status"] == "done", f"expected the re-queued job to complete: {job}"
        assert job["attempts"] == 2, job
        assert c.get(f"/api/reports/{job['report_id']}").status_code == 200
        logged = {e["reps"] for e in c.get("/api/log").json()}
        missing = sorted(set(acked) - logged)
        assert not missing, f"log entries acknowledged before the kill are missing: {missing}"
        assert len(acked) >= 1 and killed_at[1] >= 3
        # nothing half-written is left behind: no .partial folders, no uploads
        data = tmp_path / "data"
        assert not list(data.rglob("*.partial")) and not list(data.rglob("uploads/*.video"))
    finally:
        srv.stop()
