"""What a batch leaves on disk: per input its report and its completion record (``.done``), the summary table,
the output folder's lock and the clean-up of a killed run's temporary files."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any, NotRequired, TypedDict, cast

from ..errors import InputError
from ..report.json_report import atomic_temp_glob, write_atomic
from .jobs import RECORD_VERSION, BatchJob, JobOptions, JobResult

SUMMARY_COLUMNS = (
    "input", "status", "exercise", "rep_count", "partial_reps", "view", "dims", "quality", "n_faults",
    "fault_codes", "top_cue", "frames", "duration_s", "max_lumbar_moment_nm", "elapsed_s", "error", "report",
    "reference",
)


class DoneRecord(TypedDict):
    """A completion record (``.done``): the job's key, its status and error, and its timing (run-dependent)."""

    record_version: int
    input: str
    input_sha256: str
    options: JobOptions
    key: str
    status: str  # ok | failed
    error: str | None
    error_type: str | None
    elapsed_s: float
    worker: str  # host:pid
    finished_at: str
    reference: NotRequired[str | None]
    reference_sha256: NotRequired[str | None]


class SummaryRow(TypedDict):
    """One line of the summary table (SUMMARY_COLUMNS, in that order); None is an empty cell."""

    input: str
    status: str  # ok | failed | unfinished
    exercise: str | None
    rep_count: int | None
    partial_reps: int | None
    view: str | None
    dims: str | None
    quality: str | None
    n_faults: int | None
    fault_codes: str | None
    top_cue: str | None
    frames: int | None
    duration_s: float | None
    max_lumbar_moment_nm: float | None
    elapsed_s: float | None
    error: str | None
    report: str | None
    reference: str | None


def report_dir(out: Path, name: str) -> Path:
    """``out/reports/<name>``, with the input's sub-folders flattened (``a/b.mp4`` -> ``a__b.mp4``)."""
    return out / "reports" / name.replace("/", "__")


def read_record(out: Path, job: BatchJob) -> DoneRecord | None:
    """The job's completion record, or None (none yet, or unreadable). An older version's record may lack fields:
    read it with ``.get``."""
    p = report_dir(out, job.name) / ".done"
    try:
        rec = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return cast(DoneRecord, rec) if isinstance(rec, dict) else None


def is_finished(out: Path, job: BatchJob, retry_failed: bool = False) -> bool:
    rec = read_record(out, job)
    if rec is None or rec.get("key") != job.key:
        return False
    if rec.get("status") == "ok":
        return (report_dir(out, job.name) / "report.json").is_file()
    return rec.get("status") == "failed" and not retry_failed


