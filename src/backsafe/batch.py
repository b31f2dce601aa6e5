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
  state between clips (``reset`` gives the same landmarks as a fresh model, checked in the tests).
- **Crash safe.** One batch at a time writes to an output folder (``DIR/.batch.lock``, an advisory lock the
  kernel drops when the driver dies, even by SIGKILL); under the lock, temporary files a killed run left behind
  are removed. A local worker whose driver died exits by itself within a fraction of a second instead of
  lingering as an orphan. Tested with 20+ SIGKILLs of the driver and of workers (tests/e2e/test_batch.py).
- **Longest first.** Inputs are handed out largest file first, so a long clip does not start last and leave one
  worker running alone at the end; the summary keeps the input order.
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
"""

from __future__ import annotations

import atexit
import csv
import hashlib
import io
import json
import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import BacksafeError, DependencyError, InputError
from .io.video import VIDEO_EXTENSIONS
from .report.json_report import read_report_file, write_atomic

if TYPE_CHECKING:
    from .faults.reference import PersonalReference
    from .model import Report

#: bump when the meaning of a completion record changes (old records are then redone)
RECORD_VERSION = 2  # 2: the back's outline is traced by default ([2/6]); a run recorded without it is redone
KEYPOINT_EXTENSIONS = frozenset({".c3d", ".csv", ".json", ".npy", ".txt"})
#: manifest columns / keys, and the AnalysisOptions field each one sets
MANIFEST_FIELDS = ("exercise", "load_kg", "fps", "view", "tempo", "input_format", "body_mass_kg", "sex", "back_shape")
_FLOAT_FIELDS = frozenset({"load_kg", "fps", "body_mass_kg"})
_BOOL_FIELDS = frozenset({"back_shape"})
_TRUE, _FALSE = frozenset({"true", "1", "yes"}), frozenset({"false", "0", "no"})
#: manifest column / key naming the person's reference (a path relative to INPUT_DIR); not an AnalysisOptions field
REFERENCE_FIELD = "reference"
#: a job that killed its worker this many times is left unfinished (not recorded as done)
MAX_ATTEMPTS = 3
SUMMARY_COLUMNS = (
    "input", "status", "exercise", "rep_count", "partial_reps", "view", "dims", "quality", "n_faults",
    "fault_codes", "top_cue", "frames", "duration_s", "max_lumbar_moment_nm", "elapsed_s", "error", "report",
    "reference",
)
#: analysed references a worker keeps (a batch-wide reference clip is analysed once per worker, not once per input)
REFERENCE_CACHE_SIZE = 4

ProgressFn = Callable[["JobResult"], None]


# ------------------------------------------------------------------------------------------------ planning


@dataclass(frozen=True, slots=True)
class BatchJob:
    """One input to analyse. ``name`` is its path relative to INPUT_DIR (posix), ``options`` are JSON-safe.

    ``reference``: the person's own reference for this input (None: judged against population norms), shown as
    ``reference_name`` (its path relative to INPUT_DIR, or as given to ``--reference``), with its sha256.
    """

    name: str
    path: Path
    options: dict[str, Any]
    sha256: str
    reference: Path | None = None
    reference_name: str | None = None
    reference_sha256: str | None = None

    @property
    def reference_key(self) -> dict[str, str] | None:
        """What of the reference can change the report: its content and its file name (the report's
        ``reference.sources``)."""
        if self.reference is None:
            return None
        return {"file": self.reference.name, "sha256": self.reference_sha256 or ""}

    @property
    def key(self) -> str:
        """What a completion record must match: the input's content, the analysis options, the reference."""
        return options_key(self.sha256, self.options, self.reference_key)

    def as_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"name": self.name, "path": str(self.path), "options": self.options}
        if self.reference is not None:
            spec.update(reference=str(self.reference), reference_name=self.reference_name,
                        reference_sha256=self.reference_sha256)
        return spec


@dataclass(slots=True)
class JobResult:
    name: str
    status: str  # ok | failed | skipped | unfinished
    report_text: str | None = None
    error: str | None = None
    error_type: str | None = None
    elapsed_s: float = 0.0
    worker: str = ""
    retryable: bool = False


