"""The training log as a service: validated, transactional writes and the coach's reads (one user at a time).

Each public method is one transaction: on any error nothing is written. Values are checked before the database
is touched (:class:`~backsafe.errors.ValueRangeError`), exercise ids against the library
(:class:`~backsafe.errors.UnknownExerciseError`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..db import crud
from ..db.engine import DEFAULT_BUSY_TIMEOUT_S, Database, open_database
from ..db.models import ExerciseEntry, TrainingSession
from ..errors import InputError, ValueRangeError
from ..exercises import FAULT_CODES, get_exercise
from .flags import Flag, flags_for_entry
from .history import History, LoggedEntry, TriageEntry
from .plan import Plan, build_plan
from .recovery import DEFAULT_WAKE_TIME, parse_wake_time
from .triage import TriageAnswers, TriageResult, triage

__all__ = ["LogBook", "LogResult", "open_logbook", "validate_entry_values", "check_date", "read_report_faults",
           "MAX_LOAD_KG"]

MAX_LOAD_KG = 500.0


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
            uid = self._user_id(s)
            entries = [_to_logged(e, ts) for ts in crud.list_sessions(s, uid) for e in ts.entries]
            checkins = {c.date: c.pain for c in crud.list_checkins(s, uid)}
            tri = tuple(TriageEntry(t.date, t.outcome, json.loads(t.answers_json)) for t in crud.list_triage(s, uid))
        return History(entries=tuple(entries), checkins=checkins, triage=tri)

    def profile(self) -> tuple[dt.time, int | None]:
        with self.db.session() as s:
            u = crud.get_or_create_user(s, self.user)
            return (parse_wake_time(u.wake_time) if u.wake_time else DEFAULT_WAKE_TIME), u.age_years

    def counts(self) -> dict[str, int]:
        with self.db.session() as s:
            return crud.count_log_rows(s, self._user_id(s))

    # --- writes --------------------------------------------------------------------------------------------------
    def set_profile(self, *, wake_time: str | None = None, age_years: int | None = None) -> None:
        if wake_time is not None:
            parse_wake_time(wake_time)
        if age_years is not None and not 18 <= age_years <= 120:
            raise ValueRangeError(f"age {age_years}: backsafe's guidance is for adults (18-120)")
        with self.db.session() as s:
            u = crud.get_or_create_user(s, self.user)
            if wake_time is not None:
                u.wake_time = wake_time.strip()
            if age_years is not None:
                u.age_years = age_years

    def log(self, *, date: dt.date, exercise: str, load_kg: float, sets: int, reps: int, rpe: float | None = None,
            pain_before: int | None = None, pain_during: int | None = None, pain_after: int | None = None,
            warmup: bool | None = None, report: Path | None = None, today: dt.date | None = None) -> LogResult:
        """Log one exercise; returns the flags this entry raises (judged against the log before it)."""
        ex = get_exercise(exercise)
        check_date(date, today)
        validate_entry_values(load_kg=load_kg, sets=sets, reps=reps, rpe=rpe, pain_before=pain_before,
                              pain_during=pain_during, pain_after=pain_after)
        rep_info = read_report_faults(report) if report is not None else None
        if rep_info and rep_info[0] and rep_info[0] != ex.id:
            raise InputError(f"report {report} is for {rep_info[0]!r}, not {ex.id!r}")
        hist_all = self.history()
        with self.db.session() as s:
            uid = self._user_id(s)
            entry = crud.add_entry(s, uid, date=date, exercise=ex.id, load_kg=round(float(load_kg), 2), sets=sets,
                                   reps=reps, rpe=rpe, pain_before=pain_before, pain_during=pain_during,
                                   pain_after=pain_after, warmup=warmup)
            if rep_info is not None and report is not None:
                crud.add_report(s, uid, entry, path=str(Path(report).resolve()), rep_count=rep_info[1],
                                faults=rep_info[2])
            s.flush()
            s.refresh(entry.session)
            logged = _to_logged(entry, entry.session)
            prior = History(
                entries=tuple(e for e in hist_all.entries if (e.date, e.position) < (date, entry.position)),
                checkins=hist_all.checkins, triage=hist_all.triage)
            flags = tuple(flags_for_entry(logged, prior))
            return LogResult(entry.id, date, ex.id, flags)

    def checkin(self, *, date: dt.date, pain: int, today: dt.date | None = None) -> None:
        check_date(date, today)
        _pain("pain", pain)
        with self.db.session() as s:
            crud.upsert_checkin(s, self._user_id(s), date, pain)

    def triage(self, answers: TriageAnswers, *, date: dt.date, today: dt.date | None = None) -> TriageResult:
        check_date(date, today)
        if answers.injury_date is not None:
            check_date(answers.injury_date, today, what="injury date")
        hist = self.history()
        previous = [(t.date, t.outcome) for t in hist.triage if t.date <= date]
        result = triage(answers, date, previous=previous)
        with self.db.session() as s:
            crud.add_triage(s, self._user_id(s), date, result.outcome, answers.to_json())
        return result

    def plan(self, *, date: dt.date, exercises: list[str] | None = None, wake_time: str | None = None,
             age_years: int | None = None, extra_faults: Mapping[str, int] | None = None) -> Plan:
        for e in exercises or []:
            get_exercise(e)
        wt, age = self.profile()
        if wake_time is not None:
            wt = parse_wake_time(wake_time)
        if age_years is not None:
            age = age_years
        return build_plan(self.history(), date, wake_time=wt, age_years=age,
                          exercises=[get_exercise(e).id for e in exercises] if exercises else None,
                          extra_faults=dict(extra_faults or {}))


def open_logbook(url: str | None = None, user: str = crud.DEFAULT_USER, *,
                 busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> LogBook:
    """Open (creating and migrating if needed) the log at ``url`` for ``user``."""
    return LogBook(open_database(url, busy_timeout_s=busy_timeout_s), user)
