"""The Report of one analysis, put together from what the stages found (no measuring, no judging here)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exercises import Exercise, Tempo4
from ..model import Kinematics, PoseSequence, Rep
from ..report.document import Report
from ..options import AnalysisOptions

if TYPE_CHECKING:
    from ..faults.reference import PersonalReference
    from ..faults.registry import FaultResult
    from ..kinematics.back_contour import OutlineStatus

__all__ = ["Analysed", "report_of"]


@dataclass(slots=True)
class Analysed:
    """What the stages found for one set, as ``pipeline.analyze_pose`` hands it to :func:`report_of`."""

    ex: Exercise
    opts: AnalysisOptions
    meta: Mapping[str, object]  # the input's fields (load_pose)
    stats: dict[str, float]  # the cleaning's
    cleaned: PoseSequence
    kin: Kinematics
    reps: list[Rep]
    hold_s: float | None
    tempo: Tempo4
    quality: str
    mean_conf: float
    result: FaultResult
    recognition_doc: dict[str, object]
    warnings: list[str]
    reference: PersonalReference | None = None
    outline: OutlineStatus | None = None
    shapes: list[Any] | None = None  # None: the outline was not traced (no BackShape list in the report)


def _cue(a: Analysed, not_checked: list[str]) -> str:
    """The set's one cue (COACHING_RULES §9)."""
    from ..faults.summary import summarise
    from ..report.wording import FRONT_CODES, set_cue

    top_cue = summarise(a.result.findings, a.reps, a.ex)
    if a.reps or a.ex.kind != "reps":
        checked_any = a.quality == "ok" and any(c not in not_checked for c in a.ex.faults)
        top_cue = set_cue(a.result.findings, a.result.lumbar_compression_n, checked_any=checked_any,
                          exercise_checks=bool(a.ex.faults),
                          view_for="front" if any(c in FRONT_CODES for c in not_checked) else "side") or top_cue
    return top_cue


def _input_fields(a: Analysed) -> dict[str, object]:
    kin, opts = a.kin, a.opts
    return {k: v for k, v in a.meta.items() if k != "people"} | {  # the people: in extra (below)
        "cleaning": {k: round(float(v), 4) for k, v in a.stats.items()},
        "dims": kin.dims,
        "view_detected": kin.view if opts.view is None else None,
        "view_evidence": {k: round(v, 4) for k, v in kin.view_evidence.items() if np.isfinite(v)},
        "scale_source": kin.scale_source,
        "facing": kin.facing,
        "tempo_prescribed": str(a.tempo),
        "load_kg": opts.load_kg,
        "body_mass_kg": opts.body_mass_kg,
        "mean_confidence": round(a.mean_conf, 3),
    }


def _extra(a: Analysed) -> dict[str, object]:
    extra: dict[str, object] = dict(a.recognition_doc)
    if "people" in a.meta:  # several people in frame: how many, which one was analysed and why (pose/tracking.py)
        extra["people"] = a.meta["people"]
    if a.reference is not None:
        extra["reference"] = a.reference.summary()
    if a.outline is not None:
        extra["back_outline"] = a.outline.to_dict()
    if a.shapes is not None:
        extra["back_shape"] = [
            {"rep": b.rep, "frame": b.frame, "sagitta_rel": round(b.sagitta_rel, 4), "profile_complete":
             round(b.complete, 2), "frames_traced": b.n_frames} for b in a.shapes
        ]
    return extra


def report_of(a: Analysed) -> Report:
    """The Report: the faults not checked said once, together (§9), the cue, the input's fields, and the
    per-rep measures that let it serve later as the person's reference (faults/reference.py)."""
    from ..faults.reference import rep_measures
    from ..model import enforce_plausible
    from ..report.json_report import REP_MEASURES_KEY
    from ..report.wording import not_checked_text

    warnings = a.warnings
    warnings.extend(a.result.warnings)
    not_checked = [code for code, _ in a.result.not_checked]
    # what a rule could not judge for another reason than the view (back arching from video) joins the same line
    not_judged = {code: why for code, why in a.result.not_judged if code not in not_checked}
    if not_checked or not_judged:  # said once, together (§9), not one line per fault
        warnings.append(not_checked_text(not_checked, a.kin.view, not_judged))
    not_checked += list(not_judged)
    top_cue = _cue(a, not_checked)
    report = Report(
        extra=_extra(a),
        input=_input_fields(a),
        exercise=a.ex.id,
        view=a.kin.view,
        dims=a.kin.dims,
        reps=a.reps,
        findings=a.result.findings,
        warnings=warnings,
        quality=a.quality,  # type: ignore[arg-type]
        top_cue=top_cue,
        lumbar_moment_nm=a.result.lumbar_moment_nm,
        lumbar_compression_n=a.result.lumbar_compression_n,
        hold_s=a.hold_s,
        kinematics=a.kin,
        pose=a.cleaned,
    )
    report.notes = list(getattr(a.result, "notes", []))
    report.not_checked = not_checked
    report.warnings.extend(enforce_plausible(report))  # nothing physically impossible reaches a report
    measures = rep_measures(report)
    if measures is not None:
        report.extra[REP_MEASURES_KEY] = measures
    return report