def write_result(out: Path, job: BatchJob, res: JobResult) -> None:
    """Report first (atomic rename), then the ``.done`` record (atomic): the record means "finished"."""
    d = report_dir(out, job.name)
    d.mkdir(parents=True, exist_ok=True)
    if res.status == "ok" and res.report_text is not None:
        write_atomic(d / "report.json", res.report_text)
    else:
        (d / "report.json").unlink(missing_ok=True)  # a stale report of an older, now failing, version
    rec: DoneRecord = {
        "record_version": RECORD_VERSION,
        "input": job.name,
        "input_sha256": job.sha256,
        "options": job.options,
        "key": job.key,
        "status": res.status,
        "error": res.error,
        "error_type": res.error_type,
        "elapsed_s": round(res.elapsed_s, 3),
        "worker": res.worker,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if job.reference is not None:
        rec["reference"] = job.reference.name
        rec["reference_sha256"] = job.reference.sha256
    write_atomic(d / ".done", json.dumps(rec, indent=2) + "\n")


def summary_row(out: Path, job: BatchJob) -> SummaryRow:
    """One summary line from what is on disk (so a resumed input and a fresh one give the same line)."""
    rec = read_record(out, job)
    row: SummaryRow = {
        "input": job.name, "status": rec.get("status", "unfinished") if rec is not None else "unfinished",
        "exercise": job.options.get("exercise") or None, "rep_count": None, "partial_reps": None, "view": None,
        "dims": None, "quality": None, "n_faults": None, "fault_codes": None, "top_cue": None, "frames": None,
        "duration_s": None, "max_lumbar_moment_nm": None,
        "elapsed_s": rec.get("elapsed_s") if rec is not None else None,
        "error": rec.get("error") if rec is not None else None, "report": None,
        "reference": job.reference.name if job.reference is not None else None,
    }
    rp = report_dir(out, job.name) / "report.json"
    if row["status"] != "ok" or not rp.is_file():
        return row
    doc = json.loads(rp.read_text(encoding="utf-8"))  # the JSON report of DESIGN.md (schema-validated when written)
    codes = sorted({f["code"] for r in doc.get("reps", []) for f in r.get("faults", [])})
    moments = [r["lumbar_moment_nm"] for r in doc.get("reps", []) if r.get("lumbar_moment_nm") is not None]
    row["exercise"] = doc.get("exercise")  # the one analysed: recognised when neither -e nor the manifest named it
    row["rep_count"] = doc.get("rep_count")
    row["partial_reps"] = sum(1 for r in doc.get("reps", []) if r.get("partial"))
    row["view"], row["dims"] = doc.get("view"), doc.get("dims")
    row["quality"] = doc.get("summary", {}).get("quality")
    row["n_faults"] = sum(doc.get("summary", {}).get("faults", {}).values())
    row["fault_codes"] = ";".join(codes)
    row["top_cue"] = doc.get("summary", {}).get("top_cue")
    row["frames"] = doc.get("input", {}).get("frames")
    row["duration_s"] = doc.get("input", {}).get("duration_s")
    row["max_lumbar_moment_nm"] = max(moments) if moments else None
    row["report"] = rp.relative_to(out).as_posix()
    return row


def write_summary(out: Path, summary_rows: list[SummaryRow]) -> list[Path]:
    """``summary.csv`` and ``summary.parquet`` (pyarrow), each written atomically."""
    rows = [dict(r) for r in summary_rows]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(SUMMARY_COLUMNS))
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else r[k]) for k in SUMMARY_COLUMNS})
    paths = [write_atomic(out / "summary.csv", buf.getvalue())]
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return paths  # the CLI warns; CSV is always there
    table = pa.table({c: [r.get(c) for r in rows] for c in SUMMARY_COLUMNS}, schema=_parquet_schema(pa))
    fd, tmp = tempfile.mkstemp(dir=out, prefix=".summary.", suffix=".parquet.tmp")
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, out / "summary.parquet")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    paths.append(out / "summary.parquet")
    return paths


def _parquet_schema(pa: Any) -> Any:
    ints = {"rep_count", "partial_reps", "n_faults", "frames"}
    floats = {"duration_s", "max_lumbar_moment_nm", "elapsed_s"}
    return pa.schema([(c, pa.int64() if c in ints else pa.float64() if c in floats else pa.string())
                      for c in SUMMARY_COLUMNS])


#: temporary files of write_atomic / write_summary that a killed run can leave behind (removed under the lock)
#: (the same glob write_atomic names them by: a hand-written ".done.*.tmp" once missed "..done.x.tmp")
_STALE_PATTERNS = (atomic_temp_glob("report.json"), atomic_temp_glob(".done"), atomic_temp_glob("summary.csv"),
                   ".summary.*.parquet.tmp")


class OutputLock:
    """``DIR/.batch.lock``: an exclusive advisory lock (flock) on the output folder while a batch writes to it.

    The kernel releases it when the holder dies, however it dies, so a killed batch never leaves the folder
    locked. A second ``backsafe batch`` on the same ``--out`` is refused instead of interleaving its writes.
    """

    def __init__(self, out: Path) -> None:
        self.path = out / ".batch.lock"
        self._fd: int | None = None

    def __enter__(self) -> OutputLock:
        import fcntl

        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise InputError(f"{self.path.parent}: another backsafe batch (pid {holder}) is writing to this folder; "
                             "wait for it to finish or choose another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock; the file stays (removing it would race a new holder)
            self._fd = None


def remove_stale_temp_files(out: Path) -> list[Path]:
    """Delete the temporary files that a killed batch left in ``out`` and ``out/reports/*`` (call under the lock:
    no live writer can own them then). Returns what was removed."""
    removed: list[Path] = []
    folders = [out, *(d for d in (out / "reports").glob("*") if d.is_dir())] if (out / "reports").is_dir() else [out]
    for d in folders:
        for pattern in _STALE_PATTERNS:
            for f in d.glob(pattern):
                try:
                    f.unlink()
                    removed.append(f)
                except FileNotFoundError:
                    pass
    return removed

