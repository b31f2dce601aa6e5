"""Friendly 404 answers (a page for people, JSON for the API) and charts with axes and units."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from webhelpers import ApiUser, make_settings


def test_not_found_answer_is_a_page_for_people_and_json_for_the_api(db_url: str, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from backsafe.web.main import create_app

    app = create_app(make_settings(db_url, tmp_path / "data"), run_jobs=False)  # registers not_found_answer
    with TestClient(app) as c:
        page = c.get("/no/such/page", headers={"accept": "text/html"})
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "Not found" in page.text and "no page at this address" in page.text and '{"detail"' not in page.text
        api = c.get("/api/no/such/thing")
        assert api.status_code == 404 and api.json() == {"detail": "not found"}
        assert c.post("/api/health").status_code == 405  # other framework errors keep their status
    app.state.db.dispose()


def test_dashboard_charts_have_axes_and_units(client: Any) -> None:
    u = ApiUser(client, "alice")
    client.post("/api/log", headers=u.h, json={"exercise": "squat", "sets": 3, "reps": 10, "pain_after": 3})
    page = client.get("/dashboard").text
    svg = page[page.index('<svg class="chart"'):]
    svg = svg[:svg.index("</svg>")]
    assert "pain 0-10" in svg and ">10</text>" in svg and ">0</text>" in svg  # the value axis with its unit
    assert svg.count("<line") >= 2  # both axes
    assert ">3</text>" in svg  # a single point shows its value


def test_coach_view_pain_numbers_plan_and_comments(client: Any, second_client: Any) -> None:
    import re

    person = ApiUser(client, "pat")
    client.post("/api/log", headers=person.h, json={"exercise": "squat", "sets": 3, "reps": 10, "pain_before": 1,
                                                      "pain_during": 4, "pain_after": 6})
    assert client.post("/api/checkins", headers=person.h, json={"pain": 2}).status_code == 201
    coach = ApiUser(second_client, "coachy", role="coach")
    assert second_client.get(f"/coach/people/{person.id}").status_code == 404  # not shared yet
    assert client.post("/api/shares", headers=person.h, json={"coach": "coachy"}).status_code in (200, 201)
    page = second_client.get(f"/coach/people/{person.id}")
    assert page.status_code == 200
    pain = page.text[page.text.index('id="coach-pain"'):]
    assert "<td>1</td><td>4</td><td>6</td>" in pain and "2/10" in pain
    assert second_client.get(f"/coach/people/{person.id}/plan").status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = second_client.post(f"/coach/people/{person.id}/comments", data={"csrf_token": csrf,
                                                                        "text": "Go lighter <b>next</b> week"})
    assert r.status_code == 200 and "Go lighter &lt;b&gt;next&lt;/b&gt; week" in r.text
    dash = client.get("/dashboard").text
    assert "From your coach" in dash and "Go lighter &lt;b&gt;next&lt;/b&gt; week" in dash
    # another coach cannot comment or read
    other = ApiUser(client.__class__(client.app, base_url="http://testserver"), "coach2", role="coach")
    assert other.client.get(f"/coach/people/{person.id}/plan").status_code == 404
    assert other.client.post(f"/coach/people/{person.id}/comments", headers=other.h,
                             data={"text": "hi"}).status_code == 404


def test_upload_can_film_now_or_pick_a_clip(client: Any) -> None:
    ApiUser(client, "filmer")
    page = client.get("/upload").text
    # the file input keeps its picker (no capture attribute of its own); "Film now" opens it on the back camera
    assert 'id="clip-input"' in page and 'data-capture-for="clip-input"' in page
    tag = page[page.index('id="clip-input"') - 200: page.index('id="clip-input"')]
    assert "capture=" not in tag[tag.rindex("<input"):]
    js = client.get("/static/app.js").text
    assert 'setAttribute("capture", "environment")' in js and "[data-capture-for]" in js
