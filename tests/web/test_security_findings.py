"""One test per security finding of issue 19 (found on loopback against main at 8dff349, where each of these tests
fails). Each test names its finding; the fixes are in web/auth.py, web/services.py and web/jobs.py."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from webhelpers import PASSWORD, ApiUser

from backsafe.web import crud


def _fresh(client: Any) -> Any:
    """Another browser on the same app and the same address, with no cookies (no session, no device cookie)."""
    return client.__class__(client.app, base_url="http://testserver")


def _login(c: Any, name: str, password: str) -> int:
    return int(c.post("/api/auth/login", json={"name": name, "password": password}).status_code)


# --- finding 1: a trailing space in the user name got a fresh login counter and logged into a locked account ---

@pytest.mark.parametrize("spelling", ["alice ", " alice", "alice\t", "ALICE ", "alice\u200b"])
def test_name_spellings_share_one_login_counter(make_client: Callable[..., Any], spelling: str) -> None:
    client = make_client(login_max_failures=3, login_window_s=600)
    ApiUser(client, "alice")
    guesser = _fresh(client)
    for _ in range(3):
        assert _login(guesser, "alice", "wrong-guess-12345") == 401
    # the account now makes every try wait: another spelling of the same name must not get a fresh counter
    r = guesser.post("/api/auth/login", json={"name": spelling, "password": PASSWORD})
    assert r.status_code == 429, (spelling, r.status_code, r.text)
    assert int(r.headers["retry-after"]) > 0


# --- finding 2: upload error messages showed full server paths ------------------------------------------------

def test_upload_errors_name_no_server_path(client: Any, tmp_path: Path) -> None:
    u = ApiUser(client, "alice")
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)  # an mp4 header, then nonsense
    r = u.upload(junk, filename="junk.mp4")
    assert r.status_code == 422, r.text
    data_dir = str(client.app.state.settings.data_dir)
    for leak in (data_dir, str(Path(data_dir).resolve()), "/uploads/", ".video", str(tmp_path)):
        assert leak not in r.text, (leak, r.text)
    assert "upload" in r.json()["detail"]  # still says what went wrong, about the upload
    # the page says it the same way
    page = client.get("/upload")
    import re

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    with open(junk, "rb") as f:
        r = client.post("/upload", data={"csrf_token": csrf, "exercise": "back_squat"},
                        files={"file": ("junk.mp4", f, "video/mp4")})
    assert r.status_code == 422
    assert data_dir not in r.text and "/uploads/" not in r.text and ".video" not in r.text


# --- finding 3: a raw H.264 stream named .mp4 skipped the duration limit (no container duration) ---------------

def _raw_h264(path: Path, seconds: float, fps: int = 30) -> Path:
    import av
    import numpy as np

    out = av.open(str(path), "w", format="h264")  # a bare elementary stream: no container, no duration
    stream = out.add_stream("libx264", rate=fps)
    stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
    for i in range(int(seconds * fps)):
        frame = av.VideoFrame.from_ndarray(np.full((120, 160, 3), (i * 3) % 255, np.uint8), format="rgb24")
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode():
        out.mux(packet)
    out.close()
    return path


def test_raw_h264_stream_is_held_to_the_duration_limit(make_client: Callable[..., Any], tmp_path: Path) -> None:
    from backsafe.io.video import probe_video

    client = make_client(max_duration_s=5, run_jobs=False)
    u = ApiUser(client, "alice")
    long_raw = _raw_h264(tmp_path / "long.mp4", seconds=12)
    assert probe_video(long_raw).duration_s is None  # the premise: the container says nothing
    r = u.upload(long_raw, filename="long.mp4")
    assert r.status_code == 422, r.text
    assert "limit is 5 s" in r.json()["detail"]
    # a short raw stream within the limit is still accepted
    short_raw = _raw_h264(tmp_path / "short.mp4", seconds=2)
    assert u.upload(short_raw, filename="short.mp4").status_code == 202


# --- finding 4: the annotated video and key frames stayed until the report was deleted, although the form said
# the video "is deleted after the analysis" ------------------------------------------------------------------

def _report_dir(client: Any, user: ApiUser, report_id: str) -> Path:
    with client.app.state.db.session() as s:
        rep = crud.get_report(s, user.id, report_id)
        acc = crud.get_account(s, user.id)
        assert rep is not None and acc is not None
        return client.app.state.storage.report_dir(acc[1].files_key, rep.folder)  # type: ignore[no-any-return]


def test_pictures_not_kept_unless_asked(make_client: Callable[..., Any], synth_clip: Path) -> None:
    client = make_client(media_keep_days=0)
    u = ApiUser(client, "alice")
    job = u.wait_job(u.upload(synth_clip).json()["id"])
    assert job["status"] == "done", job
    d = _report_dir(client, u, job["report_id"])
    assert not (d / "annotated.mp4").exists()
    assert "data:image/jpeg" not in (d / "report.html").read_text(encoding="utf-8")
    assert not (d / "original.video").exists()
    assert client.get(f"/api/reports/{job['report_id']}").json()["has_annotated_video"] is False
    # asked to keep: all of it stays
    kept = u.wait_job(u.upload(synth_clip, keep_video="true").json()["id"])
    d = _report_dir(client, u, kept["report_id"])
    assert (d / "annotated.mp4").exists() and (d / "original.video").exists()
    assert "data:image/jpeg" in (d / "report.html").read_text(encoding="utf-8")


def test_pictures_expire_and_can_be_dropped(make_client: Callable[..., Any], synth_clip: Path) -> None:
    import datetime as dt

    from sqlalchemy import update

    from backsafe.web.models import WebReport

    client = make_client(media_keep_days=7)
    u = ApiUser(client, "alice")
    first = u.wait_job(u.upload(synth_clip).json()["id"])
    second = u.wait_job(u.upload(synth_clip).json()["id"])
    d1, d2 = _report_dir(client, u, first["report_id"]), _report_dir(client, u, second["report_id"])
    assert (d1 / "annotated.mp4").exists() and "data:image/jpeg" in (d1 / "report.html").read_text()
    # past the keep date: the next read of the report drops the pictures first
    with client.app.state.db.session() as s:
        s.execute(update(WebReport).where(WebReport.public_id == first["report_id"])
                  .values(media_until=crud.utcnow() - dt.timedelta(seconds=1)))
    r = client.get(f"/api/reports/{first['report_id']}/html")
    assert r.status_code == 200 and "data:image/jpeg" not in r.text
    assert client.get(f"/api/reports/{first['report_id']}/video").status_code == 404
    assert not (d1 / "annotated.mp4").exists()
    # dropped by the person
    r = client.delete(f"/api/reports/{second['report_id']}/media", headers=u.h)
    assert r.status_code == 200, r.text
    assert not (d2 / "annotated.mp4").exists() and "data:image/jpeg" not in (d2 / "report.html").read_text()
    assert client.get(f"/api/reports/{second['report_id']}").json()["rep_count"] == 2  # the report stays


# --- finding 5: no per-user queue limit and no way to cancel a job -------------------------------------------------

def test_queue_limit_and_cancel(make_client: Callable[..., Any], synth_clip: Path) -> None:
    client = make_client(run_jobs=False, max_open_jobs_per_user=2)
    u = ApiUser(client, "alice")
    first, second = (u.upload(synth_clip).json() for _ in range(2))
    r = u.upload(synth_clip)
    assert r.status_code == 429, r.text
    assert "cancel" in r.json()["detail"]
    other = ApiUser(_fresh(client), "bob")  # another person's queue is their own
    assert other.upload(synth_clip).status_code == 202
    r = client.post(f"/api/jobs/{first['id']}/cancel", headers=u.h)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "failed" and "cancelled" in r.json()["error"]
    with client.app.state.db.session() as s:
        acc = crud.get_account(s, u.id)
        assert acc is not None
    assert not client.app.state.storage.upload_path(acc[1].files_key, first["id"]).exists()  # the clip went
    assert u.upload(synth_clip).status_code == 202  # room again
    # bob cannot cancel alice's job (404, never says it exists)
    assert other.client.post(f"/api/jobs/{second['id']}/cancel", headers=other.h).status_code == 404


def _cancel_while_running(make_client: Callable[..., Any], synth_clip: Path,
                          monkeypatch: pytest.MonkeyPatch) -> tuple[Any, str]:
    """A job whose (fake) analysis would run 60 s, cancelled once it runs: stopping well before that is the cancel's
    doing. The waits allow a busy machine (a loaded CI runner) 30 s; the job's final state tells a cancel from a
    finished run. Returns the client and the job's id."""
    from fakes import slow_analyze

    monkeypatch.setenv("FAKE_ANALYZE_S", "60")
    client = make_client(analyze_fn=slow_analyze)
    u = ApiUser(client, "alice")
    jid = u.upload(synth_clip).json()["id"]
    t0 = time.monotonic()
    while client.get(f"/api/jobs/{jid}").json()["status"] != "running":
        assert time.monotonic() - t0 < 30
        time.sleep(0.05)
    assert client.post(f"/api/jobs/{jid}/cancel", headers=u.h).status_code == 200
    return client, jid


