"""Export and import one user's whole log as JSON or CSV; export → import → export is identical.

JSON: ``{"format": "backsafe-log", "version": 2, "user": {..., profile}, "sessions": [{..., "entries": [{...,
"reports": [...]}]}], "checkins": [...], "triage": [...], "clearances": [...], "outcomes": [...]}``. Version 2 adds
the profile (unit, body mass, sex, default tempo, equipment in kg), sleep at check-in, clinicians' clearances and
outcome measures; version 1 files still import (those are empty). CSV: one flat table, one row per record with a
``record`` column (user | session | entry | report | checkin | triage | clearance | outcome); reports point at
their entry by (date, position). Import runs in one transaction and refuses a non-empty log unless
``replace=True``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

from ..db import crud
from ..errors import InputError
from ..exercises import get_exercise
from .logbook import (
    EQUIPMENT_KINDS,
    MAX_LOAD_KG,
    LogBook,
    _pain,
    _sleep,
    validate_entry_values,
    validate_outcome,
    validate_profile,
)
from .triage import answers_from_mapping

__all__ = ["export_log", "import_log", "to_csv", "from_csv", "CSV_COLUMNS", "VERSION", "SUPPORTED_VERSIONS"]

FORMAT, VERSION = "backsafe-log", 2
SUPPORTED_VERSIONS = (1, 2)
TRIAGE_OUTCOMES = ("proceed", "rest", "clinician", "urgent", "emergency", "not_checked")
_PROFILE_KEYS = ("unit", "body_mass_kg", "sex", "default_tempo", "equipment")
CSV_COLUMNS = ("record", "date", "position", "exercise", "load_kg", "sets", "reps", "rpe", "pain_before",
               "pain_during", "pain_after", "warmup", "created_at", "notes", "path", "rep_count", "faults", "pain",
               "outcome", "answers", "wake_time", "age_years", "name", "unit", "body_mass_kg", "sex",
               "default_tempo", "equipment", "sleep_hours", "flags", "note", "kind", "activity", "score")


def export_log(book: LogBook) -> dict[str, Any]:
    """The user's whole log as a JSON-ready dict."""
    with book.db.session() as s:
        u = crud.get_or_create_user(s, book.user)
        sessions = []
        for ts in crud.list_sessions(s, u.id):
            entries = []
            for e in ts.entries:
                entries.append({
                    "position": e.position, "exercise": e.exercise, "load_kg": e.load_kg, "sets": e.sets,
                    "reps": e.reps, "rpe": e.rpe, "pain_before": e.pain_before, "pain_during": e.pain_during,
                    "pain_after": e.pain_after, "warmup": e.warmup, "created_at": e.created_at.isoformat(),
                    "reports": [{"path": r.path, "rep_count": r.rep_count, "faults": json.loads(r.faults_json)}
                                for r in e.reports],
                })
            sessions.append({"date": ts.date.isoformat(), "warmup": ts.warmup, "notes": ts.notes, "entries": entries})
        return {
            "format": FORMAT,
            "version": VERSION,
            "user": {"name": u.name, "wake_time": u.wake_time, "age_years": u.age_years, "unit": u.unit,
                     "body_mass_kg": u.body_mass_kg, "sex": u.sex, "default_tempo": u.default_tempo,
                     "equipment": json.loads(u.equipment_json or "{}")},
            "sessions": sessions,
            "checkins": [{"date": c.date.isoformat(), "pain": c.pain, "sleep_hours": c.sleep_hours}
                         for c in crud.list_checkins(s, u.id)],
            "triage": [{"date": t.date.isoformat(), "outcome": t.outcome, "answers": json.loads(t.answers_json)}
                       for t in crud.list_triage(s, u.id)],
            "clearances": [{"date": c.date.isoformat(), "flags": json.loads(c.flags_json), "note": c.note,
                            "created_at": c.created_at.isoformat()} for c in crud.list_clearances(s, u.id)],
            "outcomes": [{"date": o.date.isoformat(), "kind": o.kind, "activity": o.activity, "score": o.score}
                         for o in crud.list_outcomes(s, u.id)],
        }


