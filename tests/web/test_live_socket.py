"""The live page's WebSocket (/live/ws) without a browser: who may open it, what it refuses (binary frames: no
image or video is ever accepted), and a whole set of landmarks in -> rep events out -> a stored report."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from starlette.websockets import WebSocketDisconnect

from webhelpers import ApiUser

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "report"))
ORIGIN = {"origin": "http://testserver"}


def _start(user: ApiUser, **kw: Any) -> dict[str, Any]:
    return {"type": "start", "csrf_token": user.csrf, "exercise": "back_squat", "model": "lite", "width": 320,
            "height": 240, **kw}


def test_the_socket_needs_a_session_and_this_origin(client: Any) -> None:
    with pytest.raises(WebSocketDisconnect) as e, client.websocket_connect("/live/ws", headers=ORIGIN) as ws:
        ws.receive_text()
    assert e.value.code == 1008
    ApiUser(client, "lena")
    with pytest.raises(WebSocketDisconnect) as e, client.websocket_connect(
            "/live/ws", headers={"origin": "http://evil.example"}) as ws:
        ws.receive_text()
    assert e.value.code == 1008


def test_start_needs_the_pages_csrf_token(client: Any) -> None:
    u = ApiUser(client, "lena")
    with client.websocket_connect("/live/ws", headers=ORIGIN) as ws:
        ws.send_json({**_start(u), "csrf_token": "forged"})
        assert "csrf_token" in ws.receive_json()["detail"]


@pytest.mark.parametrize("token", [12345, ["a", "b"], {"t": 1}, None, "é" * 64],
                         ids=["number", "list", "object", "null", "non-ascii"])
def test_a_malformed_csrf_token_is_refused_cleanly(client: Any, token: Any) -> None:
    """A token that is not a string, or is not ASCII, is refused with a message like a wrong one, not a crash."""
    u = ApiUser(client, "lena")
    with client.websocket_connect("/live/ws", headers=ORIGIN) as ws:
        ws.send_json({**_start(u), "csrf_token": token})
        assert "csrf_token" in ws.receive_json()["detail"]


def test_binary_frames_are_refused(client: Any) -> None:
    u = ApiUser(client, "lena")
    with client.websocket_connect("/live/ws", headers=ORIGIN) as ws:
        ws.send_json(_start(u))
        assert ws.receive_json()["event"] == "ready"
        ws.send_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)  # a JPEG's first bytes
        msg = ws.receive_json()
        assert msg["event"] == "error" and "never images or video" in msg["detail"]
        with pytest.raises(WebSocketDisconnect) as e:
            ws.receive_text()
        assert e.value.code == 1003


@pytest.mark.parametrize("bad, words", [
    ({"exercise": "juggling"}, "juggling"),
    ({"width": "wide"}, "width"),
    ({"model": "huge"}, "model"),
    ({"load_kg": 9000}, "load_kg"),
])
def test_bad_options_get_a_clear_message(client: Any, bad: dict[str, Any], words: str) -> None:
    u = ApiUser(client, "lena")
    with client.websocket_connect("/live/ws", headers=ORIGIN) as ws:
        ws.send_json(_start(u, **bad))
        msg = ws.receive_json()
        assert msg["event"] == "error" and words in msg["detail"] and "/" not in msg["detail"].split(":")[0]


def test_bad_frames_get_a_clear_message(client: Any) -> None:
    u = ApiUser(client, "lena")
    with client.websocket_connect("/live/ws", headers=ORIGIN) as ws:
        ws.send_json(_start(u))
        ws.receive_json()
        ws.send_json({"type": "frame", "t": 0.1, "lm": [[0.5, 0.5, 0, 1]] * 5, "world": None})
        msg = ws.receive_json()
        assert msg["event"] == "error" and "33 rows of 4 numbers" in msg["detail"]


def test_a_set_of_landmarks_gives_rep_events_and_a_stored_report(client: Any) -> None:
    from report_synth import make_report

    rep = make_report(n_reps=2, rounding_rep=1, rushing_rep=2)
    pose = rep.pose
    assert pose is not None
    w, h = pose.image_size
    u = ApiUser(client, "lena")
    events = []
    with client.websocket_connect("/live/ws", headers=ORIGIN) as ws:
        ws.send_json(_start(u, width=w, height=h, load_kg=40, tempo="3-1-2-0"))
        assert ws.receive_json()["event"] == "ready"
        for t, fr in zip(pose.timestamps_s, pose.data, strict=True):
            # as MediaPipe gives them: every point has numbers; an unseen one has visibility 0
            lm = [[float(x) / w, float(y) / h, float(z) / w, float(c)] if np.isfinite([x, y, z, c]).all()
                  else [0.0, 0.0, 0.0, 0.0] for x, y, z, c in fr[:33]]
            ws.send_json({"type": "frame", "t": float(t), "lm": lm, "world": None})
        ws.send_json({"type": "end"})
        while True:
            msg = ws.receive_json()
            events.append(msg)
            if msg["event"] in ("saved", "error"):
                break
    saved = events[-1]
    assert saved["event"] == "saved", saved
    live_reps = [e for e in events if e["event"] == "rep"]
    assert len(live_reps) == saved["live_reps"] == saved["rep_count"] == rep.rep_count == 2
    r = client.get(f"/api/reports/{saved['report_id']}", headers=u.h)
    assert r.status_code == 200 and r.json()["rep_count"] == 2 and r.json()["has_annotated_video"] is False
    page = client.get(f"/reports/{saved['report_id']}")
    assert page.status_code == 200 and "Log this set" in page.text
    live = client.get("/live")
    assert live.status_code == 200 and saved["report_id"] in live.text  # offered as a reference next time
    assert "camera=(self)" in live.headers["permissions-policy"]
    assert "'wasm-unsafe-eval'" in live.headers["content-security-policy"]
    assert "camera=()" in client.get("/dashboard").headers["permissions-policy"]


def test_the_app_is_an_installable_full_screen_web_app(client: Any) -> None:
    ApiUser(client, "lena")
    page = client.get("/dashboard").text
    assert '<link rel="manifest" href="/static/manifest.json">' in page and 'href="/live"' in page
    m = client.get("/static/manifest.json")
    assert m.status_code == 200
    doc = m.json()
    assert doc["display"] == "fullscreen" and doc["start_url"] == "/dashboard"
    sizes = set()
    for icon in doc["icons"]:
        r = client.get(icon["src"])
        assert r.status_code == 200 and r.headers["content-type"].startswith(icon["type"]), icon
        sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes


def test_the_service_worker_caches_only_the_pose_model(client: Any) -> None:
    r = client.get("/sw.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert 'PREFIX = "/static/vendor/mediapipe-tasks-vision/"' in r.text
    assert "url.pathname.indexOf(PREFIX) !== 0" in r.text


def test_at_most_two_live_sets_open_per_person(client: Any) -> None:
    u = ApiUser(client, "lena")
    with client.websocket_connect("/live/ws", headers=ORIGIN) as a, \
            client.websocket_connect("/live/ws", headers=ORIGIN) as b:
        for ws in (a, b):
            ws.send_json(_start(u))
            assert ws.receive_json()["event"] == "ready"
        with client.websocket_connect("/live/ws", headers=ORIGIN) as c:
            msg = c.receive_json()
            assert msg["event"] == "error" and "2 live sets open" in msg["detail"]
    with client.websocket_connect("/live/ws", headers=ORIGIN) as d:  # closed ones no longer count
        d.send_json(_start(u))
        assert d.receive_json()["event"] == "ready"
