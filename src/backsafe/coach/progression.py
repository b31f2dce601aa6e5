"""Load progression per exercise from the log (COACHING_RULES.md §4). Every prescription carries its reason in
plain words and the ids of the rules behind it (``rules``; explained in backsafe.coach.rules and docs/coach.md).

Order of the rules, first match wins:

0. The ladder binds (§4): an exercise more than one rung above the person's (or ballistic / high-impact work while
   recovering) is replaced by the highest allowed exercise down its chain; no history starts at the bottom.
1. No history of the exercise → bodyweight first (§4 ladder), else a light start (2 × 8); "new for you", never
   "first time", for someone with a log.
2. Back after a break (§4): 2-3 weeks off → 90 % of the last load; 3-6 weeks → 80 % and one set fewer; more than 6
   weeks, or a break that began with pain → one rung down.
3. Last session triggered pain (NRS >5, or ≥2 above the pre-session score and above 2) → next load = the largest
   available ≤ 0.85 × that load ("drop below the pain trigger", the article's 30 → 25 lb), or regress.
4. Fewer than 2 pain-free sessions since that trigger → hold the reduced load.
5. Reactive deload: weekly mean pain up ≥2 or 2 flare-ups in 7 days → volume −40 %, load −10 % of the last working
   load (never of a deload session: no compounding).
6. Next morning ≥2 above the usual pain → repeat the session (−10 % if the morning before was unsettled too).
7. Planned deload every 6th week [H] (4-6 wk, Bell 2023), from the last working load.
8. RPE/RIR (Zourdos 2016, target RIR 2-3): failure → −10 %; RIR 0-1 → −2.5-5 %; RPE < 5 ignored (Hackett 2017);
   never below the lightest load of the exercise (then fewer reps).
9. Progress: reps 8 → 12, then sets 2 → 3, then load by the next available step (cap +5 % or one step, 2-for-2 at
   the top of the range); bodyweight exercises climb the ladder after 2 sessions of 3 × 10-12 at RIR ≥ 2, NRS ≤ 3,
   settled mornings and no persistent fault.

Loads are kg inside and come from the person's equipment (coach/units.py); while a pain-triggering load is
remembered (4 weeks [H]) no prescription reaches it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from collections.abc import Iterator
from typing import Any, Literal

from ..exercises import Exercise, get_exercise, load_library
from .history import PAIN_LADDER_MAX, TRIGGER_MEMORY_DAYS, History, LoggedEntry
from .units import Profile, Unit, floor_load, format_load, lowest_load, next_load_up, pct_change, to_unit

__all__ = [
    "Prescription",
    "prescribe",
    "max_increase_kg",
    "active_pain_trigger",
    "bodyweight_rung",
    "down_chain",
    "bodyweight_first_missing",
    "rung_mastered",
    "ladder_cap",
    "current_rung",
    "film_instructions",
    "deload_reason",
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
BALLISTIC_RUNG = 4  # §4 ladder: ... → barbell (3) → ballistic (4) → jumps (5)
BREAK_SHORT_DAYS, BREAK_MID_DAYS, BREAK_LONG_DAYS = 14, 21, 42  # §4 back after a break: 2-3, 3-6, >6 weeks

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
        return {
            "exercise": self.exercise,
            "name": self.name,
            "load_kg": self.load_kg,
            "unit": self.unit,
            "load": round(to_unit(self.load_kg, self.unit), 1),
            "load_text": self.load_text,
            "sets": self.sets,
            "reps": self.reps,
            "rep_unit": self.rep_unit,
            "tempo": self.tempo,
            "reason": self.reason,
            "action": self.action,
            "film": self.film,
            "replaces": self.replaces,
            "rules": list(self.rules),
        }


# --- load arithmetic (§4 "Loads come in the steps people own"; coach/units.py) ---------------------------------


def max_increase_kg(load_kg: float, ex: Exercise, profile: Profile | None = None) -> float:
    """§4: cap an increase at +5 % or the next available step, whichever is larger."""
    nxt = next_load_up(load_kg, ex.equipment, profile)
    by_pct = floor_load(load_kg * 1.05, ex.equipment, profile)
    top = max(nxt or load_kg, by_pct)
    return max(0.0, round(top - load_kg, 3))


def _down(load_kg: float, factor: float, ex: Exercise, profile: Profile) -> float:
    """The largest available load ≤ factor × load (0.0 when even the lightest is heavier)."""
    return floor_load(load_kg * factor + 1e-6, ex.equipment, profile)


def _change(old: float, new: float, unit: Unit) -> str:
    """'12 → 10 kg, −17 %': the real change, in the person's unit (§4: state the real percentage)."""
    a, b = format_load(old, unit), format_load(new, unit)
    if old > 0 and new > 0 and unit in a and unit in b:
        a = a.replace(f" {unit}", "")
    return f"{a} → {b}" + (f", {pct_change(old, new)}" if old > 0 and new > 0 else "")


