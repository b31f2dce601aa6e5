"""[1/7] must-show 2 and 3: rep counting on every real clip with a known count, and per-rep segmentation of
UI-PRMD, through ``backsafe eval`` on the manifests in eval/manifests (the product's own pipeline)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backsafe.evaluation import evaluate_manifest, rep_metrics

MANIFESTS = Path(__file__).resolve().parents[2] / "eval" / "manifests"


@pytest.mark.slow
@pytest.mark.xdist_group("mediapipe")
def test_rep_count_on_real_clips(datasets: Path, pose_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKSAFE_POSE_CACHE", str(pose_cache))
    monkeypatch.setenv("BACKSAFE_SHARED_DIR", str(datasets.parent))
    outcomes = evaluate_manifest(MANIFESTS / "rep_count.json")
    assert not [o for o in outcomes if o.error], [o.error for o in outcomes if o.error]
    m = rep_metrics(outcomes)
    assert m is not None and m["n"] == 30
    wrong = [(o.item, o.expected_reps, o.counted_reps) for o in outcomes
             if not (o.expected_reps[0] <= (o.counted_reps or -1) <= o.expected_reps[1])]  # type: ignore[index]
    assert m["right"] >= 0.90, wrong
    assert m["within_one"] == 1.0, wrong


def test_uiprmd_one_rep_per_stored_repetition(datasets: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKSAFE_SHARED_DIR", str(datasets.parent))
    outcomes = evaluate_manifest(MANIFESTS / "uiprmd.json")
    assert len(outcomes) == 700
    exactly_one = sum(1 for o in outcomes if o.counted_reps == 1) / len(outcomes)
    assert exactly_one >= 0.95
    for mv in ("m01", "m02", "m03", "m04", "m05"):
        sub = [o for o in outcomes if mv in o.item]
        assert sum(1 for o in sub if o.counted_reps == 1) / len(sub) >= 0.9, mv
