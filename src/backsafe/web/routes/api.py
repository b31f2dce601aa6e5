"""The JSON API under /api (OpenAPI at /openapi.json). Sign-up, log-in, token and health are open; everything else
needs a session cookie (plus X-CSRF-Token on writes) or ``Authorization: Bearer <token>``."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile, status
from fastapi.responses import FileResponse

from ..._version import __version__
from ...coach.triage import QUESTIONS, answers_from_mapping
from ...coach.units import format_load
from ...errors import ValueRangeError
from ...exercises import load_library
from .. import crud, services
from ..auth import API_TOKEN_PREFIX, check_device, csrf_token, device_token, hash_token, new_token
from ..deps import (
    SESSION_COOKIE,
    CurrentUser,
    DbDep,
    RowId,
    SettingsDep,
    StorageDep,
    UserDep,
    client_address,
    coach_user,
    current_user,
    verify_csrf,
)
from ..errors import Forbidden, NotFound
from ..schemas import (
    CheckinIn,
    CheckinOut,
    DeleteAccount,
    ErrorOut,
    Health,
    JobOut,
    LogEntryIn,
    LogEntryOut,
    LogIn,
    LoginOut,
    Message,
    OutcomeIn,
    OutcomesOut,
    PasswordChange,
    ProfileIn,
    ProfileOut,
    ReportOut,
    ShareIn,
    SignUp,
    TokenOut,
    TokenRequest,
    TriageIn,
    UserOut,
)
from .files import report_file_response

__all__ = ["public", "router", "set_session_cookie"]

# The error answers each route can give, in the OpenAPI document (one ErrorOut shape: main._install_handlers).
# 400: a body that is not valid UTF-8/JSON; 413: any body over its limit (SecurityMiddleware); 422: bad fields
# or bad input (FastAPI's default 422 schema has a "type" field that our handler does not send, so it is replaced).
_ERR = {"model": ErrorOut}
_COMMON: dict[int | str, dict[str, Any]] = {
    400: {**_ERR, "description": "malformed body"},
    413: {**_ERR, "description": "request body too large"},
    422: {**_ERR, "description": "invalid fields or input"},
    503: {**_ERR, "description": "database unavailable"},
}
_AUTHED: dict[int | str, dict[str, Any]] = {
    **_COMMON,
    401: {**_ERR, "description": "not logged in, or a bad bearer token"},
    403: {**_ERR, "description": "CSRF token missing or wrong, or the role may not do this"},
    404: {**_ERR, "description": "no such thing, or it belongs to someone else"},
}
_LOGIN_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {**_ERR, "description": "user name or password is wrong"},
    429: {**_ERR, "description": "too many failed log-ins (Retry-After)"},
}

public = APIRouter(prefix="/api", tags=["public"],
                   responses={**_COMMON, 403: {**_ERR, "description": "not sent as application/json"}})
router = APIRouter(prefix="/api", dependencies=[Depends(current_user), Depends(verify_csrf)], responses=_AUTHED)
CoachDep = Annotated[CurrentUser, Depends(coach_user)]


DEVICE_COOKIE = "bs_device"


def set_session_cookie(request: Request, response: Response, token: str, days: int, https: bool | None) -> None:
    secure = https if https is not None else request.url.scheme == "https"
    response.set_cookie(SESSION_COOKIE, token, max_age=days * 86400, httponly=True, samesite="lax", secure=secure,
                        path="/")


def set_device_cookie(request: Request, response: Response, settings: Any, name: str) -> None:
    """"This browser logged in as ``name``": its log-ins are not slowed by others' failures (auth.LoginLimiter)."""
    secure = settings.https if settings.https is not None else request.url.scheme == "https"
    response.set_cookie(DEVICE_COOKIE, device_token(settings.secret_key, name), max_age=180 * 86400, httponly=True,
                        samesite="strict", secure=secure, path="/")


def trusted_device(request: Request, settings: Any, name: str) -> bool:
    return check_device(settings.secret_key, name, request.cookies.get(DEVICE_COOKIE))


def _json_only(request: Request) -> None:
    # a cross-site HTML form cannot send application/json without a CORS preflight: this closes log-in CSRF here
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise Forbidden("send this as application/json")


# --- public ------------------------------------------------------------------------------------------------------

@public.get("/health", response_model=Health)
def health() -> Health:
    return Health(status="ok", version=__version__)


@public.post("/auth/signup", response_model=UserOut, status_code=status.HTTP_201_CREATED,
             dependencies=[Depends(_json_only)], responses={409: {**_ERR, "description": "user name taken"}})
