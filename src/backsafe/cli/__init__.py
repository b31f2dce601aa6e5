"""The ``backsafe`` command line: parse, call the library, map errors to exit codes (one mapping, one place).

``app`` (:mod:`.commands`) registers every command explicitly; each lives with its concern:

=====================  =====================================================================
module                 commands
=====================  =====================================================================
:mod:`.analyze`        ``analyze`` (files written by :mod:`.outputs`), ``eval``
:mod:`.coach`          ``triage``, ``plan``, ``log``, ``checkin``, ``outcome``
:mod:`.person`         ``profile``, ``progress``, ``export``, ``import``
:mod:`.library`        ``exercises``, ``rules``
:mod:`.batch`          ``batch``
:mod:`.live`           ``live``
``backsafe.web.cli``   ``serve``
=====================  =====================================================================

Exit codes (DESIGN.md, :mod:`.common`): 0 ok, 2 bad usage, 3 unreadable or invalid input (nothing written),
4 no person found, 1 unexpected internal error.
"""

from __future__ import annotations

from .commands import app, main
from .common import EXIT_CODES, err_console, exit_code_for, run_guarded

__all__ = ["EXIT_CODES", "app", "err_console", "exit_code_for", "main", "run_guarded"]
