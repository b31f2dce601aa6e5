"""The terminal summary (``--format text``): a compact colour table per rep, the top cue, where files went."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..model import ReportData
from .wording import (DISCLAIMER, fault_label, finding_sort_key, form_checked, format_value, lumbar_moment_note,
                      people_text, rep_cell_text, report_notes, verdict, warnings_without_notes)

__all__ = ["print_summary"]

SEVERITY_STYLE = {"mild": "yellow", "moderate": "dark_orange", "severe": "bold red"}


def _exercise_name(report: ReportData) -> str:
    try:
        from ..exercises import get_exercise

        return get_exercise(report.exercise).name
    except Exception:  # unknown id: show it as is
        return report.exercise


def _rep_table(report: ReportData) -> Table:
    show_moment = bool(report.lumbar_moment_nm)
    table = Table(title=None, show_lines=False, header_style="bold", pad_edge=False, expand=False)
    for name in ("Rep", "Time s", "Down", "Btm", "Up", "Top"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("Faults (value vs limit)", ratio=1, min_width=16, overflow="fold")
    if show_moment:
        table.add_column("L5/S1 N·m", justify="right", no_wrap=True)
    checked = form_checked(report)
    for r in report.reps:
        fs = sorted(report.findings_for(r.index), key=finding_sort_key)
        faults = Text()
        if not fs:
            faults.append(rep_cell_text(report), style="green" if checked else "dim")
        for i, f in enumerate(fs):
            if i:
                faults.append("\n")
            faults.append(f"{fault_label(f.code)} ", style=SEVERITY_STYLE.get(f.severity, "red"))
            faults.append(f"{format_value(f.value, f.unit)} vs {format_value(f.threshold, f.unit)}", style="dim")
        t = r.tempo
        row: list[str | Text] = [
            f"{r.index}" + ("*" if r.partial else ""),
            f"{r.start_s:.1f}-{r.end_s:.1f}",
            *((f"{v:.1f}" for v in (t.eccentric_s, t.bottom_s, t.concentric_s, t.top_s)) if r.tempo_measured
              else ("-",) * 4),
            faults,
        ]
        if show_moment:
            m = report.lumbar_moment_nm.get(r.index)
            row.append(f"{m:.0f}" if m is not None else "-")
        table.add_row(*row)
    return table


def print_summary(report: ReportData, console: Console, written: list[Path]) -> None:
    """Print the per-rep table, the verdict, the top cue and the files written.

    Parameters
    ----------
    report : the analysis.
    console : where to print (colour follows the console: none when it is not a terminal).
    written : files the analysis wrote (report.json, report.html, annotated.mp4...).
    """
    head = f"[bold]{_exercise_name(report)}[/bold] · {report.view} view · {report.dims.upper()}"
    if report.reps:
        partial = sum(1 for r in report.reps if r.partial)
        head += f" · {report.rep_count} reps" + (f" (+{partial} partial)" if partial else "")
    if report.hold_s is not None:
        head += f" · hold {report.hold_s:.1f} s"
    console.print(head)
    who = people_text(report)
    if who:
        console.print(Text(who, style="cyan"))
    if report.reps:
        console.print(_rep_table(report))
        if any(r.partial for r in report.reps):
            console.print("[dim]* partial rep[/dim]")
        floor = lumbar_moment_note(report)
        if floor and not report.lumbar_moment_nm:
            console.print(Text(f"L5/S1 moment: {floor}", style="dim"))
    elif report.findings:
        for f in sorted(report.findings, key=finding_sort_key):
            console.print(
                f"  [{SEVERITY_STYLE.get(f.severity, 'red')}]{fault_label(f.code)}[/] "
                f"{format_value(f.value, f.unit)} vs {format_value(f.threshold, f.unit)}"
            )
    style = "yellow" if report.findings else "green" if form_checked(report) else "default"
    console.print(Text(verdict(report), style=style))
    if report.top_cue:
        console.print(Text.assemble(("Top cue: ", "bold"), (report.top_cue, "bold cyan")))
    for note in report_notes(report):  # not faults (a brisk controlled tempo §7, the back's outline not traced)
        console.print(Text(f"note: {note}", style="cyan"))
    for w in warnings_without_notes(report):
        console.print(Text(f"warning: {w}", style="dim yellow"))
    if written:
        console.print("[bold]Written:[/bold]")
        for p in written:
            console.print(f"  {p}", highlight=False, soft_wrap=True)
    console.print(Text(DISCLAIMER, style="dim"))