def _date(v: Any, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError as e:
        raise InputError(f"{where}: date {v!r} is not YYYY-MM-DD") from e


def _validate(doc: Any) -> None:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError(f"not a backsafe log export (expected \"format\": \"{FORMAT}\")")
    if doc.get("version") not in SUPPORTED_VERSIONS:
        raise InputError(f"backsafe log export version {doc.get('version')!r} not supported "
                         f"(expected {' or '.join(map(str, SUPPORTED_VERSIONS))})")
    for i, ses in enumerate(doc.get("sessions", [])):
        _date(ses.get("date"), f"session {i + 1}")
        for e in ses.get("entries", []):
            get_exercise(e["exercise"])
            validate_entry_values(load_kg=e["load_kg"], sets=e["sets"], reps=e["reps"], rpe=e.get("rpe"),
                                  pain_before=e.get("pain_before"), pain_during=e.get("pain_during"),
                                  pain_after=e.get("pain_after"))
    for c in doc.get("checkins", []):
        _date(c.get("date"), "check-in")
        _pain("check-in pain", c.get("pain"))
        _sleep(c.get("sleep_hours"))
    for t in doc.get("triage", []):
        _date(t.get("date"), "triage")
        answers_from_mapping(t.get("answers") or {})
        if t.get("outcome") not in TRIAGE_OUTCOMES:
            raise InputError(f"triage outcome {t.get('outcome')!r} is not {'|'.join(TRIAGE_OUTCOMES)}")
    for c in doc.get("clearances", []):
        _date(c.get("date"), "clearance")
        if not isinstance(c.get("flags"), list) or not all(isinstance(f, str) for f in c["flags"]):
            raise InputError(f"clearance {c.get('date')}: flags must be a list of triage question ids")
        answers_from_mapping({"flags": c["flags"]})  # known question ids only
    for o in doc.get("outcomes", []):
        _date(o.get("date"), "outcome")
        if o.get("kind") == "pain_nrs" and o.get("activity") is None:
            score = o.get("score")
            validate_outcome(int(score) if isinstance(score, float) and score.is_integer() else score, None)
        elif o.get("kind") == "psfs" and isinstance(o.get("activity"), str):
            validate_outcome(None, {o["activity"]: o.get("score")})
        else:
            raise InputError(f"outcome {o.get('date')}: kind {o.get('kind')!r} with activity {o.get('activity')!r} "
                             "is not a pain_nrs (no activity) or psfs (with an activity) record")
    user = doc.get("user") or {}
    validate_profile(unit=user.get("unit"), body_mass_kg=user.get("body_mass_kg"), sex=user.get("sex"),
                     default_tempo=user.get("default_tempo"), wake_time=user.get("wake_time"),
                     age_years=user.get("age_years"))
    eq = user.get("equipment") or {}
    if not isinstance(eq, dict) or any(k not in EQUIPMENT_KINDS or not isinstance(v, list)
                                       or not all(isinstance(x, (int, float)) and 0 < x <= MAX_LOAD_KG for x in v)
                                       for k, v in eq.items()):
        raise InputError(f"user equipment {eq!r}: expected {{kind: [kg, ...]}} with kinds {list(EQUIPMENT_KINDS)}")


def import_log(book: LogBook, doc: dict[str, Any], *, replace: bool = False) -> dict[str, int]:
    """Load an export into ``book``'s user (one transaction). Returns the row counts after import."""
    _validate(doc)
    try:
        with book.db.session() as s:
            u = crud.get_or_create_user(s, book.user)
            counts = crud.count_log_rows(s, u.id)
            if any(counts.values()):
                if not replace:
                    raise InputError(f"the log of user {book.user!r} is not empty ({counts['entries']} entries); "
                                     "import with --replace to overwrite it")
                crud.delete_log(s, u.id)
            user = doc.get("user") or {}
            eq = user.get("equipment") or {}
            crud.set_profile_fields(
                s, u, wake_time=user.get("wake_time"), age_years=user.get("age_years"), unit=user.get("unit"),
                body_mass_kg=user.get("body_mass_kg"), sex=user.get("sex"), default_tempo=user.get("default_tempo"),
                equipment_json=json.dumps({k: [float(x) for x in v] for k, v in sorted(eq.items())}) if eq else None)
            for ses in doc.get("sessions", []):
                day = _date(ses["date"], "session")
                for e in ses.get("entries", []):
                    entry = crud.add_entry(
                        s, u.id, date=day, exercise=e["exercise"], load_kg=float(e["load_kg"]), sets=int(e["sets"]),
                        reps=int(e["reps"]), rpe=e.get("rpe"), pain_before=e.get("pain_before"),
                        pain_during=e.get("pain_during"), pain_after=e.get("pain_after"), warmup=e.get("warmup"),
                        created_at=dt.datetime.fromisoformat(e["created_at"]), position=int(e["position"]))
                    for r in e.get("reports", []):
                        crud.add_report(s, u.id, entry, path=r["path"], rep_count=r.get("rep_count"),
                                        faults=r.get("faults") or {})
                ts = crud._get_or_create_session(s, u.id, day)
                ts.warmup = ses.get("warmup")
                ts.notes = ses.get("notes")
            for c in doc.get("checkins", []):
                crud.upsert_checkin(s, u.id, _date(c["date"], "check-in"), int(c["pain"]), c.get("sleep_hours"))
            for t in doc.get("triage", []):
                crud.add_triage(s, u.id, _date(t["date"], "triage"), t["outcome"], t.get("answers") or {})
            for c in doc.get("clearances", []):
                crud.add_clearance(s, u.id, _date(c["date"], "clearance"), c["flags"], c.get("note"),
                                   created_at=dt.datetime.fromisoformat(c["created_at"]))
            for o in doc.get("outcomes", []):
                crud.upsert_outcome(s, u.id, _date(o["date"], "outcome"), o["kind"], float(o["score"]),
                                    o.get("activity"))
            s.flush()
            return crud.count_log_rows(s, u.id)
    except (KeyError, TypeError, ValueError) as e:
        raise InputError(f"log import: malformed record ({type(e).__name__}: {e})") from e


# --- CSV -------------------------------------------------------------------------------------------------------


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True)
    return str(v)


