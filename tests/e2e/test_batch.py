"""backsafe batch end to end: the sample clip, worker kills, and a local Ray cluster (head + one worker node)."""

from __future__ import annotations

import json
import os
import random
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
from backsafe.report.json_report import validate_report_dict

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _load_helper():  # tests/unit/batch/squat_inputs.py, by path (test folders are not packages)
    from tests.load_by_path import load_module

    return load_module("squat_inputs", REPO / "tests/unit/batch/squat_inputs.py").write_squat_inputs


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
    """The pool's worker processes: the driver's children except the multiprocessing resource tracker."""
    return [c for c in _children(pid) if "resource_tracker" not in _cmdline(c)]


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


@pytest.mark.slow
def test_batch_reports_equal_analyze_with_a_fresh_model(sample_clip: Path, tmp_path: Path) -> None:
    """One worker reuses one pose model for every clip (reset between clips): each report must equal the report
    of ``analyze`` with a fresh model. The first clip is the longer one, so the second starts after it."""
    sys.path.insert(0, str(REPO / "bench"))
    from videotools import cut_clip

    from backsafe.pipeline import analyze
    from backsafe.report.json_report import report_to_dict

    d = tmp_path / "in"
    d.mkdir()
    cut_clip(sample_clip, d / "a.mp4", 8.0, 4.5)
    cut_clip(sample_clip, d / "b.mp4", 14.5, 3.0)
    env_cache = os.environ.pop("BACKSAFE_POSE_CACHE", None)  # both sides must run the model
    try:
        run_batch(d, tmp_path / "out", exercise="back_squat")
        # as many pool workers as cores: each decodes inline instead of in a thread (Analyzer one_per_core)
        run_batch(d, tmp_path / "pool", exercise="back_squat", workers=max(2, os.cpu_count() or 1))
        for name in ("a.mp4", "b.mp4"):
            fresh = json.loads(json.dumps(report_to_dict(analyze(d / name, "back_squat"))))
            for out in ("out", "pool"):
                batch = json.loads((report_dir(tmp_path / out, name) / "report.json").read_text())
                assert batch == fresh, (out, name)
    finally:
        if env_cache is not None:
            os.environ["BACKSAFE_POSE_CACHE"] = env_cache


