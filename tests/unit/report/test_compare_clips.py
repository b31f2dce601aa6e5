"""Must-show 3 of issue [3/7] on video: compare two real squat clips from ../shared/datasets through the whole
pipeline (MediaPipe; pose cached in pytest's cache folder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backsafe.compare import compare_to_reference
from backsafe.report.wording import PHASES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pose_cache(request, tmp_path_factory) -> Path:
    cache = getattr(request.config, "cache", None)
    return Path(cache.mkdir("backsafe-pose")) if cache else tmp_path_factory.mktemp("pose")


def test_two_real_squat_clips(datasets, pose_cache):
    pytest.importorskip("mediapipe")
    from backsafe.pipeline import analyze

    reference = analyze(datasets / "videos" / "rohanx01_squat_side.mp4", "back_squat", pose_cache_dir=pose_cache)
    person = analyze(datasets / "clips" / "squat_oblique_Jurisimo00.mp4", "squat", pose_cache_dir=pose_cache)
    assert reference.reps and person.reps
    cmp = compare_to_reference(person, reference)
    assert cmp.primary_signal == "knee_flexion_deg" and len(cmp.signals) >= 3
    assert len(cmp.reps) == len(person.reps)
    for r in cmp.reps:
        assert r.distance > 0 and r.phase in PHASES and r.signal in cmp.signals
        assert set(r.phase_distance) <= set(PHASES)
    d = cmp.as_dict()
    json.dumps(d)
    assert d["worst_rep"] in [r.index for r in person.reps]
    assert "differs most in" in cmp.text()
    # the same clip against itself: its best rep is at distance 0 from the template
    self_cmp = compare_to_reference(reference, reference)
    assert min(r.distance for r in self_cmp.reps) == pytest.approx(0.0, abs=1e-9)
    assert max(r.distance for r in cmp.reps) > max(r.distance for r in self_cmp.reps)