# --- pain trigger ----------------------------------------------------------------------------------------------


def active_pain_trigger(entries: list[LoggedEntry], day: dt.date) -> LoggedEntry | None:
    """The entry with the lowest load that triggered pain in the last 4 weeks [H] (loaded entries only)."""
    recent = [
        e
        for e in entries
        if (e.pain_triggered or e.severe) and e.load_kg > 0
        and day - dt.timedelta(days=TRIGGER_MEMORY_DAYS) <= e.date <= day
    ]
    return min(recent, key=lambda e: (e.load_kg, e.date)) if recent else None


# --- ladder ----------------------------------------------------------------------------------------------------


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


def _allowed(ex: Exercise, cap: int, recovering: str | None) -> bool:
    if ex.ladder_rung > cap:
        return False
    return not (recovering and (ex.impact == "high" or ex.ladder_rung >= BALLISTIC_RUNG))


def _highest_allowed_below(ex: Exercise, cap: int, recovering: str | None) -> Exercise:
    """The highest-rung allowed exercise down ``ex``'s chain (its low-impact replacement first), else walking."""
    start = ([ex.while_recovering] if ex.while_recovering else []) + list(ex.regressions)
    found = [c for c in down_chain(start) if _allowed(c, cap, recovering)]
    if not found:
        return load_library()["walking"]
    return max(found, key=lambda e: (e.ladder_rung, -start.index(e.id) if e.id in start else -99))


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


def _tempo(ex: Exercise, profile: Profile) -> str | None:
    """§7: tempo for rep exercises only (a walk or a hold has none); the person's default tempo when they set one."""
    if ex.kind != "reps":
        return None
    if profile.default_tempo and not ex.rushing_exempt:
        return profile.default_tempo
    return str(ex.default_tempo)


