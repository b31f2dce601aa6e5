"""Accounts: sign-up, log-in (with the growing delay), password change, deletion that leaves nothing behind."""

from __future__ import annotations

from ...db.engine import Database
from ...errors import ValueRangeError
from .. import crud
from ..auth import SESSION_TOKEN_PREFIX, LoginLimiter, check_password_strength, check_user_name, hash_password, hash_token, needs_rehash, new_token, verify_password
from ..config import Settings
from ..deps import CurrentUser
from ..errors import AuthRequired, Conflict
from ..jobs import JobRunner
from ..storage import Storage


def sign_up(db: Database, name: str, password: str, role: str) -> int:
    name = check_user_name(name)
    check_password_strength(password, name)
    if role not in ("person", "coach"):
        raise ValueRangeError(f"role {role!r}: expected person or coach")
    pw_hash = hash_password(password)
    with db.session() as s:
        if crud.get_user_by_name(s, name) is not None:
            raise Conflict(f"the user name {name!r} is taken; pick another")
        user, _ = crud.create_account(s, name, pw_hash, role)
        return int(user.id)


# argon2id costs ~0.5 s of CPU a hash. Passwords are hashed and verified OUTSIDE any database transaction: on
# SQLite every web transaction takes the write lock (BEGIN IMMEDIATE, see db.py), so a hash inside one held the
# lock for every other request, and 50 users logging in at once made requests wait past the 5 s busy timeout
# (503 "database is locked", found by tools/load_test.py). The second transaction re-reads the stored hash and
# refuses if it changed in between (a concurrent password change or account deletion).

def _stored_hash(db: Database, *, name: str | None = None, user_id: int | None = None) -> tuple[int, str] | None:
    with db.session() as s:
        found = crud.find_account(s, name) if name is not None else crud.get_account(s, int(user_id or 0))
        return (int(found[0].id), str(found[1].password_hash)) if found else None


def _lookup_name(name: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKC", name)
    return "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Cc")).strip()


def log_in(db: Database, limiter: LoginLimiter, settings: Settings, name: str, password: str, address: str,
           *, old_session: str | None = None, trusted: bool = False) -> tuple[str, int]:
    """Check the password (rate-limited) and open a NEW session; the old one, if any, is ended (no fixation)."""
    # the limits count the normalised name ("alice", "alice ", "Alice" and "alice\u200b" are one counter), and
    # the account is looked up by the same spelling the sign-up stored (NFKC, stripped)
    limiter.check(name, address, trusted=trusted)
    found = _stored_hash(db, name=_lookup_name(name))
    ok = verify_password(found[1] if found else None, password)  # the same cost for an unknown name
    if not ok or found is None:
        limiter.failed(name, address, trusted=trusted)
        raise AuthRequired("user name or password is wrong")
    uid, stored = found
    rehashed = hash_password(password) if needs_rehash(stored) else None
    with db.session() as s:
        acc = crud.get_account(s, uid)
        if acc is None or acc[1].password_hash != stored:
            raise AuthRequired("user name or password is wrong")
        if rehashed:
            acc[1].password_hash = rehashed
        if old_session:
            crud.delete_session(s, hash_token(old_session))
        token = new_token(SESSION_TOKEN_PREFIX)
        crud.create_session(s, uid, hash_token(token), settings.session_days)
    limiter.succeeded(name, trusted=trusted)
    return token, uid


def change_password(db: Database, user: CurrentUser, current: str, new: str, session_days: int = 14) -> str | None:
    """Set a new password; every other session ends; the caller's session is replaced (new token returned)."""
    check_password_strength(new, user.name)
    found = _stored_hash(db, user_id=user.id)
    if found is None or not verify_password(found[1], current):
        raise AuthRequired("the current password is wrong")
    new_hash = hash_password(new)
    with db.session() as s:
        acc = crud.get_account(s, user.id)
        if acc is None or acc[1].password_hash != found[1]:
            raise AuthRequired("the password was changed meanwhile; log in again")
        acc[1].password_hash = new_hash
        acc[1].password_changed_at = crud.utcnow()
        crud.delete_user_sessions(s, user.id)
        if user.via != "session":
            return None
        token = new_token(SESSION_TOKEN_PREFIX)
        crud.create_session(s, user.id, hash_token(token), session_days)
        return token


def delete_account(db: Database, storage: Storage, user: CurrentUser, password: str,
                   runner: JobRunner | None = None) -> None:
    """Delete every row of the user (log, reports, jobs, sessions, tokens, shares, account) and all their files;
    their running analyses stop; on SQLite the file and its log are rewritten without them (scrub_database)."""
    found = _stored_hash(db, user_id=user.id)
    if found is None or not verify_password(found[1], password):
        raise AuthRequired("the password is wrong; nothing was deleted")
    with db.session() as s:
        acc = crud.get_account(s, user.id)
        if acc is None or acc[1].password_hash != found[1]:
            raise AuthRequired("the password was changed meanwhile; nothing was deleted")
        crud.delete_user_everything(s, user.id)  # a running job sees its row gone and stops (jobs.JobCancelled)
    if runner is not None:
        runner.forget_user(user.id)
    storage.delete_user(user.files_key)
    scrub_database(db)


def scrub_database(db: Database) -> None:
    """Leave no deleted personal data in the database files. SQLite keeps deleted rows in free pages of the file
    and in the write-ahead log until they are reused: VACUUM rewrites the file without them and a TRUNCATE
    checkpoint empties the log (retried while another connection still reads an older snapshot)."""
    if not db.is_sqlite:
        return
    import time as _time

    raw = db.engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("VACUUM")
        for _ in range(50):
            busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy or not busy[0]:
                break
            _time.sleep(0.1)
    finally:
        raw.close()
