"""A record's fields as a JSON object: :func:`json_fields`, the one home of the ``"name": self.name`` boilerplate
that the coach's records (plan, triage, profile) and the exercise library wrote out key by key."""

from __future__ import annotations

__all__ = ["json_fields"]


def json_fields(record: object, *names: str, **values: object) -> dict[str, object]:
    """``record``'s attributes ``names`` (fields or properties) as a JSON object, keys in that order; a tuple
    becomes a list. A name also given as a keyword takes that value instead (one worked out for JSON: a load in
    the person's unit, a time as text)."""
    return {name: values[name] if name in values else _json_value(getattr(record, name)) for name in names}


def _json_value(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value
