from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from backsafe.db import Base, open_database
from backsafe.db.migrate import current_revision, downgrade, head_revision, upgrade

TABLES = {"users", "training_sessions", "exercise_entries", "analysis_reports", "checkins", "triage_records"}


def _tables(db) -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_downgrade_to_base_and_back(db_url: str) -> None:
    db = open_database(db_url, migrate=False)
    try:
        assert _tables(db) == set()
        upgrade(db)
        assert current_revision(db) == head_revision()
        assert _tables(db) == TABLES
        upgrade(db)  # idempotent
        downgrade(db, "base")
        assert current_revision(db) is None
        assert _tables(db) == set()
        upgrade(db)
        assert _tables(db) == TABLES
    finally:
        db.dispose()


def test_models_match_migrations(db_url: str) -> None:
    db = open_database(db_url)
    try:
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == []
    finally:
        db.dispose()


def test_open_migrates_on_first_use(db_url: str) -> None:
    db = open_database(db_url)
    try:
        assert current_revision(db) == head_revision()
    finally:
        db.dispose()


def test_sqlite_pragmas(tmp_path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with db.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.dispose()
