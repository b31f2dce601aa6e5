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


def test_help_reads_like_click_help() -> None:
    """A flag shows no type (it takes no value) and a repeatable option the type of its one value (issue [3/6])."""
    r = CliRunner().invoke(app, ["analyze", "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert r.exit_code == 0
    lines = {ln.split()[1]: ln for ln in r.stdout.splitlines() if ln.startswith("│ --")}
    assert "<bool>" not in r.stdout and "<list[" not in r.stdout
    assert "--fast" in lines and "--format" in lines and "--load-kg" in lines
    assert "<float>" in lines["--load-kg"] and "<json|html|video|text|csv>" in lines["--format"]
    assert "Repeatable" in lines["--format"]
    top = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"}).stdout
    assert "--version" in top and "--verbose" in top
