"""Loads in the person's unit, on the steps of the equipment they own (COACHING_RULES.md §4 "Loads come in the
steps people own"; plausibility).

Every load is stored in kg and shown in the person's unit (kg or lb). The article's own example is in pounds:
30 lb → 25 lb after pain, so the lb ladders are real pound ladders, not converted kg ones.

Standard ladders [H, §4]:

==========  =========================================  =====================================
equipment   kg                                         lb
==========  =========================================  =====================================
dumbbell    1 kg steps to 10 kg, then 2 kg             2.5 lb steps to 25 lb, then 5 lb
kettlebell  4 kg steps from 4 kg (8, 12, 16, 20, 24)   the same bells (sold in kg), shown in lb
            2 kg steps where the person owns them
barbell     2.5 kg steps (an empty bar is 20 kg)       5 lb steps (an empty bar is 45 lb)
==========  =========================================  =====================================

A person may list the loads they own per equipment (``Profile.equipment``); then only those are prescribed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import ValueRangeError
from ..exercises import Exercise
from ..json_fields import json_fields

__all__ = [
    "Unit",
    "UNITS",
    "LB_PER_KG",
    "Profile",
    "parse_load",
    "typed_unit",
    "to_unit",
    "from_unit",
    "format_load",
    "standard_loads_kg",
    "available_loads_kg",
    "floor_load",
    "next_load_up",
    "lowest_load",
    "max_plausible_kg",
    "check_plausible",
    "pct_change",
]

Unit = Literal["kg", "lb"]
UNITS: tuple[Unit, ...] = ("kg", "lb")
LB_PER_KG = 2.2046226218  # exact by definition: 1 lb = 0.45359237 kg

# Plausibility [H, §4 "a load far above what the exercise allows is refused"]: about the heaviest implement of
# each kind in general use, per hand for dumbbells, so a slip of unit (lb typed as kg) or a typo is caught while a
# strong lifter's real load is not.
_MAX_KG_BY_EQUIPMENT = {"dumbbell": 80.0, "kettlebell": 92.0, "barbell": 500.0, "bodyweight": 60.0}
# Exercises whose load sits at arm's length or is held at the chest: tighter limits [H].
_MAX_KG_BY_EXERCISE = {
    "goblet_squat": 100.0,
    "lateral_raise": 40.0,
    "front_raise": 40.0,
    "bent_arm_lateral_raise": 40.0,
    "bent_arm_front_raise": 40.0,
    "bicep_curl": 60.0,
    "kettlebell_swing": 92.0,
}


@dataclass(frozen=True, slots=True)
class Profile:
    """What the coach knows about the person (CLI: ``backsafe profile``; web: account settings).

    ``equipment`` maps an equipment kind (dumbbell, kettlebell, barbell) to the loads the person owns, in kg;
    an empty mapping (or a kind not listed) means the standard ladder of that kind.
    """

    unit: Unit = "kg"
    body_mass_kg: float | None = None
    sex: Literal["female", "male"] | None = None
    default_tempo: str | None = None
    equipment: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    wake_time: dt.time | None = None
    age_years: int | None = None
    unit_chosen: bool = True  # False: never chosen; the first load typed with a unit ("30lb") chooses it

    def to_json(self) -> dict[str, Any]:
        return json_fields(
            self, "unit", "body_mass_kg", "sex", "default_tempo", "equipment", "equipment_unit", "wake_time",
            "age_years",
            equipment={k: [round(to_unit(v, self.unit), 2) for v in vs] for k, vs in sorted(self.equipment.items())},
            equipment_unit=self.unit,
            wake_time=self.wake_time.strftime("%H:%M") if self.wake_time else None,
        )


def typed_unit(text: str | float | int) -> Unit | None:
    """The unit a typed load names ("30lb" → lb, "12 kg" → kg), None for a bare number."""
    if isinstance(text, (int, float)):
        return None
    m = _LOAD_RE.match(str(text))
    if not m or not m.group(2):
        return None
    return "lb" if m.group(2).lower().startswith(("lb", "pound")) else "kg"


def to_unit(kg: float, unit: Unit) -> float:
    return kg * LB_PER_KG if unit == "lb" else kg


def from_unit(value: float, unit: Unit) -> float:
    return value / LB_PER_KG if unit == "lb" else value


_LOAD_RE = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*(kg|kgs|kilos?|lb|lbs|pounds?)?\s*$", re.IGNORECASE)


def parse_load(text: str | float | int, unit: Unit = "kg") -> float:
    """A load as typed ("30lb", "13.6 kg", "12" in the person's unit) → kg. ValueRangeError when unreadable."""
    if isinstance(text, bool):
        raise ValueRangeError(f"load {text!r}: expected a number with kg or lb, e.g. 12kg or 25lb")
    if isinstance(text, (int, float)):
        value, given = float(text), unit
    else:
        m = _LOAD_RE.match(str(text))
        if not m:
            raise ValueRangeError(f"load {text!r}: expected a number with kg or lb, e.g. 12kg or 25lb "
                                  "(0 for bodyweight)")
        value = float(m.group(1).replace(",", "."))
        suffix = (m.group(2) or unit).lower()
        given = "lb" if suffix.startswith(("lb", "pound")) else "kg"
    if math.isnan(value) or math.isinf(value) or value < 0:
        raise ValueRangeError(f"load {text!r}: expected 0 or more (0 for bodyweight)")
    return round(from_unit(value, given), 3)


def _nice(x: float) -> str:
    return f"{round(x, 1):g}"


def format_load(kg: float, unit: Unit) -> str:
    """"25 lb" / "11.5 kg"; 0 is "bodyweight"."""
    if kg <= 0:
        return "bodyweight"
    return f"{_nice(to_unit(kg, unit))} {unit}"


def standard_loads_kg(equipment: str, unit: Unit, up_to_kg: float = 500.0) -> tuple[float, ...]:
    """The standard ladder of ``equipment`` in ``unit`` (table in the module docstring), as kg, ascending."""
    out: list[float] = []
    if equipment == "kettlebell":
        out = [float(k) for k in range(4, 93, 4)]  # bells are sold in kg, also in the US
    elif equipment == "barbell":
        if unit == "lb":
            out = [from_unit(v, "lb") for v in range(45, 1105, 5)]
        else:
            out = [20.0 + 2.5 * i for i in range(193)]
    elif equipment == "dumbbell":
        if unit == "lb":
            vals = [2.5 * i for i in range(1, 11)] + [25.0 + 5 * i for i in range(1, 36)]
            out = [from_unit(v, "lb") for v in vals]
        else:
            out = [float(i) for i in range(1, 11)] + [10.0 + 2 * i for i in range(1, 36)]
    else:  # bodyweight exercises with an added load (a vest, a plate): the dumbbell ladder
        return standard_loads_kg("dumbbell", unit, up_to_kg)
    return tuple(round(v, 3) for v in out if v <= up_to_kg + 1e-9)


def available_loads_kg(equipment: str, profile: Profile | None = None) -> tuple[float, ...]:
    """The loads this person can use for ``equipment``: their own list when they gave one, else the standard
    ladder in their unit."""
    p = profile or Profile()
    owned = p.equipment.get(equipment)
    if owned:
        return tuple(sorted({round(float(v), 3) for v in owned if v > 0}))
    return standard_loads_kg(equipment, p.unit)


def floor_load(kg: float, equipment: str, profile: Profile | None = None) -> float:
    """The largest available load ≤ ``kg`` (0.0 when even the lightest is heavier)."""
    loads = [v for v in available_loads_kg(equipment, profile) if v <= kg + 1e-6]
    return loads[-1] if loads else 0.0


def next_load_up(kg: float, equipment: str, profile: Profile | None = None) -> float | None:
    """The smallest available load above ``kg`` (None at the top of the ladder)."""
    loads = [v for v in available_loads_kg(equipment, profile) if v > kg + 1e-6]
    return loads[0] if loads else None


def lowest_load(equipment: str, profile: Profile | None = None) -> float:
    loads = available_loads_kg(equipment, profile)
    return loads[0] if loads else 0.0


def max_plausible_kg(ex: Exercise) -> float:
    return _MAX_KG_BY_EXERCISE.get(ex.id, _MAX_KG_BY_EQUIPMENT.get(ex.equipment, 60.0))


def check_plausible(ex: Exercise, kg: float, unit: Unit = "kg") -> None:
    """Refuse a load far above what the exercise allows, with the reason (§4 plausibility)."""
    top = max_plausible_kg(ex)
    if kg > top + 1e-6:
        what = {"dumbbell": "per hand, above the heaviest dumbbells in general use",
                "kettlebell": "above the heaviest kettlebells made",
                "barbell": "above the world records"}.get(ex.equipment, "far above an added load for this exercise")
        raise ValueRangeError(f"load {format_load(kg, unit)} for {ex.name.lower()} is more than "
                              f"{format_load(top, unit)} ({what}); check the number and the unit (kg or lb)")


def pct_change(old: float, new: float) -> str:
    """The real change as people read it: "−17 %", "+5 %"."""
    if old <= 0:
        return ""
    pct = round(100.0 * (new / old - 1.0))
    sign = "+" if pct > 0 else ("−" if pct < 0 else "±")
    return f"{sign}{abs(pct)} %"
