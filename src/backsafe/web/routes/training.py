"""The training pages: the log (entries, edits, deletions), the morning check-in, triage, the plan, the exercise
library, and the coach's view of the people who share with them. Forms post with a CSRF token; every page needs a
session (and the coach pages a coach)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from ...coach.triage import CLINICIAN_QUESTIONS, EMERGENCY_QUESTIONS, SOFT_QUESTIONS, answers_from_mapping
from ...coach.units import format_load
from ...errors import BacksafeError, ValueRangeError
from ...exercises import load_library
from .. import crud, services
from ..deps import DbDep, RowId, StorageDep, UserDep, coach_user, current_user, verify_csrf
from ..responses import render, see_other, status_for
from .charts import pain_charts
from .forms import exercise_choices, form_date, opt_float, opt_int

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(current_user), Depends(verify_csrf)])
Html = HTMLResponse


# --- log, check-in, triage, plan ---------------------------------------------------------------------------------

def _log_ctx(user_name: str, db: Any) -> dict[str, Any]:
    from ...coach.plan import day_gate

    hist = services.logbook(db, user_name).history()
    today = dt.date.today()
    tier, _ = day_gate(hist, today)  # §1 State: the day's tier, shown beside the log form when it is not "go ahead"
    return {"entries": list(reversed(hist.entries))[:50], "rows": services.log_rows(db, user_name),
            "checkins": sorted(hist.checkins.items(), reverse=True)[:14],
            "sleep": dict(hist.sleep), "exercises": exercise_choices(), "today": today.isoformat(),
            "unit": hist.profile.unit, "tier": tier.to_json()}


def _shown_number(kg: float, unit: str) -> str:
    text = format_load(kg, "lb" if unit == "lb" else "kg")
    return "0" if text == "bodyweight" else text.split()[0]


@router.get("/log", response_class=Html)
def log_page(request: Request, user: UserDep, db: DbDep) -> Response:
    ctx = _log_ctx(user.name, db)
    ctx["report_id"] = request.query_params.get("report", "")[:32]
    ctx["pre_exercise"] = request.query_params.get("exercise", "")[:64]
    if ctx["report_id"] and not ctx["pre_exercise"]:  # the exercise of the clip, carried over
        ctx["pre_exercise"] = services.report_exercise(db, user.id, ctx["report_id"]) or ""
    if ctx["report_id"]:
        kg = services.upload_load_kg(db, user.id, ctx["report_id"])  # the load given at upload
        if kg:
            ctx["pre_load"] = _shown_number(kg, ctx["unit"])
    return render(request, "log.html", ctx)


@router.post("/log", response_class=Html)
def log_post(request: Request, user: UserDep, db: DbDep, storage: StorageDep,
             exercise: Annotated[str, Form(max_length=64)], sets: Annotated[str, Form(max_length=8)],
             reps: Annotated[str, Form(max_length=8)], date: Annotated[str, Form(max_length=10)] = "",
             load: Annotated[str, Form(max_length=16)] = "", load_kg: Annotated[str, Form(max_length=16)] = "",
             rpe: Annotated[str, Form(max_length=8)] = "",
             pain_before: Annotated[str, Form(max_length=4)] = "", pain_during: Annotated[str, Form(max_length=4)] = "",
             pain_after: Annotated[str, Form(max_length=4)] = "", warmup: Annotated[str, Form(max_length=8)] = "",
             report_id: Annotated[str, Form(max_length=32)] = "") -> Response:
    try:
        day = form_date(date)
        # the load as typed in the person's unit ("30", "30lb", "13.6kg"); load_kg (kg) from older forms
        loads: dict[str, Any] = ({"load": load.strip()} if load.strip() else
                                 {"load_kg": opt_float(load_kg)} if load_kg.strip() else {})
        res = services.log_entry(db, storage, user, {
            "date": day, "exercise": exercise, **loads,
            "sets": opt_int(sets) or 0, "reps": opt_int(reps) or 0, "rpe": opt_float(rpe),
            "pain_before": opt_int(pain_before), "pain_during": opt_int(pain_during),
            "pain_after": opt_int(pain_after), "warmup": {"yes": True, "no": False}.get(warmup),
            "report_id": report_id.strip() or None})
    except BacksafeError as e:
        ctx = _log_ctx(user.name, db)
        ctx["error"] = str(e)
        return render(request, "log.html", ctx, status_code=status_for(e))
    ctx = _log_ctx(user.name, db)
    ctx["flags"] = [f.to_json() for f in res.flags]
    ctx["saved"] = True
    ctx["saved_text"] = (f"{services.exercise_name(res.exercise)}, {res.load_shown}"
                         f" on {res.date.isoformat()}")
    return render(request, "log.html", ctx)


def _entry_form(date: str, exercise: str, load: str, sets: str, reps: str, rpe: str, pain_before: str,
                pain_during: str, pain_after: str, warmup: str) -> dict[str, Any]:
    return {"date": form_date(date), "exercise": exercise, "load": load.strip() or None, "sets": opt_int(sets) or 0,
            "reps": opt_int(reps) or 0, "rpe": opt_float(rpe), "pain_before": opt_int(pain_before),
            "pain_during": opt_int(pain_during), "pain_after": opt_int(pain_after),
            "warmup": {"yes": True, "no": False}.get(warmup)}


@router.get("/log/entries/{entry_id}/edit", response_class=Html)
def log_entry_edit_form(request: Request, entry_id: RowId, user: UserDep, db: DbDep) -> Response:
    e = services.get_log_entry(db, user.name, entry_id)
    unit = services.logbook(db, user.name).profile().unit
    return render(request, "log_entry.html", {"e": e, "unit": unit, "shown_load": _shown_number(e["load_kg"], unit),
                                               "exercises": exercise_choices(), "today": dt.date.today().isoformat()})


def _own_entry(entry_id: RowId, user: UserDep, db: DbDep) -> int:
    return services.own_log_entry(db, user, entry_id)


@router.post("/log/entries/{entry_id}", response_class=Html, dependencies=[Depends(_own_entry)])
def log_entry_edit(request: Request, entry_id: RowId, user: UserDep, db: DbDep,
                   exercise: Annotated[str, Form(max_length=64)], sets: Annotated[str, Form(max_length=8)],
                   reps: Annotated[str, Form(max_length=8)], date: Annotated[str, Form(max_length=10)] = "",
                   load: Annotated[str, Form(max_length=16)] = "", rpe: Annotated[str, Form(max_length=8)] = "",
                   pain_before: Annotated[str, Form(max_length=4)] = "",
                   pain_during: Annotated[str, Form(max_length=4)] = "",
                   pain_after: Annotated[str, Form(max_length=4)] = "",
                   warmup: Annotated[str, Form(max_length=8)] = "") -> Response:
    try:
        services.edit_log_entry(db, user.name, entry_id, _entry_form(date, exercise, load, sets, reps, rpe,
                                                                      pain_before, pain_during, pain_after, warmup))
    except BacksafeError as err:
        if status_for(err) == 404:
            raise
        unit = services.logbook(db, user.name).profile().unit
        e = services.get_log_entry(db, user.name, entry_id)
        return render(request, "log_entry.html", {"e": e, "unit": unit, "shown_load": load, "error": str(err),
                                                   "exercises": exercise_choices(),
                                                   "today": dt.date.today().isoformat()}, status_code=status_for(err))
    return see_other("/log?ok=entry_saved")


@router.get("/log/entries/{entry_id}/delete", response_class=Html)
def log_entry_delete_confirm(request: Request, entry_id: RowId, user: UserDep, db: DbDep) -> Response:
    """Deleting asks first: this page names the entry and has the one button that deletes it."""
    e = services.get_log_entry(db, user.name, entry_id)
    unit = services.logbook(db, user.name).profile().unit
    return render(request, "log_entry.html", {"e": e, "unit": unit, "confirm_delete": True})


@router.post("/log/entries/{entry_id}/delete")
def log_entry_delete(entry_id: RowId, user: UserDep, db: DbDep) -> Response:
    services.delete_log_entry(db, user.name, entry_id)
    return see_other("/log?ok=entry_deleted")


@router.post("/checkin", response_class=Html)
def checkin_post(request: Request, user: UserDep, db: DbDep, pain: Annotated[str, Form(max_length=4)],
                 date: Annotated[str, Form(max_length=10)] = "",
                 sleep_hours: Annotated[str, Form(max_length=8)] = "") -> Response:
    day = form_date(date)
    p = opt_int(pain)
    if p is None:
        raise ValueRangeError("pain: give a score from 0 to 10")
    res = services.checkin(db, user.name, day, p, opt_float(sleep_hours))
    if not res.flags:
        return see_other("/log?ok=checkin")
    # §1 severe pain: the warning is shown at once, first, instead of only "saved"
    ctx = _log_ctx(user.name, db)
    ctx["flags"] = [f.to_json() for f in res.flags]
    ctx["checkin_saved"] = f"Check-in saved: {day.isoformat()}, pain {p}/10."
    return render(request, "log.html", ctx)


def _triage_groups() -> list[tuple[str, Any]]:
    return [("Right now", EMERGENCY_QUESTIONS), ("Your history", CLINICIAN_QUESTIONS), ("Today", SOFT_QUESTIONS)]


@router.get("/triage", response_class=Html)
def triage_page(request: Request, user: UserDep, db: DbDep) -> Response:
    hist = services.logbook(db, user.name).history()
    return render(request, "triage.html", {"groups": _triage_groups(),
                                           "clearances": services.clearances_list(hist)})


@router.post("/triage", response_class=Html)
async def triage_post(request: Request, user: UserDep, db: DbDep) -> Response:
    form = await request.form()
    flags = [str(v) for v in form.getlist("flag")][:40]
    cleared = form.get("clinician_cleared") == "yes"
    doc: dict[str, Any] = {"flags": flags, "clinician_cleared": cleared}
    injury = str(form.get("injury_date") or "").strip()
    if injury:
        doc["injury_date"] = injury
    answers = answers_from_mapping(doc)
    today = dt.date.today()
    res = services.logbook(db, user.name).triage(answers, date=today)
    return render(request, "triage_result.html", {
        "t": res.to_json(), "cleared_asked": cleared,
        "clearance": services.clearance_for(db, user.name, today) if cleared else None})


@router.get("/plan", response_class=Html)
def plan_page(request: Request, user: UserDep, db: DbDep) -> Response:
    plan = services.logbook(db, user.name).plan(date=dt.date.today()).to_json()
    return render(request, "plan.html", {"plan": plan, "person": None,
                                         "explain": services.explain_rules(plan["rules"])})


@router.get("/exercises", response_class=Html)
def exercises_page(request: Request) -> Response:
    return render(request, "exercises.html", {"exercises": list(load_library().values())})


# --- coach -------------------------------------------------------------------------------------------------------

@router.get("/coach", response_class=Html, dependencies=[Depends(coach_user)])
def coach_page(request: Request, user: UserDep, db: DbDep) -> Response:
    with db.session() as s:
        people = crud.list_shared_with(s, user.id)
    return render(request, "coach.html", {"people": people})


@router.get("/coach/people/{person_id}", response_class=Html, dependencies=[Depends(coach_user)])
def coach_person(request: Request, person_id: RowId, user: UserDep, db: DbDep) -> Response:
    name = services.shared_person(db, user, person_id)
    with db.session() as s:
        reps = [services.report_out(r, name) for r in crud.list_reports(s, person_id)]
        comments = [(c.created_at, author, c.text) for c, author in crud.list_comments(s, person_id)]
    d = services.dashboard_data(db, person_id, name)
    return render(request, "coach_person.html", {
        "name": name, "person_id": person_id, "reports": reps, "d": d, "comments": comments,
        "pain_rows": services.log_rows(db, name, limit=30), **pain_charts(d)})


@router.get("/coach/people/{person_id}/plan", response_class=Html, dependencies=[Depends(coach_user)])
def coach_person_plan(request: Request, person_id: RowId, user: UserDep, db: DbDep) -> Response:
    name = services.shared_person(db, user, person_id)
    plan = services.logbook(db, name).plan(date=dt.date.today()).to_json()
    return render(request, "plan.html", {"plan": plan, "person": name,
                                         "explain": services.explain_rules(plan["rules"])})


def _shared_dep(person_id: RowId, user: UserDep, db: DbDep) -> int:
    services.shared_person(db, user, person_id)  # 404 before the form is read
    return person_id


@router.post("/coach/people/{person_id}/comments", dependencies=[Depends(coach_user), Depends(_shared_dep)])
def coach_comment(person_id: RowId, user: UserDep, db: DbDep,
                  text: Annotated[str, Form(min_length=1, max_length=2000)]) -> Response:
    services.shared_person(db, user, person_id)
    if not text.strip():
        raise ValueRangeError("comment: write something")
    with db.session() as s:
        crud.add_comment(s, person_id, user.id, text.strip())
    return see_other(f"/coach/people/{person_id}?ok=commented")
