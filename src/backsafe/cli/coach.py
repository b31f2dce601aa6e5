"""Coach and training-log commands: ``triage``, ``plan``, ``log``, ``checkin``, ``outcome`` (the profile, progress
and log transfer commands are in :mod:`.person`, the exercise and rule library in :mod:`.library`), and what they
share: ``--db``, ``--user``, ``--date``, the log book, JSON output, colour, flag lines.

What a person reads is plain words (COACHING_RULES.md §9): exercise names, flag titles, no codes or section marks;
stop-level flags and safety tiers come first, in colour when stdout is a terminal and ``NO_COLOR`` is not set.

Every command is a thin shell over :mod:`backsafe.coach` and takes ``--db URL`` (default ``BACKSAFE_DATABASE_URL``,
else a SQLite file in the user data directory). Exit codes (DESIGN.md): 0 ok, 2 bad usage (unknown exercise),
3 invalid input value, 1 storage or unexpected error.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer

from .. import settings
from ..errors import BacksafeError, InputError, ValueRangeError
from .common import exit_code_for

__all__ = ["DateOpt", "DbOpt", "UserOpt", "checkin_cmd", "handle_errors", "log_cmd", "outcome_cmd", "plan_cmd",
           "triage_cmd"]

F = TypeVar("F", bound=Callable[..., Any])

DbOpt = Annotated[Optional[str], typer.Option("--db", help="Database URL (default: $BACKSAFE_DATABASE_URL, else a "
                                              "SQLite file in your user data folder).", show_default=False)]
UserOpt = Annotated[str, typer.Option("--user", help="Whose log (the CLI uses one local user by default).")]
DateOpt = Annotated[Optional[str], typer.Option("--date", help="YYYY-MM-DD (default: today).", show_default=False)]
FormatOpt = Annotated[str, typer.Option("--format", help="text or json")]


def handle_errors(fn: F) -> F:
    """A coach command's BacksafeError becomes "error: <message>" on stderr and its exit code (:mod:`.common`)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except BacksafeError as e:
            typer.echo(f"error: {e}", err=True)
            raise typer.Exit(exit_code_for(e)) from e

    return wrapper  # type: ignore[return-value]


def parse_date(text: str | None, what: str = "date") -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as e:
        raise ValueRangeError(f"{what} {text!r}: expected YYYY-MM-DD") from e


def book_for(db: str | None, user: str) -> Any:
    from ..coach.logbook import open_logbook

    timeout = settings.db_busy_timeout_s()
    return open_logbook(db, user, busy_timeout_s=timeout)


def emit_json(doc: Any) -> None:
    typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))


def _color() -> bool:
    """Colour only on a terminal, and never with NO_COLOR set (https://no-color.org)."""
    if settings.no_color():
        return False
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _echo_flags(flags: Any, color: bool) -> None:
    """Each flag as "title: message", stop-level first and in bold red on a terminal (§9: safety stands out)."""
    from ..coach.flags import sort_flags

    for f in sort_flags(list(flags)):
        line = f"{f.title}: {f.message}"
        typer.echo(typer.style(line, fg="red", bold=True) if color and f.level == "stop" else line, color=color)


def _usage_error(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


# --- triage ----------------------------------------------------------------------------------------------------


def _ask_triage() -> dict[str, Any]:
    from ..coach.triage import CLINICIAN_QUESTIONS, EMERGENCY_QUESTIONS, SOFT_QUESTIONS

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
    fmt: FormatOpt = "text",
    list_questions: Annotated[bool, typer.Option("--list-questions", help="Print the question ids and exit.")] = False,
    db: DbOpt = None,
    user: UserOpt = "local",
) -> None:
    """Red flags and the acute-injury window: proceed, rest, see a clinician, or seek emergency care."""
    from ..coach.triage import QUESTIONS, answers_from_mapping

    if list_questions:
        for q in QUESTIONS:
            typer.echo(f"{q.id:<32} {q.tier:<10} {q.text}")
        return
    day = parse_date(date)
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
        doc["injury_date"] = parse_date(injury_date, "injury date").isoformat()
    if cleared:
        doc["clinician_cleared"] = True
    parsed = answers_from_mapping(doc)
    result = book_for(db, user).triage(parsed, date=day)
    if fmt == "json":
        emit_json(result.to_json())
    else:
        color = _color()
        typer.echo(result.to_text(color=color), color=color)


# --- log / checkin -------------------------------------------------------------------------------------------


