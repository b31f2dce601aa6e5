"""`make bench` runs to its end: the bench script in its smoke mode (every step once, smallest scale), so a broken
import or a renamed function fails `make test` instead of a stale bench/results.json (issue [3/6])."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def test_bench_smoke_writes_every_figure(tmp_path: Path, datasets: Path) -> None:
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run_bench.py"), "--smoke", "--out", str(out)],
                          capture_output=True, text=True, timeout=1500, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    r = json.loads(out.read_text())
    assert r["smoke"] is True
    for key in ("e2e_vs_naive", "e2e_vs_model", "post_pose_share", "mem_10x_vs_1x", "workers2_vs_1",
                "html_overhead", "live_latency_p50_s", "live_latency_max_s",
                "live_web_latency_p50_s", "live_web_latency_max_s", "naive_fps", "e2e_fps", "model_fps",
                "fast_accuracy", "e2e_vs_core_limit", "pose_stage_vs_core_limit", "model_fps_lite", "model_fps_full",
                "model_fps_heavy", "model_fps_every_core", "every_core_vs_core_limit", "e2e_vs_every_core"):
        assert key in r, key
    assert r["fast_accuracy"]["default"]["rep_clips"] >= 1
    assert r["e2e_vs_core_limit"] == pytest.approx(r["e2e_vs_model"] / r["cores"])  # same run, same model_fps
    assert r["model_fps_lite"] > r["model_fps_heavy"] > 0
    # one pinned process per core, summed: more than one core's rate, and the ratios come from the same run
    assert r["model_fps_every_core"] > r["model_fps"] * (0.5 if r["cores"] == 1 else 1.0)
    assert r["every_core_vs_core_limit"] == pytest.approx(r["model_fps_every_core"] / (r["cores"] * r["model_fps"]))
