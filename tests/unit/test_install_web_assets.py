"""tools/install_web_assets.py: the in-browser pose model is copied only when every model file has its sha256."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "install_web_assets.py"


def _tool(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    spec = importlib.util.spec_from_file_location("install_web_assets", TOOL)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    src = tmp_path / "node_modules" / "@mediapipe" / "pose"
    src.mkdir(parents=True)
    (src / "package.json").write_text(json.dumps({"version": mod.VERSION}))
    for name in (*mod.RUNTIME, "README.md"):
        (src / name).write_bytes(b"runtime " + name.encode())
    models = {}
    for name in mod.MODELS:
        data = b"model " + name.encode()
        (src / name).write_bytes(data)
        models[name] = hashlib.sha256(data).hexdigest()
    monkeypatch.setattr(mod, "REPO", tmp_path)
    monkeypatch.setattr(mod, "SRC", src)
    monkeypatch.setattr(mod, "DEST", tmp_path / "static" / "vendor")
    monkeypatch.setattr(mod, "MODELS", models)
    return mod


def test_copies_when_the_hashes_match(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    mod = _tool(monkeypatch, tmp_path)
    assert mod.main() == 0
    assert (mod.DEST / "pose_landmark_lite.tflite").read_bytes() == b"model pose_landmark_lite.tflite"
    assert (mod.DEST / "pose.js").is_file() and (mod.DEST / "VERSION").read_text().strip() == mod.VERSION


def test_refuses_a_model_file_with_another_hash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    mod = _tool(monkeypatch, tmp_path)
    (mod.SRC / "pose_landmark_heavy.tflite").write_bytes(b"tampered")
    assert mod.main() == 1
    assert "pose_landmark_heavy.tflite: sha256" in capsys.readouterr().err
    assert not mod.DEST.exists()


def test_pinned_hashes_are_the_npm_packages() -> None:
    text = TOOL.read_text()
    # the sums of @mediapipe/pose 0.5.1675469404 (full = the pip wheel's pose_landmark_full.tflite)
    assert "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f" in text
