"""Open the database for the web app: the coach's schema (``backsafe.db``) plus the web tables' own chain."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from ..db.engine import Database, open_database, undo_on_error
from ..db.migrate import MigrationChain
from ..errors import StorageError

__all__ = ["open_web_database", "upgrade_web", "downgrade_web", "web_head", "web_revision", "VERSION_TABLE"]

VERSION_TABLE = "alembic_version_web"
# How long a web transaction waits for SQLite's write lock. Every web transaction takes it (BEGIN IMMEDIATE,
# below), so under load requests queue for it: with the command line's 5 s, 60 users logging in at once while two
# analyses ran got 503 "database is locked" (tools/load_test.py); waiting longer is better than failing.
WEB_BUSY_TIMEOUT_S = 30.0


# The web tables' own chain (backsafe/web/migrations, versions in VERSION_TABLE), under its historical names.
_CHAIN = MigrationChain("backsafe.web", VERSION_TABLE)
web_head = _CHAIN.head
web_revision = _CHAIN.current
upgrade_web = _CHAIN.upgrade  # no-op when already at head
downgrade_web = _CHAIN.downgrade


def _begin_immediate(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def open_web_database(url: str | None) -> Database:
    """Open (creating and migrating if needed) the coach's tables and the web tables.

    On SQLite every transaction starts with BEGIN IMMEDIATE: the web app writes from many threads (requests, job
    heartbeats), and a deferred transaction that reads and then writes fails at once with "database is locked"
    when another connection committed in between (WAL snapshot); IMMEDIATE waits for the busy timeout instead.
    """
    db = open_database(url, busy_timeout_s=WEB_BUSY_TIMEOUT_S)
    if db.is_sqlite:
        from ..db import engine as core_engine

        if event.contains(db.engine, "begin", core_engine._sqlite_begin):
            event.remove(db.engine, "begin", core_engine._sqlite_begin)
        event.listen(db.engine, "begin", _begin_immediate)
    with undo_on_error(db.dispose, db.url, also=StorageError):
        upgrade_web(db)
    return db
