"""Alembic environment for backsafe: always run with a connection passed in ``config.attributes``.

backsafe calls :func:`backsafe.db.migrate.upgrade`; developers can generate a new revision with
``alembic -x url=sqlite:///dev.db revision --autogenerate`` from a config whose script_location is this folder.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from backsafe.db.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite needs batch mode for ALTER
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    conn = config.attributes.get("connection")
    if conn is not None:
        _run(conn)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("pass -x url=... or set sqlalchemy.url")
    engine = create_engine(url)
    with engine.begin() as c:
        _run(c)


if context.is_offline_mode():
    raise SystemExit("backsafe migrations run online only")
run_migrations_online()
