"""JSON bodies and answers of the API (pydantic v2). Range checks repeat the coach's, so bad values give 422."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

__all__ = ["SignUp", "LogIn", "TokenRequest", "TokenOut", "UserOut", "PasswordChange", "DeleteAccount", "JobOut",
           "ReportOut", "LogEntryIn", "LogEntryOut", "CheckinIn", "CheckinOut", "TriageIn", "ShareIn", "Message",
           "LoginOut", "Health", "ErrorItem", "ErrorOut", "ProfileIn", "ProfileOut", "OutcomeIn", "OutcomesOut"]


def _as_utc(v: dt.datetime) -> dt.datetime:
    return v.replace(tzinfo=dt.UTC) if v.tzinfo is None else v


# Times are stored as naive UTC (DateTime columns): answered with their offset ("...+00:00"), as the OpenAPI
# "date-time" format (RFC 3339) requires; a bare "2026-01-01T10:00:00" did not conform (found by schemathesis).
UtcDatetime = Annotated[dt.datetime, AfterValidator(_as_utc)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, v: Any) -> Any:
        # PostgreSQL refuses NUL in text: without this a "\u0000" in a name gave a 503 instead of a 422
        if _has_nul(v):
            raise ValueError("NUL characters are not allowed")
        return v

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_as_number(cls, v: Any, info: ValidationInfo) -> Any:
        # pydantic's lax mode reads true/false as 1/0 for a number: a pain score of `false` was saved as 0/10
        # (found by schemathesis on /api/outcomes); only fields that are booleans take booleans
        field = cls.model_fields.get(info.field_name or "")
        values = list(v.values()) if isinstance(v, dict) else [v]
        if field is not None and "bool" not in str(field.annotation) and any(isinstance(x, bool) for x in values):
            raise ValueError("expected a number or text, not true/false")
        return v


def _has_nul(v: Any) -> bool:
    """A NUL anywhere in a string, a list's items or a mapping's keys and values (PSFS activity names are keys)."""
    if isinstance(v, str):
        return "\x00" in v
    if isinstance(v, list):
        return any(_has_nul(x) for x in v)
    if isinstance(v, dict):
        return any(_has_nul(k) or _has_nul(x) for k, x in v.items())
    return False


class SignUp(_In):
    name: str = Field(min_length=3, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")
    password: str = Field(min_length=10, max_length=256)
    role: Literal["person", "coach"] = "person"


class LogIn(_In):
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=256)


class TokenRequest(LogIn):
    token_name: str = Field(default="script", min_length=1, max_length=100)


class TokenOut(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    id: int


class UserOut(BaseModel):
    id: int
    name: str
    role: str


class LoginOut(BaseModel):
    user: UserOut
    csrf_token: str


class PasswordChange(_In):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=10, max_length=256)


class DeleteAccount(_In):
    password: str = Field(min_length=1, max_length=256)


class JobOut(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "failed"]
    stage: str
    exercise: str
    view: str | None
    progress_done: int
    progress_total: int | None
    percent: float | None
    error: str | None
    attempts: int
    created_at: UtcDatetime
    finished_at: UtcDatetime | None
    report_id: str | None
    upload_name: str
    reference_id: str | None = None  # the user's own report this clip is judged against, if any
    person: str = "auto"  # who is analysed when several people are in frame, as asked at upload
    model: str = "full"  # the pose model size asked at upload


class ReportOut(BaseModel):
    id: str
    owner: str
    exercise: str
    view: str | None
    rep_count: int
    faults: dict[str, int]
    top_cue: str | None
    quality: str | None
    created_at: UtcDatetime
    has_annotated_video: bool
    kept_original: bool
    report: dict[str, Any] | None = None


# A load as typed: "30lb", "13.6kg", or a number in the person's unit (coach/units.parse_load checks it).
LoadText = Annotated[str, StringConstraints(min_length=1, max_length=16)]


class LogEntryIn(_In):
    date: dt.date | None = None
    exercise: str = Field(min_length=1, max_length=64)
    load_kg: float | None = Field(default=None, ge=0, le=500, description="the load in kg (or give `load`)")
    load: LoadText | float | None = Field(default=None, description='the load as typed: "30lb", "13.6kg", or a '
                                          "number in your unit (Account → Settings); give it or load_kg, not both; "
                                          "neither = bodyweight")
    sets: int = Field(ge=1, le=20)
    reps: int = Field(ge=1, le=300)
    rpe: float | None = Field(default=None, ge=1, le=10)
    pain_before: int | None = Field(default=None, ge=0, le=10)
    pain_during: int | None = Field(default=None, ge=0, le=10)
    pain_after: int | None = Field(default=None, ge=0, le=10)
    warmup: bool | None = None
    report_id: str | None = Field(default=None, max_length=32)


class LogEntryOut(BaseModel):
    entry_id: int
    date: dt.date
    exercise: str
    name: str = ""  # the exercise's name, for people
    load_kg: float = 0.0
    unit: Literal["kg", "lb"] = "kg"
    load_text: str = ""  # the load as shown to the person: "30 lb", "bodyweight"
    flags: list[dict[str, Any]]  # {code, level (stop first), title, message, rule, date, exercise}


class CheckinIn(_In):
    date: dt.date | None = None
    pain: int = Field(ge=0, le=10)
    sleep_hours: float | None = Field(default=None, ge=0, le=24, description="hours slept last night")


class CheckinOut(BaseModel):
    detail: str  # a plain message: "saved", or the severe-pain warning first
    date: dt.date
    pain: int
    sleep_hours: float | None
    flags: list[dict[str, Any]]


EquipmentLoads = list[Annotated[str, StringConstraints(min_length=1, max_length=16)] | float]


class ProfileIn(_In):
    """Profile fields to set; a field left out keeps its value. Values are checked by the coach (400, one line)."""

    unit: str | None = Field(default=None, max_length=8, description="kg or lb")
    body_mass: LoadText | float | None = Field(default=None, description='"80kg", "176lb", or a number in the unit')
    sex: str | None = Field(default=None, max_length=16, description="female or male")
    default_tempo: str | None = Field(default=None, max_length=32, description="e.g. 3-1-2-0")
    equipment: dict[Annotated[str, StringConstraints(max_length=16)], Annotated[
        EquipmentLoads, Field(max_length=60)]] | None = Field(
        default=None, max_length=3, description="{dumbbell|kettlebell|barbell: [loads in your unit, or '16kg']}; an "
        "empty list goes back to the standard steps")
    wake_time: str | None = Field(default=None, max_length=8, description="HH:MM")
    age_years: int | None = Field(default=None, ge=0, le=1000)


class ProfileOut(BaseModel):
    unit: Literal["kg", "lb"]
    body_mass_kg: float | None
    body_mass: str | None  # shown in the unit: "176.4 lb"
    sex: str | None
    default_tempo: str | None
    equipment: dict[str, list[float]]  # in the person's unit
    equipment_unit: Literal["kg", "lb"]
    wake_time: str | None
    age_years: int | None


class OutcomeIn(_In):
    """The week's outcome measures (pain 0-10 on average over the last week; PSFS: 1-5 activities scored 0-10)."""

    date: dt.date | None = None
    pain_week: int | None = Field(default=None, ge=0, le=10)
    psfs: dict[Annotated[str, StringConstraints(min_length=1, max_length=200)], float] | None = Field(
        default=None, max_length=5)


class OutcomesOut(BaseModel):
    records: list[dict[str, Any]]  # {date, kind: pain_nrs|psfs, score, activity}
    changes: list[dict[str, Any]]  # first → latest per measure: {measure, first, latest, change, meaningful, text}


class TriageIn(_In):
    date: dt.date | None = None
    flags: list[str] = Field(default_factory=list, max_length=40)
    injury_date: dt.date | None = None
    clinician_cleared: bool = False


class ShareIn(_In):
    coach: str = Field(min_length=1, max_length=100)


class Message(BaseModel):
    detail: str


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str


class ErrorOut(BaseModel):
    """Every error answer: ``{"detail": "one line"}``, or a list of field errors for a malformed request (422).
    Documented on every route so that the OpenAPI document matches what the API really sends (schemathesis
    checks it: tests/web/test_schemathesis.py)."""

    detail: str | list[ErrorItem]
