"""The live page (``/live``) and its WebSocket (``/live/ws``): the phone runs the pose model, the server coaches.

Protocol (JSON text messages only; a binary message closes the socket: no image or video is ever accepted)::

    page -> {"type": "start", "csrf_token", "exercise", "load_kg", "tempo", "model", "width", "height",
             "reference_id", "facing"}                        server -> {"event": "ready", ...}
    page -> {"type": "frame", "t": s, "lm": [[x, y, z, vis] * 33] | null, "world": [[x, y, z] * 33] | null}
                                                              server -> {"event": "rep" | "fault", ...} as they happen
    page -> {"type": "end"}                                   server -> last events, then {"event": "saved", ...}
    any error                                                 server -> {"event": "error", "detail"} and closes

The socket is opened by the logged-in page only: the session cookie, the page's CSRF token in ``start`` and the
Origin header (same host) are all checked, so another site cannot open it with the person's cookie.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ...errors import BacksafeError
from ...exercises import load_library
from .. import crud
from ..auth import check_csrf, hash_token
from ..deps import SESSION_COOKIE, CurrentUser, UserDep, current_user
from ..live_service import MODEL_SIZES, LiveSet, parse_start, store_live_report
from ..responses import render

__all__ = ["router", "LIVE_CSP", "LIVE_PERMISSIONS"]

router = APIRouter(include_in_schema=False)

#: the page's own policy: WebAssembly for the pose model ('wasm-unsafe-eval', not 'unsafe-eval'), the camera for
#: this origin only, the WebSocket to this origin ('self' covers ws: and wss: of the same host)
LIVE_CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
            "script-src 'self' 'wasm-unsafe-eval'; media-src 'self' blob: mediastream:; connect-src 'self'; "
            "worker-src 'self' blob:; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; "
            "object-src 'none'")
LIVE_PERMISSIONS = "camera=(self), microphone=(), geolocation=()"
MAX_MESSAGE = 64 * 1024
#: live sets open at once per person (each holds its frames in memory and runs the analysis)
MAX_OPEN_PER_USER = 2


@router.get("/live", response_class=HTMLResponse, dependencies=[Depends(current_user)])
def live_page(request: Request, user: UserDep) -> Response:
    db = request.app.state.db
    with db.session() as s:
        reports = [(r.public_id, r.exercise, r.created_at, r.rep_count) for r in crud.list_reports(s, user.id, 30)]
    exercises = sorted(((e.id, e.name) for e in load_library().values()), key=lambda x: x[1])
    resp = render(request, "live.html", {"exercises": exercises, "references": reports,
                                         "models": list(MODEL_SIZES)})
    resp.headers["content-security-policy"] = LIVE_CSP
    resp.headers["permissions-policy"] = LIVE_PERMISSIONS
    return resp


@router.get("/sw.js")
def service_worker() -> FileResponse:
    """The service worker, served from the root so that it may serve the live page's pose model from the phone's
    cache (static/sw.js: only /static/vendor/mediapipe-tasks-vision/ files are cached, never pages or reports)."""
    path = Path(str(resources.files("backsafe.web").joinpath("static", "sw.js")))
    return FileResponse(path, media_type="text/javascript", headers={"cache-control": "no-cache"})


def _socket_user(ws: WebSocket) -> CurrentUser | None:
    cookie = ws.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    h = hash_token(cookie)
    with ws.app.state.db.session() as s:
        uid = crud.session_user(s, h)
        acc = crud.get_account(s, uid) if uid is not None else None
        if acc is None:
            return None
        return CurrentUser(acc[0].id, acc[0].name, acc[1].role, acc[1].files_key, "session", h)


def _same_origin(ws: WebSocket) -> bool:
    origin = ws.headers.get("origin")
    host = ws.headers.get("host")
    if not origin or not host:
        return False
    return urlsplit(origin).netloc.lower() == host.lower()


async def _send(ws: WebSocket, msg: dict[str, Any]) -> None:
    await ws.send_text(json.dumps(msg))


async def _fail(ws: WebSocket, detail: str, code: int = 1008) -> None:
    await _send(ws, {"event": "error", "detail": detail})
    await ws.close(code=code)


async def _receive_json(ws: WebSocket) -> dict[str, Any] | None:
    """The next JSON object; None after the socket was closed because of a bad message (reason sent first)."""
    msg = await ws.receive()
    if msg["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(msg.get("code", 1000))
    if msg.get("bytes") is not None:
        await _fail(ws, "binary messages are refused: only landmark numbers are accepted, never images or video",
                    1003)
        return None
    text = msg.get("text") or ""
    if len(text) > MAX_MESSAGE:
        await _fail(ws, f"message larger than {MAX_MESSAGE // 1024} KB", 1009)
        return None
    try:
        data = json.loads(text)
    except ValueError:
        await _fail(ws, "a JSON object expected", 1003)
        return None
    if not isinstance(data, dict):
        await _fail(ws, "a JSON object expected", 1003)
        return None
    return data


@router.websocket("/live/ws")
async def live_socket(ws: WebSocket) -> None:
    user = _socket_user(ws)
    if user is None or not _same_origin(ws):
        await ws.close(code=1008)  # refused before the handshake: the browser sees a failed connection
        return
    await ws.accept()
    settings, db, storage = ws.app.state.settings, ws.app.state.db, ws.app.state.storage
    open_sets: dict[int, int] | None = getattr(ws.app.state, "live_open", None)
    if open_sets is None:
        open_sets = ws.app.state.live_open = {}
    if open_sets.get(user.id, 0) >= MAX_OPEN_PER_USER:
        await _fail(ws, f"you already have {MAX_OPEN_PER_USER} live sets open: end one first", 1013)
        return
    open_sets[user.id] = open_sets.get(user.id, 0) + 1
    try:
        await _live_set(ws, user, settings, db, storage)
    finally:
        open_sets[user.id] -= 1


async def _live_set(ws: WebSocket, user: CurrentUser, settings: Any, db: Any, storage: Any) -> None:
    try:
        first = await _receive_json(ws)
        if first is None:
            return
        if first.get("type") != "start" or not check_csrf(settings.secret_key, user.session_hash,
                                                          first.get("csrf_token")):
            await _fail(ws, "the first message must be 'start' with this page's csrf_token")
            return
        try:
            start = parse_start(first)
            live = await run_in_threadpool(LiveSet, start, user)  # imports the analysis: off the event loop
        except BacksafeError as e:
            await _fail(ws, str(e))
            return
        await _send(ws, {"event": "ready", "exercise": start.exercise, "model": start.model})
        while True:
            msg = await _receive_json(ws)
            if msg is None:
                return
            kind = msg.get("type")
            if kind == "frame":
                try:
                    events = await run_in_threadpool(live.frame, msg)
                except BacksafeError as e:
                    await _fail(ws, str(e))
                    return
                for ev in events:
                    await _send(ws, ev)
            elif kind == "end":
                break
            else:
                await _fail(ws, f"unknown message type {str(kind)[:40]!r}: expected frame or end")
                return
        for ev in await run_in_threadpool(live.finish):
            await _send(ws, ev)
        try:
            rid = await run_in_threadpool(store_live_report, db, storage, user, live)
        except BacksafeError as e:
            await _fail(ws, f"the set was not stored: {e}", 1000)
            return
        with db.session() as s:
            rep = crud.get_report(s, user.id, rid)
            out = {"event": "saved", "report_id": rid, "rep_count": rep.rep_count if rep else None,
                   "live_reps": live.analyzer.rep_count, "top_cue": rep.top_cue if rep else None,
                   "exercise": start.exercise, "model": start.model}
        await _send(ws, out)
        await ws.close(code=1000)
    except WebSocketDisconnect:
        return
