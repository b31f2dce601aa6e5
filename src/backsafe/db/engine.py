"""Open the training-log database: resolve the URL, create the engine, run migrations on first use.

URL resolution: an explicit ``--db URL``, else ``BACKSAFE_DATABASE_URL``, else a SQLite file in the platformdirs
user data directory. ``postgresql://`` URLs use psycopg 3. SQLite runs in WAL mode with foreign keys on and a short
busy timeout, so a file locked by another program gives a clear :class:`~backsafe.errors.StorageError` instead
of hanging.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from ..errors import InputError, StorageError

__all__ = [
    "ENV_DATABASE_URL",
    "Database",
    "DatabaseURLError",
    "DatabaseFolderMissingError",
    "default_database_url",
    "resolve_database_url",
    "open_database",
    "describe_url",
    "map_db_error",
    "undo_on_error",
]

ENV_DATABASE_URL = "BACKSAFE_DATABASE_URL"
DEFAULT_BUSY_TIMEOUT_S = 5.0


class DatabaseURLError(StorageError, InputError):
    """A database URL that cannot be parsed or names an unsupported backend (CLI exit 3)."""


class DatabaseFolderMissingError(StorageError, InputError):
    """An explicit SQLite URL whose folder does not exist (CLI exit 3): a typo in ``--db`` must not silently create
    folders; only the default file in the user data directory creates its own folder."""


def default_database_url() -> str:
    """SQLite file ``backsafe.sqlite3`` in the user data directory (the folder is created on first use)."""
    import platformdirs

    data_dir = Path(platformdirs.user_data_dir("backsafe", appauthor=False))
    return f"sqlite:///{data_dir / 'backsafe.sqlite3'}"


def resolve_database_url(url: str | None = None) -> str:
    """The URL to use: explicit > ``BACKSAFE_DATABASE_URL`` > the default SQLite file."""
    if url:
        return url
    from .. import settings

    return settings.database_url() or default_database_url()


def describe_url(url: URL | str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        u = make_url(url) if isinstance(url, str) else url
    except Exception:  # noqa: BLE001 - only for display
        return "<unparseable URL>"
    return u.render_as_string(hide_password=True)


def _parse_url(text: str) -> URL:
    try:
        url = make_url(text)
    except (exc.ArgumentError, ValueError) as e:
        raise DatabaseURLError(
            f"database URL {text!r} cannot be parsed; expected e.g. sqlite:///path/log.db or "
            "postgresql://user@host:5432/dbname"
        ) from e
    backend = url.get_backend_name()
    if backend == "postgresql":
        if url.drivername in ("postgresql", "postgresql+psycopg2", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise DatabaseURLError(
            f"database URL {describe_url(url)}: backend {backend!r} is not supported; use sqlite:/// or postgresql://"
        )
    return url


def map_db_error(e: BaseException, url: URL | str) -> StorageError:
    """Turn a SQLAlchemy/DBAPI error into a one-line StorageError that says what to do."""
    where = describe_url(url)
    text = str(getattr(e, "orig", None) or e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    low = text.lower()
    if "database is locked" in low or "database table is locked" in low:
        return StorageError(
            f"{where}: the database file is locked by another program; close it (or wait) and try again. "
            "Nothing was written."
        )
    if "unable to open database" in low:
        return StorageError(f"{where}: cannot open the database file ({text}); check the path and permissions")
    if "connection" in low and ("refused" in low or "failed" in low) or "could not translate host" in low:
        return StorageError(f"{where}: cannot connect to the database server ({text}); is it running?")
    if "file is not a database" in low:
        return StorageError(f"{where}: the file is not a SQLite database; point --db at another file")
    return StorageError(f"{where}: database error: {text}")


@contextmanager
def undo_on_error(
    undo: Callable[[], object], url: URL | str, *, also: type[BaseException] = BaseException
) -> Iterator[None]:
    """Call ``undo`` (roll back, dispose) when the block fails with a database error, then raise it as a
    StorageError (:func:`map_db_error`); an ``also`` error is undone too and raised as it is."""
    try:
        yield
    except exc.SQLAlchemyError as e:
        undo()
        raise map_db_error(e, url) from e
    except also:
        undo()
        raise


@dataclass
class Database:
    """An open training-log database: engine plus a session factory; migrated to the newest schema."""

    url: URL
    engine: Engine
    _factory: sessionmaker[Session] = field(repr=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: commits on success, rolls back on any error (so a failed write leaves the log unchanged)."""
        s = self._factory()
        try:
            with undo_on_error(s.rollback, self.url):
                yield s
                s.commit()
        finally:
            s.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(busy_timeout_s: float) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Python's sqlite3 starts transactions lazily; let SQLAlchemy issue BEGIN itself (see "pysqlite
        # serializable" in the SQLAlchemy docs) so writes are properly transactional.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        try:
            cur.execute("PRAGMA journal_mode=WAL")
        finally:
            cur.close()

    return on_connect


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def open_database(
    url: str | None = None, *, migrate: bool = True, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S
) -> Database:
    """Open (and by default migrate to the newest schema) the training-log database.

    Parameters
    ----------
    url : str or None
        SQLAlchemy URL; None resolves via :func:`resolve_database_url`.
    migrate : bool
        Run the packaged Alembic migrations up to head (a no-op when already there).
    busy_timeout_s : float
        SQLite only: how long to wait for a lock held by another program before giving up.

    Raises
    ------
    DatabaseURLError
        The URL cannot be parsed or names an unsupported backend.
    DatabaseFolderMissingError
        An explicit SQLite URL (``url`` or ``BACKSAFE_DATABASE_URL``) names a folder that does not exist; only the
        default file in the user data directory creates its folder.
    StorageError
        The database cannot be reached, opened or migrated.
    """
    text = resolve_database_url(url)
    is_default = text == default_database_url()
    parsed = _parse_url(text)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        db_path = parsed.database
        if db_path and db_path != ":memory:" and not db_path.startswith("file:"):
            parent = Path(db_path).expanduser().parent
            if is_default:
                try:
                    parent.mkdir(parents=True, exist_ok=True)
                except OSError as e:
                    raise StorageError(f"{describe_url(parsed)}: cannot create folder {parent}: {e.strerror}") from e
            elif not parent.is_dir():
                what = "is not a folder" if parent.exists() else "does not exist"
                raise DatabaseFolderMissingError(
                    f"{describe_url(parsed)}: the folder {parent} {what}; create it first or point --db at an "
                    "existing folder. Nothing was written.")
        kwargs["connect_args"] = {"timeout": busy_timeout_s}
    else:
        kwargs["pool_pre_ping"] = True
        kwargs["connect_args"] = {"connect_timeout": 10}
    try:
        engine = create_engine(parsed, **kwargs)
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError) as e:
        hint = ("; a PostgreSQL log needs its extra: pip install 'backsafe[postgres]'"
                if parsed.get_backend_name() == "postgresql" and isinstance(e, ImportError) else "")
        raise DatabaseURLError(f"database URL {describe_url(parsed)}: {e}{hint}") from e
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_s))
        event.listen(engine, "begin", _sqlite_begin)
    db = Database(url=parsed, engine=engine, _factory=sessionmaker(engine, expire_on_commit=False))
    if migrate:
        from .migrate import upgrade

        with undo_on_error(engine.dispose, parsed, also=StorageError):
            upgrade(db)
    return db
