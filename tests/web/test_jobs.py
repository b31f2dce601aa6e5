"""Upload → background job → report, with the analysis faked (the real pipeline runs in the browser test)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from webhelpers import ApiUser

import fakes
from backsafe.web import crud
from backsafe.web.models import Job


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_upload_runs_job_and_serves_report(client: Any, synth_clip: Path) -> None:
    u = ApiUser(client, "alice")
    r = u.upload(synth_clip, load_kg=20, tempo="3-1-2-0", view="side")
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] in ("queued", "running", "done")
    done = u.wait_job(job["id"])
    assert done["status"] == "done", done
    assert done["percent"] == 100.0 and done["report_id"]
    call = fakes.CALLS[-1]
    assert call["load_kg"] == 20.0 and call["tempo"] == "3-1-2-0" and call["view"] == "side"
    rid = done["report_id"]
    rep = client.get(f"/api/reports/{rid}").json()
    assert rep["rep_count"] == 2 and rep["report"]["schema_version"] == "1"
    assert rep["faults"] == {"back_rounding": 1, "rushing": 1}
    assert rep["has_annotated_video"] is True and rep["kept_original"] is False
    html = client.get(f"/api/reports/{rid}/html")
    assert html.status_code == 200 and "<html" in html.text.lower()
    assert "default-src 'none'" in html.headers["content-security-policy"]
    video = client.get(f"/reports/{rid}/annotated.mp4")
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4" and len(video.content) > 1000
    ranged = client.get(f"/reports/{rid}/annotated.mp4", headers={"Range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.content) == 100
    page = client.get(f"/reports/{rid}")
    assert page.status_code == 200 and f"/reports/{rid}/report.html" in page.text
    assert [x["id"] for x in client.get("/api/reports").json()] == [rid]


def test_clip_deleted_after_analysis_unless_kept(client: Any, synth_clip: Path) -> None:
    u = ApiUser(client, "alice")
    data_dir = Path(client.app.state.settings.data_dir)
    j1 = u.wait_job(u.upload(synth_clip).json()["id"])
    files = _files(data_dir)
    assert not [p for p in files if p.suffix == ".video"], files  # upload gone, nothing kept
    assert any(p.name == "report.json" for p in files)  # the report (with keypoints summary) stays
    j2 = u.wait_job(u.upload(synth_clip, keep_video="true").json()["id"])
    kept = [p for p in _files(data_dir) if p.name == "original.video"]
    assert len(kept) == 1 and kept[0].read_bytes() == synth_clip.read_bytes()
    assert not list(data_dir.rglob("uploads/*.video"))
    assert client.get(f"/api/reports/{j2['report_id']}").json()["kept_original"] is True
    assert client.get(f"/reports/{j2['report_id']}/original").content == synth_clip.read_bytes()
    assert client.get(f"/reports/{j1['report_id']}/original").status_code == 404


def test_nobody_reads_done_while_the_clip_is_still_there(client: Any, synth_clip: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The clip goes before "done" (or "failed") is committed: a client that polls the job and then looks for the
    clip never finds it (removed after the commit, it stood beside "done" for a moment, and CI once caught it)."""
    runner = client.app.state.runner
    reader = create_engine(runner.db.url)  # a plain reader (the app's own sessions queue behind the writer)
    seen: list[str] = []
    remove = runner._remove_upload

    def watching(files_key: str, job_public_id: str) -> None:
        with reader.connect() as c:  # what any other reader sees at this moment
            seen.append(c.execute(select(Job.status).where(Job.public_id == job_public_id)).scalar_one())
        remove(files_key, job_public_id)

    monkeypatch.setattr(runner, "_remove_upload", watching)
    u = ApiUser(client, "alice")
    try:
        assert u.wait_job(u.upload(synth_clip).json()["id"])["status"] == "done"
    finally:
        reader.dispose()
    assert seen and "done" not in seen, seen
    assert not list(Path(client.app.state.settings.data_dir).rglob("uploads/*.video"))


@pytest.mark.parametrize("name", ["../../etc/passwd.mp4", "..\\..\\win\x00.mp4",
                                  "<script>alert(1)</script>.mp4"])
def test_stored_names_are_server_generated(client: Any, synth_clip: Path, name: str) -> None:
    u = ApiUser(client, "alice")
    r = u.upload(synth_clip, filename=name, keep_video="true")
    assert r.status_code == 202, r.text
    job = u.wait_job(r.json()["id"])
    assert "/" not in job["upload_name"] and "\\" not in job["upload_name"] and "<" not in job["upload_name"]
    root = Path(client.app.state.settings.data_dir).resolve()
    for p in _files(root):
        rel = p.relative_to(root).parts
        assert rel[0] == "users" and all(part in ("uploads", "reports") or part.replace(".partial", "").isalnum()
                                         or part in ("report.json", "report.html", "report.text.html", "annotated.mp4", "original.video")
                                         for part in rel[1:]), rel
    assert not (root.parent / "etc").exists()


def test_type_checked_by_decoding_not_name(client: Any, tmp_path: Path, synth_clip: Path) -> None:
    u = ApiUser(client, "alice")
    fake = tmp_path / "notavideo.mp4"
    fake.write_bytes(b"this is text, not a video\n" * 100)
    r = u.upload(fake)
    assert r.status_code == 422 and "not a readable video" in r.json()["detail"]
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    assert u.upload(empty).status_code == 422
    truncated = tmp_path / "cut.mp4"
    truncated.write_bytes(synth_clip.read_bytes()[:2000])
    assert u.upload(truncated).status_code == 422
    # a real video with a misleading name is accepted: the content decides
    r = u.upload(synth_clip, filename="holiday.txt")
    assert r.status_code == 202
    assert u.wait_job(r.json()["id"])["status"] == "done"
    assert not list(Path(client.app.state.settings.data_dir).rglob("uploads/*.video"))  # no rejected one stayed
    assert client.get("/api/jobs").json()[0]["upload_name"] == "holiday.txt"
    assert len(client.get("/api/jobs").json()) == 1  # rejected uploads leave no job


