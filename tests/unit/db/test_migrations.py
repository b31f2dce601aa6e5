from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from backsafe.db import Base, open_database
from backsafe.db.migrate import current_revision, downgrade, head_revision, upgrade

TABLES = {"users", "training_sessions", "exercise_entries", "analysis_reports", "checkins", "triage_records",
          "clearances", "outcome_measures"}


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


def test_0002_keeps_existing_rows_both_ways(db_url: str) -> None:
    """Upgrading a 0001 log to 0002 and back keeps every row (SQLite must not copy ``users``: its DROP would cascade
    to the log) and the new columns get their defaults; the new constraints hold."""
    db = open_database(db_url, migrate=False)
    try:
        upgrade(db, "0001")
        with db.engine.begin() as c:
            c.exec_driver_sql("INSERT INTO users (name, created_at) VALUES ('a', '2026-01-01 00:00:00')")
            c.exec_driver_sql("INSERT INTO checkins (user_id, date, pain) VALUES (1, '2026-01-02', 3)")
            c.exec_driver_sql("INSERT INTO training_sessions (user_id, date) VALUES (1, '2026-01-02')")
        upgrade(db)
        with db.engine.begin() as c:
            assert c.exec_driver_sql("SELECT unit, body_mass_kg FROM users").all() == [(None, None)]
            assert c.exec_driver_sql("SELECT pain, sleep_hours FROM checkins").all() == [(3, None)]
            assert c.exec_driver_sql("SELECT count(*) FROM training_sessions").scalar() == 1
        for bad in (
            "UPDATE checkins SET sleep_hours = 25",
            "UPDATE checkins SET pain = 11",  # the 0001 constraint survives the batch copy
            "INSERT INTO outcome_measures (user_id, date, kind, activity, score) "
            "VALUES (1, '2026-01-02', 'psfs', 'x', 11)",
            "INSERT INTO outcome_measures (user_id, date, kind, activity, score) "
            "VALUES (1, '2026-01-02', 'odi', 'x', 1)",
            "INSERT INTO outcome_measures (user_id, date, kind, score) VALUES (1, '2026-01-02', 'psfs', 1)",
        ):
            with pytest.raises(sa.exc.IntegrityError):
                with db.engine.begin() as c:
                    c.exec_driver_sql(bad)
        ins = "INSERT INTO outcome_measures (user_id, date, kind, activity, score) VALUES (1, '2026-01-02', {}, 2)"
        with db.engine.begin() as c:
            c.exec_driver_sql(ins.format("'pain_nrs', NULL"))
            c.exec_driver_sql(ins.format("'psfs', 'walking'"))
            c.exec_driver_sql(ins.format("'psfs', 'lifting'"))
        for dup in ("'pain_nrs', NULL", "'psfs', 'walking'"):  # one NRS per date, one PSFS per date and activity
            with pytest.raises(sa.exc.IntegrityError):
                with db.engine.begin() as c:
                    c.exec_driver_sql(ins.format(dup))
        downgrade(db, "0001")
        assert current_revision(db) == "0001"
        with db.engine.begin() as c:
            assert c.exec_driver_sql("SELECT name FROM users").all() == [("a",)]
            assert c.exec_driver_sql("SELECT pain FROM checkins").all() == [(3,)]
            assert c.exec_driver_sql("SELECT count(*) FROM training_sessions").scalar() == 1
        assert _tables(db) == TABLES - {"clearances", "outcome_measures"}
        assert "sleep_hours" not in {c["name"] for c in sa.inspect(db.engine).get_columns("checkins")}
    finally:
        db.dispose()
