"""Web fixtures: a fresh database per test on SQLite and PostgreSQL, a fresh data folder, a TestClient over an app
whose analysis is a fake (tests/web/fakes.py), and helpers to sign up and log in.

PostgreSQL comes from ``BACKSAFE_TEST_POSTGRES_URL`` (``make test`` starts one); unset, the PostgreSQL cases skip,
except under ``CI=true`` where they fail. Each test gets its own schema.
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from fakes import fake_analyze, make_report, write_clip

PG_ENV = "BACKSAFE_TEST_POSTGRES_URL"
PASSWORD = "correct horse battery staple"


def pg_base_url() -> str:
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        msg = f"{PG_ENV} is not set (run tools/start_test_postgres.sh)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg + " — and CI=true, so this is an error", pytrace=False)
        pytest.skip(msg)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'web.sqlite3'}"
        return
    import sqlalchemy as sa

    base = pg_base_url().replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"w_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as c:
        c.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as c:
            c.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.dispose()


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with the library defaults costs ~1 s a hash here; these tests use the smallest parameters (the
    code path is the same; test_auth checks the stored hash is argon2id)."""
    from argon2 import PasswordHasher

    from backsafe.web import auth

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("dummy"))


@pytest.fixture(scope="session")
def synth_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real H.264 clip (320x240, 30 fps, ~6 s) matching the fake report's frames."""
    return write_clip(tmp_path_factory.mktemp("webclip") / "clip.mp4", make_report(n_reps=2, rounding_rep=1, rushing_rep=2))


def make_settings(db_url: str, data_dir: Path, **kw: Any) -> Any:
    from backsafe.web.config import Settings

    base: dict[str, Any] = {"database_url": db_url, "data_dir": data_dir, "workers": 1, "job_heartbeat_s": 0.2,
                            "secret_key": "test-secret-" + "x" * 40}
    base.update(kw)
    return Settings(**base)


@pytest.fixture
def make_client(db_url: str, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """make_client(analyze_fn=..., **settings) -> a started TestClient (the job runner runs in the background)."""
    from fastapi.testclient import TestClient

    from backsafe.web.main import create_app

    opened: list[Any] = []

    def make(analyze_fn: Any = fake_analyze, run_jobs: bool = True, base_url: str = "http://testserver",
             **kw: Any) -> Any:
        settings = make_settings(db_url, tmp_path / "data", **kw)
        app = create_app(settings, analyze_fn=analyze_fn, run_jobs=run_jobs)
        c = TestClient(app, base_url=base_url)
        c.__enter__()
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.__exit__(None, None, None)
        c.app.state.db.dispose()


@pytest.fixture
def client(make_client: Callable[..., Any]) -> Any:
    return make_client()


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


@pytest.fixture
def second_client(make_client: Callable[..., Any], client: Any) -> Any:
    """Another browser on the same app (its own cookie jar)."""
    from fastapi.testclient import TestClient

    c = TestClient(client.app, base_url="http://testserver")
    return c
