"""The ladder (COACHING_RULES.md §2, §4): floor and holds → bodyweight → a light load close to the body → barbell →
ballistic → jumps. Where the person stands, what a plan may reach, and the exercises down or up a chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ...exercises import Exercise, load_library
from ..history import PAIN_LADDER_MAX, History, LoggedEntry

__all__ = [
    "JUMP_PAIN_FREE_WEEKS",
    "BALLISTIC_RUNG",
    "down_chain",
    "bodyweight_rung",
    "rung_mastered",
    "bodyweight_first_missing",
    "current_rung",
    "ladder_cap",
    "allowed",
    "highest_allowed_below",
    "rung_up",
]

JUMP_PAIN_FREE_WEEKS = 4  # §4 ladder: jumps only after ≥4 pain-free weeks
BALLISTIC_RUNG = 4  # §4 ladder: ... → barbell (3) → ballistic (4) → jumps (5)


def down_chain(start: list[str]) -> Iterator[Exercise]:
    """Every exercise down the regression chains from the ids in ``start``, nearest first (breadth first, each
    once)."""
    lib = load_library()
    seen: set[str] = set()
    frontier = list(start)
    while frontier:
        ident = frontier.pop(0)
        if ident in seen:
            continue
        seen.add(ident)
        yield lib[ident]
        frontier.extend(lib[ident].regressions)


def bodyweight_rung(ex: Exercise) -> Exercise | None:
    """The nearest unloaded exercise down the regression chain of a loaded exercise (goblet squat → squat)."""
    return next((c for c in down_chain(list(ex.regressions)) if not c.loaded and c.kind == "reps"), None)


def _loaded_rungs_between(ex: Exercise, bw: Exercise) -> list[str]:
    lib = load_library()
    out: list[str] = []
    frontier = list(ex.regressions)
    while frontier:
        ident = frontier.pop(0)
        if ident == bw.id or ident in out:
            continue
        if lib[ident].loaded:
            out.append(ident)
            frontier.extend(lib[ident].regressions)
    return out


def _good_session(hist: History, e: LoggedEntry) -> bool:
    """§4 ladder: 3 × 10-12 at RIR ≥ 2, NRS ≤ 3, no morning flare, no persistent fault (≥2 reps)."""
    return (
        e.sets >= 3
        and e.reps >= 10
        and (e.rpe is None or e.rpe <= 8)
        and e.max_pain <= PAIN_LADDER_MAX
        and not e.pain_triggered
        and not hist.morning_unsettled(e.date)
        and not any(n >= 2 for n in e.faults.values())
    )


def rung_mastered(hist: History, ex_id: str) -> bool:
    """Two sessions meeting the ladder criteria (§4) for ``ex_id``."""
    return len({e.date for e in hist.of(ex_id) if _good_session(hist, e)}) >= 2


def bodyweight_first_missing(hist: History, ex: Exercise) -> Exercise | None:
    """The bodyweight rung still to master before loading ``ex`` (§4 ladder, DESIGN ``bodyweight_first``)."""
    if not ex.loaded:
        return None
    bw = bodyweight_rung(ex)
    if bw is None or rung_mastered(hist, bw.id):
        return None
    if any(len({e.date for e in hist.of(r)}) >= 2 for r in _loaded_rungs_between(ex, bw)):
        return None  # already trained a loaded rung in between
    return bw


def current_rung(hist: History, day: dt.date) -> int:
    """§4 ladder: the person's rung before ``day``: the highest rung they have trained (0, the floor, with no
    history). A session with severe pain does not count. The plan then goes at most one rung above it; the person
    may log anything (a higher rung is flagged when logged)."""
    lib = load_library()
    return max((lib[e.exercise].ladder_rung for e in hist.entries
                if e.date < day and e.exercise in lib and not e.severe), default=0)


def ladder_cap(hist: History, day: dt.date) -> tuple[int, str]:
    """§4 the ladder binds every plan: the highest rung allowed on ``day`` and why, in plain words.

    One rung above the person's current one; while recovering (acute phase, a pain flag in the last 2 weeks, fewer
    than 4 pain-free weeks logged) nothing ballistic or with a flight phase either.
    """
    cur = current_rung(hist, day)
    cap = cur + 1
    why = "you have no training logged yet, so the plan starts at the bottom" if not hist.entries else (
        f"the highest step you have trained is {_RUNG_NAMES[cur]}")
    recovering = hist.recovering(day)
    if recovering and cap >= BALLISTIC_RUNG:
        cap = BALLISTIC_RUNG - 1
        why += f"; nothing ballistic or with jumps while recovering ({recovering})"
    return cap, why


_RUNG_NAMES = {0: "floor and holding exercises", 1: "bodyweight exercises", 2: "a light load close to the body",
               3: "barbell lifts", 4: "ballistic lifts", 5: "jumps"}


def allowed(ex: Exercise, cap: int, recovering: str | None) -> bool:
    if ex.ladder_rung > cap:
        return False
    return not (recovering and (ex.impact == "high" or ex.ladder_rung >= BALLISTIC_RUNG))


def highest_allowed_below(ex: Exercise, cap: int, recovering: str | None) -> Exercise:
    """The highest-rung allowed exercise down ``ex``'s chain (its low-impact replacement first), else walking."""
    start = ([ex.while_recovering] if ex.while_recovering else []) + list(ex.regressions)
    found = [c for c in down_chain(start) if allowed(c, cap, recovering)]
    if not found:
        return load_library()["walking"]
    return max(found, key=lambda e: (e.ladder_rung, -start.index(e.id) if e.id in start else -99))


def rung_up(ex: Exercise, hist: History, day: dt.date | None) -> Exercise | None:
    lib = load_library()
    when = day or (hist.entries[-1].date + dt.timedelta(days=1) if hist.entries else dt.date.today())
    cap, _ = ladder_cap(hist, when)
    recovering = hist.recovering(when)
    for ident in ex.progressions:
        nxt = lib[ident]
        if allowed(nxt, cap, recovering):
            return nxt
    return None