@dataclass(slots=True)
class BatchResult:
    rows: list[dict[str, Any]]
    out: Path
    n_ok: int = 0
    n_failed: int = 0
    n_skipped: int = 0
    n_unfinished: int = 0
    elapsed_s: float = 0.0
    summary_paths: list[Path] = field(default_factory=list)


def options_key(sha256: str, options: dict[str, Any], reference: dict[str, str] | None = None) -> str:
    """The key of a job: input sha256, options and (when there is one) the reference's file name and sha256.
    Without a reference it is the key earlier versions wrote, so their finished inputs stay finished."""
    payload: dict[str, Any] = {"v": RECORD_VERSION, "sha256": sha256, "options": options}
    if reference is not None:
        payload["reference"] = reference
    canon = json.dumps(payload, sort_keys=True)
    return hashlib.sha256(canon.encode()).hexdigest()


def input_digest(path: Path) -> str:
    """sha256 of a file, or of a folder's files (names and contents, sorted) for OpenPose folders."""
    h = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for f in files:
        if path.is_dir():
            h.update(f.relative_to(path).as_posix().encode() + b"\0")
        with f.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def _is_openpose_folder(p: Path) -> bool:
    return any(f.suffix.lower() == ".json" and f.name.endswith("_keypoints.json") for f in p.iterdir())


def discover_inputs(input_dir: Path, exclude: Iterable[Path] = ()) -> list[Path]:
    """Every clip and keypoint file under ``input_dir`` (recursively), and every OpenPose frame folder.

    Hidden files and folders and the paths in ``exclude`` (the manifest, the output folder) are left out.
    """
    if not input_dir.is_dir():
        raise InputError(f"{input_dir}: not a folder; expected a folder of clips and keypoint files")
    skip = {p.resolve() for p in exclude}
    found: list[Path] = []

    def walk(d: Path) -> None:
        for p in sorted(d.iterdir()):
            if p.name.startswith(".") or p.resolve() in skip:
                continue
            if p.is_dir():
                if _is_openpose_folder(p):
                    found.append(p)
                else:
                    walk(p)
            elif p.suffix.lower() in VIDEO_EXTENSIONS | KEYPOINT_EXTENSIONS:
                found.append(p)

    walk(input_dir)
    return found


def _coerce(field_name: str, value: Any, where: str) -> Any:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if field_name in _FLOAT_FIELDS:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise InputError(f"{where}: {field_name}={value!r} is not a number") from None
    if field_name in _BOOL_FIELDS:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in _TRUE | _FALSE:
            return word in _TRUE
        raise InputError(f"{where}: {field_name}={value!r}: expected true or false")
    return str(value).strip()


