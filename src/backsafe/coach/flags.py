"""Flags raised by a logged entry or a check-in (DESIGN.md flag codes; mistakes 1 and 2 of the article; COACHING_RULES
§1 severe pain and State, §2-§4).

A flag has a code for tools (JSON) and a title and message in plain words for people (§9: no codes, no section
marks in what a person reads). ``level``: "stop" (severe pain, training on a day the checks said not to) comes first
and stands out; "warn" (load rules); "note" (warm-up).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from ..exercises import Exercise, get_exercise
from .daystate import day_gate, severe_pain_message
from .history import History, LoggedEntry
from .progression import active_pain_trigger, bodyweight_first_missing, ladder_cap, max_increase_kg
from .units import format_load, pct_change

__all__ = ["Flag", "FLAG_CODES", "FLAG_TITLES", "flags_for_entry", "flags_in_window", "checkin_flags",
           "severe_pain_message", "sort_flags"]

FLAG_CODES = ("no_warmup", "load_jump", "load_above_pain_trigger", "bodyweight_first", "high_impact_while_recovering",
              "severe_pain", "triage_gate", "above_ladder")
FLAG_TITLES = {
    "severe_pain": "Severe pain",
    "triage_gate": "Trained on a day the checks said not to",
    "above_ladder": "A bigger step than your next one",
    "high_impact_while_recovering": "High-impact work while recovering",
    "load_above_pain_trigger": "At or above the load that brought on pain",
    "load_jump": "Load went up too fast",
    "bodyweight_first": "Loaded before the bodyweight version",
    "no_warmup": "No warm-up",
}
_LEVELS: dict[str, Literal["stop", "warn", "note"]] = {
    "severe_pain": "stop", "triage_gate": "stop", "above_ladder": "warn", "high_impact_while_recovering": "warn",
    "load_above_pain_trigger": "warn", "load_jump": "warn", "bodyweight_first": "warn", "no_warmup": "note"}
_RULES = {"severe_pain": "severe-pain", "triage_gate": "triage-gate", "above_ladder": "ladder-binds",
          "high_impact_while_recovering": "high-impact-recovering", "load_above_pain_trigger": "drop-below-trigger",
          "load_jump": "progression-cap", "bodyweight_first": "ladder", "no_warmup": "no-warmup"}
# Patterns that are warm-up material themselves: no warm-up needed before them.
_NO_WARMUP_NEEDED = frozenset({"cardio", "mobility", "activation"})
# Day tiers on which loaded or impact work is not to be done (§1 State).
_GATED_TIERS = {"rest": "the first days after your strain", "clinician": "your answers said to see a clinician first",
                "urgent": "your answers said to see a doctor today",
                "emergency": "your answers said to seek emergency care"}


@dataclass(frozen=True, slots=True)
class Flag:
    code: str
    date: dt.date
    exercise: str
    message: str

    @property
    def level(self) -> Literal["stop", "warn", "note"]:
        return _LEVELS.get(self.code, "warn")

    @property
    def title(self) -> str:
        return FLAG_TITLES.get(self.code, "Note")

    @property
    def rule(self) -> str:
        return _RULES.get(self.code, "")

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "date": self.date.isoformat(), "exercise": self.exercise, "message": self.message,
                "level": self.level, "title": self.title, "rule": self.rule}

    def to_text(self) -> str:
        return f"{self.title}: {self.message}"


def sort_flags(flags: list[Flag]) -> list[Flag]:
    """Stop-level flags first (§9: safety first), then warnings, then notes; stable otherwise."""
    order = {"stop": 0, "warn": 1, "note": 2}
    return sorted(flags, key=lambda f: order[f.level])


def _day_tier(hist: History, day: dt.date) -> str | None:
    """Why ``day`` is a day without loaded or impact work (None when nothing gates): the plan's own day gate."""
    result, _ = day_gate(hist, day)
    if result.outcome not in _GATED_TIERS:
        return None
    if "severe-pain" in result.rules:
        return "your pain had not yet settled below 5/10"
    return _GATED_TIERS[result.outcome]


