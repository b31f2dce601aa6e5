"""Who to coach on the live page (DESIGN.md: the person choice in CLI, batch, web and live): two people side by side
in front of the fake camera (the LEFT squat clip and the RIGHT bicep-curl clip of tests/e2e/test_multi_person.py,
4 s), the page's pose model asked for several people.

"rightmost" sends only the right one's landmarks, every frame. "leftmost" with the front camera (the preview is
mirrored) sends the left one's, until a tap on the left of the *screen* — the video's right half, mirrored — moves
the coaching to the right one. The choice is made and followed in the page: the messages are those of the
single-person path (tests/browser/test_live_page.py checks their format) and the server is not told.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from live_driver import CHROMIUM, make_y4m, parse_ws, run_live_set, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
VENDOR = REPO / "src" / "backsafe" / "web" / "static" / "vendor" / "mediapipe-tasks-vision"
SECONDS = 4.0
SLOW = 3.0


def _need(ok: bool, reason: str) -> None:
    if not ok:
        pytest.skip(reason)


@pytest.fixture(scope="module")
def pair(datasets: Path, tmp_path_factory: Any) -> tuple[Path, float, float]:
    """The two clips side by side as the fake camera's Y4M; returns (its path, its duration, its slow-down)."""
    _need(CHROMIUM.is_file(), f"{CHROMIUM} not found: install Debian's chromium")
    _need((VENDOR / "vision_bundle.mjs").is_file(), "the in-browser pose model is not installed: run `make web-assets`")
    sys.path.insert(0, str(REPO / "tests" / "e2e"))
    from test_multi_person import LEFT, RIGHT, _frames, _write

    for rel, _ in (LEFT, RIGHT):
        _need((datasets / rel).is_file(), f"{rel} not in this copy of the datasets")
    d = tmp_path_factory.mktemp("live-pair")
    a, b = _frames(datasets / LEFT[0], SECONDS), _frames(datasets / RIGHT[0], SECONDS)
    mp4 = _write(d / "pair.mp4", (np.hstack([x, y]) for x, y in zip(a, b)))
    # in slow motion: the page runs the model for 3 people, about 3 times the work of one, and on a busy 2-core
    # machine it saw too few frames at the clip's own speed ("no person was seen long enough")
    duration, _, slow = make_y4m(mp4, d / "pair.y4m", width=640, slow=SLOW)
    return d / "pair.y4m", duration, slow


def _centres(frames: list[dict[str, Any]]) -> list[tuple[float, float]]:
    """(t, the x centre of the visible landmarks' box) of each sent frame with a person."""
    out = []
    for m in frames:
        if m["lm"] is None:
            continue
        xs = [p[0] for p in m["lm"] if p[3] >= 0.5] or [p[0] for p in m["lm"]]
        out.append((m["t"], (min(xs) + max(xs)) / 2))
    return out


def _visible_x(frames: list[dict[str, Any]]) -> list[float]:
    return [p[0] for m in frames if m["lm"] is not None for p in m["lm"] if p[3] >= 0.5]


def test_the_chosen_person_is_coached_and_a_tap_moves_the_choice(pair: tuple[Path, float, float], tmp_path: Path,
                                                                 pw: Any) -> None:
    y4m, duration, slow = pair
    tap: dict[str, Any] = {}

    def tap_left_of_screen(page: Any) -> None:
        # while the model has both people (it follows those it found; it may lose one and not look again)
        page.wait_for_function("() => (window.backsafeLive.t >= 0.5 && window.backsafeLive.person.people >= 2) || "
                               "window.backsafeLive.error", polling=20)
        box = page.locator("#live-video").bounding_box()
        tap["box"] = box
        page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.5)

    with serve(tmp_path) as base:
        right = run_live_set(base, y4m, duration, person="right", user="righty", timeout_s=120, pw=pw,
                             slow=slow)
        mirrored = run_live_set(base, y4m, duration, person="left", facing="user", user="lefty",
                                during=tap_left_of_screen, timeout_s=120, pw=pw, slow=slow)

    for run in (right, mirrored):
        state = run["state"]
        assert not run["errors"] and state["error"] is None, (run["errors"], state["error"])
        assert state["saved"] is not None and not state["person"]["lost"]
        msgs = parse_ws(run["sent"].ws_sent)
        assert msgs[0]["type"] == "start" and msgs[-1]["type"] == "end"
        assert set(msgs[0]) == {"type", "csrf_token", "exercise", "load_kg", "tempo", "model", "reference_id",
                                "facing", "width", "height"}  # the server is not told the choice

    # rightmost: every sent person is the right one, from the first frame
    frames = [m for m in parse_ws(right["sent"].ws_sent) if m["type"] == "frame"]
    centres = _centres(frames)
    assert len(centres) >= 0.8 * len(frames) and len(frames) >= 30, (len(centres), len(frames))
    assert all(c > 0.5 for _, c in centres), centres
    xs = _visible_x(frames)
    assert sum(x > 0.5 for x in xs) >= 0.99 * len(xs)
    assert right["state"]["person"]["choice"] == "right"

    # leftmost, mirrored preview: the left one until the tap, the right one after it
    state = mirrored["state"]
    assert state["person"]["choice"] == "point" and len(state["person"]["tapped"]) == 1, state["person"]
    assert state["person"]["tapped"][0]["people"] == 2
    t_tap = state["person"]["tapped"][0]["t"]
    px = state["person"]["point"]["x"]
    assert 0.7 < px < 0.8, (px, tap)  # the left quarter of the screen is the right quarter of the mirrored video
    frames = [m for m in parse_ws(mirrored["sent"].ws_sent) if m["type"] == "frame"]
    before = [m for m in frames if m["t"] <= t_tap]
    after = [m for m in frames if m["t"] > t_tap + 0.1]
    cb, ca = _centres(before), _centres(after)
    assert len(cb) >= 0.8 * len(before) and len(before) >= 4, (len(cb), len(before))
    assert len(ca) >= 0.8 * len(after) and len(after) >= 10, (len(ca), len(after))
    assert all(c < 0.5 for _, c in cb), cb
    assert all(c > 0.5 for _, c in ca), ca
    xb, xa = _visible_x(before), _visible_x(after)
    assert sum(x < 0.5 for x in xb) >= 0.99 * len(xb) and sum(x > 0.5 for x in xa) >= 0.99 * len(xa)
