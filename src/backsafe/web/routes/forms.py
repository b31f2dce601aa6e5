"""Typed values from HTML form fields: an empty field is None, anything else must parse (ValueRangeError, 422);
and the choices the pages' forms offer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from ...errors import ValueRangeError
from ...exercises import load_library

__all__ = ["opt_float", "opt_int", "form_date", "exercise_choices"]

_T = TypeVar("_T")


def _parsed(v: str, parse: Callable[[str], _T], expected: str) -> _T | None:
    v = v.strip()
    if not v:
        return None
    try:
        return parse(v)
    except ValueError as e:
        raise ValueRangeError(f"{v!r}: expected {expected}") from e


def opt_int(v: str) -> int | None:
    return _parsed(v, int, "a whole number")


def opt_float(v: str) -> float | None:
    return _parsed(v, float, "a number")


def form_date(date: str) -> dt.date:
    """A YYYY-MM-DD field; today when it is empty."""
    try:
        return dt.date.fromisoformat(date) if date.strip() else dt.date.today()
    except ValueError as e:
        raise ValueRangeError(f"date {date!r}: expected YYYY-MM-DD") from e


def exercise_choices() -> list[tuple[str, str]]:
    """The exercise library as (id, name), for the forms' exercise choice."""
    return [(e.id, e.name) for e in load_library().values()]
