"""A short run of tools/load_test.py: a real uvicorn server of the app on 127.0.0.1 (SQLite in a temporary folder,
the web tests' fake analysis, cheap password hashing), 50 users browsing and 10 uploading for 15 s.

No request may fail, no job may be lost (every accepted upload ends done or failed and is listed for its owner),
every acknowledged log entry must be stored, the upload limits must hold under load (an oversize upload gets 413
whether it declares its length or streams it, a non-video 422), and no upload file may be left behind.
The 2-minute run on the real ``backsafe serve`` and its figures are in docs/web.md ("Load test").
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_load_short_run(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    cmd = [sys.executable, str(ROOT / "tools" / "load_test.py"), "--fake", "--fake-seconds", "0.5",
           "--duration", "15", "--browsers", "50", "--uploaders", "10", "--drain", "90", "--json", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert out.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    s = json.loads(out.read_text())
    report = proc.stdout[-4000:]
    assert s["errors"] == 0, report
    assert s["jobs"]["accepted"] >= 10, report  # every uploader got at least one clip in
    assert s["jobs"]["lost"] == 0, report
    assert s["jobs"].get("done", 0) == s["jobs"]["accepted"], report  # the fake analysis never fails
    assert s["limits_hold"], report
    assert s["limits"]["oversize upload, Content-Length declared"] == "413", report
    assert s["limits"]["not a video"] == "422", report
    assert not s["upload_files_left"], report
    assert s["latency"]["page"]["n"] >= 100 and s["latency"]["api GET"]["n"] >= 100, report
    assert s["ok"] and proc.returncode == 0, report
