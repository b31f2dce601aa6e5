"""tools/install_web_assets.py: the in-browser pose model is installed only when every model file has its sha256."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.load_by_path import load_module

TOOL = Path(__file__).resolve().parents[2] / "tools" / "install_web_assets.py"


def _tool(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    mod = load_module("install_web_assets", TOOL)
    node = tmp_path / "node_modules" / "@mediapipe"
    src, pose = node / "tasks-vision", node / "pose"
    (src / "wasm").mkdir(parents=True)
    pose.mkdir(parents=True)
    (src / "package.json").write_text(json.dumps({"version": mod.VERSION}))
    (pose / "package.json").write_text(json.dumps({"version": mod.POSE_VERSION}))
    for name in mod.RUNTIME:
        (src / name).write_bytes(b"runtime " + name.encode())
    models = {}
    for name in mod.MODELS:
        data = b"model " + name.encode()
        (pose / name).write_bytes(data)
        models[name] = hashlib.sha256(data).hexdigest()
    dest = tmp_path / "static" / "vendor" / "mediapipe-tasks-vision"
    monkeypatch.setattr(mod, "REPO", tmp_path)
    monkeypatch.setattr(mod, "SRC", src)
    monkeypatch.setattr(mod, "POSE_SRC", pose)
    monkeypatch.setattr(mod, "DEST", dest)
    monkeypatch.setattr(mod, "OLD_DEST", dest.parent / "mediapipe-pose")
    monkeypatch.setattr(mod, "MODELS", models)
    # the real bundle needs MediaPipe's metadata writer (the browser test loads the real ones): a stand-in here
    monkeypatch.setattr(mod, "write_bundle",
                        lambda landmark, out: out.write_bytes(b"bundle " + landmark.read_bytes()))
    return mod


def test_installs_when_the_hashes_match(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    mod = _tool(monkeypatch, tmp_path)
    (mod.OLD_DEST).mkdir(parents=True)
    (mod.OLD_DEST / "pose.js").write_text("legacy")
    assert mod.main() == 0
    assert (mod.DEST / "pose_landmarker_lite.task").read_bytes() == b"bundle model pose_landmark_lite.tflite"
    assert {p.name for p in mod.DEST.glob("*.task")} == {f"pose_landmarker_{m}.task" for m in ("lite", "full", "heavy")}
    assert (mod.DEST / "vision_bundle.mjs").is_file() and (mod.DEST / "wasm" / "vision_wasm_internal.wasm").is_file()
    assert (mod.DEST / "VERSION").read_text().strip() == mod.VERSION
    assert not mod.OLD_DEST.exists()  # the legacy web build is no longer served


def test_refuses_a_model_file_with_another_hash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    mod = _tool(monkeypatch, tmp_path)
    (mod.POSE_SRC / "pose_landmark_heavy.tflite").write_bytes(b"tampered")
    assert mod.main() == 1
    assert "pose_landmark_heavy.tflite: sha256" in capsys.readouterr().err
    assert not mod.DEST.exists()


def test_refuses_another_runtime_version(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    mod = _tool(monkeypatch, tmp_path)
    (mod.SRC / "package.json").write_text(json.dumps({"version": "0.10.99"}))
    assert mod.main() == 1
    assert "0.10.99 installed" in capsys.readouterr().err and not mod.DEST.exists()


def test_pinned_versions_are_the_lockfiles() -> None:
    text = TOOL.read_text()
    # the sums of @mediapipe/pose 0.5.1675469404 (full = the pip wheel's pose_landmark_full.tflite)
    assert "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f" in text
    lock = json.loads((TOOL.parents[1] / "web" / "package-lock.json").read_text())["packages"]
    assert lock["node_modules/@mediapipe/tasks-vision"]["version"] in text
    assert lock["node_modules/@mediapipe/pose"]["version"] in text
