"""`backsafe --version` prints the package version (DESIGN.md contract additions)."""

from __future__ import annotations

from typer.testing import CliRunner

import backsafe
from backsafe.cli import app


def test_version() -> None:
    r = CliRunner().invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout.strip() == f"backsafe {backsafe.__version__}"


def test_commands_still_run_after_the_global_options() -> None:
    r = CliRunner().invoke(app, ["rules", "severe-pain"])
    assert r.exit_code == 0 and "Severe pain" in r.stdout
