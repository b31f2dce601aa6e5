"""The work of one batch worker (a local process or a Ray actor): one pose model, reused from clip to clip, and
the analysis of one job into its report text."""

from __future__ import annotations

import json
import os
import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BacksafeError
from ..io.video import VIDEO_EXTENSIONS
from .jobs import AnalysisFields, JobResult, JobSpec, analysis_fields

if TYPE_CHECKING:
    from ..faults.reference import PersonalReference
    from ..model import ReportData

#: analysed references a worker keeps (a batch-wide reference clip is analysed once per worker, not once per input)
REFERENCE_CACHE_SIZE = 4


class _ReusedPose:
    """A worker's one pose model, lent to one clip: ``close()`` resets tracking instead of unloading.

    ``process`` forwards the frame's time stamp (``t_s``) when the model takes one, exactly as
    :func:`~backsafe.pose.base.run_estimator` would hand it to a fresh model: a batch report must equal the
    report of ``backsafe analyze`` on the same input.
    """

    def __init__(self, pose: Any) -> None:
        from ..pose.base import takes_time

        self._pose = pose
        self._timed = takes_time(pose)

    def process(self, rgb: Any, t_s: float | None = None) -> Any:
        if t_s is not None and self._timed:
            return self._pose.process(rgb, t_s=t_s)
        return self._pose.process(rgb)

    def close(self) -> None:
        self._pose._pose.reset()  # MediaPipe SolutionBase.reset: new graph run, same loaded model


class _Lender:
    """The worker's model as a clip's estimator factory. ``finds_people``: the clip still gets the several-people
    check and, with several people, the choice of ``backsafe analyze`` (pose/runner.py estimate_people_pose);
    without it a batch analysed whoever the single-person tracker followed (the Sports2D clip: 3 "jacks" across
    the jumper and a passer-by, where analyze finds 2 on the jumper)."""

    finds_people = True

    def __init__(self, lend: Callable[[], _ReusedPose]) -> None:
        self._lend = lend

    def __call__(self) -> _ReusedPose:
        return self._lend()


class Analyzer:
    """Runs jobs in one process with one pose model (loaded on first use); used by local workers and Ray actors.

    ``one_per_core``: this process is one of as many workers as there are cores, so no core is free for a
    separate decoding thread; decoding then runs inline before each frame's inference (settings.one_worker_per_core;
    ``BACKSAFE_DECODE_THREAD``, when set, still wins). Measured with 2 workers on 2 cores, 20 clips, 3 alternating rounds:
    17.3/19.1/16.8 s inline against 18.3/19.7/17.6 s with the thread (its hand-offs cost CPU that the other
    worker needs). One worker keeps the thread: there the second core is free.
    """

    def __init__(self, one_per_core: bool = False) -> None:
        if one_per_core:
            from .. import settings

            settings.one_worker_per_core()
        self._poses: dict[str, Any] = {}  # pose model size -> its loaded model
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        # analysed references by content and options (a Report, a PersonalReference, or the error it gave)
        self._references: dict[str, ReportData | PersonalReference | BacksafeError] = {}

    def _estimator(self, model: str = "full") -> _ReusedPose:
        if model not in self._poses:
            from ..pose.mediapipe_backend import MediaPipePose

            self._poses[model] = MediaPipePose(model=model)
        return _ReusedPose(self._poses[model])

    def warm_up(self) -> None:
        """Import MediaPipe and load the model now rather than inside the first job."""
        self._estimator()

    def run(self, spec: JobSpec, files: dict[str, bytes] | None = None,
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

    def _factory(self, path: Path, opts: AnalysisFields) -> Callable[[], Any] | None:
        """The worker's reused pose model for a clip analysed as video; None (no model needed) otherwise."""
        is_video = path.is_file() and path.suffix.lower() in VIDEO_EXTENSIONS
        if not (is_video and opts.get("input_format", "auto") in ("auto", "video")):
            return None
        model = str(opts.get("model", "full"))
        return _Lender(lambda: self._estimator(model))

    def _reference(self, spec: JobSpec, ref_path: Path, exercise: str,
                   opts: AnalysisFields) -> ReportData | PersonalReference:
        """The job's reference, as ``backsafe analyze --reference`` reads it (pipeline.load_reference), analysed
        once per worker for the same content and options. Its errors name it: "reference <name>: ..."."""
        from ..pipeline import load_reference

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

    def _run_path(self, spec: JobSpec, path: Path, ref_path: Path | None = None) -> JobResult:
        from ..pipeline import analyze
        from ..report.json_report import report_to_dict, validate_report_dict

        t0 = time.perf_counter()
        exercise, opts = spec["options"]["exercise"], analysis_fields(spec["options"])
        try:
            ref: ReportData | PersonalReference | Path | None = None
            if ref_path is not None and exercise:
                ref = self._reference(spec, ref_path, exercise, opts)
            elif ref_path is not None:
                # no exercise named: analyze recognises it and reads the reference as that exercise (not cached
                # here: the exercise is known only once the input is analysed)
                ref = ref_path
            report = analyze(path, exercise or None, estimator_factory=self._factory(path, opts), reference=ref,
                             **opts)
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
