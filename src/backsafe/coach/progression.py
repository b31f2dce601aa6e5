"""Load progression per exercise from the log (COACHING_RULES.md §4). Every prescription carries its reason.

Order of the rules, first match wins:

1. High-impact exercise while recovering → the library's ``while_recovering`` replacement (§2, §4 ladder).
2. No history → bodyweight first (§4 ladder), else a light start (2 × 8).
3. Last session triggered pain (NRS >5, or ≥2 above the pre-session score) → next load = largest available
   ≤ 0.85 × that load ("drop below the pain trigger", the article's 30 → 25 lb), or regress a bodyweight exercise.
4. Fewer than 2 pain-free sessions since that trigger → hold the reduced load.
5. Reactive deload: weekly mean pain up ≥2 or 2 flare-ups in 7 days → volume −40 %, load −10 %.
6. Next morning ≥2 above the usual pain → repeat the session (−10 % if the morning before was unsettled too).
7. Planned deload every 6th week [H] (4-6 wk, Bell 2023).
8. RPE/RIR (Zourdos 2016, target RIR 2-3): failure → −10 %; RIR 1 → −2.5-5 %; RPE < 5 ignored (Hackett 2017).
9. Progress: reps 8 → 12, then sets 2 → 3, then load by the smallest step (cap +5 % or one step, 2-for-2 at the
   top of the range); bodyweight exercises climb the ladder after 2 sessions of 3 × 10-12 at RIR ≥ 2, NRS ≤ 3,
   settled mornings and no persistent fault.

While a pain-triggering load is remembered (4 weeks [H]) no prescription reaches it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from typing import Any, Literal

from ..exercises import Exercise, get_exercise, load_library
from .history import PAIN_LADDER_MAX, TRIGGER_MEMORY_DAYS, History, LoggedEntry

__all__ = [
    "Prescription",
    "prescribe",
    "floor_to_step",
    "max_increase_kg",
    "active_pain_trigger",
    "bodyweight_rung",
    "rung_mastered",
    "film_instructions",
    "REP_MIN",
    "REP_MAX",
    "DELOAD_EVERY_WEEKS",
]

REP_MIN, REP_MAX = 8, 12  # §4: novices 8-12 RM (ACSM 2009); reps 8 → 12, then sets, then load
SETS_START, SETS_MAX = 2, 3
HOLD_START_S, HOLD_MAX_S, HOLD_STEP_S = 20, 45, 5  # [H] isometric holds
WALK_START_MIN, WALK_MAX_MIN, WALK_STEP_MIN = 10, 30, 5  # [H] continuous low-impact work
DELOAD_EVERY_WEEKS = 6  # §4: deload every 4-6 wk (Bell 2023; Weak): 5 build weeks, then a deload week [H]
PAIN_DROP = 0.85  # §4: next load = largest available ≤ 0.85 × the triggering load
JUMP_PAIN_FREE_WEEKS = 4  # §4 ladder: jumps only after ≥4 pain-free weeks

Action = Literal["start", "progress", "hold", "back_off", "regress", "deload", "replace", "rest"]


@dataclass(frozen=True, slots=True)
class Prescription:
    """One exercise of the main block."""

    exercise: str
    name: str
    load_kg: float
    sets: int
    reps: int
    rep_unit: Literal["reps", "s", "min"]
    tempo: str
    reason: str
    action: Action
    film: str
    replaces: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "name": self.name,
            "load_kg": self.load_kg,
            "sets": self.sets,
            "reps": self.reps,
            "rep_unit": self.rep_unit,
            "tempo": self.tempo,
            "reason": self.reason,
            "action": self.action,
            "film": self.film,
            "replaces": self.replaces,
        }


# --- load arithmetic -----------------------------------------------------------------------------------------


def floor_to_step(load_kg: float, step_kg: float) -> float:
    """The largest available load ≤ ``load_kg`` on a ladder of ``step_kg`` steps."""
    return round(math.floor(load_kg / step_kg + 1e-9) * step_kg, 2)


def max_increase_kg(load_kg: float, step_kg: float) -> float:
    """§4: cap the increase at +5 % or one smallest step, whichever is larger."""
    return max(step_kg, floor_to_step(0.05 * load_kg, step_kg))


def _fmt_kg(x: float) -> str:
    return f"{x:g} kg"


# --- pain trigger ----------------------------------------------------------------------------------------------


def active_pain_trigger(entries: list[LoggedEntry], day: dt.date) -> LoggedEntry | None:
    """The entry with the lowest load that triggered pain in the last 4 weeks [H] (loaded entries only)."""
    recent = [
        e
        for e in entries
        if e.pain_triggered and e.load_kg > 0 and day - dt.timedelta(days=TRIGGER_MEMORY_DAYS) <= e.date <= day
    ]
    return min(recent, key=lambda e: (e.load_kg, e.date)) if recent else None


# --- ladder ----------------------------------------------------------------------------------------------------


def bodyweight_rung(ex: Exercise) -> Exercise | None:
    """The nearest unloaded exercise down the regression chain of a loaded exercise (goblet squat → squat)."""
    lib = load_library()
    seen: set[str] = set()
    frontier = list(ex.regressions)
    while frontier:
        ident = frontier.pop(0)
        if ident in seen:
            continue
        seen.add(ident)
        cand = lib[ident]
        if not cand.loaded and cand.kind == "reps":
            return cand
        frontier.extend(cand.regressions)
    return None


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


# --- filming -----------------------------------------------------------------------------------------------------

_SIDE_FAULTS = {"back_rounding": "back rounding", "back_arching": "back arching", "hips_piked": "hip height",
                "load_far_from_body": "how far the load is from your body", "rushing": "tempo",
                "partial_range": "depth", "jumping": "feet leaving the floor"}
_FRONT_FAULTS = {"knee_valgus": "knees in", "knee_varus": "knees out", "lateral_shift": "shifting to one side",
                 "hip_rotation": "hip drop or twist"}


def film_instructions(ex: Exercise) -> str:
    """What to film and from which side (DESIGN §views; §9: side view at hip height, ~3 m, whole body)."""
    if ex.film_side is None:
        return "No clip needed for this one."
    if ex.film_side == "side":
        seen = [v for k, v in _SIDE_FAULTS.items() if k in ex.faults]
        text = "Film from the side: camera at hip height, about 3 m away, whole body in frame"
        other = [v for k, v in _FRONT_FAULTS.items() if k in ex.faults]
        extra = f"; a second clip from the front at knee height shows {', '.join(other)}" if other and "front" in ex.views else ""
    else:
        seen = [v for k, v in _FRONT_FAULTS.items() if k in ex.faults] or [v for k, v in _SIDE_FAULTS.items() if k in ex.faults]
        text = "Film from the front: camera at knee height, about 3 m away, whole body in frame"
        other = [v for k, v in _SIDE_FAULTS.items() if k in ex.faults and k != "rushing"]
        extra = f"; a second clip from the side shows {', '.join(other)}" if other and "side" in ex.views else ""
    return text + (f" (shows {', '.join(seen)})" if seen else "") + extra + "."


# --- prescriptions -----------------------------------------------------------------------------------------------


def _unit(ex: Exercise) -> Literal["reps", "s", "min"]:
    return {"reps": "reps", "hold": "s", "continuous": "min"}[ex.kind]  # type: ignore[return-value]


def _rx(ex: Exercise, load: float, sets: int, reps: int, reason: str, action: Action) -> Prescription:
    return Prescription(
        exercise=ex.id,
        name=ex.name,
        load_kg=round(max(load, 0.0), 2),
        sets=max(1, sets),
        reps=max(1, reps),
        rep_unit=_unit(ex),
        tempo=str(ex.default_tempo),
        reason=reason,
        action=action,
        film=film_instructions(ex),
    )


def _start(ex: Exercise, hist: History) -> Prescription:
    if ex.kind == "hold":
        return _rx(ex, 0, SETS_START, HOLD_START_S, f"First time: {SETS_START} × {HOLD_START_S} s holds, "
                   "breathing normally; longer holds, then more sets, come later (§4).", "start")
    if ex.kind == "continuous":
        return _rx(ex, 0, 1, WALK_START_MIN, f"First time: {WALK_START_MIN} min at an easy pace (you can talk); "
                   f"add {WALK_STEP_MIN} min per session while pain stays ≤5/10 (§4).", "start")
    missing = bodyweight_first_missing(hist, ex)
    if missing is not None:
        inner = prescribe(missing, hist, None)
        return replace(inner, reason=f"Bodyweight first: master {missing.name.lower()} (2 sessions of 3 × 10-12, "
                       f"pain ≤3/10, mornings settled) before loading {ex.name.lower()} (§4 ladder). " + inner.reason,
                       replaces=ex.id)
    if ex.loaded:
        load = ex.start_load_kg
        return _rx(ex, load, SETS_START, REP_MIN, f"First time: start light at {_fmt_kg(load)}, {SETS_START} × "
                   f"{REP_MIN}; then reps {REP_MIN} → {REP_MAX}, then sets, then load in small steps (§4).", "start")
    return _rx(ex, 0, SETS_START, REP_MIN, f"First time: bodyweight, {SETS_START} × {REP_MIN} at the "
               f"{ex.default_tempo} tempo; reps {REP_MIN} → {REP_MAX}, then sets (§4).", "start")


def _deload(ex: Exercise, last: LoggedEntry, why: str, rule: str) -> Prescription:
    sets = max(1, round(last.sets * 0.6))  # volume −30-50 % (§4) [H: −40 %]
    load = floor_to_step(last.load_kg * 0.9, ex.load_step_kg) if last.load_kg > 0 else 0.0  # RIR +2 [H: −10 %]
    reps = last.reps if last.load_kg > 0 else max(1, last.reps - 2)
    what = f"{sets} × {reps}" + (f" at {_fmt_kg(load)}" if load else "")
    return _rx(ex, load, sets, reps, f"Deload: {why}; {what} (volume down ~40 %, about 2 more reps in reserve) {rule}.",
               "deload")


def _progress_hold_or_cont(ex: Exercise, last: LoggedEntry, hist: History, day: dt.date) -> Prescription:
    unit_max, step, unit = (HOLD_MAX_S, HOLD_STEP_S, "s") if ex.kind == "hold" else (WALK_MAX_MIN, WALK_STEP_MIN, "min")
    if last.max_pain > PAIN_LADDER_MAX:
        return _rx(ex, last.load_kg, last.sets, last.reps, f"Repeat {last.sets} × {last.reps} {unit}: pain reached "
                   f"{last.max_pain}/10 last time; progress once it stays ≤3/10 (§4).", "hold")
    if last.reps < unit_max:
        n = min(unit_max, last.reps + step)
        return _rx(ex, last.load_kg, last.sets, n, f"Last time {last.sets} × {last.reps} {unit} went well: "
                   f"{last.sets} × {n} {unit} (§4: small steps).", "progress")
    if last.sets < SETS_MAX:
        return _rx(ex, last.load_kg, last.sets + 1, last.reps, f"You reached {last.reps} {unit}: add a set "
                   f"({last.sets + 1} × {last.reps} {unit}) (§4).", "progress")
    return _rx(ex, last.load_kg, last.sets, last.reps, f"Keep {last.sets} × {last.reps} {unit}: the top of this "
               "exercise's range; the next step is a harder variation when you are ready (§4 ladder).", "hold")


def _rung_up(ex: Exercise, hist: History, day: dt.date | None) -> Exercise | None:
    lib = load_library()
    for ident in ex.progressions:
        nxt = lib[ident]
        if nxt.impact == "high" or nxt.ladder_rung >= 5:
            start = (day or dt.date.max) - dt.timedelta(weeks=JUMP_PAIN_FREE_WEEKS)
            if day is None or hist.flare_ups(start, day) or hist.recovering(day):
                continue  # §4 ladder: jumps only after ≥4 pain-free weeks
        return nxt
    return None


def _progress_reps(ex: Exercise, last: LoggedEntry, prev: LoggedEntry | None, hist: History,
                   day: dt.date | None) -> Prescription:
    rir = None if last.rpe is None else 10 - last.rpe
    effort_note = ""
    if rir is not None and rir > 5:
        effort_note = " (RPE below 5 is too far from failure to judge well, so it was not used; Hackett 2017)"
        rir = None
    # §4 RIR table, target RIR 2-3: ≥+2 → +5 %, +1 → +2.5 %, 0 → same, −1 → −2.5-5 %, failure → −10 %.
    diff = None if rir is None else (rir - 3 if rir > 3 else (rir - 2 if rir < 2 else 0))
    load, step = last.load_kg, ex.load_step_kg
    if rir is not None and rir <= 0:
        if load > 0:
            new = floor_to_step(load * 0.9, step)
            return _rx(ex, new, last.sets, last.reps, f"Last time went to failure (RPE {last.rpe:g}): "
                       f"{_fmt_kg(load)} → {_fmt_kg(new)} (−10 %, §4 RIR table).", "back_off")
        return _rx(ex, 0, last.sets, max(REP_MIN, last.reps - 2), f"Last time went to failure (RPE {last.rpe:g}): "
                   "2 fewer reps, stop with 2-3 in reserve (§4 RIR table).", "back_off")
    if diff is not None and diff < 0:
        if load > 0:
            new = floor_to_step(load * 0.965, step)
            if new < load:
                return _rx(ex, new, last.sets, last.reps, f"RPE {last.rpe:g} (1 rep in reserve, target 2-3): "
                           f"{_fmt_kg(load)} → {_fmt_kg(new)} (§4 RIR table).", "back_off")
        return _rx(ex, load, last.sets, last.reps, f"RPE {last.rpe:g} (1 rep in reserve, target 2-3): repeat "
                   f"{last.sets} × {last.reps}" + (f" at {_fmt_kg(load)}" if load else "") + " (§4 RIR table).", "hold")
    where = f" at {_fmt_kg(load)}" if load else ""
    if last.reps < REP_MAX:
        add = 2 if diff is not None and diff >= 1 else 1
        n = min(REP_MAX, max(REP_MIN, last.reps + add))
        return _rx(ex, load, last.sets, n, f"Last time {last.sets} × {last.reps}{where} with pain in the allowed "
                   f"range{effort_note}: {last.sets} × {n} (§4: reps {REP_MIN} → {REP_MAX} first).", "progress")
    if last.sets < SETS_MAX:
        return _rx(ex, load, last.sets + 1, REP_MIN, f"You reached {last.sets} × {last.reps}{where}: add a set, "
                   f"{last.sets + 1} × {REP_MIN} (§4: reps, then sets, then load).", "progress")
    # top of the range: 2-for-2 (NSCA) = two sessions running at the top
    two_for_two = prev is not None and prev.sets >= SETS_MAX and prev.reps >= REP_MAX and not prev.pain_triggered
    if not two_for_two:
        return _rx(ex, load, last.sets, last.reps, f"{last.sets} × {last.reps}{where} once: repeat it; a second "
                   f"session like this earns the next step (§4, 2-for-2){effort_note}.", "hold")
    if not ex.loaded and load == 0:
        nxt = _rung_up(ex, hist, day)
        if nxt is not None and rung_mastered(hist, ex.id):
            inner = _start(nxt, hist) if nxt.loaded else prescribe(nxt, hist, day)
            return replace(inner, reason=f"Two sessions of {last.sets} × 10-12 with low pain and settled mornings: "
                           f"next rung, {nxt.name.lower()} (§4 ladder). " + inner.reason, action="progress",
                           replaces=ex.id)
        return _rx(ex, 0, last.sets, last.reps, f"Keep {last.sets} × {last.reps}: the next rung waits for 2 sessions "
                   "of 3 × 10-12 at RPE ≤8, pain ≤3/10, settled mornings and no repeated fault (§4 ladder).", "hold")
    pct = 0.05 if diff is not None and diff >= 2 else 0.025
    inc = min(max(step, math.ceil(load * pct / step - 1e-9) * step), max_increase_kg(load, step))
    new = round(load + inc, 2)
    return _rx(ex, new, last.sets, REP_MIN, f"Two sessions of {last.sets} × {last.reps} at {_fmt_kg(load)} "
               f"(2-for-2): {_fmt_kg(load)} → {_fmt_kg(new)} (+{inc:g} kg, within +5 % or one step), back to "
               f"{last.sets} × {REP_MIN} (§4){effort_note}.", "progress")


def _cap_below_trigger(rx: Prescription, ex: Exercise, trig: LoggedEntry | None) -> Prescription:
    if trig is None or rx.exercise != trig.exercise or rx.load_kg < trig.load_kg or rx.load_kg <= 0:
        return rx
    cap = floor_to_step(trig.load_kg - 1e-6, ex.load_step_kg)
    if cap >= trig.load_kg:
        cap = round(trig.load_kg - ex.load_step_kg, 2)
    return replace(rx, load_kg=max(cap, 0.0), action="hold" if rx.action == "progress" else rx.action,
                   reason=rx.reason + f" Capped at {_fmt_kg(cap)}: stay below {_fmt_kg(trig.load_kg)}, the load that "
                   f"brought on pain on {trig.date.isoformat()} (§4, for {TRIGGER_MEMORY_DAYS} days).")


def prescribe(ex: Exercise, hist: History, day: dt.date | None, *, recovering: str | None = None) -> Prescription:
    """Prescribe ``ex`` for ``day`` from the log (rules in the module docstring).

    Parameters
    ----------
    ex : Exercise
        The exercise the person plans to do.
    hist : History
        The log up to the morning of ``day`` (use ``History.before(day)``).
    day : datetime.date or None
        The session day (None: only the log's own dates are used).
    recovering : str or None
        Why the person counts as recovering (None: not recovering); high-impact work is then replaced.
    """
    # 1. §2/§4: avoid high-impact work while recovering → the library's replacement, at its default tempo.
    if recovering and ex.impact == "high" and ex.while_recovering:
        sub = get_exercise(ex.while_recovering)
        inner = prescribe(sub, hist, day, recovering=recovering)
        return replace(inner, action="replace", replaces=ex.id,
                       reason=f"{ex.name} has a flight phase; while recovering ({recovering}) do {sub.name.lower()} "
                       f"at a {sub.default_tempo} tempo instead (§2; jumps only after ≥4 pain-free weeks, §4). "
                       + inner.reason)
    past = hist.of(ex.id)
    if day is not None:
        past = [e for e in past if e.date < day]
    if not past:
        return _start(ex, hist)
    last = past[-1]
    prev = past[-2] if len(past) >= 2 else None
    trig = active_pain_trigger(past, day or last.date)
    # 3. §4 during a set: NRS >5 or ≥2 above the pre-session score → next −15 % or regress.
    why = last.pain_trigger_reason
    if why is not None:
        if last.load_kg > 0:
            new = floor_to_step(last.load_kg * PAIN_DROP, ex.load_step_kg)
            if new > 0:
                return _rx(ex, new, last.sets, last.reps, f"On {last.date.isoformat()} {why} at "
                           f"{_fmt_kg(last.load_kg)}: next load {_fmt_kg(new)} (largest step ≤ 0.85 × "
                           f"{_fmt_kg(last.load_kg)}), held for 2 pain-free sessions (§4).", "back_off")
        if ex.regressions:
            reg = get_exercise(ex.regressions[0])
            return replace(_rx(reg, reg.start_load_kg if reg.loaded and last.load_kg > 0 else 0, SETS_START, REP_MIN,
                               f"On {last.date.isoformat()} {why} with {ex.name.lower()}: step back to "
                               f"{reg.name.lower()}, {SETS_START} × {REP_MIN} (§4: regress).", "regress"),
                           replaces=ex.id)
        return _rx(ex, 0, max(1, last.sets - 1), max(1, last.reps - 2), f"On {last.date.isoformat()} {why}: "
                   "one set and 2 reps fewer (§4).", "back_off")
    # 4. §4: hold the reduced load for 2 pain-free sessions after a trigger.
    last_trig = next((e for e in reversed(past[:-1]) if e.pain_triggered), None)
    if last_trig is not None and day is not None and (day - last_trig.date).days <= TRIGGER_MEMORY_DAYS:
        since = [e for e in past if e.date > last_trig.date]
        clean = [e for e in since if not e.pain_triggered and not hist.morning_unsettled(e.date)]
        if len(clean) < 2:
            return _cap_below_trigger(_rx(ex, last.load_kg, last.sets, last.reps, f"Hold {last.sets} × {last.reps}"
                                          + (f" at {_fmt_kg(last.load_kg)}" if last.load_kg else "")
                                          + f": {len(clean)} of 2 pain-free sessions since the pain on "
                                          f"{last_trig.date.isoformat()} (§4).", "hold"), ex, trig)
    # 5. §4 week to week: reactive deload.
    if day is not None:
        flare = hist.reactive_deload_reason(day)
        if flare:
            return _deload(ex, last, flare, "(§4 reactive deload)")
    # 6. §4 next morning: ≥2 above the usual level → repeat, or −10 % if it keeps happening.
    if hist.morning_unsettled(last.date):
        morning = hist.morning_after(last.date)
        base = hist.baseline_pain(last.date)
        base_txt = f"{base:g}" if base is not None else "0"
        if prev is not None and hist.morning_unsettled(prev.date) and last.load_kg > 0:
            new = floor_to_step(last.load_kg * 0.9, ex.load_step_kg)
            return _rx(ex, new, last.sets, last.reps, f"Next-morning pain has not settled twice running ({morning}/10 "
                       f"vs usual {base_txt}): {_fmt_kg(last.load_kg)} → {_fmt_kg(new)} (−10 %, §4).", "back_off")
        return _cap_below_trigger(_rx(ex, last.load_kg, last.sets, last.reps, f"Hold: the morning after "
                                      f"{last.date.isoformat()} pain was {morning}/10 vs your usual {base_txt} "
                                      "(2+ above = not settled); repeat the same session before progressing (§4).",
                                      "hold"), ex, trig)
    # 7. §4 planned deload every 4-6 weeks [H: every 6th week from the first logged session].
    if day is not None and hist.entries:
        week = (day - hist.entries[0].date).days // 7
        if week % DELOAD_EVERY_WEEKS == DELOAD_EVERY_WEEKS - 1:
            return _deload(ex, last, f"week {week + 1} of training, a planned easier week", "(§4: every 4-6 weeks)")
    # 8-9. effort and progression
    if ex.kind != "reps":
        rx = _progress_hold_or_cont(ex, last, hist, day or last.date)
    else:
        rx = _progress_reps(ex, last, prev, hist, day)
    return _cap_below_trigger(rx, ex, trig)
