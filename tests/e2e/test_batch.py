"""backsafe batch end to end: the sample clip, worker kills, and a local Ray cluster (head + one worker node)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from backsafe.batch import report_dir, run_batch

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _load_helper():  # tests/unit/batch/squat_inputs.py, by path (test folders are not packages)
    import importlib.util

    spec = importlib.util.spec_from_file_location("squat_inputs", REPO / "tests/unit/batch/squat_inputs.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.write_squat_inputs


write_squat_inputs = _load_helper()


def _cli(*args: str, **kw: object) -> subprocess.Popen[str]:
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    return subprocess.Popen([str(BIN / "backsafe"), *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=env, **kw)  # type: ignore[call-overload]


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _descendants(pid: int) -> list[int]:
    out = []
    for c in _children(pid):
        out += [c, *_descendants(c)]
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _wait_done(out: Path, n: int, proc: subprocess.Popen[str], timeout: float = 60.0) -> list[Path]:
    t0 = time.time()
    while time.time() - t0 < timeout:
        done = list((out / "reports").glob("*/.done")) if (out / "reports").exists() else []
        if len(done) >= n:
            return done
        assert proc.poll() is None, proc.communicate()[0]
        time.sleep(0.02)
    raise AssertionError(f"fewer than {n} inputs finished in {timeout} s")


def _workers(pid: int) -> list[int]:
    return [c for c in _children(pid) if "spawn_main" in _cmdline(c)]


def test_sample_clip_batch(sample_clip: Path, datasets: Path, tmp_path: Path) -> None:
    """The bundled clip and a keypoint file in one batch: the clip's report has its 2 reps."""
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(sample_clip, d / sample_clip.name)
    write_squat_inputs(datasets, d, 1)
    res = run_batch(d, tmp_path / "out", exercise="back_squat", fps=30)
    assert (res.n_ok, res.n_failed) == (2, 0), res.rows
    doc = json.loads((report_dir(tmp_path / "out", sample_clip.name) / "report.json").read_text())
    assert doc["rep_count"] == 2 and doc["input"]["format"] == "video"


def test_killed_worker_is_replaced_and_batch_finishes(datasets: Path, tmp_path: Path) -> None:
    write_squat_inputs(datasets, tmp_path / "in", 24, reps_per_file=2)
    out = tmp_path / "out"
    proc = _cli("batch", str(tmp_path / "in"), "--out", str(out), "--fps", "30", "--workers", "2")
    _wait_done(out, 3, proc)
    victims = _workers(proc.pid)
    assert victims, "no worker process found"
    os.kill(victims[0], signal.SIGKILL)
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, output
    assert "24 ok, 0 failed" in output


def test_rerun_after_kill_finishes_the_rest_without_redoing(datasets: Path, tmp_path: Path) -> None:
    write_squat_inputs(datasets, tmp_path / "in", 24, reps_per_file=2)
    out = tmp_path / "out"
    proc = _cli("batch", str(tmp_path / "in"), "--out", str(out), "--fps", "30", "--workers", "2")
    _wait_done(out, 4, proc)
    procs = [*_descendants(proc.pid), proc.pid]
    for pid in procs:  # the whole batch dies at once (power cut, OOM killer): driver and workers
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.communicate(timeout=30)
    finished = {p: p.stat().st_mtime_ns for p in (out / "reports").glob("*/.done")}
    assert 4 <= len(finished) < 24
    res = run_batch(tmp_path / "in", out, fps=30, workers=2)
    assert res.n_skipped == len(finished) and res.n_ok == 24 and res.n_failed == 0
    assert all(p.stat().st_mtime_ns == m for p, m in finished.items())  # finished inputs were not redone
    assert not list(out.rglob("*.tmp"))


