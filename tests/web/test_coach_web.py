"""The coach on the web (issue [1/6]): the person's unit, severe pain, "not checked yet", the safety tier first and in
colour, clearances, outcome measures and plain words, through the JSON API and the pages, on SQLite and PostgreSQL.

Expected values come from COACHING_RULES (§1 severe pain and State, §4 units / plausibility / outcome measures, §9
wording), not from the output: 30 lb is 30 × 0.45359237 kg; severe pain is ≥7/10; a meaningful change is 2 NRS points
or 30 % and 2 PSFS points.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from webhelpers import ApiUser, page_csrf

from backsafe.coach.flags import FLAG_CODES

TODAY = dt.date.today()
KG_PER_LB = 0.45359237


def _day(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


def _plain(html: str) -> str:
    """The text a person reads: tags, attribute values and the footer's disclaimer left out."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def _assert_plain_words(html: str, where: str) -> None:
    text = _plain(html)
    assert "§" not in html, f"{where}: a section mark in what a person reads"
    for code in FLAG_CODES:
        assert not re.search(rf"\b{code}\b", text), f"{where}: flag code {code!r} shown to a person"
    # (the Explain switch may quote it as what the coach never says)
    said = re.sub(r'<details class="card explain".*?</details>', " ", html, flags=re.S)
    assert not re.search(r"no red flags", _plain(said), re.I), f"{where}: says 'no red flags'"


def _form(client: Any, path: str, data: dict[str, Any], page: str = "/log", **kw: Any) -> Any:
    return client.post(path, data={**data, "csrf_token": page_csrf(client, page)}, **kw)


# --- profile -----------------------------------------------------------------------------------------------------

def test_profile_round_trip_and_refusals(client: Any) -> None:
    a = ApiUser(client, "pia")
    r = client.get("/api/profile")
    assert r.status_code == 200, r.text
    assert r.json()["unit"] == "kg" and r.json()["body_mass_kg"] is None
    body = {"unit": "lb", "body_mass": "176lb", "sex": "female", "default_tempo": "3-1-2-0",
            "equipment": {"dumbbell": [10, 15, "25lb"], "kettlebell": ["16kg"]}, "wake_time": "06:30", "age_years": 41}
    r = client.put("/api/profile", headers=a.h, json=body)
    assert r.status_code == 200, r.text
    got = client.get("/api/profile").json()
    assert got == r.json()
    assert got["unit"] == "lb" and got["sex"] == "female" and got["default_tempo"] == "3-1-2-0"
    assert got["body_mass_kg"] == pytest.approx(176 * KG_PER_LB, abs=0.01)
    assert got["body_mass"] == "176 lb"
    assert got["equipment"]["dumbbell"] == pytest.approx([10, 15, 25], abs=0.01)  # shown in lb
    assert got["equipment"]["kettlebell"] == pytest.approx([16 / KG_PER_LB], abs=0.01)
    assert got["wake_time"] == "06:30" and got["age_years"] == 41
    # a number is in the person's unit; a field left out keeps its value
    r = client.put("/api/profile", headers=a.h, json={"body_mass": 180})
    assert r.json()["body_mass_kg"] == pytest.approx(180 * KG_PER_LB, abs=0.01) and r.json()["sex"] == "female"

    # refusals: a 4xx with one line saying why, nothing stored
    for bad, word in (({"unit": "stone"}, "kg or lb"), ({"body_mass": "5kg"}, "body mass"),
                      ({"age_years": 12}, "adult"), ({"default_tempo": "fast"}, "tempo"),
                      ({"wake_time": "25:99"}, ""), ({"equipment": {"sofa": [1]}}, "equipment")):
        r = client.put("/api/profile", headers=a.h, json=bad)
        assert 400 <= r.status_code < 500, (bad, r.text)
        detail = r.json()["detail"]
        assert isinstance(detail, str) and "\n" not in detail and word in detail, (bad, detail)
    assert client.get("/api/profile").json()["unit"] == "lb"
    # a 400 kg goblet squat is refused, with the reason (§4 plausibility)
    r = client.post("/api/log", headers=a.h, json={"exercise": "goblet_squat", "load": "400kg", "sets": 3, "reps": 8})
    assert 400 <= r.status_code < 500 and "goblet squat" in r.json()["detail"]
    assert client.get("/api/log").json() == []

    # the account page has the settings, in the person's unit; the form saves and refuses the same way
    page = client.get("/account").text
    assert 'id="profile-form"' in page and '<option value="lb" selected>' in page and "176 lb" not in page
    r = _form(client, "/account/profile", {"unit": "kg", "body_mass": "80kg", "equipment_dumbbell": "10, 15, 25"},
              page="/account")
    assert r.status_code == 200 and 'id="profile-saved"' in r.text
    got = client.get("/api/profile").json()
    assert got["unit"] == "kg" and got["body_mass_kg"] == pytest.approx(80)
    # the dumbbells were shown in lb on the form: still the same dumbbells after the switch to kg
    assert got["equipment"]["dumbbell"] == pytest.approx([10 * KG_PER_LB, 15 * KG_PER_LB, 25 * KG_PER_LB], abs=0.01)
    r = _form(client, "/account/profile", {"unit": "stone"}, page="/account")
    assert 400 <= r.status_code < 500 and "kg or lb" in r.text


