"""backsafe batch with the person's own reference (manifest ``reference``, ``--reference``), on real UI-PRMD Kinect
skeletons: the same report as ``backsafe analyze --reference``, re-runs keyed on the reference's content, paths
kept inside INPUT_DIR, a bad reference failing only its own jobs, and the reference's bytes shipped with a job
(Ray: no shared file system)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from backsafe.batch import Analyzer, JobResult, plan_batch, read_manifest, report_dir, run_batch
from backsafe.batch.ray_run import dispatch_ray
from backsafe.cli import app
from backsafe.errors import InputError
from tests.uiprmd_sets import write_uiprmd_set

COMMON = {"exercise": "deep_squat", "fps": 30, "input_format": "kinect-uiprmd"}
CLI_COMMON = ["--exercise", "deep_squat", "--fps", "30", "--input-format", "kinect-uiprmd"]
#: the movement-pattern faults a reference judges (faults/reference.py REFERENCE_CODES)
JUDGED = {"back_rounding", "partial_range", "lateral_shift", "hip_rotation", "knee_valgus", "knee_varus"}


def _cli_analyze(target: Path, reference: Path, out: Path) -> dict[str, Any]:
    """``backsafe analyze TARGET --reference REF`` as a user runs it; returns report.json's text and document."""
    proc = subprocess.run([sys.executable, "-m", "backsafe.cli", "analyze", str(target), *CLI_COMMON, "--reference",
                           str(reference), "--out", str(out), "--format", "json"], capture_output=True, text=True,
                          timeout=300, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    text = (out / "report.json").read_text(encoding="utf-8")
    return {"text": text, "doc": json.loads(text)}


def _batch_doc(out: Path, name: str) -> tuple[str, dict[str, Any]]:
    text = (report_dir(out, name) / "report.json").read_text(encoding="utf-8")
    return text, json.loads(text)


def _judged(doc: dict[str, Any]) -> list[tuple[int, str]]:
    return [(r["index"], f["code"]) for r in doc["reps"] for f in r["faults"] if f["code"] in JUDGED]


@pytest.fixture()
def person(datasets: Path, tmp_path: Path) -> Path:
    """INPUT_DIR of subject 6: a recording of 3 good reps under refs/, a set of 3 incorrect (shallow) squats and
    a later set of 3 good ones; a manifest (outside the folder) gives both sets the recording as reference and
    lists the recording itself without one."""
    d = tmp_path / "in"
    write_uiprmd_set(datasets, 6, [1, 2, 3], True, d / "refs" / "good.npy")
    write_uiprmd_set(datasets, 6, [1, 2, 3], False, d / "wrong.npy")
    write_uiprmd_set(datasets, 6, [4, 5, 6], True, d / "later.npy")
    (tmp_path / "manifest.json").write_text(json.dumps({
        "defaults": COMMON,
        "items": [{"file": "wrong.npy", "reference": "refs/good.npy"},
                  {"file": "later.npy", "reference": "refs/good.npy"},
                  {"file": "refs/good.npy"}],  # the recording is also an input (judged on population norms)
    }))
    return d


def test_batch_with_a_reference_recording_equals_analyze_reference(person: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = run_batch(person, out, manifest=tmp_path / "manifest.json")
    # the reference recording is the person's set too: analysed as an input of its own (without a reference)
    assert {r["input"]: (r["status"], r["reference"]) for r in res.rows} == {
        "later.npy": ("ok", "refs/good.npy"), "refs/good.npy": ("ok", None), "wrong.npy": ("ok", "refs/good.npy")}
    for name in ("wrong.npy", "later.npy"):
        cli = _cli_analyze(person / name, person / "refs" / "good.npy", tmp_path / f"cli-{name}")
        text, doc = _batch_doc(out, name)
        assert text == cli["text"], name  # byte for byte: reference summary, findings and comparison
        assert doc["reference"]["reps"] == 3 and doc["reference"]["sources"] == ["good.npy"]
        assert doc["comparison"]["reps"], doc.get("comparison")
    # the reference changed the judgement: the shallow set is flagged against the person's own depth
    wrong = _batch_doc(out, "wrong.npy")[1]
    assert _judged(_batch_doc(out, "later.npy")[1]) == []
    assert len({rep for rep, _ in _judged(wrong)}) >= 2
    rec = json.loads((report_dir(out, "wrong.npy") / ".done").read_text())
    assert rec["reference"] == "refs/good.npy" and len(rec["reference_sha256"]) == 64
    summary = (out / "summary.csv").read_text().splitlines()
    assert summary[0].endswith(",report,reference") and any(r.endswith(",refs/good.npy") for r in summary[1:])


def test_batch_with_a_reference_report_json(person: Path, datasets: Path, tmp_path: Path) -> None:
    """A report.json of the good reps (no recording needed) judges as the recording does; it is not an input."""
    good = _cli_analyze(person / "refs" / "good.npy", person / "refs" / "good.npy", tmp_path / "good")
    report_json = person / "refs" / "good_report.json"
    report_json.write_text(good["text"])
    (person / "refs" / "good.npy").unlink()  # only the report is left: nothing else to learn from
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"defaults": {**COMMON, "reference": "refs/good_report.json"},
                                    "items": [{"file": "wrong.npy"}, {"file": "later.npy"}]}))
    out = tmp_path / "out"
    res = run_batch(person, out, manifest=manifest)
    assert sorted(r["input"] for r in res.rows) == ["later.npy", "wrong.npy"]  # the report.json is no input
    assert (res.n_ok, res.n_failed) == (2, 0), res.rows
    cli = _cli_analyze(person / "wrong.npy", report_json, tmp_path / "cli")
    text, doc = _batch_doc(out, "wrong.npy")
    assert text == cli["text"]
    assert "comparison" not in doc  # a report carries no time series to compare with
    # the same judgement as with the recording itself (the report's rep_measures are the recording's values)
    again = write_uiprmd_set(datasets, 6, [1, 2, 3], True, tmp_path / "again" / "good.npy")
    recorded = _cli_analyze(person / "wrong.npy", again, tmp_path / "rec")["doc"]
    assert doc["reference"] == recorded["reference"]
    assert [r["faults"] for r in doc["reps"]] == [r["faults"] for r in recorded["reps"]]


