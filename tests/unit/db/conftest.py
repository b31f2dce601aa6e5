"""Storage fixtures: every storage/log test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``BACKSAFE_TEST_POSTGRES_URL`` (``make test`` starts one with tools/start_test_postgres.sh).
Unset: the PostgreSQL cases skip, except under ``CI=true`` where they fail. Each test gets its own schema.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backsafe.coach.logbook import LogBook, open_logbook

from tests.shared_fixtures import database_url_fixture


db_url = database_url_fixture("log.sqlite3", "t_")


@pytest.fixture
def book(db_url: str) -> Iterator[LogBook]:
    """The default user's log in that database."""
    b = open_logbook(db_url)
    yield b
    b.db.dispose()
