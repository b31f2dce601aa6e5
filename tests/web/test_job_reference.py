"""An upload judged against one of the person's OWN earlier reports (``reference_id``), on SQLite and PostgreSQL.

The analysis is the real pipeline on real UI-PRMD Kinect skeletons of one person (subject 6) instead of the
uploaded clip's pixels (no MediaPipe here): a first upload analyses three good deep squats, a second one three
incorrect (shallow) ones, judged against the first report's stored per-rep measures. Another person's report id,
an unknown one and a malformed one all get the same 404, and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from webhelpers import ApiUser, page_csrf

from backsafe.report.document import Report
from tests.uiprmd_sets import write_uiprmd_set

JUDGED = {"back_rounding", "partial_range", "lateral_shift", "hip_rotation", "knee_valgus", "knee_varus"}
CALLS: list[dict[str, Any]] = []


@pytest.fixture(scope="module")
def clips(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Three real (decodable) clips, each standing for one recording: the analysis knows which by the clip's bytes
    (good squats, incorrect squats, or the synthetic report of fakes.py, which stores no per-rep measures)."""
    import hashlib

    from fakes import make_report, write_clip

    d = tmp_path_factory.mktemp("refclips")
    out: dict[str, dict[str, Any]] = {
        "good": {"clip": write_clip(d / "good.mp4", make_report(n_reps=3, rounding_rep=None, rushing_rep=None)),
                 "skeleton": write_uiprmd_set(datasets, 6, [1, 2, 3], True, d / "good.npy")},
        "wrong": {"clip": write_clip(d / "wrong.mp4", make_report(n_reps=4, rounding_rep=None, rushing_rep=None)),
                  "skeleton": write_uiprmd_set(datasets, 6, [1, 2, 3], False, d / "wrong.npy")},
        "synthetic": {"clip": write_clip(d / "synth.mp4", make_report(n_reps=2, rounding_rep=1, rushing_rep=2)),
                      "skeleton": None},
    }
    for v in out.values():
        v["sha256"] = hashlib.sha256(v["clip"].read_bytes()).hexdigest()
    assert len({v["sha256"] for v in out.values()}) == 3
    return out


@pytest.fixture
def keypoint_analyze(clips: dict[str, dict[str, Any]]) -> Any:
    """An AnalyzeFn that runs the real pipeline on the skeleton the uploaded clip stands for, with the job's
    options (``reference`` included); the synthetic clip gets fakes.fake_analyze's report."""
    import hashlib

    import fakes
    from backsafe.pipeline import analyze

    by_digest = {v["sha256"]: v["skeleton"] for v in clips.values()}
    CALLS.clear()

    def run(path: Path, exercise: str, progress: Any = None, **options: Any) -> Report:
        CALLS.append({"exercise": exercise, **options})
        skeleton = by_digest[hashlib.sha256(Path(path).read_bytes()).hexdigest()]
        if skeleton is None:
            return fakes.fake_analyze(path, exercise, progress, **options)
        options.pop("input_format", None)  # the upload is a video; the skeleton stands in for its keypoints
        report = analyze(skeleton, exercise, input_format="kinect-uiprmd", fps=30, **options)
        report.pose = None  # skeleton coordinates, not the clip's pixels: no annotated video
        return report

    return run


@contextmanager
def jobs_running(client: Any, analyze_fn: Any) -> Iterator[None]:
    """Run the queued jobs of ``client``'s app (made with run_jobs=False) while inside the block."""
    from backsafe.web.jobs import JobRunner

    state = client.app.state
    runner = JobRunner(state.db, state.storage, state.settings, analyze_fn)
    runner.start()
    try:
        yield
    finally:
        runner.stop()


def _upload(u: ApiUser, clips: dict[str, dict[str, Any]], which: str, **form: Any) -> Any:
    return u.upload(clips[which]["clip"], exercise=form.pop("exercise", "deep_squat"), **form)


def _report_doc(u: ApiUser, rid: str) -> dict[str, Any]:
    r = u.client.get(f"/api/reports/{rid}")
    assert r.status_code == 200, r.text
    return r.json()["report"]  # type: ignore[no-any-return]


def test_own_report_as_reference(make_client: Any, keypoint_analyze: Any, clips: dict[str, Any]) -> None:
    client = make_client(analyze_fn=keypoint_analyze)
    u = ApiUser(client, "alice")
    good = u.wait_job(_upload(u, clips, "good").json()["id"])
    assert good["status"] == "done", good
    ref_doc = _report_doc(u, good["report_id"])
    assert "reference" not in ref_doc and ref_doc["rep_measures"]["reps"] == [1, 2, 3]

    r = _upload(u, clips, "wrong", reference_id=good["report_id"])
    assert r.status_code == 202, r.text
    assert r.json()["reference_id"] == good["report_id"]
    done = u.wait_job(r.json()["id"])
    assert done["status"] == "done", done
    doc = _report_doc(u, done["report_id"])
    assert doc["reference"]["reps"] == 3 and doc["reference"]["dims"] == "3d"
    assert doc["reference"]["sources"] == [f"report {good['report_id']}"]
    assert CALLS[-1]["reference"].n_reps == 3
    judged = {rep["index"] for rep in doc["reps"] for f in rep["faults"] if f["code"] in JUDGED}
    assert len(judged) >= 2  # the shallow squats, against this person's own depth

    plain = u.wait_job(_upload(u, clips, "wrong").json()["id"])  # the same set without a reference
    assert plain["reference_id"] is None and "reference" not in CALLS[-1]
    plain_doc = _report_doc(u, plain["report_id"])
    assert "reference" not in plain_doc
    assert plain_doc["reps"] != doc["reps"]  # the reference changed the judgement
    page = u.client.get(f"/jobs/{done['id']}")
    assert f'href="/reports/{good["report_id"]}"' in page.text


