"""The next session's plan: triage gate → warm-up → main block → recovery → flags (DESIGN.md ``plan``).

JSON (``Plan.to_json``) has at least ``triage`` (proceed|rest|clinician|emergency), ``warmup`` [{name, dose}],
``exercises`` [{exercise, load_kg, sets, reps, tempo, reason}], ``recovery`` {...} and ``flags``
[{code, date, exercise, message}]; extra fields give detail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..exercises import Exercise, get_exercise, load_library
from .flags import Flag, flags_in_window
from .history import History
from .progression import Prescription, film_instructions, prescribe
from .recovery import DEFAULT_WAKE_TIME, recovery_plan
from .triage import TriageResult, answers_from_mapping, triage
from .warmup import WarmupItem, generate_warmup
from .wording import DISCLAIMER

__all__ = ["Plan", "build_plan", "gate", "DEFAULT_SESSION", "FLAG_LOOKBACK_DAYS"]

DEFAULT_SESSION = ("squat", "glute_bridge", "bird_dog", "side_plank")  # first session: floor and bodyweight (§4 ladder)
FLAG_LOOKBACK_DAYS = 14
RECENT_DAYS = 21


@dataclass(frozen=True, slots=True)
class Plan:
    date: dt.date
    triage: TriageResult
    warmup: tuple[WarmupItem, ...]
    exercises: tuple[Prescription, ...]
    recovery: dict[str, Any]
    flags: tuple[Flag, ...]
    notes: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "triage": self.triage.outcome,
            "triage_detail": self.triage.to_json(),
            "warmup": [w.to_json() for w in self.warmup],
            "warmup_minutes": round(sum(w.minutes for w in self.warmup), 1),
            "exercises": [p.to_json() for p in self.exercises],
            "recovery": self.recovery,
            "flags": [f.to_json() for f in self.flags],
            "notes": list(self.notes),
            "disclaimer": DISCLAIMER,
        }

    def to_text(self) -> str:
        t = self.triage
        out = [f"Plan for {self.date.isoformat()}", "", f"Triage: {t.outcome.upper()} — {t.headline}"]
        out += [f"  - {r}" for r in t.reasons]
        if self.warmup:
            mins = sum(w.minutes for w in self.warmup)
            out += ["", f"Warm-up (~{mins:.0f} min)"]
            out += [f"  - {w.name}: {w.dose}" for w in self.warmup]
        if self.exercises:
            out += ["", "Main block"]
            for p in self.exercises:
                load = f" @ {p.load_kg:g} kg" if p.load_kg else ""
                unit = "" if p.rep_unit == "reps" else f" {p.rep_unit}"
                out.append(f"  - {p.name}: {p.sets} × {p.reps}{unit}{load}, tempo {p.tempo}")
                out.append(f"      why: {p.reason}")
                out.append(f"      film: {p.film}")
        if self.recovery:
            out += ["", "Recovery"]
            out += [f"  - {i['name']}: {i['advice']} [{i['evidence']}]" for i in self.recovery.get("items", [])]
        if self.flags:
            out += ["", "Flags from your log"]
            out += [f"  ! {f.date.isoformat()} {f.exercise} [{f.code}]: {f.message}" for f in self.flags]
        if self.notes:
            out += [""] + [f"Note: {n}" for n in self.notes]
        out += ["", DISCLAIMER]
        return "\n".join(out)


def gate(hist: History, day: dt.date) -> tuple[TriageResult, list[str]]:
    """Re-evaluate the latest triage answers on or before ``day`` (the acute window moves with the date)."""
    records = sorted((t for t in hist.triage if t.date <= day), key=lambda t: t.date)
    notes: list[str] = []
    if not records:
        notes.append("No triage answers on record: run `backsafe triage` before training (it takes a minute).")
        return triage(answers_from_mapping({}), day), notes
    latest = records[-1]
    if (day - latest.date).days > 7:
        notes.append(f"Your last triage was on {latest.date.isoformat()}; run `backsafe triage` again to update it.")
    previous = [(t.date, t.outcome) for t in records[:-1]]
    return triage(answers_from_mapping(latest.answers), day, previous=previous), notes


def _chain_root(ex: Exercise) -> str:
    lib, seen, cur = load_library(), set(), ex
    while cur.regressions and cur.id not in seen:
        seen.add(cur.id)
        cur = lib[cur.regressions[0]]
    return cur.id


def _day_exercises(hist: History, day: dt.date) -> list[Exercise]:
    """The exercises of the last two sessions in the past 3 weeks, one per ladder chain; else a first session."""
    dates = [d for d in hist.session_dates() if day - dt.timedelta(days=RECENT_DAYS) <= d < day][-2:]
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


def _gentle(ex_id: str, sets: int, reps: int, reason: str) -> Prescription:
    ex = get_exercise(ex_id)
    unit = {"reps": "reps", "hold": "s", "continuous": "min"}[ex.kind]
    return Prescription(ex.id, ex.name, 0.0, sets, reps, unit, str(ex.default_tempo), reason, "rest",  # type: ignore[arg-type]
                        film_instructions(ex))


def build_plan(
    hist: History,
    day: dt.date,
    *,
    wake_time: dt.time = DEFAULT_WAKE_TIME,
    age_years: int | None = None,
    exercises: Sequence[str] | None = None,
    extra_faults: dict[str, int] | None = None,
) -> Plan:
    """The plan for ``day`` from the whole log (entries on or after ``day`` are ignored).

    Parameters
    ----------
    hist : History
        The person's log.
    day : datetime.date
        The session date.
    wake_time, age_years
        For the recovery block (§8).
    exercises : sequence of exercise ids, optional
        The day's exercises; default: those of the recent sessions, or a first session.
    extra_faults : mapping, optional
        Fault counts to add to those from linked reports (e.g. from a clip not linked to the log).
    """
    known = hist.before(day)
    result, notes = gate(known, day)
    flags = flags_in_window(known, day - dt.timedelta(days=FLAG_LOOKBACK_DAYS), day)
    recovery = recovery_plan(wake_time, age_years)
    if result.outcome == "emergency":
        return Plan(day, result, (), (), {"message": "No plan today: seek emergency care now."}, tuple(flags),
                    tuple(notes))
    if result.outcome == "clinician":
        walk = _gentle("walking", 1, 10, "Gentle walking only, as comfortable, until a clinician has checked you "
                       "(§1: no loading).")
        return Plan(day, result, (), (walk,), recovery, tuple(flags), tuple(notes))
    if result.outcome == "rest":
        gentle = (
            _gentle("walking", 1, 10, "Keep moving: 10-20 min of easy walking, in short bouts if needed; no bed rest "
                    "(§1, Cochrane: staying active helps a little more than bed rest)."),
            _gentle("cat_camel", 2, 6, "Gentle mobility: 5-6 slow cycles, only as far as comfortable (§1)."),
        )
        breathing = generate_warmup([])[1]
        return Plan(day, result, (breathing,), gentle, recovery, tuple(flags), tuple(notes) + result.notes)
    recovering = known.recovering(day)
    ids = [get_exercise(i) for i in exercises] if exercises else _day_exercises(known, day)
    rxs: list[Prescription] = []
    for ex in ids:
        rx = prescribe(ex, known, day, recovering=recovering)
        if rx.replaces == ex.id and rx.action == "replace":
            flags.append(Flag("high_impact_while_recovering", day, ex.id,
                              f"{ex.name} replaced by {rx.name.lower()} in today's plan: you are recovering "
                              f"({recovering}) (§2)."))
        if all(r.exercise != rx.exercise for r in rxs):
            rxs.append(rx)
    faults = known.recent_faults(day)
    for k, v in (extra_faults or {}).items():
        faults[k] = faults.get(k, 0) + v
    warm = generate_warmup(rxs, faults)
    return Plan(day, result, tuple(warm), tuple(rxs), recovery, tuple(flags), tuple(notes) + result.notes)
