"""Load arithmetic (COACHING_RULES.md §4 "Loads come in the steps people own"; coach/units.py): the cap on an
increase, a step down, the real change in words, the lightest load the plan uses, and the pain-triggering load
to stay below."""

from __future__ import annotations

import datetime as dt

from ...exercises import Exercise
from ..history import TRIGGER_MEMORY_DAYS, LoggedEntry
from ..units import Profile, Unit, floor_load, format_load, lowest_load, next_load_up, pct_change

__all__ = ["max_increase_kg", "step_down", "change_text", "min_load", "active_pain_trigger"]


def max_increase_kg(load_kg: float, ex: Exercise, profile: Profile | None = None) -> float:
    """§4: cap an increase at +5 % or the next available step, whichever is larger."""
    nxt = next_load_up(load_kg, ex.equipment, profile)
    by_pct = floor_load(load_kg * 1.05, ex.equipment, profile)
    top = max(nxt or load_kg, by_pct)
    return max(0.0, round(top - load_kg, 3))


def step_down(load_kg: float, factor: float, ex: Exercise, profile: Profile) -> float:
    """The largest available load ≤ factor × load (0.0 when even the lightest is heavier)."""
    return floor_load(load_kg * factor + 1e-6, ex.equipment, profile)


def change_text(old: float, new: float, unit: Unit) -> str:
    """'12 → 10 kg, −17 %': the real change, in the person's unit (§4: state the real percentage)."""
    a, b = format_load(old, unit), format_load(new, unit)
    if old > 0 and new > 0 and unit in a and unit in b:
        a = a.replace(f" {unit}", "")
    return f"{a} → {b}" + (f", {pct_change(old, new)}" if old > 0 and new > 0 else "")


def min_load(ex: Exercise, profile: Profile) -> float:
    """The lightest load the plan uses for a loaded exercise: its light start, on the person's equipment."""
    start = floor_load(ex.start_load_kg, ex.equipment, profile) if ex.start_load_kg > 0 else 0.0
    return start or lowest_load(ex.equipment, profile)


def active_pain_trigger(entries: list[LoggedEntry], day: dt.date) -> LoggedEntry | None:
    """The entry with the lowest load that triggered pain in the last 4 weeks [H] (loaded entries only)."""
    recent = [
        e
        for e in entries
        if (e.pain_triggered or e.severe) and e.load_kg > 0
        and day - dt.timedelta(days=TRIGGER_MEMORY_DAYS) <= e.date <= day
    ]
    return min(recent, key=lambda e: (e.load_kg, e.date)) if recent else None
