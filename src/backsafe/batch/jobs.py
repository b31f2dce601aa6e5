"""The jobs of a batch and what travels between its parts: a job (:class:`BatchJob`) with the person's reference
(:class:`JobReference`), its picklable spec for a worker (:class:`JobSpec`), its options (:class:`JobOptions`), its
result (:class:`JobResult`) and its key (what a completion record must match)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NotRequired, Required, TypedDict, cast

from ..io.video import VIDEO_EXTENSIONS

if TYPE_CHECKING:
    from ..model import View

#: bump when the meaning of a completion record changes (old records are then redone)
RECORD_VERSION = 2  # 2: the back's outline is traced by default ([2/6]); a run recorded without it is redone
#: a job that killed its worker this many times is left unfinished (not recorded as done)
MAX_ATTEMPTS = 3


class AnalysisFields(TypedDict, total=False):
    """The analysis options a job sets: :class:`~backsafe.options.AnalysisOptions` fields, JSON-safe (what a manifest
    entry or the person's config file gives, plus ``stride``)."""

    input_format: str
    fps: float
    load_kg: float
    body_mass_kg: float
    sex: str
    tempo: str
    view: View
    back_shape: bool
    #: the pose model size (lite, full, heavy); absent = full
    model: str
    #: who is analysed when several people are in frame (``--person``; options.parse_person); absent = auto
    person: str
    stride: int


class JobOptions(AnalysisFields, total=False):
    """A job's options: the exercise id and the analysis options (keys sorted; part of the job's key)."""

    exercise: Required[str]


def analysis_fields(options: JobOptions) -> AnalysisFields:
    """A job's options without the exercise id (in their order): the keyword arguments of ``analyze``."""
    return cast(AnalysisFields, {k: v for k, v in options.items() if k != "exercise"})


class ReferenceKey(TypedDict):
    """What of a job's reference can change its report: its file name and its content (sha256)."""

    file: str
    sha256: str


class JobSpec(TypedDict):
    """A job as a worker receives it (picklable; Ray ships it to other machines)."""

    name: str
    path: str
    options: JobOptions
    reference: NotRequired[str]
    reference_name: NotRequired[str | None]
    reference_sha256: NotRequired[str | None]


@dataclass(frozen=True, slots=True)
class JobReference:
    """The person's own reference for an input: its file, shown as ``name`` (its path relative to INPUT_DIR, or as
    given to ``--reference``), and the sha256 of its content."""

    path: Path
    name: str
    sha256: str

    @property
    def key(self) -> ReferenceKey:
        """What of the reference can change the report: its content and its file name (the report's
        ``reference.sources``)."""
        return {"file": self.path.name, "sha256": self.sha256}


@dataclass(frozen=True, slots=True)
class BatchJob:
    """One input to analyse. ``name`` is its path relative to INPUT_DIR (posix), ``options`` are JSON-safe.

    ``reference``: the person's own reference for this input (None: judged against population norms).
    """

    name: str
    path: Path
    options: JobOptions
    sha256: str
    reference: JobReference | None = None

    @property
    def key(self) -> str:
        """What a completion record must match: the input's content, the analysis options, the reference."""
        return options_key(self.sha256, self.options, self.reference.key if self.reference is not None else None)

    @property
    def needs_pose_model(self) -> bool:
        """Does the job run the pose model (its input or its reference is a clip)?"""
        files = [self.path] + ([self.reference.path] if self.reference is not None else [])
        return any(p.suffix.lower() in VIDEO_EXTENSIONS for p in files)

    def as_spec(self) -> JobSpec:
        spec: JobSpec = {"name": self.name, "path": str(self.path), "options": self.options}
        if self.reference is not None:
            spec["reference"] = str(self.reference.path)
            spec["reference_name"] = self.reference.name
            spec["reference_sha256"] = self.reference.sha256
        return spec


@dataclass(slots=True)
class JobResult:
    """What a worker returns for one job: the report's text when ``ok``, else the error (``retryable``: an internal
    error, which a re-run retries)."""

    name: str
    status: str  # ok | failed | skipped | unfinished
    report_text: str | None = None
    error: str | None = None
    error_type: str | None = None
    elapsed_s: float = 0.0
    worker: str = ""
    retryable: bool = False


def options_key(sha256: str, options: JobOptions, reference: ReferenceKey | None = None) -> str:
    """The key of a job: input sha256, options and (when there is one) the reference's file name and sha256.
    Without a reference it is the key earlier versions wrote, so their finished inputs stay finished."""
    payload: dict[str, object] = {"v": RECORD_VERSION, "sha256": sha256, "options": options}
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


