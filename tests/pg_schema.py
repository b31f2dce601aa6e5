"""A fresh, empty database per test: a SQLite file, or a new schema in the test PostgreSQL.

PostgreSQL comes from ``BACKSAFE_TEST_POSTGRES_URL`` (``make test`` starts one with tools/start_test_postgres.sh).
Unset: the PostgreSQL cases skip, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

PG_ENV = "BACKSAFE_TEST_POSTGRES_URL"


def pg_base_url() -> str:
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        msg = f"{PG_ENV} is not set (run tools/start_test_postgres.sh)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg + " — and CI=true, so this is an error", pytrace=False)
        pytest.skip(msg)
    return url


@contextmanager
def fresh_database(kind: str, sqlite_file: Path, schema_prefix: str) -> Iterator[str]:
    """The URL of an empty database of ``kind`` ("sqlite" or "postgres"); a PostgreSQL schema is dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{sqlite_file}"
        return
    import sqlalchemy as sa

    base = pg_base_url().replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"{schema_prefix}{uuid.uuid4().hex[:12]}"
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