# --- log in the person's unit ---------------------------------------------------------------------------------

def test_log_in_pounds_is_stored_in_kg_and_shown_in_pounds(client: Any) -> None:
    a = ApiUser(client, "lou")
    assert client.put("/api/profile", headers=a.h, json={"unit": "lb"}).status_code == 200
    r = client.post("/api/log", headers=a.h, json={"date": _day(3), "exercise": "goblet_squat", "load": "30lb",
                                                    "sets": 3, "reps": 10, "warmup": True})
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["load_kg"] == pytest.approx(30 * KG_PER_LB, abs=0.01)  # 13.6 kg
    assert out["unit"] == "lb" and out["load_text"] == "30 lb" and out["name"] == "Goblet squat"
    assert all({"level", "title", "message", "code"} <= set(f) for f in out["flags"])
    # a bare number is in the person's unit; a kg value is converted
    r = client.post("/api/log", headers=a.h, json={"date": _day(2), "exercise": "goblet_squat", "load": 30,
                                                    "sets": 3, "reps": 10, "warmup": True})
    assert r.json()["load_kg"] == pytest.approx(30 * KG_PER_LB, abs=0.01)
    both = client.post("/api/log", headers=a.h, json={"exercise": "goblet_squat", "load": "30lb", "load_kg": 13.6,
                                                       "sets": 3, "reps": 10})
    assert 400 <= both.status_code < 500 and "once" in both.json()["detail"]
    log = client.get("/api/log").json()
    assert [e["load_kg"] for e in log] == pytest.approx([13.608, 13.608], abs=0.01)
    assert {e["load_text"] for e in log} == {"30 lb"}
    # the page: the load field is in lb, the table shows 30 lb, the form takes "30lb" and a number in lb
    page = client.get("/log").text
    table = re.search(r'id="log-table".*?</table>', page, re.S).group(0)
    assert "Load (lb)" in page and "30 lb" in table and "13.6" not in table
    r = _form(client, "/log", {"date": _day(1), "exercise": "goblet_squat", "load": "35", "sets": "3", "reps": "10",
                               "warmup": "yes"})
    assert r.status_code == 200 and 'id="log-saved"' in r.text and "35 lb" in r.text
    assert client.get("/api/log").json()[-1]["load_kg"] == pytest.approx(35 * KG_PER_LB, abs=0.01)
    _assert_plain_words(r.text, "/log")


