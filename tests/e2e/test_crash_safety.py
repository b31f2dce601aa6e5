"""Crash safety of ``backsafe analyze`` (issue 9 point 3): SIGKILL at random moments, then check what is left.

A keypoint input (a synthetic squat, COCO-18 npy with --fps) keeps each run to a couple of seconds, so the loop
kills the CLI 24 times at random points of its run -- while importing, analysing, writing the JSON and the HTML
report, renaming -- half of them in the last third of a run, where the files are written. After every kill:

- ``report.json`` is absent, or complete, valid JSON that validates against the published schema;
- ``report.html`` is absent or complete (ends with ``</html>``);
- nothing else is visible in --out: the only leftovers allowed are the hidden staging folders
  ``.backsafe-<pid>-*`` of killed runs, which the next run removes (their process is gone);
- the next run (the loop goes on) is not disturbed by the leftovers.

At the end a run to completion exits 0, writes both reports and leaves no staging folder behind.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
from corpus import BACKSAFE, REPO, synthetic_squat_coco18

from backsafe.report.json_report import validate_report_dict

N_KILLS = 24
REPORTS = {"report.json", "report.html"}


def start(inp: Path, out: Path) -> subprocess.Popen[bytes]:
    args = ["analyze", str(inp), "--exercise", "squat", "--fps", "30", "--out", str(out),
            "--format", "json", "--format", "html"]
    env = dict(os.environ) | {"TERM": "dumb", "NO_COLOR": "1"}
    return subprocess.Popen([*BACKSAFE, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            cwd=REPO)


def check_folder(out: Path) -> list[str]:
    """Assert the invariants; return the hidden staging folders left (allowed)."""
    if not out.exists():
        return []
    names = sorted(p.name for p in out.iterdir())
    staging = [n for n in names if n.startswith(".backsafe-")]
    other = [n for n in names if n not in REPORTS and n not in staging]
    assert other == [], f"unexpected files in --out after a kill: {other}"
    js = out / "report.json"
    if js.exists():
        doc = json.loads(js.read_text())  # a partial file would fail here
        validate_report_dict(doc)
        assert doc["rep_count"] >= 1
    html = out / "report.html"
    if html.exists():
        assert html.read_text(errors="replace").rstrip().endswith("</html>"), "truncated report.html"
    return staging


def test_sigkill_loop_leaves_no_corrupt_report(tmp_path: Path) -> None:
    inp = tmp_path / "squat.npy"
    np.save(inp, synthetic_squat_coco18(n_frames=900, reps=6))
    out = tmp_path / "out"

    # two full runs to know how long a run takes (the shorter one: kills must land before the end)
    runs = []
    for _ in range(2):
        t0 = time.perf_counter()
        p = start(inp, out)
        _, err = p.communicate(timeout=300)
        runs.append(time.perf_counter() - t0)
        assert p.returncode == 0, err.decode()[-2000:]
        check_folder(out)
    full_s = min(runs)
    for name in REPORTS:
        (out / name).unlink()

    rng = random.Random(9)
    outcomes = {"killed": 0, "finished": 0, "staging_left": 0, "report_present": 0}
    i = 0
    while outcomes["killed"] < N_KILLS and i < 3 * N_KILLS:  # a run that beat its kill does not count
        when = rng.uniform(0.05, 0.95) * full_s if i % 2 == 0 else rng.uniform(0.66, 0.98) * full_s
        i += 1
        p = start(inp, out)
        try:
            p.wait(timeout=when)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
            p.wait()
            outcomes["killed"] += 1
        else:
            outcomes["finished"] += 1
        if p.stderr:
            p.stderr.close()
        left = check_folder(out)
        outcomes["staging_left"] += bool(left)
        outcomes["report_present"] += (out / "report.json").exists()
    print(f"\nfull runs {runs[0]:.1f} s, {runs[1]:.1f} s; {outcomes}")
    assert outcomes["killed"] >= 20

    # a re-run completes, and cleans up after the killed runs
    p = start(inp, out)
    _, err = p.communicate(timeout=300)
    assert p.returncode == 0, err.decode()[-2000:]
    assert check_folder(out) == [], "stale staging folders of killed runs were not removed"
    assert {n.name for n in out.iterdir()} == REPORTS
