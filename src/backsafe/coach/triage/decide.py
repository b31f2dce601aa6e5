"""The decision: :func:`triage` runs the checks tier by tier, highest first (COACHING_RULES.md §1; the table in
:mod:`backsafe.coach.triage`); the first that applies decides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ...errors import ValueRangeError
from ..history import Clearance, TriageEntry
from .clearance import flag_covered, open_earlier
from .questions import CLINICIAN_FLAGS, EMERGENCY_FLAGS, QUESTION_TEXT, SOFT_FLAGS, SOFT_SAID, TriageAnswers
from .result import Outcome, TriageResult

__all__ = ["ACUTE_WINDOW_H", "triage"]

ACUTE_WINDOW_H = 96  # §1 [H]: ≤96 h after an acute strain, no loaded or impact work
_NO_LOADING = "no loaded exercise; gentle walking as comfortable"


# §1 urgency inside CLINICIAN (NICE CKS low back pain, NICE NG234; Strong for the categories, [H] for the grouping).
_NIGHT_OR_LOSS_OR_NERVE = ("constant_night_pain", "weight_loss", "leg_pain_numbness_weakness", "nerve_deficit_worsening")


def _urgent_reasons(flags: frozenset[str]) -> list[tuple[str, frozenset[str]]]:
    """Same-day reasons in plain words, each with the flags it rests on (§1 urgency); empty when none applies."""
    out: list[tuple[str, frozenset[str]]] = []
    if "fever" in flags:
        iv = "iv_drugs_or_immunosuppression" in flags
        more = " (more so as you inject drugs or take medicine that lowers immunity)" if iv else ""
        out.append(("Fever or feeling unwell together with back pain can be a sign of an infection" + more + ".",
                    frozenset({"fever"})))
    if "significant_trauma" in flags:
        out.append(("Back pain after a fall, crash or other big impact needs a check for a broken bone.",
                    frozenset({"significant_trauma"})))
    elif "minor_trauma" in flags and "steroids_or_osteoporosis" in flags:
        out.append(("Back pain after a small fall or strain, with osteoporosis or long-term steroids, needs a check "
                    "for a broken bone.", frozenset({"minor_trauma", "steroids_or_osteoporosis"})))
    night = frozenset(f for f in _NIGHT_OR_LOSS_OR_NERVE if f in flags)
    if "cancer_history" in flags and night:
        out.append(("A history of cancer together with new back pain and night pain, weight loss or a nerve symptom "
                    "needs to be checked today.", night | {"cancer_history"}))
    if "nerve_deficit_worsening" in flags:
        out.append(("Numbness or weakness in a leg that is getting worse needs to be checked today.",
                    frozenset({"nerve_deficit_worsening"})))
    return out



@dataclass(frozen=True, slots=True)
class _Today:
    """Today's answers with what the checks share: the flags answered yes (in question order), the soft ones, the
    records up to today, the CLINICIAN flags answered yes and the flags a clearance covers (§1 State)."""

    answers: TriageAnswers
    on_date: dt.date
    clearances: Sequence[Clearance]
    records: list[TriageEntry]
    yes: tuple[str, ...]
    soft: tuple[str, ...]
    serious: list[str]
    covered: list[str]


def _today(answers: TriageAnswers, on_date: dt.date, previous: Sequence[TriageEntry],
           clearances: Sequence[Clearance]) -> _Today:
    flags = answers.flags
    records = [r for r in previous if r.date <= on_date]
    serious = [f for f in CLINICIAN_FLAGS if f in flags]
    covered = [f for f in serious + (["minor_trauma"] if "minor_trauma" in flags else [])
               if flag_covered(f, clearances, records, on_date, flags)]
    return _Today(
        answers=answers,
        on_date=on_date,
        clearances=clearances,
        records=records,
        yes=tuple(f for f in (EMERGENCY_FLAGS + CLINICIAN_FLAGS + SOFT_FLAGS) if f in flags),
        soft=tuple(f for f in SOFT_FLAGS if f in flags),
        serious=serious,
        covered=covered,
    )


def triage(
    answers: TriageAnswers,
    on_date: dt.date,
    *,
    previous: Sequence[TriageEntry] = (),
    clearances: Sequence[Clearance] = (),
) -> TriageResult:
    """Decide today's outcome from the answers (COACHING_RULES.md §1; table in the module docstring).

    The checks run in the order of the table, highest tier first; the first that applies decides.

    Parameters
    ----------
    answers : TriageAnswers
        Today's answers. ``clinician_cleared`` alone clears nothing: the caller stores a :class:`Clearance`
        (:func:`clearance_scope`) and passes it in ``clearances``.
    on_date : datetime.date
        The day the outcome is for (the acute window counts from ``answers.injury_date``).
    previous : sequence of TriageEntry
        Earlier triage records of this person (date, outcome, answers). An earlier gating result keeps the gate at
        "clinician" until a clearance dated on or after it.
    clearances : sequence of Clearance
        The person's stored clearances.
    """
    today = _today(answers, on_date, previous, clearances)
    return (
        _emergency(today)
        or _urgent(today)
        or _soon(today)
        or _earlier_gate(today)
        or _acute_window(today)
        or _proceed(today)
    )


def _emergency(today: _Today) -> TriageResult | None:
    """§1 EMERGENCY: stop; "seek emergency care now". Nothing (not even clearance) overrides today's symptoms."""
    emergency = [f for f in EMERGENCY_FLAGS if f in today.answers.flags]
    if not emergency:
        return None
    return TriageResult(
        outcome="emergency",
        headline="Stop. Seek emergency care now (call your local emergency number or go to an emergency "
        "department).",
        reasons=_answered_yes(emergency),
        allowed="no training today; get seen urgently",
        rules=("triage-emergency",),
        flags=today.yes,
    )


