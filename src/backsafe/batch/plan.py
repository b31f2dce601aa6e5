"""Planning a batch: discover the inputs of INPUT_DIR, read the manifest, validate each job's options, hash the
inputs and references (the job's key), and order the jobs longest first."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from ..errors import BacksafeError, InputError
from ..io.video import VIDEO_EXTENSIONS
from ..report.json_report import read_report_file
from .jobs import AnalysisFields, BatchJob, JobOptions, JobReference, input_digest

KEYPOINT_EXTENSIONS = frozenset({".c3d", ".csv", ".json", ".npy", ".txt"})
#: manifest columns / keys, and the AnalysisOptions field each one sets
MANIFEST_FIELDS = ("exercise", "load_kg", "fps", "view", "tempo", "input_format", "body_mass_kg", "sex", "back_shape",
                   "person")
_FLOAT_FIELDS = frozenset({"load_kg", "fps", "body_mass_kg"})
_BOOL_FIELDS = frozenset({"back_shape"})
_TRUE, _FALSE = frozenset({"true", "1", "yes"}), frozenset({"false", "0", "no"})
#: manifest column / key naming the person's reference (a path relative to INPUT_DIR); not an AnalysisOptions field
REFERENCE_FIELD = "reference"


class ManifestEntry(AnalysisFields, total=False):
    """One input's entry of a manifest, validated (or the defaults under every entry): any of MANIFEST_FIELDS, and
    ``reference``, the person's reference as a posix path relative to INPUT_DIR."""

    exercise: str
    reference: str


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


def _manifest_rows(path: Path) -> Sequence[Mapping[str, object]]:
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


def read_manifest(path: Path, input_dir: Path) -> dict[str, ManifestEntry]:
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
    out: dict[str, ManifestEntry] = {}
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
        out[target.relative_to(root).as_posix()] = cast(ManifestEntry, {k: v for k, v in opts.items() if v is not None})
    return out


def job_options(exercise: str | None, per_file: ManifestEntry, stride: int) -> JobOptions:
    """The canonical, validated options of one job (AnalysisOptions fields + exercise). The exercise is the
    manifest entry's, else ``exercise``, else ``""``: recognised from the input's keypoints when it is analysed
    (as ``backsafe analyze`` without ``--exercise``; COACHING_RULES: never a silent squat)."""
    from ..exercises import get_exercise
    from ..options import AnalysisOptions, person_key

    named = per_file.get("exercise", exercise)
    ex_id = get_exercise(named).id if named else ""
    opts = cast(AnalysisFields, {k: (float(cast(float, v)) if k in _FLOAT_FIELDS else v) for k, v in per_file.items()
                                 if k != "exercise" and v is not None})  # 30 and 30.0 are the same options
    if opts.get("back_shape") is True:
        del opts["back_shape"]  # on is the default: the same job key as an entry that does not mention it
    if opts.get("model") == "full":
        del opts["model"]  # the default pose model: the same job key as before --model existed
    if "person" in opts:
        opts["person"] = person_key(opts["person"])
        if opts["person"] == "auto":
            del opts["person"]  # the default choice: the same job key as before --person existed
    opts["stride"] = stride
    AnalysisOptions(exercise=ex_id, **opts)  # validates: raises ValueRangeError on absurd values
    return cast(JobOptions, {"exercise": ex_id, **dict(sorted(opts.items()))})


def plan_batch(
    input_dir: Path,
    exercise: str | None = None,
    manifest: Path | None = None,
    stride: int = 1,
    exclude: Iterable[Path] = (),
    defaults: ManifestEntry | None = None,
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
    named = {root / o["reference"] for o in per_file.values() if "reference" in o}
    if batch_ref is not None:
        named.add(batch_ref[0])
    report_refs = [p for p in named if read_report_file(p) is not None]
    skip = [*exclude, *([manifest] if manifest is not None else []), *report_refs]
    digests: dict[Path, str] = {}
    jobs = []
    for p in discover_inputs(input_dir, skip):
        name = p.resolve().relative_to(root).as_posix()
        entry: ManifestEntry = {**(defaults or {}), **per_file.get(name, {})}
        ref_rel = entry.pop("reference", None)
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
        jobs.append(BatchJob(name=name, path=p, options=opts, sha256=input_digest(p),
                             reference=JobReference(ref_path, ref_name, digests[resolved])))
    return jobs


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


