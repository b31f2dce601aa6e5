"""`backsafe analyze` option plumbing: --fast is --stride 2, an explicit --stride wins, --reference goes to the library."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import backsafe.pipeline as pipeline
from backsafe.cli import app


@pytest.fixture()
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def fake(path: Any, exercise: str, **kw: Any) -> Any:
        seen.append({"path": Path(path).name, **kw})
        raise pipeline.InputError("stop here")  # exit 3 before anything is written

    monkeypatch.setattr(pipeline, "analyze", fake)
    return seen


@pytest.mark.parametrize(("args", "stride"), [([], 1), (["--fast"], 2), (["--stride", "3"], 3),
                                               (["--fast", "--stride", "4"], 4)])
def test_fast_means_stride_two(calls: list[dict[str, Any]], tmp_path: Path, args: list[str], stride: int) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"x")
    res = CliRunner().invoke(app, ["analyze", str(clip), "--out", str(tmp_path / "out"), *args])
    assert res.exit_code == 3
    assert calls[0]["stride"] == stride


def test_reference_goes_to_the_one_library_call(calls: list[dict[str, Any]], tmp_path: Path) -> None:
    clip, ref = tmp_path / "set.mp4", tmp_path / "good.mp4"
    clip.write_bytes(b"x")
    ref.write_bytes(b"x")
    res = CliRunner().invoke(app, ["analyze", str(clip), "--reference", str(ref), "--fast", "--exercise", "squat",
                                   "--out", str(tmp_path / "out")])
    assert res.exit_code == 3
    # the CLI calls pipeline.analyze once; analyze reads the reference (issue 18: one home for the reference)
    assert len(calls) == 1 and calls[0]["path"] == "set.mp4" and calls[0]["stride"] == 2
    assert Path(calls[0]["reference"]) == ref
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_analyze_reads_a_reference_with_the_sets_options(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[dict[str, Any]] = []

    def fake_reference(path: Any, exercise: str, **kw: Any) -> Any:
        seen.append({"path": Path(path).name, "exercise": exercise, **kw})
        raise pipeline.InputError("stop here")

    monkeypatch.setattr(pipeline, "load_reference", fake_reference)
    clip, ref = tmp_path / "set.mp4", tmp_path / "good.mp4"
    clip.write_bytes(b"x")
    ref.write_bytes(b"x")
    with pytest.raises(pipeline.InputError):
        pipeline.analyze(clip, "squat", reference=ref, stride=2, load_kg=20.0, person="left")
    assert seen[0]["path"] == "good.mp4" and seen[0]["exercise"] == "squat"
    assert seen[0]["stride"] == 2 and seen[0]["load_kg"] == 20.0
    assert seen[0]["person"] == "auto"  # the reference clip shows the person alone: who is chosen is the set's


@pytest.mark.parametrize(("stride", "fps", "used"), [(2, 30.0, 2), (2, 29.97, 2), (2, 24.0, 1), (2, 60.0, 2),
                                                     (4, 60.0, 4), (8, 60.0, 4), (1, 10.0, 1), (3, 0.0, 3)])
def test_fast_never_analyses_fewer_than_15_frames_a_second(stride: int, fps: float, used: int) -> None:
    from backsafe.pipeline import effective_stride

    assert effective_stride(stride, fps) == used


def test_live_keeps_the_same_frame_rate_floor(sample_clip: Path, datasets: Path) -> None:
    from backsafe.live import FrameSource

    assert FrameSource(str(sample_clip), stride=2).stride == 2  # 29.97 fps: every 2nd frame
    assert FrameSource(str(datasets / "clips" / "squat_side_TomNotchYmk.mp4"), stride=2).stride == 1  # 24 fps
