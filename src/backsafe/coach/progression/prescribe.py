"""The prescription for one exercise from the log: :func:`prescribe` runs the steps of
:mod:`backsafe.coach.progression` in order, first match wins; a first session (:func:`_start`) and progression by
effort, reps, sets and load (:func:`_progress_reps`) follow COACHING_RULES.md §4."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from ...exercises import Exercise, get_exercise
from ..history import PAIN_LADDER_MAX, TRIGGER_MEMORY_DAYS, History, LoggedEntry
from ..units import Profile, floor_load, format_load, next_load_up
from .breaks import after_break, deload, deload_reason, pain_driven_break, working_entry
from .ladder import (
    BALLISTIC_RUNG,
    allowed,
    bodyweight_first_missing,
    highest_allowed_below,
    ladder_cap,
    rung_mastered,
    rung_up,
)
from .loads import active_pain_trigger, change_text, max_increase_kg, min_load, step_down
from .prescription import (
    HOLD_MAX_S,
    HOLD_START_S,
    HOLD_STEP_S,
    REP_MAX,
    REP_MIN,
    SETS_MAX,
    SETS_START,
    WALK_MAX_MIN,
    WALK_START_MIN,
    WALK_STEP_MIN,
    Prescription,
    make_rx,
)

__all__ = ["PAIN_DROP", "prescribe"]

PAIN_DROP = 0.85  # §4: next load = largest available ≤ 0.85 × the triggering load


def _start(ex: Exercise, hist: History, day: dt.date | None) -> Prescription:
    p = hist.profile
    first = "First time" if not hist.entries else f"New for you: {ex.name.lower()}"
    if ex.kind == "hold":
        return make_rx(ex, p, 0, SETS_START, HOLD_START_S, f"{first}: {SETS_START} × {HOLD_START_S} s holds, breathing "
                       "normally; longer holds, then more sets, come later.", "start", ("progression-order",))
    if ex.kind == "continuous":
        return make_rx(ex, p, 0, 1, WALK_START_MIN, f"{first}: {WALK_START_MIN} min at an easy pace (you can talk); add "
                       f"{WALK_STEP_MIN} min per session while pain stays at most 5/10.", "start", ("progression-order",))
    missing = bodyweight_first_missing(hist, ex)
    if missing is not None:
        inner = prescribe(missing, hist, day)
        return replace(inner, reason=f"Bodyweight first: master {missing.name.lower()} (2 sessions of 3 × 10-12 with "
                       f"pain at most 3/10 and settled mornings) before loading {ex.name.lower()}. " + inner.reason,
                       replaces=ex.id, rules=("ladder",) + inner.rules)
    if ex.loaded:
        load = min_load(ex, p)
        return make_rx(ex, p, load, SETS_START, REP_MIN, f"{first}: start light at {format_load(load, p.unit)}, "
                       f"{SETS_START} × {REP_MIN}; then reps {REP_MIN} → {REP_MAX}, then sets, then load in small steps.",
                       "start", ("progression-order", "equipment-steps"))
    return make_rx(ex, p, 0, SETS_START, REP_MIN, f"{first}: bodyweight, {SETS_START} × {REP_MIN}; reps {REP_MIN} → "
                   f"{REP_MAX}, then sets.", "start", ("progression-order",))


def _progress_hold_or_cont(ex: Exercise, last: LoggedEntry, profile: Profile) -> Prescription:
    unit_max, step, unit = (HOLD_MAX_S, HOLD_STEP_S, "s") if ex.kind == "hold" else (WALK_MAX_MIN, WALK_STEP_MIN, "min")
    if last.max_pain > PAIN_LADDER_MAX:
        return make_rx(ex, profile, last.load_kg, last.sets, last.reps, f"Repeat {last.sets} × {last.reps} {unit}: pain "
                       f"reached {last.max_pain}/10 last time; build up once it stays at 3/10 or less.", "hold",
                       ("pain-monitoring",))
    if last.reps < unit_max:
        n = min(unit_max, last.reps + step)
        return make_rx(ex, profile, last.load_kg, last.sets, n, f"Last time {last.sets} × {last.reps} {unit} went well: "
                       f"{last.sets} × {n} {unit}, a small step.", "progress", ("progression-order",))
    if last.sets < SETS_MAX:
        return make_rx(ex, profile, last.load_kg, last.sets + 1, last.reps, f"You reached {last.reps} {unit}: add a set "
                       f"({last.sets + 1} × {last.reps} {unit}).", "progress", ("progression-order",))
    return make_rx(ex, profile, last.load_kg, last.sets, last.reps, f"Keep {last.sets} × {last.reps} {unit}: the top of "
                   "this exercise's range; the next step is a harder variation when you are ready.", "hold", ("ladder",))


def _progress_reps(ex: Exercise, last: LoggedEntry, prev: LoggedEntry | None, hist: History,
                   day: dt.date | None, climb: bool = True) -> Prescription:
    p = hist.profile
    rir = None if last.rpe is None else 10 - last.rpe
    effort_note = ""
    if rir is not None and rir > 5:
        effort_note = " (an effort below 5/10 is too far from failure to judge well, so it was not used)"
        rir = None
    # §4 RIR table, target RIR 2-3: ≥+2 → +5 %, +1 → +2.5 %, 0 → same, −1 → −2.5-5 %, failure → −10 %.
    diff = None if rir is None else (rir - 3 if rir > 3 else (rir - 2 if rir < 2 else 0))
    load = last.load_kg
    floor_kg = min_load(ex, p) if load > 0 else 0.0
    where = f" at {format_load(load, p.unit)}" if load else ""
    if rir is not None and rir <= 0:
        new = step_down(load, 0.9, ex, p) if load > 0 else 0.0
        if load > 0 and new >= floor_kg and new < load:
            return make_rx(ex, p, new, last.sets, last.reps, f"Last time went to failure (effort {last.rpe:g}/10): "
                           f"{change_text(load, new, p.unit)}; stop each set with 2-3 reps in reserve.", "back_off",
                           ("effort-rir",))
        reps = max(5, last.reps - 2)
        return make_rx(ex, p, load, last.sets, reps, f"Last time went to failure (effort {last.rpe:g}/10): same "
                       f"{'load' if load else 'exercise'}{where}, {reps} reps instead of {last.reps}, stopping with 2-3 "
                       "in reserve" + (" (this is already the lightest load)" if load > 0 else "") + ".", "back_off",
                       ("effort-rir",))
    if diff is not None and diff < 0:
        new = step_down(load, 0.975, ex, p) if load > 0 else 0.0
        if load > 0 and new >= max(0.95 * load - 1e-6, floor_kg) and new < load:
            return make_rx(ex, p, new, last.sets, last.reps, f"Effort {last.rpe:g}/10 (target 7-8): "
                           f"{change_text(load, new, p.unit)}.", "back_off", ("effort-rir",))
        reps = max(6, last.reps - 1)
        return make_rx(ex, p, load, last.sets, reps, f"Effort {last.rpe:g}/10 (target 7-8): same "
                       f"{'load' if load else 'exercise'}{where}, {last.sets} × {reps}, a rep or so further from "
                       "failure" + (" (no lighter step within 5 % on your equipment)" if load > 0 else "") + ".", "hold",
                       ("effort-rir", "equipment-steps"))
    if last.reps < REP_MAX:
        add = 2 if diff is not None and diff >= 1 else 1
        n = min(REP_MAX, max(REP_MIN, last.reps + add))
        return make_rx(ex, p, load, last.sets, n, f"Last time {last.sets} × {last.reps}{where} with pain in the allowed "
                       f"range{effort_note}: {last.sets} × {n} (reps {REP_MIN} → {REP_MAX} first).", "progress",
                       ("progression-order",))
    if last.sets < SETS_MAX:
        return make_rx(ex, p, load, last.sets + 1, REP_MIN, f"You reached {last.sets} × {last.reps}{where}: add a set, "
                       f"{last.sets + 1} × {REP_MIN} (reps, then sets, then load).", "progress", ("progression-order",))
    # top of the range: 2-for-2 (NSCA) = two sessions running at the top
    two_for_two = prev is not None and prev.sets >= SETS_MAX and prev.reps >= REP_MAX and not prev.pain_triggered
    if not two_for_two:
        return make_rx(ex, p, load, last.sets, last.reps, f"{last.sets} × {last.reps}{where} once: repeat it; a second "
                       f"session like this earns the next step{effort_note}.", "hold", ("progression-order",))
    if not ex.loaded and load == 0:
        nxt = rung_up(ex, hist, day) if climb else None
        if nxt is not None and rung_mastered(hist, ex.id):
            inner = _start(nxt, hist, day) if nxt.loaded else prescribe(nxt, hist, day)
            return replace(inner, reason=f"Two sessions of {last.sets} × 10-12 with low pain and settled mornings: "
                           f"next step on the ladder, {nxt.name.lower()}. " + inner.reason, action="progress",
                           replaces=ex.id, rules=("ladder",) + inner.rules)
        return make_rx(ex, p, 0, last.sets, last.reps, f"Keep {last.sets} × {last.reps}: the next step waits for 2 "
                       "sessions of 3 × 10-12 at effort 8/10 or less, pain at most 3/10, settled mornings and no repeated "
                       "form fault.", "hold", ("ladder",))
    pct = 0.05 if diff is not None and diff >= 2 else 0.025
    new = floor_load(load * (1 + pct) + 1e-6, ex.equipment, p)
    if new <= load:
        new = next_load_up(load, ex.equipment, p) or load
    new = min(new, load + max_increase_kg(load, ex, p))
    if new <= load:
        return make_rx(ex, p, load, last.sets, last.reps, f"Keep {last.sets} × {last.reps}{where}: this is the heaviest "
                       "load on your equipment list.", "hold", ("equipment-steps",))
    return make_rx(ex, p, new, last.sets, REP_MIN, f"Two sessions of {last.sets} × {last.reps}{where} (2-for-2): "
                   f"{change_text(load, new, p.unit)}, the next step on your equipment; back to {last.sets} × {REP_MIN}"
                   f"{effort_note}.", "progress", ("progression-order", "progression-cap", "equipment-steps"))


def _cap_below_trigger(rx: Prescription, ex: Exercise, trig: LoggedEntry | None, last: LoggedEntry,
                       profile: Profile) -> Prescription:
    """§4: while a pain-triggering load is remembered, stay below it; a capped step keeps last time's sets × reps."""
    if trig is None or rx.exercise != trig.exercise or rx.load_kg < trig.load_kg - 1e-6 or rx.load_kg <= 0:
        return rx
    cap = floor_load(trig.load_kg - 1e-3, ex.equipment, profile)
    if cap <= 0:
        cap = rx.load_kg
    return replace(rx, load_kg=cap, sets=last.sets, reps=last.reps,
                   action="hold" if rx.action == "progress" else rx.action,
                   reason=rx.reason + f" Kept at {format_load(cap, profile.unit)}, {last.sets} × {last.reps}: below "
                   f"{format_load(trig.load_kg, profile.unit)}, the load that brought on pain on "
                   f"{trig.date.isoformat()} (for {TRIGGER_MEMORY_DAYS // 7} weeks).",
                   rules=rx.rules + ("drop-below-trigger",))


