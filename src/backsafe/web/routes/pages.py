"""Server-rendered pages (Jinja2, a little vanilla JS for live progress): sign-up and log-in, the dashboard, uploads,
jobs and reports. The log, check-in, triage, plan and coach pages are in training.py. Forms post with a CSRF token;
every page but sign-up and log-in needs a session."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response

from ..._version import __version__
from ...coach.units import parse_load
from ...errors import BacksafeError, ValueRangeError
from .. import crud, services
from ..auth import hash_token
from ..deps import (SESSION_COOKIE, DbDep, OptionalUserDep, SettingsDep, StorageDep, UserDep, client_address,
                    current_user, verify_csrf)
from ..errors import NotFound, WebError
from ..responses import render, see_other, status_for
from .api import set_device_cookie, set_session_cookie, trusted_device
from .charts import pain_charts, sparkline
from .files import report_file_response
from .forms import exercise_choices, opt_float, opt_int

__all__ = ["public", "router", "render"]

public = APIRouter(include_in_schema=False)
router = APIRouter(include_in_schema=False, dependencies=[Depends(current_user), Depends(verify_csrf)])
Html = HTMLResponse


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
        code = status_for(e) if isinstance(e, WebError) else 401
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
        **pain_charts(d),
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


def _reference_choices(db: Any, user_id: int) -> list[tuple[str, str]]:
    """The user's own reports, newest first, as (id, label) for the upload form's reference choice."""
    with db.session() as s:
        return [(r.public_id, f"{r.exercise} · {r.rep_count} reps · {r.created_at:%Y-%m-%d %H:%M}")
                for r in crud.list_reports(s, user_id, limit=50)]


@router.get("/upload", response_class=Html)
def upload_form(request: Request, user: UserDep, db: DbDep, settings: SettingsDep) -> Response:
    return render(request, "upload.html", {"exercises": exercise_choices(), "settings": settings,
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
           reference_id: Annotated[str, Form(max_length=32)] = "", person: Annotated[str, Form(max_length=32)] = "auto",
           model: Annotated[str, Form(max_length=16)] = "full") -> Response:
    unit = services.logbook(db, user.name).profile().unit
    try:
        # the load in the person's unit, or with its unit typed ("30lb"); stored in kg (COACHING_RULES §4 units)
        load = parse_load(load_kg, unit) if load_kg.strip() else None
        job = services.save_upload(db, storage, settings, request.app.state.runner, user, src=file.file,
                                   filename=file.filename, exercise=exercise, view=view, load_kg=load,
                                   tempo=tempo.strip() or None, keep_video=bool(keep_video),
                                   reference_id=reference_id.strip() or None, person=person, model=model)
    except BacksafeError as e:
        return render(request, "upload.html", {"exercises": exercise_choices(), "settings": settings,
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
                                           "exercises": exercise_choices()})


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
