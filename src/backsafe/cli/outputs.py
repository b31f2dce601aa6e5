"""The files of one analysis (``report.json``, ``report.html``, ``annotated.mp4``, ``frames.csv``, ``report.txt``),
written into a staging folder inside ``--out`` and moved in together: a crash or a bad input leaves no
half-written report. Also the progress bar the long steps show on a terminal.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from ..errors import InputError
from .common import err_console

if TYPE_CHECKING:
    from ..model import ReportData

__all__ = ["OutFormat", "progress_bar", "write_outputs"]


class OutFormat(str, Enum):
    json = "json"
    html = "html"
    video = "video"
    text = "text"
    csv = "csv"


def progress_bar(console: Console, label: str = "pose") -> tuple[Callable[[int, int | None], None], Callable[[], None]]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console,
        transient=True, disable=not console.is_terminal,
    )
    task = progress.add_task("pose", total=None)
    progress.start()

    def update(done: int, total: int | None) -> None:
        progress.update(task, completed=done, total=total)

    return update, progress.stop


#: staging folders are ``.backsafe-<pid>-<random>`` inside --out; a SIGKILLed run leaves its own behind
STAGING_PREFIX = ".backsafe-"
STALE_STAGING_S = 24 * 3600


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _remove_stale_staging(out: Path) -> None:
    """Remove staging folders left by killed runs (issue 9, crash safety): those whose process is gone, and any
    older than a day (pid reused, another host on a shared folder). A live run's folder is never touched."""
    import time

    for d in out.glob(f"{STAGING_PREFIX}*"):
        try:
            pid = int(d.name[len(STAGING_PREFIX):].split("-", 1)[0])
        except ValueError:
            pid = None
        try:
            old = time.time() - d.stat().st_mtime > STALE_STAGING_S
        except OSError:
            continue
        if d.is_dir() and (old or (pid is not None and pid != os.getpid() and not _pid_alive(pid))):
            shutil.rmtree(d, ignore_errors=True)


def _write_text(report: ReportData, path: Path, written: list[Path]) -> Path:
    """The terminal summary as plain text (``--format text`` writes it to report.txt as well as printing it)."""
    from ..report.text import print_summary

    with open(path, "w", encoding="utf-8") as fh:
        print_summary(report, Console(file=fh, width=100, no_color=True, highlight=False, force_terminal=False),
                      written)
    return path


def write_outputs(report: ReportData, src: Path, out: Path, formats: list[OutFormat]) -> list[Path]:
    """Write every asked-for file into a staging folder first, then move them in: no half-written report."""
    from ..report.json_report import write_json

    out.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(out)
    staging = Path(tempfile.mkdtemp(dir=out, prefix=f"{STAGING_PREFIX}{os.getpid()}-"))
    written: list[Path] = []
    try:
        if OutFormat.json in formats:
            written.append(write_json(report, staging / "report.json"))
        if OutFormat.html in formats:
            from ..report.html import render_html

            video = src if report.input.get("format") == "video" else None
            written.append(render_html(report, video, staging / "report.html"))
        if OutFormat.video in formats:
            if report.input.get("format") != "video":
                raise InputError("--format video needs a video input (this input is a keypoint file)")
            from ..report.video import write_annotated_video

            update, stop = progress_bar(err_console, "video")
            try:
                written.append(write_annotated_video(report, src, staging / "annotated.mp4",
                                                     progress=lambda done, total: update(done, total)))
            finally:
                stop()
        if OutFormat.csv in formats:
            from ..report.frames_csv import write_frames_csv

            written.append(write_frames_csv(report, staging / "frames.csv"))
        if OutFormat.text in formats:
            written.append(_write_text(report, staging / "report.txt", [out / p.name for p in written]))
        final = []
        for p in written:
            dest = out / p.name
            os.chmod(p, 0o600)  # a report is personal health data: every file readable by its owner only
            os.replace(p, dest)
            final.append(dest)
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)
