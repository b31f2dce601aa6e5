"""``backsafe batch``: a thin shell over :mod:`backsafe.batch` (a progress bar, the counts, the failures)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from .analyze import MODEL_HELP, PERSON_HELP, ModelOpt
from .common import FAST_STRIDE, err_console, run_guarded

__all__ = ["batch"]


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
    exercise: Annotated[str | None, typer.Option("--exercise", "-e", help="Exercise of inputs the manifest does "
                                                 "not name; without it each input's exercise is recognised from "
                                                 "its movement, as `backsafe analyze` does.")] = None,
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
    model: Annotated[ModelOpt, typer.Option("--model", help=MODEL_HELP)] = ModelOpt.full,
    person: Annotated[str, typer.Option(help=PERSON_HELP + " For inputs whose manifest entry names none (its "
                                        "'person' field).")] = "auto",
) -> None:
    """Analyse every clip and keypoint file in a folder: one report each, a summary table; resumable."""
    from ..batch import run_batch

    def go() -> None:
        on_plan, on_result, stop = _batch_progress(err_console)
        try:
            res = run_batch(input_dir, out, exercise=exercise, manifest=manifest, workers=workers,
                            ray_address=ray_address, stride=FAST_STRIDE if fast else 1, fps=fps, retry_failed=retry_failed,
                            on_plan=on_plan, on_result=on_result, reference=reference, back_shape=back_shape,
                            model=model.value, person=person)
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
