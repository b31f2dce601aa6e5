"""backsafe batch on keypoint files (no MediaPipe): reports, summary, resumability, failures, manifests."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backsafe.batch import discover_inputs, read_manifest, report_dir, run_batch, write_result, BatchJob, JobResult
from backsafe.cli import app
from backsafe.errors import InputError


def _run(squat_dir: Path, out: Path, **kw: object):
    return run_batch(squat_dir, out, manifest=squat_dir.parent / "manifest.json", **kw)


def test_batch_writes_one_report_per_input_and_a_summary(squat_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = _run(squat_dir, out)
    assert (res.n_ok, res.n_failed, res.n_skipped) == (4, 1, 0)
    for k in range(4):
        doc = json.loads((report_dir(out, f"squat_{k:02d}.npy") / "report.json").read_text())
        assert doc["schema_version"] == "1" and doc["exercise"] == "squat"
        assert doc["rep_count"] >= 2
    rows = list(csv.DictReader((out / "summary.csv").open()))
    assert [r["input"] for r in rows] == ["broken.npy", *(f"squat_{k:02d}.npy" for k in range(4))]
    broken = rows[0]
    assert broken["status"] == "failed" and "not a NumPy .npy array" in broken["error"]
    assert str(squat_dir) not in broken["error"]  # reasons name the input, not the worker's path
    assert not (report_dir(out, "broken.npy") / "report.json").exists()
    import pyarrow.parquet as pq

    table = pq.read_table(out / "summary.parquet")
    assert table.num_rows == 5 and table.column("rep_count").to_pylist()[1] >= 2


def test_rerun_skips_finished_inputs_and_redoes_changed_ones(squat_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(squat_dir, out)
    stamps = {p: p.stat().st_mtime_ns for p in (out / "reports").rglob(".done")}
    res = _run(squat_dir, out)
    assert (res.n_skipped, res.n_ok, res.n_failed) == (5, 4, 1)
    assert {p: p.stat().st_mtime_ns for p in (out / "reports").rglob(".done")} == stamps
    # a changed input (new content -> new sha256) and changed options are redone
    (squat_dir / "squat_00.npy").write_bytes((squat_dir / "squat_01.npy").read_bytes())
    res = _run(squat_dir, out, stride=2)
    assert res.n_skipped == 0
    res = _run(squat_dir, out, stride=2)
    assert res.n_skipped == 5
    res = _run(squat_dir, out, stride=2, retry_failed=True)
    assert res.n_skipped == 4


def test_report_without_completion_record_is_redone(squat_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run(squat_dir, out)
    (report_dir(out, "squat_02.npy") / ".done").unlink()  # as if killed between the report and the record
    res = _run(squat_dir, out)
    assert res.n_skipped == 4 and res.n_ok == 4


def test_writes_are_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash while writing leaves no partial report and no completion record."""
    import backsafe.report.json_report as jr

    job = BatchJob(name="x.npy", path=tmp_path / "x.npy", options={"exercise": "squat"}, sha256="0" * 64)
    real_fdopen = jr.os.fdopen

    class Boom(Exception):
        pass

    def failing_fdopen(fd: int, *a: object, **k: object):
        f = real_fdopen(fd, *a, **k)
        f.write(b"{ half a rep")
        raise Boom

    monkeypatch.setattr(jr.os, "fdopen", failing_fdopen)
    with pytest.raises(Boom):
        write_result(tmp_path, job, JobResult("x.npy", "ok", report_text='{"rep_count": 3}\n'))
    d = report_dir(tmp_path, "x.npy")
    assert list(d.iterdir()) == []  # the temp file was removed, nothing else was created


def test_manifest_path_traversal_is_refused(squat_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.npy").write_bytes(b"x")
    for bad in ("../secret.npy", str(tmp_path / "secret.npy"), "sub/../../secret.npy"):
        m = tmp_path / "evil.json"
        m.write_text(json.dumps([{"file": bad, "exercise": "squat"}]))
        with pytest.raises(InputError, match="outside the input folder"):
            read_manifest(m, squat_dir)
    (squat_dir / "link.npy").symlink_to(tmp_path / "secret.npy")
    m.write_text(json.dumps([{"file": "link.npy"}]))
    with pytest.raises(InputError, match="outside the input folder"):
        read_manifest(m, squat_dir)


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ([{"file": "squat_00.npy", "weight": 3}], "unknown field"),
        ([{"file": "missing.npy"}], "does not exist"),
        ([{"file": "squat_00.npy", "load_kg": "heavy"}], "not a number"),
        ([{"exercise": "squat"}], "has no 'file'"),
        ([{"file": "squat_00.npy", "back_shape": "maybe"}], "expected true or false"),
    ],
)
def test_bad_manifest_entries(squat_dir: Path, tmp_path: Path, rows: list[dict[str, object]], match: str) -> None:
    m = tmp_path / "m.json"
    m.write_text(json.dumps(rows))
    with pytest.raises(InputError, match=match):
        read_manifest(m, squat_dir)


