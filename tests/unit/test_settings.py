"""settings.py: each environment variable read when asked, with its documented default."""

from __future__ import annotations

from pathlib import Path

import pytest

from backsafe import settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BACKSAFE_POSE_SPLIT", "BACKSAFE_DECODE_THREAD", "BACKSAFE_DECODE_THREADS", "BACKSAFE_POSE_CACHE",
                 "BACKSAFE_CONFIG", "BACKSAFE_SHARED_DIR", "BACKSAFE_DEBUG", "BACKSAFE_NATIVE_LOGS",
                 "BACKSAFE_DB_BUSY_TIMEOUT_S", "BACKSAFE_DATABASE_URL", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    assert settings.pose_split_allowed() and settings.decode_in_thread()
    assert settings.decode_threads() == 1
    assert settings.pose_cache_dir() is None and settings.config_file() is None and settings.shared_dir() is None
    assert not settings.debug() and not settings.native_logs() and not settings.no_color()
    assert settings.db_busy_timeout_s() == 5.0 and settings.database_url() is None


def test_values_are_read_when_asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BACKSAFE_POSE_SPLIT", "0")
    monkeypatch.setenv("BACKSAFE_DECODE_THREAD", "0")
    monkeypatch.setenv("BACKSAFE_DECODE_THREADS", "0")  # FFmpeg's own choice
    monkeypatch.setenv("BACKSAFE_POSE_CACHE", str(tmp_path))
    monkeypatch.setenv("BACKSAFE_CONFIG", " ~/x.toml ")
    monkeypatch.setenv("BACKSAFE_DATABASE_URL", "  ")
    assert not settings.pose_split_allowed() and not settings.decode_in_thread()
    assert settings.decode_threads() == 0
    assert settings.pose_cache_dir() == tmp_path
    assert settings.config_file() == Path("~/x.toml").expanduser()
    assert settings.database_url() is None
    monkeypatch.setenv("BACKSAFE_DECODE_THREADS", "")
    assert settings.decode_threads() == 1


def test_every_variable_is_in_the_table() -> None:
    import re

    src = Path(settings.__file__).read_text(encoding="utf-8")
    doc = settings.__doc__ or ""
    for name in set(re.findall(r'"((?:BACKSAFE_[A-Z_]+)|NO_COLOR)"', src)):
        assert f"``{name}``" in doc, name
