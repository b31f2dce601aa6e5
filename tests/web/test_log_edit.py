"""The editable log, auto log-in after sign-up, the exercise and load carried from an upload into the log form."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from webhelpers import PASSWORD, ApiUser, page_csrf


def test_edit_and_delete_a_log_entry(client: Any) -> None:
    u = ApiUser(client, "alice")
    r = client.post("/api/log", headers=u.h, json={"exercise": "goblet_squat", "load_kg": 12, "sets": 3, "reps": 10})
    assert r.status_code == 201
    eid = r.json()["entry_id"]
    assert [e["id"] for e in client.get("/api/log").json()] == [eid]
    # the page: an edit form filled with the entry
    page = client.get(f"/log/entries/{eid}/edit")
    assert page.status_code == 200 and 'value="12"' in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post(f"/log/entries/{eid}", data={"csrf_token": csrf, "exercise": "goblet_squat", "load": "14",
                                                 "sets": "4", "reps": "8", "pain_after": "2"})
    assert r.status_code == 200 and "Log entry changed" in r.text, r.text[:300]
    e = client.get("/api/log").json()[0]
    assert (e["load_kg"], e["sets"], e["reps"], e["pain_after"]) == (14, 4, 8, 2)
    # a bad value is refused with its reason, the entry unchanged
    r = client.post(f"/log/entries/{eid}", data={"csrf_token": csrf, "exercise": "goblet_squat", "load": "14",
                                                 "sets": "0", "reps": "8"})
    assert r.status_code == 422 and client.get("/api/log").json()[0]["sets"] == 4
    # deleting asks first (a page with one button), then deletes
    confirm = client.get(f"/log/entries/{eid}/delete")
    assert confirm.status_code == 200 and "Delete this log entry?" in confirm.text
    assert client.get("/api/log").json() != []
    r = client.post(f"/log/entries/{eid}/delete", data={"csrf_token": csrf})
    assert r.status_code == 200 and "Log entry deleted" in r.text
    assert client.get("/api/log").json() == []


def test_nobody_edits_another_persons_entry(client: Any, second_client: Any) -> None:
    a = ApiUser(client, "alice")
    eid = client.post("/api/log", headers=a.h, json={"exercise": "squat", "sets": 3, "reps": 10}).json()["entry_id"]
    b = ApiUser(second_client, "bob")
    body = {"exercise": "squat", "sets": 1, "reps": 1}
    assert second_client.put(f"/api/log/{eid}", headers=b.h, json=body).status_code == 404
    assert second_client.delete(f"/api/log/{eid}", headers=b.h).status_code == 404
    assert second_client.get(f"/log/entries/{eid}/edit").status_code == 404
    assert client.get("/api/log").json()[0]["sets"] == 3
    assert client.put(f"/api/log/{eid}", headers=a.h, json=body).status_code == 200
    assert client.delete(f"/api/log/{eid}", headers=a.h).status_code == 200


def test_sign_up_logs_in(client: Any) -> None:
    csrf = page_csrf(client, "/signup")
    r = client.post("/signup", data={"csrf_token": csrf, "name": "newbie", "password": PASSWORD, "role": "person"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/dashboard")
    assert client.get("/api/me").json()["name"] == "newbie"  # no second form


def test_upload_carries_exercise_and_load_into_the_log_form(client: Any, synth_clip: Path) -> None:
    u = ApiUser(client, "alice")
    job = u.wait_job(u.upload(synth_clip, exercise="goblet_squat", load_kg=16).json()["id"])
    page = client.get(f"/log?report={job['report_id']}")
    assert re.search(r'<option value="goblet_squat" selected>', page.text)
    assert 'name="load" inputmode="decimal" value="16"' in page.text