def test_upload_load_prefills_the_log_form_in_the_persons_unit(client: Any, synth_clip: Path) -> None:
    a = ApiUser(client, "ulla")
    job = a.wait_job(a.upload(synth_clip, load_kg="20").json()["id"])
    assert job["status"] == "done", job
    page = client.get(f"/log?report={job['report_id']}&exercise=back_squat").text
    assert 'name="load" inputmode="decimal" value="20"' in page
    client.put("/api/profile", headers=a.h, json={"unit": "lb"})
    page = client.get(f"/log?report={job['report_id']}&exercise=back_squat").text
    assert f'value="{round(20 / KG_PER_LB, 1):g}"' in page  # 44.1 lb
    # the upload page takes the load in the person's unit too, stored in kg
    csrf = page_csrf(client, "/upload")
    assert "Load (lb" in client.get("/upload").text
    with open(synth_clip, "rb") as f:
        r = client.post("/upload", files={"file": ("s.mp4", f, "video/mp4")},
                        data={"exercise": "back_squat", "load_kg": "50", "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303, r.text
    job2 = a.wait_job(r.headers["location"].rsplit("/", 1)[-1])
    page = client.get(f"/log?report={job2['report_id']}&exercise=back_squat").text
    assert 'name="load" inputmode="decimal" value="50"' in page  # 50 lb in, 50 lb back


# --- severe pain ---------------------------------------------------------------------------------------------------

def test_severe_pain_in_a_set_flags_first_and_the_next_plan_rests(client: Any) -> None:
    a = ApiUser(client, "sev")
    assert client.post("/api/triage", headers=a.h, json={"date": _day(3), "flags": []}).status_code == 200
    r = client.post("/api/log", headers=a.h, json={"date": _day(1), "exercise": "goblet_squat", "load_kg": 10,
                                                    "sets": 3, "reps": 10, "pain_during": 9, "pain_after": 8,
                                                    "warmup": True})
    assert r.status_code == 201, r.text
    flags = r.json()["flags"]
    assert flags and flags[0]["code"] == "severe_pain" and flags[0]["level"] == "stop"
    assert flags[0]["title"] and "severe_pain" not in flags[0]["title"] + flags[0]["message"]
    plan = client.get("/api/plan").json()
    assert plan["triage"] == "rest" and plan["urgency"] == "rest"
    assert plan["exercises"] and all(p["load_kg"] == 0 for p in plan["exercises"])
    assert all(p["tempo"] is None for p in plan["exercises"] if p["rep_unit"] != "reps")
    assert "severe-pain" in plan["rules"]
    explained = {r["id"]: r for r in client.get("/api/plan?explain=true").json()["explain"]}
    assert explained["severe-pain"]["source"] and explained["severe-pain"]["evidence"]
    # the pages: the tier first (amber), severe pain in plain words, the rule behind it under "Explain"
    page = client.get("/plan").text
    assert 'class="tier tier-amber tier-rest"' in page
    assert page.index('id="tier-banner"') < page.index('id="plan-main"')
    assert "<details" in page and "Source:" in page
    _assert_plain_words(page, "/plan")
    dash = client.get("/dashboard").text
    assert "tier-rest" in dash
    _assert_plain_words(dash, "/dashboard")
    # the log form: the stop-level warning first and styled, never "No flags"
    r = _form(client, "/log", {"date": _day(1), "exercise": "glute_bridge", "sets": "2", "reps": "10",
                               "pain_during": "8", "warmup": "yes"})
    assert r.status_code == 200
    assert 'id="log-stop-flags"' in r.text and "Severe pain" in r.text and "No flags" not in r.text
    assert r.text.index('id="log-stop-flags"') < r.text.index('id="log-form"')
    _assert_plain_words(r.text, "/log after severe pain")


def test_severe_morning_checkin_warns(client: Any) -> None:
    a = ApiUser(client, "morn")
    r = client.post("/api/checkins", headers=a.h, json={"date": _day(1), "pain": 9, "sleep_hours": 5.5})
    assert r.status_code == 201, r.text
    out = r.json()
    assert [f["code"] for f in out["flags"]] == ["severe_pain"] and out["flags"][0]["level"] == "stop"
    assert out["detail"].startswith("Severe pain") and "9/10" in out["detail"]
    assert client.get("/api/checkins").json() == [{"date": _day(1), "pain": 9, "sleep_hours": 5.5}]
    calm = client.post("/api/checkins", headers=a.h, json={"pain": 2}).json()
    assert calm["flags"] == [] and calm["detail"].startswith("Check-in saved")
    # the page shows the warning prominently instead of only "saved"
    r = _form(client, "/checkin", {"date": _day(1), "pain": "9", "sleep_hours": "5"}, follow_redirects=False)
    assert r.status_code == 200
    assert 'id="log-stop-flags"' in r.text and "Severe pain" in r.text and "below the knee" in r.text
    _assert_plain_words(r.text, "/checkin")
    r = _form(client, "/checkin", {"pain": "1"}, follow_redirects=False)
    assert r.status_code == 303


# --- not checked yet, tiers, clearance --------------------------------------------------------------------------

def test_no_triage_is_not_checked_and_never_no_red_flags(client: Any) -> None:
    ApiUser(client, "newbie")
    plan = client.get("/api/plan").json()
    assert plan["triage"] == "not_checked" and plan["urgency"] == "not_checked" and plan["label"] == "NOT CHECKED YET"
    assert [p["exercise"] for p in plan["exercises"]] == ["walking"] and plan["exercises"][0]["tempo"] is None
    for path in ("/plan", "/dashboard"):
        page = client.get(path).text
        assert 'class="tier tier-amber tier-not_checked"' in page and "NOT CHECKED YET" in page, path
        assert 'href="/triage"' in re.search(r'id="tier-banner".*?</section>', page, re.S).group(0), path
        assert "backsafe triage" not in page, path
        _assert_plain_words(page, path)
    main = re.search(r'id="plan-main".*?</section>', client.get("/plan").text, re.S).group(0)
    assert "tempo" not in main  # walking has no tempo


def test_tiers_are_coloured_and_a_clearance_says_what_it_covers(client: Any) -> None:
    a = ApiUser(client, "tia")
    r = _form(client, "/triage", {"flag": ["chest_pain"]}, page="/triage")
    assert r.status_code == 200 and 'class="tier tier-red tier-emergency"' in r.text and "EMERGENCY" in r.text
    r = _form(client, "/triage", {"flag": ["fever"]}, page="/triage")
    assert "tier-red tier-urgent" in r.text and "URGENT" in r.text
    assert client.get("/api/plan").json()["triage"] == "urgent"
    # the clinician clears the fever: stored with what it covers, shown on the result and on the triage page
    r = client.post("/api/triage", headers=a.h, json={"flags": ["fever"], "clinician_cleared": True})
    out = r.json()
    # (it also covers the chest pain of this morning's earlier check: §1 State, the open earlier results)
    assert out["outcome"] == "proceed" and "fever" in out["clearance"]["flags"]
    assert any("fever" in c.lower() for c in out["clearance"]["covers"])
    r = _form(client, "/triage", {"flag": ["fever"], "clinician_cleared": "yes"}, page="/triage")
    assert 'id="clearance"' in r.text and "It covers" in r.text and "tier-green tier-proceed" in r.text
    page = client.get("/triage").text
    assert 'name="clinician_cleared"' in page and 'id="clearances"' in page and TODAY.isoformat() in page
    # with nothing to clear, nothing is stored and the page says so
    r = client.post("/api/triage", headers=a.h, json={"flags": [], "clinician_cleared": True})
    assert "fever" in r.json()["clearance"]["flags"]  # today's earlier clearance, not a new one
    for path in ("/plan", "/dashboard", "/triage"):
        _assert_plain_words(client.get(path).text, path)


# --- outcome measures ----------------------------------------------------------------------------------------------

def test_outcome_measures_round_trip_and_meaningful_change(client: Any) -> None:
    a = ApiUser(client, "otto")
    assert client.get("/api/outcomes").json() == {"records": [], "changes": []}
    r = client.post("/api/outcomes", headers=a.h, json={"date": _day(14), "pain_week": 6,
                                                         "psfs": {"walking 30 min": 3, "tying shoes": 4}})
    assert r.status_code == 201, r.text
    assert r.json()["changes"] == []
    r = client.post("/api/outcomes", headers=a.h, json={"date": _day(0), "pain_week": 5,
                                                         "psfs": {"walking 30 min": 6, "tying shoes": 6}})
    got = client.get("/api/outcomes").json()
    assert got == r.json()
    assert len(got["records"]) == 6
    by = {c["measure"]: c for c in got["changes"]}
    # pain 6 → 5: 1 point and 17 %: not meaningful (2 points or 30 %); PSFS 3.5 → 6: 2.5 points: meaningful
    assert by["pain_nrs"]["first"] == 6 and by["pain_nrs"]["latest"] == 5 and by["pain_nrs"]["meaningful"] is False
    assert by["psfs"]["first"] == pytest.approx(3.5) and by["psfs"]["latest"] == pytest.approx(6)
    assert by["psfs"]["meaningful"] is True
    dash = client.get("/dashboard").text
    section = re.search(r'id="outcomes".*?</section>', dash, re.S).group(0)
    assert "a meaningful change" in section and "not yet a meaningful change" in section
    # refusals
    assert client.post("/api/outcomes", headers=a.h, json={"pain_week": 11}).status_code == 422
    r = client.post("/api/outcomes", headers=a.h, json={"psfs": {"walking": 12}})
    assert 400 <= r.status_code < 500 and "0-10" in r.json()["detail"]
    r = client.post("/api/outcomes", headers=a.h, json={})
    assert 400 <= r.status_code < 500 and isinstance(r.json()["detail"], str)
    # the dashboard's form
    r = _form(client, "/outcomes", {"pain_week": "2", "activity": ["walking 30 min", "tying shoes", ""],
                                    "score": ["8", "7", ""]}, page="/dashboard")
    assert r.status_code == 200
    latest = [x for x in client.get("/api/outcomes").json()["records"] if x["date"] == _day(0)]
    assert {(x["kind"], x["activity"], x["score"]) for x in latest} == {
        ("pain_nrs", None, 2.0), ("psfs", "walking 30 min", 8.0), ("psfs", "tying shoes", 7.0)}


# --- the coach's read-only view -----------------------------------------------------------------------------------

def test_coach_sees_the_same_plan_read_only(client: Any) -> None:
    from fastapi.testclient import TestClient

    a = ApiUser(client, "pat")
    client.put("/api/profile", headers=a.h, json={"unit": "lb"})
    client.post("/api/triage", headers=a.h, json={"date": _day(10), "flags": []})
    client.post("/api/log", headers=a.h, json={"date": _day(2), "exercise": "goblet_squat", "load": "30lb",
                                                "sets": 3, "reps": 10, "pain_during": 8, "warmup": True})
    coach_client = TestClient(client.app, base_url="http://testserver")
    ApiUser(coach_client, "cora", role="coach")
    assert client.post("/api/shares", headers=a.h, json={"coach": "cora"}).status_code == 201
    page = coach_client.get(f"/coach/people/{a.id}").text
    assert "tier-amber tier-rest" in page and "Severe pain" in page and "30 lb" in page
    assert "<details" in page  # the explain switch
    forms = re.findall(r'<form[^>]*action="([^"]+)"', page)
    assert forms == ["/logout", f"/coach/people/{a.id}/comments"], forms  # read-only but for a comment
    assert 'href="/triage"' not in re.search(r'id="tier-banner".*?</section>', page, re.S).group(0)
    _assert_plain_words(page, "coach view")
    assert coach_client.get(f"/api/coach/people/{a.id}/plan").json()["triage"] == "rest"
