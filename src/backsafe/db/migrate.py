"""Run the packaged Alembic migrations programmatically (no alembic.ini needed by users).

Every function takes an open database as anything with an ``engine`` (:class:`backsafe.db.engine.Database`, the
web app's database): this module needs only the engine, so it does not import engine.py, which runs
:func:`upgrade` when it opens a database (the two used to import each other).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

__all__ = ["MigrationChain", "COACH_CHAIN", "alembic_config", "upgrade", "downgrade", "current_revision", "head_revision"]


class HasEngine(Protocol):
    """What the migrations need of an open database: its SQLAlchemy engine."""

    @property
    def engine(self) -> Engine: ...


@dataclass(frozen=True, slots=True)
class MigrationChain:
    """One chain of Alembic migrations, packaged in ``<package>/migrations``, that records its revision in
    ``version_table``: the coach's chain (:data:`COACH_CHAIN`) and the web app's own (``backsafe.web.db``)."""

    package: str
    version_table: str = "alembic_version"

    def config(self) -> Config:
        """An Alembic config pointing at the chain's ``migrations`` folder inside the installed package."""
        cfg = Config()
        cfg.set_main_option("script_location", str(resources.files(self.package).joinpath("migrations")))
        return cfg

    def head(self) -> str:
        return ScriptDirectory.from_config(self.config()).get_heads()[0]

    def current(self, db: HasEngine) -> str | None:
        with db.engine.connect() as conn:
            opts = {"version_table": self.version_table}
            return MigrationContext.configure(conn, opts=opts).get_current_revision()

    def upgrade(self, db: HasEngine, revision: str = "head") -> None:
        """Migrate up to ``revision`` (no-op when already there), in one transaction."""
        if revision == "head" and self.current(db) == self.head():
            return
        run_in_transaction(db, self.config(), command.upgrade, revision)

    def downgrade(self, db: HasEngine, revision: str = "base") -> None:
        run_in_transaction(db, self.config(), command.downgrade, revision)


COACH_CHAIN = MigrationChain("backsafe")


def alembic_config() -> Config:
    """An Alembic config pointing at ``backsafe/migrations`` inside the installed package."""
    return COACH_CHAIN.config()


def head_revision() -> str:
    return COACH_CHAIN.head()


def current_revision(db: HasEngine) -> str | None:
    return COACH_CHAIN.current(db)


def upgrade(db: HasEngine, revision: str = "head") -> None:
    """Migrate up to ``revision`` (no-op when already there), in one transaction."""
    COACH_CHAIN.upgrade(db, revision)


def downgrade(db: HasEngine, revision: str = "base") -> None:
    """Migrate down to ``revision`` (``base`` drops every backsafe table)."""
    COACH_CHAIN.downgrade(db, revision)


def run_in_transaction(db: HasEngine, cfg: Any, step: Any, revision: str) -> None:
    """Run an Alembic ``command.upgrade``/``downgrade`` for ``cfg`` on ``db`` in one transaction (shared by the
    coach's chain and the web app's own chain)."""
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        step(cfg, revision)