def test_reference_of_another_person_is_refused_like_an_unknown_one(make_client: Any, keypoint_analyze: Any,
                                                                   clips: dict[str, Any]) -> None:
    client = make_client(analyze_fn=keypoint_analyze)
    alice = ApiUser(client, "alice")
    good = alice.wait_job(_upload(alice, clips, "good").json()["id"])
    assert good["status"] == "done"
    bob = ApiUser(client.__class__(client.app, base_url="http://testserver"), "bob")
    answers = []
    for rid in (good["report_id"], "0123456789abcdef0123456789abcdef", "../../etc/passwd", "A" * 32, "ab\x00cd"):
        r = _upload(bob, clips, "wrong", reference_id=rid)
        answers.append((r.status_code, r.json()))
    assert answers[0] == (404, {"detail": "reference report not found: reference_id must be the id of one of your "
                                          "own reports"})
    assert all(a == answers[0] for a in answers[1:]), answers
    assert bob.client.get("/api/jobs").json() == []
    data = Path(client.app.state.settings.data_dir)
    assert not list(data.rglob("uploads/*.video"))  # refused before the clip was stored
    # the HTML form says the same, and offers none of another person's reports
    csrf = page_csrf(bob.client, "/upload")
    assert good["report_id"] not in bob.client.get("/upload").text
    with open(clips["wrong"]["clip"], "rb") as f:
        r = bob.client.post("/upload", files={"file": ("x.mp4", f, "video/mp4")},
                            data={"csrf_token": csrf, "exercise": "deep_squat", "reference_id": good["report_id"]},
                            follow_redirects=False)
    assert r.status_code == 404 and "reference report not found" in r.text and good["report_id"] not in r.text
    # a coach alice shares with may read her report, but not judge a clip with it
    carol = ApiUser(client.__class__(client.app, base_url="http://testserver"), "carol", role="coach")
    assert alice.client.post("/api/shares", headers=alice.h, json={"coach": "carol"}).status_code == 201
    assert carol.client.get(f"/api/reports/{good['report_id']}").status_code == 200
    assert _upload(carol, clips, "wrong", reference_id=good["report_id"]).status_code == 404
    # alice's own upload with it is accepted (the id itself is fine)
    assert _upload(alice, clips, "wrong", reference_id=good["report_id"]).status_code == 202


def test_own_report_that_cannot_serve_is_a_422(make_client: Any, keypoint_analyze: Any,
                                                clips: dict[str, Any]) -> None:
    client = make_client(analyze_fn=keypoint_analyze)
    u = ApiUser(client, "alice")
    squat = u.wait_job(_upload(u, clips, "good", exercise="back_squat").json()["id"])
    r = _upload(u, clips, "wrong", reference_id=squat["report_id"])  # deep_squat against a back squat
    assert r.status_code == 422 and "not of 'deep_squat'" in r.json()["detail"], r.text
    # a report stored without per-rep measures (the synthetic fake writes none, as older versions did)
    old = u.wait_job(_upload(u, clips, "synthetic", exercise="back_squat").json()["id"])
    assert old["status"] == "done", old
    r = _upload(u, clips, "wrong", exercise="back_squat", reference_id=old["report_id"])
    assert r.status_code == 422 and "cannot serve as a reference" in r.json()["detail"], r.text
    assert len(u.client.get("/api/jobs").json()) == 2  # the refused uploads left no job
    # the form page offers the person's own reports, preselected from a report's "judge a new clip" link
    page = u.client.get(f"/upload?reference={squat['report_id']}&exercise=back_squat").text
    assert f'<option value="{squat["report_id"]}" selected>' in page
    assert f'href="/upload?reference={old["report_id"]}&amp;exercise=back_squat"' in \
        u.client.get(f"/reports/{old['report_id']}").text


def test_reference_deleted_before_the_job_runs(make_client: Any, keypoint_analyze: Any,
                                               clips: dict[str, Any]) -> None:
    client = make_client(analyze_fn=keypoint_analyze, run_jobs=False)
    u = ApiUser(client, "alice")
    with jobs_running(client, keypoint_analyze):
        good = u.wait_job(_upload(u, clips, "good").json()["id"])
    assert good["status"] == "done", good
    r = _upload(u, clips, "wrong", reference_id=good["report_id"])
    assert r.status_code == 202, r.text
    assert u.client.delete(f"/api/reports/{good['report_id']}", headers=u.h).status_code == 200
    with jobs_running(client, keypoint_analyze):
        job = u.wait_job(r.json()["id"])
    assert job["status"] == "failed" and job["error"].startswith("the reference report was deleted"), job
    assert not list(Path(client.app.state.settings.data_dir).rglob("uploads/*.video"))
