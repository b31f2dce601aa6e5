"""What backsafe knows, in plain words: ``exercises`` (the exercise library) and ``rules`` (the coach's rules with
their sources)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..errors import ValueRangeError
from .coach import emit_json

__all__ = ["exercises_cmd", "rules_cmd"]


# --- exercises -------------------------------------------------------------------------------------------------


def exercises_cmd(
    impact: Annotated[Optional[str], typer.Option("--impact", help="low or high")] = None,
    spinal_load: Annotated[Optional[str], typer.Option("--spinal-load", help="L, M or H")] = None,
    view: Annotated[Optional[str], typer.Option("--view", help="side, front or oblique")] = None,
    pattern: Annotated[Optional[str], typer.Option("--pattern", help="e.g. squat, hinge, lunge, core")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """The exercise library: impact, spinal load, view, faults checked, regressions and progressions."""
    from ..exercises import load_library

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
        emit_json([e.as_dict() for e in lib])
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



# --- rules -------------------------------------------------------------------------------------------------------


def rules_cmd(
    ids: Annotated[Optional[list[str]], typer.Argument(help="Rule ids as the JSON's `rules` fields name them "
                                                       "(e.g. severe-pain); none = every rule.", show_default=False)] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, markdown or json")] = "text",
) -> None:
    """The coach's rules in plain words, with their sources and evidence (the same text as docs/coach.md)."""
    from ..coach import rules as registry

    if fmt not in ("text", "markdown", "json"):
        raise ValueRangeError(f"format {fmt!r}: expected text, markdown or json")
    wanted = list(ids or registry.RULES)
    unknown = [i for i in wanted if i not in registry.RULES]
    if unknown:
        raise ValueRangeError(f"unknown rule id(s) {unknown}; run `backsafe rules` for the list")
    if fmt == "json":
        emit_json([{"id": r.id, "title": r.title, "text": r.text, "source": r.source, "evidence": r.evidence}
                    for r in (registry.rule(i) for i in wanted)])
    elif fmt == "markdown" and not ids:
        typer.echo(registry.to_markdown())
    else:
        typer.echo(registry.explain(wanted))