def api_signup(body: SignUp, db: DbDep) -> UserOut:
    uid = services.sign_up(db, body.name, body.password, body.role)
    return UserOut(id=uid, name=body.name, role=body.role)


@public.post("/auth/login", response_model=LoginOut, dependencies=[Depends(_json_only)], responses=_LOGIN_ERRORS)
def api_login(body: LogIn, request: Request, response: Response, db: DbDep, settings: SettingsDep) -> LoginOut:
    token, uid = services.log_in(db, request.app.state.limiter, settings, body.name, body.password,
                                 client_address(request), old_session=request.cookies.get(SESSION_COOKIE),
                                 trusted=trusted_device(request, settings, body.name))
    set_session_cookie(request, response, token, settings.session_days, settings.https)
    with db.session() as s:
        user, acc = crud.get_account(s, uid)  # type: ignore[misc]
        out = UserOut(id=uid, name=user.name, role=acc.role)
    set_device_cookie(request, response, settings, user.name)
    return LoginOut(user=out, csrf_token=csrf_token(settings.secret_key, hash_token(token)))


@public.post("/auth/token", response_model=TokenOut, status_code=status.HTTP_201_CREATED,
             dependencies=[Depends(_json_only)], responses=_LOGIN_ERRORS)
def api_token(body: TokenRequest, request: Request, db: DbDep, settings: SettingsDep) -> TokenOut:
    """Exchange a user name and password for a bearer token (for scripts); revoke it under /api/me/tokens."""
    session_token, uid = services.log_in(db, request.app.state.limiter, settings, body.name, body.password,
                                         client_address(request), trusted=trusted_device(request, settings, body.name))
    token = new_token(API_TOKEN_PREFIX)
    with db.session() as s:
        crud.delete_session(s, hash_token(session_token))  # only the token is wanted
        t = crud.create_api_token(s, uid, body.token_name, hash_token(token))
        return TokenOut(token=token, id=t.id)


# --- account -----------------------------------------------------------------------------------------------------

@router.post("/auth/logout", response_model=Message)
def api_logout(request: Request, response: Response, db: DbDep) -> Message:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        with db.session() as s:
            crud.delete_session(s, hash_token(cookie))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return Message(detail="logged out")


@router.get("/me", response_model=UserOut)
def me(user: UserDep) -> UserOut:
    return UserOut(id=user.id, name=user.name, role=user.role)


@router.put("/me/password", response_model=Message)
def api_change_password(body: PasswordChange, request: Request, response: Response, user: UserDep, db: DbDep,
                        settings: SettingsDep) -> Message:
    token = services.change_password(db, user, body.current_password, body.new_password, settings.session_days)
    if token:
        set_session_cookie(request, response, token, settings.session_days, settings.https)
    return Message(detail="password changed; other sessions were logged out")


@router.delete("/me", response_model=Message)
def api_delete_me(body: DeleteAccount, request: Request, response: Response, user: UserDep, db: DbDep,
                  storage: StorageDep) -> Message:
    """Delete the account and everything in it: log, check-ins, triage, reports, videos, jobs, tokens, shares;
    running analyses stop."""
    services.delete_account(db, storage, user, body.password, request.app.state.runner)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return Message(detail="your account and all its data were deleted")


@router.get("/me/tokens")
def api_tokens(user: UserDep, db: DbDep) -> list[dict[str, Any]]:
    with db.session() as s:
        return [{"id": t.id, "name": t.name, "created_at": t.created_at, "last_used_at": t.last_used_at}
                for t in crud.list_api_tokens(s, user.id)]


@router.delete("/me/tokens/{token_id}", response_model=Message)
def api_revoke_token(token_id: RowId, user: UserDep, db: DbDep) -> Message:
    with db.session() as s:
        if not crud.delete_api_token(s, user.id, token_id):
            raise NotFound("token not found")
    return Message(detail="token revoked")


# --- exercises, jobs, reports ------------------------------------------------------------------------------------

@router.get("/exercises")
def api_exercises() -> list[dict[str, Any]]:
    return [e.as_dict() for e in load_library().values()]


PERSON_FIELD = ("who to analyse when several people are in frame: auto (the one doing the exercise), largest, "
                "center, left, right, or a point x,y on the first frame (fractions of the frame, e.g. 0.3,0.5)")
MODEL_FIELD = "the pose model size: lite (fastest), full (the default) or heavy (most accurate, about 3x slower)"


