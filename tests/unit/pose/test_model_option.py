"""`--model lite|full|heavy` (issue [6/6]): validated everywhere it is given, handed to the pose model that runs,
recorded in the report, its own keypoint-cache entry, and a clear error (never a download) when its file is not
installed. MediaPipe is replaced by a fake here: tests/e2e/test_pose_models.py runs the real models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import backsafe.pipeline as pipeline
import backsafe.pose.mediapipe_backend as mpb
from backsafe.cli import app
from backsafe.errors import DependencyError, ValueRangeError
from backsafe.options import AnalysisOptions
from backsafe.pose.base import FramePose
from backsafe.pose.models import POSE_MODELS, check_model_name, describe_model
from backsafe.pose.runner import _cache_path

from ..synth import squat_frame


def test_model_names_and_default() -> None:
    assert POSE_MODELS == ("lite", "full", "heavy")
    assert AnalysisOptions().model == "full"
    for m in POSE_MODELS:
        assert AnalysisOptions(model=m).model == m
        assert f"-{m} " in describe_model(m)


@pytest.mark.parametrize("bad", ["huge", "", "Full", None, 1])
def test_unknown_model_is_refused(bad: Any) -> None:
    with pytest.raises(ValueRangeError, match="lite, full, heavy"):
        AnalysisOptions(model=bad)
    with pytest.raises(ValueRangeError):
        check_model_name(bad)


# ------------------------------------------------------------------------------------------------ the CLI

@pytest.fixture()
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def fake(path: Any, exercise: str, **kw: Any) -> Any:
        seen.append(kw)
        raise pipeline.InputError("stop here")

    monkeypatch.setattr(pipeline, "analyze", fake)
    return seen


@pytest.mark.parametrize(("args", "model"), [([], "full"), (["--model", "lite"], "lite"),
                                              (["--model", "heavy"], "heavy")])
def test_analyze_passes_the_model(calls: list[dict[str, Any]], tmp_path: Path, args: list[str], model: str) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"x")
    res = CliRunner().invoke(app, ["analyze", str(clip), "--out", str(tmp_path / "out"), *args])
    assert res.exit_code == 3, res.output
    assert calls[0]["model"] == model


def test_analyze_refuses_an_unknown_model(calls: list[dict[str, Any]], tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"x")
    res = CliRunner().invoke(app, ["analyze", str(clip), "--model", "huge", "--out", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert not calls


def test_batch_and_live_and_eval_take_the_option() -> None:
    for cmd in ("analyze", "batch", "live", "eval"):
        res = CliRunner().invoke(app, [cmd, "--help"], env={"COLUMNS": "200"})
        assert res.exit_code == 0
        assert "--model" in res.output, cmd


# ----------------------------------------------------------------------------- the model file, never fetched

def test_missing_model_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(mpb, "model_file", lambda m: tmp_path / f"pose_landmark_{m}.tflite")
    with pytest.raises(mpb.ModelMissingError, match="install_pose_models.py") as got:
        mpb.MediaPipePose(model="heavy")
    assert isinstance(got.value, DependencyError)  # the CLI's exit 1 with the one-line message
    assert "heavy" in str(got.value)


def test_model_file_is_in_mediapipes_pose_landmark_folder() -> None:
    pytest.importorskip("mediapipe")
    p = mpb.model_file("full")
    assert p.parent.name == "pose_landmark" and p.name == "pose_landmark_full.tflite"
    assert p.is_file()  # full ships in the wheel
    assert "full" in mpb.installed_models()


def test_cache_entries_differ_per_model(tmp_path: Path) -> None:
    clip = tmp_path / "c.mp4"
    clip.write_bytes(b"abc")
    names = {m: _cache_path(tmp_path, clip, 1, 0, m).name for m in POSE_MODELS}
    assert len(set(names.values())) == 3
    assert names["full"] == _cache_path(tmp_path, clip, 1, 0).name  # full keeps the cache it had
    assert "-mlite" in names["lite"] and "-mheavy" in names["heavy"]


# ------------------------------------------------------------------------- the model that runs, the report

class FakePose:
    """Stands in for MediaPipePose: records the model it was made with, shows an upright person standing."""

    made: list[str] = []

    def __init__(self, model: str = "full", **kw: Any) -> None:
        FakePose.made.append(model)
        self.model = model

    def process(self, rgb: Any, t_s: float | None = None) -> FramePose:
        return FramePose(image=squat_frame(5.0, scale=60.0, origin=(100.0, 190.0))[:33].copy(), world=None)

    def close(self) -> None:
        pass


def _clip(path: Path, seconds: float) -> Path:
    import cv2

    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (200, 200))
    for _ in range(int(seconds * 30)):
        w.write(np.zeros((200, 200, 3), np.uint8))
    w.release()
    return path


@pytest.mark.parametrize(("model", "seconds"), [("lite", 2.0), ("heavy", 2.0), ("full", 2.0), ("lite", 11.0)])
def test_the_chosen_model_runs_and_is_recorded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, model: str,
                                               seconds: float) -> None:
    """Short clips (one model) and a clip >= 10 s (two halves, one model each): every model made is the one
    asked for; the report says which; the keypoint cache keeps it apart from the other sizes."""
    monkeypatch.setattr(mpb, "MediaPipePose", FakePose)
    FakePose.made = []
    clip = _clip(tmp_path / "c.mp4", seconds)
    cache = tmp_path / "cache"
    report = pipeline.analyze(clip, "squat", model=model, pose_cache_dir=cache)
    assert FakePose.made and set(FakePose.made) == {model}
    assert report.extra["pose_model"] == model
    assert report.input["pose_model"] == describe_model(model)
    (entry,) = cache.iterdir()
    assert (f"-m{model}" in entry.name) == (model != "full")


def test_keypoint_inputs_do_not_claim_a_pose_model(tmp_path: Path) -> None:
    from ..synth import rep_curve, squat_set

    seq = squat_set(rep_curve(2))
    bp = seq.data[:, :33]
    coco = [0, None, 12, 14, 16, 11, 13, 15, 24, 26, 28, 23, 25, 27, 5, 2, 8, 7]  # OpenPose COCO-18 order
    arr = np.zeros((len(bp), 18, 3), np.float32)
    for k, j in enumerate(coco):
        arr[:, k] = (bp[:, 11, [0, 1, 3]] + bp[:, 12, [0, 1, 3]]) / 2 if j is None else bp[:, j, [0, 1, 3]]
    p = tmp_path / "k.npy"
    np.save(p, np.nan_to_num(arr))
    report = pipeline.analyze(p, "squat", fps=30.0, model="lite")
    assert "pose_model" not in report.extra and "pose_model" not in report.input


# --------------------------------------------------------------------------------------- batch and live

def test_batch_job_options_and_worker_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from backsafe.batch import Analyzer, job_options

    assert "model" not in job_options("squat", {"model": "full"}, 1)  # same job key as before --model
    assert job_options("squat", {"model": "lite"}, 1)["model"] == "lite"
    with pytest.raises(ValueRangeError):
        job_options("squat", {"model": "huge"}, 1)
    monkeypatch.setattr(mpb, "MediaPipePose", FakePose)
    FakePose.made = []
    clip = tmp_path / "c.mp4"
    clip.write_bytes(b"x")
    a = Analyzer()
    for m in ("lite", "heavy", "lite"):
        factory = a._factory(clip, {"model": m})
        assert factory is not None
        factory()
    assert FakePose.made == ["lite", "heavy"]  # one loaded model per size, reused


def test_live_uses_the_model_and_refuses_a_bad_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from backsafe.live import LiveOptions, run_live

    monkeypatch.setattr(mpb, "MediaPipePose", FakePose)
    FakePose.made = []
    events: list[dict[str, Any]] = []
    clip = _clip(tmp_path / "c.mp4", 1.0)
    run_live(clip, LiveOptions(exercise="squat", realtime=False, model="lite"), events.append)
    assert FakePose.made == ["lite"]
    assert events[0]["event"] == "start" and events[0]["pose_model"] == "lite"
    with pytest.raises(ValueRangeError):
        run_live(clip, LiveOptions(exercise="squat", realtime=False, model="huge"), events.append)