def test_csv_manifest_and_cli(squat_dir: Path, tmp_path: Path) -> None:
    m = tmp_path / "m.csv"
    m.write_text("file,exercise,fps,load_kg\nsquat_00.npy,goblet_squat,30,12\nsquat_01.npy,,30,\n")
    opts = read_manifest(m, squat_dir)
    assert opts["squat_00.npy"] == {"exercise": "goblet_squat", "fps": 30.0, "load_kg": 12.0}
    assert opts["squat_01.npy"] == {"fps": 30.0}
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", str(squat_dir), "--out", str(out), "--manifest", str(m),
                                      "--fps", "30", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "4 ok, 1 failed" in result.output
    doc = json.loads((report_dir(out, "squat_00.npy") / "report.json").read_text())
    assert doc["exercise"] == "goblet_squat" and doc["input"]["path"] == "squat_00.npy"
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "nope"), "--out", str(out)])
    assert result.exit_code == 3 and "not a folder" in result.output


def test_discovery_skips_hidden_and_output(squat_dir: Path) -> None:
    (squat_dir / ".hidden.npy").write_bytes(b"")
    (squat_dir / "notes.md").write_text("x")
    out = squat_dir / "out"
    (out / "reports").mkdir(parents=True)
    (out / "reports" / "r.json").write_text("{}")
    names = [p.name for p in discover_inputs(squat_dir, exclude=[out])]
    assert names == ["broken.npy", *(f"squat_{k:02d}.npy" for k in range(4))]


