"""Helpers of the web tests (a module of its own: ``conftest`` is a name every test folder uses)."""

from __future__ import annotations

import os
import re
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PASSWORD = "correct horse battery staple"


def make_settings(db_url: str, data_dir: Path, **kw: Any) -> Any:
    from backsafe.web.config import Settings

    base: dict[str, Any] = {"database_url": db_url, "data_dir": data_dir, "workers": 1, "job_heartbeat_s": 0.2,
                            "secret_key": "test-secret-" + "x" * 40}
    base.update(kw)
    return Settings(**base)


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def page_csrf(client: Any, path: str = "/login") -> str:
    r = client.get(path)
    assert r.status_code == 200, r.text
    m = CSRF_RE.search(r.text)
    assert m, f"no CSRF token on {path}"
    return m.group(1)


class ApiUser:
    """A signed-up user logged in through the JSON API with a cookie session of their own client."""

    def __init__(self, client: Any, name: str, role: str = "person") -> None:
        self.client, self.name, self.role = client, name, role
        r = client.post("/api/auth/signup", json={"name": name, "password": PASSWORD, "role": role})
        assert r.status_code == 201, r.text
        self.id = r.json()["id"]
        self.login()

    def login(self) -> None:
        self.client.cookies.clear()
        r = self.client.post("/api/auth/login", json={"name": self.name, "password": PASSWORD})
        assert r.status_code == 200, r.text
        self.csrf = r.json()["csrf_token"]

    @property
    def h(self) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf}

    def upload(self, clip: Path, *, exercise: str = "back_squat", filename: str = "my squat.mp4",
               **form: Any) -> Any:
        with open(clip, "rb") as f:
            return self.client.post("/api/jobs", headers=self.h, files={"file": (filename, f, "video/mp4")},
                                    data={"exercise": exercise, **{k: str(v) for k, v in form.items()}})

    def wait_job(self, job_id: str, timeout_s: float = 30.0) -> dict[str, Any]:
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout_s:
            r = self.client.get(f"/api/jobs/{job_id}")
            assert r.status_code == 200, r.text
            job = r.json()
            if job["status"] in ("done", "failed"):
                return job  # type: ignore[no-any-return]
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} not finished after {timeout_s} s: {job}")


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """Stop a server started for a test: terminate, then kill if it has not gone in 15 s."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HttpsServer:
    """A ``backsafe serve`` subprocess over TLS; ``client()`` trusts only its certificate (``ca``)."""

    def __init__(self, proc: subprocess.Popen[bytes], port: int, log: Path, ca: Path) -> None:
        self.proc, self.port, self.log, self.ca = proc, port, log, ca

    def client(self, host: str = "127.0.0.1") -> Any:
        import httpx

        return httpx.Client(base_url=f"https://{host}:{self.port}", verify=ssl.create_default_context(cafile=self.ca),
                            timeout=30)


@contextmanager
def serve_subprocess(tmp: Path, extra: list[str], ca: Path | None = None,
                     host: str = "127.0.0.1") -> Iterator[HttpsServer]:
    """``backsafe serve --host HOST <extra>`` on a free port with a fresh SQLite database and data folder in
    ``tmp``, once it answers over TLS (its certificate: ``ca``, by default the self-signed one it makes)."""
    import httpx

    port = _free_port()
    env = {**os.environ, "BACKSAFE_DATABASE_URL": f"sqlite:///{tmp / 'web.sqlite3'}",
           "BACKSAFE_DATA_DIR": str(tmp / "data"), "BACKSAFE_SECRET_KEY": "https-" + "k" * 44,
           "BACKSAFE_WORKERS": "1"}
    env.pop("BACKSAFE_HTTPS", None)  # Secure cookies must follow from the scheme, not from a setting
    cmd = [sys.executable, "-c", "from backsafe.cli import main; main()", "serve", "--host", host,
           "--port", str(port), "--log-level", "warning", *extra]
    log = tmp / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        ca = ca or tmp / "data" / "tls" / "cert.pem"
        t0 = time.monotonic()
        while True:
            if ca.exists():
                try:
                    with HttpsServer(proc, port, log, ca).client() as c:
                        if c.get("/api/health", timeout=2).status_code == 200:
                            break
                except (httpx.HTTPError, ssl.SSLError):
                    pass
            if proc.poll() is not None or time.monotonic() - t0 > 90:
                raise AssertionError("server did not start:\n" + log.read_text())
            time.sleep(0.3)
        yield HttpsServer(proc, port, log, ca)
    finally:
        stop_process(proc)
