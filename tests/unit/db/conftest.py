"""Storage fixtures: every storage/log test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``BACKSAFE_TEST_POSTGRES_URL`` (``make test`` starts one with tools/start_test_postgres.sh).
Unset: the PostgreSQL cases skip, except under ``CI=true`` where they fail. Each test gets its own schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pg_schema import fresh_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL (SQLite file in tmp_path, or a new PostgreSQL schema)."""
    with fresh_database(request.param, tmp_path / "log.sqlite3", "t_") as url:
        yield url
