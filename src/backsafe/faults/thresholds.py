"""Per-exercise thresholds that depend on the movement's own norm, calibrated on labelled data.

``data/thresholds.json`` is written by ``tools/calibrate.py`` from the calibration split only (UI-PRMD subjects
1-4, ...); the file records where each number came from. A missing entry means the rule's COACHING_RULES.md
default applies (or that part of the rule is off for that exercise).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def load_thresholds() -> dict[str, Any]:
    text = resources.files("backsafe").joinpath("data/thresholds.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    if doc.get("version") != 1:
        raise ValueError(f"thresholds.json version {doc.get('version')!r} not supported")
    return doc  # type: ignore[no-any-return]


def exercise_threshold(table: str, exercise_id: str) -> float | None:
    """The calibrated value of ``table`` (e.g. ``trunk_lean_max_deg``) for an exercise, or None."""
    entry = load_thresholds().get(table, {}).get(exercise_id)
    if entry is None:
        return None
    return float(entry["value"] if isinstance(entry, dict) else entry)
