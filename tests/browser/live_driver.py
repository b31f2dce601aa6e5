"""Drive the live page in Debian's Chromium with a fake camera fed from a clip (tests/browser/test_live_page.py and
bench/run_bench.py share it).

The clip is turned into a Y4M file at run time (OpenCV; Chromium's ``--use-file-for-fake-video-capture`` reads Y4M
or MJPEG). ``slow`` > 1 writes the Y4M at 1/slow of the clip's frame rate and opens ``/live?slow=N``: on a machine
where the in-browser pose model runs slower than the clip, the camera then plays in slow motion and the page divides
its clock by N, so the server still sees the clip's own time line. The default is 1 (the clip's own speed): the
page's PoseLandmarker (CPU delegate) keeps up in headless Chromium on a 2-core machine.

Everything the page sends is recorded: every HTTP request (method, URL, body size and first bytes) and every
WebSocket frame, for the privacy assertions.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from webhelpers import stop_process  # noqa: E402  (tests/web's helpers: the same server stop as the https tests)

CHROMIUM = Path(os.environ.get("BACKSAFE_CHROMIUM", "/usr/bin/chromium"))
BASE_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update"]
PASSWORD = "a long test passphrase"


def make_y4m(clip: Path, out: Path, *, width: int = 304, slow: float = 1.0) -> tuple[float, int, float]:
    """Write ``clip`` as a 4:2:0 Y4M of ``width`` px (even sizes) at about the clip's frame rate / ``slow``.

    Chromium reads the Y4M frame rate as a whole number (F4995:1000 played at 4 fps: the set's clock ran 25 %
    slow), so the header says a whole number of frames a second and the slow-down actually obtained is returned.
    Returns (the clip's duration in seconds, frames, the slow-down: clip fps / played fps)."""
    import cv2

    cap = cv2.VideoCapture(str(clip))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    w0, h0 = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    w = width - width % 2
    h = int(round(h0 * w / w0)) // 2 * 2
    played = max(1, int(round(fps / slow)))
    n = 0
    with out.open("wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F{played}:1 Ip A1:1 C420jpeg\n".encode())
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            small = cv2.resize(bgr, (w, h), interpolation=cv2.INTER_AREA)
            f.write(b"FRAME\n")
            f.write(cv2.cvtColor(small, cv2.COLOR_BGR2YUV_I420).tobytes())
            n += 1
    cap.release()
    return n / fps, n, fps / played


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(tmp: Path) -> Iterator[str]:
    """``backsafe serve`` on a free loopback port with a fresh SQLite database and data folder."""
    import httpx

    port = _free_port()
    exe = Path(sys.executable).with_name("backsafe")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from backsafe.cli import main; main()"]
    if os.environ.get("PYTHONPATH"):  # a worktree's src first (the venv's console script may point elsewhere)
        cmd = [sys.executable, "-c", "from backsafe.cli import main; main()"]
    env = {**os.environ, "BACKSAFE_DATABASE_URL": f"sqlite:///{tmp / 'web.sqlite3'}",
           "BACKSAFE_DATA_DIR": str(tmp / "data"), "BACKSAFE_SECRET_KEY": "live-" + "k" * 44,
           "BACKSAFE_WORKERS": "1"}
    log = tmp / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd + ["serve", "--host", "127.0.0.1", "--port", str(port), "--log-level",
                                       "warning"], env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    t0 = time.monotonic()
    while True:
        try:
            if httpx.get(url + "/api/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() - t0 > 60:
            raise AssertionError("server did not start:\n" + log.read_text())
        time.sleep(0.2)
    try:
        yield url
    finally:
        stop_process(proc)


@dataclass
class Sent:
    """What left the page."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    ws_sent: list[str | bytes] = field(default_factory=list)
    ws_received: list[str | bytes] = field(default_factory=list)
    ws_urls: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


def sign_up_and_log_in(page: Any, base: str, name: str = "alice") -> None:
    page.goto(base + "/signup")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("#signup-form button[type=submit]")
    # signed up = logged in (issue 19): the dashboard, with its welcome note in the query
    page.wait_for_url(re.compile(r".*/dashboard(\?.*)?$"))


def run_live_set(base: str, y4m: Path, clip_duration_s: float, *, slow: float = 1.0, exercise: str = "back_squat",
                 model: str = "auto", viewport: dict[str, int] | None = None, shots: Path | None = None,
                 timeout_s: float = 600.0, person: str = "auto", facing: str = "environment", user: str = "alice",
                 during: Callable[[Any], None] | None = None, pw: Any = None) -> dict[str, Any]:
    """Sign up (as ``user``), open /live, start a set (``person``: who to coach; ``facing``: the camera, "user"
    mirrors the preview), let the fake camera play the clip once (``during(page)`` once the first frame is in),
    end the set, wait for it to be stored. ``pw``: a running Playwright to launch Chromium from (else its own). Returns the page's state (events with their page latency, the saved report), what was sent, the
    cue shown and the rep count shown."""
    from playwright.sync_api import sync_playwright

    sent = Sent()
    args = BASE_ARGS + ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                        f"--use-file-for-fake-video-capture={y4m}"]
    with ExitStack() as stack:
        # one Playwright per thread: a test passes the session's (conftest ``pw``), which a second sync_playwright()
        # in the same worker would refuse ("Sync API inside the asyncio loop"); the benchmark starts its own
        p = pw if pw is not None else stack.enter_context(sync_playwright())
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            # service workers blocked: a request a worker makes would bypass the page's request log (static/sw.js
            # only caches the pose model's files, tests/web/test_live_socket.py checks it)
            ctx = browser.new_context(viewport=viewport or {"width": 390, "height": 844}, permissions=["camera"],
                                      service_workers="block")
            page = ctx.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))

            def on_request(r: Any) -> None:
                body = r.post_data_buffer
                sent.requests.append({"method": r.method, "url": r.url, "size": len(body or b""),
                                      "head": bytes(body[:16]) if body else b""})

            def route(r: Any) -> None:
                url = r.request.url
                if url.startswith((base + "/", "data:", "blob:")) or url == base:
                    r.continue_()
                else:
                    sent.outside.append(url)
                    r.abort()

            def on_ws(ws: Any) -> None:
                sent.ws_urls.append(ws.url)
                ws.on("framesent", lambda payload: sent.ws_sent.append(payload))
                ws.on("framereceived", lambda payload: sent.ws_received.append(payload))

            page.on("request", on_request)
            page.on("websocket", on_ws)
            page.route("**/*", route)
            sign_up_and_log_in(page, base, user)
            page.goto(f"{base}/live" + (f"?slow={slow:g}" if slow != 1 else ""))
            if model != "auto":
                page.select_option("#live-model", model)
            page.select_option("#live-exercise", exercise)
            page.select_option("#live-person", person)
            page.select_option("#live-facing", facing)
            page.click("#live-start")
            t_start = time.monotonic()
            page.wait_for_function("() => window.backsafeLive.t0 !== null || window.backsafeLive.error",
                                   timeout=timeout_s * 1000)
            if shots is not None:  # mid-set: the skeleton over the picture, the rep count, a cue
                page.wait_for_function(f"() => window.backsafeLive.t >= {clip_duration_s * 0.6} || "
                                       "window.backsafeLive.error", timeout=timeout_s * 1000, polling=100)
                page.screenshot(path=str(shots / "live_running.png"))
            if during is not None:
                during(page)
            # one pass of the clip (the fake camera loops it), then end the set as the person would
            page.wait_for_function(f"() => window.backsafeLive.t >= {clip_duration_s - 0.15} || "
                                   "window.backsafeLive.error", timeout=timeout_s * 1000, polling=50)
            page.click("#live-stop")
            state_running = page.evaluate("() => ({t: backsafeLive.t, frames: backsafeLive.frames})")
            page.wait_for_function("() => window.backsafeLive.saved || window.backsafeLive.error",
                                   timeout=timeout_s * 1000)
            wall = time.monotonic() - t_start
            state = page.evaluate("() => window.backsafeLive")
            cue = page.inner_text("#live-cue")
            saved_cue = page.inner_text("#live-saved-cue") if page.is_visible("#live-saved-cue") else ""
            log_href = page.get_attribute("#live-log", "href")
            if shots is not None:
                page.screenshot(path=str(shots / "live_saved.png"), full_page=True)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            ctx.close()
        finally:
            browser.close()
    return {"state": state, "running": state_running, "sent": sent, "cue": cue, "saved_cue": saved_cue,
            "errors": errors, "wall_s": wall, "log_href": log_href, "doc_width": width}


def page_latencies(state: dict[str, Any]) -> list[float]:
    """Wall seconds from each rep's end frame being captured to its rep event arriving on the page."""
    return [float(e["page_latency_s"]) for e in state["events"] if e.get("event") == "rep" and
            "page_latency_s" in e]


def parse_ws(frames: list[str | bytes]) -> list[dict[str, Any]]:
    out = []
    for f in frames:
        assert isinstance(f, str), f"a binary WebSocket frame left the page ({len(f)} bytes)"
        out.append(json.loads(f))
    return out
