"""[5/7]: with BACKSAFE_RAY_ADDRESS set, web jobs run as Ray tasks; the report equals the local one."""

from __future__ import annotations

from pathlib import Path

import pytest

from backsafe.report.json_report import report_to_dict

ray = pytest.importorskip("ray", reason="Ray is a test dependency (requirements-dev.lock)")


@pytest.mark.slow
@pytest.mark.xdist_group("ray")
def test_ray_analyze_matches_local(datasets: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # authentication mode explicit: with RAY_AUTH_MODE unset, a local ray.init() writes ~/.ray/auth_token, and
    # from then on every `ray start --head` on this machine demands it (docs/ray.md, "Token authentication")
    monkeypatch.setenv("RAY_AUTH_MODE", "disabled")
    from backsafe.pipeline import analyze
    from backsafe.web.jobs import ray_analyze

    f = datasets / "pose_trainer" / "frontraise" / "frontraise_bad_10.npy"
    opts = {"input_format": "coco18-npy", "fps": 30.0, "load_kg": 5.0}
    local = report_to_dict(analyze(f, "front_raise", **opts))
    seen: list[tuple[int, int | None]] = []
    try:
        run = ray_analyze("local")
        remote = report_to_dict(run(f, "front_raise", progress=lambda d, t: seen.append((d, t)), **opts))
    finally:
        ray.shutdown()
    assert seen == [(0, None)]
    for doc in (local, remote):
        doc["input"].pop("path", None)
    assert remote == local
