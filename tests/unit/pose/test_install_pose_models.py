"""tools/install_pose_models.py: copies the lite and heavy models only when their sha256 matches the pins, never
half a set, leaves correct files alone, and ``--check`` reports what is installed."""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import ModuleType

import pytest

from tests.load_by_path import load_module

ROOT = Path(__file__).resolve().parents[3]


def _tool() -> ModuleType:
    return load_module("install_pose_models", ROOT / "tools" / "install_pose_models.py")


@pytest.fixture()
def tool(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The tool with its pins set to small stand-in files' hashes (the real files are 3 and 28 MB)."""
    mod = _tool()
    fake = {n: f"model bytes of {n}".encode() for n in mod.SHA256}
    monkeypatch.setattr(mod, "SHA256", {n: hashlib.sha256(b).hexdigest() for n, b in fake.items()})
    mod.fake = fake
    return mod


def _source(tmp: Path, tool: ModuleType, corrupt: str | None = None) -> Path:
    src = tmp / "src"
    src.mkdir()
    for n, b in tool.fake.items():
        (src / n).write_bytes(b + (b"!" if n == corrupt else b""))
    return src


def test_real_pins_are_the_npm_package_files() -> None:
    mod = _tool()
    assert set(mod.WANTED) == {"pose_landmark_lite.tflite", "pose_landmark_heavy.tflite"}
    assert all(len(h) == 64 for h in mod.SHA256.values())
    assert mod.VERSION == "0.5.1675469404"


def test_installs_verified_files_and_is_idempotent(tool: ModuleType, tmp_path: Path) -> None:
    target = tmp_path / "pose_landmark"
    target.mkdir()
    (target / "pose_landmark_full.tflite").write_bytes(tool.fake["pose_landmark_full.tflite"])
    lines = tool.install(source=_source(tmp_path, tool), target=target)
    assert all("installed" in x for x in lines) and len(lines) == 2
    for n in tool.WANTED:
        assert (target / n).read_bytes() == tool.fake[n]
    assert tool.check(target) == (True, [f"{n}: ok" for n in tool.SHA256])
    again = tool.install(source=tmp_path / "nowhere", target=target)  # nothing to do: the source is not read
    assert all("already installed" in x for x in again)


def test_a_wrong_hash_copies_nothing(tool: ModuleType, tmp_path: Path) -> None:
    target = tmp_path / "pose_landmark"
    target.mkdir()
    src = _source(tmp_path, tool, corrupt="pose_landmark_heavy.tflite")
    with pytest.raises(SystemExit, match="sha256 mismatch.*heavy"):
        tool.install(source=src, target=target)
    assert list(target.iterdir()) == []
    ok, lines = tool.check(target)
    assert not ok and "pose_landmark_lite.tflite: missing" in lines


def test_a_tampered_installed_file_is_replaced(tool: ModuleType, tmp_path: Path) -> None:
    target = tmp_path / "pose_landmark"
    target.mkdir()
    (target / "pose_landmark_lite.tflite").write_bytes(b"tampered")
    assert "pose_landmark_lite.tflite: wrong sha256" in tool.check(target)[1]
    tool.install(source=_source(tmp_path, tool), target=target)
    assert (target / "pose_landmark_lite.tflite").read_bytes() == tool.fake["pose_landmark_lite.tflite"]


def test_installed_venv_has_every_model() -> None:
    """`make install` ran the tool: every model size is usable in this environment."""
    pytest.importorskip("mediapipe")
    ok, lines = _tool().check()
    assert ok, lines