def test_changed_reference_is_redone_unchanged_skipped(person: Path, datasets: Path, tmp_path: Path) -> None:
    out, manifest = tmp_path / "out", tmp_path / "manifest.json"
    run_batch(person, out, manifest=manifest)
    done = {n: (report_dir(out, n) / ".done").stat().st_mtime_ns for n in ("wrong.npy", "later.npy", "refs/good.npy")}
    before = _batch_doc(out, "wrong.npy")[1]["reference"]
    again = run_batch(person, out, manifest=manifest)
    assert (again.n_skipped, again.n_ok) == (3, 3)
    assert all((report_dir(out, n) / ".done").stat().st_mtime_ns == m for n, m in done.items())
    # other good reps of the same person, same file name: the two inputs judged against it are redone
    write_uiprmd_set(datasets, 6, [7, 8, 9], True, person / "refs" / "good.npy")
    third = run_batch(person, out, manifest=manifest)
    assert third.n_skipped == 0  # the reference recording is an input itself and changed too
    after = _batch_doc(out, "wrong.npy")[1]["reference"]
    assert after["baseline"] != before["baseline"] and after["sources"] == ["good.npy"]
    # the same reference named by the batch-wide --reference instead of the manifest: the same key, skipped
    m2 = tmp_path / "m2.json"
    m2.write_text(json.dumps({"defaults": COMMON, "items": [{"file": "wrong.npy"}, {"file": "later.npy"},
                                                            {"file": "refs/good.npy"}]}))
    fourth = run_batch(person, out, manifest=m2, reference=person / "refs" / "good.npy")
    by_name = {r["input"]: r for r in fourth.rows}
    assert by_name["wrong.npy"]["reference"] == "refs/good.npy" and by_name["refs/good.npy"]["status"] == "ok"
    assert fourth.n_skipped == 2  # wrong.npy and later.npy; refs/good.npy now has a reference (itself): redone


def test_batch_wide_reference_outside_the_folder_and_cli(person: Path, tmp_path: Path) -> None:
    ext = tmp_path / "elsewhere" / "good.npy"
    ext.parent.mkdir()
    ext.write_bytes((person / "refs" / "good.npy").read_bytes())
    (person / "refs" / "good.npy").unlink()
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", str(person), "--out", str(out), "-e", "deep_squat", "--fps", "30",
                                      "--reference", str(ext)])
    assert result.exit_code == 0, result.output
    assert "2 ok, 0 failed" in result.output
    doc = _batch_doc(out, "wrong.npy")[1]
    assert doc["reference"]["sources"] == ["good.npy"]
    rec = json.loads((report_dir(out, "wrong.npy") / ".done").read_text())
    assert rec["reference"] == str(ext)
    result = CliRunner().invoke(app, ["batch", str(person), "--out", str(out), "--reference",
                                      str(tmp_path / "nope.npy")])
    assert result.exit_code == 3 and "--reference" in result.output


@pytest.mark.parametrize("bad", ["../good.npy", "refs/../../good.npy", "ABS", "LINK"])
def test_reference_outside_input_dir_is_refused(person: Path, tmp_path: Path, bad: str) -> None:
    (tmp_path / "good.npy").write_bytes((person / "refs" / "good.npy").read_bytes())
    if bad == "ABS":
        bad = str(tmp_path / "good.npy")
    elif bad == "LINK":
        (person / "refs" / "link.npy").symlink_to(tmp_path / "good.npy")
        bad = "refs/link.npy"
    m = tmp_path / "evil.json"
    m.write_text(json.dumps([{"file": "wrong.npy", "reference": bad, **COMMON}]))
    with pytest.raises(InputError, match="reference .* points outside the input folder"):
        read_manifest(m, person)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", str(person), "--out", str(out), "--manifest", str(m)])
    assert result.exit_code == 3 and "outside the input folder" in result.output
    assert not (out / "reports").exists()  # refused before anything ran


