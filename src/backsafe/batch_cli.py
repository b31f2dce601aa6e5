"""``backsafe batch`` and ``backsafe live``: thin shells over :mod:`backsafe.batch` and :mod:`backsafe.live`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

#: ``--fast``: analyse every 2nd frame (about 2x the throughput; its accuracy cost is in bench/results.json)
FAST_STRIDE = 2


def _batch_progress(console: Console) -> tuple[Any, Any, Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("batch"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(), TimeRemainingColumn(), console=console, disable=not console.is_terminal,
    )
    task = progress.add_task("batch", total=None, counts="")
    counts = {"ok": 0, "failed": 0}

    def on_plan(n_todo: int, n_skipped: int) -> None:
        if n_skipped:
            console.print(f"resuming: {n_skipped} input(s) already finished are skipped")
        progress.update(task, total=n_todo)
        progress.start()

    def on_result(res: Any) -> None:
        counts["ok" if res.status == "ok" else "failed"] += 1
        progress.update(task, advance=1, counts=f"ok {counts['ok']}  failed {counts['failed']}")
        if not console.is_terminal:
            console.print(f"{res.status:6s} {res.name}" + (f": {res.error}" if res.error else ""), highlight=False)

    return on_plan, on_result, progress.stop


def batch(
    input_dir: Annotated[Path, typer.Argument(help="Folder of clips and keypoint files (searched recursively).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder: reports/<input>/, summary.csv/.parquet.")],
    workers: Annotated[int, typer.Option("--workers", "-w", help="Local worker processes (1 = in this process); "
                                         "with --ray-address: Ray actors (default: one per cluster CPU).")] = 1,
    ray_address: Annotated[str | None, typer.Option("--ray-address", help="Run on a Ray cluster: host:port or "
                                                    "'auto' (a cluster started with `ray start --head`).")] = None,
    exercise: Annotated[str, typer.Option("--exercise", "-e", help="Exercise of inputs the manifest does not "
                                          "name.")] = "squat",
    manifest: Annotated[Path | None, typer.Option(help="JSON or CSV: file, exercise, load_kg, fps, view, tempo, "
                                                  "back_shape, reference per input (paths relative to "
                                                  "INPUT_DIR).")] = None,
    reference: Annotated[Path | None, typer.Option(help="The person's own reference for every input whose manifest "
                                                   "entry names none: a report.json or a recording of their good "
                                                   "reps (as `backsafe analyze --reference`).")] = None,
    fps: Annotated[float | None, typer.Option(help="Frame rate of keypoint files without time stamps (npy, "
                                              "CSV) that the manifest gives none for.")] = None,
    fast: Annotated[bool, typer.Option("--fast", help="Analyse every 2nd video frame (~2x faster).")] = False,
    back_shape: Annotated[bool | None, typer.Option("--back-shape/--no-back-shape", help="The back's outline in "
                                                    "side-view videos: on by default, as in `backsafe analyze`; "
                                                    "--no-back-shape turns it off.")] = None,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="Redo inputs recorded as failed.")] = False,
) -> None:
    """Analyse every clip and keypoint file in a folder: one report each, a summary table; resumable."""
    from .batch import run_batch
    from .cli import err_console, run_guarded

    def go() -> None:
        on_plan, on_result, stop = _batch_progress(err_console)
        try:
            res = run_batch(input_dir, out, exercise=exercise, manifest=manifest, workers=workers,
                            ray_address=ray_address, stride=FAST_STRIDE if fast else 1, fps=fps, retry_failed=retry_failed,
                            on_plan=on_plan, on_result=on_result, reference=reference, back_shape=back_shape)
        finally:
            stop()
        console = Console()
        console.print(f"{res.n_ok} ok, {res.n_failed} failed, {res.n_skipped} skipped (already done), "
                      f"{res.n_unfinished} unfinished in {res.elapsed_s:.1f} s", highlight=False)
        for r in res.rows:
            if r["status"] == "failed":
                console.print(f"  failed {r['input']}: {r['error']}", highlight=False, soft_wrap=True)
        console.print("summary: " + ", ".join(str(p) for p in res.summary_paths), highlight=False)
        if not any(p.suffix == ".parquet" for p in res.summary_paths):
            err_console.print("note: summary.parquet needs pyarrow (pip install pyarrow); CSV written")
        if res.n_unfinished:
            raise typer.Exit(1)

    run_guarded(go)


def live(
    source: Annotated[str, typer.Argument(help="A camera index (0, 1...) or a video file.")],
    exercise: Annotated[str, typer.Option("--exercise", "-e", help="Exercise id (`backsafe exercises`).")] = "squat",
    realtime: Annotated[bool, typer.Option("--realtime/--no-realtime", help="Play a file at its own speed "
                                           "(frames arrive by their time stamps, late frames are dropped).")] = True,
    jsonl: Annotated[Path | None, typer.Option("--jsonl", help="Write events as JSON lines to this file "
                                               "('-' = stdout).")] = None,
    load_kg: Annotated[float | None, typer.Option("--load-kg", help="External load held, kg.")] = None,
    tempo: Annotated[str | None, typer.Option(help="Prescribed tempo, e.g. 3-1-2-0.")] = None,
    max_seconds: Annotated[float | None, typer.Option("--max-seconds", help="Stop after this long.")] = None,
    fast: Annotated[bool, typer.Option("--fast", help="Pose on every 2nd frame.")] = False,
) -> None:
    """Analyse a camera or a clip as it plays: rep and fault events as they happen (terminal + JSON lines)."""
    from .cli import run_guarded
    from .live import LiveOptions, print_event, run_live

    console = Console(stderr=jsonl is not None and str(jsonl) == "-")

    def go() -> None:
        sink = sys.stdout if jsonl is not None and str(jsonl) == "-" else None
        fh = jsonl.open("w", encoding="utf-8") if jsonl is not None and sink is None else None
        try:
            from .user_config import analysis_defaults

            conf = analysis_defaults()  # body mass, sex and default tempo from the config file
            opts = LiveOptions(exercise=exercise, realtime=realtime, load_kg=load_kg,
                               tempo=tempo if tempo is not None else conf.get("tempo"),
                               body_mass_kg=conf.get("body_mass_kg", 75.0), sex=conf.get("sex", "male"),
                               max_seconds=max_seconds, stride=FAST_STRIDE if fast else 1)

            def emit(event: dict[str, Any]) -> None:
                print_event(event, console)
                stream = sink or fh
                if stream is not None:
                    import json

                    stream.write(json.dumps(event) + "\n")
                    stream.flush()

            run_live(source, opts, emit)
        finally:
            if fh is not None:
                fh.close()

    run_guarded(go)


def register(app: typer.Typer) -> None:
    """Add ``batch`` and ``live`` to the main ``backsafe`` app."""
    app.command("batch")(batch)
    app.command("live")(live)
