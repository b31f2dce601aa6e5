"""One prescription of the main block (:class:`Prescription`), the dose vocabulary (reps 8 → 12, sets 2 → 3,
holds, walks; COACHING_RULES.md §4, §7) and :func:`make_rx`, which builds a prescription in the person's unit with
its tempo and filming note."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ...exercises import Exercise
from ...json_fields import json_fields
from ..units import Profile, Unit, format_load, to_unit
from .filming import film_instructions

__all__ = [
    "Action",
    "Prescription",
    "REP_MIN",
    "REP_MAX",
    "SETS_START",
    "SETS_MAX",
    "HOLD_START_S",
    "HOLD_MAX_S",
    "HOLD_STEP_S",
    "WALK_START_MIN",
    "WALK_MAX_MIN",
    "WALK_STEP_MIN",
    "make_rx",
]

REP_MIN, REP_MAX = 8, 12  # §4: novices 8-12 RM (ACSM 2009); reps 8 → 12, then sets, then load
SETS_START, SETS_MAX = 2, 3
HOLD_START_S, HOLD_MAX_S, HOLD_STEP_S = 20, 45, 5  # [H] isometric holds
WALK_START_MIN, WALK_MAX_MIN, WALK_STEP_MIN = 10, 30, 5  # [H] continuous low-impact work
Action = Literal["start", "progress", "hold", "back_off", "regress", "deload", "replace", "rest", "return"]


@dataclass(frozen=True, slots=True)
class Prescription:
    """One exercise of the main block. ``load_kg`` is kg; ``unit`` is how the person reads it."""

    exercise: str
    name: str
    load_kg: float
    sets: int
    reps: int
    rep_unit: Literal["reps", "s", "min"]
    tempo: str | None
    reason: str
    action: Action
    film: str
    replaces: str | None = None
    rules: tuple[str, ...] = ()
    unit: Unit = "kg"

    @property
    def load_text(self) -> str:
        return format_load(self.load_kg, self.unit)

    def dose_text(self) -> str:
        unit = "" if self.rep_unit == "reps" else f" {self.rep_unit}"
        load = f" @ {self.load_text}" if self.load_kg > 0 else ""
        tempo = f", tempo {self.tempo}" if self.tempo else ""
        return f"{self.sets} × {self.reps}{unit}{load}{tempo}"

    def to_json(self) -> dict[str, Any]:
        return json_fields(self, "exercise", "name", "load_kg", "unit", "load", "load_text", "sets", "reps",
                           "rep_unit", "tempo", "reason", "action", "film", "replaces", "rules",
                           load=round(to_unit(self.load_kg, self.unit), 1))


def _unit(ex: Exercise) -> Literal["reps", "s", "min"]:
    return {"reps": "reps", "hold": "s", "continuous": "min"}[ex.kind]  # type: ignore[return-value]


def _tempo(ex: Exercise, profile: Profile) -> str | None:
    """§7: tempo for rep exercises only (a walk or a hold has none); the person's default tempo when they set one."""
    if ex.kind != "reps":
        return None
    if profile.default_tempo and not ex.rushing_exempt:
        return profile.default_tempo
    return str(ex.default_tempo)


def make_rx(ex: Exercise, profile: Profile, load: float, sets: int, reps: int, reason: str, action: Action,
            rules: tuple[str, ...]) -> Prescription:
    return Prescription(
        exercise=ex.id,
        name=ex.name,
        load_kg=round(max(load, 0.0), 3),
        sets=max(1, sets),
        reps=max(1, reps),
        rep_unit=_unit(ex),
        tempo=_tempo(ex, profile),
        reason=reason,
        action=action,
        film=film_instructions(ex),
        rules=rules,
        unit=profile.unit,
    )
