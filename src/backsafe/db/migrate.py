"""Run the packaged Alembic migrations programmatically (no alembic.ini needed by users).

Every function takes an open database as anything with an ``engine`` (:class:`backsafe.db.engine.Database`, the
web app's database): this module needs only the engine, so it does not import engine.py, which runs
:func:`upgrade` when it opens a database (the two used to import each other).
"""

from __future__ import annotations

from typing import Any, Protocol

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

__all__ = ["alembic_config", "upgrade", "downgrade", "current_revision", "head_revision"]


class HasEngine(Protocol):
    """What the migrations need of an open database: its SQLAlchemy engine."""

    @property
    def engine(self) -> Engine: ...


def alembic_config() -> Config:
    """An Alembic config pointing at ``backsafe/migrations`` inside the installed package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("backsafe").joinpath("migrations")))
    return cfg


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return heads[0]


def current_revision(db: HasEngine) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(db: HasEngine, revision: str = "head") -> None:
    """Migrate up to ``revision`` (no-op when already there), in one transaction."""
    if revision == "head" and current_revision(db) == head_revision():
        return
    run_in_transaction(db, alembic_config(), command.upgrade, revision)


def downgrade(db: HasEngine, revision: str = "base") -> None:
    """Migrate down to ``revision`` (``base`` drops every backsafe table)."""
    run_in_transaction(db, alembic_config(), command.downgrade, revision)


def run_in_transaction(db: HasEngine, cfg: Any, step: Any, revision: str) -> None:
    """Run an Alembic ``command.upgrade``/``downgrade`` for ``cfg`` on ``db`` in one transaction (shared by the
    coach's chain and the web app's own chain)."""
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        step(cfg, revision)
