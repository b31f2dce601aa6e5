"""Issue 19, must-show 1: the live page in Debian's Chromium with a fake camera fed from the bundled clip.

The pose model runs in the page (@mediapipe/tasks-vision PoseLandmarker, CPU delegate, served by backsafe),
landmarks go over the WebSocket to ``LiveAnalyzer``; the page must count the reps ``backsafe analyze`` counts on the
same clip, show a cue, store the set in the person's history (a report that can be logged in one tap) and send no
image or video byte: every HTTP request and every WebSocket frame the page sent is checked.

The lite model runs at ~30 frames a second in headless Chromium on this 2-core machine (WebAssembly, no GPU), so
the fake camera plays the clip at its own speed. ``BACKSAFE_LIVE_SLOW=N`` plays it N times slower on a machine
that cannot keep up (the page's clock is divided by as much: ``/live?slow=N``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

# tests/browser is on sys.path (no __init__.py: pytest's rootdir import mode)
from live_driver import CHROMIUM, make_y4m, parse_ws, run_live_set, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
VENDOR = REPO / "src" / "backsafe" / "web" / "static" / "vendor" / "mediapipe-tasks-vision"
SLOW = float(os.environ.get("BACKSAFE_LIVE_SLOW", "1"))
#: magic numbers of picture and video formats: none may start a request body
MEDIA_MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"RIFF", b"GIF8", b"\x1aE\xdf\xa3", b"YUV4MPEG", b"\x00\x00\x00")


def _need(ok: bool, reason: str) -> None:
    if ok:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " — and CI=true, so this is an error", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def live_run(sample_clip: Path, tmp_path_factory: Any, pw: Any) -> dict[str, Any]:
    _need(CHROMIUM.is_file(), f"{CHROMIUM} not found: install Debian's chromium")
    _need((VENDOR / "vision_bundle.mjs").is_file(), "the in-browser pose model is not installed: run `make web-assets`")
    try:
        import playwright  # noqa: F401
        import wsproto  # noqa: F401  uvicorn's WebSocket protocol (requirements.lock)
    except ImportError as e:
        _need(False, f"{e.name} is not installed (pip install -r requirements.lock -r requirements-dev.lock)")
    tmp = tmp_path_factory.mktemp("live")
    y4m = tmp / "clip.y4m"
    duration, _, slow = make_y4m(sample_clip, y4m, slow=SLOW)
    shots = Path(os.environ.get("BACKSAFE_KEEP_SCREENSHOTS") or tmp / "screens")
    shots.mkdir(parents=True, exist_ok=True)
    with serve(tmp) as base:
        out = run_live_set(base, y4m, duration, slow=slow, shots=shots, pw=pw)

        out["base"] = base
        out["data"] = tmp / "data"
    y4m.unlink()
    (shots / "live_events.json").write_text(json.dumps({"slow": slow, "state": out["state"]}, indent=1))
    return out


def test_live_page_counts_the_reps_of_analyze_and_stores_the_set(live_run: dict[str, Any],
                                                                  clip_report: Any) -> None:
    report, how = clip_report
    if how != "pipeline":
        pytest.skip(f"backsafe analyze could not run here: {how}")
    state = live_run["state"]
    assert not live_run["errors"] and state["error"] is None, (live_run["errors"], state["error"])
    reps = [e for e in state["events"] if e["event"] == "rep"]
    saved = state["saved"]
    assert saved is not None
    # the live engine counted as many reps as the offline analysis, and so did the stored report of the set
    assert len(reps) == report.rep_count == 2, [(e["start_s"], e["end_s"]) for e in reps]
    assert saved["live_reps"] == report.rep_count
    assert saved["rep_count"] == report.rep_count
    # at about the same times (clip seconds): each live rep spans the offline rep's turn, its end within 1 s
    for live, off in zip(reps, report.reps, strict=True):
        assert live["start_s"] < off.start_s + (off.end_s - off.start_s) / 2 < live["end_s"], (live, off)
        assert abs(live["end_s"] - off.end_s) < 1.0, (live["end_s"], off.end_s)
    # a cue is shown (one at a time), the set's top cue once saved
    assert live_run["cue"].strip() and live_run["cue"] == live_run["saved_cue"]
    assert saved["top_cue"] is None or live_run["saved_cue"] == saved["top_cue"]
    # the pose model size was picked for the device and is recorded in the stored report
    assert saved["model"] in ("lite", "full", "heavy")
    folder = next(live_run["data"].rglob(f"reports/{saved['report_id']}"))
    doc = json.loads((folder / "report.json").read_text())
    assert f"mediapipe-blazepose-{saved['model']}" in json.dumps(doc)
    assert not [p for p in folder.iterdir() if p.suffix in (".mp4", ".video", ".png", ".jpg", ".webm")]
    # logged in one tap: the link opens the log form on this report
    assert live_run["log_href"].startswith(f"/log?report={saved['report_id']}&exercise=back_squat")
    assert live_run["doc_width"] <= 390


def test_no_image_or_video_byte_leaves_the_page(live_run: dict[str, Any]) -> None:
    sent = live_run["sent"]
    base = live_run["base"]
    assert not sent.outside, f"requests outside this server: {sent.outside}"
    assert all(r["url"].startswith((base, "data:", "blob:")) for r in sent.requests)
    assert all(len(r["url"]) < 300 for r in sent.requests)  # nothing smuggled in a URL either
    for r in sent.requests:  # form posts only (sign-up, log-in): small, and never a picture or a clip
        if r["method"] != "GET":
            assert r["size"] < 4096 and not r["head"].startswith(MEDIA_MAGIC), r
    assert sent.ws_urls == [base.replace("http://", "ws://") + "/live/ws"]
    msgs = parse_ws(sent.ws_sent)  # fails on any binary frame
    assert [m["type"] for m in msgs[:1]] == ["start"] and msgs[-1]["type"] == "end"
    frames = [m for m in msgs if m["type"] == "frame"]
    assert len(frames) == len(msgs) - 2 and len(frames) >= 40
    for m in msgs:
        assert set(m) <= {"type", "csrf_token", "exercise", "load_kg", "tempo", "model", "reference_id", "facing",
                          "width", "height", "t", "lm", "world"}, sorted(m)
    for m in frames:
        assert isinstance(m["t"], (int, float))
        for key, cols in (("lm", 4), ("world", 3)):
            if m[key] is not None:
                assert len(m[key]) == 33 and all(len(p) == cols and all(isinstance(v, (int, float)) for v in p)
                                                 for p in m[key])
    assert max(len(f) for f in sent.ws_sent) < 8192
