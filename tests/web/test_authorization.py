"""Nobody sees another person's data: every URL and API route of user A's data, called by user B (and by an
unshared coach) with A's real ids and with guessed ids, answers 404 or 403 and leaks nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from webhelpers import ApiUser, page_csrf

PARAM = re.compile(r"\{(\w+)\}")


@pytest.fixture
def world(client: Any, synth_clip: Path) -> dict[str, Any]:
    """alice (person) with a report, a kept clip, a job, a log entry, a check-in, a triage record and a token;
    bob (another person); carol (a coach alice shares with); dave (a coach nobody shares with)."""
    a = ApiUser(client, "alice")
    job = a.wait_job(a.upload(synth_clip, keep_video="true").json()["id"])
    assert job["status"] == "done"
    r = client.post("/api/log", headers=a.h, json={"exercise": "back_squat", "sets": 3, "reps": 8, "load_kg": 20,
                                                    "pain_during": 4, "report_id": job["report_id"]})
    assert r.status_code == 201, r.text
    client.post("/api/checkins", headers=a.h, json={"pain": 3})
    client.post("/api/triage", headers=a.h, json={"flags": ["poor_sleep"]})
    token = client.post("/api/me/tokens", headers=a.h)  # (405: tokens are made via /api/auth/token)
    tok = client.post("/api/auth/token", json={"name": "alice", "password": "correct horse battery staple"}).json()
    Client = client.__class__
    others = {n: ApiUser(Client(client.app, base_url="http://testserver"), n, role)
              for n, role in (("bob", "person"), ("carol", "coach"), ("dave", "coach"))}
    assert client.post("/api/shares", headers=a.h, json={"coach": "carol"}).status_code == 201
    del token
    return {"alice": a, "job": job, "report": job["report_id"], "token_id": tok["id"], "entry_id": r.json()["entry_id"],
            **others}


def _routes(app: Any) -> list[tuple[str, str]]:
    out = []
    flat = []
    for r in app.routes:  # FastAPI keeps included routers as nodes: flatten them (no extra prefix is used)
        flat.extend(r.original_router.routes if hasattr(r, "original_router") else [r])
    for r in flat:
        methods = getattr(r, "methods", None)
        path = getattr(r, "path", "")
        if not methods or path.startswith(("/static", "/openapi")):
            continue
        for m in methods:
            if m in ("HEAD", "OPTIONS"):
                continue
            out.append((m, path))
    return sorted(set(out))


def _fill(path: str, w: dict[str, Any], guess: bool) -> str:
    values = {"report_id": "0123456789abcdef0123456789abcdef" if guess else w["report"],
              "job_id": "fedcba9876543210fedcba9876543210" if guess else w["job"]["id"],
              "person_id": str(w["alice"].id + 1000 if guess else w["alice"].id),
              "token_id": str(w["token_id"] + 1 if guess else w["token_id"]),
              "entry_id": str(w["entry_id"] + 1000 if guess else w["entry_id"]),
              "coach": "carol"}
    return PARAM.sub(lambda m: values[m.group(1)], path)


def _intruder_request(u: ApiUser, method: str, url: str) -> Any:
    headers = dict(u.h)
    if url.startswith("/api/"):
        return u.client.request(method, url, headers=headers, json={})
    data = {"csrf_token": page_csrf(u.client, "/dashboard")} if method == "POST" else None
    return u.client.request(method, url, data=data, follow_redirects=False)


SECRETS_OF_ALICE = ("alice",)


def test_other_person_gets_404_or_403_everywhere(world: dict[str, Any]) -> None:
    app = world["alice"].client.app
    routes = [rt for rt in _routes(app) if PARAM.search(rt[1])]
    assert len(routes) >= 18, routes
    for intruder in ("bob", "dave"):
        u = world[intruder]
        for method, path in routes:
            for guess in (False, True):
                url = _fill(path, world, guess)
                r = _intruder_request(u, method, url)
                if "{coach}" in path:  # the intruder's own (empty) share list: nothing of alice's
                    assert r.status_code in (303, 404, 422), (intruder, method, url, r.status_code)
                    continue
                assert r.status_code in (403, 404), (intruder, method, url, r.status_code, r.text[:200])
                assert world["report"] not in r.text and "pain_during" not in r.text


def test_own_scope_routes_show_only_own_data(world: dict[str, Any]) -> None:
    bob = world["bob"]
    c = bob.client
    assert c.get("/api/reports").json() == []
    assert c.get("/api/jobs").json() == []
    assert c.get("/api/log").json() == []
    assert c.get("/api/checkins").json() == []
    assert c.get("/api/dashboard").json()["reports"] == []
    for page in ("/dashboard", "/reports", "/log", "/plan", "/account"):
        html = c.get(page).text
        assert world["report"] not in html and world["job"]["id"] not in html, page
    assert c.get("/api/me/tokens").json() == []


def test_unshared_coach_sees_nothing_and_shared_coach_sees_only_shared(world: dict[str, Any]) -> None:
    a, carol, dave = world["alice"], world["carol"], world["dave"]
    rid = world["report"]
    assert dave.client.get("/api/coach/people").json() == []
    assert "/coach/people/" not in dave.client.get("/coach").text
    for url in (f"/api/reports/{rid}", f"/reports/{rid}", f"/reports/{rid}/annotated.mp4",
                f"/api/coach/people/{a.id}/log", f"/api/coach/people/{a.id}/plan", f"/coach/people/{a.id}"):
        assert dave.client.get(url).status_code == 404, url
    # carol was shared with: she reads alice's report, video, log and plan, but cannot change or delete them
    assert carol.client.get("/api/coach/people").json() == [{"id": a.id, "name": "alice"}]
    assert carol.client.get(f"/api/reports/{rid}").json()["owner"] == "alice"
    assert carol.client.get(f"/reports/{rid}/annotated.mp4").status_code == 200
    assert carol.client.get(f"/api/coach/people/{a.id}/log").json()[0]["pain_during"] == 4
    assert carol.client.get(f"/coach/people/{a.id}").status_code == 200
    assert carol.client.delete(f"/api/reports/{rid}", headers=carol.h).status_code == 404
    assert carol.client.get(f"/api/jobs/{world['job']['id']}").status_code == 404
    # carol's own log is hers: alice's entries do not leak into it
    assert carol.client.get("/api/log").json() == []
    # a person cannot use the coach view at all
    assert world["bob"].client.get("/api/coach/people").status_code == 403
    # sharing stops: carol sees nothing again
    assert a.client.delete("/api/shares/carol", headers=a.h).status_code == 200
    assert carol.client.get(f"/api/reports/{rid}").status_code == 404
    assert carol.client.get(f"/api/coach/people/{a.id}/log").status_code == 404
    # a person cannot be "shared with" (only coaches)
    assert a.client.post("/api/shares", headers=a.h, json={"coach": "bob"}).status_code == 404


def test_reports_of_others_cannot_be_linked_into_my_log(world: dict[str, Any]) -> None:
    bob = world["bob"]
    r = bob.client.post("/api/log", headers=bob.h, json={"exercise": "back_squat", "sets": 1, "reps": 5,
                                                          "report_id": world["report"]})
    assert r.status_code == 404
    assert bob.client.get("/api/log").json() == []
