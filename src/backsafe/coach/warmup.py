"""Warm-up generator: RAMP, 8-12 minutes, chosen by recent faults and the day's exercises (COACHING_RULES.md §3).

Raise (5 min walk or bike, RPE 3-4) → Activate/Mobilise (~5 min: breathing, foam rolling of the areas the day's
exercises use, band activation of glute medius and maximus, plus drills for the person's recent faults) →
Potentiate (ramp sets at ~50 % and ~75 % of each working load). Items are dropped by priority (§9: J > R > D >
S/P > K > A > T) if the total would pass 12 minutes, and the raise is lengthened if it would fall short of 8.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..exercises import get_exercise
from .progression import Prescription
from .units import Profile, floor_load, format_load

__all__ = ["WarmupItem", "generate_warmup", "MIN_MINUTES", "MAX_MINUTES"]

MIN_MINUTES, MAX_MINUTES = 8.0, 12.0  # §3


@dataclass(frozen=True, slots=True)
class WarmupItem:
    name: str
    dose: str
    phase: str  # raise | mobilise | activate | potentiate
    minutes: float
    reason: str
    priority: int = 50  # lower = kept first when trimming

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "dose": self.dose, "phase": self.phase, "minutes": self.minutes,
                "reason": self.reason}


# §3 foam rolling: hip flexors, quads, glutes, T-spine, calves; never the lumbar spine.
_ROLL_AREAS = {
    "squat": ("quads", "glutes"),
    "lunge": ("quads", "hip flexors"),
    "single_leg": ("glutes", "calves"),
    "hinge": ("glutes", "hip flexors"),
    "hinge_hold": ("glutes", "T-spine"),
    "ballistic": ("glutes", "calves"),
    "press": ("T-spine",),
    "raise": ("T-spine",),
    "push": ("T-spine",),
    "arm": ("T-spine",),
    "bridge": ("hip flexors",),
}

# §3 "by fault" drills; priority follows §9 (J > R > D > S/P > K > A > T).
_FAULT_DRILLS: dict[str, tuple[int, tuple[tuple[str, str, float], ...], str]] = {
    "jumping": (10, (("Squat to heel raise, heels lowered slowly", "1 × 8, feet stay on the floor", 1.0),),
                "recent reps left the floor: practise staying grounded"),
    "back_rounding": (20, (("Dowel hip hinge", "2 × 8, dowel touching head, upper back and tailbone", 1.5),),
                      "recent back rounding: hip hinge patterning"),
    "load_far_from_body": (30, (("Dowel hip hinge, dowel sliding down the thighs", "2 × 8", 1.5),),
                           "recent reps held the load far from the body: keep it close to your legs"),
    "lateral_shift": (40, (("Side plank from the knees", "2 × 15-20 s per side", 1.5),
                           ("Single-leg stance", "3 × 20 s per side", 2.0)), "recent shifting to one side"),
    "hip_rotation": (40, (("Single-leg stance", "3 × 20 s per side", 2.0),), "recent hip drop or twist"),
    "knee_valgus": (50, (("Side-lying hip abduction (glute medius)", "1-2 × 12 per side, 3+ reps in reserve", 1.5),
                         ("Band walk", "1 × 10 steps each way, band above the knees", 1.0)),
                    "recent knees caving in: more glute medius work (side-lying abduction ~81 % MVIC)"),
    "knee_varus": (50, (("Band walk", "1 × 10 steps each way, band above the knees", 1.0),),
                   "recent knees pushed out: knee-over-second-toe control"),
    "back_arching": (60, (("Dead bug", "1 × 8 per side, slow", 1.0),
                          ("Posterior-tilt glute bridge", "1 × 10, tailbone tucked, 2 s hold", 1.0)),
                     "recent arching: ribs down, pelvis tucked"),
    "hips_piked": (60, (("Dead bug", "1 × 8 per side, slow", 1.0),), "recent hips piking in holds"),
    "partial_range": (65, (("Cat-camel", "5-6 slow cycles", 1.0),), "recent reps stopped short of full range"),
    "rushing": (70, (("Metronome set", "1 × 6 bodyweight reps to a 3-1-2 count (metronome 60 bpm)", 1.0),),
                "recent reps were rushed: feel the tempo"),
}


def _ramp_item(rx: Prescription, profile: Profile) -> WarmupItem | None:
    ex = get_exercise(rx.exercise)
    if rx.rep_unit != "reps":
        return None
    if rx.load_kg > 0:  # §3 potentiate: ramp sets at ~50 % and ~75 % of the working load, on the person's equipment
        half = floor_load(rx.load_kg * 0.5, ex.equipment, profile)
        three_q = floor_load(rx.load_kg * 0.75, ex.equipment, profile)
        parts = [f"1 × 5 at {format_load(half, profile.unit)} (~50 %)" if half > 0 else "1 × 5 with no load",
                 f"1 × 3 at {format_load(three_q, profile.unit)} (~75 %)" if three_q > 0 else "1 × 3 with no load"]
        return WarmupItem(f"Ramp-up sets: {ex.name.lower()}", ", ".join(parts), "potentiate", 1.5,
                          f"build up to {format_load(rx.load_kg, profile.unit)}", 15)
    tempo = f" at the {rx.tempo} tempo" if rx.tempo else ""
    return WarmupItem(f"Practice set: {ex.name.lower()}", f"1 × 5 easy reps{tempo}", "potentiate",
                      1.0, "groove the movement before the working sets", 80)


def generate_warmup(
    exercises: Sequence[Prescription], recent_faults: Mapping[str, int] | None = None,
    profile: Profile | None = None,
) -> list[WarmupItem]:
    """A RAMP warm-up of 8-12 minutes for the day's main block (§3).

    Parameters
    ----------
    exercises : sequence of Prescription
        The day's main block.
    recent_faults : mapping fault code -> count
        Faults from the person's recent analysis reports (more count = more reason to include its drill).
    """
    faults = {k: v for k, v in (recent_faults or {}).items() if v > 0 and k in _FAULT_DRILLS}
    items: list[WarmupItem] = [
        WarmupItem("Brisk walk or easy bike", "5 min at an easy effort, 3-4 out of 10 (you can still talk in sentences)", "raise", 5.0,
                   "raise temperature and heart rate (RAMP)", 0),
        WarmupItem("Diaphragmatic breathing, lying on your back, knees bent",
                   "5-10 breaths: hands on chest and belly, in through the nose ~4 s (belly and lower ribs rise), "
                   "out ~6 s", "mobilise", 1.0, "relax and brace without holding your breath", 5),
    ]
    areas: list[str] = []
    for rx in exercises:
        for a in _ROLL_AREAS.get(get_exercise(rx.exercise).pattern, ()):
            if a not in areas:
                areas.append(a)
    if areas:
        areas = areas[:3]
        items.append(WarmupItem(f"Foam roll: {', '.join(areas)}",
                                "1 × 30-60 s per area and side; discomfort ≤4/10; not on the lower back",
                                "mobilise", round(0.75 * len(areas) + 0.5, 1),
                                "range of motion for today's exercises", 25))
    seen: set[str] = set()
    for code in sorted(faults, key=lambda c: (_FAULT_DRILLS[c][0], -faults[c])):
        prio, drills, why = _FAULT_DRILLS[code]
        for name, dose, minutes in drills:
            if name in seen:
                continue
            seen.add(name)
            items.append(WarmupItem(name, dose, "activate", minutes, f"{why} ({faults[code]} in recent clips)",
                                    prio))
    # §3 band activation of glute medius and maximus (Distefano 2009), always offered.
    if "Side-lying hip abduction (glute medius)" not in seen:
        items.append(WarmupItem("Banded clamshell (glute medius)", "1 × 12-15 per side, 3+ reps in reserve",
                                "activate", 1.0, "wake up the glute medius", 55))
    items.append(WarmupItem("Banded glute bridge (glute maximus)", "1 × 12, 2 s squeeze at the top", "activate", 1.0,
                            "wake up the glute maximus", 56))
    for rx in exercises:
        ramp = _ramp_item(rx, profile or Profile())
        if ramp is not None:
            items.append(ramp)
    return _fit(items)


def _fit(items: list[WarmupItem]) -> list[WarmupItem]:
    total = sum(i.minutes for i in items)
    while total > MAX_MINUTES:
        droppable = [i for i in items if i.priority > 0]
        victim = max(droppable, key=lambda i: (i.priority, i.minutes))
        items.remove(victim)
        total -= victim.minutes
    if total < MIN_MINUTES:
        raise_item = items[0]
        extra = round(MIN_MINUTES - total, 1)
        mins = raise_item.minutes + extra
        items[0] = WarmupItem(raise_item.name, f"{mins:g} min at an easy effort, 3-4 out of 10 (you can still talk in sentences)",
                              raise_item.phase, mins, raise_item.reason, raise_item.priority)
    return items
