"""The batch driver plans jobs without loading the analysis stack (issue [6/7]: its 0.9 s of SciPy imports ran
before the first worker started), and ``backsafe.analyze`` still loads on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _run(code: str) -> str:
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_planning_a_batch_loads_neither_scipy_nor_the_pose_stack() -> None:
    out = _run(
        "import sys, backsafe, backsafe.batch, backsafe.cli.batch\n"
        "opts = backsafe.batch.job_options('back_squat', {'load_kg': 20}, 1)\n"
        "print(opts['exercise'], opts['load_kg'], sorted(m for m in ('scipy', 'backsafe.pipeline', 'mediapipe') "
        "if m in sys.modules))"
    )
    assert out == "back_squat 20.0 []"


def test_options_are_still_validated_without_the_pipeline() -> None:
    from backsafe.batch import job_options
    from backsafe.errors import ValueRangeError

    with pytest.raises(ValueRangeError, match="load"):
        job_options("back_squat", {"load_kg": 5000}, 1)


def test_public_api_is_unchanged() -> None:
    out = _run(
        "import backsafe, backsafe.pipeline\n"
        "from backsafe import analyze, AnalysisOptions\n"
        "print(analyze is backsafe.pipeline.analyze, AnalysisOptions is backsafe.pipeline.AnalysisOptions)"
    )
    assert out == "True True"
    with pytest.raises(AttributeError):
        import backsafe

        backsafe.no_such_name  # noqa: B018