@pytest.mark.slow
def test_batch_back_shape_equals_analyze(datasets: Path, tmp_path: Path) -> None:
    """``backsafe batch`` traces the back by default as ``analyze`` does ([2/6]; a real side-view deadlift, a rep
    cut from a coach's clip)."""
    sys.path.insert(0, str(REPO / "bench"))
    from videotools import cut_clip

    from backsafe.pipeline import analyze

    d = tmp_path / "in"
    d.mkdir()
    # under 10 s: longer clips are posed in two halves by analyze, not by a batch worker (pipeline._split_worthwhile)
    cut_clip(datasets / "clips" / "deadlift_side_Jurisimo00.mp4", d / "pull.mp4", 2.0, 7.5)
    out = tmp_path / "out"
    r = subprocess.run([str(BIN / "backsafe"), "batch", str(d), "--out", str(out), "-e", "deadlift"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads((report_dir(out, "pull.mp4") / "report.json").read_text())
    direct = analyze(d / "pull.mp4", "deadlift").extra["back_shape"]
    assert doc["back_shape"] == direct and len(direct) >= 1
    assert doc["back_outline"]["state"] in ("traced", "partly")
    assert all(b["sagitta_rel"] < 0.0 for b in direct)  # a flat back: nothing flagged
    assert not [f for rep in doc["reps"] for f in rep["faults"] if f["code"] == "back_rounding"]


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


# ----------------------------------------------------------------------------------------- SIGKILL loop

N_KILLS = 24  # [7/7] must-show 3: at least 20 SIGKILLs of the driver and of workers at random moments


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _wait_gone(pids: list[int], timeout: float) -> list[int]:
    t0 = time.time()
    while time.time() - t0 < timeout:
        left = [p for p in pids if _alive(p)]
        if not left:
            return []
        time.sleep(0.05)
    return [p for p in pids if _alive(p)]


def _batch_state(out: Path, names: set[str]) -> dict[str, int]:
    """The invariants after any kill; returns the finished inputs (their ``.done`` mtime)."""
    finished: dict[str, int] = {}
    reports = out / "reports"
    if not reports.exists():
        return finished
    for d in reports.iterdir():
        assert d.name in names, f"unexpected folder {d.name}"
        rp = d / "report.json"
        if rp.exists():  # present means complete: it parses and validates (else a half-written report leaked)
            validate_report_dict(json.loads(rp.read_text(encoding="utf-8")))
        done = d / ".done"
        if done.exists():
            rec = json.loads(done.read_text(encoding="utf-8"))  # complete JSON too
            assert rec["status"] == "ok" and rp.is_file(), (d.name, rec)  # every input here is a good one
            finished[d.name] = done.stat().st_mtime_ns
    return finished


def test_sigkill_loop_driver_and_workers(datasets: Path, tmp_path: Path) -> None:
    """24+ SIGKILLs of ``backsafe batch --workers 2`` -- of the driver and of its workers -- at random moments.

    Each cycle starts the batch, lets a random number of inputs finish (none to a few) plus a random fraction of
    a second, SIGKILLs a worker (some cycles, once or twice; the driver replaces it) and then the driver (most
    cycles; every 5th cycle runs to the end instead). After every cycle: every report.json present parses and
    validates, every ``.done`` is complete, finished inputs are never redone (their ``.done`` is untouched), the
    next run skips exactly the finished inputs and redoes the rest, and the killed driver's workers exit by
    themselves (no orphans). A completed run reports every input ok; the folder is then reset. A final run
    completes everything without redoing what was finished.
    """
    inp, out = tmp_path / "in", tmp_path / "out"
    names = set(write_squat_inputs(datasets, inp, 40, reps_per_file=1))
    args = ("batch", str(inp), "--out", str(out), "--fps", "30", "--workers", "2")
    log = tmp_path / "batch.log"
    rng = random.Random(7)

    def start() -> subprocess.Popen[str]:
        with log.open("w") as fh:
            env = dict(os.environ, TERM="dumb", NO_COLOR="1")
            return subprocess.Popen([str(BIN / "backsafe"), *args], stdout=fh, stderr=subprocess.STDOUT,
                                    text=True, env=env)

    def n_done() -> int:
        return len(list(out.glob("reports/*/.done")))

    def progress(p: subprocess.Popen[str], at_most: int) -> None:
        """Let a random number (0..at_most) of inputs finish, then a random fraction of a second pass."""
        target = n_done() + rng.randint(0, at_most)
        t0 = time.time()
        while p.poll() is None and n_done() < target and time.time() - t0 < 60:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.4))

    kills = {"driver": 0, "worker": 0}
    completed = cycles = 0
    finished: dict[str, int] = {}
    t_start = time.time()
    while sum(kills.values()) < N_KILLS and time.time() - t_start < 300:
        cycles += 1
        p = start()
        tree: list[int] = []
        progress(p, 4)
        for _ in range(rng.choice((0, 1, 1, 2)) if cycles % 5 else 0):
            victims = _workers(p.pid)
            if p.poll() is not None or not victims:
                break
            os.kill(rng.choice(victims), signal.SIGKILL)  # mid-input or idle: the driver retries on a new pool
            kills["worker"] += 1
            progress(p, 3)
        if cycles % 5 and p.poll() is None:
            tree = _descendants(p.pid)
            os.kill(p.pid, signal.SIGKILL)
            kills["driver"] += 1
        rc = p.wait(timeout=300)
        text = log.read_text()
        if tree:  # the killed driver's workers (and the pool's resource tracker) must not outlive it
            left = _wait_gone(tree, 10.0)
            for pid in left:
                os.kill(pid, signal.SIGKILL)
            assert not left, f"processes outlived the killed driver: {[_cmdline(x)[:80] for x in left]}"
        if finished and "resuming:" in text:  # exactly the finished inputs were skipped, the rest redone
            assert f"resuming: {len(finished)} input(s)" in text, text[-500:]
        now = _batch_state(out, names)
        redone = {n for n, m in finished.items() if now.get(n) != m}
        assert not redone, f"finished inputs were redone or lost: {sorted(redone)}"
        if rc == 0 and not tree:
            assert f"{len(names)} ok, 0 failed, {len(finished)} skipped" in text, text[-800:]
            assert set(now) == names
            completed += 1
            shutil.rmtree(out)
            now = {}
        else:  # killed, or (an input whose worker was killed 3 times) exit 1 with that input left unfinished
            assert rc == -signal.SIGKILL or (rc == 1 and " unfinished in " in text), text[-800:]
            assert "internal error" not in text, text[-800:]
        finished = now
    print(f"\n{cycles} cycles in {time.time() - t_start:.0f} s, kills {kills}, {completed} runs completed")
    assert sum(kills.values()) >= 20 and kills["driver"] >= 5 and kills["worker"] >= 5, kills

    res = run_batch(inp, out, fps=30, workers=2)  # the final re-run finishes everything, redoing nothing done
    assert (res.n_ok, res.n_failed, res.n_unfinished) == (len(names), 0, 0)
    assert res.n_skipped == len(finished)
    assert all((report_dir(out, n) / ".done").stat().st_mtime_ns == m for n, m in finished.items())
    assert not [f for f in out.rglob("*") if f.name.endswith(".tmp")], "temporary files of killed runs are left"


# ------------------------------------------------------------------------------------------------------ Ray


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _node_ip() -> str:
    """The address Ray gives this machine's nodes. Ray maps 127.0.0.1 and localhost to it everywhere (``ray start
    --node-ip-address``, ``--address``, ``ray.init``: ``services.resolve_ip_for_localhost``), so a cluster on
    one machine always talks over it; there is no loopback-only cluster."""
    from ray._private.services import get_node_ip_address

    return str(get_node_ip_address())


def _reachable_from_here(ip: str) -> str | None:
    """None if this machine can connect to itself at ``ip``, else why not (a sandbox that does not route its own
    external address: then no Ray cluster can come up here, whatever the flags)."""
    with socket.socket() as srv:
        try:
            srv.bind((ip, 0))
            srv.listen(1)
            with socket.create_connection(srv.getsockname()[:2], timeout=5):
                return None
        except OSError as exc:
            return f"{type(exc).__name__}: {exc}"


def _ray_logs(temp: Path, start_logs: list[Path]) -> str:
    parts = []
    files = [*start_logs, *sorted((temp / "session_latest" / "logs").glob("*"))]
    for f in files:
        if f.is_file() and f.suffix in (".log", ".out", ".err", ".txt") and f.stat().st_size:
            parts.append(f"--- {f.name}\n" + "\n".join(f.read_text(errors="replace").splitlines()[-15:]))
    return "\n".join(parts)[-6000:]


@pytest.fixture()
def ray_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A head node and one worker node (1 CPU each) started with ``ray start --block``; stopped by pid.

    Why it may "never answer" (as in session 1, whose logs are gone): two causes, the first reproduced here.

    - Token authentication. Ray 2.60's ``ray start --head`` turns token authentication on by itself when
      ``~/.ray/auth_token`` exists, and any ``ray.init()`` that starts a local Ray writes that file (the web
      test of Ray jobs does). A client given an explicit address does not turn it on by itself, so from then on
      every ``ray.init(address=...)`` and the worker node were refused (``InvalidAuthToken``; the GCS log says
      "Missing authorization header") and the cluster looked dead. The cluster here runs with an explicit
      token (RAY_AUTH_MODE=token, RAY_AUTH_TOKEN) for every node, probe and the batch driver, whatever is in
      the home folder: it is the secure mode and it does not depend on earlier tests.
    - Addresses. Ray does not listen or advertise on loopback: it turns 127.0.0.1 into the machine's routable
      address in every component (see ``_node_ip``), so ``--node-ip-address=127.0.0.1`` changed nothing. That
      address must be reachable from the machine itself, which is checked first (skip with the reason outside
      CI, fail in CI).

    A cluster that does not come up fails with the tail of its logs.
    """
    pytest.importorskip("ray")
    import secrets

    monkeypatch.setenv("RAY_AUTH_MODE", "token")
    monkeypatch.setenv("RAY_AUTH_TOKEN", secrets.token_hex(32))
    monkeypatch.delenv("RAY_AUTH_TOKEN_PATH", raising=False)
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    ip = _node_ip()
    why = _reachable_from_here(ip)
    if why is not None:
        msg = f"Ray nodes advertise {ip}, which this machine cannot connect to ({why}); no local Ray cluster"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    port = _free_port()
    temp = Path(f"/tmp/bsray{port}")  # short: Ray's unix sockets live under it (107-byte path limit)
    env = dict(os.environ)  # with the token above: nodes, the probe and the batch driver (_cli) all share it
    ray = str(BIN / "ray")
    address = f"{ip}:{port}"
    start_logs = [tmp_path / "ray-head.log", tmp_path / "ray-worker.log"]
    commands = [
        [ray, "start", "--head", f"--port={port}", "--num-cpus=1", "--include-dashboard=false",
         f"--temp-dir={temp}", "--disable-usage-stats", "--block"],
        [ray, "start", f"--address={address}", "--num-cpus=1", "--block"],
    ]
    nodes: list[subprocess.Popen[bytes]] = []
    try:
        for n_nodes, (cmd, log) in enumerate(zip(commands, start_logs), start=1):
            with log.open("wb") as fh:
                nodes.append(subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env))
            problem = _wait_ray(address, n_nodes, nodes[-1])
            if problem:
                pytest.fail(f"local Ray cluster at {address}: {problem}\n{_ray_logs(temp, start_logs)}")
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


_WAIT_CODE = """
import sys, time, ray
address, n, deadline = sys.argv[1], int(sys.argv[2]), time.time() + float(sys.argv[3])
ray.init(address=address, logging_level="ERROR")
alive = 0
while time.time() < deadline:
    alive = sum(1 for node in ray.nodes() if node["Alive"])
    if alive >= n:
        break
    time.sleep(0.5)
print("alive", alive)
ray.shutdown()
"""


def _wait_ray(address: str, n_nodes: int, node: subprocess.Popen[bytes], timeout: float = 240.0) -> str | None:
    """Wait until ``n_nodes`` are alive; None, or what went wrong. Cheap while the head starts (a TCP connect to
    the GCS port, no Python process importing Ray every second on a 2-core machine), then one Python process."""
    host, port = address.rsplit(":", 1)
    t0 = time.time()
    while True:
        if node.poll() is not None:
            return f"`ray start` exited with {node.returncode}"
        try:
            with socket.create_connection((host, int(port)), timeout=2):
                break
        except OSError:
            if time.time() - t0 > timeout:
                return f"the GCS port did not open in {timeout:.0f} s"
            time.sleep(0.5)
    left = max(30.0, timeout - (time.time() - t0))
    try:
        r = subprocess.run([sys.executable, "-c", _WAIT_CODE, address, str(n_nodes), str(left)],
                           capture_output=True, text=True, timeout=left + 60, env=dict(os.environ))
    except subprocess.TimeoutExpired:
        return f"ray.init did not return in {left + 60:.0f} s"
    if r.returncode != 0 or f"alive {n_nodes}" not in r.stdout:
        return f"{n_nodes} node(s) not alive after {time.time() - t0:.0f} s: {(r.stdout + r.stderr)[-1500:]}"
    return None


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
    # a driver without the cluster's token is refused, and told why (exit 3, one line)
    env = {k: v for k, v in os.environ.items() if k != "RAY_AUTH_TOKEN"} | {"RAY_AUTH_MODE": "disabled"}
    r = subprocess.run([str(BIN / "backsafe"), "batch", str(d), "--out", str(tmp_path / "ray2"), "--fps", "30",
                        "--ray-address", ray_cluster], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 3 and "token authentication" in r.stderr + r.stdout, r.stderr[-1500:]


@pytest.mark.slow
def test_ray_cluster_ships_the_reference(ray_cluster: str, datasets: Path, tmp_path: Path) -> None:
    """A manifest ``reference`` on a real Ray cluster: its bytes go through the object store with the jobs, and the
    reports equal a local run's, reference summary and comparison included (that no path on the driver's disk is
    needed is checked with a fake Ray in tests/e2e/test_batch_reference.py: here all nodes share one disk)."""
    import numpy as np

    z = np.load(datasets / "ui_prmd" / "kinect" / "m01_deep_squat.npz")
    off, pos = z["offsets"], z["positions_abs"]
    d = tmp_path / "in"
    (d / "refs").mkdir(parents=True)
    np.save(d / "refs" / "good.npy", pos[off[0]: off[3]])  # the first 3 stored reps as the reference
    names = write_squat_inputs(datasets, d, 3)
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"defaults": {"exercise": "deep_squat", "fps": 30, "reference": "refs/good.npy"},
                                    "items": [{"file": n} for n in [*names, "refs/good.npy"]]}))
    local = run_batch(d, tmp_path / "local", manifest=manifest)
    assert (local.n_ok, local.n_failed) == (4, 0), local.rows  # refs/good.npy is an input too (against itself)
    proc = _cli("batch", str(d), "--out", str(tmp_path / "ray"), "--manifest", str(manifest),
                "--ray-address", ray_cluster)
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0 and "4 ok, 0 failed" in output, output
    for row in local.rows:
        a = report_dir(tmp_path / "local", row["input"]) / "report.json"
        b = report_dir(tmp_path / "ray", row["input"]) / "report.json"
        assert a.read_bytes() == b.read_bytes(), row["input"]
        doc = json.loads(b.read_text())
        assert doc["reference"]["sources"] == ["good.npy"] and "comparison" in doc