def _ladder_replacement(ex: Exercise, hist: History, day: dt.date | None, when: dt.date,
                        why_rec: str | None) -> Prescription | None:
    """0. §4 the ladder binds: never a rung above the next one; nothing ballistic or high-impact while recovering."""
    cap, why_cap = ladder_cap(hist, when)
    if allowed(ex, cap, why_rec):
        return None
    sub = highest_allowed_below(ex, cap, why_rec)
    inner = prescribe(sub, hist, day, recovering=why_rec, climb=False)
    if why_rec and (ex.impact == "high" or ex.ladder_rung >= BALLISTIC_RUNG):
        text = (f"{ex.name} is {'high-impact' if ex.impact == 'high' else 'ballistic'} and you are recovering "
                f"({why_rec}): {inner.name.lower()} instead for now.")
        rules: tuple[str, ...] = ("high-impact-recovering", "ladder-binds")
    else:
        text = f"{ex.name} is more than one step above where you are ({why_cap}): {inner.name.lower()} instead."
        rules = ("ladder-binds",)
    return replace(inner, action="replace", replaces=ex.id, reason=text + " " + inner.reason,
                   rules=rules + inner.rules)


def _after_pain_trigger(ex: Exercise, last: LoggedEntry, p: Profile) -> Prescription | None:
    """3. §4 during a set: NRS >5 or ≥2 above the pre-session score → next −15 % or regress."""
    why = last.pain_trigger_reason
    if why is None:
        return None
    if last.load_kg > 0:
        new = step_down(last.load_kg, PAIN_DROP, ex, p)
        if new > 0:
            return make_rx(ex, p, new, last.sets, last.reps, f"On {last.date.isoformat()} {why} at "
                           f"{format_load(last.load_kg, p.unit)}: next load {change_text(last.load_kg, new, p.unit)} (the "
                           "largest you have at or below 85 % of it), held for 2 pain-free sessions.", "back_off",
                           ("drop-below-trigger", "pain-during-set", "equipment-steps"))
    if ex.regressions:
        reg = get_exercise(ex.regressions[0])
        load = min_load(reg, p) if reg.loaded and last.load_kg > 0 else 0.0
        return replace(make_rx(reg, p, load, SETS_START, REP_MIN if reg.kind == "reps" else last.reps,
                               f"On {last.date.isoformat()} {why} with {ex.name.lower()}: step back to "
                               f"{reg.name.lower()} for now.", "regress", ("pain-during-set",)), replaces=ex.id)
    return make_rx(ex, p, 0, max(1, last.sets - 1), max(1, last.reps - 2), f"On {last.date.isoformat()} {why}: one "
                   "set and 2 reps fewer.", "back_off", ("pain-during-set",))