def test_missing_reference_and_csv_manifest(person: Path, tmp_path: Path) -> None:
    m = tmp_path / "m.csv"
    m.write_text("file,exercise,fps,input_format,reference\nwrong.npy,deep_squat,30,kinect-uiprmd,refs/nope.npy\n")
    with pytest.raises(InputError, match="reference 'refs/nope.npy' does not exist"):
        read_manifest(m, person)
    m.write_text("file,exercise,fps,input_format,reference\nwrong.npy,deep_squat,30,kinect-uiprmd,refs/good.npy\n"
                 "later.npy,deep_squat,30,kinect-uiprmd,\n")
    opts = read_manifest(m, person)
    assert opts["wrong.npy"]["reference"] == "refs/good.npy" and "reference" not in opts["later.npy"]


def test_bad_reference_fails_its_jobs_only(person: Path, datasets: Path, tmp_path: Path) -> None:
    still = person / "refs" / "still.npy"
    np.save(still, np.repeat(np.load(person / "refs" / "good.npy")[:1], 90, axis=0))  # 3 s standing: no rep
    (person / "refs" / "broken.npy").write_bytes(b"not a numpy file")
    write_uiprmd_set(datasets, 6, [4, 5], False, person / "third.npy")
    manifest = tmp_path / "m.json"
    manifest.write_text(json.dumps({"defaults": COMMON, "items": [
        {"file": "wrong.npy", "reference": "refs/still.npy"},
        {"file": "later.npy", "reference": "refs/broken.npy"},
        {"file": "third.npy", "reference": "refs/good.npy"}]}))
    res = run_batch(person, tmp_path / "out", manifest=manifest)
    rows = {r["input"]: r for r in res.rows}
    assert rows["third.npy"]["status"] == "ok"
    assert rows["wrong.npy"]["status"] == "failed"
    assert rows["wrong.npy"]["error"].startswith("reference still.npy: no repetition found"), rows["wrong.npy"]
    assert rows["later.npy"]["status"] == "failed"
    assert rows["later.npy"]["error"].startswith("reference refs/broken.npy: "), rows["later.npy"]
    assert str(person) not in rows["later.npy"]["error"]
    # failures are recorded like any other: a re-run does not redo them, unless the reference changes
    again = run_batch(person, tmp_path / "out", manifest=manifest)
    assert again.n_skipped == len(res.rows)


class _FakeRay:
    """Just enough of Ray for ``dispatch_ray``: put/wait/get, and actors that run on "another machine" where
    INPUT_DIR does not exist (every path in the spec is rewritten to a missing folder)."""

    class exceptions:  # noqa: N801 - mirrors ray.exceptions
        RayError = RuntimeError

    def __init__(self) -> None:
        self.store: dict[int, Any] = {}
        self.puts = 0

    def put(self, value: Any) -> int:
        self.puts += 1
        self.store[len(self.store)] = value
        return len(self.store) - 1

    def wait(self, refs: list[Any], num_returns: int) -> tuple[list[Any], list[Any]]:
        return refs[:num_returns], refs[num_returns:]

    def get(self, ref: Any) -> Any:
        return ref.result

    def actor(self, ray: _FakeRay) -> Any:
        worker = Analyzer()

        class Call:
            def __init__(self, result: JobResult) -> None:
                self.result = result

        class Method:
            @staticmethod
            def remote(spec: dict[str, Any], files: dict[str, bytes], ref_files: Any = None) -> Call:
                remote_spec = dict(spec, path="/nonexistent/input/" + Path(spec["path"]).name)
                if "reference" in spec:
                    remote_spec["reference"] = "/nonexistent/ref/" + Path(spec["reference"]).name
                    assert isinstance(ref_files, int), "the reference was not shipped through the object store"
                    ref_files = ray.store[ref_files]  # Ray resolves a top-level object reference to its value
                return Call(worker.run(remote_spec, files, ref_files))

        class Actor:
            run = Method()

        return Actor()


def test_reference_bytes_travel_with_the_job(person: Path, tmp_path: Path) -> None:
    jobs = plan_batch(person, manifest=tmp_path / "manifest.json")
    ray = _FakeRay()
    results = {job.name: res for job, res in dispatch_ray(ray, [ray.actor(ray)], jobs)}
    assert ray.puts == 1  # one reference, shipped once for both jobs
    local = run_batch(person, tmp_path / "local", manifest=tmp_path / "manifest.json")
    assert local.n_ok == 3
    for name in ("wrong.npy", "later.npy", "refs/good.npy"):
        assert results[name].status == "ok", results[name].error
        assert results[name].report_text == _batch_doc(tmp_path / "local", name)[0], name
