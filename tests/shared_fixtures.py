"""Fixtures several test folders share: a fresh database on SQLite and PostgreSQL, and cheap password hashing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.pg_schema import fresh_database


def database_url_fixture(filename: str, schema_prefix: str) -> Callable[..., Any]:
    """A ``db_url`` fixture: a fresh, empty database per test, once on SQLite and once on PostgreSQL."""

    @pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
    def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
        with fresh_database(request.param, tmp_path / filename, schema_prefix) as url:
            yield url

    return db_url


def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with the library defaults costs ~1 s a hash here; tests use the smallest parameters (the code path
    is the same; tests/web/test_auth.py checks the stored hash is argon2id)."""
    from argon2 import PasswordHasher

    from backsafe.web import auth

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", cheap)
    monkeypatch.setattr(auth, "_DUMMY_HASH", cheap.hash("dummy"))