def _hold_after_trigger(ex: Exercise, past: list[LoggedEntry], trig: LoggedEntry | None, hist: History,
                        when: dt.date) -> Prescription | None:
    """4. §4: hold the reduced load for 2 pain-free sessions after a trigger."""
    p, last = hist.profile, past[-1]
    last_trig = next((e for e in reversed(past[:-1]) if e.pain_triggered), None)
    if last_trig is None or (when - last_trig.date).days > TRIGGER_MEMORY_DAYS:
        return None
    since = [e for e in past if e.date > last_trig.date]
    clean = [e for e in since if not e.pain_triggered and not hist.morning_unsettled(e.date)]
    if len(clean) >= 2:
        return None
    return _cap_below_trigger(make_rx(ex, p, last.load_kg, last.sets, last.reps, f"Hold {last.sets} × {last.reps}"
                                      + (f" at {format_load(last.load_kg, p.unit)}" if last.load_kg else "")
                                      + f": {len(clean)} of 2 pain-free sessions since the pain on "
                                      f"{last_trig.date.isoformat()}.", "hold", ("drop-below-trigger",)),
                              ex, trig, last, p)


def _morning_not_settled(ex: Exercise, last: LoggedEntry, prev: LoggedEntry | None, trig: LoggedEntry | None,
                         hist: History) -> Prescription | None:
    """6. §4 next morning: ≥2 above the usual level → repeat, or −10 % if it keeps happening."""
    if not hist.morning_unsettled(last.date):
        return None
    p = hist.profile
    morning = hist.morning_after(last.date)
    base = hist.baseline_pain(last.date)
    base_txt = f"{base:g}" if base is not None else "0"
    if prev is not None and hist.morning_unsettled(prev.date) and last.load_kg > 0:
        new = step_down(last.load_kg, 0.9, ex, p)
        if new >= min_load(ex, p):
            return make_rx(ex, p, new, last.sets, last.reps, f"Next-morning pain has not settled twice running "
                           f"({morning}/10 against your usual {base_txt}): {change_text(last.load_kg, new, p.unit)}.",
                           "back_off", ("next-morning",))
    return _cap_below_trigger(make_rx(ex, p, last.load_kg, last.sets, last.reps, f"Hold: the morning after "
                                      f"{last.date.isoformat()} pain was {morning}/10 against your usual {base_txt} "
                                      "(2 or more above means it has not settled); repeat the same session before "
                                      "progressing.", "hold", ("next-morning",)), ex, trig, last, p)


