"""Fake analysis functions injected into the web app (like httpx's MockTransport): no MediaPipe in these tests."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "report"))

from report_synth import make_report, write_clip  # noqa: E402

from backsafe.errors import NoPersonError  # noqa: E402
from backsafe.report.document import Report  # noqa: E402

__all__ = ["fake_analyze", "slow_analyze", "crashing_analyze", "no_person_analyze", "write_clip", "make_report",
           "CALLS"]

CALLS: list[dict[str, Any]] = []


def fake_analyze(path: Path, exercise: str, progress: Any = None, **options: Any) -> Report:
    CALLS.append({"path": Path(path), "exercise": exercise, **options})
    rep = make_report(n_reps=2, rounding_rep=1, rushing_rep=2)
    n = int(rep.input["n_frames"])
    if progress is not None:
        for i in range(0, n + 1, max(1, n // 5)):
            progress(i, n)
    return rep


def slow_analyze(path: Path, exercise: str, progress: Any = None, **options: Any) -> Report:
    """Takes ``seconds`` (6 by default) with progress every 0.2 s: long enough to kill the server mid-job."""
    import os

    seconds = float(os.environ.get("FAKE_ANALYZE_S", "6"))
    steps = max(1, int(seconds / 0.2))
    for i in range(steps):
        if progress is not None:
            progress(i, steps)
        time.sleep(0.2)
    return fake_analyze(path, exercise, progress, **options)


def crashing_analyze(path: Path, exercise: str, progress: Any = None, **options: Any) -> Report:
    if progress is not None:
        progress(1, 10)
    raise RuntimeError("simulated crash inside the pose model")


def no_person_analyze(path: Path, exercise: str, progress: Any = None, **options: Any) -> Report:
    raise NoPersonError("no person found in 95% of frames; film your whole body from the side")