def log_cmd(
    exercise: Annotated[str, typer.Option("--exercise", help="Exercise id (see `backsafe exercises`).")],
    sets: Annotated[int, typer.Option("--sets")],
    reps: Annotated[int, typer.Option("--reps", help="Reps per set (seconds for holds, minutes for walking).")],
    load: Annotated[Optional[str], typer.Option("--load", help="External load: 30lb, 13.6kg, or a number in your "
                                                "unit (`backsafe profile --unit`); 0 = bodyweight.",
                                                show_default=False)] = None,
    load_kg: Annotated[Optional[float], typer.Option("--load-kg", help="External load in kg; 0 = bodyweight.",
                                                     show_default=False)] = None,
    load_lb: Annotated[Optional[float], typer.Option("--load-lb", help="External load in lb (the same as --load "
                                                     "30lb).", show_default=False)] = None,
    date: DateOpt = None,
    rpe: Annotated[Optional[float], typer.Option("--rpe", help="Effort 1-10 (10 = no reps left).")] = None,
    pain_before: Annotated[Optional[int], typer.Option("--pain-before", help="0-10")] = None,
    pain_during: Annotated[Optional[int], typer.Option("--pain-during", help="0-10")] = None,
    pain_after: Annotated[Optional[int], typer.Option("--pain-after", help="0-10")] = None,
    warmup: Annotated[Optional[bool], typer.Option("--warmup/--no-warmup", help="Warm-up done before these sets?",
                                                   show_default=False)] = None,
    report: Annotated[Optional[Path], typer.Option("--report", help="Link an analysis report.json.")] = None,
    fmt: FormatOpt = "text",
    db: DbOpt = None,
    user: UserOpt = "local",
) -> None:
    """Log one exercise of a session; prints the flags the entry raises, the most serious first."""
    from ..exercises import get_exercise

    ex = get_exercise(exercise)  # unknown exercise → exit 2 before touching the database
    if sum(x is not None for x in (load, load_kg, load_lb)) > 1:
        _usage_error("give the load once: --load (e.g. 30lb), --load-kg or --load-lb")
    if load_lb is not None:
        load = f"{load_lb!r}lb"  # §4 units: typed in pounds, stored in kg (and it chooses lb if no unit was chosen)
    res = book_for(db, user).log(date=parse_date(date), exercise=exercise, load_kg=load_kg, load=load, sets=sets,
                              reps=reps, rpe=rpe, pain_before=pain_before, pain_during=pain_during,
                              pain_after=pain_after, warmup=warmup, report=report)
    if fmt == "json":
        emit_json({"entry_id": res.entry_id, "date": res.date.isoformat(), "exercise": res.exercise,
                    "load_kg": res.load_kg, "unit": res.unit, "load": res.load_shown,
                    "flags": [f.to_json() for f in res.flags]})
        return
    color = _color()
    shown = f" @ {res.load_shown}" if res.load_kg > 0 else ""
    # §1 severe pain / §9 safety first: stop-level flags before the confirmation line, the others after it
    _echo_flags([f for f in res.flags if f.level == "stop"], color)
    typer.echo(f"Logged {ex.name} on {res.date.isoformat()}: {sets} × {reps}{shown}")
    _echo_flags([f for f in res.flags if f.level != "stop"], color)
    if not res.flags:
        typer.echo("No flags.")


def checkin_cmd(
    pain: Annotated[int, typer.Option("--pain", help="Pain this morning, 0-10.")],
    sleep_hours: Annotated[Optional[float], typer.Option("--sleep-hours", help="Hours slept last night (0-24).",
                                                         show_default=False)] = None,
    date: DateOpt = None,
    fmt: FormatOpt = "text",
    db: DbOpt = None,
    user: UserOpt = "local",
) -> None:
    """Record this morning's pain (0-10) and last night's sleep; the plan uses them to decide go / hold / back off."""
    res = book_for(db, user).checkin(date=parse_date(date), pain=pain, sleep_hours=sleep_hours)
    if fmt == "json":
        emit_json({"date": res.date.isoformat(), "pain": res.pain, "sleep_hours": res.sleep_hours,
                    "flags": [f.to_json() for f in res.flags]})
        return
    _echo_flags(res.flags, _color())  # §1 severe pain: said first, never only "Check-in saved"
    slept = f", slept {res.sleep_hours:g} h" if res.sleep_hours is not None else ""
    typer.echo(f"Check-in saved: {res.date.isoformat()} pain {pain}/10{slept}")


