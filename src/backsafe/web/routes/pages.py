"""Server-rendered pages (Jinja2, a little vanilla JS for live progress). Forms post with a CSRF token; every page
but sign-up and log-in needs a session."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from markupsafe import Markup

from ..._version import __version__
from ...coach.triage import CLINICIAN_QUESTIONS, EMERGENCY_QUESTIONS, SOFT_QUESTIONS, answers_from_mapping
from ...coach.units import format_load, parse_load
from ...errors import BacksafeError, ValueRangeError
from ...exercises import load_library
from .. import crud, services
from ..auth import hash_token
from ..deps import (
    SESSION_COOKIE,
    DbDep,
    OptionalUserDep,
    RowId,
    SettingsDep,
    StorageDep,
    UserDep,
    client_address,
    coach_user,
    current_user,
    verify_csrf,
)
from ..errors import NotFound
from ..responses import render, see_other, status_for
from .api import set_device_cookie, set_session_cookie, trusted_device
from .files import report_file_response
from .forms import opt_float, opt_int

__all__ = ["public", "router", "render"]

public = APIRouter(include_in_schema=False)
router = APIRouter(include_in_schema=False, dependencies=[Depends(current_user), Depends(verify_csrf)])
Html = HTMLResponse

def sparkline(points: list[tuple[str, float]], *, y_max: float, label: str, unit: str = "") -> Markup:
    """A small SVG line chart with its axes: the value axis (0 to ``y_max``, ``unit`` named) and the dates of the
    first and last point under the time axis; one point is drawn as a dot with its value. Numbers and escaped
    labels only: nothing user-typed is put in the markup unescaped."""
    w, h, left, right, top, bottom = 340, 130, 34, 10, 18, 24
    if not points:
        return Markup('<p class="muted">No data yet.</p>')
    esc = Markup.escape
    n = len(points)
    pw, ph = w - left - right, h - top - bottom
    xs = [left + pw * (i / (n - 1) if n > 1 else 0.5) for i in range(n)]
    ys = [top + ph - ph * min(max(v, 0.0), y_max) / y_max for _, v in points]
    poly = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1f6feb"><title>{esc(d)}: {v:g}</title></circle>'
                   for x, y, (d, v) in zip(xs, ys, points, strict=True))
    ticks = "".join(
        f'<line x1="{left - 3}" y1="{top + ph - ph * f:.1f}" x2="{left + pw}" y2="{top + ph - ph * f:.1f}" '
        f'stroke="#d0d7de" stroke-width="0.5"/><text x="{left - 5}" y="{top + ph - ph * f + 3:.1f}" '
        f'text-anchor="end" font-size="9">{y_max * f:g}</text>' for f in (0.0, 0.5, 1.0))
    first, last = esc(points[0][0][:10]), esc(points[-1][0][:10])
    dates = (f'<text x="{left}" y="{h - 8}" font-size="9">{first}</text>'
             + (f'<text x="{left + pw}" y="{h - 8}" font-size="9" text-anchor="end">{last}</text>' if n > 1 else ""))
    single = (f'<text x="{xs[0] + 6:.1f}" y="{ys[0] - 6:.1f}" font-size="10">{points[0][1]:g}</text>'
              if n == 1 else "")
    unit_text = f'<text x="2" y="11" font-size="9">{esc(unit)}</text>' if unit else ""
    svg = (f'<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{esc(label)}'
           f'{(" (" + esc(unit) + ")") if unit else ""}, {n} point{"s" if n != 1 else ""}, {first} to {last}">'
           f'<rect x="0" y="0" width="{w}" height="{h}" fill="#f6f8fa"/>{ticks}'
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#57606a"/>'
           f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#57606a"/>{unit_text}{dates}'
           f'<polyline points="{poly}" fill="none" stroke="#1f6feb" stroke-width="2"/>{dots}{single}</svg>')
    return Markup(svg)  # nosec B704 - only numbers formatted by this function and escaped labels are in it


# --- public pages ------------------------------------------------------------------------------------------------

@public.get("/", response_class=Html)
def home(user: OptionalUserDep) -> Response:
    return see_other("/dashboard" if user else "/login")


@public.get("/health")
def health_page() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


@public.get("/signup", response_class=Html)
def signup_form(request: Request, user: OptionalUserDep) -> Response:
    return render(request, "signup.html")


@public.post("/signup", response_class=Html, dependencies=[Depends(verify_csrf)])
def signup(request: Request, db: DbDep, settings: SettingsDep, name: Annotated[str, Form(max_length=100)],
           password: Annotated[str, Form(max_length=256)],
           role: Annotated[str, Form(max_length=16)] = "person") -> Response:
    try:
        services.sign_up(db, name, password, role)
        # logged in at once (no second form): a new session, the same way a log-in makes one
        token, uid = services.log_in(db, request.app.state.limiter, settings, name, password,
                                     client_address(request), old_session=request.cookies.get(SESSION_COOKIE))
    except BacksafeError as e:
        return render(request, "signup.html", {"error": str(e), "name": name}, status_code=status_for(e))
    resp = see_other("/dashboard?ok=welcome")
    set_session_cookie(request, resp, token, settings.session_days, settings.https)
    set_device_cookie(request, resp, settings, name.strip())
    return resp


@public.get("/login", response_class=Html)
def login_form(request: Request, user: OptionalUserDep) -> Response:
    return render(request, "login.html")


@public.post("/login", response_class=Html, dependencies=[Depends(verify_csrf)])
def login(request: Request, db: DbDep, settings: SettingsDep, name: Annotated[str, Form(max_length=100)],
          password: Annotated[str, Form(max_length=256)]) -> Response:
    try:
        token, uid = services.log_in(db, request.app.state.limiter, settings, name, password,
                                     client_address(request), old_session=request.cookies.get(SESSION_COOKIE),
                                     trusted=trusted_device(request, settings, name))
    except BacksafeError as e:
        code = getattr(e, "status_code", 401)
        headers = {"Retry-After": str(e.retry_after_s)} if hasattr(e, "retry_after_s") else None
        return render(request, "login.html", {"error": str(e), "name": name}, status_code=code, headers=headers)
    resp = see_other("/dashboard")
    set_session_cookie(request, resp, token, settings.session_days, settings.https)
    with db.session() as s:
        acc = crud.get_account(s, uid)
        if acc is not None:
            set_device_cookie(request, resp, settings, acc[0].name)
    return resp


# --- signed-in pages ---------------------------------------------------------------------------------------------

@router.post("/logout")
def logout(request: Request, db: DbDep) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        with db.session() as s:
            crud.delete_session(s, hash_token(cookie))
    resp = see_other("/login")
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.get("/dashboard", response_class=Html)
def dashboard(request: Request, user: UserDep, db: DbDep) -> Response:
    d = services.dashboard_data(db, user.id, user.name)
    with db.session() as s:
        jobs = [services.job_out(j) for j in crud.list_jobs(s, user.id, limit=5)]
        comments = [(c.created_at, author, c.text) for c, author in crud.list_comments(s, user.id, limit=10)]
    return render(request, "dashboard.html", {
        "d": d, "jobs": jobs, "comments": comments,
        "pain_chart": sparkline([(a, float(b)) for a, b in d["pain_series"]], y_max=10, label="pain per set",
                                unit="pain 0-10"),
        "morning_chart": sparkline([(a.isoformat(), float(b)) for a, b in d["checkins"]], y_max=10,
                                   label="morning pain", unit="pain 0-10"),
        "fault_chart": sparkline([(a, float(b)) for a, b in d["fault_series"]],
                                 y_max=max([1.0] + [float(b) for _, b in d["fault_series"]]), label="faults per clip",
                                 unit="faults"),
    })


@router.post("/outcomes", response_class=Html)
async def outcomes_post(request: Request, user: UserDep, db: DbDep) -> Response:
    """The dashboard's weekly measures form: pain over the week and up to 3 PSFS activities with their scores."""
    form = await request.form()
    acts = [str(a).strip()[:200] for a in form.getlist("activity")][:5]
    scores = [str(x)[:8] for x in form.getlist("score")][:5]
    psfs: dict[str, float] = {}
    for act, score in zip(acts, scores, strict=False):
        val = opt_float(score)
        if act and val is not None:
            if act in psfs:
                raise ValueRangeError(f"PSFS activity {act!r} is given twice")
            psfs[act] = val
        elif act or val is not None:
            raise ValueRangeError("PSFS: give each activity a name and a score from 0 to 10")
    pain = opt_int(str(form.get("pain_week") or "")[:4])
    services.record_outcome(db, user.name, dt.date.today(), pain, psfs or None)
    return see_other("/dashboard?ok=outcome")


