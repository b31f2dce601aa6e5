"""The training log as a service: validated, transactional writes and the coach's reads (one user at a time).

Each public method is one transaction: on any error nothing is written. Values are checked before the database
is touched (:class:`~backsafe.errors.ValueRangeError`), exercise ids against the library
(:class:`~backsafe.errors.UnknownExerciseError`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from ..db import crud
from ..db.engine import DEFAULT_BUSY_TIMEOUT_S, Database, open_database
from ..db.models import ExerciseEntry, TrainingSession, User
from ..errors import InputError, ValueRangeError
from ..exercises import FAULT_CODES, Tempo4, get_exercise
from . import triage as triage_rules
from .flags import Flag, checkin_flags, flags_for_entry, sort_flags
from .history import Clearance, History, LoggedEntry, OutcomeRecord, TriageEntry
from .plan import Plan, build_plan
from .recovery import DEFAULT_WAKE_TIME, parse_wake_time
from .triage import TriageAnswers, TriageResult
from .units import typed_unit, UNITS, Profile, Unit, check_plausible, format_load, parse_load

__all__ = ["LogBook", "LogResult", "CheckinResult", "open_logbook", "validate_entry_values", "check_date",
           "read_report_faults", "validate_profile", "validate_outcome", "profile_from_user", "MAX_LOAD_KG",
           "EQUIPMENT_KINDS", "PSFS_MAX_ACTIVITIES"]

MAX_LOAD_KG = 500.0
EQUIPMENT_KINDS = ("dumbbell", "kettlebell", "barbell")  # §4 "Loads come in the steps people own"
MAX_EQUIPMENT_ITEMS = 60
BODY_MASS_KG = (25.0, 350.0)  # plausible adult body mass [H]
SEXES = ("female", "male")
PSFS_MAX_ACTIVITIES = 5  # §4 Outcome measures: PSFS (Stratford 1995) scores 3-5 activities; we accept 1-5


def check_date(day: dt.date, today: dt.date | None = None, *, what: str = "date") -> None:
    today = today or dt.date.today()
    if day > today:
        raise ValueRangeError(f"{what} {day.isoformat()} is in the future (today is {today.isoformat()}); "
                              "log things on or after the day they happen")
    if day < dt.date(1900, 1, 1):
        raise ValueRangeError(f"{what} {day.isoformat()} is implausibly early")


def _pain(name: str, v: int | None) -> None:
    if v is not None and (not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 10):
        raise ValueRangeError(f"{name} {v!r}: pain is scored 0-10 (0 = none, 10 = worst imaginable)")


def validate_entry_values(*, load_kg: float, sets: int, reps: int, rpe: float | None, pain_before: int | None,
                          pain_during: int | None, pain_after: int | None) -> None:
    """Range checks (ValueRangeError, one line, expected vs got)."""
    if not isinstance(load_kg, (int, float)) or isinstance(load_kg, bool) or math.isnan(load_kg):
        raise ValueRangeError(f"load {load_kg!r}: expected a number of kg (0 for bodyweight)")
    if load_kg < 0:
        raise ValueRangeError(f"load {load_kg:g} kg is negative; give the external load in kg (0 for bodyweight)")
    if load_kg > MAX_LOAD_KG:
        raise ValueRangeError(f"load {load_kg:g} kg is above {MAX_LOAD_KG:g} kg; check the unit (kg, not lb or g)")
    if not isinstance(sets, int) or not 1 <= sets <= 20:
        raise ValueRangeError(f"sets {sets!r}: expected 1-20")
    if not isinstance(reps, int) or not 1 <= reps <= 300:
        raise ValueRangeError(f"reps {reps!r}: expected 1-300 (seconds for holds, minutes for walking)")
    if rpe is not None and (math.isnan(rpe) or not 1 <= rpe <= 10):
        raise ValueRangeError(f"RPE {rpe!r}: expected 1-10 (10 = no reps left)")
    _pain("pain before", pain_before)
    _pain("pain during", pain_during)
    _pain("pain after", pain_after)


def _sleep(hours: float | None) -> None:
    # §8 recovery: hours slept the night before the check-in
    if hours is not None and (not isinstance(hours, (int, float)) or isinstance(hours, bool) or math.isnan(hours)
                              or not 0 <= hours <= 24):
        raise ValueRangeError(f"sleep {hours!r} h: expected 0-24 hours")


def validate_profile(*, unit: str | None = None, body_mass_kg: float | None = None, sex: str | None = None,
                     default_tempo: str | None = None, wake_time: str | None = None,
                     age_years: int | None = None) -> dict[str, Any]:
    """Check profile values (ValueRangeError, one line) and return them as stored (tempo normalised)."""
    out: dict[str, Any] = {}
    if unit is not None:
        if unit not in UNITS:  # §4 units: kg or lb per person
            raise ValueRangeError(f"unit {unit!r}: expected kg or lb")
        out["unit"] = unit
    if body_mass_kg is not None:
        lo, hi = BODY_MASS_KG
        if (not isinstance(body_mass_kg, (int, float)) or isinstance(body_mass_kg, bool) or math.isnan(body_mass_kg)
                or not lo <= body_mass_kg <= hi):
            raise ValueRangeError(f"body mass {body_mass_kg!r} kg: expected {lo:g}-{hi:g} kg; check the unit")
        out["body_mass_kg"] = round(float(body_mass_kg), 2)
    if sex is not None:
        if sex not in SEXES:
            raise ValueRangeError(f"sex {sex!r}: expected female or male (it sets the knee-angle thresholds)")
        out["sex"] = sex
    if default_tempo is not None:
        tempo = str(Tempo4.parse(default_tempo))  # §7 tempo: ecc-pause-con-pause, e.g. 3-1-2-0
        if len(tempo) > 16:
            raise ValueRangeError(f"tempo {default_tempo!r}: too long; use whole or half seconds, e.g. 3-1-2-0")
        out["default_tempo"] = tempo
    if wake_time is not None:
        out["wake_time"] = parse_wake_time(wake_time).strftime("%H:%M")
    if age_years is not None:
        if not isinstance(age_years, int) or isinstance(age_years, bool) or not 18 <= age_years <= 120:
            raise ValueRangeError(f"age {age_years!r}: backsafe's guidance is for adults (18-120)")
        out["age_years"] = age_years
    return out


def _equipment_kg(equipment: Mapping[str, Sequence[float | int | str]], unit: Unit) -> dict[str, list[float]]:
    """{kind: loads as typed (numbers in ``unit``, or "16kg"/"35lb")} → {kind: sorted kg} (§4 equipment steps)."""
    out: dict[str, list[float]] = {}
    for kind, loads in equipment.items():
        if kind not in EQUIPMENT_KINDS:
            raise ValueRangeError(f"equipment {kind!r}: expected one of {', '.join(EQUIPMENT_KINDS)}")
        if isinstance(loads, (str, bytes)) or not isinstance(loads, Sequence):
            raise ValueRangeError(f"equipment {kind}: expected a list of loads, e.g. [5, 10, 15]")
        if len(loads) > MAX_EQUIPMENT_ITEMS:
            raise ValueRangeError(f"equipment {kind}: {len(loads)} loads; at most {MAX_EQUIPMENT_ITEMS}")
        kgs = sorted({parse_load(v, unit) for v in loads})
        if any(k <= 0 for k in kgs):
            raise ValueRangeError(f"equipment {kind}: every load must be above 0")
        if kgs and kgs[-1] > MAX_LOAD_KG:
            raise ValueRangeError(f"equipment {kind}: {format_load(kgs[-1], unit)} is above "
                                  f"{format_load(MAX_LOAD_KG, unit)}; check the unit (kg or lb)")
        out[kind] = kgs
    return out


def validate_outcome(pain_week: int | None, psfs: Mapping[str, float] | None) -> dict[str, float]:
    """Check a weekly outcome record (§4 Outcome measures); returns the PSFS scores with names stripped."""
    if pain_week is None and not psfs:
        raise ValueRangeError("outcome: give the week's pain (0-10) or at least one PSFS activity score")
    if pain_week is not None:
        _pain("pain this week", pain_week)
    out: dict[str, float] = {}
    for name, score in (psfs or {}).items():
        act = str(name).strip()
        if not 1 <= len(act) <= 200:
            raise ValueRangeError(f"PSFS activity {name!r}: name it in 1-200 characters")
        if act in out:
            raise ValueRangeError(f"PSFS activity {act!r} is given twice")
        if (not isinstance(score, (int, float)) or isinstance(score, bool) or math.isnan(score)
                or not 0 <= score <= 10):
            raise ValueRangeError(f"PSFS {act!r} {score!r}: scored 0-10 (0 = unable, 10 = as before the problem)")
        out[act] = float(score)
    if len(out) > PSFS_MAX_ACTIVITIES:
        raise ValueRangeError(f"PSFS: {len(out)} activities; score 1-{PSFS_MAX_ACTIVITIES} that matter to you")
    return out


def profile_from_user(u: User) -> Profile:
    """The person's profile as the coach reads it (defaults where nothing was set)."""
    equipment = {k: tuple(float(x) for x in v) for k, v in json.loads(u.equipment_json or "{}").items()}
    return Profile(
        unit=cast(Unit, u.unit or "kg"),
        body_mass_kg=u.body_mass_kg,
        sex=cast(Any, u.sex),
        default_tempo=u.default_tempo,
        equipment=equipment,
        wake_time=parse_wake_time(u.wake_time) if u.wake_time else None,
        age_years=u.age_years,
        unit_chosen=u.unit is not None,
    )


