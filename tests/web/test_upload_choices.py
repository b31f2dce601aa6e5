"""Who to analyse and the pose model, chosen at upload (DESIGN.md: ``--person`` and ``--model`` in the web app too):
the API and the form take ``person`` and ``model``, the job row keeps them (None for the defaults), the job's
analysis receives them and the job's JSON shows them; a wrong value is a 422 that names the field, with nothing
stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from webhelpers import ApiUser, page_csrf

import fakes


def _call_for(job_id: str) -> dict[str, Any]:
    """What the fake analysis of job ``job_id`` was told (its clip is stored as <job id>.video)."""
    calls = [c for c in fakes.CALLS if c["path"].stem == job_id]
    assert len(calls) == 1, calls
    return calls[0]


def _stored(client: Any) -> list[Path]:
    return sorted(p for p in Path(client.app.state.settings.data_dir).rglob("uploads/*") if p.is_file())


def test_person_and_model_reach_the_analysis(client: Any, synth_clip: Path) -> None:
    u = ApiUser(client, "alice")
    r = u.upload(synth_clip, person="left", model="lite")
    assert r.status_code == 202, r.text
    assert (r.json()["person"], r.json()["model"]) == ("left", "lite")
    job = u.wait_job(r.json()["id"])
    assert job["status"] == "done" and (job["person"], job["model"]) == ("left", "lite")
    call = _call_for(job["id"])
    assert (call["person"], call["model"]) == ("left", "lite")
    # nothing asked: the analysis gets neither and uses its own defaults; the job says which they are
    plain = u.wait_job(u.upload(synth_clip).json()["id"])
    assert (plain["person"], plain["model"]) == ("auto", "full")
    assert "person" not in _call_for(plain["id"]) and "model" not in _call_for(plain["id"])
    # the defaults asked for by name are the same job as nothing asked
    named = u.wait_job(u.upload(synth_clip, person="auto", model="full").json()["id"])
    assert (named["person"], named["model"]) == ("auto", "full")
    assert "person" not in _call_for(named["id"]) and "model" not in _call_for(named["id"])
    # a point on the first frame (a tap in the upload page), and a word spelled another way, in one spelling
    point = u.wait_job(u.upload(synth_clip, person=" 0.25, 0.6 ", model="heavy").json()["id"])
    assert point["person"] == "0.25,0.6" and _call_for(point["id"])["person"] == "0.25,0.6"
    assert _call_for(point["id"])["model"] == "heavy"
    centre = u.wait_job(u.upload(synth_clip, person="Centre").json()["id"])
    assert centre["person"] == "center" and _call_for(centre["id"])["person"] == "center"
    listed = {j["id"]: (j["person"], j["model"]) for j in client.get("/api/jobs").json()}
    assert listed[job["id"]] == ("left", "lite") and listed[point["id"]] == ("0.25,0.6", "heavy")


def test_a_wrong_person_or_model_is_refused_and_nothing_stored(client: Any, synth_clip: Path) -> None:
    u = ApiUser(client, "alice")
    for field, value, said in (("person", "tallest", "person 'tallest'"), ("person", "1,2,3", "person '1,2,3'"),
                               ("person", "0.5", "person '0.5'"), ("model", "huge", "pose model 'huge'"),
                               ("model", "FULL", "pose model 'FULL'")):
        r = u.upload(synth_clip, **{field: value})
        assert r.status_code == 422, (field, value, r.text)
        assert said in r.json()["detail"], r.json()
    too_long = u.upload(synth_clip, person="0." + "5" * 40 + ",0.5")
    assert too_long.status_code == 422 and too_long.json()["detail"][0]["loc"] == ["body", "person"]
    assert client.get("/api/jobs").json() == []
    assert _stored(client) == []  # refused before the clip was stored


def test_the_upload_form_takes_person_and_model(client: Any, synth_clip: Path) -> None:
    u = ApiUser(client, "alice")
    page = client.get("/upload").text
    assert '<select name="person"' in page and '<select name="model"' in page
    assert 'value="auto" selected' in page and 'value="full" selected' in page  # the defaults, shown as chosen
    csrf = page_csrf(client, "/upload")

    def post(**form: str) -> Any:
        with open(synth_clip, "rb") as f:
            return client.post("/upload", files={"file": ("set.mp4", f, "video/mp4")},
                               data={"csrf_token": csrf, "exercise": "back_squat", **form}, follow_redirects=False)

    r = post(person="right", model="heavy")
    assert r.status_code == 303, r.text
    job_id = r.headers["location"].rsplit("/", 1)[1]
    job = u.wait_job(job_id)
    assert (job["person"], job["model"]) == ("right", "heavy")
    assert (_call_for(job_id)["person"], _call_for(job_id)["model"]) == ("right", "heavy")
    r = post(person="0.5,0.5,0.5")
    assert r.status_code == 422 and "person &#39;0.5,0.5,0.5&#39;: expected auto" in r.text
    r = post(model="huge")
    assert r.status_code == 422 and "pose model &#39;huge&#39;" in r.text
    assert [j["id"] for j in client.get("/api/jobs").json()] == [job_id] and _stored(client) == []
