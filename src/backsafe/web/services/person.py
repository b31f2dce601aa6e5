"""The person's profile, check-ins, outcome measures, clearances, dashboard and sharing with a coach."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TypedDict

from ...coach.history import History, LoggedEntry
from ...coach.logbook import CheckinResult
from ...coach.units import Profile, Unit, format_load, parse_load
from ...db.engine import Database
from ...errors import InputError
from .. import crud
from ..deps import CurrentUser
from ..errors import NotFound
from ..models import Job
from ..schemas import ProfileOut
from .uploads import _is_public_id
from .log import logbook


def profile_out(p: Profile) -> ProfileOut:
    doc = p.to_json()
    return ProfileOut(unit=p.unit, body_mass_kg=p.body_mass_kg,
                      body_mass=format_load(p.body_mass_kg, p.unit) if p.body_mass_kg else None, sex=p.sex,
                      default_tempo=p.default_tempo, equipment=doc["equipment"], equipment_unit=p.unit,
                      wake_time=doc["wake_time"], age_years=p.age_years)


def set_profile(db: Database, user_name: str, data: dict[str, Any]) -> Profile:
    """Set the profile fields given (None = keep). Body mass is "80kg", "176lb" or a number in the unit (the one
    given here, else the stored one); the coach checks every value (ValueRangeError → 400, one line)."""
    book = logbook(db, user_name)
    fields = {k: v for k, v in data.items() if v is not None}
    mass = fields.pop("body_mass", None)
    if mass is not None:
        unit: Unit = fields["unit"] if fields.get("unit") in ("kg", "lb") else book.profile().unit
        fields["body_mass_kg"] = parse_load(mass, unit)  # §4 units: stored in kg; the coach checks the range
    return book.set_profile(**fields)


def checkin(db: Database, user_name: str, day: dt.date, pain: int, sleep_hours: float | None) -> CheckinResult:
    return logbook(db, user_name).checkin(date=day, pain=pain, sleep_hours=sleep_hours)


def checkin_message(res: CheckinResult) -> str:
    """One plain line: the severe-pain warning first when there is one (§1 severe pain), else "saved"."""
    sleep = f", {res.sleep_hours:g} h of sleep" if res.sleep_hours is not None else ""
    saved = f"Check-in saved: {res.date.isoformat()}, pain {res.pain}/10{sleep}."
    stop = [f for f in res.flags if f.level == "stop"]
    if stop:
        return f"{stop[0].title}: {stop[0].message} ({saved})"
    return saved


def record_outcome(db: Database, user_name: str, day: dt.date, pain_week: int | None,
                   psfs: dict[str, float] | None) -> None:
    logbook(db, user_name).outcome(date=day, pain_week=pain_week, psfs=psfs)


def outcomes_out(db: Database, user_name: str) -> dict[str, Any]:
    """Every outcome record, oldest first, and the change from the first to the latest with whether it is
    meaningful (§4 Outcome measures: 2 NRS points or 30 %, 2 PSFS points)."""
    from ...coach.progress import outcome_changes

    hist = logbook(db, user_name).history()
    recs = sorted(hist.outcomes, key=lambda o: (o.date, o.kind, o.activity or ""))
    return {"records": [{"date": o.date.isoformat(), "kind": o.kind, "score": o.score, "activity": o.activity}
                        for o in recs],
            "changes": [c.to_json() for c in outcome_changes(hist.outcomes)]}


def explain_rules(ids: list[str]) -> list[dict[str, str]]:
    """The rules behind a plan, for the "Explain" switch: title, plain text, source and evidence (coach.rules)."""
    from ...coach.rules import RULES

    return [{"id": r.id, "title": r.title, "text": r.text, "source": r.source, "evidence": r.evidence}
            for r in (RULES[i] for i in dict.fromkeys(ids) if i in RULES)]


def clearance_for(db: Database, user_name: str, day: dt.date) -> dict[str, Any] | None:
    """The clearance stored on ``day`` (§1 State), with what it covers in plain words; None when there is none."""
    from ...coach.triage import QUESTIONS

    text = {q.id: q.text.rstrip("?") for q in QUESTIONS}
    found = [c for c in logbook(db, user_name).history().clearances if c.date == day]
    if not found:
        return None
    flags = sorted({f for c in found for f in c.flags})
    return {"date": day.isoformat(), "flags": flags, "covers": [text.get(f, f.replace("_", " ")) for f in flags]}


def clearances_list(hist: Any) -> list[dict[str, Any]]:
    from ...coach.triage import QUESTIONS

    text = {q.id: q.text.rstrip("?") for q in QUESTIONS}
    return [{"date": c.date.isoformat(), "covers": [text.get(f, f.replace("_", " ")) for f in sorted(c.flags)]}
            for c in sorted(hist.clearances, key=lambda c: c.date, reverse=True)]


def upload_load_kg(db: Database, user_id: int, report_id: str) -> float | None:
    """The load given when the clip of ``report_id`` (one of the user's own) was uploaded, if any."""
    from sqlalchemy import select

    if not _is_public_id(report_id):
        return None
    with db.session() as s:
        return s.scalars(select(Job.load_kg).where(Job.user_id == user_id, Job.report_public_id == report_id)
                         ).first()


class LatestOutcomes(TypedDict):
    """The latest week's outcome measures: its date, the pain over the week and the (activity, score) of PSFS."""

    date: str
    pain_week: float | None
    psfs: list[tuple[str, float]]


class Dashboard(TypedDict):
    """What the dashboard pages and /api/dashboard show of a person's log (:func:`dashboard_data`)."""

    recent: list[tuple[dt.date, list[LoggedEntry]]]  # the last 7 days trained, newest first
    trends: dict[str, Any]
    reports: list[tuple[str, str, int, dict[str, int], dt.datetime]]  # (id, exercise, reps, faults, created)
    fault_series: list[tuple[str, int]]  # (day, faults in the clip), oldest first
    checkins: list[tuple[dt.date, int]]
    plan: dict[str, Any] | None
    unit: Unit
    explain: list[dict[str, str]]
    outcome_changes: list[dict[str, Any]]
    outcome_latest: LatestOutcomes | None
    pain_series: list[tuple[str, int]]  # (day, the set's worst pain)


def dashboard_data(db: Database, owner_id: int, owner_name: str, *, with_plan: bool = True) -> Dashboard:
    from ...coach.progress import compute_trends

    book = logbook(db, owner_name)
    hist = book.history()
    trends = compute_trends(hist)
    with db.session() as s:
        reports = [(r.public_id, r.exercise, r.rep_count, json.loads(r.faults_json), r.created_at)
                   for r in crud.list_reports(s, owner_id, limit=20)]
    sessions: dict[dt.date, list[LoggedEntry]] = {}
    for e in hist.entries:
        sessions.setdefault(e.date, []).append(e)
    recent = sorted(sessions.items(), key=lambda kv: kv[0], reverse=True)[:7]
    fault_by_report = [(r[4].date().isoformat(), sum(r[3].values())) for r in reversed(reports)]
    plan = None
    if with_plan:
        try:
            plan = book.plan(date=dt.date.today()).to_json()
        except InputError:
            plan = None
    from ...coach.progress import outcome_changes

    return {"recent": recent, "trends": trends.to_json(), "reports": reports, "fault_series": fault_by_report,
            "checkins": sorted(hist.checkins.items()), "plan": plan, "unit": hist.profile.unit,
            "explain": explain_rules(plan["rules"]) if plan else [],
            "outcome_changes": [c.to_json() for c in outcome_changes(hist.outcomes)],
            "outcome_latest": _latest_outcomes(hist),
            "pain_series": [(e.date.isoformat(), e.max_pain) for e in hist.entries
                            if any(p is not None for p in (e.pain_before, e.pain_during, e.pain_after))]}


def _latest_outcomes(hist: History) -> LatestOutcomes | None:
    if not hist.outcomes:
        return None
    day = max(o.date for o in hist.outcomes)
    rec = [o for o in hist.outcomes if o.date == day]
    pain = next((o.score for o in rec if o.kind == "pain_nrs"), None)
    return {"date": day.isoformat(), "pain_week": pain,
            "psfs": sorted((o.activity or "", o.score) for o in rec if o.kind == "psfs")}



def share_with(db: Database, user: CurrentUser, coach_name: str) -> None:
    with db.session() as s:
        found = crud.find_account(s, coach_name.strip())
        if found is None or found[1].role != "coach" or found[0].id == user.id:
            raise NotFound(f"no coach account called {coach_name!r}")
        crud.add_share(s, user.id, found[0].id)


def unshare(db: Database, user: CurrentUser, coach_name: str) -> None:
    with db.session() as s:
        found = crud.find_account(s, coach_name.strip())
        if found is None or not crud.is_shared(s, user.id, found[0].id):
            raise NotFound(f"not shared with {coach_name!r}")
        crud.remove_share(s, user.id, found[0].id)


def shared_person(db: Database, coach: CurrentUser, person_id: int) -> str:
    """The name of a person who shares with this coach; NotFound otherwise (never says whether they exist)."""
    with db.session() as s:
        if not crud.is_shared(s, person_id, coach.id):
            raise NotFound("person not found")
        acc = crud.get_account(s, person_id)
        if acc is None:
            raise NotFound("person not found")
        return str(acc[0].name)
