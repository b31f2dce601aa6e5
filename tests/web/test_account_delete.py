"""'Delete my account and data' really deletes: every row of the user in every table, and every file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from webhelpers import PASSWORD, ApiUser, page_csrf

from backsafe.web import crud


def test_delete_account_removes_every_row_and_file(client: Any, synth_clip: Path) -> None:
    a = ApiUser(client, "alice")
    b = ApiUser(client.__class__(client.app, base_url="http://testserver"), "bob")
    coach = ApiUser(client.__class__(client.app, base_url="http://testserver"), "carol", "coach")
    job = a.wait_job(a.upload(synth_clip, keep_video="true").json()["id"])
    client.post("/api/log", headers=a.h, json={"exercise": "back_squat", "sets": 3, "reps": 8, "pain_after": 2,
                                                "report_id": job["report_id"]})
    client.post("/api/checkins", headers=a.h, json={"pain": 1})
    client.post("/api/triage", headers=a.h, json={"flags": []})
    client.post("/api/shares", headers=a.h, json={"coach": "carol"})
    tok = client.post("/api/auth/token", json={"name": "alice", "password": PASSWORD}).json()["token"]
    b.client.post("/api/log", headers=b.h, json={"exercise": "squat", "sets": 1, "reps": 5})
    db = client.app.state.db
    with db.session() as s:
        before = crud.count_user_rows(s, a.id)
        files_key = crud.get_account(s, a.id)[1].files_key
    assert all(before[k] >= 1 for k in ("web_accounts.user_id", "web_sessions.user_id", "web_api_tokens.user_id",
                                        "web_jobs.user_id", "web_reports.user_id", "web_shares.owner_id",
                                        "exercise_entries", "analysis_reports", "checkins", "triage_records",
                                        "users")), before
    user_dir = client.app.state.storage.user_dir(files_key)
    assert any(user_dir.rglob("original.video"))

    assert client.request("DELETE", "/api/me", headers=a.h, json={"password": "wrong password"}).status_code == 401
    with db.session() as s:
        assert crud.count_user_rows(s, a.id) == before  # nothing deleted on a wrong password
    r = client.request("DELETE", "/api/me", headers=a.h, json={"password": PASSWORD})
    assert r.status_code == 200
    with db.session() as s:
        after = crud.count_user_rows(s, a.id)
        assert set(after.values()) == {0}, after
        assert crud.get_user_by_name(s, "alice") is None
    assert not user_dir.exists()
    assert client.get("/api/me").status_code == 401
    assert client.get("/api/me", headers={"Authorization": f"Bearer {tok}"}).status_code == 401
    assert coach.client.get("/api/coach/people").json() == []
    assert len(b.client.get("/api/log").json()) == 1  # others untouched
    # the name is free again, with an empty log
    c2 = ApiUser(client, "alice")
    assert client.get("/api/log").json() == [] and client.get("/api/reports").json() == []
    del c2


def test_delete_account_page(client: Any) -> None:
    a = ApiUser(client, "alice")
    client.post("/api/log", headers=a.h, json={"exercise": "squat", "sets": 1, "reps": 5})
    tok = page_csrf(client, "/account")
    r = client.post("/account/delete", data={"password": PASSWORD, "csrf_token": tok}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    with client.app.state.db.session() as s:
        assert set(crud.count_user_rows(s, a.id).values()) == {0}