def test_cancel_stops_a_running_job(make_client: Callable[..., Any], synth_clip: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    client, jid = _cancel_while_running(make_client, synth_clip, monkeypatch)
    t0 = time.monotonic()
    while not client.app.state.runner.idle():
        assert time.monotonic() - t0 < 30, "the running analysis did not stop"
        time.sleep(0.05)
    job = client.get(f"/api/jobs/{jid}").json()
    assert job["status"] == "failed" and job["report_id"] is None and "cancelled" in job["error"]
    assert client.get("/api/reports").json() == []


def test_a_cancelled_job_keeps_its_reason(make_client: Callable[..., Any], synth_clip: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A cancel that lands between the runner claiming a job and finding its clip removes the clip; the runner's
    "the uploaded clip is no longer on the server" must not then overwrite "cancelled by you" (it did, now and
    then, in the test above), nor may an interrupted run put a cancelled job back in the queue."""
    from sqlalchemy import select

    from backsafe.web.models import Job

    client, jid = _cancel_while_running(make_client, synth_clip, monkeypatch)
    runner = client.app.state.runner
    with runner.db.session() as s:
        row_id = s.scalars(select(Job).where(Job.public_id == jid)).one().id
    runner._fail(row_id, "the uploaded clip is no longer on the server; upload it again")
    job = client.get(f"/api/jobs/{jid}").json()
    assert job["status"] == "failed" and "cancelled" in job["error"], job
    with runner.db.session() as s:  # what an interrupted run writes: only a running job goes back to the queue
        assert not crud.update_running_job(s, row_id, status="queued")
    assert client.get(f"/api/jobs/{jid}").json()["status"] == "failed"


# --- finding 6: the deleted user's name stayed in the SQLite WAL ----------------------------------------------------

def test_deleted_user_leaves_nothing_in_the_sqlite_files(make_client: Callable[..., Any], db_url: str,
                                                        synth_clip: Path) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("SQLite's own files (database and write-ahead log); PostgreSQL keeps no per-app file")
    client = make_client()
    name = "zelda-unique-7731"
    u = ApiUser(client, name)
    ApiUser(_fresh(client), "someone-staying")
    assert client.post("/api/log", headers=u.h, json={"exercise": "goblet_squat", "load_kg": 12, "sets": 3,
                                                      "reps": 10}).status_code == 201
    job = u.wait_job(u.upload(synth_clip, filename="zelda-clip-7731.mp4").json()["id"])
    assert job["status"] == "done"
    db_file = Path(db_url.split("///", 1)[1].split("?", 1)[0])

    def on_disk() -> bytes:
        return b"".join(p.read_bytes() for p in (db_file, Path(f"{db_file}-wal")) if p.exists())

    assert name.encode() in on_disk()  # the premise: the name is in the files before
    r = client.request("DELETE", "/api/me", headers=u.h, json={"password": PASSWORD})
    assert r.status_code == 200, r.text
    data = on_disk()
    assert name.encode() not in data and b"zelda-clip-7731" not in data
    with sqlite3.connect(db_file) as con:  # the file is still a sound database with the other user in it
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM users WHERE name = 'someone-staying'").fetchone()[0] == 1


# --- finding 7: passwords like aaaaaaaaaa or equal to the user name were accepted ------------------------------

@pytest.mark.parametrize("password", ["aaaaaaaaaa", "alice-lifts", "ALICE-LIFTS", "password123456", "1234567890",
                                      "qwertyuiop", "iloveyou2024", "abababababab", "alice-lifts2"])
def test_trivial_or_breached_passwords_refused(client: Any, password: str) -> None:
    r = client.post("/api/auth/signup", json={"name": "alice-lifts", "password": password, "role": "person"})
    assert r.status_code == 422, (password, r.text)
    assert "password" in r.text


def test_password_change_refuses_the_same(client: Any) -> None:
    u = ApiUser(client, "alice")
    r = client.put("/api/me/password", headers=u.h, json={"current_password": PASSWORD, "new_password": "aaaaaaaaaa"})
    assert r.status_code == 422
    r = client.put("/api/me/password", headers=u.h, json={"current_password": PASSWORD,
                                                          "new_password": "sunny kettlebell morning"})
    assert r.status_code == 200


# --- finding 8: the per-address login limit would lock out a whole gym's Wi-Fi --------------------------------

def test_a_shared_address_does_not_lock_everyone_out(make_client: Callable[..., Any]) -> None:
    client = make_client(login_max_failures=5, login_window_s=600)
    ApiUser(client, "alice")  # alice logged in on her phone before: it holds her device cookie
    ApiUser(_fresh(client), "carol")
    # someone on the gym's Wi-Fi (the same address) fails 30 times against other accounts
    guesser = _fresh(client)
    for i in range(30):
        guesser.post("/api/auth/login", json={"name": f"member{i}", "password": "not-the-password"})
    # carol, on a phone she never used here (no device cookie), still logs in at once
    assert _login(_fresh(client), "carol", PASSWORD) == 200
    # a determined guesser is slowed (growing delay per address), but never alice on her own phone
    for i in range(30, 110):  # spraying many names: 5 x 20 failures from one address, then a growing delay
        guesser.post("/api/auth/login", json={"name": f"member{i}", "password": "not-the-password"})
    assert _login(_fresh(client), "carol", PASSWORD) == 429
    assert _login(client, "alice", PASSWORD) == 200
    # and failures against alice's account from elsewhere do not slow her down on her phone
    for _ in range(10):
        guesser.post("/api/auth/login", json={"name": "alice", "password": "not-the-password"})
    assert _login(client, "alice", PASSWORD) == 200