# --- outcome -----------------------------------------------------------------------------------------------------


def _psfs_pairs(items: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in items:
        name, sep, score = item.rpartition("=")
        if not sep or not name.strip():
            raise ValueRangeError(f"--psfs {item!r}: expected \"activity=score\", e.g. \"tying shoes=6\"")
        try:
            value = float(score)
        except ValueError:
            raise ValueRangeError(f"--psfs {item!r}: score {score!r} is not a number 0-10") from None
        if name.strip() in out:
            raise ValueRangeError(f"--psfs: activity {name.strip()!r} is given twice")
        out[name.strip()] = value
    return out


def outcome_cmd(
    pain_week: Annotated[Optional[int], typer.Option("--pain-week", help="Your average pain over the last week, "
                                                     "0-10.", show_default=False)] = None,
    psfs: Annotated[Optional[list[str]], typer.Option("--psfs", help="An everyday activity you find hard and how "
                                                      "well you can do it now, 0 (unable) to 10 (as before): "
                                                      "\"tying shoes=6\" (repeatable, 1-5).")] = None,
    date: DateOpt = None,
    fmt: FormatOpt = "text",
    db: DbOpt = None,
    user: UserOpt = "local",
) -> None:
    """Weekly outcome measures: pain (0-10) and the activities that matter to you (PSFS); shows the change."""
    from ..coach.progress import outcome_changes

    day = parse_date(date)
    book = book_for(db, user)
    saved = book.outcome(date=day, pain_week=pain_week, psfs=_psfs_pairs(psfs or []))
    changes = outcome_changes(book.history().outcomes)
    if fmt == "json":
        emit_json({"date": day.isoformat(),
                    "saved": [{"kind": o.kind, "activity": o.activity, "score": o.score} for o in saved],
                    "changes": [c.to_json() for c in changes]})
        return
    parts = [f"pain this week {o.score:g}/10" if o.kind == "pain_nrs" else f"{o.activity} {o.score:g}/10"
             for o in saved]
    typer.echo(f"Saved for {day.isoformat()}: " + "; ".join(parts))
    for c in changes:
        typer.echo(c.text)


# --- plan --------------------------------------------------------------------------------------------------------


def plan_cmd(
    date: DateOpt = None,
    fmt: FormatOpt = "text",
    exercise: Annotated[Optional[list[str]], typer.Option("--exercise", help="The day's exercises (repeatable); "
                                                          "default: your recent ones.")] = None,
    wake_time: Annotated[Optional[str], typer.Option("--wake-time", help="HH:MM, for the bedtime.")] = None,
    age: Annotated[Optional[int], typer.Option("--age", help="Years (sleep target).")] = None,
    fault: Annotated[Optional[list[str]], typer.Option("--fault", help="A recent fault code to warm up for.")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Say which rule and source is behind each line.")] = False,
    db: DbOpt = None,
    user: UserOpt = "local",
) -> None:
    """The next session: triage gate, warm-up, main block, what to film, recovery, flags."""
    from ..exercises import FAULT_CODES

    bad = [f for f in fault or [] if f not in FAULT_CODES]
    if bad:
        raise ValueRangeError(f"fault code(s) {bad}: expected some of {list(FAULT_CODES)}")
    day = parse_date(date) if date else dt.date.today()
    book = book_for(db, user)
    plan = book.plan(date=day, exercises=exercise or None, wake_time=wake_time, age_years=age,
                     extra_faults={f: 2 for f in fault or []})
    if plan.triage.outcome == "not_checked" and fmt != "json" and sys.stdin.isatty() and sys.stdout.isatty():
        # §1 State: "not checked yet" → ask the questions first (at a terminal; scripts get the not-checked plan)
        from ..coach.triage import answers_from_mapping

        typer.echo("You have not answered the safety questions yet; they come before any plan.")
        book.triage(answers_from_mapping(_ask_triage()), date=day)
        plan = book.plan(date=day, exercises=exercise or None, wake_time=wake_time, age_years=age,
                         extra_faults={f: 2 for f in fault or []})
    if fmt == "json":
        emit_json(plan.to_json())
    else:
        color = _color()
        typer.echo(plan.to_text(color=color, explain=explain), color=color)
        if plan.triage.outcome == "not_checked" or any("safety questions again" in n for n in plan.notes):
            typer.echo("\nThe safety questions: backsafe triage")