def _urgent(today: _Today) -> TriageResult | None:
    """§1 urgency: URGENT (same day) for the combinations. A combination stays urgent when any part of it is new (not
    covered by a clearance): a small fall is new news for someone cleared for their osteoporosis."""
    covered = today.covered
    urgent = [text for text, parts in _urgent_reasons(today.answers.flags) if any(
        p not in covered and (p in CLINICIAN_FLAGS or p == "minor_trauma") for p in parts)]
    if not urgent:
        return None
    return _see_a_doctor(
        today, "urgent", "triage-urgent",
        "See a doctor today (your GP's same-day service, urgent care or out-of-hours). This is a precaution, not a "
        "diagnosis: most people with these answers turn out fine, but this needs a check today, before any training.",
        tuple(urgent) + _answered_yes(f for f in today.serious if f not in covered),
    )


def _soon(today: _Today) -> TriageResult | None:
    """§1 urgency: SOON (1-2 weeks) for any single other CLINICIAN flag that no clearance covers."""
    uncovered = [f for f in today.serious if f not in today.covered]
    if not uncovered:
        return None
    return _see_a_doctor(
        today, "clinician", "triage-soon",
        "See a clinician within the next 1-2 weeks, before training with load. This is a precaution, not a "
        "diagnosis: most people with these answers turn out fine, but a clinician should check first.",
        _answered_yes(uncovered),
    )


def _answered_yes(flags: Iterable[str]) -> tuple[str, ...]:
    return tuple(f"You answered yes to: {QUESTION_TEXT[f]}" for f in flags)


def _see_a_doctor(
    today: _Today, outcome: Outcome, rule: str, headline: str, reasons: tuple[str, ...]
) -> TriageResult:
    """A same-day or 1-2 week check that no clearance covers: no loaded exercise until then (§1 urgency)."""
    return TriageResult(
        outcome=outcome,
        headline=headline,
        reasons=reasons,
        allowed=_NO_LOADING,
        soft_flags=today.soft,
        rules=(rule,),
        flags=today.yes,
        cleared=tuple(today.covered),
    )


