"""Coach and training-log commands: ``triage``, ``plan``, ``log``, ``checkin``, ``progress``, ``exercises``,
``export``, ``import``. The main CLI calls :func:`register` on its Typer app.

Every command is a thin shell over :mod:`backsafe.coach` and takes ``--db URL`` (default ``BACKSAFE_DATABASE_URL``,
else a SQLite file in the user data directory). Exit codes (DESIGN.md): 0 ok, 2 bad usage (unknown exercise),
3 invalid input value, 1 storage or unexpected error.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer

from .errors import BacksafeError, InputError, UnknownExerciseError, ValueRangeError

__all__ = ["register", "EXIT_CODES"]

EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = ((UnknownExerciseError, 2), (InputError, 3),
                                                          (BacksafeError, 1))
F = TypeVar("F", bound=Callable[..., Any])

DbOpt = Annotated[Optional[str], typer.Option("--db", help="Database URL (default: $BACKSAFE_DATABASE_URL, else a "
                                              "SQLite file in your user data folder).", show_default=False)]
UserOpt = Annotated[str, typer.Option("--user", help="Whose log (the CLI uses one local user by default).")]
DateOpt = Annotated[Optional[str], typer.Option("--date", help="YYYY-MM-DD (default: today).", show_default=False)]


def _handle_errors(fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except BacksafeError as e:
            code = next(c for t, c in EXIT_CODES if isinstance(e, t))
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(code) from e

    return wrapper  # type: ignore[return-value]


def _parse_date(text: str | None, what: str = "date") -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as e:
        raise ValueRangeError(f"{what} {text!r}: expected YYYY-MM-DD") from e


def _book(db: str | None, user: str) -> Any:
    from .coach.logbook import open_logbook

    timeout = float(os.environ.get("BACKSAFE_DB_BUSY_TIMEOUT_S", "5"))
    return open_logbook(db, user, busy_timeout_s=timeout)


def _emit_json(doc: Any) -> None:
    typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))


# --- triage ----------------------------------------------------------------------------------------------------


def _ask_triage() -> dict[str, Any]:
    from .coach.triage import CLINICIAN_QUESTIONS, EMERGENCY_QUESTIONS, SOFT_QUESTIONS

    flags: list[str] = []
    typer.echo("A few questions before training (answer y or n).")
    for q in EMERGENCY_QUESTIONS:
        if typer.confirm(q.text, default=False):
            flags.append(q.id)
            return {"flags": flags}  # §1: stop at the first emergency answer
    for q in CLINICIAN_QUESTIONS + SOFT_QUESTIONS:
        if typer.confirm(q.text, default=False):
            flags.append(q.id)
    doc: dict[str, Any] = {"flags": flags}
    if typer.confirm("Did you strain your back suddenly in the last 2 weeks?", default=False):
        doc["injury_date"] = typer.prompt("On which day (YYYY-MM-DD)?")
    if any(f in flags for f in (q.id for q in CLINICIAN_QUESTIONS)):
        doc["clinician_cleared"] = typer.confirm("Has a clinician checked this and cleared you to exercise?",
                                                 default=False)
    return doc


def triage_cmd(
    date: DateOpt = None,
    answers: Annotated[Optional[str], typer.Option("--answers", help="JSON file ('-' = stdin): {\"flags\": [...], "
                                                   "\"injury_date\": ..., \"clinician_cleared\": ...}")] = None,
    yes: Annotated[Optional[list[str]], typer.Option("--yes", help="A question id answered yes (repeatable).")] = None,
    none: Annotated[bool, typer.Option("--none", help="Answer no to every question (non-interactive).")] = False,
    injury_date: Annotated[Optional[str], typer.Option("--injury-date", help="Day of a sudden strain.")] = None,
    cleared: Annotated[bool, typer.Option("--clinician-cleared", help="A clinician has cleared you.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    list_questions: Annotated[bool, typer.Option("--list-questions", help="Print the question ids and exit.")] = False,
    db: DbOpt = None,
    user: UserOpt = "local",
) -> None:
    """Red flags and the acute-injury window: proceed, rest, see a clinician, or seek emergency care."""
    from .coach.triage import QUESTIONS, answers_from_mapping

    if list_questions:
        for q in QUESTIONS:
            typer.echo(f"{q.id:<32} {q.tier:<10} {q.text}")
        return
    day = _parse_date(date)
    if answers is not None:
        try:
            text = sys.stdin.read() if answers == "-" else Path(answers).read_text(encoding="utf-8")
            doc = json.loads(text)
        except (OSError, json.JSONDecodeError) as e:
            raise InputError(f"triage answers {answers}: not readable JSON ({e})") from e
    elif yes or none or injury_date or cleared:
        doc = {"flags": list(yes or [])}
    else:
        doc = _ask_triage()
    if injury_date:
        doc["injury_date"] = _parse_date(injury_date, "injury date").isoformat()
    if cleared:
        doc["clinician_cleared"] = True
    parsed = answers_from_mapping(doc)
    result = _book(db, user).triage(parsed, date=day)
    if fmt == "json":
        _emit_json(result.to_json())
    else:
        typer.echo(result.to_text())


# --- log / checkin -------------------------------------------------------------------------------------------


def log_cmd(
    exercise: Annotated[str, typer.Option("--exercise", help="Exercise id (see `backsafe exercises`).")],
    sets: Annotated[int, typer.Option("--sets")],
    reps: Annotated[int, typer.Option("--reps", help="Reps per set (seconds for holds, minutes for walking).")],
    load_kg: Annotated[float, typer.Option("--load-kg", help="External load in kg; 0 = bodyweight.")] = 0.0,
    date: DateOpt = None,
    rpe: Annotated[Optional[float], typer.Option("--rpe", help="Effort 1-10 (10 = no reps left).")] = None,
    pain_before: Annotated[Optional[int], typer.Option("--pain-before", help="0-10")] = None,
    pain_during: Annotated[Optional[int], typer.Option("--pain-during", help="0-10")] = None,
    pain_after: Annotated[Optional[int], typer.Option("--pain-after", help="0-10")] = None,
    warmup: Annotated[Optional[bool], typer.Option("--warmup/--no-warmup", help="Warm-up done before these sets?",
                                                   show_default=False)] = None,
    report: Annotated[Optional[Path], typer.Option("--report", help="Link an analysis report.json.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    db: DbOpt = None,
    user: UserOpt = "local",
) -> None:
    """Log one exercise of a session; prints the flags the entry raises."""
    from .exercises import get_exercise

    get_exercise(exercise)  # unknown exercise → exit 2 before touching the database
    res = _book(db, user).log(date=_parse_date(date), exercise=exercise, load_kg=load_kg, sets=sets, reps=reps,
                              rpe=rpe, pain_before=pain_before, pain_during=pain_during, pain_after=pain_after,
                              warmup=warmup, report=report)
    if fmt == "json":
        _emit_json({"entry_id": res.entry_id, "date": res.date.isoformat(), "exercise": res.exercise,
                    "flags": [f.to_json() for f in res.flags]})
        return
    load = f" @ {load_kg:g} kg" if load_kg else ""
    typer.echo(f"Logged {res.exercise} on {res.date.isoformat()}: {sets} × {reps}{load}")
    for f in res.flags:
        typer.echo(f"FLAG {f.code}: {f.message}")
    if not res.flags:
        typer.echo("No flags.")


def checkin_cmd(
    pain: Annotated[int, typer.Option("--pain", help="Pain this morning, 0-10.")],
    date: DateOpt = None,
    db: DbOpt = None,
    user: UserOpt = "local",
) -> None:
    """Record next-morning pain (0-10); the plan uses it to decide go / hold / back off."""
    day = _parse_date(date)
    _book(db, user).checkin(date=day, pain=pain)
    typer.echo(f"Check-in saved: {day.isoformat()} pain {pain}/10")


# --- plan --------------------------------------------------------------------------------------------------------


def plan_cmd(
    date: DateOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    exercise: Annotated[Optional[list[str]], typer.Option("--exercise", help="The day's exercises (repeatable); "
                                                          "default: your recent ones.")] = None,
    wake_time: Annotated[Optional[str], typer.Option("--wake-time", help="HH:MM, for the bedtime.")] = None,
    age: Annotated[Optional[int], typer.Option("--age", help="Years (sleep target).")] = None,
    fault: Annotated[Optional[list[str]], typer.Option("--fault", help="A recent fault code to warm up for.")] = None,
    db: DbOpt = None,
    user: UserOpt = "local",
) -> None:
    """The next session: triage gate, warm-up, main block, what to film, recovery, flags."""
    from .exercises import FAULT_CODES

    bad = [f for f in fault or [] if f not in FAULT_CODES]
    if bad:
        raise ValueRangeError(f"fault code(s) {bad}: expected some of {list(FAULT_CODES)}")
    day = _parse_date(date) if date else dt.date.today()
    plan = _book(db, user).plan(date=day, exercises=exercise or None, wake_time=wake_time, age_years=age,
                                extra_faults={f: 2 for f in fault or []})
    if fmt == "json":
        _emit_json(plan.to_json())
    else:
        typer.echo(plan.to_text())


# --- progress ----------------------------------------------------------------------------------------------------


def progress_cmd(
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    png: Annotated[Optional[Path], typer.Option("--png", help="Write a PNG plot here.")] = None,
    html_out: Annotated[Optional[Path], typer.Option("--html", help="Write an HTML page here.")] = None,
    db: DbOpt = None,
    user: UserOpt = "local",
) -> None:
    """Load, volume, pain and fault trends per week (terminal charts, PNG, HTML)."""
    from .coach.progress import compute_trends, render_terminal, write_html, write_png

    tr = compute_trends(_book(db, user).history())
    if fmt == "json":
        _emit_json(tr.to_json())
    else:
        typer.echo(render_terminal(tr))
    for path, writer in ((png, write_png), (html_out, write_html)):
        if path is not None:
            try:
                writer(tr, path)
            except OSError as e:
                raise InputError(f"{path}: cannot write ({e.strerror})") from e
            typer.echo(f"wrote {path}", err=True)


# --- exercises -------------------------------------------------------------------------------------------------


def exercises_cmd(
    impact: Annotated[Optional[str], typer.Option("--impact", help="low or high")] = None,
    spinal_load: Annotated[Optional[str], typer.Option("--spinal-load", help="L, M or H")] = None,
    view: Annotated[Optional[str], typer.Option("--view", help="side, front or oblique")] = None,
    pattern: Annotated[Optional[str], typer.Option("--pattern", help="e.g. squat, hinge, lunge, core")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """The exercise library: impact, spinal load, view, faults checked, regressions and progressions."""
    from .exercises import load_library

    lib = list(load_library().values())
    if impact:
        lib = [e for e in lib if e.impact == impact.lower()]
    if spinal_load:
        lib = [e for e in lib if e.spinal_load == spinal_load.upper()]
    if view:
        lib = [e for e in lib if view.lower() in e.views]
    if pattern:
        lib = [e for e in lib if e.pattern == pattern.lower()]
    if fmt == "json":
        _emit_json([e.as_dict() for e in lib])
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"backsafe exercise library ({len(lib)})")
    for col in ("id", "impact", "spine", "MET", "view", "faults checked", "regress → progress", "while recovering"):
        table.add_column(col)
    for e in lib:
        table.add_row(e.id, e.impact, e.spinal_load, f"{e.met:g}", ", ".join(e.views), ", ".join(e.faults),
                      f"{', '.join(e.regressions) or '-'} → {', '.join(e.progressions) or '-'}",
                      e.while_recovering or "")
    Console(width=200).print(table)


# --- export / import ---------------------------------------------------------------------------------------------


def export_cmd(
    fmt: Annotated[str, typer.Option("--format", help="json or csv")] = "json",
    out: Annotated[Optional[Path], typer.Option("--out", help="File to write (default: stdout).")] = None,
    db: DbOpt = None,
    user: UserOpt = "local",
) -> None:
    """Export the whole log as JSON or CSV."""
    from .coach.transfer import export_log, to_csv

    if fmt not in ("json", "csv"):
        raise ValueRangeError(f"format {fmt!r}: expected json or csv")
    doc = export_log(_book(db, user))
    text = to_csv(doc) if fmt == "csv" else json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)


def import_cmd(
    path: Annotated[Path, typer.Argument(help="A file written by `backsafe export`.")],
    fmt: Annotated[str, typer.Option("--format", help="auto, json or csv")] = "auto",
    replace: Annotated[bool, typer.Option("--replace", help="Overwrite a non-empty log.")] = False,
    db: DbOpt = None,
    user: UserOpt = "local",
) -> None:
    """Import a log exported by `backsafe export` (all or nothing)."""
    from .coach.transfer import from_csv, import_log

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read ({e})") from e
    kind = fmt if fmt != "auto" else ("csv" if path.suffix.lower() == ".csv" else "json")
    if kind == "csv":
        doc = from_csv(text)
    else:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(f"{path}: not JSON ({e})") from e
    counts = import_log(_book(db, user), doc, replace=replace)
    typer.echo(f"Imported: {counts['sessions']} sessions, {counts['entries']} entries, {counts['checkins']} "
               f"check-ins, {counts['triage']} triage records")


def register(app: typer.Typer) -> None:
    """Add the coach and training-log commands to ``app``."""
    for name, fn in (
        ("triage", triage_cmd),
        ("plan", plan_cmd),
        ("log", log_cmd),
        ("checkin", checkin_cmd),
        ("progress", progress_cmd),
        ("exercises", exercises_cmd),
        ("export", export_cmd),
        ("import", import_cmd),
    ):
        app.command(name)(_handle_errors(fn))
