"""The core install (CLI, library, coach on SQLite) works without the extras; a command that needs one says which
(`pip install 'backsafe[web]'`, `[postgres]`) instead of a traceback."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run_without(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    code = (f"import sys; sys.modules[{module!r}] = None\n"
            "from backsafe.cli import main\n"
            f"sys.argv = ['backsafe', *{list(args)!r}]\nmain()\n")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_serve_without_the_web_extra_names_it() -> None:
    r = _run_without("fastapi", "serve")
    assert r.returncode == 1 and "pip install 'backsafe[web]'" in r.stderr and "Traceback" not in r.stderr


def test_postgres_without_its_extra_names_it() -> None:
    r = _run_without("psycopg", "plan", "--db", "postgresql://u@127.0.0.1:9/x")
    assert r.returncode == 3 and "pip install 'backsafe[postgres]'" in r.stderr and "Traceback" not in r.stderr


def test_core_commands_need_no_extra(tmp_path: Path) -> None:
    for missing in ("fastapi", "psycopg", "pyarrow", "ray"):
        r = _run_without(missing, "plan", "--db", f"sqlite:///{tmp_path / (missing + '.db')}", "--format", "json")
        assert r.returncode == 0, (missing, r.stderr)


def test_extras_declared() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = meta["optional-dependencies"]
    assert {"web", "postgres", "parquet", "ray", "all"} <= set(extras)
    core = " ".join(meta["dependencies"]).lower()
    assert "fastapi" not in core and "psycopg" not in core and "pyarrow" not in core
