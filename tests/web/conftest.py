"""Web fixtures: a fresh database per test on SQLite and PostgreSQL, a fresh data folder, a TestClient over an app
whose analysis is a fake (tests/web/fakes.py), and helpers to sign up and log in.

PostgreSQL comes from ``BACKSAFE_TEST_POSTGRES_URL`` (``make test`` starts one); unset, the PostgreSQL cases skip,
except under ``CI=true`` where they fail. Each test gets its own schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from fakes import fake_analyze, make_report, write_clip
from webhelpers import make_settings

from tests.shared_fixtures import cheap_password_hashing, database_url_fixture


db_url = database_url_fixture("web.sqlite3", "w_")


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_password_hashing(monkeypatch)


@pytest.fixture(scope="session")
def synth_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real H.264 clip (320x240, 30 fps, ~6 s) matching the fake report's frames."""
    return write_clip(tmp_path_factory.mktemp("webclip") / "clip.mp4", make_report(n_reps=2, rounding_rep=1, rushing_rep=2))


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


@pytest.fixture
def second_client(make_client: Callable[..., Any], client: Any) -> Any:
    """Another browser on the same app (its own cookie jar)."""
    from fastapi.testclient import TestClient

    c = TestClient(client.app, base_url="http://testserver")
    return c