def _exercise_choices() -> list[tuple[str, str]]:
    return [(e.id, e.name) for e in load_library().values()]


def _reference_choices(db: Any, user_id: int) -> list[tuple[str, str]]:
    """The user's own reports, newest first, as (id, label) for the upload form's reference choice."""
    with db.session() as s:
        return [(r.public_id, f"{r.exercise} · {r.rep_count} reps · {r.created_at:%Y-%m-%d %H:%M}")
                for r in crud.list_reports(s, user_id, limit=50)]


@router.get("/upload", response_class=Html)
def upload_form(request: Request, user: UserDep, db: DbDep, settings: SettingsDep) -> Response:
    return render(request, "upload.html", {"exercises": _exercise_choices(), "settings": settings,
                                           "references": _reference_choices(db, user.id),
                                           "unit": services.logbook(db, user.name).profile().unit,
                                           "pre_reference": request.query_params.get("reference", "")[:32],
                                           "pre_exercise": request.query_params.get("exercise", "")[:64]})


@router.post("/upload", response_class=Html)
def upload(request: Request, user: UserDep, db: DbDep, storage: StorageDep, settings: SettingsDep,
           file: Annotated[UploadFile, File()], exercise: Annotated[str, Form(max_length=64)],
           view: Annotated[str, Form(max_length=16)] = "auto",
           load_kg: Annotated[str, Form(max_length=16)] = "", tempo: Annotated[str, Form(max_length=32)] = "",
           keep_video: Annotated[str | None, Form(max_length=8)] = None,
           reference_id: Annotated[str, Form(max_length=32)] = "") -> Response:
    unit = services.logbook(db, user.name).profile().unit
    try:
        # the load in the person's unit, or with its unit typed ("30lb"); stored in kg (COACHING_RULES §4 units)
        load = parse_load(load_kg, unit) if load_kg.strip() else None
        job = services.save_upload(db, storage, settings, request.app.state.runner, user, src=file.file,
                                   filename=file.filename, exercise=exercise, view=view, load_kg=load,
                                   tempo=tempo.strip() or None, keep_video=bool(keep_video),
                                   reference_id=reference_id.strip() or None)
    except BacksafeError as e:
        return render(request, "upload.html", {"exercises": _exercise_choices(), "settings": settings,
                                               "references": _reference_choices(db, user.id), "unit": unit,
                                               "error": str(e)}, status_code=status_for(e))
    return see_other(f"/jobs/{job.public_id}")