@router.post("/jobs", response_model=JobOut, status_code=status.HTTP_202_ACCEPTED)
def api_upload(request: Request, user: UserDep, db: DbDep, storage: StorageDep, settings: SettingsDep,
               file: Annotated[UploadFile, File(description="the clip (checked by decoding, not by its name)")],
               exercise: Annotated[str, Form(max_length=64)],
               view: Annotated[str, Form(max_length=16)] = "auto",
               load_kg: Annotated[float | None, Form(ge=0, le=500)] = None,
               tempo: Annotated[str | None, Form(max_length=32)] = None,
               keep_video: Annotated[bool, Form()] = False,
               reference_id: Annotated[str | None, Form(
                   max_length=32, description="optional: the id of one of your own earlier reports (of your good "
                   "reps, same exercise) to judge this clip against instead of population norms; another "
                   "person's or an unknown id is a 404")] = None,
               person: Annotated[str, Form(max_length=32, description=PERSON_FIELD)] = "auto",
               model: Annotated[str, Form(max_length=16, description=MODEL_FIELD)] = "full") -> JobOut:
    job = services.save_upload(db, storage, settings, request.app.state.runner, user, src=file.file,
                               filename=file.filename, exercise=exercise, view=view, load_kg=load_kg, tempo=tempo,
                               keep_video=keep_video, reference_id=reference_id, person=person, model=model)
    return services.job_out(job)


@router.get("/jobs", response_model=list[JobOut])
def api_jobs(user: UserDep, db: DbDep) -> list[JobOut]:
    with db.session() as s:
        return [services.job_out(j) for j in crud.list_jobs(s, user.id)]


@router.get("/jobs/{job_id}", response_model=JobOut)
def api_job(job_id: str, user: UserDep, db: DbDep) -> JobOut:
    with db.session() as s:
        job = crud.get_job(s, user.id, job_id)
        if job is None:
            raise NotFound("job not found")
        return services.job_out(job)


@router.post("/jobs/{job_id}/cancel", response_model=JobOut,
             responses={409: {**_ERR, "description": "the job already finished"}})
def api_cancel_job(job_id: str, user: UserDep, db: DbDep, storage: StorageDep) -> JobOut:
    """Cancel a queued or running analysis of yours: it ends as failed with the reason "cancelled by you", its
    clip is deleted at once."""
    return services.job_out(services.cancel_job(db, storage, user, job_id))


@router.get("/reports", response_model=list[ReportOut])
def api_reports(user: UserDep, db: DbDep) -> list[ReportOut]:
    with db.session() as s:
        return [services.report_out(r, user.name) for r in crud.list_reports(s, user.id)]


@router.get("/reports/{report_id}", response_model=ReportOut)
def api_report(report_id: str, user: UserDep, db: DbDep, storage: StorageDep) -> ReportOut:
    with db.session() as s:
        rep, owner, files_key = services.readable_report(s, user, report_id)
    doc = json.loads(services.report_file(storage, files_key, rep, "json").read_text(encoding="utf-8"))
    return services.report_out(rep, owner, doc)


@router.delete("/reports/{report_id}", response_model=Message)
def api_delete_report(report_id: str, user: UserDep, db: DbDep, storage: StorageDep) -> Message:
    services.delete_report(db, storage, user, report_id)
    return Message(detail="report deleted")


@router.delete("/reports/{report_id}/media", response_model=Message)
def api_drop_media(report_id: str, user: UserDep, db: DbDep, storage: StorageDep) -> Message:
    """Delete the report's annotated video and key frames now (the report and its numbers stay)."""
    services.drop_report_media(db, storage, user, report_id)
    return Message(detail="the annotated video and key frames were deleted")


@router.get("/reports/{report_id}/html", response_class=FileResponse,
            responses={200: {"content": {"text/html": {}}, "description": "the report document"}})
def api_report_html(report_id: str, user: UserDep, db: DbDep, storage: StorageDep) -> FileResponse:
    return report_file_response(db, storage, user, report_id, "html")


@router.get("/reports/{report_id}/video", response_class=FileResponse,
            responses={200: {"content": {"video/mp4": {}}, "description": "the annotated clip"}})
def api_report_video(report_id: str, user: UserDep, db: DbDep, storage: StorageDep) -> FileResponse:
    return report_file_response(db, storage, user, report_id, "video")


@router.get("/reports/{report_id}/original", response_class=FileResponse,
            responses={200: {"content": {"application/octet-stream": {}},
                             "description": "the kept original clip (a download)"}})
def api_report_original(report_id: str, user: UserDep, db: DbDep, storage: StorageDep) -> FileResponse:
    return report_file_response(db, storage, user, report_id, "original")


