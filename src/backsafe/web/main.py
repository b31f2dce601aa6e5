"""The web app: ``create_app(settings)`` builds a FastAPI application over one database and one data folder.

Layout (after fastapi/full-stack-fastapi-template, without import-time globals)::

    main.py     create_app: state, middleware, the one BacksafeError handler, routers, static files
    config.py   Settings (pydantic-settings, BACKSAFE_* environment)
    deps.py     database, current user (cookie or bearer), CSRF
    routes/     api.py (JSON under /api), pages.py and account.py (server-rendered HTML), files.py, forms.py
    responses.py  errors to HTTP status codes, the page renderer (main and pages share them)
    jobs.py     background analysis jobs       services.py  what pages and API share
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from .._version import __version__
from ..errors import BacksafeError
from .auth import LoginLimiter, prepare_password_hashing
from .config import Settings
from .db import open_web_database
from .deps import ANON_COOKIE
from .errors import AuthRequired, RateLimited
from .jobs import AnalyzeFn, JobRunner
from .responses import render, status_for
from .storage import Storage

__all__ = ["create_app", "status_for"]

log = logging.getLogger("backsafe.web")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]

# media-src blob: the upload page shows the chosen clip's first frame from the file itself (URL.createObjectURL; a
# blob: URL is made by this page's own script and names a file already in the browser)
PAGE_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; media-src 'self' blob:; "
            "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'none'")
UPLOAD_PATHS = ("/api/jobs", "/upload")
SMALL_BODY = 1024 * 1024


class SecurityMiddleware:
    """Secure headers on every answer, the anonymous CSRF cookie when a page issued one, and body-size limits
    (a Content-Length above the limit is refused at once; a longer chunked body is cut off while streaming)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if "\x00" in path or b"%00" in scope.get("query_string", b""):
            # NUL can never be part of a valid id or parameter, and PostgreSQL refuses it in text (a 503 before)
            await _plain(send, 400, "NUL characters are not allowed in the URL")
            return
        limit = self.settings.max_upload_bytes + SMALL_BODY if path in UPLOAD_PATHS else SMALL_BODY
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _plain(send, 413, f"request body larger than {limit // (1024 * 1024)} MB")
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    # an HTTPException passes through FastAPI's body parsing unchanged (413, not 400)
                    raise HTTPException(413, f"request body larger than {limit // (1024 * 1024)} MB")
            return msg

        https = self.settings.https if self.settings.https is not None else scope.get("scheme") == "https"

        async def send_with_headers(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                hs = list(msg.get("headers") or [])
                names = {k.lower() for k, _ in hs}
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                         (b"x-frame-options", b"SAMEORIGIN"), (b"cross-origin-opener-policy", b"same-origin")]
                if b"permissions-policy" not in names:  # the live page allows its own origin the camera
                    extra.append((b"permissions-policy", b"camera=(), microphone=(), geolocation=()"))
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", PAGE_CSP.encode()))
                if https:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                if b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                anon = (scope.get("state") or {}).get("new_anon")
                if anon:
                    cookie = f"{ANON_COOKIE}={anon}; Path=/; HttpOnly; SameSite=Lax; Max-Age=86400"
                    extra.append((b"set-cookie", (cookie + ("; Secure" if https else "")).encode()))
                msg["headers"] = hs + extra
            await send(msg)

        await self.app(scope, limited_receive, send_with_headers)


async def _plain(send: Callable[[Message], Awaitable[None]], status: int, text: str) -> None:
    body = ('{"detail": "%s"}' % text).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and request.url.path not in ("/openapi.json", "/health")


def _install_handlers(app: FastAPI, templates: Jinja2Templates) -> None:
    @app.exception_handler(BacksafeError)
    async def backsafe_error(request: Request, exc: BacksafeError) -> Response:
        code = status_for(exc)
        headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, RateLimited) else None
        message = str(exc)
        if code == 503:
            # A storage error's text names the database (host, user, database name or the SQLite file's server
            # path) and the driver's message: log it, and tell the client only that it is unavailable.
            log.error("%s %s: %s", request.method, request.url.path, exc)
            message = "the database is unavailable; try again in a moment"
        if not _wants_html(request):
            return JSONResponse({"detail": message}, status_code=code, headers=headers)
        if isinstance(exc, AuthRequired) and request.method == "GET":
            return RedirectResponse("/login", status_code=303)
        return render(request, "error.html", {"status": code, "message": message}, status_code=code,
                      headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        if not _wants_html(request):
            return JSONResponse({"detail": errors}, status_code=422)
        msg = "; ".join(f"{'.'.join(str(x) for x in e['loc'][1:])}: {e['msg']}" for e in errors)
        return render(request, "error.html", {"status": 422, "message": msg}, status_code=422)


def create_app(settings: Settings | None = None, *, analyze_fn: AnalyzeFn | None = None,
               run_jobs: bool = True) -> FastAPI:
    """Build the app. ``analyze_fn`` replaces the pipeline (tests inject a fake, like httpx's MockTransport);
    ``run_jobs=False`` leaves queued jobs alone (another process runs them)."""
    settings = settings or Settings()
    db = open_web_database(settings.database_url)
    storage = Storage(Path(settings.data_dir))
    runner = JobRunner(db, storage, settings, analyze_fn) if run_jobs else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        prepare_password_hashing()
        if runner is not None:
            runner.start()
        try:
            yield
        finally:
            if runner is not None:
                runner.stop()

    app = FastAPI(title="backsafe", version=__version__, lifespan=lifespan, openapi_url="/openapi.json",
                  docs_url=None, redoc_url=None,
                  description="Film a set, get per-rep feedback that protects your lower back; plan and log "
                              "training around pain. Every route but sign-up, log-in, token and health needs a "
                              "session cookie (with X-CSRF-Token on writes) or 'Authorization: Bearer <token>'.")
    app.state.settings = settings
    app.state.db = db
    app.state.storage = storage
    app.state.runner = runner
    app.state.limiter = LoginLimiter(settings.login_max_failures, settings.login_window_s)
    templates = Jinja2Templates(directory=str(resources.files("backsafe.web").joinpath("templates")))
    app.state.templates = templates

    from .routes import account, api, live, pages, training

    app.include_router(api.public)
    app.include_router(api.router)
    app.include_router(pages.public)
    app.include_router(pages.router)
    app.include_router(training.router)
    app.include_router(account.router)
    app.include_router(live.router)
    app.mount("/static", StaticFiles(directory=str(resources.files("backsafe.web").joinpath("static"))),
              name="static")
    _install_handlers(app, templates)
    # unknown URLs: a friendly page for people, {"detail": "not found"} under /api (issue 19)
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from .responses import not_found_answer

    app.add_exception_handler(StarletteHTTPException, not_found_answer)
    app.add_middleware(SecurityMiddleware, settings=settings)
    return app