def test_local_pool_gives_the_same_reports(squat_dir: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    _run(squat_dir, a, workers=1)
    res = _run(squat_dir, b, workers=2)
    assert (res.n_ok, res.n_failed) == (4, 1)
    for k in range(4):
        name = f"squat_{k:02d}.npy"
        assert (report_dir(a, name) / "report.json").read_bytes() == (report_dir(b, name) / "report.json").read_bytes()


def test_back_shape_in_the_manifest_and_its_job_key(squat_dir: Path, tmp_path: Path) -> None:
    from backsafe.batch import job_options

    m = tmp_path / "m.csv"
    m.write_text("file,back_shape\nsquat_00.npy,true\nsquat_01.npy,no\nsquat_02.npy,\n")
    opts = read_manifest(m, squat_dir)
    assert opts["squat_00.npy"] == {"back_shape": True}
    assert opts["squat_01.npy"] == {"back_shape": False} and opts["squat_02.npy"] == {}
    off = job_options("deadlift", opts["squat_01.npy"], 1)
    assert off["back_shape"] is False
    # on is the default ([2/6]): the same options (so the same job key) as an entry that does not mention it
    assert job_options("deadlift", opts["squat_00.npy"], 1) == job_options("deadlift", {}, 1)
    assert "back_shape" not in job_options("deadlift", {}, 1)


def test_person_in_the_manifest_and_from_the_command(squat_dir: Path, tmp_path: Path) -> None:
    """``--person`` (DESIGN.md: CLI, batch, web, live) and a manifest's ``person`` per input: one spelling per choice
    in the job key, ``auto`` (the default) left out, a wrong one refused before anything runs."""
    from backsafe.batch import job_options
    from backsafe.errors import ValueRangeError

    m = tmp_path / "m.csv"
    m.write_text('file,person\nsquat_00.npy,Centre\nsquat_01.npy,"0.30, 0.5"\nsquat_02.npy,auto\n')
    opts = read_manifest(m, squat_dir)
    assert job_options("squat", opts["squat_00.npy"], 1)["person"] == "center"
    assert job_options("squat", opts["squat_01.npy"], 1)["person"] == "0.3,0.5"
    assert job_options("squat", opts["squat_02.npy"], 1) == job_options("squat", {}, 1)
    assert "person" not in job_options("squat", {}, 1)
    with pytest.raises(ValueRangeError, match="person 'tallest'"):
        job_options("squat", {"person": "tallest"}, 1)
    out = tmp_path / "out"
    bad = CliRunner().invoke(app, ["batch", str(squat_dir), "--out", str(out), "--person", "tallest"])
    assert bad.exit_code == 3 and "person 'tallest'" in bad.output and "squat_0" not in bad.output, bad.output
    assert not out.exists()  # refused before the output folder was made


def test_one_worker_per_core_decodes_inline(monkeypatch: pytest.MonkeyPatch, sample_clip: Path) -> None:
    """A pool worker that is one of as many workers as cores decodes inline (no decode thread competing with the
    other worker); a user's BACKSAFE_DECODE_THREAD wins; the pipeline obeys it."""
    import os
    import subprocess
    import sys

    from backsafe.pose import runner

    code = ("from backsafe import settings; from backsafe.batch import Analyzer; Analyzer(one_per_core={}); "
            "print(int(settings.decode_in_thread()))")
    env = {k: v for k, v in os.environ.items() if k != "BACKSAFE_DECODE_THREAD"}

    def child(one_per_core: bool, extra: dict[str, str]) -> str:
        r = subprocess.run([sys.executable, "-c", code.format(one_per_core)], capture_output=True, text=True,
                           env={**env, **extra}, timeout=60)
        return r.stdout.strip()

    assert child(True, {}) == "0"  # told by the batch, not through the environment (settings.one_worker_per_core)
    assert child(False, {}) == "1"
    assert child(True, {"BACKSAFE_DECODE_THREAD": "1"}) == "1"
    assert child(False, {"BACKSAFE_DECODE_THREAD": "0"}) == "0"

    class Stop(Exception):
        pass

    class FirstFrameStops:
        def process(self, rgb: object, t_s: float | None = None) -> None:
            raise Stop

        def close(self) -> None:
            pass

    used: list[str] = []
    inline, threaded = runner.iter_frames, runner.iter_frames_threaded
    monkeypatch.setattr(runner, "iter_frames", lambda *a, **k: (used.append("inline"), inline(*a, **k))[1])
    monkeypatch.setattr(runner, "iter_frames_threaded",
                        lambda *a, **k: (used.append("thread"), threaded(*a, **k))[1])
    for flag, expected in (("0", "inline"), ("1", "thread")):
        monkeypatch.setenv("BACKSAFE_DECODE_THREAD", flag)
        used.clear()
        with pytest.raises(Stop):
            runner.estimate_video_pose(sample_clip, estimator_factory=FirstFrameStops)  # type: ignore[arg-type]
        assert used == [expected]


def test_without_an_exercise_each_input_is_recognised(squat_dir: Path, tmp_path: Path) -> None:
    """No -e and no exercise in the manifest: each input's exercise is recognised, as `backsafe analyze` does
    without --exercise (it used to be a silent squat: a deadlift folder analysed as squats), and the summary names
    the exercise analysed."""
    from backsafe.recognition import family_of

    manifest = tmp_path / "fps_only.json"
    manifest.write_text(json.dumps([{"file": f"squat_{k:02d}.npy", "fps": 30} for k in range(2)]))
    for k in range(2, 4):
        (squat_dir / f"squat_{k:02d}.npy").unlink()
    (squat_dir / "broken.npy").unlink()
    out = tmp_path / "out"
    res = run_batch(squat_dir, out, manifest=manifest)
    assert (res.n_ok, res.n_failed) == (2, 0)
    rows = list(csv.DictReader((out / "summary.csv").open()))
    for row in rows:
        doc = json.loads((out / row["report"]).read_text())
        assert doc["exercise_source"] == "recognised", doc["exercise_source"]
        assert row["exercise"] == doc["exercise"] and family_of(doc["exercise"]) == "squat", (row, doc["exercise"])
    given = run_batch(squat_dir, tmp_path / "given", manifest=manifest, exercise="goblet_squat")
    assert given.n_ok == 2
    for row in csv.DictReader((tmp_path / "given" / "summary.csv").open()):
        assert row["exercise"] == "goblet_squat"
        assert json.loads((tmp_path / "given" / row["report"]).read_text())["exercise_source"] == "given"