# --- log, check-ins, triage, plan, dashboard ---------------------------------------------------------------------

def _entries(db: Any, name: str) -> list[dict[str, Any]]:
    hist = services.logbook(db, name).history()
    unit = hist.profile.unit
    ids = {(r["date"], r["position"]): r["id"] for r in services.log_rows(db, name, limit=100_000)}
    return [{"id": ids.get((e.date, e.position)), "date": e.date.isoformat(), "exercise": e.exercise,
             "name": services.exercise_name(e.exercise),
             "load_kg": e.load_kg, "unit": unit, "load_text": format_load(e.load_kg, unit), "sets": e.sets,
             "reps": e.reps, "rpe": e.rpe, "pain_before": e.pain_before, "pain_during": e.pain_during,
             "pain_after": e.pain_after, "warmup": e.warmup, "faults": dict(e.faults)} for e in hist.entries]


@router.get("/profile", response_model=ProfileOut)
def api_profile(user: UserDep, db: DbDep) -> ProfileOut:
    """Your settings: unit (kg or lb), body mass, sex, default tempo, equipment, wake time, age."""
    return services.profile_out(services.logbook(db, user.name).profile())


@router.put("/profile", response_model=ProfileOut)
def api_set_profile(body: ProfileIn, user: UserDep, db: DbDep) -> ProfileOut:
    """Set the fields given (the others keep their values); a bad value is a 400 with a one-line reason."""
    return services.profile_out(services.set_profile(db, user.name, body.model_dump()))


@router.get("/log")
def api_log(user: UserDep, db: DbDep) -> list[dict[str, Any]]:
    return _entries(db, user.name)


@router.post("/log", response_model=LogEntryOut, status_code=status.HTTP_201_CREATED)
def api_log_entry(body: LogEntryIn, user: UserDep, db: DbDep, storage: StorageDep) -> LogEntryOut:
    """Log one exercise. The answer's flags come stop-level first, each with a title and message in plain words
    (the code is for tools); ``load_text`` is the load as the person reads it, in their unit."""
    res = services.log_entry(db, storage, user, body.model_dump())
    return LogEntryOut(entry_id=res.entry_id, date=res.date, exercise=res.exercise,
                       name=services.exercise_name(res.exercise), load_kg=res.load_kg, unit=res.unit,
                       load_text=res.load_shown, flags=[f.to_json() for f in res.flags])


def _own_entry(entry_id: RowId, user: UserDep, db: DbDep) -> int:
    return services.own_log_entry(db, user, entry_id)


@router.put("/log/{entry_id}", response_model=Message, dependencies=[Depends(_own_entry)])
def api_edit_log_entry(entry_id: RowId, body: LogEntryIn, user: UserDep, db: DbDep) -> Message:
    """Change one of your log entries (the same checks as logging it)."""
    data = body.model_dump()
    data.pop("report_id", None)
    services.edit_log_entry(db, user.name, entry_id, data)
    return Message(detail="log entry changed")


@router.delete("/log/{entry_id}", response_model=Message)
def api_delete_log_entry(entry_id: RowId, user: UserDep, db: DbDep) -> Message:
    services.delete_log_entry(db, user.name, entry_id)
    return Message(detail="log entry deleted")


@router.get("/checkins")
def api_checkins(user: UserDep, db: DbDep) -> list[dict[str, Any]]:
    hist = services.logbook(db, user.name).history()
    return [{"date": d.isoformat(), "pain": p, "sleep_hours": hist.sleep.get(d)} for d, p in sorted(hist.checkins.items())]


@router.post("/checkins", response_model=CheckinOut, status_code=status.HTTP_201_CREATED)
def api_checkin(body: CheckinIn, user: UserDep, db: DbDep) -> CheckinOut:
    """Save the morning check-in (pain 0-10, hours slept); severe pain comes back as a stop-level flag and leads
    the message."""
    res = services.checkin(db, user.name, body.date or dt.date.today(), body.pain, body.sleep_hours)
    return CheckinOut(detail=services.checkin_message(res), date=res.date, pain=res.pain,
                      sleep_hours=res.sleep_hours, flags=[f.to_json() for f in res.flags])


@router.get("/outcomes", response_model=OutcomesOut)
def api_outcomes(user: UserDep, db: DbDep) -> OutcomesOut:
    """The weekly outcome measures and the change from the first to the latest, with whether it is meaningful."""
    return OutcomesOut(**services.outcomes_out(db, user.name))


