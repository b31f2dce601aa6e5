"""backsafe live on the bundled clip played at real time: rep events as they happen, with latency."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from backsafe.cli import app

#: the offline analysis of the bundled clip finds 2 reps (tests/e2e/test_batch.py::test_sample_clip_batch)
OFFLINE_REPS = 2


def test_live_realtime_emits_each_rep_within_a_second(sample_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    result = CliRunner().invoke(app, ["live", str(sample_clip), "-e", "back_squat", "--realtime",
                                      "--jsonl", str(out)])
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in out.read_text().splitlines()]
    reps = [e for e in events if e["event"] == "rep"]
    assert len(reps) == OFFLINE_REPS
    for e in reps:
        assert 0.0 <= e["latency_s"] <= 1.0
        assert e["start_s"] < e["turn_s"] < e["end_s"] <= e["detected_at_s"]
    end = events[-1]
    assert end["event"] == "end" and end["rep_count"] == OFFLINE_REPS
    assert end["latency_max_s"] <= 1.0 and end["frames_analysed"] + end["frames_dropped"] == end["frames_seen"]
    assert "rep 1" in result.output and "latency" in result.output