def test_upload_limits(make_client: Any, synth_clip: Path) -> None:
    client = make_client(max_upload_mb=0.05, max_duration_s=3)
    u = ApiUser(client, "alice")
    big = synth_clip.stat().st_size > 0.05 * 1024 * 1024
    r = u.upload(synth_clip)
    if big:
        assert r.status_code == 413, r.text
    # a small-enough body but too long a clip
    client2 = make_client(max_upload_mb=50, max_duration_s=3)
    u2 = ApiUser(client2, "bob")
    r = u2.upload(synth_clip)
    assert r.status_code == 422 and "limit is 3 s" in r.json()["detail"]
    assert client2.get("/api/jobs").json() == []
    # Content-Length far above the limit is refused before the body is read
    r = client2.post("/api/jobs", headers={**u2.h, "Content-Length": str(10**12)}, content=b"x")
    assert r.status_code == 413


def test_upload_size_limit_streamed(make_client: Any, tmp_path: Path) -> None:
    client = make_client(max_upload_mb=1)
    u = ApiUser(client, "alice")
    blob = tmp_path / "big.mp4"
    blob.write_bytes(os.urandom(3 * 1024 * 1024))
    r = u.upload(blob)
    assert r.status_code == 413
    assert not list(Path(client.app.state.settings.data_dir).rglob("*.video"))


def test_bad_form_values(client: Any, synth_clip: Path) -> None:
    u = ApiUser(client, "alice")
    assert u.upload(synth_clip, exercise="handstand_walk").status_code == 422
    assert u.upload(synth_clip, view="upside-down").status_code == 422
    assert u.upload(synth_clip, tempo="9-9-9-9-9").status_code == 422
    assert u.upload(synth_clip, load_kg=-5).status_code == 422


def test_crashed_job_ends_failed_with_reason(make_client: Any, synth_clip: Path) -> None:
    client = make_client(analyze_fn=fakes.crashing_analyze)
    u = ApiUser(client, "alice")
    job = u.wait_job(u.upload(synth_clip).json()["id"])
    assert job["status"] == "failed"
    assert "simulated crash" in job["error"] and "RuntimeError" in job["error"]
    assert not list(Path(client.app.state.settings.data_dir).rglob("*.video"))  # the clip is gone too
    page = client.get(f"/jobs/{job['id']}")
    assert "simulated crash" in page.text


def test_no_person_is_a_clear_failure(make_client: Any, synth_clip: Path) -> None:
    client = make_client(analyze_fn=fakes.no_person_analyze)
    u = ApiUser(client, "alice")
    job = u.wait_job(u.upload(synth_clip).json()["id"])
    assert job["status"] == "failed" and job["error"].startswith("no person found")


def _make_running(client: Any, user_id: int, *, attempts: int, age_s: float) -> str:
    db = client.app.state.db
    with db.session() as s:
        acc = crud.get_account(s, user_id)
        pid = crud.new_id()
        path = client.app.state.storage.upload_path(acc[1].files_key, pid)
        job = crud.create_job(s, user_id, public_id=pid, exercise="back_squat", view=None, load_kg=None, tempo=None,
                              keep_video=False, upload_label="x.mp4", upload_file=path.name)
        job.status, job.attempts = "running", attempts
        job.heartbeat_at = crud.utcnow() - dt.timedelta(seconds=age_s)
    return pid


def test_orphaned_running_job_is_requeued_then_completes(make_client: Any, synth_clip: Path) -> None:
    client = make_client(run_jobs=False, job_stale_after_s=30)
    u = ApiUser(client, "alice")
    pid = _make_running(client, u.id, attempts=1, age_s=60)
    with client.app.state.db.session() as s:
        acc = crud.get_account(s, u.id)
    client.app.state.storage.upload_path(acc[1].files_key, pid).write_bytes(synth_clip.read_bytes())
    fresh = _make_running(client, u.id, attempts=1, age_s=0)  # still heartbeating elsewhere: left alone
    # a new server start on the same database picks the orphan up
    client2 = make_client(job_stale_after_s=30)
    u.client = client2
    u.login()
    job = u.wait_job(pid)
    assert job["status"] == "done" and job["attempts"] == 2
    assert client2.get(f"/api/jobs/{fresh}").json()["status"] == "running"


def test_job_interrupted_too_often_fails_with_reason(make_client: Any) -> None:
    client = make_client(run_jobs=False)
    u = ApiUser(client, "alice")
    pid = _make_running(client, u.id, attempts=3, age_s=120)
    client.app.state.runner = None
    from backsafe.web.jobs import JobRunner

    runner = JobRunner(client.app.state.db, client.app.state.storage, client.app.state.settings)
    assert runner.recover() == [(pid, "failed")]
    job = client.get(f"/api/jobs/{pid}").json()
    assert job["status"] == "failed" and "interrupted 3 times" in job["error"]


def test_job_with_missing_clip_fails(make_client: Any) -> None:
    client = make_client(run_jobs=False)
    u = ApiUser(client, "alice")
    pid = _make_running(client, u.id, attempts=0, age_s=120)
    with client.app.state.db.session() as s:
        s.query(Job).filter(Job.public_id == pid).update({"status": "queued"})
    client2 = make_client()
    u.client = client2
    u.login()
    job = u.wait_job(pid)
    assert job["status"] == "failed" and "no longer on the server" in job["error"]
