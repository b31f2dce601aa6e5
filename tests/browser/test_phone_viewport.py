"""Issue 19, must-show 3: the app on a 390×844 phone screen. The live, upload (with the chosen clip's first frame),
report (in the page and on its own), log, plan and progress (analysis progress and dashboard) pages are
screenshotted; none may be wider than the screen
(``document.documentElement.scrollWidth`` ≤ 390) and none may be blank.

A real uvicorn server of the app with the fake analysis of tests/web/fakes.py (a synthetic 2-rep report with two
faults, rendered by the real report writer; no MediaPipe needed): conftest.fake_server. Screenshots go to
$BACKSAFE_KEEP_SCREENSHOTS when set (else pytest's tmp folder).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
PASSWORD = "a long test passphrase"


def _clip(tmp: Path) -> Path:
    import fakes

    return fakes.write_clip(tmp / "set.mp4", fakes.make_report(n_reps=2, rounding_rep=1, rushing_rep=2))


def test_pages_fit_a_phone_screen(phone_page: Any, fake_server: str, tmp_path: Path) -> None:
    from live_driver import sign_up_and_log_in
    from test_web_e2e import assert_not_blank

    base = fake_server
    page, log = phone_page
    out = Path(os.environ.get("BACKSAFE_KEEP_SCREENSHOTS") or tmp_path / "screens")
    out.mkdir(parents=True, exist_ok=True)
    widths: dict[str, int] = {}

    def check(name: str) -> None:
        page.wait_for_load_state("load")
        png = page.screenshot(full_page=True)
        (out / f"phone_{name}.png").write_bytes(png)
        assert_not_blank(png, name)
        widths[name] = int(page.evaluate("() => Math.max(document.documentElement.scrollWidth, "
                                         "document.body.scrollWidth)"))

    sign_up_and_log_in(page, base, "phoebe")
    page.goto(base + "/upload")
    assert page.get_attribute("input[name=file]", "accept") == "video/*"
    page.set_input_files("input[name=file]", str(_clip(tmp_path)))
    page.wait_for_selector("#clip-preview:not([hidden])")  # the clip's first frame, to tap who to analyse
    check("upload")
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/jobs/*")
    check("progress")
    page.wait_for_selector("#job-done:not([hidden])", timeout=60_000)
    page.click("#report-link")
    page.wait_for_url("**/reports/*")
    report_url = page.url
    page.wait_for_selector("#report-doc[data-loaded=yes]", timeout=20_000)
    # mobile first: the cue comes before the report, and the report is in the page (no iframe)
    assert page.locator("iframe").count() == 0
    cue_y = page.locator("#top-cue").bounding_box()["y"]
    assert cue_y < page.locator("#report-doc").bounding_box()["y"]
    assert page.locator("#report-doc img.plot").count() >= 1
    for box in page.locator("#report-doc img").all()[:6]:  # plots scale to the screen
        bb = box.bounding_box()
        assert bb is None or bb["x"] + bb["width"] <= PHONE["width"] + 1
    check("report")
    page.goto(report_url + "/report.html")
    check("report_alone")
    page.goto(report_url.replace("/reports/", "/log?report=") + "&exercise=back_squat")
    check("log")
    page.goto(base + "/plan")
    check("plan")
    page.goto(base + "/dashboard")
    check("dashboard")
    page.goto(base + "/live")
    check("live")
    for name in ("reports", "exercises", "triage"):
        page.goto(f"{base}/{name}")
        check(name)
    too_wide = {k: w for k, w in widths.items() if w > PHONE["width"]}
    assert not too_wide, f"pages wider than the 390 px screen: {too_wide} (screenshots in {out})"
    assert len(widths) == 11
    assert not log.outside and not log.page_errors, (log.outside, log.page_errors)