# ------------------------------------------------------------------------------------------------------ Ray


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def ray_cluster(tmp_path: Path) -> Iterator[str]:
    """A head node and one worker node (1 CPU each) started with ``ray start --block``; stopped by pid."""
    pytest.importorskip("ray")
    port = _free_port()
    temp = Path(f"/tmp/bsray{port}")
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    ray = str(BIN / "ray")
    # loopback only: without --node-ip-address Ray advertises the machine's other address, which the test must
    # not use (and which a connection to 127.0.0.1 then fails to match)
    nodes = [subprocess.Popen([ray, "start", "--head", f"--port={port}", "--num-cpus=1", "--include-dashboard=false",
                               "--node-ip-address=127.0.0.1",
                               f"--temp-dir={temp}", "--disable-usage-stats", "--block"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)]
    address = f"127.0.0.1:{port}"
    try:
        _wait_ray(address, 1)
        nodes.append(subprocess.Popen([ray, "start", f"--address={address}", "--num-cpus=1",
                                       "--node-ip-address=127.0.0.1", "--block"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        _wait_ray(address, 2)
        yield address
    finally:
        tree = [p for n in nodes for p in _descendants(n.pid)]
        for n in reversed(nodes):
            n.send_signal(signal.SIGTERM)
        for n in nodes:
            try:
                n.wait(timeout=30)
            except subprocess.TimeoutExpired:
                n.kill()
        time.sleep(1)
        for pid in tree:  # anything the nodes left behind, by pid
            if Path(f"/proc/{pid}").exists() and "ray" in _cmdline(pid):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(temp, ignore_errors=True)


def _wait_ray(address: str, n_nodes: int, timeout: float = 90.0) -> None:
    # generous: on a loaded 2-core machine a head node has been seen to need more than a minute
    code = ("import ray,sys; ray.init(address=sys.argv[1], logging_level='ERROR', _node_ip_address='127.0.0.1'); "
            "print(sum(1 for n in ray.nodes() if n['Alive'])); ray.shutdown()")
    t0 = time.time()
    while time.time() - t0 < timeout:
        r = subprocess.run([sys.executable, "-c", code, address], capture_output=True, text=True)
        if r.returncode == 0 and r.stdout.strip().splitlines()[-1:] == [str(n_nodes)]:
            return
        time.sleep(1)
    # an environment limit, not a product failure: seen when Ray advertises a non-loopback node address that the
    # sandbox does not route (the batch itself is covered by the local-pool tests above)
    pytest.skip(f"a local Ray cluster at {address} did not reach {n_nodes} node(s) on loopback within {timeout:.0f} s")


@pytest.mark.slow
def test_ray_cluster_gives_identical_reports(ray_cluster: str, sample_clip: Path, datasets: Path,
                                             tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    from videotools import cut_clip

    d = tmp_path / "in"
    d.mkdir()
    cut_clip(sample_clip, d / "squat_a.mp4", 8.0, 4.0)
    cut_clip(sample_clip, d / "squat_b.mp4", 14.5, 4.5)
    write_squat_inputs(datasets, d / "kinect", 3)
    (d / "kinect" / "broken.npy").write_bytes(b"no")
    local = run_batch(d, tmp_path / "local", exercise="back_squat", fps=30)
    proc = _cli("batch", str(d), "--out", str(tmp_path / "ray"), "-e", "back_squat", "--fps", "30",
                "--ray-address", ray_cluster)
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, output
    assert "5 ok, 1 failed" in output
    assert (local.n_ok, local.n_failed) == (5, 1)
    for row in local.rows:
        a = report_dir(tmp_path / "local", row["input"])
        b = report_dir(tmp_path / "ray", row["input"])
        assert (a / ".done").is_file() and (b / ".done").is_file()
        if row["status"] == "ok":
            assert (a / "report.json").read_bytes() == (b / "report.json").read_bytes(), row["input"]
        ra, rb = (json.loads((x / ".done").read_text()) for x in (a, b))
        assert ra["key"] == rb["key"] and ra["status"] == rb["status"] and ra["error"] == rb["error"]
    workers = {json.loads(p.read_text())["worker"] for p in (tmp_path / "ray" / "reports").glob("*/.done")}
    assert len(workers) == 2  # both nodes' actors did work
