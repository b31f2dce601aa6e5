"""Batch analysis of a folder: one report per input, a summary table, resumable, locally or on Ray.

Layout of ``--out DIR``::

    DIR/reports/<input name>/report.json   the JSON report of DESIGN.md (written atomically)
    DIR/reports/<input name>/.done         the completion record: input sha256, options, status, error, timing
    DIR/summary.csv, DIR/summary.parquet   one row per input (ok or failed, with the reason)

- **Resumable.** An input is skipped when its ``.done`` record names the same input sha256 and the same analysis
  options (and, for an ``ok`` record, its report.json is there). The report is renamed into place before the
  ``.done`` record, so a batch killed at any instant leaves either a finished input or one that is redone.
- **Failures are data.** A :class:`~backsafe.errors.BacksafeError` (bad file, no person...) is recorded as
  ``failed`` with its one-line message and does not stop the batch; it is not retried on a re-run unless asked
  (``retry_failed``), because the same input and options fail the same way. A worker that dies (killed, crashed)
  is replaced and its input retried; an input that kills workers repeatedly is left unfinished (no ``.done``).
- **Same reports everywhere.** Workers (local processes or Ray actors) return the report text; the driver writes
  every file, so results always land under ``--out`` on the machine that ran ``backsafe batch``. Nothing in a
  report depends on the worker (no host name, no wall clock): a Ray run gives the same report.json files as a
  local one. Timing lives in ``.done`` and the summary only.
- **One pose model per worker.** Each worker process (or Ray actor) loads MediaPipe once and resets its tracking
  state between clips (``reset`` gives the same landmarks as a fresh model, checked in the tests). A clip with
  several people in frame still gets ``analyze``'s people check and choice (the lent model says ``finds_people``).
- **Crash safe.** One batch at a time writes to an output folder (``DIR/.batch.lock``, an advisory lock the
  kernel drops when the driver dies, even by SIGKILL); under the lock, temporary files a killed run left behind
  are removed. A local worker whose driver died exits by itself within a fraction of a second instead of
  lingering as an orphan. Tested with 20+ SIGKILLs of the driver and of workers (tests/e2e/test_batch.py).
- **Longest first.** Inputs are handed out largest file first, so a long clip does not start last and leave one
  worker running alone at the end; the summary keeps the input order.
- **The exercise.** The manifest entry's, else ``--exercise``, else recognised from the input's own movement when
  it is analysed (as ``backsafe analyze`` without ``--exercise``); the summary's ``exercise`` is the one analysed.
- **The person's own reference.** A manifest entry's ``reference`` (a path inside INPUT_DIR, checked like
  ``file``) or ``--reference PATH`` for every input without one: a report.json of the person's good reps, or a
  recording of them (a clip, a keypoint file), analysed with the input's own options. Each job then gives the report
  of ``backsafe analyze INPUT --reference REF`` (a recording also adds its rep-by-rep ``comparison``). The
  reference's content (sha256) and file name are part of the job's key: a changed reference redoes the input, an
  unchanged one is skipped. A reference that fails (unreadable, no rep in it) fails that job with the reason.
  Discovery is unchanged except for one thing: a reference that is a report.json is not itself an input (it
  cannot be analysed; it would only add a failed row). A reference *recording* inside INPUT_DIR stays an input
  too: it is the person's set like any other and gets its own report (judged against ``--reference``, i.e.
  itself, when the manifest gives it no other). With Ray, the reference's bytes travel with the job.

Where each part lives::

    jobs.py      a job, its options, spec, result and key (what travels between the parts)
    plan.py      discovering inputs, reading the manifest, validating options, longest first
    records.py   report.json + .done per input, summary.csv/.parquet, the output lock, stale temp files
    analyzer.py  the Analyzer: one pose model per worker, one job -> its report text
    workers.py   inline and process-pool execution (spawned workers, their exit with the driver, atexit)
    ray_run.py   execution on a Ray cluster
    run.py       run_batch: plan, lock, skip what is finished, run, record, summarise
"""

from __future__ import annotations

from ..errors import InputError
from .analyzer import REFERENCE_CACHE_SIZE, Analyzer
from .jobs import (MAX_ATTEMPTS, RECORD_VERSION, AnalysisFields, BatchJob, JobOptions, JobReference, JobResult, JobSpec,
                   ReferenceKey, input_digest, options_key)
from .plan import (KEYPOINT_EXTENSIONS, MANIFEST_FIELDS, REFERENCE_FIELD, ManifestEntry, discover_inputs, input_size,
                   job_options, longest_first, plan_batch, read_manifest)
from .records import (SUMMARY_COLUMNS, DoneRecord, OutputLock, SummaryRow, is_finished, read_record,
                      remove_stale_temp_files, report_dir, summary_row, write_result, write_summary)
from .run import BatchResult, ProgressFn, run_batch

__all__ = [
    "MANIFEST_FIELDS", "MAX_ATTEMPTS", "KEYPOINT_EXTENSIONS", "RECORD_VERSION", "REFERENCE_CACHE_SIZE",
    "REFERENCE_FIELD", "SUMMARY_COLUMNS", "AnalysisFields", "Analyzer", "BatchJob", "BatchResult", "DoneRecord", "InputError",
    "JobOptions", "JobReference", "JobResult", "JobSpec", "ManifestEntry", "OutputLock", "ProgressFn", "ReferenceKey",
    "SummaryRow", "discover_inputs", "input_digest", "input_size", "is_finished", "job_options", "longest_first",
    "options_key", "plan_batch", "read_manifest", "read_record", "remove_stale_temp_files", "report_dir", "run_batch",
    "summary_row", "write_result", "write_summary",
]
