"""Flags raised by a logged entry (DESIGN.md flag codes; mistakes 1 and 2 of the article, §2-§4 of the rules)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..exercises import get_exercise
from .history import History, LoggedEntry
from .progression import active_pain_trigger, bodyweight_first_missing, max_increase_kg

__all__ = ["Flag", "FLAG_CODES", "flags_for_entry", "flags_in_window"]

FLAG_CODES = ("no_warmup", "load_jump", "load_above_pain_trigger", "bodyweight_first", "high_impact_while_recovering")
# Patterns that are warm-up material themselves: no warm-up needed before them.
_NO_WARMUP_NEEDED = frozenset({"cardio", "mobility", "activation"})


@dataclass(frozen=True, slots=True)
class Flag:
    code: str
    date: dt.date
    exercise: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "date": self.date.isoformat(), "exercise": self.exercise, "message": self.message}


def flags_for_entry(entry: LoggedEntry, hist: History) -> list[Flag]:
    """Flags for ``entry`` given everything logged before it (``hist`` must not contain ``entry``)."""
    ex = get_exercise(entry.exercise)
    out: list[Flag] = []

    def flag(code: str, message: str) -> None:
        out.append(Flag(code, entry.date, ex.id, message))

    # Mistake 1 / §3: working sets with no warm-up before them.
    if entry.warmup is not True and ex.pattern not in _NO_WARMUP_NEEDED:
        said = "logged as done without a warm-up" if entry.warmup is False else "logged with no warm-up recorded"
        flag("no_warmup", f"{ex.name} was {said}; next time do the 8-12 min warm-up from `backsafe plan` first "
             "(raise, activate and mobilise, ramp-up sets) (§3).")
    earlier = [e for e in hist.of(ex.id) if (e.date, e.position) < (entry.date, entry.position) or e.date < entry.date]
    # Mistake 2 / §4: load up faster than +5 % or one smallest step.
    if earlier and entry.load_kg > 0:
        prev = earlier[-1]
        if prev.load_kg > 0:
            cap = max_increase_kg(prev.load_kg, ex.load_step_kg)
            if entry.load_kg > prev.load_kg + cap + 1e-6:
                pct = 100 * (entry.load_kg / prev.load_kg - 1)
                flag("load_jump", f"{ex.name} went from {prev.load_kg:g} to {entry.load_kg:g} kg (+{pct:.0f} %) since "
                     f"{prev.date.isoformat()}; add at most +5 % or one step ({ex.load_step_kg:g} kg) at a time (§4).")
    # §4: at or above the lowest load that triggered pain (remembered 4 weeks).
    trig = active_pain_trigger(earlier, entry.date)
    if trig is not None and entry.load_kg > 0 and entry.load_kg >= trig.load_kg:
        flag("load_above_pain_trigger", f"{ex.name} at {entry.load_kg:g} kg is at or above {trig.load_kg:g} kg, the "
             f"load that brought on pain on {trig.date.isoformat()}; stay below it for now (§4).")
    # §4 ladder: the loaded version before the bodyweight one was mastered.
    if not earlier and entry.load_kg > 0:
        missing = bodyweight_first_missing(hist, ex)
        if missing is not None:
            flag("bodyweight_first", f"{ex.name} with {entry.load_kg:g} kg before {missing.name.lower()} was mastered "
                 "(2 sessions of 3 × 10-12, pain ≤3/10, settled mornings); start with the bodyweight version (§4).")
    # §2: avoid high-impact work while recovering.
    if ex.impact == "high":
        why = hist.recovering(entry.date)
        if why:
            alt = get_exercise(ex.while_recovering).name.lower() if ex.while_recovering else "a low-impact version"
            flag("high_impact_while_recovering", f"{ex.name} has a flight phase and you are recovering ({why}); do "
                 f"{alt} instead until you have had 4 pain-free weeks (§2, §4).")
    return out


def flags_in_window(hist: History, start: dt.date, end: dt.date) -> list[Flag]:
    """Flags of every entry logged in [start, end), each judged against the log before it."""
    out: list[Flag] = []
    for i, e in enumerate(hist.entries):
        if start <= e.date < end:
            prior = History(entries=hist.entries[:i], checkins=hist.checkins, triage=hist.triage)
            out.extend(flags_for_entry(e, prior))
    return out
