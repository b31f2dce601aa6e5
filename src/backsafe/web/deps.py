"""Request dependencies: the database, the current user (session cookie or bearer token), CSRF checks."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from ..db.engine import Database
from . import crud
from .auth import check_csrf, csrf_token, hash_token
from .config import Settings
from .errors import AuthRequired, Forbidden, NotFound
from .storage import Storage

__all__ = ["SESSION_COOKIE", "ANON_COOKIE", "CurrentUser", "get_settings", "get_db", "get_storage", "db_session",
           "optional_user", "current_user", "coach_user", "csrf_binding", "csrf_for", "verify_csrf", "UserDep",
           "OptionalUserDep", "SettingsDep", "DbDep", "StorageDep", "SessionDep", "client_address", "owned_or_404",
           "readable_owner", "RowId"]

# An integer id in a path: bounded to the database's INTEGER range, else a huge number reached the driver and
# crashed the request with a 500 (SQLite OverflowError, PostgreSQL NumericValueOutOfRange; found by schemathesis).
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]

SESSION_COOKIE = "bs_session"
ANON_COOKIE = "bs_anon"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class CurrentUser:
    id: int
    name: str
    role: str
    files_key: str
    via: str  # "session" | "token"
    session_hash: str | None = None

    @property
    def is_coach(self) -> bool:
        return self.role == "coach"


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_db(request: Request) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def get_storage(request: Request) -> Storage:
    return request.app.state.storage  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(get_settings)]
DbDep = Annotated[Database, Depends(get_db)]
StorageDep = Annotated[Storage, Depends(get_storage)]


def db_session(db: DbDep) -> Iterator[Session]:
    """One transaction per request (committed when the route returns without error)."""
    with db.session() as s:
        yield s


SessionDep = Annotated[Session, Depends(db_session)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return None


def optional_user(request: Request, db: DbDep) -> CurrentUser | None:
    """The caller: a bearer token wins over a session cookie; None when neither is valid."""
    if hasattr(request.state, "user"):
        return request.state.user  # type: ignore[no-any-return]
    user: CurrentUser | None = None
    token = _bearer(request)
    with db.session() as s:
        if token is not None:
            uid = crud.token_user(s, hash_token(token))
            if uid is None:
                request.state.user = None
                raise AuthRequired("the bearer token is not valid (revoked or mistyped)")
            acc = crud.get_account(s, uid)
            if acc:
                user = CurrentUser(acc[0].id, acc[0].name, acc[1].role, acc[1].files_key, "token")
        else:
            cookie = request.cookies.get(SESSION_COOKIE)
            if cookie:
                h = hash_token(cookie)
                uid = crud.session_user(s, h)
                acc = crud.get_account(s, uid) if uid is not None else None
                if acc:
                    user = CurrentUser(acc[0].id, acc[0].name, acc[1].role, acc[1].files_key, "session", h)
    request.state.user = user
    return user


OptionalUserDep = Annotated[CurrentUser | None, Depends(optional_user)]


def current_user(user: OptionalUserDep) -> CurrentUser:
    if user is None:
        raise AuthRequired("log in first (session cookie or 'Authorization: Bearer <token>')")
    return user


UserDep = Annotated[CurrentUser, Depends(current_user)]


def coach_user(user: UserDep) -> CurrentUser:
    if not user.is_coach:
        raise Forbidden("only coach accounts have a coach view")
    return user


# --- CSRF ----------------------------------------------------------------------------------------------------------

def csrf_binding(request: Request) -> str | None:
    user = getattr(request.state, "user", None)
    if user is not None and user.session_hash:
        return str(user.session_hash)
    return request.cookies.get(ANON_COOKIE) or getattr(request.state, "new_anon", None)


def csrf_for(request: Request) -> str:
    """The token to put in this page's forms (issues an anonymous cookie when the visitor has none)."""
    binding = csrf_binding(request)
    if binding is None:
        binding = secrets.token_urlsafe(24)
        request.state.new_anon = binding  # the response middleware sets the cookie
    return csrf_token(request.app.state.settings.secret_key, binding)


async def verify_csrf(request: Request, user: OptionalUserDep) -> None:
    """Unsafe requests authenticated by cookie must carry the form field ``csrf_token`` or header X-CSRF-Token.
    Bearer-token requests carry no ambient credential and need none."""
    if request.method not in UNSAFE or (user is not None and user.via == "token"):
        return
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not check_csrf(request.app.state.settings.secret_key, csrf_binding(request), given):
        raise Forbidden("the form's security token is missing or out of date; reload the page and try again")


def owned_or_404(obj: Any, user_id: int, what: str) -> Any:
    if obj is None or getattr(obj, "user_id", None) != user_id:
        raise NotFound(f"{what} not found")
    return obj


def readable_owner(s: Session, user: CurrentUser, owner_id: int) -> bool:
    """May ``user`` read data of ``owner_id``? Their own, or a coach the owner shares with."""
    return owner_id == user.id or (user.is_coach and crud.is_shared(s, owner_id, user.id))