@router.post("/outcomes", response_model=OutcomesOut, status_code=status.HTTP_201_CREATED)
def api_outcome(body: OutcomeIn, user: UserDep, db: DbDep) -> OutcomesOut:
    """Record the week's pain (0-10) and/or PSFS scores (1-5 activities, 0 = unable, 10 = as before)."""
    services.record_outcome(db, user.name, body.date or dt.date.today(), body.pain_week, body.psfs)
    return OutcomesOut(**services.outcomes_out(db, user.name))


@router.get("/triage/questions")
def api_triage_questions() -> list[dict[str, str]]:
    return [{"id": q.id, "tier": q.tier, "text": q.text} for q in QUESTIONS]


@router.post("/triage")
def api_triage(body: TriageIn, user: UserDep, db: DbDep) -> dict[str, Any]:
    answers = answers_from_mapping({"flags": body.flags, "clinician_cleared": body.clinician_cleared,
                                    "injury_date": body.injury_date.isoformat() if body.injury_date else None})
    day = body.date or dt.date.today()
    res = services.logbook(db, user.name).triage(answers, date=day)
    # §1 State: a clearance is stored with the flags it covers; say which (None when nothing was cleared)
    return {**res.to_json(), "clearance": services.clearance_for(db, user.name, day) if body.clinician_cleared
            else None}


@router.get("/plan")
def api_plan(user: UserDep, db: DbDep,
             date: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD")] = None,
             explain: Annotated[bool, Query(description="add the rules behind the plan with their sources")] = False,
             exercise: Annotated[list[str] | None, Query(max_length=64, description="the day's exercises "
                                                         "(repeatable); default: your recent ones")] = None,
             ) -> dict[str, Any]:
    # a string with a pattern, not dt.date: pydantic also took numbers as Unix times (?date=-5e-08 was 1970-01-01)
    try:
        day = dt.date.fromisoformat(date) if date else dt.date.today()
    except ValueError:
        raise ValueRangeError(f"date {date!r}: expected a real day as YYYY-MM-DD") from None
    if exercise is not None and len(exercise) > 12:
        raise ValueRangeError(f"{len(exercise)} exercises: plan at most 12 at a time")
    plan = services.logbook(db, user.name).plan(date=day, exercises=exercise or None).to_json()
    if explain:
        plan["explain"] = services.explain_rules(plan["rules"])
    return plan


@router.get("/dashboard")
def api_dashboard(user: UserDep, db: DbDep) -> dict[str, Any]:
    d = services.dashboard_data(db, user.id, user.name)
    return {"trends": d["trends"], "plan": d["plan"], "fault_series": d["fault_series"],
            "pain_series": d["pain_series"], "reports": [r[0] for r in d["reports"]], "unit": d["unit"],
            "outcome_changes": d["outcome_changes"]}


# --- sharing and the coach's view --------------------------------------------------------------------------------

@router.get("/shares")
def api_shares(user: UserDep, db: DbDep) -> list[dict[str, Any]]:
    with db.session() as s:
        return [{"coach_id": cid, "coach": name} for cid, name in crud.list_shares(s, user.id)]


@router.post("/shares", response_model=Message, status_code=status.HTTP_201_CREATED)
def api_share(body: ShareIn, user: UserDep, db: DbDep) -> Message:
    services.share_with(db, user, body.coach)
    return Message(detail=f"shared with {body.coach}")


@router.delete("/shares/{coach}", response_model=Message)
def api_unshare(coach: str, user: UserDep, db: DbDep) -> Message:
    services.unshare(db, user, coach)
    return Message(detail=f"no longer shared with {coach}")


@router.get("/coach/people")
def api_people(coach: CoachDep, db: DbDep) -> list[dict[str, Any]]:
    with db.session() as s:
        return [{"id": uid, "name": name} for uid, name in crud.list_shared_with(s, coach.id)]


@router.get("/coach/people/{person_id}/reports", response_model=list[ReportOut])
def api_person_reports(person_id: RowId, coach: CoachDep, db: DbDep) -> list[ReportOut]:
    name = services.shared_person(db, coach, person_id)
    with db.session() as s:
        return [services.report_out(r, name) for r in crud.list_reports(s, person_id)]


@router.get("/coach/people/{person_id}/log")
def api_person_log(person_id: RowId, coach: CoachDep, db: DbDep) -> list[dict[str, Any]]:
    return _entries(db, services.shared_person(db, coach, person_id))


@router.get("/coach/people/{person_id}/plan")
def api_person_plan(person_id: RowId, coach: CoachDep, db: DbDep) -> dict[str, Any]:
    name = services.shared_person(db, coach, person_id)
    return services.logbook(db, name).plan(date=dt.date.today()).to_json()