def read_report_faults(path: Path) -> tuple[str | None, int | None, dict[str, int]]:
    """(exercise, rep_count, fault counts) from an analysis ``report.json`` (DESIGN.md report format)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise InputError(f"report {path}: file not found") from e
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"report {path}: not a readable JSON report ({e})") from e
    if not isinstance(doc, dict):
        raise InputError(f"report {path}: expected a JSON object with 'reps' and 'summary'")
    faults: dict[str, int] = {}
    summary = doc.get("summary") or {}
    if isinstance(summary, dict) and isinstance(summary.get("faults"), dict):
        for code, n in summary["faults"].items():
            faults[str(code)] = int(n)
    else:
        for rep in doc.get("reps") or []:
            for f in rep.get("faults") or []:
                faults[f["code"]] = faults.get(f["code"], 0) + 1
    bad = sorted(set(faults) - set(FAULT_CODES))
    if bad:
        raise InputError(f"report {path}: unknown fault codes {bad}")
    rc = doc.get("rep_count")
    return doc.get("exercise"), (int(rc) if rc is not None else None), faults


@dataclass(frozen=True, slots=True)
class LogResult:
    entry_id: int
    date: dt.date
    exercise: str
    flags: tuple[Flag, ...]
    load_kg: float = 0.0
    unit: Unit = "kg"

    @property
    def load_shown(self) -> str:
        """The logged load in the person's unit ("30 lb", "bodyweight")."""
        return format_load(self.load_kg, self.unit)


