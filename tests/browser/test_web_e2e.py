"""End to end in Debian's headless Chromium (Playwright) against a real ``backsafe serve`` running the real
pipeline (MediaPipe) on the bundled clip: sign up, log in, upload, watch the progress, open the report, log the set
with pain scores, see the dashboard change. Every page is screenshotted and checked not to be blank, and no page
may make a request to anything but this server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_driver import serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "a long test passphrase"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    with serve(tmp_path) as url:
        yield url, tmp_path


def assert_not_blank(png: bytes, what: str) -> None:
    import cv2
    import numpy as np

    img = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert img is not None and img.shape[0] > 100 and img.shape[1] > 100, what
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    colours = len(np.unique(img.reshape(-1, 3)[:: max(1, img.shape[0] * img.shape[1] // 50000)], axis=0))
    assert float(gray.std()) > 8.0 and colours > 8, f"{what}: screenshot looks blank (std {gray.std():.1f})"


class Shots:
    def __init__(self, page: Any, out: Path) -> None:
        self.page, self.out, self.names = page, out, []

    def take(self, name: str) -> None:
        png = self.page.screenshot(full_page=True)
        (self.out / f"{len(self.names):02d}_{name}.png").write_bytes(png)
        assert_not_blank(png, name)
        self.names.append(name)


def test_person_journey_in_chromium(browser: Any, server: Any, sample_clip: Path) -> None:
    base, tmp = server
    shots_dir = tmp / "screens"
    shots_dir.mkdir()
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    seen: list[str] = []
    outside: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        url = r.request.url
        seen.append(url)
        if url.startswith((base + "/", "data:", "blob:")) or url == base:
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    page.route("**/*", route)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(f"{m.text} (at {m.location.get('url')}, page {page.url})") if m.type == "error" else None)
    shots = Shots(page, shots_dir)
    try:
        # sign up and log in
        page.goto(base + "/")
        assert page.url.endswith("/login")
        page.click("text=Create an account")
        shots.take("signup")
        page.fill("input[name=name]", "alice")
        page.fill("input[name=password]", PASSWORD)
        page.click("#signup-form button[type=submit]")
        page.wait_for_url("**/dashboard?ok=welcome")  # signed up = logged in (issue 19)
        assert page.is_visible("#no-sessions")
        shots.take("dashboard_empty")

        # upload the bundled clip and watch the progress
        page.click("nav >> text=Upload")
        page.set_input_files("input[name=file]", str(sample_clip))
        page.select_option("select[name=exercise]", "back_squat")
        shots.take("upload")
        page.click("#upload-form button[type=submit]")
        page.wait_for_url("**/jobs/*")
        page.wait_for_function("() => { const p = document.getElementById('job-progress');"
                               " return (p.value > 0 && p.value < 100) || !document.getElementById('job-error')"
                               ".hidden; }", timeout=90_000)
        assert page.is_hidden("#job-error"), page.inner_text("#job-error")
        assert "running" in page.inner_text("#job-status")
        shots.take("progress")
        page.wait_for_selector("#job-done:not([hidden])", timeout=180_000)
        assert page.is_hidden("#job-error")

        # the report: the HTML report rendered in the page (no iframe) and the annotated video
        page.click("#report-link")
        page.wait_for_url("**/reports/*")
        page.wait_for_selector("#report-doc[data-loaded=yes]")
        assert page.locator("iframe").count() == 0
        assert len(page.inner_text("#report-doc")) > 200
        video = page.locator("#annotated-video")
        assert video.count() == 1
        playable = page.evaluate("() => document.getElementById('annotated-video').canPlayType('video/mp4; "
                                 "codecs=\"avc1.42E01E\"')")
        if playable:
            page.wait_for_function("() => document.getElementById('annotated-video').readyState >= 1",
                                   timeout=20_000)
            assert page.evaluate("() => document.getElementById('annotated-video').duration") > 1
        shots.take("report")
        report_url = page.url

        # log the set with pain scores, linked to the report
        page.click("#log-this")
        page.wait_for_url("**/log?report=*")
        assert page.input_value("select[name=exercise]") == "back_squat"
        page.fill("input[name=load]", "20")
        page.fill("input[name=sets]", "3")
        page.fill("input[name=reps]", "5")
        page.fill("input[name=pain_before]", "1")
        page.fill("input[name=pain_during]", "3")
        page.fill("input[name=pain_after]", "2")
        page.check("input[name=warmup][value=yes]")
        page.click("#log-form button[type=submit]")
        page.wait_for_selector("#log-saved")
        assert "Back squat" in page.inner_text("#log-table")  # names, not ids (COACHING_RULES §9)
        shots.take("log")

        # the dashboard now shows the session, the pain point and the fault count of the clip
        page.click("nav >> text=Dashboard")
        page.wait_for_url("**/dashboard")
        assert page.locator("#no-sessions").count() == 0
        assert "Back squat" in page.inner_text("#recent-sessions")
        assert page.locator("#pain-trend svg circle").count() >= 1
        assert page.locator("#fault-trend svg circle").count() >= 1
        assert page.locator("#recent-reports a[href^='/reports/']").count() == 1
        shots.take("dashboard_after")

        # the other pages, each rendered and not blank
        for name in ("plan", "triage", "exercises", "reports", "account"):
            page.goto(f"{base}/{name}")
            shots.take(name)
        # mobile layout: nothing wider than the screen on the dashboard and the report
        page.set_viewport_size({"width": 390, "height": 844})
        for url in (base + "/dashboard", report_url):
            page.goto(url)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 400, f"{url} is {width}px wide on a 390px phone screen"
        shots.take("mobile_report")
    finally:
        context.close()

    assert not outside, f"requests outside this server: {outside}"
    assert seen and all(u.startswith((base, "data:", "blob:")) for u in seen)
    assert not errors, errors
    assert len(shots.names) >= 12
    # privacy: the clip was deleted after the analysis (not kept), the report stays
    data = tmp / "data"
    assert not list(data.rglob("*.video")) and list(data.rglob("report.json"))
    keep = os.environ.get("BACKSAFE_KEEP_SCREENSHOTS")
    if keep:
        shutil.copytree(shots_dir, keep, dirs_exist_ok=True)