@router.get("/jobs/{job_id}", response_class=Html)
def job_page(request: Request, job_id: str, user: UserDep, db: DbDep) -> Response:
    with db.session() as s:
        job = crud.get_job(s, user.id, job_id)
        if job is None:
            raise NotFound("job not found")
        out = services.job_out(job)
    return render(request, "job.html", {"job": out})


@router.post("/jobs/{job_id}/cancel")
def job_cancel(job_id: str, user: UserDep, db: DbDep, storage: StorageDep) -> Response:
    services.cancel_job(db, storage, user, job_id)
    return see_other(f"/jobs/{job_id}")


@router.get("/reports", response_class=Html)
def reports_page(request: Request, user: UserDep, db: DbDep) -> Response:
    with db.session() as s:
        reps = [services.report_out(r, user.name) for r in crud.list_reports(s, user.id)]
        jobs = [services.job_out(j) for j in crud.list_jobs(s, user.id, limit=20)]
    return render(request, "reports.html", {"reports": reps, "jobs": jobs})


@router.get("/reports/{report_id}", response_class=Html)
def report_page(request: Request, report_id: str, user: UserDep, db: DbDep) -> Response:
    with db.session() as s:
        rep, owner, _ = services.readable_report(s, user, report_id)
        out = services.report_out(rep, owner)
        media_until = getattr(rep, "media_until", None)  # None: kept until the report is deleted (asked at upload)
    return render(request, "report.html", {"r": out, "mine": owner == user.name, "media_until": media_until,
                                           "exercises": _exercise_choices()})


@router.get("/reports/{report_id}/report.html")
def report_doc(report_id: str, user: UserDep, db: DbDep, storage: StorageDep) -> FileResponse:
    return report_file_response(db, storage, user, report_id, "html")


@router.get("/reports/{report_id}/annotated.mp4")
def report_video(report_id: str, user: UserDep, db: DbDep, storage: StorageDep) -> FileResponse:
    return report_file_response(db, storage, user, report_id, "video")


@router.get("/reports/{report_id}/original")
def report_original(report_id: str, user: UserDep, db: DbDep, storage: StorageDep) -> FileResponse:
    return report_file_response(db, storage, user, report_id, "original")


@router.post("/reports/{report_id}/media/delete")
def report_drop_media(report_id: str, user: UserDep, db: DbDep, storage: StorageDep) -> Response:
    services.drop_report_media(db, storage, user, report_id)
    return see_other(f"/reports/{report_id}?ok=media_dropped")


@router.post("/reports/{report_id}/delete")
def report_delete(report_id: str, user: UserDep, db: DbDep, storage: StorageDep) -> Response:
    services.delete_report(db, storage, user, report_id)
    return see_other("/reports?ok=deleted")


# --- log, check-in, triage, plan ---------------------------------------------------------------------------------

