"""Typed values from HTML form fields: an empty field is None, anything else must parse (ValueRangeError, 422)."""

from __future__ import annotations

from ...errors import ValueRangeError

__all__ = ["opt_float", "opt_int"]


def opt_int(v: str) -> int | None:
    v = v.strip()
    if not v:
        return None
    try:
        return int(v)
    except ValueError as e:
        raise ValueRangeError(f"{v!r}: expected a whole number") from e


def opt_float(v: str) -> float | None:
    v = v.strip()
    if not v:
        return None
    try:
        return float(v)
    except ValueError as e:
        raise ValueRangeError(f"{v!r}: expected a number") from e
