"""The entry point of a batch: plan, lock the output folder, skip what is finished, run the rest (inline, in a
process pool or on Ray), record each result and write the summary."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from ..errors import InputError
from ..options import parse_person
from .jobs import BatchJob, JobResult
from .plan import ManifestEntry, longest_first, plan_batch
from .records import (OutputLock, SummaryRow, is_finished, remove_stale_temp_files, summary_row, write_result,
                      write_summary)
from .ray_run import run_ray
from .workers import run_inline, run_pool

ProgressFn = Callable[[JobResult], None]


@dataclass(slots=True)
class BatchResult:
    """A finished batch: the summary's rows (input order) and the counts by status."""

    rows: list[SummaryRow]
    out: Path
    n_ok: int = 0
    n_failed: int = 0
    n_skipped: int = 0
    n_unfinished: int = 0
    elapsed_s: float = 0.0
    summary_paths: list[Path] = field(default_factory=list)


def _config_defaults() -> ManifestEntry:
    """Body mass, sex and default tempo from the person's config file (user_config.py), under every manifest entry."""
    from ..user_config import analysis_defaults

    return cast(ManifestEntry, analysis_defaults())


def run_batch(
    input_dir: str | Path,
    out: str | Path,
    *,
    exercise: str | None = None,
    manifest: str | Path | None = None,
    workers: int = 1,
    ray_address: str | None = None,
    stride: int = 1,
    fps: float | None = None,
    retry_failed: bool = False,
    on_plan: Callable[[int, int], None] | None = None,
    on_result: ProgressFn | None = None,
    reference: str | Path | None = None,
    back_shape: bool | None = None,
    model: str = "full",
    person: str = "auto",
) -> BatchResult:
    """Analyse every input of ``input_dir`` into ``out`` (see the module docstring for the layout).

    Parameters
    ----------
    workers : local worker processes (1 = in this process); with ``ray_address``, actors (default: cluster CPUs).
    ray_address : ``auto`` or ``host:port`` of a running Ray cluster; None runs locally.
    stride : analyse every n-th frame of videos (``--fast`` is 2).
    fps : frame rate of keypoint files without time stamps that the manifest gives none for.
    back_shape : False: do not trace the back's outline (``--no-back-shape``) for inputs whose manifest entry does
        not say; None/True: the default, traced in side-view videos of exercises that check back rounding.
    model : the pose model size for videos (lite, full, heavy; ``--model``).
    person : who is analysed in clips with several people in frame, for inputs whose manifest entry does not say
        (``--person``: auto, largest, center, left, right or a point x,y; as ``backsafe analyze``).
    reference : the person's reference (a report.json or a recording of good reps) for every input whose manifest
        entry names none.
    on_plan : called once as ``on_plan(n_to_run, n_skipped)``; on_result once per finished job.

    Raises
    ------
    InputError
        INPUT_DIR is not a folder, the manifest is invalid, ``reference`` does not exist, or another batch is
        writing to ``out`` (nothing is run then).
    """
    t0 = time.perf_counter()
    input_dir, out = Path(input_dir), Path(out)
    if workers < 1:
        raise InputError(f"--workers {workers}: expected 1 or more")
    parse_person(person)  # a wrong --person is the command's error, not the first input's
    jobs = plan_batch(input_dir, exercise, Path(manifest) if manifest else None, stride, exclude=[out],
                      defaults=_batch_defaults(fps, back_shape, model, person),
                      reference=Path(reference) if reference else None)
    out.mkdir(parents=True, exist_ok=True)
    with OutputLock(out):
        remove_stale_temp_files(out)
        return _run_locked(jobs, out, workers, ray_address, retry_failed, on_plan, on_result, t0)


def _batch_defaults(fps: float | None, back_shape: bool | None, model: str = "full",
                    person: str = "auto") -> ManifestEntry:
    """The options under every manifest entry: the person's config file, then ``--fps``, ``--no-back-shape``,
    ``--model`` and ``--person`` (full and auto, the defaults, are left out: the same job keys as before)."""
    defaults = _config_defaults()
    if fps:
        defaults["fps"] = fps
    if back_shape is not None:
        defaults["back_shape"] = back_shape
    if model != "full":
        defaults["model"] = model
    if person != "auto":
        defaults["person"] = person
    return defaults


def _run_locked(jobs: list[BatchJob], out: Path, workers: int, ray_address: str | None, retry_failed: bool,
                on_plan: Callable[[int, int], None] | None, on_result: ProgressFn | None, t0: float) -> BatchResult:
    todo = longest_first([j for j in jobs if not is_finished(out, j, retry_failed)])
    if on_plan is not None:
        on_plan(len(todo), len(jobs) - len(todo))
    if ray_address:
        results = run_ray(todo, ray_address, workers if workers > 1 else None)
    elif workers == 1 or len(todo) <= 1:
        results = run_inline(todo)
    else:
        results = run_pool(todo, min(workers, len(todo)))
    not_recorded: dict[str, str] = {}  # failures that a re-run retries: no .done record, reason in the summary
    for job, res in results:
        if res.status == "unfinished" or res.retryable:
            not_recorded[job.name] = res.error or "unfinished"
        else:
            write_result(out, job, res)
        if on_result is not None:
            on_result(res)
    rows = [summary_row(out, j) for j in jobs]
    for r in rows:
        if r["input"] in not_recorded and r["status"] == "unfinished":
            r["status"], r["error"] = "failed", not_recorded[r["input"]]
    batch = BatchResult(rows=rows, out=out, elapsed_s=time.perf_counter() - t0)
    batch.n_skipped = len(jobs) - len(todo)
    batch.n_ok = sum(r["status"] == "ok" for r in rows)
    batch.n_failed = sum(r["status"] == "failed" for r in rows)
    batch.n_unfinished = sum(r["status"] == "unfinished" for r in rows)
    batch.summary_paths = write_summary(out, rows)
    return batch