def _earlier_gate(today: _Today) -> TriageResult | None:
    """§1 State: an earlier emergency, urgent or clinician result keeps the gate until a clearance dated on or after
    it."""
    earlier = open_earlier(today.records, today.clearances, today.on_date)
    if not earlier:
        return None
    last = max(earlier, key=lambda r: r.date)
    where = {"emergency": "emergency care", "urgent": "a same-day check"}.get(last.outcome, "a clinician")
    return TriageResult(
        outcome="clinician",
        headline="See a clinician before training again.",
        reasons=(f"On {last.date.isoformat()} your answers pointed to {where}; backsafe waits until a "
                 "clinician has cleared you (answer that a clinician has cleared you when they have).",),
        allowed=_NO_LOADING,
        soft_flags=today.soft,
        rules=("triage-soon", "triage-clearance"),
        flags=today.yes,
    )


def _cleared_lines(today: _Today) -> tuple[list[str], list[str], list[str]]:
    """(reasons, notes, rules) saying what a clearance covers today and by when (§1 State); empty when none does."""
    if not today.covered:
        return [], [], []
    dates = sorted({c.date for c in today.clearances if any(f in c.flags for f in today.covered)})
    reasons = ["A clinician cleared you for exercise on " + ", ".join(d.isoformat() for d in dates)
               + " for: " + "; ".join(QUESTION_TEXT[f].rstrip("?") for f in today.covered) + "."]
    notes = ["Follow your clinician's advice where it differs from this plan; if anything new appears or gets "
             "worse, answer the questions again."]
    return reasons, notes, ["triage-clearance"]


def _since_injury(today: _Today) -> tuple[int, int, str] | None:
    """(days, hours, phase) since the acute strain, if any; the phase per ACP 2017 (acute < 4 weeks, subacute to
    12 weeks, then chronic). An injury date after ``on_date`` is an error."""
    injury, on_date = today.answers.injury_date, today.on_date
    if injury is None:
        return None
    if injury > on_date:
        raise ValueRangeError(
            f"injury date {injury.isoformat()} is after {on_date.isoformat()}; give the day it happened"
        )
    days = (on_date - injury).days
    phase = "acute" if days < 28 else ("subacute" if days <= 84 else "chronic")  # ACP 2017
    return days, days * 24, phase


def _acute_window(today: _Today) -> TriageResult | None:
    """§1 [H] acute window: ≤96 h after an acute strain no loaded or impact work; walking and gentle mobility; never
    bed rest (Cochrane, Dahm 2010: staying active slightly beats bed rest)."""
    since = _since_injury(today)
    if since is None or since[1] > ACUTE_WINDOW_H:
        return None
    days, hours, phase = since
    reasons, notes, rules = _cleared_lines(today)
    return TriageResult(
        outcome="rest",
        headline="Rest from training, not from moving: keep walking and doing gentle mobility as comfortable; "
        "no loaded or high-impact exercise yet. Bed rest is not recommended.",
        reasons=(f"Your strain was {days} day(s) ago (within the first 4 days).",) + tuple(reasons),
        allowed="walking and gentle mobility as tolerated; no loaded or impact work",
        soft_flags=today.soft,
        phase=phase,
        hours_since_injury=hours,
        notes=tuple(notes),
        rules=("acute-window", "stay-active", *rules),
        flags=today.yes,
        cleared=tuple(today.covered),
    )


def _proceed(today: _Today) -> TriageResult:
    """None of the tiers above: plan normally, low impact first; soft flags change the session (see the plan)."""
    since = _since_injury(today)
    reasons, notes, rules = _cleared_lines(today)
    soft = today.soft
    if soft:
        notes.append("What you told us today changes the session (" + "; ".join(SOFT_SAID[f] for f in soft)
                     + "): see your plan.")
    if not reasons:
        reasons.append("None of the warning signs in your answers today." if not soft else
                       "None of the warning signs that need a clinician in your answers today.")
    return TriageResult(
        outcome="proceed",
        headline="Keep moving: start with low-impact work and build up gradually.",
        reasons=tuple(reasons),
        allowed="the planned session, low impact first",
        soft_flags=soft,
        phase=since[2] if since else None,
        hours_since_injury=since[1] if since else None,
        notes=tuple(notes),
        rules=tuple(rules),
        flags=today.yes,
        cleared=tuple(today.covered),
    )
