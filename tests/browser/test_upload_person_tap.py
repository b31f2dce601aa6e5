"""The upload page's choice of who to analyse (DESIGN.md: ``--person`` in the web app too), on a phone screen: once
a clip is chosen its first frame shows; a tap on it sets the form's ``person`` to the tapped point in fractions of
the frame (a marker shows where), also when the picture is drawn with bars around it; "Use the automatic choice"
gives the field back to the select; the job's analysis receives the tapped point.

A real uvicorn server with the fake analysis (conftest.fake_server, conftest.phone_page); the clip is a small real
H.264 one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

def _point(page: Any) -> tuple[float, float]:
    x, y = page.input_value("#person-field").split(",")
    return float(x), float(y)


def test_a_tap_on_the_first_frame_chooses_the_person(phone_page: Any, fake_server: str, tmp_path: Path) -> None:
    import fakes
    from live_driver import sign_up_and_log_in

    base = fake_server
    page, log = phone_page
    clip = fakes.write_clip(tmp_path / "set.mp4", fakes.make_report(n_reps=2, rounding_rep=1, rushing_rep=2))
    sign_up_and_log_in(page, base, "tapper")
    page.goto(base + "/upload")
    assert page.is_hidden("#clip-preview") and page.input_value("#person-field") == "auto"
    assert page.get_attribute("#person-choice", "name") is None  # one field named person: the hidden one
    page.select_option("#person-choice", "left")
    assert page.input_value("#person-field") == "left"
    page.set_input_files("#clip-input", str(clip))
    page.wait_for_selector("#clip-preview:not([hidden])", timeout=15_000)
    frame = page.locator("#clip-frame")
    box = frame.bounding_box()  # the clip is 320x240
    assert box["width"] <= page.viewport_size["width"] and abs(box["width"] / box["height"] - 320 / 240) < 0.02

    frame.tap(position={"x": box["width"] / 2, "y": box["height"] / 2})
    x, y = _point(page)
    assert abs(x - 0.5) < 0.05 and abs(y - 0.5) < 0.05, (x, y)
    assert page.is_visible("#person-marker") and page.is_visible("#person-tapped")
    mark = page.locator("#person-marker").bounding_box()
    assert abs(mark["x"] + mark["width"] / 2 - (box["x"] + box["width"] / 2)) < 3
    assert abs(mark["y"] + mark["height"] / 2 - (box["y"] + box["height"] / 2)) < 3

    page.click("#person-clear")
    assert page.input_value("#person-field") == "left" and page.is_hidden("#person-marker")

    # the picture drawn with bars above and below (a box taller than the clip): the bars are left out
    page.evaluate("() => { const v = document.getElementById('clip-frame'); v.style.width = '360px';"
                  " v.style.height = '400px'; }")
    box = frame.bounding_box()
    shown_h = box["width"] * 240 / 320
    bar = (box["height"] - shown_h) / 2
    assert bar > 50, box
    frame.tap(position={"x": 5, "y": bar / 2})  # on the bar: nothing chosen
    assert page.input_value("#person-field") == "left"
    frame.tap(position={"x": box["width"] * 0.25, "y": bar + shown_h * 0.75})
    x, y = _point(page)
    assert abs(x - 0.25) < 0.02 and abs(y - 0.75) < 0.02, (x, y)
    tapped = page.input_value("#person-field")
    assert len(tapped.split(",")[0].split(".")[1]) == 3  # three decimals

    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/jobs/*")
    job_id = page.url.rsplit("/", 1)[1]
    page.wait_for_selector("#job-done:not([hidden])", timeout=30_000)
    calls = [c for c in fakes.CALLS if c["path"].stem == job_id]
    assert [(c.get("person"), c.get("model")) for c in calls] == [(f"{x:g},{y:g}", None)]
    # a refused blob: video (the page's CSP) is a console error, not a page error
    assert not log.outside and not log.page_errors and not log.console_errors, log.__dict__
