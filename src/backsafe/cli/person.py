"""The person's profile, their progress and moving their log in or out: ``profile``, ``progress``, ``export``,
``import`` (thin shells over :mod:`backsafe.coach`; shared options and helpers in :mod:`.coach`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import InputError, ValueRangeError
from .coach import DbOpt, FormatOpt, UserOpt, book_for, emit_json

__all__ = ["export_cmd", "import_cmd", "profile_cmd", "progress_cmd"]


# --- profile -----------------------------------------------------------------------------------------------------


def _profile_text(p: Any) -> str:
    from ..coach.units import format_load, to_unit

    def none(v: Any) -> str:
        return "not set" if v is None else str(v)

    lines = [f"Unit: {p.unit}",
             f"Body mass: {format_load(p.body_mass_kg, p.unit) if p.body_mass_kg else 'not set'}",
             f"Sex: {none(p.sex)}",
             f"Default tempo: {none(p.default_tempo)}",
             f"Wake time: {p.wake_time.strftime('%H:%M') if p.wake_time else 'not set (07:00 assumed)'}",
             f"Age: {none(p.age_years)}"]
    if p.equipment:
        lines.append("Equipment you own:")
        for kind, loads in sorted(p.equipment.items()):
            lines.append(f"  {kind}: {', '.join(f'{round(to_unit(v, p.unit), 1):g}' for v in loads)} {p.unit}")
    else:
        lines.append("Equipment: standard steps (set your own with --equipment dumbbell=5,10,15)")
    return "\n".join(lines)


def profile_cmd(
    unit: Annotated[Optional[str], typer.Option("--unit", help="kg or lb: how loads are typed and shown.",
                                                show_default=False)] = None,
    body_mass: Annotated[Optional[str], typer.Option("--body-mass", help="e.g. 80kg or 176lb (a number: your "
                                                     "unit).", show_default=False)] = None,
    sex: Annotated[Optional[str], typer.Option("--sex", help="female or male.", show_default=False)] = None,
    tempo: Annotated[Optional[str], typer.Option("--tempo", help="Default tempo, e.g. 3-1-2-0.",
                                                 show_default=False)] = None,
    equipment: Annotated[Optional[list[str]], typer.Option("--equipment", help="Loads you own, in your unit: "
                                                           "dumbbell=5,10,15 (repeatable; kinds: dumbbell, "
                                                           "kettlebell, barbell; an empty list clears one).")] = None,
    wake_time: Annotated[Optional[str], typer.Option("--wake-time", help="HH:MM, for the bedtime.",
                                                     show_default=False)] = None,
    age: Annotated[Optional[int], typer.Option("--age", help="Years (sleep target).", show_default=False)] = None,
    from_file: Annotated[Optional[Path], typer.Option("--from-file", help="A TOML profile file (options given "
                                                      "here override it).", show_default=False)] = None,
    fmt: FormatOpt = "text",
    db: DbOpt = None,
    user: UserOpt = "local",
) -> None:
    """Show or set your profile: unit (kg or lb), body mass, sex, default tempo, equipment, wake time, age."""
    from ..coach.profile_file import read_profile_file
    from ..coach.units import parse_load

    book = book_for(db, user)
    current = book.profile()
    kwargs: dict[str, Any] = {}
    if from_file is not None:
        kwargs.update(read_profile_file(from_file, current.unit))
    if unit is not None:
        kwargs["unit"] = unit.strip().lower()
    the_unit = kwargs.get("unit", current.unit)
    if body_mass is not None:
        try:
            kwargs["body_mass_kg"] = parse_load(body_mass, the_unit if the_unit in ("kg", "lb") else "kg")
        except ValueRangeError:
            raise ValueRangeError(f"body mass {body_mass!r}: expected e.g. 80kg or 176lb") from None
    if sex is not None:
        kwargs["sex"] = sex.strip().lower()
    if tempo is not None:
        kwargs["default_tempo"] = tempo
    if wake_time is not None:
        kwargs["wake_time"] = wake_time
    if age is not None:
        kwargs["age_years"] = age
    if equipment:
        eq = dict(kwargs.get("equipment") or {})
        for item in equipment:
            kind, sep, values = item.partition("=")
            if not sep or not kind.strip():
                raise ValueRangeError(f"--equipment {item!r}: expected kind=loads, e.g. dumbbell=5,10,15")
            eq[kind.strip().lower()] = [v.strip() for v in values.split(",") if v.strip()]
        kwargs["equipment"] = eq
    prof = book.set_profile(**kwargs) if kwargs else current
    if fmt == "json":
        emit_json(prof.to_json())
    else:
        if kwargs:
            typer.echo("Profile saved.")
        typer.echo(_profile_text(prof))


# --- progress ----------------------------------------------------------------------------------------------------


def progress_cmd(
    fmt: FormatOpt = "text",
    png: Annotated[Optional[Path], typer.Option("--png", help="Write a PNG plot here.")] = None,
    html_out: Annotated[Optional[Path], typer.Option("--html", help="Write an HTML page here.")] = None,
    db: DbOpt = None,
    user: UserOpt = "local",
) -> None:
    """Load, volume, pain and fault trends per week (terminal charts, PNG, HTML)."""
    from ..coach.progress import compute_trends, render_terminal, write_html, write_png

    tr = compute_trends(book_for(db, user).history())
    if fmt == "json":
        emit_json(tr.to_json())
    else:
        typer.echo(render_terminal(tr))
    for path, writer in ((png, write_png), (html_out, write_html)):
        if path is not None:
            try:
                writer(tr, path)
            except OSError as e:
                raise InputError(f"{path}: cannot write ({e.strerror})") from e
            typer.echo(f"wrote {path}", err=True)


# --- export / import ---------------------------------------------------------------------------------------------


def export_cmd(
    fmt: Annotated[str, typer.Option("--format", help="json or csv")] = "json",
    out: Annotated[Optional[Path], typer.Option("--out", help="File to write (default: stdout).")] = None,
    db: DbOpt = None,
    user: UserOpt = "local",
) -> None:
    """Export the whole log as JSON or CSV."""
    from ..coach.transfer import export_log, to_csv

    if fmt not in ("json", "csv"):
        raise ValueRangeError(f"format {fmt!r}: expected json or csv")
    doc = export_log(book_for(db, user))
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
    from ..coach.transfer import from_csv, import_log

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
    counts = import_log(book_for(db, user), doc, replace=replace)
    typer.echo(f"Imported: {counts['sessions']} sessions, {counts['entries']} entries, {counts['checkins']} "
               f"check-ins, {counts['triage']} triage records, {counts['clearances']} clearances, "
               f"{counts['outcomes']} outcome records")
