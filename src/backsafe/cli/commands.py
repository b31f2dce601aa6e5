"""The ``backsafe`` Typer app: its global options and the one list of commands, registered explicitly.

Each command lives in the module of its concern (:mod:`.analyze`, :mod:`.coach`, :mod:`.person`, :mod:`.library`,
:mod:`.batch`, :mod:`.live`, :mod:`backsafe.web.cli`); :func:`build_app` adds them in the order ``backsafe --help``
lists them. Every command module imports only Typer and Rich at its top: the library loads when a command runs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import typer

from .. import settings
from ..web.cli import serve_cmd
from . import analyze, batch, coach, library, live, person
from .common import err_console

__all__ = ["app", "build_app", "main"]

HELP = "Film a set, get per-rep feedback that protects your lower back; plan and log training around pain."

#: every command, in the order ``backsafe --help`` lists them; coach commands map their errors themselves
COMMANDS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("analyze", analyze.analyze),
    ("eval", analyze.eval_cmd),
    ("triage", coach.handle_errors(coach.triage_cmd)),
    ("plan", coach.handle_errors(coach.plan_cmd)),
    ("log", coach.handle_errors(coach.log_cmd)),
    ("checkin", coach.handle_errors(coach.checkin_cmd)),
    ("outcome", coach.handle_errors(coach.outcome_cmd)),
    ("profile", coach.handle_errors(person.profile_cmd)),
    ("progress", coach.handle_errors(person.progress_cmd)),
    ("exercises", coach.handle_errors(library.exercises_cmd)),
    ("export", coach.handle_errors(person.export_cmd)),
    ("import", coach.handle_errors(person.import_cmd)),
    ("rules", coach.handle_errors(library.rules_cmd)),
    ("batch", batch.batch),
    ("live", live.live),
    ("serve", serve_cmd),
)


def _conventional_help_types() -> None:
    """Typer 0.29 writes ``<bool>`` after every flag and ``<list[str]>`` after a repeatable option, as if a flag
    took a value and a repeatable option took a list. Show what is typed instead, as Click's own help does: nothing
    after a flag, the one value's type after a repeatable option (its help says it repeats)."""
    from typer import core

    original = core._TyperParameter.display_type
    if getattr(original, "_backsafe", False):
        return

    def display_type(self: Any, ctx: Any) -> str:
        if getattr(self, "is_flag", False) or getattr(self, "count", False):
            return ""
        shown = str(original(self, ctx))
        if shown.startswith("<list[") and shown.endswith("]>"):
            return "<" + shown[len("<list["):-len("]>")] + ">"
        return shown

    display_type._backsafe = True  # type: ignore[attr-defined]
    core._TyperParameter.display_type = display_type  # type: ignore[method-assign]


def _print_version(value: bool) -> None:
    if value:
        from .._version import __version__

        typer.echo(f"backsafe {__version__}")
        raise typer.Exit()


def _main_options(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", callback=_print_version,
                                 is_eager=True),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also show the pose model's own log lines."),
) -> None:
    """Film a set, get per-rep feedback that protects your lower back; plan and log training around pain."""


def build_app() -> typer.Typer:
    """The ``backsafe`` app with every command of :data:`COMMANDS`."""
    _conventional_help_types()
    cli = typer.Typer(name="backsafe", help=HELP, no_args_is_help=True, add_completion=False,
                      pretty_exceptions_enable=False)
    cli.callback()(_main_options)
    for name, fn in COMMANDS:
        cli.command(name)(fn)
    return cli


app = build_app()


def main() -> None:
    """The ``backsafe`` console script (pyproject ``[project.scripts]``) and ``python -m backsafe.cli``."""
    from ..native_logs import quiet_native_logs

    verbose = any(a in ("-v", "--verbose") for a in sys.argv[1:2]) or settings.native_logs()
    try:
        with quiet_native_logs(enabled=not verbose):
            app()
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