def flags_for_entry(entry: LoggedEntry, hist: History) -> list[Flag]:
    """Flags for ``entry`` given everything logged before it (``hist`` must not contain ``entry``), stop-level
    first."""
    ex = get_exercise(entry.exercise)
    unit = hist.profile.unit
    out: list[Flag] = []

    def flag(code: str, message: str) -> None:
        out.append(Flag(code, entry.date, ex.id, message))

    load_text = format_load(entry.load_kg, unit)
    # §1 severe pain: ≥7/10 during or after → no loaded session until it settles below 5; never "No flags".
    if entry.severe:
        flag("severe_pain", severe_pain_message(f"pain reached {entry.max_pain}/10 with {ex.name.lower()}"))
    # §1 State: loaded or impact work on a REST, CLINICIAN or EMERGENCY day is flagged, first.
    if entry.load_kg > 0 or ex.impact == "high" or ex.spinal_load == "H":
        why_gated = _day_tier(hist, entry.date)
        if why_gated is not None:
            what = "with load" if entry.load_kg > 0 else "with impact"
            flag("triage_gate", f"{ex.name} {what} on {entry.date.isoformat()}, a day when {why_gated}. "
                 "Until that is sorted out, keep to easy walking and gentle mobility.")
    # Mistake 1 / §3: working sets with no warm-up before them.
    if entry.warmup is not True and ex.pattern not in _NO_WARMUP_NEEDED:
        said = "logged as done without a warm-up" if entry.warmup is False else "logged with no warm-up recorded"
        flag("no_warmup", f"{ex.name} was {said}; next time do the 8-12 minute warm-up from your plan first "
             "(easy cardio, activation and mobility, then lighter ramp-up sets).")
    earlier = [e for e in hist.of(ex.id) if (e.date, e.position) < (entry.date, entry.position)]
    # Mistake 2 / §4: load up faster than +5 % or one smallest step.
    if earlier and entry.load_kg > 0:
        prev = earlier[-1]
        if prev.load_kg > 0:
            cap = max_increase_kg(prev.load_kg, ex, hist.profile)
            if entry.load_kg > prev.load_kg + cap + 1e-6:
                flag("load_jump", f"{ex.name} went from {format_load(prev.load_kg, unit)} to {load_text} "
                     f"({pct_change(prev.load_kg, entry.load_kg)}) since {prev.date.isoformat()}; add at most 5 % or "
                     f"one step ({format_load(cap, unit)}) at a time.")
    # §4: at or above the lowest load that triggered pain (remembered 4 weeks).
    trig = active_pain_trigger(earlier, entry.date)
    if trig is not None and entry.load_kg > 0 and entry.load_kg >= trig.load_kg - 1e-6:
        flag("load_above_pain_trigger", f"{ex.name} at {load_text} is at or above {format_load(trig.load_kg, unit)}, "
             f"the load that brought on pain on {trig.date.isoformat()}; stay below it for now.")
    # §4 ladder: the loaded version before the bodyweight one was mastered.
    if not earlier and entry.load_kg > 0:
        missing = bodyweight_first_missing(hist, ex)
        if missing is not None:
            flag("bodyweight_first", f"{ex.name} with {load_text} before {missing.name.lower()} was mastered "
                 "(2 sessions of 3 × 10-12 with pain at most 3/10 and settled mornings); start with the bodyweight "
                 "version.")
    # §2: avoid high-impact work while recovering.
    why = hist.recovering(entry.date)
    if ex.impact == "high" and why:
        alt = get_exercise(ex.while_recovering).name.lower() if ex.while_recovering else "a low-impact version"
        flag("high_impact_while_recovering", f"{ex.name} has a flight phase and you are recovering ({why}); do "
             f"{alt} instead until you have had 4 pain-free weeks.")
    # §4 the ladder binds: a rung above the next one is allowed to log but flagged.
    else:
        _above_ladder(ex, hist, entry, flag)
    return sort_flags(out)


def _above_ladder(ex: Exercise, hist: History, entry: LoggedEntry, flag: Any) -> None:
    cap, why = ladder_cap(hist, entry.date)
    if ex.ladder_rung > cap:
        flag("above_ladder", f"{ex.name} is {ex.ladder_rung - cap} step{'s' if ex.ladder_rung - cap > 1 else ''} "
             f"above your next one on the exercise ladder ({why}). It is logged; the plan keeps to one step at a time.")


def checkin_flags(day: dt.date, pain: int, hist: History) -> list[Flag]:
    """Flags a morning check-in raises (§1 severe pain); ``hist`` must already include this check-in."""
    severe = hist.severe_pain(day)
    if severe is None or severe[0] != day:
        return []
    return [Flag("severe_pain", day, "", severe_pain_message(severe[1]))]


def flags_in_window(hist: History, start: dt.date, end: dt.date) -> list[Flag]:
    """Flags of every entry logged in [start, end), each judged against the log before it, plus severe-pain
    check-ins; stop-level first."""
    out: list[Flag] = []
    for i, e in enumerate(hist.entries):
        if start <= e.date < end:
            out.extend(flags_for_entry(e, hist.with_entries(hist.entries[:i])))
    for d, p in sorted(hist.checkins.items()):
        if start <= d < end:
            out.extend(checkin_flags(d, p, hist))
    return sort_flags(out)
