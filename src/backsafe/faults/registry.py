"""Runs the fault rules (faults/rules/, each a :class:`~backsafe.faults.rule.FaultRule`) and the lumbar load.

A rule only runs where the camera view can see its fault (``FaultRule.can_see``); otherwise the report says so,
once, instead of guessing (COACHING_RULES.md §5 "View" column).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..exercises import Exercise, Tempo4
from ..model import Finding, Kinematics, Rep, Subject
from .lumbar import lumbar_load
from .rule import FaultRule
from .rules import ALL_RULES
from .base import FaultContext
from .reference import REFERENCE_CODES, PersonalReference, check_against_reference


@dataclass(slots=True)
class FaultResult:
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    lumbar_moment_nm: dict[int, float] = field(default_factory=dict)
    lumbar_compression_n: dict[int, float] = field(default_factory=dict)
    #: (code, what it needs) of the exercise's faults this view cannot see: said once, together, by the report
    not_checked: list[tuple[str, str]] = field(default_factory=list)
    #: (code, why) of the exercise's faults a rule could not judge on this clip for another reason than the view
    #: (e.g. back arching from video in a squat): said in the same one line as ``not_checked``
    not_judged: list[tuple[str, str]] = field(default_factory=list)
    #: advice that is not a fault, for the report to show apart from the findings (e.g. the §7 tempo note for a
    #: brisk but controlled set); additive: a report that ignores it loses nothing it said before
    notes: list[str] = field(default_factory=list)


def check_faults(
    kin: Kinematics,
    reps: list[Rep],
    ex: Exercise,
    *,
    tempo: Tempo4,
    subject: Subject | None = None,
    quality: str = "ok",
    back_shapes: tuple[Any, ...] = (),
    reference: PersonalReference | None = None,
    tempo_prescribed: bool | None = None,
    rules_run: tuple[FaultRule, ...] = ALL_RULES,
) -> FaultResult:
    """Run every rule that applies to ``ex`` and that the view can judge.

    With a personal ``reference`` the movement-pattern codes are judged against the person's own good reps
    (faults/reference.py) instead of by their population rules. ``tempo_prescribed``: whether ``tempo`` was
    prescribed (``--tempo`` or the plan's, COACHING_RULES §7); None infers it (a tempo other than the exercise's
    default counts as prescribed). ``rules_run``: the rules to run (the registry's, in order)."""
    ctx = FaultContext(kin=kin, reps=reps, ex=ex, tempo=tempo, subject=subject or Subject(), back_shapes=back_shapes,
                       tempo_prescribed=tempo_prescribed)
    out = FaultResult()
    misfit = reference.fits(kin) if reference is not None else None
    if misfit is not None:
        out.warnings.append(f"{misfit}; it was not used")
        reference = None
    if quality == "low_confidence":
        out.warnings.append("form faults were not judged: keypoint confidence is too low to tell them from noise")
        return out
    for rule in rules_run:
        if not rule.applies(ex):
            continue
        if not rule.can_see(kin, ex):
            out.not_checked.append((rule.code, rule.needs))
            continue
        if reference is not None and rule.code in REFERENCE_CODES:
            found = check_against_reference(ctx, rule.code, reference)
            # what a rule measures that the reference has no value for (the traced back's outline) still counts
            flagged = {f.rep for f in found}
            out.findings.extend(found + [f for f in rule.beside_reference(ctx) if f.rep not in flagged])
        else:
            found = rule.check(ctx)
            out.findings.extend(found)
            note = rule.note(ctx, found)
            if note:
                ctx.note(note)
    out.warnings.extend(w for w in ctx.warnings if w not in out.warnings)
    out.notes.extend(ctx.notes)
    flagged_codes = {f.code for f in out.findings}
    out.not_judged.extend((c, why) for c, why in ctx.unjudged if c not in flagged_codes)
    moments = lumbar_load(ctx)
    out.lumbar_moment_nm = moments.moment_nm
    out.lumbar_compression_n = moments.compression_n
    out.warnings.extend(moments.warnings)
    out.findings.sort(key=lambda f: (f.rep, f.frames[0], f.code))
    return out