def prescribe(ex: Exercise, hist: History, day: dt.date | None, *, recovering: str | None = None,
              climb: bool = True) -> Prescription:
    """Prescribe ``ex`` for ``day`` from the log (the steps in :mod:`backsafe.coach.progression`'s docstring, first match wins).

    Parameters
    ----------
    ex : Exercise
        The exercise the person plans (or the plan proposes) to do.
    hist : History
        The log up to the morning of ``day`` (use ``History.before(day)``).
    day : datetime.date or None
        The session day (None: the day after the last logged session).
    recovering : str or None
        Why the person counts as recovering (default: ``hist.recovering(day)``).
    climb : bool
        Whether a mastered bodyweight exercise may move up to the next rung (False for a replacement: the plan
        steps back, it does not step up in the same breath).
    """
    p = hist.profile
    when = day or (hist.entries[-1].date + dt.timedelta(days=1) if hist.entries else dt.date.today())
    why_rec = recovering if recovering is not None else hist.recovering(when)
    # 0. §4 the ladder binds.
    replaced = _ladder_replacement(ex, hist, day, when, why_rec)
    if replaced is not None:
        return replaced
    past = hist.of(ex.id)
    if day is not None:
        past = [e for e in past if e.date < day]
    # 1. §4 no history of the exercise: bodyweight first, else a light start.
    if not past:
        return _start(ex, hist, day)
    last = past[-1]
    prev = past[-2] if len(past) >= 2 else None
    trig = active_pain_trigger(past, when)
    # 2. §4 back after a break.
    sessions = [d for d in hist.session_dates() if d < when]
    if sessions:
        gap = (when - sessions[-1]).days
        back = after_break(ex, last, gap, pain_driven_break(hist, sessions[-1], when), hist, when)
        if back is not None:
            return back if back.exercise != ex.id else _cap_below_trigger(back, ex, trig, last, p)
    # 3. §4 the last session triggered pain; 4. §4 hold the reduced load for 2 pain-free sessions.
    rx = _after_pain_trigger(ex, last, p) or _hold_after_trigger(ex, past, trig, hist, when)
    if rx is not None:
        return rx
    # 5 and 7. §4 deloads (reactive, or planned every 4-6 weeks), from the last working load.
    dl = deload_reason(hist, when)
    if dl is not None:
        return deload(ex, working_entry(past, hist), dl[0], dl[1], p)
    # 6. §4 next morning not settled.
    rx = _morning_not_settled(ex, last, prev, trig, hist)
    if rx is not None:
        return rx
    # 8-9. effort and progression
    if ex.kind != "reps":
        rx = _progress_hold_or_cont(ex, last, p)
    else:
        rx = _progress_reps(ex, last, prev, hist, day, climb)
    return _cap_below_trigger(rx, ex, trig, last, p)