def _manifest_rows(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the manifest ({exc})") from exc
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        for r in rows:
            if "file" not in r and "path" in r:
                r["file"] = r.pop("path")
        return rows
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from exc
    if isinstance(doc, dict) and "items" in doc:
        defaults = doc.get("defaults", {})
        return [{**defaults, **item} for item in doc["items"]]
    if isinstance(doc, dict):
        return [{"file": k, **v} for k, v in doc.items()]
    if isinstance(doc, list):
        return list(doc)
    raise InputError(f"{path}: expected a list of {{'file': ..., 'exercise': ...}} objects or a mapping")


def _inside(root: Path, input_dir: Path, rel: str, where: str, what: str = "") -> Path:
    """``rel`` resolved inside INPUT_DIR (``root`` = its resolved path); InputError if it leaves it or is missing."""
    target = (root / rel).resolve()
    if Path(rel).is_absolute() or not target.is_relative_to(root):
        raise InputError(f"{where}: {what}{rel!r} points outside the input folder {input_dir}; use a relative path "
                         "inside it")
    if not target.exists():
        raise InputError(f"{where}: {what}{rel!r} does not exist in {input_dir}")
    return target


def read_manifest(path: Path, input_dir: Path) -> dict[str, dict[str, Any]]:
    """Per-input options from a manifest (JSON or CSV), keyed by the input's posix path relative to INPUT_DIR.

    Every entry is validated before anything runs: its path must stay inside INPUT_DIR (no ``..``, no absolute
    path, no symlink out) and exist; its fields must be known (``file`` plus any of MANIFEST_FIELDS, and
    ``reference``). A ``reference`` (the person's report.json or recording of good reps) is checked the same way
    as ``file`` and given as its posix path relative to INPUT_DIR.

    Raises
    ------
    InputError
        A path outside INPUT_DIR, a missing file, an unknown field, a bad number.
    """
    root = input_dir.resolve()
    out: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(_manifest_rows(path), start=1):
        where = f"{path.name} entry {i}"
        if not isinstance(row, dict) or not row.get("file"):
            raise InputError(f"{where}: has no 'file' (a path relative to the input folder)")
        target = _inside(root, input_dir, str(row["file"]).strip(), where)
        unknown = set(row) - {"file", *MANIFEST_FIELDS, REFERENCE_FIELD}
        if unknown:
            raise InputError(f"{where}: unknown field(s) {sorted(unknown)}; expected "
                             f"{', '.join((*MANIFEST_FIELDS, REFERENCE_FIELD))}")
        opts = {k: _coerce(k, row.get(k), where) for k in MANIFEST_FIELDS if k in row}
        ref = _coerce(REFERENCE_FIELD, row.get(REFERENCE_FIELD), where)
        if ref is not None:
            opts[REFERENCE_FIELD] = _inside(root, input_dir, ref, where, "reference ").relative_to(root).as_posix()
        out[target.relative_to(root).as_posix()] = {k: v for k, v in opts.items() if v is not None}
    return out


def job_options(exercise: str, per_file: dict[str, Any], stride: int) -> dict[str, Any]:
    """The canonical, validated options of one job (AnalysisOptions fields + exercise)."""
    from .exercises import get_exercise
    from .options import AnalysisOptions

    ex = get_exercise(per_file.get("exercise", exercise))
    opts: dict[str, Any] = {k: (float(v) if k in _FLOAT_FIELDS else v) for k, v in per_file.items()
                            if k != "exercise" and v is not None}  # 30 and 30.0 are the same options
    if opts.get("back_shape") is True:
        del opts["back_shape"]  # on is the default: the same job key as an entry that does not mention it
    if opts.get("model") == "full":
        del opts["model"]  # the default pose model: the same job key as before --model existed
    opts["stride"] = stride
    AnalysisOptions(exercise=ex.id, **opts)  # validates: raises ValueRangeError on absurd values
    return {"exercise": ex.id, **dict(sorted(opts.items()))}


def plan_batch(
    input_dir: Path,
    exercise: str = "squat",
    manifest: Path | None = None,
    stride: int = 1,
    exclude: Iterable[Path] = (),
    defaults: dict[str, Any] | None = None,
    reference: Path | None = None,
) -> list[BatchJob]:
    """The jobs of a batch: every input with its options (manifest entry, else ``defaults``), its reference
    (manifest ``reference``, else ``reference``, else none) and the sha256 of both.

    A reference that is a report.json is left out of the inputs (see the module docstring).
    """
    input_dir = Path(input_dir)
    per_file = read_manifest(manifest, input_dir) if manifest is not None else {}
    root = input_dir.resolve()
    batch_ref: tuple[Path, str] | None = None
    if reference is not None:
        ref = Path(reference)
        if not ref.exists():
            raise InputError(f"--reference {reference}: no such file or folder; give a report.json or a recording of "
                             "the person's good reps")
        shown = ref.resolve().relative_to(root).as_posix() if ref.resolve().is_relative_to(root) else str(reference)
        batch_ref = (ref, shown)
    named = {root / str(o[REFERENCE_FIELD]) for o in per_file.values() if REFERENCE_FIELD in o}
    if batch_ref is not None:
        named.add(batch_ref[0])
    report_refs = [p for p in named if read_report_file(p) is not None]
    skip = [*exclude, *([manifest] if manifest is not None else []), *report_refs]
    digests: dict[Path, str] = {}
    jobs = []
    for p in discover_inputs(input_dir, skip):
        name = p.resolve().relative_to(root).as_posix()
        entry = {**(defaults or {}), **per_file.get(name, {})}
        ref_rel = entry.pop(REFERENCE_FIELD, None)
        ref_job = (root / str(ref_rel), str(ref_rel)) if ref_rel else batch_ref
        try:
            opts = job_options(exercise, entry, stride)
        except BacksafeError as exc:
            raise type(exc)(f"{name}: {exc}") from exc
        if ref_job is None:
            jobs.append(BatchJob(name=name, path=p, options=opts, sha256=input_digest(p)))
            continue
        ref_path, ref_name = ref_job
        resolved = ref_path.resolve()
        if resolved not in digests:
            digests[resolved] = input_digest(ref_path)
        jobs.append(BatchJob(name=name, path=p, options=opts, sha256=input_digest(p), reference=ref_path,
                             reference_name=ref_name, reference_sha256=digests[resolved]))
    return jobs


# ------------------------------------------------------------------------------------------- records on disk


def report_dir(out: Path, name: str) -> Path:
    """``out/reports/<name>``, with the input's sub-folders flattened (``a/b.mp4`` -> ``a__b.mp4``)."""
    return out / "reports" / name.replace("/", "__")


def read_record(out: Path, job: BatchJob) -> dict[str, Any] | None:
    p = report_dir(out, job.name) / ".done"
    try:
        rec = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return rec if isinstance(rec, dict) else None


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
    rec = {
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
        rec.update(reference=job.reference_name, reference_sha256=job.reference_sha256)
    write_atomic(d / ".done", json.dumps(rec, indent=2) + "\n")


def summary_row(out: Path, job: BatchJob) -> dict[str, Any]:
    """One summary line from what is on disk (so a resumed input and a fresh one give the same line)."""
    rec = read_record(out, job) or {}
    row: dict[str, Any] = {c: None for c in SUMMARY_COLUMNS}
    row.update(input=job.name, exercise=job.options.get("exercise"), status=rec.get("status", "unfinished"),
               error=rec.get("error"), elapsed_s=rec.get("elapsed_s"), reference=job.reference_name)
    rp = report_dir(out, job.name) / "report.json"
    if row["status"] != "ok" or not rp.is_file():
        return row
    doc = json.loads(rp.read_text(encoding="utf-8"))
    codes = sorted({f["code"] for r in doc.get("reps", []) for f in r.get("faults", [])})
    moments = [r["lumbar_moment_nm"] for r in doc.get("reps", []) if r.get("lumbar_moment_nm") is not None]
    row.update(
        rep_count=doc.get("rep_count"),
        partial_reps=sum(1 for r in doc.get("reps", []) if r.get("partial")),
        view=doc.get("view"), dims=doc.get("dims"), quality=doc.get("summary", {}).get("quality"),
        n_faults=sum(doc.get("summary", {}).get("faults", {}).values()), fault_codes=";".join(codes),
        top_cue=doc.get("summary", {}).get("top_cue"), frames=doc.get("input", {}).get("frames"),
        duration_s=doc.get("input", {}).get("duration_s"),
        max_lumbar_moment_nm=max(moments) if moments else None,
        report=rp.relative_to(out).as_posix(),
    )
    return row


def _config_defaults() -> dict[str, Any]:
    """Body mass, sex and default tempo from the person's config file (user_config.py), under every manifest entry."""
    from .user_config import analysis_defaults

    return analysis_defaults()


def write_summary(out: Path, rows: list[dict[str, Any]]) -> list[Path]:
    """``summary.csv`` and ``summary.parquet`` (pyarrow), each written atomically."""
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
_STALE_PATTERNS = (".report.json.*.tmp", ".done.*.tmp", ".summary.*.tmp")


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


def input_size(job: BatchJob) -> int:
    """Bytes of a job's input (a folder's files summed): the cost estimate for longest-first scheduling."""
    try:
        if job.path.is_file():
            return job.path.stat().st_size
        return sum(p.stat().st_size for p in job.path.rglob("*") if p.is_file())
    except OSError:
        return 0


def longest_first(jobs: list[BatchJob]) -> list[BatchJob]:
    """Largest input first (stable for equal sizes): shrinks the tail where one worker runs alone."""
    return sorted(jobs, key=lambda j: -input_size(j))


# --------------------------------------------------------------------------------------- the work (workers)


class _ReusedPose:
    """A worker's one pose model, lent to one clip: ``close()`` resets tracking instead of unloading.

    ``process`` forwards the frame's time stamp (``t_s``) when the model takes one, exactly as
    :func:`~backsafe.pose.base.run_estimator` would hand it to a fresh model: a batch report must equal the
    report of ``backsafe analyze`` on the same input.
    """

    def __init__(self, pose: Any) -> None:
        from .pose.base import takes_time

        self._pose = pose
        self._timed = takes_time(pose)

    def process(self, rgb: Any, t_s: float | None = None) -> Any:
        if t_s is not None and self._timed:
            return self._pose.process(rgb, t_s=t_s)
        return self._pose.process(rgb)

    def close(self) -> None:
        self._pose._pose.reset()  # MediaPipe SolutionBase.reset: new graph run, same loaded model


class Analyzer:
    """Runs jobs in one process with one pose model (loaded on first use); used by local workers and Ray actors.

    ``one_per_core``: this process is one of as many workers as there are cores, so no core is free for a
    separate decoding thread; decoding then runs inline before each frame's inference (``BACKSAFE_DECODE_THREAD=0``
    in this process, unless set). Measured with 2 workers on 2 cores, 20 clips, 3 alternating rounds:
    17.3/19.1/16.8 s inline against 18.3/19.7/17.6 s with the thread (its hand-offs cost CPU that the other
    worker needs). One worker keeps the thread: there the second core is free.
    """

    def __init__(self, one_per_core: bool = False) -> None:
        if one_per_core:
            os.environ.setdefault("BACKSAFE_DECODE_THREAD", "0")
        self._poses: dict[str, Any] = {}  # pose model size -> its loaded model
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        # analysed references by content and options (a Report, a PersonalReference, or the error it gave)
        self._references: dict[str, Report | PersonalReference | BacksafeError] = {}

    def _estimator(self, model: str = "full") -> _ReusedPose:
        if model not in self._poses:
            from .pose.mediapipe_backend import MediaPipePose

            self._poses[model] = MediaPipePose(model=model)
        return _ReusedPose(self._poses[model])

    def warm_up(self) -> None:
        """Import MediaPipe and load the model now rather than inside the first job."""
        self._estimator()

    def run(self, spec: dict[str, Any], files: dict[str, bytes] | None = None,
            reference_files: dict[str, bytes] | None = None) -> JobResult:
        """Analyse ``spec['path']``, or the shipped ``files`` (Ray across machines) written to a temp folder; the
        job's reference likewise (``spec['reference']``, or the shipped ``reference_files``)."""
        ref = spec.get("reference")
        if files is None:
            return self._run_path(spec, Path(spec["path"]), Path(ref) if ref else None)
        with tempfile.TemporaryDirectory(prefix="backsafe-job-") as tmp:
            base = Path(tmp) / Path(spec["name"]).name
            _unpack(files, base)
            ref_path = Path(ref) if ref else None
            if ref and reference_files is not None:  # same file name: the report's reference.sources must match
                ref_path = Path(tmp) / ".reference" / Path(ref).name  # hidden: never an input's name
                ref_path.parent.mkdir()
                _unpack(reference_files, ref_path)
            return self._run_path(spec, base, ref_path)

    def _factory(self, path: Path, opts: dict[str, Any]) -> Callable[[], Any] | None:
        """The worker's reused pose model for a clip analysed as video; None (no model needed) otherwise."""
        is_video = path.is_file() and path.suffix.lower() in VIDEO_EXTENSIONS
        if not (is_video and opts.get("input_format", "auto") in ("auto", "video")):
            return None
        model = str(opts.get("model", "full"))
        return lambda: self._estimator(model)

    def _reference(self, spec: dict[str, Any], ref_path: Path, exercise: str,
                   opts: dict[str, Any]) -> Report | PersonalReference:
        """The job's reference, as ``backsafe analyze --reference`` reads it (pipeline.load_reference), analysed
        once per worker for the same content and options. Its errors name it: "reference <name>: ..."."""
        from .pipeline import load_reference

        name = str(spec.get("reference_name") or ref_path.name)
        digest = spec.get("reference_sha256")
        key = json.dumps([digest, ref_path.name, exercise, opts], sort_keys=True, default=str) if digest else None
        hit = self._references.get(key) if key is not None else None
        if hit is None:
            try:
                hit = load_reference(ref_path, exercise, estimator_factory=self._factory(ref_path, opts), **opts)
            except BacksafeError as exc:
                msg = str(exc).replace(str(ref_path), name)
                if not msg.startswith("reference "):
                    msg = f"reference {msg}" if msg.startswith(f"{name}: ") else f"reference {name}: {msg}"
                hit = type(exc)(msg)
            if key is not None:
                while len(self._references) >= REFERENCE_CACHE_SIZE:
                    self._references.pop(next(iter(self._references)))
                self._references[key] = hit
        if isinstance(hit, BacksafeError):
            raise hit
        return hit

    def _run_path(self, spec: dict[str, Any], path: Path, ref_path: Path | None = None) -> JobResult:
        from .pipeline import analyze
        from .report.json_report import report_to_dict, validate_report_dict

        t0 = time.perf_counter()
        opts = dict(spec["options"])
        exercise = opts.pop("exercise")
        try:
            ref = self._reference(spec, ref_path, exercise, opts) if ref_path is not None else None
            report = analyze(path, exercise, estimator_factory=self._factory(path, opts), reference=ref, **opts)
            if ref is not None:
                from .compare import attach_comparison

                attach_comparison(report, ref)  # a recording of good reps: its rep-by-rep comparison, as the CLI
            doc = report_to_dict(report)
            validate_report_dict(doc)  # one validator per process (json_report)
            text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
            return JobResult(spec["name"], "ok", report_text=text, elapsed_s=time.perf_counter() - t0,
                             worker=self.worker)
        except BacksafeError as exc:
            msg = str(exc)
            if ref_path is not None:
                msg = msg.replace(str(ref_path), str(spec.get("reference_name") or ref_path.name))
            msg = msg.replace(str(path), spec["name"])
            return JobResult(spec["name"], "failed", error=msg, error_type=type(exc).__name__,
                             elapsed_s=time.perf_counter() - t0, worker=self.worker)
        except Exception as exc:  # an internal error on one input must not stop the batch; re-run retries it
            return JobResult(spec["name"], "failed", error=f"internal error: {type(exc).__name__}: {exc}",
                             error_type=type(exc).__name__, elapsed_s=time.perf_counter() - t0,
                             worker=self.worker, retryable=True)


def _unpack(files: dict[str, bytes], base: Path) -> None:
    """Write shipped files (``_ship``) at ``base``: one file (key ``""``) or a folder's files."""
    if list(files) == [""]:
        base.write_bytes(files[""])
        return
    for rel, data in files.items():
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_bytes(data)


_WORKER: Analyzer | None = None


def _exit_with_parent(parent: int, interval_s: float = 0.2) -> None:
    """Exit this process as soon as its parent (the batch driver) is gone.

    A pool worker otherwise outlives a killed driver: it holds both ends of its task queue, so it never sees the
    queue close and waits forever (with its pose model in memory). Linux re-parents an orphan, so a changed
    ``getppid()`` means the driver died.
    """

    def watch() -> None:
        while True:
            time.sleep(interval_s)
            if os.getppid() != parent:
                os._exit(70)  # EX_SOFTWARE; nobody is left to read a result

    threading.Thread(target=watch, name="backsafe-parent-watch", daemon=True).start()


def _init_worker(warm: bool, parent: int | None = None, workers: int = 1) -> None:
    global _WORKER
    if parent is not None:
        _exit_with_parent(parent)
    _WORKER = Analyzer(one_per_core=workers >= (os.cpu_count() or 1))
    if warm:
        _WORKER.warm_up()
    atexit.register(_exit_now)  # registered last, so it runs first when the pool tells the worker to stop


def _exit_now() -> None:
    """End a pool worker without the interpreter's slow teardown of MediaPipe, SciPy and the rest.

    Pool shutdown waits for every worker to exit; the full teardown took 1.9-2.3 s (load average 8) and this
    0.13-0.15 s, at the end of every batch and at every pool rebuilt after a worker died. Results are already
    sent by then (the worker's result queue writes synchronously) and a worker writes no files.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(0)


def _run_in_worker(spec: dict[str, Any]) -> JobResult:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.run(spec)


# ------------------------------------------------------------------------------------------------ executors


def _run_inline(jobs: list[BatchJob]) -> Iterator[tuple[BatchJob, JobResult]]:
    worker = Analyzer()
    for job in jobs:
        yield job, worker.run(job.as_spec())


def _run_pool(jobs: list[BatchJob], workers: int) -> Iterator[tuple[BatchJob, JobResult]]:
    """A spawn process pool, at most ``workers`` jobs in flight; a dead worker is replaced, its job retried.

    Not ``fork``: forked workers start from the driver's imported modules (about 2 s sooner), but over 20 clips
    they showed no gain (alternate runs at load average 7-8: 72 s and 42 s forked, 42 s and 50 s spawned), and
    a fork inherits the driver's threads, locks and open files.
    """
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    warm = any(_has_video(j) for j in jobs)
    pending = list(reversed(jobs))
    attempts: dict[str, int] = {}
    while pending:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"),
                                   initializer=_init_worker, initargs=(warm, os.getpid(), workers))
        running: dict[Future[JobResult], BatchJob] = {}
        broken = False
        try:
            while pending or running:
                while pending and len(running) < workers and not broken:
                    job = pending.pop()
                    try:
                        running[pool.submit(_run_in_worker, job.as_spec())] = job
                    except BrokenProcessPool:  # a worker died before its futures told us: not this job's fault
                        pending.append(job)
                        broken = True
                if not running:
                    break  # broken with nothing in flight: a new pool
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    job = running.pop(fut)
                    try:
                        yield job, fut.result()
                    except BrokenProcessPool:
                        broken = True
                        attempts[job.name] = attempts.get(job.name, 0) + 1
                        if attempts[job.name] >= MAX_ATTEMPTS:
                            yield job, JobResult(job.name, "unfinished", error="a worker process died on this "
                                                 f"input {MAX_ATTEMPTS} times (killed or crashed)")
                        else:
                            pending.append(job)
                if broken and not running:
                    break
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)


def _has_video(job: BatchJob) -> bool:
    """Does the job run the pose model (its input or its reference is a clip)?"""
    return any(p is not None and p.suffix.lower() in VIDEO_EXTENSIONS for p in (job.path, job.reference))


def _ship(path: Path) -> dict[str, bytes]:
    """The bytes of an input or a reference for a worker on another machine: one file, or a folder's files."""
    if path.is_file():
        return {"": path.read_bytes()}
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def _run_ray(jobs: list[BatchJob], address: str, workers: int | None) -> Iterator[tuple[BatchJob, JobResult]]:
    """The same jobs on a Ray cluster: one :class:`Analyzer` actor (one pose model) per CPU, inputs shipped
    through the object store (no shared file system needed), reports returned to the driver."""
    try:
        import ray as ray_module
    except ImportError as exc:
        raise DependencyError("--ray-address needs Ray: pip install 'ray==2.60.0'") from exc
    ray: Any = ray_module  # Ray's own annotations are partial; checked at run time by the tests
    try:
        ray.init(address=address, logging_level="ERROR", log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        cause = f"{exc} {exc.__cause__ or ''}"
        if "AuthToken" in cause or "Authentication" in cause:
            raise InputError(f"the Ray cluster at {address!r} refused the connection: it uses token "
                             "authentication; run with RAY_AUTH_MODE=token and the cluster's token in RAY_AUTH_TOKEN "
                             "or ~/.ray/auth_token (the cluster's `ray start` was given RAY_AUTH_MODE=token)") from exc
        raise InputError(f"cannot connect to the Ray cluster at {address!r}: {exc}; start one with "
                         "`ray start --head` on this machine, or give the head's host:port") from exc
    try:
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        n = workers or cpus
        actor_cls = ray.remote(num_cpus=1, max_restarts=-1)(Analyzer)
        warm = any(_has_video(j) for j in jobs)
        actors = [actor_cls.remote(one_per_core=n >= cpus) for _ in range(min(n, len(jobs)) or 1)]
        if warm:
            ray.get([a.warm_up.remote() for a in actors])
        yield from _dispatch_ray(ray, actors, jobs)
    finally:
        ray.shutdown()


def _dispatch_ray(ray: Any, actors: list[Any], jobs: list[BatchJob]) -> Iterator[tuple[BatchJob, JobResult]]:
    pending = list(reversed(jobs))
    idle = list(actors)
    running: dict[Any, tuple[BatchJob, Any]] = {}
    attempts: dict[str, int] = {}
    shipped_refs: dict[tuple[Path, str | None], Any] = {}  # each reference's bytes go into the object store once
    while pending or running:
        while pending and idle:
            job, actor = pending.pop(), idle.pop()
            if job.reference is None:
                running[actor.run.remote(job.as_spec(), _ship(job.path))] = (job, actor)
                continue
            ref_key = (job.reference, job.reference_sha256)
            if ref_key not in shipped_refs:
                shipped_refs[ref_key] = ray.put(_ship(job.reference))
            # a top-level object reference: Ray hands the actor the bytes themselves (no shared file system)
            running[actor.run.remote(job.as_spec(), _ship(job.path), shipped_refs[ref_key])] = (job, actor)
        ready, _ = ray.wait(list(running), num_returns=1)
        job, actor = running.pop(ready[0])
        idle.append(actor)
        try:
            yield job, ray.get(ready[0])
        except ray.exceptions.RayError as exc:  # actor died: Ray restarts it (max_restarts); retry the job
            attempts[job.name] = attempts.get(job.name, 0) + 1
            if attempts[job.name] >= MAX_ATTEMPTS:
                yield job, JobResult(job.name, "unfinished", error=f"Ray worker failed {MAX_ATTEMPTS} times: {exc}")
            else:
                pending.append(job)


# ---------------------------------------------------------------------------------------------- entry point


def run_batch(
    input_dir: str | Path,
    out: str | Path,
    *,
    exercise: str = "squat",
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
    jobs = plan_batch(input_dir, exercise, Path(manifest) if manifest else None, stride, exclude=[out],
                      defaults={**_config_defaults(), **({"fps": fps} if fps else {}),
                                **({"back_shape": back_shape} if back_shape is not None else {}),
                                **({"model": model} if model != "full" else {})},
                      reference=Path(reference) if reference else None)
    out.mkdir(parents=True, exist_ok=True)
    with OutputLock(out):
        remove_stale_temp_files(out)
        return _run_locked(jobs, out, workers, ray_address, retry_failed, on_plan, on_result, t0)


def _run_locked(jobs: list[BatchJob], out: Path, workers: int, ray_address: str | None, retry_failed: bool,
                on_plan: Callable[[int, int], None] | None, on_result: ProgressFn | None, t0: float) -> BatchResult:
    todo = longest_first([j for j in jobs if not is_finished(out, j, retry_failed)])
    if on_plan is not None:
        on_plan(len(todo), len(jobs) - len(todo))
    if ray_address:
        results = _run_ray(todo, ray_address, workers if workers > 1 else None)
    elif workers == 1 or len(todo) <= 1:
        results = _run_inline(todo)
    else:
        results = _run_pool(todo, min(workers, len(todo)))
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
            r.update(status="failed", error=not_recorded[r["input"]])
    batch = BatchResult(rows=rows, out=out, elapsed_s=time.perf_counter() - t0)
    batch.n_skipped = len(jobs) - len(todo)
    batch.n_ok = sum(r["status"] == "ok" for r in rows)
    batch.n_failed = sum(r["status"] == "failed" for r in rows)
    batch.n_unfinished = sum(r["status"] == "unfinished" for r in rows)
    batch.summary_paths = write_summary(out, rows)
    return batch
