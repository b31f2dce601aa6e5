"""Breaks and deloads (COACHING_RULES.md §4): the reactive and planned deload days, a deload counted from the last
working load (never from another deload), and the way back after a break."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ...exercises import Exercise, get_exercise
from ..history import History, LoggedEntry
from ..units import Profile, format_load
from .loads import change_text, min_load, step_down
from .prescription import HOLD_START_S, REP_MIN, SETS_START, WALK_START_MIN, Prescription, make_rx

__all__ = [
    "DELOAD_EVERY_WEEKS",
    "BREAK_SHORT_DAYS",
    "BREAK_MID_DAYS",
    "BREAK_LONG_DAYS",
    "deload_reason",
    "working_entry",
    "deload",
    "after_break",
    "pain_driven_break",
]

DELOAD_EVERY_WEEKS = 6  # §4: deload every 4-6 wk (Bell 2023; Weak): 5 build weeks, then a deload week [H]
BREAK_SHORT_DAYS, BREAK_MID_DAYS, BREAK_LONG_DAYS = 14, 21, 42  # §4 back after a break: 2-3, 3-6, >6 weeks


def deload_reason(hist: History, day: dt.date) -> tuple[str, str] | None:
    """(why, rule id) when ``day`` is a deload day (§4 reactive deload, or the planned one every 6th week)."""
    known = hist.before(day)
    flare = known.reactive_deload_reason(day)
    if flare:
        return flare, "reactive-deload"
    if known.entries:
        week = (day - known.entries[0].date).days // 7
        if week % DELOAD_EVERY_WEEKS == DELOAD_EVERY_WEEKS - 1:
            return f"week {week + 1} of training, a planned easier week", "planned-deload"
    return None


def working_entry(past: list[LoggedEntry], hist: History) -> LoggedEntry:
    """§4 deloads start from the last working load before the deload, never from a deload session."""
    for e in reversed(past):
        if deload_reason(hist, e.date) is None:
            return e
    return past[0]


def deload(ex: Exercise, ref: LoggedEntry, why: str, rule: str, profile: Profile) -> Prescription:
    sets = max(1, round(ref.sets * 0.6))  # volume −30-50 % (§4) [H: −40 %]
    load = ref.load_kg
    if ref.load_kg > 0:  # RIR +2 [H: −10 % of the working load]
        down = step_down(ref.load_kg, 0.9, ex, profile)
        load = down if down >= min_load(ex, profile) else ref.load_kg
    reps = ref.reps if ref.load_kg > 0 else max(1, ref.reps - 2)
    where = f" at {change_text(ref.load_kg, load, profile.unit)}" if load > 0 and load != ref.load_kg else (
        f" at {format_load(load, profile.unit)}" if load > 0 else "")
    return make_rx(ex, profile, load, sets, reps, f"Easier week: {why}. {sets} × {reps}{where}, about 40 % less volume "
                   f"and 2 more reps in reserve, counted from your last regular session ({ref.sets} × {ref.reps}"
                   + (f" at {format_load(ref.load_kg, profile.unit)}" if ref.load_kg > 0 else "")
                   + f" on {ref.date.isoformat()}).", "deload", (rule, "deload-from-working-load"))


def _scaled(ex: Exercise, last: LoggedEntry, factor: float, minus_set: bool, profile: Profile) -> tuple[float, int, int]:
    sets = max(1, last.sets - 1) if minus_set else last.sets
    if last.load_kg > 0:
        load = step_down(last.load_kg, factor, ex, profile)
        return (load if load >= min_load(ex, profile) else min_load(ex, profile)), sets, last.reps
    return 0.0, sets, max(1, round(last.reps * factor))


def after_break(ex: Exercise, last: LoggedEntry, gap: int, pain_driven: bool, hist: History,
                day: dt.date) -> Prescription | None:
    """§4 back after a break [H; strength is largely kept for ~3 weeks, Mujika & Padilla 2000, McMaster 2013]."""
    p = hist.profile
    weeks = gap / 7
    if gap < BREAK_SHORT_DAYS:
        return None
    if gap > BREAK_LONG_DAYS or pain_driven:
        why = f"{weeks:.0f} weeks since your last session" + (", and the break began with pain" if pain_driven else "")
        if ex.regressions:
            reg = get_exercise(ex.regressions[0])
            inner = make_rx(reg, p, min_load(reg, p) if reg.loaded else 0.0, SETS_START, REP_MIN if reg.kind == "reps"
                            else (HOLD_START_S if reg.kind == "hold" else WALK_START_MIN), "", "return", ())
            return replace(inner, replaces=ex.id, rules=("break-return",), reason=f"Welcome back: {why}. One step "
                           f"down the ladder to {reg.name.lower()}, {inner.dose_text()}, then build up again.")
        load, sets, reps = _scaled(ex, last, 0.8, True, p)
        return make_rx(ex, p, load, sets, reps, f"Welcome back: {why}. Easier than before: {sets} × {reps}"
                       + (f" at {change_text(last.load_kg, load, p.unit)}" if load > 0 else "")
                       + ", then build up again.", "return", ("break-return",))
    if gap >= BREAK_MID_DAYS:
        load, sets, reps = _scaled(ex, last, 0.8, True, p)
        text = "80 % of the load and one set fewer"
    else:
        load, sets, reps = _scaled(ex, last, 0.9, False, p)
        text = "90 % of the load"
    what = f" at {change_text(last.load_kg, load, p.unit)}" if last.load_kg > 0 else ""
    return make_rx(ex, p, load, sets, reps, f"Welcome back after {gap} days off: {text} of your last session — {sets} × "
                   f"{reps}{what} — then progress as before.", "return", ("break-return",))


def pain_driven_break(hist: History, last_session: dt.date, day: dt.date) -> bool:
    on_last = [e for e in hist.entries if e.date == last_session]
    if any(e.pain_triggered or e.severe for e in on_last) or hist.morning_unsettled(last_session):
        return True
    return any(hist.severe_pain(d) is not None for d in (last_session + dt.timedelta(days=1), day))
