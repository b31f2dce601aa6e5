"""Must-show 1 and 2 of issue [3/7], in Debian's headless Chromium:

1. the HTML report of the bundled clip shows its plots and key frames with no console errors and no network
   request outside the file, and a screenshot of it is not blank (and it prints to a PDF);
2. the annotated video decodes to the same frame count and duration as the input (±1 frame) and plays in a
   ``<video>`` element (its ``duration`` is read).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from backsafe.model import Finding
from backsafe.report.html import render_html
from backsafe.report.video import describe_video, write_annotated_video

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _with_a_fault(report):
    """The bundled clip is a clean set; add one back-rounding finding on its last rep so the fault key frames
    (worst frame next to the best rep's matching frame) are exercised on real frames."""
    rep = report.reps[-1]
    trunk = report.kinematics["trunk_inclination_deg"][rep.start_frame : rep.end_frame]
    peak = float(np.nanmax(trunk))
    f = Finding(rep=rep.index, code="back_rounding", severity="moderate", value=peak, threshold=peak - 5.0,
                unit="deg", frames=(rep.start_frame, rep.end_frame), cue="Keep your chest up and proud",
                signal="trunk_inclination_deg")
    return replace(report, findings=[*report.findings, f], top_cue=report.top_cue or f.cue)


@pytest.fixture(scope="session")
def html_pages(clip_report, sample_clip, tmp_path_factory):
    report, _ = clip_report
    d = tmp_path_factory.mktemp("html")
    return {
        "as_analysed": render_html(report, sample_clip, d / "report.html"),
        "with_fault": render_html(_with_a_fault(report), sample_clip, d / "report_fault.html"),
    }


def _visible_loaded(page, selector):
    return page.eval_on_selector_all(
        selector,
        """els => els.map(e => { const r = e.getBoundingClientRect();
               return {w: r.width, h: r.height, nat: e.naturalWidth, done: e.complete,
                       vis: getComputedStyle(e).visibility !== 'hidden' && getComputedStyle(e).display !== 'none'}; })""",
    )


@pytest.mark.parametrize("which", ["as_analysed", "with_fault"])
def test_html_report_renders_offline(page_and_log, html_pages, which, tmp_path):
    page, log = page_and_log
    url = html_pages[which].resolve().as_uri()
    page.goto(url, wait_until="load")
    page.wait_for_function("Array.from(document.images).every(i => i.complete)")
    plots = _visible_loaded(page, "img.plot")
    frames = _visible_loaded(page, "img.keyframe")
    assert len(plots) >= 1 and len(frames) >= 1, (len(plots), len(frames))
    for img in plots + frames:
        assert img["done"] and img["nat"] > 0 and img["w"] > 100 and img["h"] > 50 and img["vis"], img
    for sel in ("h1", ".verdict", "table.reps", "#disclaimer"):
        assert page.is_visible(sel), sel
    assert log.console_errors == [] and log.page_errors == []
    outside = [u for u in log.requests if not u.startswith(("data:", url))]
    assert outside == [], outside
    shot = tmp_path / "page.png"
    page.screenshot(path=str(shot), full_page=True)
    gray = cv2.imread(str(shot), cv2.IMREAD_GRAYSCALE)
    assert gray is not None and gray.shape[0] > 1000
    assert float(gray.std()) > 25.0, "screenshot looks blank"
    assert float((gray < 128).mean()) > 0.02, "hardly anything dark on the page"
    if which == "with_fault":
        assert page.locator(".kf img.keyframe.best").count() >= 1  # the best rep beside the worst frame


def test_html_report_prints(page_and_log, html_pages, tmp_path):
    page, log = page_and_log
    page.goto(html_pages["with_fault"].resolve().as_uri(), wait_until="load")
    page.emulate_media(media="print")
    for sel in ("img.plot", "img.keyframe", "#disclaimer"):
        box = page.locator(sel).first.bounding_box()
        assert box is not None and box["height"] > 20, sel
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf[:4] == b"%PDF" and len(pdf) > 50_000
    assert log.console_errors == []


@pytest.fixture(scope="session")
def annotated(clip_report, sample_clip, tmp_path_factory):
    report, _ = clip_report
    out = tmp_path_factory.mktemp("video") / "annotated.mp4"
    calls = []
    # smaller and faster than the defaults (1280 px, veryfast) to keep the suite short; same code path
    write_annotated_video(_with_a_fault(report), sample_clip, out, lambda d, t: calls.append((d, t)),
                          max_side=640, preset="ultrafast")
    return out, calls


def test_annotated_video_has_the_input_frames_and_duration(annotated, sample_clip):
    out, calls = annotated
    src, dst = describe_video(sample_clip), describe_video(out)
    frame_s = (src["last_s"] - src["first_s"]) / (src["frames"] - 1)
    assert abs(dst["frames"] - src["frames"]) <= 1
    assert abs(dst["duration_s"] - src["duration_s"]) <= frame_s + 1e-6
    assert dst["codec"] == "h264" and dst["pix_fmt"] == "yuv420p" and dst["audio_streams"] == 0
    assert src["audio_streams"] == 1  # the bundled clip has sound: it was dropped
    assert calls[-1][0] == src["frames"]


def test_annotated_video_plays_in_chromium(page_and_log, annotated, sample_clip):
    page, log = page_and_log
    out, _ = annotated
    html = out.parent / "player.html"
    html.write_text('<!DOCTYPE html><meta charset="utf-8"><video id="v" src="annotated.mp4" muted preload="auto">'
                    "</video>", encoding="utf-8")
    page.goto(html.resolve().as_uri(), wait_until="load")
    assert page.evaluate("""document.createElement('video').canPlayType('video/mp4; codecs="avc1.64001F"')""")
    page.wait_for_function("(() => { const v = document.getElementById('v'); return v.error || v.readyState >= 1; })()",
                           timeout=15_000)
    assert page.evaluate("document.getElementById('v').error") is None
    duration = page.evaluate("document.getElementById('v').duration")
    src = describe_video(sample_clip)
    frame_s = (src["last_s"] - src["first_s"]) / (src["frames"] - 1)
    assert abs(duration - src["duration_s"]) <= frame_s + 1e-3, (duration, src["duration_s"])
    # it really decodes: seek into the clip and get a frame of the right size
    page.evaluate("document.getElementById('v').currentTime = 10.0")
    page.wait_for_function("(() => { const v = document.getElementById('v'); return !v.seeking && v.readyState >= 2; })()",
                           timeout=15_000)
    w, h = page.evaluate("[document.getElementById('v').videoWidth, document.getElementById('v').videoHeight]")
    d = describe_video(out)
    assert (w, h) == (d["width"], d["height"])
    assert log.console_errors == [] and log.page_errors == []
