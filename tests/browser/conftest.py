"""Headless Chromium (Debian's package) driven by Playwright. No browser is ever downloaded: without
/usr/bin/chromium (or $BACKSAFE_CHROMIUM) or the playwright package the tests skip, except under CI=true where
they fail."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "unit" / "report"))  # report_synth: the fallback report
sys.path.insert(0, str(REPO / "tests" / "web"))  # fakes: the fake analysis of fake_server

CHROMIUM = Path(os.environ.get("BACKSAFE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


def _need(ok: bool, reason: str) -> None:
    if ok:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} — and CI=true, so this is an error (apt-get install chromium; pip install playwright)",
                    pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_ready() -> Path:
    """Debian's chromium and the playwright package are there (skips, or fails under CI=true, when not): for a test
    that starts its own Playwright instead of sharing the session's ``browser``."""
    _need(CHROMIUM.is_file(), f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _need(False, "the playwright Python package is not installed (pip install playwright; never run "
                     "`playwright install`: Debian's chromium is used)")
        raise
    return CHROMIUM


@pytest.fixture(scope="session")
def pw(chromium_ready: Path) -> Iterator[object]:
    """This worker's one Playwright. Its sync API cannot run twice in a thread: a test that starts its own while
    another is open fails with "Sync API inside the asyncio loop", so every browser test launches from this one
    (the shared ``browser``, the live page's driver with its fake camera, the HTTPS test)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(pw: Any) -> Iterator[object]:
    b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield b
    finally:
        b.close()


class PageLog:
    """Everything a page did that a test may want to assert on."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.requests: list[str] = []
        self.outside: list[str] = []  # requests to anything but the server under test (aborted)


@pytest.fixture
def page_and_log(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    log = PageLog()
    page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    page.on("request", lambda r: log.requests.append(r.url))
    # nothing may leave the machine: abort anything that is not the file itself or inline data
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
               else route.abort())
    try:
        yield page, log
    finally:
        context.close()


@pytest.fixture(scope="session")
def clip_report(sample_clip, request, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The analysis of the bundled clip (pose cached in pytest's cache folder: ~20 s the first time).

    Falls back on a synthetic report over the same frames when the pipeline cannot run here (no MediaPipe)."""
    try:
        from backsafe.pipeline import analyze

        cache_provider = getattr(request.config, "cache", None)
        cache = Path(cache_provider.mkdir("backsafe-pose")) if cache_provider else tmp_path_factory.mktemp("pose")
        return analyze(sample_clip, "back_squat", pose_cache_dir=cache), "pipeline"
    except ImportError as exc:
        if os.environ.get("CI", "").lower() == "true":
            raise
        from report_synth import make_report

        from backsafe.io.video import probe_video

        info = probe_video(sample_clip)
        rep = make_report(n_reps=7, fps=info.fps, width=info.width, height=info.height)
        return rep, f"synthetic ({exc})"


@pytest.fixture
def fake_server(tmp_path: Path) -> Iterator[str]:
    """A real uvicorn server of the app (SQLite, data in ``tmp_path``) whose analysis is tests/web/fakes.py's fake:
    a synthetic 2-rep report with two faults, rendered by the real report writer, no MediaPipe. Yields its URL."""
    import uvicorn

    import fakes
    from backsafe.web.config import Settings
    from backsafe.web.main import create_app
    from live_driver import _free_port

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'web.sqlite3'}", data_dir=tmp_path / "data",
                        secret_key="phone-" + "k" * 44, workers=1)
    app = create_app(settings, analyze_fn=fakes.fake_analyze)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    t0 = time.monotonic()
    while not server.started:
        assert time.monotonic() - t0 < 30 and th.is_alive(), "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        th.join(timeout=10)


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone_page(browser, fake_server):  # type: ignore[no-untyped-def]
    """A page on a 390x844 touch screen, on ``fake_server``: what it asks of anything else is aborted and listed in
    ``log.outside``. Yields (page, log)."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, has_touch=True, is_mobile=True)
    page = context.new_page()
    log = PageLog()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith((fake_server, "data:", "blob:"))
               else (log.outside.append(r.request.url), r.abort()))
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    try:
        yield page, log
    finally:
        context.close()