def _log_ctx(user_name: str, db: Any) -> dict[str, Any]:
    from ...coach.plan import day_gate

    hist = services.logbook(db, user_name).history()
    today = dt.date.today()
    tier, _ = day_gate(hist, today)  # §1 State: the day's tier, shown beside the log form when it is not "go ahead"
    return {"entries": list(reversed(hist.entries))[:50], "rows": services.log_rows(db, user_name),
            "checkins": sorted(hist.checkins.items(), reverse=True)[:14],
            "sleep": dict(hist.sleep), "exercises": _exercise_choices(), "today": today.isoformat(),
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
        try:
            day = dt.date.fromisoformat(date) if date.strip() else dt.date.today()
        except ValueError as e:
            raise ValueRangeError(f"date {date!r}: expected YYYY-MM-DD") from e
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
    try:
        day = dt.date.fromisoformat(date) if date.strip() else dt.date.today()
    except ValueError as e:
        raise ValueRangeError(f"date {date!r}: expected YYYY-MM-DD") from e
    return {"date": day, "exercise": exercise, "load": load.strip() or None, "sets": opt_int(sets) or 0,
            "reps": opt_int(reps) or 0, "rpe": opt_float(rpe), "pain_before": opt_int(pain_before),
            "pain_during": opt_int(pain_during), "pain_after": opt_int(pain_after),
            "warmup": {"yes": True, "no": False}.get(warmup)}


@router.get("/log/entries/{entry_id}/edit", response_class=Html)
def log_entry_edit_form(request: Request, entry_id: RowId, user: UserDep, db: DbDep) -> Response:
    e = services.get_log_entry(db, user.name, entry_id)
    unit = services.logbook(db, user.name).profile().unit
    return render(request, "log_entry.html", {"e": e, "unit": unit, "shown_load": _shown_number(e["load_kg"], unit),
                                               "exercises": _exercise_choices(), "today": dt.date.today().isoformat()})


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
                                                   "exercises": _exercise_choices(),
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
    try:
        day = dt.date.fromisoformat(date) if date.strip() else dt.date.today()
    except ValueError as e:
        raise ValueRangeError(f"date {date!r}: expected YYYY-MM-DD") from e
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


def _shared_person(db: Any, coach: Any, person_id: int) -> str:
    """The name of a person who shares with this coach; NotFound otherwise (never says whether they exist)."""
    with db.session() as s:
        if not crud.is_shared(s, person_id, coach.id):
            raise NotFound("person not found")
        acc = crud.get_account(s, person_id)
        if acc is None:
            raise NotFound("person not found")
        return str(acc[0].name)


@router.get("/coach/people/{person_id}", response_class=Html, dependencies=[Depends(coach_user)])
def coach_person(request: Request, person_id: RowId, user: UserDep, db: DbDep) -> Response:
    name = _shared_person(db, user, person_id)
    with db.session() as s:
        reps = [services.report_out(r, name) for r in crud.list_reports(s, person_id)]
        comments = [(c.created_at, author, c.text) for c, author in crud.list_comments(s, person_id)]
    d = services.dashboard_data(db, person_id, name)
    return render(request, "coach_person.html", {
        "name": name, "person_id": person_id, "reports": reps, "d": d, "comments": comments,
        "pain_rows": services.log_rows(db, name, limit=30),
        "pain_chart": sparkline([(a, float(b)) for a, b in d["pain_series"]], y_max=10, label="pain per set",
                                unit="pain 0-10"),
        "morning_chart": sparkline([(a.isoformat(), float(b)) for a, b in d["checkins"]], y_max=10,
                                   label="morning pain", unit="pain 0-10")})


@router.get("/coach/people/{person_id}/plan", response_class=Html, dependencies=[Depends(coach_user)])
def coach_person_plan(request: Request, person_id: RowId, user: UserDep, db: DbDep) -> Response:
    name = _shared_person(db, user, person_id)
    plan = services.logbook(db, name).plan(date=dt.date.today()).to_json()
    return render(request, "plan.html", {"plan": plan, "person": name,
                                         "explain": services.explain_rules(plan["rules"])})


def _shared_dep(person_id: RowId, user: UserDep, db: DbDep) -> int:
    _shared_person(db, user, person_id)  # 404 before the form is read
    return person_id


@router.post("/coach/people/{person_id}/comments", dependencies=[Depends(coach_user), Depends(_shared_dep)])
def coach_comment(person_id: RowId, user: UserDep, db: DbDep,
                  text: Annotated[str, Form(min_length=1, max_length=2000)]) -> Response:
    _shared_person(db, user, person_id)
    if not text.strip():
        raise ValueRangeError("comment: write something")
    with db.session() as s:
        crud.add_comment(s, person_id, user.id, text.strip())
    return see_other(f"/coach/people/{person_id}?ok=commented")
