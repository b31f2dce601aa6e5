"""The account page (server-rendered): profile settings, password, API tokens, sharing with a coach, deleting the
account and all its data."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from ...errors import BacksafeError
from .. import crud, services
from ..auth import API_TOKEN_PREFIX, hash_token, new_token
from ..deps import SESSION_COOKIE, DbDep, RowId, SettingsDep, StorageDep, UserDep, current_user, verify_csrf
from ..errors import NotFound
from ..responses import render, see_other, status_for
from .api import set_session_cookie
from .forms import opt_int

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(current_user), Depends(verify_csrf)])
Html = HTMLResponse


def _account_ctx(user: Any, db: Any) -> dict[str, Any]:
    profile = services.profile_out(services.logbook(db, user.name).profile())
    with db.session() as s:
        return {"tokens": list(crud.list_api_tokens(s, user.id)), "shares": crud.list_shares(s, user.id),
                "profile": profile}


@router.post("/account/profile", response_class=Html)
async def account_profile(request: Request, user: UserDep, db: DbDep) -> Response:
    """The settings form: an empty field keeps its value; an empty equipment field goes back to the usual steps."""
    form = await request.form()

    def field(name: str, limit: int = 32) -> str | None:
        v = str(form.get(name) or "").strip()[:limit]
        return v or None

    # the form showed the equipment in the stored unit: a bare number keeps that unit even if the unit changes now
    shown_unit = services.logbook(db, user.name).profile().unit
    equipment: dict[str, list[str]] = {}
    for kind in ("dumbbell", "kettlebell", "barbell"):
        raw = str(form.get(f"equipment_{kind}") or "")[:400]
        items = [x.strip() for x in raw.replace(";", ",").split(",") if x.strip()]
        equipment[kind] = [x + shown_unit if x.replace(".", "", 1).isdigit() else x for x in items]
    age = field("age_years", 8)
    try:
        services.set_profile(db, user.name, {
            "unit": field("unit", 8), "body_mass": field("body_mass", 16), "sex": field("sex", 16),
            "default_tempo": field("default_tempo"), "wake_time": field("wake_time", 8),
            "age_years": opt_int(age) if age else None, "equipment": equipment})
    except BacksafeError as e:
        return render(request, "account.html", {**_account_ctx(user, db), "error": str(e)},
                      status_code=status_for(e))
    return render(request, "account.html", {**_account_ctx(user, db), "profile_saved": True})


@router.get("/account", response_class=Html)
def account_page(request: Request, user: UserDep, db: DbDep) -> Response:
    return render(request, "account.html", _account_ctx(user, db))


@router.post("/account/password", response_class=Html)
def account_password(request: Request, user: UserDep, db: DbDep, settings: SettingsDep,
                     current_password: Annotated[str, Form(max_length=256)],
                     new_password: Annotated[str, Form(max_length=256)]) -> Response:
    try:
        token = services.change_password(db, user, current_password, new_password, settings.session_days)
    except BacksafeError as e:
        return render(request, "account.html", {**_account_ctx(user, db), "error": str(e)},
                      status_code=status_for(e))
    resp = see_other("/account?ok=password")
    if token:
        set_session_cookie(request, resp, token, settings.session_days, settings.https)
    return resp


@router.post("/account/tokens", response_class=Html)
def account_token(request: Request, user: UserDep, db: DbDep,
                  token_name: Annotated[str, Form(min_length=1, max_length=100)]) -> Response:
    token = new_token(API_TOKEN_PREFIX)
    with db.session() as s:
        crud.create_api_token(s, user.id, token_name, hash_token(token))
    return render(request, "account.html", {**_account_ctx(user, db), "new_token": token})


@router.post("/account/tokens/{token_id}/revoke")
def account_token_revoke(token_id: RowId, user: UserDep, db: DbDep) -> Response:
    with db.session() as s:
        if not crud.delete_api_token(s, user.id, token_id):
            raise NotFound("token not found")
    return see_other("/account")


@router.post("/account/shares")
def account_share(user: UserDep, db: DbDep, coach: Annotated[str, Form(max_length=100)]) -> Response:
    services.share_with(db, user, coach)
    return see_other("/account?ok=shared")


@router.post("/account/shares/revoke")
def account_unshare(user: UserDep, db: DbDep, coach: Annotated[str, Form(max_length=100)]) -> Response:
    services.unshare(db, user, coach)
    return see_other("/account?ok=unshared")


@router.post("/account/delete")
def account_delete(request: Request, user: UserDep, db: DbDep, storage: StorageDep,
                   password: Annotated[str, Form(max_length=256)]) -> Response:
    services.delete_account(db, storage, user, password, request.app.state.runner)
    resp = see_other("/login?ok=account_deleted")
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp
