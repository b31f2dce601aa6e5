#!/usr/bin/env python3
"""A bounded load test of the web app on loopback: a real server, many users browsing, some uploading.

    .venv/bin/python tools/load_test.py                      # real `backsafe serve`, real analysis, 2 minutes
    .venv/bin/python tools/load_test.py --duration 20 --fake # fake analysis, cheap hashing (tests/web/test_load.py)

What it does:

1. starts a server on 127.0.0.1 at a free port, SQLite and data folder in a temporary directory,
   ``BACKSAFE_MAX_UPLOAD_MB=8``; by default the real ``backsafe serve`` (argon2id with its real cost, the real
   MediaPipe analysis of the uploaded clip); with ``--fake`` a uvicorn server of the same app (``create_app``) whose
   analysis is the web tests' fake (``--fake-seconds`` per job) and whose password hashing uses the smallest argon2
   parameters, as the web tests do;
2. signs up ``--browsers`` + ``--uploaders`` accounts (not timed);
3. for ``--duration`` seconds: each browser logs in, then loops over the dashboard, log, plan and exercise
   pages and the API GETs (``/api/dashboard``, ``/api/log``, ``/api/plan``, ``/api/exercises``, ``/api/reports``,
   ``/api/jobs``) with ``--think`` seconds (0.5-1.5x) between requests, and logs a set (``POST /api/log``) every
   third round; each uploader logs in, uploads ``--clip``, polls its job every second like the job page does,
   opens the report page when done, and uploads again; one checker sends an oversize upload (a declared
   Content-Length and a chunked body, both must be 413), a non-video upload (422), a wrong password (401);
4. waits up to ``--drain`` seconds for every accepted job to finish;
5. checks: no request failed (transport error, time-out or an unexpected status), no job lost (every accepted job
   is listed for its owner and ended done or failed), every acknowledged log entry is there, no upload file is left
   in the data folder, the server logged no traceback; prints p50/p95/max latency per kind of request and the job
   counts (a Markdown table; ``--json`` also writes them) and exits 1 if any check failed.

Only 127.0.0.1 is contacted; every loop stops at the deadline; every request has a time-out; the server is
stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CLIP = ROOT / "samples" / "rohanx01_squat_side.mp4"
PASSWORD = "load test passphrase 42"
HOST = "127.0.0.1"
MAX_UPLOAD_MB = 8
BROWSE_PAGES = ("/dashboard", "/log", "/plan", "/exercises")
BROWSE_API = ("/api/dashboard", "/api/log", "/api/plan", "/api/exercises", "/api/reports", "/api/jobs")


# --- measurements ------------------------------------------------------------------------------------------------

@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> {"user", "t0", "status", "t_end"}
    log_writes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    limits: dict[str, str] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors.append(what)


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))]


async def timed(stats: Stats, kind: str, client: httpx.AsyncClient, method: str, url: str,
                expect: tuple[int, ...] = (200,), **kw: Any) -> httpx.Response | None:
    t0 = time.perf_counter()
    try:
        r = await client.request(method, url, **kw)
    except httpx.HTTPError as e:
        stats.error(f"{method} {url}: {type(e).__name__}: {e}")
        return None
    stats.latencies[kind].append(time.perf_counter() - t0)
    if r.status_code not in expect:
        stats.error(f"{method} {url}: {r.status_code} {r.text[:160]!r}")
        return None
    return r


# --- the server --------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_server(args: argparse.Namespace, tmp: Path, port: int) -> tuple[subprocess.Popen[bytes], Path]:
    env = {**os.environ,
           "BACKSAFE_DATABASE_URL": f"sqlite:///{tmp / 'web.sqlite3'}",
           "BACKSAFE_DATA_DIR": str(tmp / "data"),
           "BACKSAFE_SECRET_KEY": secrets.token_urlsafe(48),
           "BACKSAFE_MAX_UPLOAD_MB": str(MAX_UPLOAD_MB),
           "BACKSAFE_WORKERS": str(args.workers),
           "BACKSAFE_LOGIN_MAX_FAILURES": "1000",  # many users share 127.0.0.1: the per-address limit is 4x this
           "FAKE_ANALYZE_S": str(args.fake_seconds)}
    env.pop("BACKSAFE_ENVIRONMENT", None)
    if args.fake:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--serve-fake", str(port)]
    else:
        exe = Path(sys.executable).with_name("backsafe")
        cmd = [str(exe) if exe.exists() else shutil.which("backsafe") or "backsafe", "serve", "--host", HOST,
               "--port", str(port), "--log-level", "warning"]
    log_path = tmp / "server.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    return proc, log_path


def wait_healthy(base: str, proc: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout_s:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode} before answering")
        try:
            if httpx.get(f"{base}/api/health", timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer /api/health within {timeout_s:.0f} s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def serve_fake(port: int) -> None:
    """The --fake server: the app with the web tests' fake analysis and cheap password hashing."""
    sys.path.insert(0, str(ROOT / "tests" / "web"))
    import uvicorn
    from argon2 import PasswordHasher

    import fakes  # tests/web/fakes.py
    from backsafe.web import auth
    from backsafe.web.config import Settings
    from backsafe.web.main import create_app

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    auth._hasher = cheap  # type: ignore[attr-defined]
    auth._DUMMY_HASH = cheap.hash("dummy")  # type: ignore[attr-defined]
    from backsafe.web.cli import SERVER_KEEP_ALIVE_S

    app = create_app(Settings(), analyze_fn=fakes.slow_analyze)
    uvicorn.run(app, host=HOST, port=port, log_level="warning", timeout_keep_alive=SERVER_KEEP_ALIVE_S)


def fake_clip(tmp: Path) -> bytes:
    """The web tests' synthetic clip (320x240, ~6 s), matching the fake analysis' report."""
    sys.path.insert(0, str(ROOT / "tests" / "web"))
    import fakes  # tests/web/fakes.py

    path = fakes.write_clip(tmp / "synthetic.mp4", fakes.make_report(n_reps=2, rounding_rep=1, rushing_rep=2))
    return Path(path).read_bytes()


# --- users -------------------------------------------------------------------------------------------------------

def new_client(base: str) -> httpx.AsyncClient:
    # the client lets idle connections go well before the server closes them (HTTP: the side that closes an idle
    # connection first must be the client, or a request can meet a connection the server is closing)
    return httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(60.0), trust_env=False,
                             limits=httpx.Limits(max_connections=4, keepalive_expiry=2.0))


async def sign_up(base: str, names: list[str], stats: Stats, concurrency: int = 4) -> None:
    sem = asyncio.Semaphore(concurrency)

    async def one(name: str) -> None:
        async with sem, new_client(base) as c:
            await timed(stats, "signup", c, "POST", "/api/auth/signup", expect=(201,),
                        json={"name": name, "password": PASSWORD})

    await asyncio.gather(*(one(n) for n in names))


async def log_in(c: httpx.AsyncClient, name: str, stats: Stats) -> str | None:
    r = await timed(stats, "login", c, "POST", "/api/auth/login", json={"name": name, "password": PASSWORD})
    return r.json()["csrf_token"] if r is not None else None


async def log_in_until(c: httpx.AsyncClient, name: str, stats: Stats, deadline: float,
                       rng: random.Random) -> str | None:
    """A user whose log-in failed tries again a little later (the failure is still counted as an error)."""
    while time.monotonic() < deadline:
        csrf = await log_in(c, name, stats)
        if csrf is not None:
            return csrf
        await asyncio.sleep(rng.uniform(1.0, 3.0))
    return None


async def think(rng: random.Random, seconds: float) -> None:
    await asyncio.sleep(seconds * rng.uniform(0.5, 1.5))


async def browser(base: str, name: str, deadline: float, stats: Stats, think_s: float, seed: int) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, min(5.0, think_s * 4)))  # users arrive over the first seconds
    async with new_client(base) as c:
        csrf = await log_in_until(c, name, stats, deadline, rng)
        if csrf is None:
            return
        rounds = 0
        while time.monotonic() < deadline:
            rounds += 1
            for path in rng.sample(BROWSE_PAGES, k=2) + rng.sample(BROWSE_API, k=2):
                if time.monotonic() >= deadline:
                    break
                await timed(stats, "page" if not path.startswith("/api/") else "api GET", c, "GET", path)
                await think(rng, think_s)
            if rounds % 3 == 0 and time.monotonic() < deadline:
                body = {"exercise": "back_squat", "sets": 3, "reps": 5, "load_kg": 20 + rounds,
                        "pain_during": rounds % 4}
                r = await timed(stats, "api POST /api/log", c, "POST", "/api/log", expect=(201,), json=body,
                                headers={"X-CSRF-Token": csrf})
                if r is not None:
                    stats.log_writes[name] += 1


async def uploader(base: str, name: str, clip: bytes, deadline: float, stats: Stats, think_s: float,
                   seed: int) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, 3.0))
    async with new_client(base) as c:
        csrf = await log_in_until(c, name, stats, deadline, rng)
        if csrf is None:
            return
        while time.monotonic() < deadline:
            t_up = time.monotonic()
            r = await timed(stats, "upload", c, "POST", "/api/jobs", expect=(202,), headers={"X-CSRF-Token": csrf},
                            files={"file": ("set.mp4", clip, "video/mp4")}, data={"exercise": "back_squat"})
            if r is None:
                await think(rng, think_s * 4)
                continue
            job_id = r.json()["id"]
            stats.jobs[job_id] = {"user": name, "t0": t_up, "status": "queued", "t_end": None}
            while time.monotonic() < deadline:  # the job page polls once a second
                await asyncio.sleep(1.0)
                r = await timed(stats, "api GET", c, "GET", f"/api/jobs/{job_id}")
                if r is None:
                    continue
                job = r.json()
                if job["status"] in ("done", "failed"):
                    stats.jobs[job_id].update(status=job["status"], t_end=time.monotonic())
                    if job["status"] == "done" and time.monotonic() < deadline:
                        await timed(stats, "page", c, "GET", f"/reports/{job['report_id']}")
                    break
            await think(rng, think_s * 2)


def _multipart_head(boundary: str) -> bytes:
    return (f"--{boundary}\r\nContent-Disposition: form-data; name=\"exercise\"\r\n\r\nback_squat\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.mp4\"\r\n"
            "Content-Type: video/mp4\r\n\r\n").encode()


async def declared_oversize(base: str, size: int, headers: dict[str, str], stats: Stats) -> str:
    """Headers only, declaring ``size`` bytes: the server must answer 413 at once, before any body is sent (a
    client sending the body would see the connection closed under it). A raw HTTP/1.1 request on loopback."""
    port = int(base.rsplit(":", 1)[1])
    t0 = time.perf_counter()
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        head = ["POST /api/jobs HTTP/1.1", f"Host: {HOST}:{port}", f"Content-Length: {size}",
                "Content-Type: multipart/form-data; boundary=x", *(f"{k}: {v}" for k, v in headers.items()),
                "", ""]
        writer.write("\r\n".join(head).encode())
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), timeout=30)
    except (OSError, asyncio.TimeoutError) as e:
        stats.error(f"declared oversize upload: {type(e).__name__}: {e}")
        return "FAILED"
    finally:
        writer.close()
    stats.latencies["limits"].append(time.perf_counter() - t0)
    parts = line.decode(errors="replace").split()
    status = parts[1] if len(parts) > 1 else "FAILED"
    if status != "413":
        stats.error(f"declared oversize upload: {line!r}")
    return status


async def limits_checker(base: str, name: str, start_at: float, stats: Stats) -> None:
    """The upload limits hold under load: oversize (declared and streamed) -> 413, not a video -> 422."""
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    async with new_client(base) as c:
        csrf = await log_in(c, name, stats)
        if csrf is None:
            return
        h = {"X-CSRF-Token": csrf}
        over = (MAX_UPLOAD_MB + 2) * 1024 * 1024
        stats.limits["oversize upload, Content-Length declared"] = await declared_oversize(base, over, h, stats)

        boundary = secrets.token_hex(12)

        async def chunks() -> Any:  # no Content-Length: the server must cut the body off while streaming
            yield _multipart_head(boundary)
            chunk = b"\0" * (256 * 1024)
            for _ in range(over // len(chunk)):
                yield chunk
            yield f"\r\n--{boundary}--\r\n".encode()

        status = "FAILED"
        t0 = time.perf_counter()
        try:
            r2 = await c.post("/api/jobs", content=chunks(),
                              headers={**h, "Content-Type": f"multipart/form-data; boundary={boundary}"})
            status = str(r2.status_code)
        except httpx.HTTPError as e:  # the server answered 413 and closed while we were still sending
            status = f"connection closed by the server ({type(e).__name__})"
        stats.latencies["limits"].append(time.perf_counter() - t0)
        stats.limits["oversize upload, chunked (no Content-Length)"] = status
        if status != "413" and not status.startswith("connection closed"):
            stats.error(f"chunked oversize upload: {status}")

        r = await timed(stats, "limits", c, "POST", "/api/jobs", expect=(422,), headers=h,
                        files={"file": ("notes.mp4", b"this is not a video " * 100, "video/mp4")},
                        data={"exercise": "back_squat"})
        stats.limits["not a video"] = str(r.status_code) if r is not None else "FAILED"
        async with new_client(base) as c2:
            r = await timed(stats, "limits", c2, "POST", "/api/auth/login", expect=(401,),
                            json={"name": name, "password": "wrong password 123"})
            stats.limits["wrong password"] = str(r.status_code) if r is not None else "FAILED"


# --- the run -----------------------------------------------------------------------------------------------------

async def drain(base: str, stats: Stats, timeout_s: float) -> None:
    """Wait for every accepted job to end; then check each owner lists all of its jobs."""
    by_user: dict[str, list[str]] = defaultdict(list)
    for jid, j in stats.jobs.items():
        by_user[j["user"]].append(jid)
    end = time.monotonic() + timeout_s
    for user, ids in by_user.items():
        async with new_client(base) as c:
            if await log_in(c, user, stats) is None:
                continue
            for jid in ids:
                while stats.jobs[jid]["status"] not in ("done", "failed") and time.monotonic() < end:
                    r = await c.get(f"/api/jobs/{jid}")
                    if r.status_code == 200 and r.json()["status"] in ("done", "failed"):
                        stats.jobs[jid].update(status=r.json()["status"], t_end=time.monotonic())
                    else:
                        await asyncio.sleep(1.0)
            r = await c.get("/api/jobs")
            listed = {j["id"] for j in r.json()} if r.status_code == 200 else set()
            for jid in ids:
                if jid not in listed:
                    stats.jobs[jid]["status"] = "missing"


async def verify_log(base: str, stats: Stats) -> int:
    """Every acknowledged POST /api/log is in the user's log. Returns the number missing."""
    missing = 0
    for user, n in stats.log_writes.items():
        async with new_client(base) as c:
            if await log_in(c, user, stats) is None:
                continue
            r = await c.get("/api/log")
            have = len(r.json()) if r.status_code == 200 else 0
            if have < n:
                missing += n - have
                stats.error(f"{user}: {n} log entries acknowledged, {have} stored")
    return missing


async def run(args: argparse.Namespace, base: str) -> Stats:
    stats = Stats()
    browsers = [f"browser{i:03d}" for i in range(args.browsers)]
    uploaders = [f"uploader{i:03d}" for i in range(args.uploaders)]
    t0 = time.monotonic()
    await sign_up(base, browsers + uploaders + ["limits"], stats)
    print(f"signed up {len(browsers) + len(uploaders) + 1} accounts in {time.monotonic() - t0:.1f} s", flush=True)
    clip = Path(args.clip).read_bytes()
    if args.fake and args.clip == str(DEFAULT_CLIP):
        clip = fake_clip(Path(args.tmp))
    start = time.monotonic()
    deadline = start + args.duration
    tasks = [browser(base, n, deadline, stats, args.think, i) for i, n in enumerate(browsers)]
    tasks += [uploader(base, n, clip, deadline, stats, args.think, 1000 + i) for i, n in enumerate(uploaders)]
    tasks.append(limits_checker(base, "limits", start + args.duration / 3, stats))
    await asyncio.gather(*tasks)
    stats.latencies["_elapsed"] = [time.monotonic() - start]
    t_drain = time.monotonic()
    await drain(base, stats, args.drain)
    stats.latencies["_drain"] = [time.monotonic() - t_drain]
    await verify_log(base, stats)
    return stats


def leftovers(data_dir: Path) -> list[str]:
    """Upload files left behind (each is deleted when its job ends, or at once when the upload is refused)."""
    return sorted(str(p.relative_to(data_dir)) for p in data_dir.glob("users/*/uploads/*") if p.is_file())


def summarize(args: argparse.Namespace, stats: Stats, left: list[str], server_log: str) -> dict[str, Any]:
    kinds = {}
    for kind, xs in sorted(stats.latencies.items()):
        if kind.startswith("_"):
            continue
        kinds[kind] = {"n": len(xs), "p50_ms": 1000 * pct(xs, 50), "p95_ms": 1000 * pct(xs, 95),
                       "max_ms": 1000 * max(xs) if xs else float("nan")}
    statuses = defaultdict(int)
    for j in stats.jobs.values():
        statuses[j["status"]] += 1
    turnaround = [j["t_end"] - j["t0"] for j in stats.jobs.values() if j["t_end"] is not None]
    tracebacks = len(re.findall(r"Traceback \(most recent call last\)", server_log))
    if tracebacks:
        stats.error(f"the server logged {tracebacks} traceback(s)")
    lost = sum(n for s, n in statuses.items() if s not in ("done", "failed"))
    limits_ok = (stats.limits.get("oversize upload, Content-Length declared") == "413"
                 and stats.limits.get("not a video") == "422"
                 and stats.limits.get("wrong password") == "401"
                 and (stats.limits.get("oversize upload, chunked (no Content-Length)", "").startswith(("413", "conn"))))
    elapsed = stats.latencies["_elapsed"][0]
    requests = sum(v["n"] for v in kinds.values())
    return {
        "mode": "fake analysis" if args.fake else "real backsafe serve",
        "duration_s": args.duration, "elapsed_s": round(elapsed, 1),
        "drain_s": round(stats.latencies["_drain"][0], 1),
        "browsers": args.browsers, "uploaders": args.uploaders, "workers": args.workers, "think_s": args.think,
        "requests": requests, "requests_per_s": round(requests / max(elapsed, 1e-9), 1),
        "latency": kinds,
        "jobs": {"accepted": len(stats.jobs), **statuses, "lost": lost,
                 "turnaround_p50_s": round(pct(turnaround, 50), 1), "turnaround_p95_s": round(pct(turnaround, 95), 1)},
        "log_entries_acknowledged": sum(stats.log_writes.values()),
        "limits": stats.limits, "limits_hold": limits_ok,
        "upload_files_left": left,
        "errors": len(stats.errors), "error_samples": stats.errors[:20],
        "ok": not stats.errors and lost == 0 and limits_ok and not left,
    }


def table(s: dict[str, Any]) -> str:
    lines = [f"{s['mode']}: {s['browsers']} browsing + {s['uploaders']} uploading for {s['duration_s']:g} s "
             f"({s['workers']} analysis workers, think time {s['think_s']:g} s); {s['requests']} requests, "
             f"{s['requests_per_s']} per s", "",
             "| requests | n | p50 ms | p95 ms | max ms |", "|---|---:|---:|---:|---:|"]
    for kind, v in s["latency"].items():
        lines.append(f"| {kind} | {v['n']} | {v['p50_ms']:.0f} | {v['p95_ms']:.0f} | {v['max_ms']:.0f} |")
    j = s["jobs"]
    lines += ["", f"jobs: {j['accepted']} accepted, {j.get('done', 0)} done, {j.get('failed', 0)} failed, "
                  f"{j['lost']} lost; upload to end of analysis p50 {j['turnaround_p50_s']} s, "
                  f"p95 {j['turnaround_p95_s']} s; drain after the run {s['drain_s']} s",
              f"log entries acknowledged: {s['log_entries_acknowledged']} (all present unless listed in errors)",
              "limits: " + "; ".join(f"{k} -> {v}" for k, v in s["limits"].items()),
              f"upload files left in the data folder: {len(s['upload_files_left'])}",
              f"errors: {s['errors']}" + ("" if not s["error_samples"] else "\n  " + "\n  ".join(s["error_samples"])),
              "RESULT: " + ("ok" if s["ok"] else "FAILED")]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--duration", type=float, default=120.0, help="seconds of load (default 120)")
    p.add_argument("--browsers", type=int, default=50, help="users browsing (default 50)")
    p.add_argument("--uploaders", type=int, default=10, help="users uploading clips (default 10)")
    p.add_argument("--think", type=float, default=1.0, help="mean seconds between a user's requests (default 1)")
    p.add_argument("--workers", type=int, default=2, help="BACKSAFE_WORKERS: analysis jobs at once (default 2)")
    p.add_argument("--clip", default=str(DEFAULT_CLIP),
                   help="the clip uploaders send (default: the sample; with --fake the tests' synthetic clip)")
    p.add_argument("--drain", type=float, default=600.0, help="max seconds to wait for jobs after the run")
    p.add_argument("--fake", action="store_true", help="fake analysis and cheap hashing (needs tests/web)")
    p.add_argument("--fake-seconds", type=float, default=1.0, help="seconds per fake analysis (default 1)")
    p.add_argument("--json", help="also write the summary here")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (database, data, server log)")
    p.add_argument("--serve-fake", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.serve_fake:
        serve_fake(args.serve_fake)
        return 0
    for n in ("duration", "drain"):
        if not 0 < getattr(args, n) <= 3600:
            p.error(f"--{n} must be in (0, 3600]")
    if not (0 <= args.browsers <= 500 and 0 <= args.uploaders <= 100):
        p.error("--browsers 0-500, --uploaders 0-100")

    tmp = Path(tempfile.mkdtemp(prefix="backsafe-load-"))
    args.tmp = str(tmp)
    port = free_port()
    base = f"http://{HOST}:{port}"
    proc, log_path = start_server(args, tmp, port)
    try:
        wait_healthy(base, proc)
        print(f"server on {base} ({'fake analysis' if args.fake else 'backsafe serve'}), data in {tmp}", flush=True)
        stats = asyncio.run(run(args, base))
    finally:
        stop_server(proc)
    summary = summarize(args, stats, leftovers(tmp / "data"), log_path.read_text(errors="replace"))
    print(table(summary))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    if args.keep or not summary["ok"]:
        print(f"kept {tmp} (server log: {log_path})")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
