"""The next session's plan: safety gate → soft flags → warm-up → main block → recovery → flags (DESIGN.md ``plan``).

JSON (``Plan.to_json``) has at least ``triage`` (proceed|rest|clinician|urgent|emergency|not_checked), ``warmup``
[{name, dose}], ``exercises`` [{exercise, load_kg, sets, reps, tempo, reason}], ``recovery`` {...} and ``flags``
[{code, date, exercise, message}]; extra fields give detail (``urgency``, ``label``, the person's ``unit`` and shown
load, the ``rules`` behind each line).

The day's tier binds everything (COACHING_RULES §1 State): the questionnaire's outcome, and severe pain that has not
settled (§1 severe pain), which turns a "go ahead" day into a rest day.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..exercises import Exercise, get_exercise
from .daystate import day_gate
from .flags import Flag, flags_in_window, sort_flags
from .history import PAIN_ACCEPTABLE, History
from .progression import Prescription, film_instructions, prescribe
from .recovery import DEFAULT_WAKE_TIME, recovery_plan
from .triage import TriageResult, triage
from .units import floor_load, format_load
from .warmup import WarmupItem, generate_warmup
from .wording import DISCLAIMER, style

__all__ = ["Plan", "build_plan", "gate", "day_gate", "soft_flags_for", "DEFAULT_SESSION", "FLAG_LOOKBACK_DAYS"]

DEFAULT_SESSION = ("squat", "glute_bridge", "bird_dog", "side_plank")  # first session: floor and bodyweight (§4 ladder)
FLAG_LOOKBACK_DAYS = 14
POOR_SLEEP_H = 6.0  # triage soft flag: under 6 hours last night
SOFT_VOLUME = 0.6  # §4 soft flags: volume −30-50 % [H: −40 %]
FEAR_EXTRA_REPS, FEAR_MAX_REPS = 2, 15  # §4 graded exposure: the same movement, smaller range, more reps [H]

_EDUCATION = ("Hurt does not mean harm: back pain during gentle movement is common and is not a sign that you are "
              "making things worse; moving within comfort helps most people recover (Moseley & Butler).")


@dataclass(frozen=True, slots=True)
class Plan:
    date: dt.date
    triage: TriageResult
    warmup: tuple[WarmupItem, ...]
    exercises: tuple[Prescription, ...]
    recovery: dict[str, Any]
    flags: tuple[Flag, ...]
    notes: tuple[str, ...] = field(default=())
    soft_changes: tuple[dict[str, str], ...] = ()
    unit: str = "kg"

    @property
    def rules(self) -> list[str]:
        out: list[str] = []
        for r in (*self.triage.rules, *(x for p in self.exercises for x in p.rules),
                  *(f.rule for f in self.flags), *(c["rule"] for c in self.soft_changes)):
            if r and r not in out:
                out.append(r)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "triage": self.triage.outcome,
            "urgency": self.triage.urgency,
            "label": self.triage.label,
            "headline": self.triage.headline,
            "triage_detail": self.triage.to_json(),
            "unit": self.unit,
            "warmup": [w.to_json() for w in self.warmup],
            "warmup_minutes": round(sum(w.minutes for w in self.warmup), 1),
            "exercises": [p.to_json() for p in self.exercises],
            "soft_flags": list(self.soft_changes),
            "recovery": self.recovery,
            "flags": [f.to_json() for f in self.flags],
            "notes": list(self.notes),
            "rules": self.rules,
            "disclaimer": DISCLAIMER,
        }

    def to_text(self, color: bool = False, explain: bool = False) -> str:
        t = self.triage
        out = [f"Plan for {self.date.isoformat()}", "",
               style(f"{t.label}: {t.headline}", _TIER_COLOUR.get(t.outcome, "bold"), color)]
        out += [f"  - {r}" for r in t.reasons]
        stop = [f for f in self.flags if f.level == "stop"]
        for f in stop:
            out.append(style(f"  ! {f.title}: {f.message}", "red", color))
        if self.soft_changes:
            out += ["", "Adjusted to what you told us today"]
            out += [f"  - {c['because']}: {c['change']}" for c in self.soft_changes]
        rec_items = self.recovery.get("items", []) if self.recovery else []
        if self.recovery.get("leads") and rec_items:
            out += ["", "Recovery first"]
            out += [f"  - {i['name']}: {i['advice']}" for i in rec_items[:2]]
        if self.warmup:
            mins = sum(w.minutes for w in self.warmup)
            out += ["", f"Warm-up (~{mins:.0f} min)"]
            out += [f"  - {w.name}: {w.dose}" for w in self.warmup]
        if self.exercises:
            out += ["", "Main block"]
            for p in self.exercises:
                out.append(f"  - {p.name}: {p.dose_text()}")
                out.append(f"      why: {p.reason}")
                out.append(f"      film: {p.film}")
        if self.recovery and rec_items:
            out += ["", "Recovery"]
            out += [f"  - {i['name']}: {i['advice']} (evidence: {i['evidence']})" for i in rec_items]
        elif self.recovery.get("message"):
            out += ["", str(self.recovery["message"])]
        rest = [f for f in self.flags if f.level != "stop"]
        if rest:
            out += ["", "From your log"]
            out += [f"  - {f.title} ({f.date.isoformat()}{', ' + _name(f.exercise) if f.exercise else ''}): "
                    f"{f.message}" for f in rest]
        if self.notes:
            out += [""] + [f"Note: {n}" for n in self.notes]
        if explain:
            out += ["", "Why: the rules behind this plan", _explain(self.rules)]
        else:
            out += ["", "(Add --explain to see the rules and sources behind this plan.)"]
        out += ["", DISCLAIMER]
        return "\n".join(out)


_TIER_COLOUR = {"emergency": "red", "urgent": "red", "clinician": "yellow", "rest": "yellow", "not_checked": "yellow",
                "proceed": "green"}


def _name(ex_id: str) -> str:
    try:
        return get_exercise(ex_id).name
    except Exception:  # noqa: BLE001 - a flag of an exercise removed from the library still prints
        return ex_id.replace("_", " ")


def _explain(ids: list[str]) -> str:
    from . import rules as rules_mod

    return rules_mod.explain([i for i in ids if i in rules_mod.RULES])


def soft_flags_for(hist: History, day: dt.date) -> set[str]:
    """§4 soft flags that apply to the session on ``day``: today's (or yesterday's) triage answers, a check-in pain
    above 5 today, and under 6 hours of sleep last night."""
    out: set[str] = set()
    recent = [t for t in hist.triage if dt.timedelta(0) <= day - t.date <= dt.timedelta(days=1)]
    if recent:
        latest = max(recent, key=lambda t: t.date)
        out |= {str(f) for f in latest.answers.get("flags") or []}
    pain_today = hist.checkins.get(day)
    if pain_today is not None and pain_today > PAIN_ACCEPTABLE:
        out.add("pain_today_above_5")
    slept = hist.sleep.get(day)
    if slept is not None and slept < POOR_SLEEP_H:
        out.add("poor_sleep")
    return out


def _recent_sleep(hist: History, day: dt.date) -> float | None:
    vals = [h for d, h in hist.sleep.items() if day - dt.timedelta(days=7) < d <= day]
    return statistics.fmean(vals) if vals else None


def _last_load(hist: History, ex_id: str) -> float | None:
    past = hist.of(ex_id)
    return past[-1].load_kg if past else None


def _apply_soft(rxs: list[Prescription], soft: set[str], hist: History) -> tuple[list[Prescription],
                                                                                   list[dict[str, str]]]:
    """§4 soft flags change the session, not only the text [H]; each change is said, and so is "no change"."""
    p = hist.profile
    changes: list[dict[str, str]] = []
    out = list(rxs)
    if "pain_today_above_5" in soft:  # the lighter variant and volume −30-50 %
        new: list[Prescription] = []
        for rx in out:
            ex = get_exercise(rx.exercise)
            sets = max(1, round(rx.sets * SOFT_VOLUME))
            if ex.regressions and rx.action not in ("replace", "rest"):
                reg = get_exercise(ex.regressions[0])
                load = floor_load(reg.start_load_kg, reg.equipment, p) if reg.loaded and rx.load_kg > 0 else 0.0
                new.append(replace(rx, exercise=reg.id, name=reg.name, load_kg=load, sets=sets,
                                   film=film_instructions(reg), replaces=rx.exercise, action="regress",
                                   tempo=rx.tempo if reg.kind == "reps" else None,
                                   reason=f"Pain above 5/10 today: the lighter {reg.name.lower()} instead of "
                                   f"{ex.name.lower()}, {sets} set{'s' if sets > 1 else ''} instead of {rx.sets}.",
                                   rules=rx.rules + ("soft-flag-pain",)))
            else:
                load = floor_load(rx.load_kg * 0.85 + 1e-6, ex.equipment, p) if rx.load_kg > 0 else 0.0
                new.append(replace(rx, sets=sets, load_kg=load, rules=rx.rules + ("soft-flag-pain",),
                                   reason=rx.reason + f" Pain above 5/10 today: {sets} set{'s' if sets > 1 else ''} "
                                   f"instead of {rx.sets}" + (f", {format_load(load, p.unit)}" if load else "")
                                   + "."))
        out = new
        changes.append({"flag": "pain_today_above_5", "because": "Pain above 5/10 today",
                        "change": "lighter variants and about 40 % less volume", "rule": "soft-flag-pain"})
    if "worried_about_moving" in soft:  # graded exposure: the same movement, smaller range, more reps
        new = []
        for rx in out:
            if rx.rep_unit != "reps":
                new.append(rx)
                continue
            last = _last_load(hist, rx.exercise)
            load = min(rx.load_kg, last) if last is not None and rx.load_kg > 0 else rx.load_kg
            reps = min(FEAR_MAX_REPS, rx.reps + FEAR_EXTRA_REPS)
            new.append(replace(rx, reps=reps, load_kg=load, rules=rx.rules + ("soft-flag-fear",),
                               reason=rx.reason + f" Go only as far into the movement as feels comfortable (a smaller "
                               f"range), {reps} reps instead of {rx.reps}, no heavier than last time."))
        out = new
        changes.append({"flag": "worried_about_moving", "because": "You are worried about moving",
                        "change": "the same movements in a smaller, comfortable range with a few more reps. "
                        + _EDUCATION, "rule": "soft-flag-fear"})
    if "poor_sleep" in soft:  # intensity capped at RPE 7 and the recovery block leads
        new = []
        for rx in out:
            last = _last_load(hist, rx.exercise)
            capped = rx.load_kg > 0 and last is not None and rx.load_kg > last
            new.append(replace(rx, load_kg=last if capped and last is not None else rx.load_kg,
                               action="hold" if capped else rx.action, rules=rx.rules + ("soft-flag-sleep",),
                               reason=rx.reason + " Short sleep: stop every set at an effort of 7/10 (3 reps left in "
                               "the tank)" + (", no load increase today" if capped else "") + "."))
        out = new
        changes.append({"flag": "poor_sleep", "because": "Under 6 hours of sleep last night",
                        "change": "effort capped at 7/10, no load increases today; sleep advice comes first",
                        "rule": "soft-flag-sleep"})
    if "pain_to_buttock_or_thigh" in soft:
        changes.append({"flag": "pain_to_buttock_or_thigh", "because": "Pain spreads into the buttock or thigh",
                        "change": "no change to the session: pain above the knee often comes with back pain. Answer "
                        "the questions again if it spreads below the knee or comes with numbness or weakness.",
                        "rule": "triage-soon"})
    return out, changes


def _day_exercises(hist: History) -> list[Exercise]:
    """The exercises of the last two sessions (however long ago: a break is handled by the progression), one per
    ladder chain; else a first session of floor and bodyweight work."""
    dates = hist.session_dates()[-2:]
    chosen: dict[str, Exercise] = {}
    for e in hist.entries:
        if e.date in dates:
            ex = get_exercise(e.exercise)
            root = _chain_root(ex)
            chosen.pop(root, None)  # keep the most recently logged exercise of each chain
            chosen[root] = ex
    if not chosen:
        return [get_exercise(i) for i in DEFAULT_SESSION]
    return list(chosen.values())


def _chain_root(ex: Exercise) -> str:
    from ..exercises import load_library

    lib, seen, cur = load_library(), set(), ex
    while cur.regressions and cur.id not in seen:
        seen.add(cur.id)
        cur = lib[cur.regressions[0]]
    return cur.id


def _gentle(ex_id: str, sets: int, reps: int, reason: str, rules: tuple[str, ...], hist: History) -> Prescription:
    ex = get_exercise(ex_id)
    unit = {"reps": "reps", "hold": "s", "continuous": "min"}[ex.kind]
    return Prescription(ex.id, ex.name, 0.0, sets, reps, unit, str(ex.default_tempo) if ex.kind == "reps" else None,  # type: ignore[arg-type]
                        reason, "rest", film_instructions(ex), rules=rules, unit=hist.profile.unit)


def build_plan(
    hist: History,
    day: dt.date,
    *,
    wake_time: dt.time | None = None,
    age_years: int | None = None,
    exercises: Sequence[str] | None = None,
    extra_faults: dict[str, int] | None = None,
) -> Plan:
    """The plan for ``day`` from the whole log (entries on or after ``day`` are ignored).

    Parameters
    ----------
    hist : History
        The person's log (with their profile: unit, equipment, wake time, age).
    day : datetime.date
        The session date.
    wake_time, age_years
        Override the profile for the recovery block (§8).
    exercises : sequence of exercise ids, optional
        The day's exercises; default: those of the recent sessions, or a first session.
    extra_faults : mapping, optional
        Fault counts to add to those from linked reports (e.g. from a clip not linked to the log).
    """
    known = hist.before(day)
    prof = known.profile
    result, notes = day_gate(known, day)
    flags = flags_in_window(known, day - dt.timedelta(days=FLAG_LOOKBACK_DAYS), day)
    soft = soft_flags_for(known, day)
    wt = wake_time or prof.wake_time or DEFAULT_WAKE_TIME
    recovery = recovery_plan(wt, age_years if age_years is not None else prof.age_years,
                             recent_sleep_h=_recent_sleep(known, day), poor_sleep_today="poor_sleep" in soft)
    unit = prof.unit

    def plan(tr: TriageResult, warm: tuple[WarmupItem, ...], rxs: tuple[Prescription, ...], rec: dict[str, Any],
             changes: tuple[dict[str, str], ...] = ()) -> Plan:
        return Plan(day, tr, warm, rxs, rec, tuple(sort_flags(flags)), tuple(notes) + tr.notes, changes, unit)

    if result.outcome in ("emergency", "urgent"):
        msg = ("No plan today: seek emergency care now." if result.outcome == "emergency"
               else "No training today: see a doctor today first.")
        return plan(result, (), (), {"message": msg})
    if result.outcome in ("clinician", "not_checked"):
        why = ("Easy walking only, as comfortable, until a clinician has checked you (no loading)."
               if result.outcome == "clinician" else
               "Easy walking only until you have answered the safety questions.")
        walk = _gentle("walking", 1, 10, why, result.rules, known)
        return plan(result, (), (walk,), recovery)
    if result.outcome == "rest":
        gentle = (
            _gentle("walking", 1, 10, "Keep moving: 10-20 min of easy walking, in short bouts if needed; no bed rest "
                    "(staying active helps a little more than bed rest).", ("stay-active",), known),
            _gentle("cat_camel", 2, 6, "Gentle mobility: 5-6 slow cycles, only as far as comfortable.",
                    ("stay-active",), known),
        )
        breathing = generate_warmup([], profile=prof)[1]
        return plan(result, (breathing,), gentle, recovery)
    recovering = known.recovering(day)
    ids = [get_exercise(i) for i in exercises] if exercises else _day_exercises(known)
    rxs: list[Prescription] = []
    for ex in ids:
        rx = prescribe(ex, known, day, recovering=recovering)
        if rx.replaces == ex.id and rx.action == "replace" and ex.impact == "high":
            flags.append(Flag("high_impact_while_recovering", day, ex.id,
                              f"{ex.name} replaced by {rx.name.lower()} in today's plan: you are recovering "
                              f"({recovering or 'the ladder'})."))
        if all(r.exercise != rx.exercise for r in rxs):
            rxs.append(rx)
    rxs, changes = _apply_soft(rxs, soft, known)
    if not changes and soft & {"recovering_from_back_pain", "minor_trauma"}:
        changes = [{"flag": "recovering", "because": "You are recovering from a back pain episode",
                    "change": "the plan keeps to one step at a time on the exercise ladder and leaves out jumps and "
                    "ballistic lifts", "rule": "ladder-binds"}]
    faults = known.recent_faults(day)
    for k, v in (extra_faults or {}).items():
        faults[k] = faults.get(k, 0) + v
    warm = generate_warmup(rxs, faults, profile=prof)
    return plan(result, tuple(warm), tuple(rxs), recovery, tuple(changes))
