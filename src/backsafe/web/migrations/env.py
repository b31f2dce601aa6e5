"""Alembic environment of the web tables: own version table (``alembic_version_web``), run with a connection
passed in ``config.attributes`` by :func:`backsafe.web.db.upgrade_web`."""

from __future__ import annotations

from typing import Any

from alembic import context

from backsafe.web.models import WebBase

VERSION_TABLE = "alembic_version_web"
config = context.config


def _include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    # only the web_* tables belong to this chain (users and the log are the coach's)
    if type_ == "table":
        return bool(name and name.startswith("web_"))
    return True


def run_migrations_online() -> None:
    conn = config.attributes.get("connection")
    if conn is None:
        raise SystemExit("backsafe web migrations run through backsafe.web.db.upgrade_web")
    context.configure(connection=conn, target_metadata=WebBase.metadata, version_table=VERSION_TABLE,
                      render_as_batch=True, compare_type=True, include_object=_include)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
