"""`--back-shape` / `--no-back-shape` plumbing ([2/6]): the outline is on unless turned off, in analyze and batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import backsafe.pipeline as pipeline
from backsafe.cli import app


@pytest.mark.parametrize(("args", "value"), [([], None), (["--back-shape"], True), (["--no-back-shape"], False)])
def test_analyze_passes_the_outline_switch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str],
                                           value: bool | None) -> None:
    seen: list[dict[str, Any]] = []

    def fake(path: Any, exercise: str, **kw: Any) -> Any:
        seen.append(kw)
        raise pipeline.InputError("stop here")

    monkeypatch.setattr(pipeline, "analyze", fake)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"x")
    res = CliRunner().invoke(app, ["analyze", str(clip), "--out", str(tmp_path / "out"), *args])
    assert res.exit_code == 3
    assert seen[0]["back_shape"] is value


@pytest.mark.parametrize(("args", "expected"), [([], None), (["--back-shape"], None), (["--no-back-shape"], False)])
def test_batch_jobs_follow_the_same_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, args: list[str],
                                            expected: bool | None) -> None:
    import backsafe.batch as batch
    import backsafe.batch.run as batch_run  # run_batch's own name for plan_batch (batch/ is a package)

    planned: list[dict[str, Any]] = []
    real = batch.plan_batch

    def spy(*a: Any, **k: Any) -> Any:
        jobs = real(*a, **k)
        planned.extend(j.options for j in jobs)
        raise batch.InputError("stop here")

    monkeypatch.setattr(batch_run, "plan_batch", spy)
    d = tmp_path / "in"
    d.mkdir()
    (d / "pull.mp4").write_bytes(b"x")
    res = CliRunner().invoke(app, ["batch", str(d), "--out", str(tmp_path / "out"), "-e", "deadlift", *args])
    assert res.exit_code == 3, res.output
    # on (the default) is not written into the job's options, so its key is that of an entry that does not say
    assert planned[0].get("back_shape") is expected