def _rx(ex: Exercise, profile: Profile, load: float, sets: int, reps: int, reason: str, action: Action,
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


def _min_load(ex: Exercise, profile: Profile) -> float:
    """The lightest load the plan uses for a loaded exercise: its light start, on the person's equipment."""
    start = floor_load(ex.start_load_kg, ex.equipment, profile) if ex.start_load_kg > 0 else 0.0
    return start or lowest_load(ex.equipment, profile)


def _start(ex: Exercise, hist: History, day: dt.date | None) -> Prescription:
    p = hist.profile
    first = "First time" if not hist.entries else f"New for you: {ex.name.lower()}"
    if ex.kind == "hold":
        return _rx(ex, p, 0, SETS_START, HOLD_START_S, f"{first}: {SETS_START} × {HOLD_START_S} s holds, breathing "
                   "normally; longer holds, then more sets, come later.", "start", ("progression-order",))
    if ex.kind == "continuous":
        return _rx(ex, p, 0, 1, WALK_START_MIN, f"{first}: {WALK_START_MIN} min at an easy pace (you can talk); add "
                   f"{WALK_STEP_MIN} min per session while pain stays at most 5/10.", "start", ("progression-order",))
    missing = bodyweight_first_missing(hist, ex)
    if missing is not None:
        inner = prescribe(missing, hist, day)
        return replace(inner, reason=f"Bodyweight first: master {missing.name.lower()} (2 sessions of 3 × 10-12 with "
                       f"pain at most 3/10 and settled mornings) before loading {ex.name.lower()}. " + inner.reason,
                       replaces=ex.id, rules=("ladder",) + inner.rules)
    if ex.loaded:
        load = _min_load(ex, p)
        return _rx(ex, p, load, SETS_START, REP_MIN, f"{first}: start light at {format_load(load, p.unit)}, "
                   f"{SETS_START} × {REP_MIN}; then reps {REP_MIN} → {REP_MAX}, then sets, then load in small steps.",
                   "start", ("progression-order", "equipment-steps"))
    return _rx(ex, p, 0, SETS_START, REP_MIN, f"{first}: bodyweight, {SETS_START} × {REP_MIN}; reps {REP_MIN} → "
               f"{REP_MAX}, then sets.", "start", ("progression-order",))


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


def _working_entry(past: list[LoggedEntry], hist: History) -> LoggedEntry:
    """§4 deloads start from the last working load before the deload, never from a deload session."""
    for e in reversed(past):
        if deload_reason(hist, e.date) is None:
            return e
    return past[0]


def _deload(ex: Exercise, ref: LoggedEntry, why: str, rule: str, profile: Profile) -> Prescription:
    sets = max(1, round(ref.sets * 0.6))  # volume −30-50 % (§4) [H: −40 %]
    load = ref.load_kg
    if ref.load_kg > 0:  # RIR +2 [H: −10 % of the working load]
        down = _down(ref.load_kg, 0.9, ex, profile)
        load = down if down >= _min_load(ex, profile) else ref.load_kg
    reps = ref.reps if ref.load_kg > 0 else max(1, ref.reps - 2)
    where = f" at {_change(ref.load_kg, load, profile.unit)}" if load > 0 and load != ref.load_kg else (
        f" at {format_load(load, profile.unit)}" if load > 0 else "")
    return _rx(ex, profile, load, sets, reps, f"Easier week: {why}. {sets} × {reps}{where}, about 40 % less volume "
               f"and 2 more reps in reserve, counted from your last regular session ({ref.sets} × {ref.reps}"
               + (f" at {format_load(ref.load_kg, profile.unit)}" if ref.load_kg > 0 else "")
               + f" on {ref.date.isoformat()}).", "deload", (rule, "deload-from-working-load"))


def _scaled(ex: Exercise, last: LoggedEntry, factor: float, minus_set: bool, profile: Profile) -> tuple[float, int, int]:
    sets = max(1, last.sets - 1) if minus_set else last.sets
    if last.load_kg > 0:
        load = _down(last.load_kg, factor, ex, profile)
        return (load if load >= _min_load(ex, profile) else _min_load(ex, profile)), sets, last.reps
    return 0.0, sets, max(1, round(last.reps * factor))


def _after_break(ex: Exercise, last: LoggedEntry, gap: int, pain_driven: bool, hist: History,
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
            inner = _rx(reg, p, _min_load(reg, p) if reg.loaded else 0.0, SETS_START, REP_MIN if reg.kind == "reps"
                        else (HOLD_START_S if reg.kind == "hold" else WALK_START_MIN), "", "return", ())
            return replace(inner, replaces=ex.id, rules=("break-return",), reason=f"Welcome back: {why}. One step "
                           f"down the ladder to {reg.name.lower()}, {inner.dose_text()}, then build up again.")
        load, sets, reps = _scaled(ex, last, 0.8, True, p)
        return _rx(ex, p, load, sets, reps, f"Welcome back: {why}. Easier than before: {sets} × {reps}"
                   + (f" at {_change(last.load_kg, load, p.unit)}" if load > 0 else "")
                   + ", then build up again.", "return", ("break-return",))
    if gap >= BREAK_MID_DAYS:
        load, sets, reps = _scaled(ex, last, 0.8, True, p)
        text = "80 % of the load and one set fewer"
    else:
        load, sets, reps = _scaled(ex, last, 0.9, False, p)
        text = "90 % of the load"
    what = f" at {_change(last.load_kg, load, p.unit)}" if last.load_kg > 0 else ""
    return _rx(ex, p, load, sets, reps, f"Welcome back after {gap} days off: {text} of your last session — {sets} × "
               f"{reps}{what} — then progress as before.", "return", ("break-return",))


def _progress_hold_or_cont(ex: Exercise, last: LoggedEntry, profile: Profile) -> Prescription:
    unit_max, step, unit = (HOLD_MAX_S, HOLD_STEP_S, "s") if ex.kind == "hold" else (WALK_MAX_MIN, WALK_STEP_MIN, "min")
    if last.max_pain > PAIN_LADDER_MAX:
        return _rx(ex, profile, last.load_kg, last.sets, last.reps, f"Repeat {last.sets} × {last.reps} {unit}: pain "
                   f"reached {last.max_pain}/10 last time; build up once it stays at 3/10 or less.", "hold",
                   ("pain-monitoring",))
    if last.reps < unit_max:
        n = min(unit_max, last.reps + step)
        return _rx(ex, profile, last.load_kg, last.sets, n, f"Last time {last.sets} × {last.reps} {unit} went well: "
                   f"{last.sets} × {n} {unit}, a small step.", "progress", ("progression-order",))
    if last.sets < SETS_MAX:
        return _rx(ex, profile, last.load_kg, last.sets + 1, last.reps, f"You reached {last.reps} {unit}: add a set "
                   f"({last.sets + 1} × {last.reps} {unit}).", "progress", ("progression-order",))
    return _rx(ex, profile, last.load_kg, last.sets, last.reps, f"Keep {last.sets} × {last.reps} {unit}: the top of "
               "this exercise's range; the next step is a harder variation when you are ready.", "hold", ("ladder",))


def _rung_up(ex: Exercise, hist: History, day: dt.date | None) -> Exercise | None:
    lib = load_library()
    when = day or (hist.entries[-1].date + dt.timedelta(days=1) if hist.entries else dt.date.today())
    cap, _ = ladder_cap(hist, when)
    recovering = hist.recovering(when)
    for ident in ex.progressions:
        nxt = lib[ident]
        if _allowed(nxt, cap, recovering):
            return nxt
    return None


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
    floor_kg = _min_load(ex, p) if load > 0 else 0.0
    where = f" at {format_load(load, p.unit)}" if load else ""
    if rir is not None and rir <= 0:
        new = _down(load, 0.9, ex, p) if load > 0 else 0.0
        if load > 0 and new >= floor_kg and new < load:
            return _rx(ex, p, new, last.sets, last.reps, f"Last time went to failure (effort {last.rpe:g}/10): "
                       f"{_change(load, new, p.unit)}; stop each set with 2-3 reps in reserve.", "back_off",
                       ("effort-rir",))
        reps = max(5, last.reps - 2)
        return _rx(ex, p, load, last.sets, reps, f"Last time went to failure (effort {last.rpe:g}/10): same "
                   f"{'load' if load else 'exercise'}{where}, {reps} reps instead of {last.reps}, stopping with 2-3 "
                   "in reserve" + (" (this is already the lightest load)" if load > 0 else "") + ".", "back_off",
                   ("effort-rir",))
    if diff is not None and diff < 0:
        new = _down(load, 0.975, ex, p) if load > 0 else 0.0
        if load > 0 and new >= max(0.95 * load - 1e-6, floor_kg) and new < load:
            return _rx(ex, p, new, last.sets, last.reps, f"Effort {last.rpe:g}/10 (target 7-8): "
                       f"{_change(load, new, p.unit)}.", "back_off", ("effort-rir",))
        reps = max(6, last.reps - 1)
        return _rx(ex, p, load, last.sets, reps, f"Effort {last.rpe:g}/10 (target 7-8): same "
                   f"{'load' if load else 'exercise'}{where}, {last.sets} × {reps}, a rep or so further from "
                   "failure" + (" (no lighter step within 5 % on your equipment)" if load > 0 else "") + ".", "hold",
                   ("effort-rir", "equipment-steps"))
    if last.reps < REP_MAX:
        add = 2 if diff is not None and diff >= 1 else 1
        n = min(REP_MAX, max(REP_MIN, last.reps + add))
        return _rx(ex, p, load, last.sets, n, f"Last time {last.sets} × {last.reps}{where} with pain in the allowed "
                   f"range{effort_note}: {last.sets} × {n} (reps {REP_MIN} → {REP_MAX} first).", "progress",
                   ("progression-order",))
    if last.sets < SETS_MAX:
        return _rx(ex, p, load, last.sets + 1, REP_MIN, f"You reached {last.sets} × {last.reps}{where}: add a set, "
                   f"{last.sets + 1} × {REP_MIN} (reps, then sets, then load).", "progress", ("progression-order",))
    # top of the range: 2-for-2 (NSCA) = two sessions running at the top
    two_for_two = prev is not None and prev.sets >= SETS_MAX and prev.reps >= REP_MAX and not prev.pain_triggered
    if not two_for_two:
        return _rx(ex, p, load, last.sets, last.reps, f"{last.sets} × {last.reps}{where} once: repeat it; a second "
                   f"session like this earns the next step{effort_note}.", "hold", ("progression-order",))
    if not ex.loaded and load == 0:
        nxt = _rung_up(ex, hist, day) if climb else None
        if nxt is not None and rung_mastered(hist, ex.id):
            inner = _start(nxt, hist, day) if nxt.loaded else prescribe(nxt, hist, day)
            return replace(inner, reason=f"Two sessions of {last.sets} × 10-12 with low pain and settled mornings: "
                           f"next step on the ladder, {nxt.name.lower()}. " + inner.reason, action="progress",
                           replaces=ex.id, rules=("ladder",) + inner.rules)
        return _rx(ex, p, 0, last.sets, last.reps, f"Keep {last.sets} × {last.reps}: the next step waits for 2 "
                   "sessions of 3 × 10-12 at effort 8/10 or less, pain at most 3/10, settled mornings and no repeated "
                   "form fault.", "hold", ("ladder",))
    pct = 0.05 if diff is not None and diff >= 2 else 0.025
    new = floor_load(load * (1 + pct) + 1e-6, ex.equipment, p)
    if new <= load:
        new = next_load_up(load, ex.equipment, p) or load
    new = min(new, load + max_increase_kg(load, ex, p))
    if new <= load:
        return _rx(ex, p, load, last.sets, last.reps, f"Keep {last.sets} × {last.reps}{where}: this is the heaviest "
                   "load on your equipment list.", "hold", ("equipment-steps",))
    return _rx(ex, p, new, last.sets, REP_MIN, f"Two sessions of {last.sets} × {last.reps}{where} (2-for-2): "
               f"{_change(load, new, p.unit)}, the next step on your equipment; back to {last.sets} × {REP_MIN}"
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


def _pain_driven_break(hist: History, last_session: dt.date, day: dt.date) -> bool:
    on_last = [e for e in hist.entries if e.date == last_session]
    if any(e.pain_triggered or e.severe for e in on_last) or hist.morning_unsettled(last_session):
        return True
    return any(hist.severe_pain(d) is not None for d in (last_session + dt.timedelta(days=1), day))


def _ladder_replacement(ex: Exercise, hist: History, day: dt.date | None, when: dt.date,
                        why_rec: str | None) -> Prescription | None:
    """0. §4 the ladder binds: never a rung above the next one; nothing ballistic or high-impact while recovering."""
    cap, why_cap = ladder_cap(hist, when)
    if _allowed(ex, cap, why_rec):
        return None
    sub = _highest_allowed_below(ex, cap, why_rec)
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
        new = _down(last.load_kg, PAIN_DROP, ex, p)
        if new > 0:
            return _rx(ex, p, new, last.sets, last.reps, f"On {last.date.isoformat()} {why} at "
                       f"{format_load(last.load_kg, p.unit)}: next load {_change(last.load_kg, new, p.unit)} (the "
                       "largest you have at or below 85 % of it), held for 2 pain-free sessions.", "back_off",
                       ("drop-below-trigger", "pain-during-set", "equipment-steps"))
    if ex.regressions:
        reg = get_exercise(ex.regressions[0])
        load = _min_load(reg, p) if reg.loaded and last.load_kg > 0 else 0.0
        return replace(_rx(reg, p, load, SETS_START, REP_MIN if reg.kind == "reps" else last.reps,
                           f"On {last.date.isoformat()} {why} with {ex.name.lower()}: step back to "
                           f"{reg.name.lower()} for now.", "regress", ("pain-during-set",)), replaces=ex.id)
    return _rx(ex, p, 0, max(1, last.sets - 1), max(1, last.reps - 2), f"On {last.date.isoformat()} {why}: one "
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
    return _cap_below_trigger(_rx(ex, p, last.load_kg, last.sets, last.reps, f"Hold {last.sets} × {last.reps}"
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
        new = _down(last.load_kg, 0.9, ex, p)
        if new >= _min_load(ex, p):
            return _rx(ex, p, new, last.sets, last.reps, f"Next-morning pain has not settled twice running "
                       f"({morning}/10 against your usual {base_txt}): {_change(last.load_kg, new, p.unit)}.",
                       "back_off", ("next-morning",))
    return _cap_below_trigger(_rx(ex, p, last.load_kg, last.sets, last.reps, f"Hold: the morning after "
                                  f"{last.date.isoformat()} pain was {morning}/10 against your usual {base_txt} "
                                  "(2 or more above means it has not settled); repeat the same session before "
                                  "progressing.", "hold", ("next-morning",)), ex, trig, last, p)


def prescribe(ex: Exercise, hist: History, day: dt.date | None, *, recovering: str | None = None,
              climb: bool = True) -> Prescription:
    """Prescribe ``ex`` for ``day`` from the log (rules in the module docstring; the steps below, first match wins).

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
        back = _after_break(ex, last, gap, _pain_driven_break(hist, sessions[-1], when), hist, when)
        if back is not None:
            return back if back.exercise != ex.id else _cap_below_trigger(back, ex, trig, last, p)
    # 3. §4 the last session triggered pain; 4. §4 hold the reduced load for 2 pain-free sessions.
    rx = _after_pain_trigger(ex, last, p) or _hold_after_trigger(ex, past, trig, hist, when)
    if rx is not None:
        return rx
    # 5 and 7. §4 deloads (reactive, or planned every 4-6 weeks), from the last working load.
    dl = deload_reason(hist, when)
    if dl is not None:
        return _deload(ex, _working_entry(past, hist), dl[0], dl[1], p)
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