@dataclass(frozen=True, slots=True)
class CheckinResult:
    """A saved morning check-in and the flags it raises (severe pain first, §1 severe pain)."""

    date: dt.date
    pain: int
    sleep_hours: float | None
    flags: tuple[Flag, ...]


def _to_logged(e: ExerciseEntry, ts: TrainingSession) -> LoggedEntry:
    faults: dict[str, int] = {}
    for r in e.reports:
        for k, v in json.loads(r.faults_json).items():
            faults[k] = faults.get(k, 0) + int(v)
    return LoggedEntry(
        date=ts.date, exercise=e.exercise, load_kg=e.load_kg, sets=e.sets, reps=e.reps, rpe=e.rpe,
        pain_before=e.pain_before, pain_during=e.pain_during, pain_after=e.pain_after,
        warmup=_effective_warmup(e, ts), faults=faults, position=e.position,
    )


def _effective_warmup(e: ExerciseEntry, ts: TrainingSession) -> bool | None:
    """A warm-up logged with this entry or an earlier one of the same session counts for this entry."""
    if any(x.warmup for x in ts.entries if x.position <= e.position):
        return True
    return e.warmup


class LogBook:
    """One user's training log in an open database."""

    def __init__(self, db: Database, user: str = crud.DEFAULT_USER) -> None:
        if not user or len(user) > 100:
            raise ValueRangeError(f"user name {user!r}: expected 1-100 characters")
        self.db = db
        self.user = user

    def _user_id(self, s: Any) -> int:
        return crud.get_or_create_user(s, self.user).id

    # --- reads -------------------------------------------------------------------------------------------------
    def history(self) -> History:
        with self.db.session() as s:
            u = crud.get_or_create_user(s, self.user)
            uid = u.id
            entries = [_to_logged(e, ts) for ts in crud.list_sessions(s, uid) for e in ts.entries]
            checkins_rows = crud.list_checkins(s, uid)
            checkins = {c.date: c.pain for c in checkins_rows}
            sleep = {c.date: c.sleep_hours for c in checkins_rows if c.sleep_hours is not None}
            tri = tuple(TriageEntry(t.date, t.outcome, json.loads(t.answers_json)) for t in crud.list_triage(s, uid))
            clear = tuple(Clearance(c.date, frozenset(json.loads(c.flags_json)), c.note)
                          for c in crud.list_clearances(s, uid))
            outs = tuple(OutcomeRecord(o.date, cast(Any, o.kind), o.score, o.activity)
                         for o in crud.list_outcomes(s, uid))
            profile = profile_from_user(u)
        return History(entries=tuple(entries), checkins=checkins, triage=tri, clearances=clear, outcomes=outs,
                       sleep=sleep, profile=profile)

    def profile(self) -> Profile:
        """The person's profile (unit, body mass, sex, tempo, equipment, wake time, age)."""
        with self.db.session() as s:
            return profile_from_user(crud.get_or_create_user(s, self.user))

    def counts(self) -> dict[str, int]:
        with self.db.session() as s:
            return crud.count_log_rows(s, self._user_id(s))

    # --- writes --------------------------------------------------------------------------------------------------
    def set_profile(self, *, unit: str | None = None, body_mass_kg: float | None = None, sex: str | None = None,
                    default_tempo: str | None = None,
                    equipment: Mapping[str, Sequence[float | int | str]] | None = None,
                    wake_time: str | None = None, age_years: int | None = None) -> Profile:
        """Set the given profile fields (others stay); returns the profile after the change.

        ``equipment`` maps a kind (dumbbell, kettlebell, barbell) to the loads the person owns: numbers in their
        unit (the one set in this call, else the stored one) or strings like "16kg"; a kind given replaces the
        stored list of that kind, an empty list clears it (back to the standard steps, §4).
        """
        fields = validate_profile(unit=unit, body_mass_kg=body_mass_kg, sex=sex, default_tempo=default_tempo,
                                  wake_time=wake_time, age_years=age_years)
        with self.db.session() as s:
            u = crud.get_or_create_user(s, self.user)
            if equipment is not None:
                eq_unit = cast(Unit, fields.get("unit", u.unit or "kg"))
                stored = json.loads(u.equipment_json or "{}")
                for kind, kgs in _equipment_kg(equipment, eq_unit).items():
                    if kgs:
                        stored[kind] = kgs
                    else:
                        stored.pop(kind, None)
                fields["equipment_json"] = json.dumps(dict(sorted(stored.items()))) if stored else None
            crud.set_profile_fields(s, u, **fields)
            return profile_from_user(u)

    def log(self, *, date: dt.date, exercise: str, load_kg: float | None = None, sets: int, reps: int,
            rpe: float | None = None, pain_before: int | None = None, pain_during: int | None = None,
            pain_after: int | None = None, warmup: bool | None = None, report: Path | None = None,
            today: dt.date | None = None, load: str | float | None = None) -> LogResult:
        """Log one exercise; returns the flags this entry raises (judged against the log before it).

        The load is ``load_kg`` (kg) or ``load`` as the person types it ("30lb", "13.6kg", or a number in their
        unit, §4 units); neither = bodyweight. Stored in kg.
        """
        ex = get_exercise(exercise)
        check_date(date, today)
        hist_all = self.history()
        unit = hist_all.profile.unit
        if load is not None and load_kg is not None:
            raise ValueRangeError("give the load once: either load (e.g. 30lb) or load_kg")
        # §4 units: a person who never chose a unit chooses it with the first load they type with one ("30lb")
        adopt = typed_unit(load) if load is not None and not hist_all.profile.unit_chosen else None
        if adopt is not None:
            unit = adopt
            # the flags of this very entry already speak in the unit it chose
            hist_all = replace(hist_all, profile=replace(hist_all.profile, unit=adopt, unit_chosen=True))
        if load is not None:
            load_kg = parse_load(load, unit)
        kg = 0.0 if load_kg is None else load_kg
        validate_entry_values(load_kg=kg, sets=sets, reps=reps, rpe=rpe, pain_before=pain_before,
                              pain_during=pain_during, pain_after=pain_after)
        check_plausible(ex, float(kg), unit)  # §4 plausibility [H]: a 400 kg goblet squat is refused
        rep_info = read_report_faults(report) if report is not None else None
        if rep_info and rep_info[0] and rep_info[0] != ex.id:
            raise InputError(f"report {report} is for {rep_info[0]!r}, not {ex.id!r}")
        stored_kg = round(float(kg), 3)
        with self.db.session() as s:
            uid = self._user_id(s)
            if adopt is not None:
                crud.get_or_create_user(s, self.user).unit = adopt
            entry = crud.add_entry(s, uid, date=date, exercise=ex.id, load_kg=stored_kg, sets=sets,
                                   reps=reps, rpe=rpe, pain_before=pain_before, pain_during=pain_during,
                                   pain_after=pain_after, warmup=warmup)
            if rep_info is not None and report is not None:
                crud.add_report(s, uid, entry, path=str(Path(report).resolve()), rep_count=rep_info[1],
                                faults=rep_info[2])
            s.flush()
            s.refresh(entry.session)
            logged = _to_logged(entry, entry.session)
            prior = hist_all.with_entries(
                tuple(e for e in hist_all.entries if (e.date, e.position) < (date, entry.position)))
            flags = tuple(sort_flags(flags_for_entry(logged, prior)))
            return LogResult(entry.id, date, ex.id, flags, stored_kg, unit)

    def checkin(self, *, date: dt.date, pain: int, sleep_hours: float | None = None,
                today: dt.date | None = None) -> CheckinResult:
        """Save the morning check-in (pain 0-10, hours slept) and return the flags it raises: severe pain on a
        morning score (§1 severe pain), stop-level first."""
        check_date(date, today)
        _pain("pain", pain)
        _sleep(sleep_hours)
        hist = self.history()
        sleep = dict(hist.sleep)
        if sleep_hours is not None:
            sleep[date] = float(sleep_hours)
        # the flags judge the log as it will be with this check-in (flags.checkin_flags contract)
        after = replace(hist, checkins={**hist.checkins, date: pain}, sleep=sleep)
        flags = tuple(sort_flags(checkin_flags(date, pain, after)))
        with self.db.session() as s:
            c = crud.upsert_checkin(s, self._user_id(s), date, pain,
                                    None if sleep_hours is None else round(float(sleep_hours), 2))
            return CheckinResult(date, pain, c.sleep_hours, flags)

    def triage(self, answers: TriageAnswers, *, date: dt.date, today: dt.date | None = None) -> TriageResult:
        """Triage ``answers`` for ``date`` and store them; a clinician's clearance is stored with the flags it
        covers, in the same transaction (§1 State)."""
        check_date(date, today)
        if answers.injury_date is not None:
            check_date(answers.injury_date, today, what="injury date")
        hist = self.history()
        previous = [t for t in hist.triage if t.date <= date]
        new: Clearance | None = None
        clearances = tuple(c for c in hist.clearances if c.date <= date)
        if answers.clinician_cleared:
            # §1 State: the clearance is stored once, with its date and the flags it covers (none to cover: none)
            scope = frozenset(triage_rules.clearance_scope(answers, previous, date))
            if scope:
                new = Clearance(date, scope)
                clearances += (new,)
        result = triage_rules.triage(answers, date, previous=previous, clearances=clearances)
        with self.db.session() as s:
            uid = self._user_id(s)
            if new is not None:
                crud.add_clearance(s, uid, new.date, sorted(new.flags), new.note)
            crud.add_triage(s, uid, date, result.outcome, answers.to_json())
        return result

    def outcome(self, *, date: dt.date, pain_week: int | None = None, psfs: Mapping[str, float] | None = None,
                today: dt.date | None = None) -> tuple[OutcomeRecord, ...]:
        """Store the week's outcome measures (§4 Outcome measures): average pain NRS 0-10 over the last week and
        1-5 PSFS activities scored 0-10. A second record on the same date replaces the first."""
        check_date(date, today)
        scores = validate_outcome(pain_week, psfs)
        out: list[OutcomeRecord] = []
        with self.db.session() as s:
            uid = self._user_id(s)
            if pain_week is not None:
                crud.upsert_outcome(s, uid, date, "pain_nrs", float(pain_week))
                out.append(OutcomeRecord(date, "pain_nrs", float(pain_week)))
            for act, score in scores.items():
                crud.upsert_outcome(s, uid, date, "psfs", score, act)
                out.append(OutcomeRecord(date, "psfs", score, act))
        return tuple(out)

    def plan(self, *, date: dt.date, exercises: list[str] | None = None, wake_time: str | None = None,
             age_years: int | None = None, extra_faults: Mapping[str, int] | None = None) -> Plan:
        for e in exercises or []:
            get_exercise(e)
        hist = self.history()
        wt = parse_wake_time(wake_time) if wake_time is not None else (hist.profile.wake_time or DEFAULT_WAKE_TIME)
        age = age_years if age_years is not None else hist.profile.age_years
        return build_plan(hist, date, wake_time=wt, age_years=age,
                          exercises=[get_exercise(e).id for e in exercises] if exercises else None,
                          extra_faults=dict(extra_faults or {}))


def open_logbook(url: str | None = None, user: str = crud.DEFAULT_USER, *,
                 busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> LogBook:
    """Open (creating and migrating if needed) the log at ``url`` for ``user``."""
    return LogBook(open_database(url, busy_timeout_s=busy_timeout_s), user)
