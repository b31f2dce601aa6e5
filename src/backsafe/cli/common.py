"""What every ``backsafe`` command shares: the one mapping from errors to exit codes, the stderr console, and
:func:`run_guarded`, which turns a raised :class:`~backsafe.errors.BacksafeError` into a one-line message.

Exit codes (DESIGN.md): 0 ok, 2 bad usage, 3 unreadable or invalid input (nothing written), 4 no person found,
1 unexpected internal error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import typer
from rich.console import Console

from .. import settings
from ..errors import (
    BacksafeError,
    DependencyError,
    InputError,
    NoPersonError,
    StorageError,
    UnknownExerciseError,
)

__all__ = ["EXIT_CODES", "FAST_STRIDE", "err_console", "exit_code_for", "one_line", "run_guarded"]

#: the one mapping from error type to exit code (most specific first)
EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (UnknownExerciseError, 2),
    (InputError, 3),
    (NoPersonError, 4),
    (DependencyError, 1),
    (StorageError, 1),
    (BacksafeError, 1),
)

#: ``--fast`` of ``batch`` and ``live``: analyse every 2nd frame (about 2x the throughput; its accuracy cost is in
#: bench/results.json)
FAST_STRIDE = 2

err_console = Console(stderr=True)
T = TypeVar("T")


def exit_code_for(exc: BaseException) -> int:
    for typ, code in EXIT_CODES:
        if isinstance(exc, typ):
            return code
    return 1


def one_line(exc: BaseException) -> str:
    # issue 9: the message is one line even when it quotes a path or file content with a newline in it, and
    # square brackets in it ("[x, y]", a file named "[/]") are text, not rich markup (a MarkupError crashed)
    from rich.markup import escape

    return escape(" ".join(str(exc).split()) or exc.__class__.__name__)


def run_guarded(fn: Callable[[], T], catch_all: bool = False) -> T:
    """Run ``fn``; a BacksafeError becomes a one-line message on stderr and its exit code.

    With ``catch_all`` any other exception (a bug) becomes a one-line "internal error" and exit 1 instead of a
    traceback; ``BACKSAFE_DEBUG=1`` lets the traceback through.
    """
    try:
        return fn()
    except BacksafeError as exc:
        err_console.print(f"[bold red]error:[/] {one_line(exc)}", highlight=False, soft_wrap=True)
        raise typer.Exit(exit_code_for(exc)) from None
    except Exception as exc:
        if not catch_all or settings.debug():
            raise
        err_console.print(
            f"[bold red]error:[/] internal error ({exc.__class__.__name__}: {one_line(exc)}); this is a bug, "
            "please report it (BACKSAFE_DEBUG=1 shows the traceback)", highlight=False, soft_wrap=True,
        )
        raise typer.Exit(1) from None
