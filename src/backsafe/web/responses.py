"""How the web app answers: the one mapping from backsafe errors to HTTP status codes (:func:`status_for`) and
the server-rendered page (:func:`render`, a template with what every page shows). Used by the error handlers
(main.py) and the pages (routes/pages.py), neither of which imports the other for it."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from .._version import __version__
from ..coach.units import format_load
from ..coach.wording import DISCLAIMER
from ..errors import BacksafeError, DependencyError, InputError, NoPersonError, StorageError, UnknownExerciseError
from ..report.wording import fault_label
from . import services
from .deps import csrf_for
from .errors import AuthRequired, Conflict, Forbidden, NotFound, RateLimited, TooLarge

__all__ = ["NOTICES", "render", "see_other", "status_for", "not_found_answer"]


#: the HTTP status of each kind of backsafe error (an instance of any of its key's classes); any other: 400
_STATUS: dict[type[BacksafeError] | tuple[type[BacksafeError], ...], int] = {
    AuthRequired: 401, Forbidden: 403, NotFound: 404, Conflict: 409, TooLarge: 413, RateLimited: 429,
    (InputError, NoPersonError, UnknownExerciseError): 422, (StorageError, DependencyError): 503,
}


def status_for(exc: BacksafeError) -> int:
    """The one mapping from backsafe errors to HTTP status codes (:data:`_STATUS`)."""
    return next((code for kinds, code in _STATUS.items() if isinstance(exc, kinds)), 400)


NOTICES = {
    "signed_up": "Account created. Log in to start.",
    "welcome": "Account created; you are logged in.",
    "media_dropped": "The annotated video and key frames were deleted; the report stays.",
    "entry_saved": "Log entry changed.",
    "entry_deleted": "Log entry deleted.",
    "commented": "Comment added.",
    "password": "Password changed. Other devices were logged out.",
    "logged": "Set logged. The dashboard and plan now include it.",
    "checkin": "Check-in saved.",
    "outcome": "This week's measures saved.",
    "token": "",
    "shared": "Shared.",
    "unshared": "Sharing stopped.",
    "deleted": "Report deleted.",
    "account_deleted": "Your account and all its data were deleted.",
}


def render(request: Request, name: str, ctx: dict[str, Any] | None = None, *, status_code: int = 200,
           headers: dict[str, str] | None = None) -> Response:
    user = getattr(request.state, "user", None)
    base = {"request": request, "user": user, "csrf": csrf_for(request), "disclaimer": DISCLAIMER,
            "version": __version__, "notice": NOTICES.get(request.query_params.get("ok", ""), ""),
            "fault_label": fault_label, "exercise_name": services.exercise_name, "person_text": services.person_text,
            "load_text": format_load}
    base.update(ctx or {})
    return request.app.state.templates.TemplateResponse(request, name, base, status_code=status_code,  # type: ignore[no-any-return]
                                                        headers=headers)


def see_other(url: str) -> RedirectResponse:
    """After a form's POST: go to ``url`` with a GET (303 See Other)."""
    return RedirectResponse(url, status_code=303)


async def not_found_answer(request: Request, exc: Exception) -> Response:
    """An unknown URL (or an HTTP error raised by the framework): a page for people, JSON for the API.

    Registered by ``main.create_app`` for Starlette's HTTPException (``app.add_exception_handler``)."""
    from fastapi.exception_handlers import http_exception_handler
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException

    code = int(getattr(exc, "status_code", 404))
    detail = getattr(exc, "detail", None)
    api = request.url.path.startswith("/api/") or request.url.path in ("/api", "/openapi.json", "/health")
    if isinstance(exc, HTTPException) and (code < 400 or (api and code != 404)):
        # redirects, and the API's own errors (whose detail may be structured), answer as the framework does
        return await http_exception_handler(request, exc)
    message = ("there is no page at this address; check the link, or start again from the dashboard"
               if code == 404 else str(detail or "request refused"))
    headers = getattr(exc, "headers", None)
    path = request.url.path
    if path.startswith("/api/") or path == "/api" or path in ("/openapi.json", "/health") or \
            "application/json" in request.headers.get("accept", "") and "text/html" not in request.headers.get(
                "accept", ""):
        return JSONResponse({"detail": "not found" if code == 404 else str(detail or "request refused")},
                            status_code=code, headers=headers)
    return render(request, "error.html", {"status": code, "message": message}, status_code=code, headers=headers)
