"""`backsafe eval` prints and writes the same figures in the same order whatever Python's hash seed: the per-code
table followed the iteration order of a set of code names (it changed from one run to the next), and a segment's
majority label broke ties by set order."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from backsafe.evaluation.items import Outcome, majority
from backsafe.evaluation.metrics import summarise_outcomes

SRC = Path(__file__).resolve().parents[2] / "src"

SCRIPT = """
import json
from backsafe.evaluation.items import Outcome
from backsafe.evaluation.metrics import summarise_outcomes
codes = ["lateral_shift", "knee_valgus", "knee_varus", "hip_rotation", "back_rounding", "back_arching", "jumping"]
outs = []
for i, c in enumerate(codes * 3):
    o = Outcome("m", f"u{i}", "test" if i % 2 else "calib", "deep_squat")
    o.labels = {c: True, "any": True}
    o.predicted = {c: i % 3 != 0, "any": True}
    o.frame_labels, o.frame_pred, o.detail = ["a", "b"], ["b", "a"], {"label": "a"}
    outs.append(o)
print(json.dumps(summarise_outcomes(outs)))
"""


def _run(seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(SRC))
    return subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True,
                          timeout=120).stdout


def test_per_code_figures_in_the_same_order_whatever_the_hash_seed() -> None:
    runs = {_run(seed) for seed in ("1", "2", "3", "4")}
    assert len(runs) == 1, "the summary's order changed with PYTHONHASHSEED"
    codes = list(json.loads(runs.pop())["all"]["codes"])
    assert codes == sorted(codes), codes


def test_majority_label_ties_go_to_the_first_in_sorted_order() -> None:
    assert majority(["b", "a", "b", "a"]) == "a"
    assert majority(["c", "b", "c"]) == "c"
    assert majority([]) is None


def test_the_summary_counts_a_segment_right_by_its_majority_label() -> None:
    o = Outcome("m", "seg1", "test", "plank")
    o.labels, o.predicted = {"any": False}, {"any": False}
    o.frame_labels, o.frame_pred, o.detail = ["C", "C", "H"], ["C", "H", "C"], {"label": "C"}
    assert summarise_outcomes([o])["test"]["segments_right"] == 1.0
    o.frame_pred = ["H", "H", "C"]
    assert summarise_outcomes([o])["test"]["segments_right"] == 0.0
