"""JSON bodies and answers of the API (pydantic v2). Range checks repeat the coach's, so bad values give 422."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

__all__ = ["SignUp", "LogIn", "TokenRequest", "TokenOut", "UserOut", "PasswordChange", "DeleteAccount", "JobOut",
           "ReportOut", "LogEntryIn", "LogEntryOut", "CheckinIn", "TriageIn", "ShareIn", "Message", "LoginOut",
           "Health", "ErrorItem", "ErrorOut"]


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
        if isinstance(v, str) and "\x00" in v or isinstance(v, list) and any(isinstance(x, str) and "\x00" in x
                                                                               for x in v):
            raise ValueError("NUL characters are not allowed")
        return v


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


class LogEntryIn(_In):
    date: dt.date | None = None
    exercise: str = Field(min_length=1, max_length=64)
    load_kg: float = Field(default=0.0, ge=0, le=500)
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
    flags: list[dict[str, Any]]


class CheckinIn(_In):
    date: dt.date | None = None
    pain: int = Field(ge=0, le=10)


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
