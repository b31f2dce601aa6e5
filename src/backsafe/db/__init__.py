"""The training log database: SQLAlchemy 2 models, engine/session setup with Alembic migrations, and CRUD.

Every table that holds a person's data has a ``user_id`` column and every query in :mod:`backsafe.db.crud`
filters by it: the CLI uses one local user, the web app will use many.
"""

from __future__ import annotations

from .engine import (
    Database,
    DatabaseFolderMissingError,
    DatabaseURLError,
    default_database_url,
    open_database,
    resolve_database_url,
)
from .models import Base

__all__ = [
    "Base",
    "Database",
    "DatabaseFolderMissingError",
    "DatabaseURLError",
    "default_database_url",
    "open_database",
    "resolve_database_url",
]