def to_csv(doc: dict[str, Any]) -> str:
    """Flatten an export dict to CSV text."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    user = doc["user"]
    w.writerow({"record": "user", "name": user["name"], "wake_time": _cell(user.get("wake_time")),
                "age_years": _cell(user.get("age_years")), "unit": _cell(user.get("unit")),
                "body_mass_kg": _cell(user.get("body_mass_kg")), "sex": _cell(user.get("sex")),
                "default_tempo": _cell(user.get("default_tempo")), "equipment": _cell(user.get("equipment"))})
    for ses in doc["sessions"]:
        w.writerow({"record": "session", "date": ses["date"], "warmup": _cell(ses["warmup"]),
                    "notes": _cell(ses["notes"])})
        for e in ses["entries"]:
            row = {k: _cell(e[k]) for k in ("position", "exercise", "load_kg", "sets", "reps", "rpe", "pain_before",
                                             "pain_during", "pain_after", "warmup", "created_at")}
            w.writerow({"record": "entry", "date": ses["date"], **row})
            for r in e["reports"]:
                w.writerow({"record": "report", "date": ses["date"], "position": _cell(e["position"]),
                            "path": r["path"], "rep_count": _cell(r["rep_count"]), "faults": _cell(r["faults"])})
    for c in doc["checkins"]:
        w.writerow({"record": "checkin", "date": c["date"], "pain": _cell(c["pain"]),
                    "sleep_hours": _cell(c.get("sleep_hours"))})
    for t in doc["triage"]:
        w.writerow({"record": "triage", "date": t["date"], "outcome": t["outcome"], "answers": _cell(t["answers"])})
    for c in doc.get("clearances", []):
        w.writerow({"record": "clearance", "date": c["date"], "flags": _cell(c["flags"]), "note": _cell(c["note"]),
                    "created_at": c["created_at"]})
    for o in doc.get("outcomes", []):
        w.writerow({"record": "outcome", "date": o["date"], "kind": o["kind"], "activity": _cell(o["activity"]),
                    "score": _cell(o["score"])})
    return buf.getvalue()


def _opt(v: str, conv: Any) -> Any:
    return None if v == "" else conv(v)


def _bool(v: str) -> bool | None:
    if v == "":
        return None
    if v not in ("true", "false"):
        raise InputError(f"CSV: expected true/false, got {v!r}")
    return v == "true"


def from_csv(text: str) -> dict[str, Any]:
    """Parse CSV text written by :func:`to_csv` back into an export dict."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "record" not in reader.fieldnames:
        raise InputError("CSV log: missing header with a 'record' column")
    doc: dict[str, Any] = {"format": FORMAT, "version": VERSION,
                           "user": {"name": crud.DEFAULT_USER, "wake_time": None, "age_years": None, "unit": None,
                                    "body_mass_kg": None, "sex": None, "default_tempo": None, "equipment": {}},
                           "sessions": [], "checkins": [], "triage": [], "clearances": [], "outcomes": []}
    sessions: dict[str, dict[str, Any]] = {}
    try:
        for n, raw in enumerate(reader, start=2):
            row = {k: (raw.get(k) or "") for k in CSV_COLUMNS}  # a version-1 file lacks the newer columns
            kind = row["record"]
            if kind == "user":
                doc["user"] = {"name": row["name"], "wake_time": _opt(row["wake_time"], str),
                               "age_years": _opt(row["age_years"], int), "unit": row["unit"] or None,
                               "body_mass_kg": _opt(row["body_mass_kg"], float), "sex": _opt(row["sex"], str),
                               "default_tempo": _opt(row["default_tempo"], str),
                               "equipment": json.loads(row["equipment"] or "{}")}
            elif kind == "session":
                ses = {"date": row["date"], "warmup": _bool(row["warmup"]), "notes": _opt(row["notes"], str),
                       "entries": []}
                sessions[row["date"]] = ses
                doc["sessions"].append(ses)
            elif kind == "entry":
                sessions[row["date"]]["entries"].append({
                    "position": int(row["position"]), "exercise": row["exercise"], "load_kg": float(row["load_kg"]),
                    "sets": int(row["sets"]), "reps": int(row["reps"]), "rpe": _opt(row["rpe"], float),
                    "pain_before": _opt(row["pain_before"], int), "pain_during": _opt(row["pain_during"], int),
                    "pain_after": _opt(row["pain_after"], int), "warmup": _bool(row["warmup"]),
                    "created_at": row["created_at"], "reports": []})
            elif kind == "report":
                pos = int(row["position"])
                entry = next(e for e in sessions[row["date"]]["entries"] if e["position"] == pos)
                entry["reports"].append({"path": row["path"], "rep_count": _opt(row["rep_count"], int),
                                         "faults": json.loads(row["faults"] or "{}")})
            elif kind == "checkin":
                doc["checkins"].append({"date": row["date"], "pain": int(row["pain"]),
                                        "sleep_hours": _opt(row["sleep_hours"], float)})
            elif kind == "triage":
                doc["triage"].append({"date": row["date"], "outcome": row["outcome"],
                                      "answers": json.loads(row["answers"] or "{}")})
            elif kind == "clearance":
                doc["clearances"].append({"date": row["date"], "flags": json.loads(row["flags"] or "[]"),
                                          "note": _opt(row["note"], str), "created_at": row["created_at"]})
            elif kind == "outcome":
                doc["outcomes"].append({"date": row["date"], "kind": row["kind"],
                                        "activity": _opt(row["activity"], str), "score": float(row["score"])})
            else:
                raise InputError(f"CSV line {n}: unknown record type {kind!r}")
    except (KeyError, ValueError, StopIteration) as e:
        raise InputError(f"CSV log: malformed row ({type(e).__name__}: {e})") from e
    return doc
