"""The README's commands as the Makefile writes them: `make demo` must analyse the bundled clip and write the three
reports, and `make eval` must run the evaluation over eval/manifests (here one small manifest, through the
recipe's EVAL_ARGS). A typo in a recipe's flags, a renamed exercise, format or folder fails here; the other tests
call the CLI with their own arguments. (`make test` is what runs these; `make bench` has test_bench_smoke.py.)"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("mediapipe")]

REPO = Path(__file__).resolve().parents[2]


def _make(*args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("make") is None or not (REPO / ".venv" / ".installed").is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("make or the project's .venv (make install) is missing under CI")
        pytest.skip("needs make and the project's own .venv (make install): the recipe would install first")
    proc = subprocess.run(["make", "-s", "-C", str(REPO), *args], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc


def test_make_demo_writes_the_sample_clips_reports(tmp_path: Path) -> None:
    out = tmp_path / "demo-out"
    proc = _make("demo", f"DEMO_OUT={out}")
    doc = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert doc["exercise"] == "back_squat" and len(doc["reps"]) == 2, (doc["exercise"], len(doc["reps"]))
    assert (out / "report.html").stat().st_size > 10_000 and (out / "report.txt").read_text(encoding="utf-8")
    assert f"report written to {out}/" in proc.stdout


def test_make_eval_runs_the_manifests(tmp_path: Path, datasets: Path) -> None:
    out = tmp_path / "eval.json"
    _make("eval", f"EVAL_ARGS=--subset plank --out {out}")
    res = json.loads(out.read_text(encoding="utf-8"))
    assert list(res) == ["plank"], list(res)  # eval/manifests/plank.json, found through the recipe's folder
    assert res["plank"]["summary"]["test"]["units"] > 0 and not res["plank"]["summary"]["test"]["errors"]
