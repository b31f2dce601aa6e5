"""The JSON report of DESIGN.md, validated against the schema shipped in ``backsafe/schemas``."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exercises import FAULT_CODES

if TYPE_CHECKING:
    from ..model import ReportData

SCHEMA_VERSION = "1"
#: the report field that lets a report.json serve later as the person's reference (pipeline.rep_measures)
REP_MEASURES_KEY = "rep_measures"
#: a report.json larger than this is not read as a reference (a report of hundreds of reps is well under 1 MB)
MAX_REPORT_BYTES = 16 * 1024 * 1024
DISCLAIMER = (
    "backsafe gives general exercise guidance, not medical advice, diagnosis or treatment. If pain is severe, "
    "worsening or unexplained, or you have numbness, weakness, or bladder or bowel changes, stop and seek medical "
    "care. Check with a clinician first if you have a health condition or recent injury."
)  # COACHING_RULES.md §9


def _clean(v: Any) -> Any:
    """JSON-safe: NaN/inf -> None, numpy scalars -> Python."""
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def report_to_dict(report: ReportData) -> dict[str, Any]:
    from .._version import __version__
    from ..exercises import get_exercise
    from ..faults.summary import fault_counts
    from .wording import lumbar_moment_note, report_notes, verdict

    ex = get_exercise(report.exercise)
    floor = lumbar_moment_note(report)  # a floor exercise: null moments, and why (additive field)
    reps = []
    for r in report.reps:
        reps.append(
            {
                "index": r.index,
                "start_s": round(r.start_s, 3),
                "end_s": round(r.end_s, 3),
                "tempo": r.tempo.as_dict(),
                "faults": [f.as_dict() for f in report.findings_for(r.index)],
                "lumbar_moment_nm": report.lumbar_moment_nm.get(r.index),
                **({"lumbar_moment_note": floor} if floor and r.index not in report.lumbar_moment_nm else {}),
                "lumbar_compression_n": report.lumbar_compression_n.get(r.index),
                "partial": r.partial,
                **({} if r.tempo_measured else {"tempo_measured": False}),
                "range_fraction": r.range_fraction,
                "frames": [r.start_frame, r.end_frame],
            }
        )
    counts = fault_counts(report.findings)
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "backsafe_version": __version__,
        "input": report.input,
        "exercise": report.exercise,
        "exercise_kind": ex.kind,
        "view": report.view,
        "dims": report.dims,
        "rep_count": report.rep_count if ex.kind == "reps" else 0,
        "reps": reps,
        "summary": {
            "faults": {c: counts[c] for c in FAULT_CODES if c in counts},
            "top_cue": report.top_cue,
            "quality": report.quality,
            "verdict": verdict(report),  # the sentence the text and HTML summaries open with
            "notes": report_notes(report),  # the notes the text and HTML summaries print
            "not_checked": list(report.not_checked),
        },
        "warnings": list(dict.fromkeys(report.warnings)),
        "disclaimer": DISCLAIMER,
    }
    if report.hold_s is not None:
        doc["hold_s"] = report.hold_s
    if report.extra:
        doc.update(report.extra)
    return _clean(doc)  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    text = resources.files("backsafe").joinpath("schemas/report.schema.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def validate_report_dict(doc: Mapping[str, object]) -> None:
    """Raise jsonschema.ValidationError when ``doc`` breaks the published schema."""
    _report_validator().validate(doc)


@lru_cache(maxsize=1)
def _report_validator() -> Any:
    """The schema's validator, built once per process: ``jsonschema.validate`` re-checks the schema itself on
    every call (65 ms of a 1.5 s batch clip); a ready validator takes 1.5 ms."""
    import jsonschema

    schema = load_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def atomic_temp_glob(name: str) -> str:
    """The glob that matches the temporary files :func:`write_atomic` makes for a file called ``name`` (a killed
    writer can leave one behind; ``.done`` gives ``..done.*.tmp``)."""
    return f".{name}.*.tmp"


def write_atomic(path: Path, text: str | bytes, mode: int | None = None) -> Path:
    """Write ``text`` (UTF-8 when a str) to ``path`` through a temporary file in the same folder and a rename: a
    reader sees the old file or the whole new one, never half of it. ``mode``: the file's permission bits, set
    before anything is written (a key file: 0600); else mkstemp's 0600 stays."""
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix, suffix = atomic_temp_glob(path.name).split("*")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=suffix)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8") if isinstance(text, str) else text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def write_json(report: ReportData, path: Path) -> Path:
    doc = report_to_dict(report)
    validate_report_dict(doc)
    return write_atomic(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def read_report_file(path: Path) -> dict[str, Any] | None:
    """The parsed document if ``path`` is a backsafe report.json (a JSON object with ``schema_version``,
    ``exercise`` and ``reps``); None for anything else (a clip, a keypoint file, a folder, an unreadable file)."""
    try:
        if not path.is_file() or path.suffix.lower() != ".json" or path.stat().st_size > MAX_REPORT_BYTES:
            return None
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if isinstance(doc, dict) and "schema_version" in doc and "exercise" in doc and "reps" in doc:
        return doc
    return None
