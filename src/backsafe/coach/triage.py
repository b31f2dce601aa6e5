"""Triage: red flags with their urgency, the acute-injury window, clearances and "not checked yet" (COACHING_RULES.md §1).

Tiers, highest first; the first that applies decides the outcome:

=============  ===============================================================  ==================================
outcome        trigger                                                          action
=============  ===============================================================  ==================================
emergency      any EMERGENCY sign today (cauda equina signs; chest pain,        stop; seek emergency care now
               fainting, severe breathlessness)
urgent         a CLINICIAN combination that needs a same-day check (§1          no training; see a doctor today
               urgency: possible infection, possible fracture, cancer history
               with night pain / weight loss / a nerve sign, a worsening nerve
               deficit), not covered by a clearance
clinician      any other CLINICIAN flag not covered by a clearance ("soon":     no loading, walking only; see a
               within 1-2 weeks), or an earlier emergency/urgent/clinician      clinician first
               result with no clearance since
rest           ≤ 96 h since an acute strain [H]                                 walking and gentle mobility; no
                                                                                loaded or impact work; no bed rest
proceed        none (soft flags change the session: see the plan)               plan normally, low impact first
not_checked    no answers on record (§1 State): never "no red flags"            answer the questions first
=============  ===============================================================  ==================================

A clearance (§1 State) is stored with its date and the flags it covers. A covered flag stays covered while it is
answered yes on every check since the clearance; a flag the clearance does not cover, or one that went away and came
back, re-triggers. No clearance covers an EMERGENCY sign. The coach refers; it never diagnoses (§1 "Never").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import InputError, ValueRangeError
from .history import Clearance, TriageEntry
from .wording import DISCLAIMER, style

__all__ = [
    "Outcome",
    "Urgency",
    "Question",
    "QUESTIONS",
    "EMERGENCY_FLAGS",
    "CLINICIAN_FLAGS",
    "SOFT_FLAGS",
    "ACUTE_WINDOW_H",
    "GATING_OUTCOMES",
    "TriageAnswers",
    "TriageResult",
    "triage",
    "not_checked",
    "clearance_scope",
    "answers_from_mapping",
]

Outcome = Literal["proceed", "rest", "clinician", "urgent", "emergency", "not_checked"]
Urgency = Literal["emergency", "urgent", "soon", "rest", "proceed", "not_checked"]
ACUTE_WINDOW_H = 96  # §1 [H]: ≤96 h after an acute strain, no loaded or impact work
GATING_OUTCOMES = frozenset({"emergency", "urgent", "clinician"})


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    tier: Literal["emergency", "clinician", "soft"]
    text: str


# §1 EMERGENCY (BASS 2018, AHCPR 1994; Strong).
EMERGENCY_QUESTIONS: tuple[Question, ...] = (
    Question("bladder_bowel_change", "emergency", "Any new change in bladder or bowel control (can't pass urine, leaking, or not feeling it)?"),
    Question("saddle_numbness", "emergency", "Any numbness around the genitals, buttocks or inner thighs (saddle area)?"),
    Question("bilateral_leg_weakness", "emergency", "Weakness or numbness in both legs, or leg weakness that is getting worse?"),
    Question("sexual_dysfunction", "emergency", "Any new loss of sexual function?"),
    Question("chest_pain", "emergency", "Chest pain or pressure?"),
    Question("fainting", "emergency", "Fainting or nearly fainting?"),
    Question("severe_breathlessness", "emergency", "Severe breathlessness?"),
)
# §1 CLINICIAN (NICE NG59 2016/2020, CKS; Strong). Refer, don't diagnose.
CLINICIAN_QUESTIONS: tuple[Question, ...] = (
    Question("new_pain_age", "clinician", "Is this back pain new, and are you over 50 or under 20?"),
    Question("cancer_history", "clinician", "Have you ever had cancer?"),
    Question("weight_loss", "clinician", "Have you lost weight recently without trying?"),
    Question("fever", "clinician", "Do you have a fever or feel generally unwell?"),
    Question("iv_drugs_or_immunosuppression", "clinician", "Do you inject drugs, or take medicine that lowers your immunity?"),
    Question("steroids_or_osteoporosis", "clinician", "Do you take long-term steroids, or have you been told you have osteoporosis?"),
    Question("significant_trauma", "clinician", "Did the pain start after a fall, crash or other big impact?"),
    Question("constant_night_pain", "clinician", "Is the pain constant at night, even when you lie still?"),
    Question("leg_pain_numbness_weakness", "clinician", "Pain below the knee together with numbness or weakness in that leg?"),
    Question("no_improvement_4_6_weeks", "clinician", "Has the pain not improved at all over the last 4-6 weeks?"),
    Question("nerve_deficit_worsening", "clinician", "Is numbness or weakness in one leg getting worse?"),
)
# Soft flags [H]: proceed carefully and note them in the plan.
SOFT_QUESTIONS: tuple[Question, ...] = (
    Question("pain_today_above_5", "soft", "Is your back pain above 5 out of 10 right now?"),
    Question("pain_to_buttock_or_thigh", "soft", "Does pain spread into the buttock or thigh (above the knee)?"),
    Question("poor_sleep", "soft", "Did you sleep less than 6 hours last night?"),
    Question("worried_about_moving", "soft", "Are you worried that moving will make your back worse?"),
    Question("recovering_from_back_pain", "soft", "Are you recovering from a back pain episode in the last 4 weeks?"),
    Question("minor_trauma", "soft", "Did the pain start after a small fall, a slip or lifting something?"),
)
QUESTIONS: tuple[Question, ...] = EMERGENCY_QUESTIONS + CLINICIAN_QUESTIONS + SOFT_QUESTIONS
EMERGENCY_FLAGS = tuple(q.id for q in EMERGENCY_QUESTIONS)
CLINICIAN_FLAGS = tuple(q.id for q in CLINICIAN_QUESTIONS)
SOFT_FLAGS = tuple(q.id for q in SOFT_QUESTIONS)
_KNOWN = frozenset(q.id for q in QUESTIONS)
_SOFT_SAID = {"pain_today_above_5": "pain above 5/10 today", "pain_to_buttock_or_thigh": "pain into the buttock or thigh",
              "poor_sleep": "under 6 hours of sleep", "worried_about_moving": "worried about moving",
              "recovering_from_back_pain": "recovering from an episode", "minor_trauma": "a small fall or strain"}
_TEXT = {q.id: q.text for q in QUESTIONS}


@dataclass(frozen=True, slots=True)
class TriageAnswers:
    """What the person answered. ``flags``: ids of questions answered yes (every other question is a no)."""

    flags: frozenset[str] = frozenset()
    injury_date: dt.date | None = None  # an acute strain (a sudden "tweak"), if any
    clinician_cleared: bool = False  # a clinician has seen the earlier red flags and cleared exercise

    def __post_init__(self) -> None:
        unknown = sorted(set(self.flags) - _KNOWN)
        if unknown:
            raise InputError(f"unknown triage flag(s) {unknown}; expected some of {sorted(_KNOWN)}")

    def to_json(self) -> dict[str, Any]:
        return {
            "flags": sorted(self.flags),
            "injury_date": self.injury_date.isoformat() if self.injury_date else None,
            "clinician_cleared": self.clinician_cleared,
        }


def answers_from_mapping(doc: Mapping[str, Any]) -> TriageAnswers:
    """Build answers from JSON: ``{"flags": [...], "injury_date": "YYYY-MM-DD", "clinician_cleared": false}``.

    Also accepts ``{"<flag id>": true, ...}`` and ``"hours_since_injury"`` with ``"date"``.
    """
    if not isinstance(doc, Mapping):
        raise InputError("triage answers: expected a JSON object")
    flags = set(doc.get("flags", []) or [])
    for key, value in doc.items():
        if key in _KNOWN and value is True:
            flags.add(key)
        elif key in _KNOWN and value not in (False, None):
            raise InputError(f"triage answer {key!r}: expected true or false, got {value!r}")
    injury = doc.get("injury_date")
    injury_date: dt.date | None = None
    if injury:
        try:
            injury_date = dt.date.fromisoformat(str(injury))
        except ValueError as e:
            raise ValueRangeError(f"triage injury_date {injury!r}: expected YYYY-MM-DD") from e
    return TriageAnswers(
        flags=frozenset(flags), injury_date=injury_date, clinician_cleared=bool(doc.get("clinician_cleared", False))
    )


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
class TriageResult:
    """The outcome and everything to tell the person, in plain words; ``rules`` are the ids behind it
    (backsafe.coach.rules, docs/coach.md)."""

    outcome: Outcome
    headline: str
    reasons: tuple[str, ...]
    allowed: str
    soft_flags: tuple[str, ...] = ()
    phase: str | None = None
    hours_since_injury: int | None = None
    disclaimer: str = DISCLAIMER
    notes: tuple[str, ...] = field(default=())
    rules: tuple[str, ...] = ()
    cleared: tuple[str, ...] = ()  # flags answered yes today that a clearance covers
    flags: tuple[str, ...] = ()  # every flag answered yes today

    @property
    def urgency(self) -> Urgency:
        return "soon" if self.outcome == "clinician" else self.outcome

    @property
    def trains(self) -> bool:
        """True if the plan may include its normal training (loaded work)."""
        return self.outcome == "proceed"

    @property
    def label(self) -> str:
        return _LABELS[self.outcome]

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "urgency": self.urgency,
            "label": self.label,
            "headline": self.headline,
            "reasons": list(self.reasons),
            "allowed": self.allowed,
            "soft_flags": list(self.soft_flags),
            "flags": list(self.flags),
            "cleared": list(self.cleared),
            "hours_since_injury": self.hours_since_injury,
            "notes": list(self.notes),
            "rules": list(self.rules),
            "disclaimer": self.disclaimer,
        }

    def to_text(self, color: bool = False) -> str:
        lines = [style(f"{self.label}: {self.headline}", _COLOURS[self.outcome], color)]
        lines += [f"  - {r}" for r in self.reasons]
        lines.append(f"What you can do: {self.allowed}")
        lines += [f"Note: {n}" for n in self.notes]
        lines.append("")
        lines.append(self.disclaimer)
        return "\n".join(lines)


_LABELS: dict[str, str] = {
    "emergency": "EMERGENCY",
    "urgent": "URGENT — see a doctor today",
    "clinician": "SEE A CLINICIAN within 1-2 weeks",
    "rest": "REST FROM TRAINING, keep moving",
    "proceed": "GO AHEAD",
    "not_checked": "NOT CHECKED YET",
}
_COLOURS = {"emergency": "red", "urgent": "red", "clinician": "yellow", "rest": "yellow", "proceed": "green",
            "not_checked": "yellow"}
_NO_LOADING = "no loaded exercise; gentle walking as comfortable"


def not_checked() -> TriageResult:
    """§1 State: no triage on record is its own state. Ask the questions first; never say "no red flags"."""
    return TriageResult(
        outcome="not_checked",
        headline="Answer the safety questions first (they take about a minute). Until then the plan holds only easy "
        "walking.",
        reasons=("You have not answered the safety questions yet, so backsafe cannot tell whether training is right "
                 "for you today.",),
        allowed="easy walking until you have answered the questions",
        rules=("triage-not-checked",),
    )


def _covered(flag: str, clearances: Sequence[Clearance], records: Sequence[TriageEntry], today: dt.date,
             today_flags: frozenset[str]) -> bool:
    """§1 State: ``flag`` is covered by a clearance and has been answered yes at every check since that clearance."""
    for c in sorted(clearances, key=lambda c: c.date, reverse=True):
        if c.date > today or flag not in c.flags:
            continue
        later = [r for r in records if c.date < r.date <= today]
        if all(flag in _flags_of(r) for r in later) and flag in today_flags:
            return True
    return False


def _flags_of(r: TriageEntry) -> frozenset[str]:
    return frozenset(str(f) for f in (r.answers.get("flags") or []))


def _open_earlier(records: Sequence[TriageEntry], clearances: Sequence[Clearance], today: dt.date) -> list[TriageEntry]:
    """Earlier gating results (emergency, urgent, clinician) with no clearance dated on or after them."""
    out = []
    for r in records:
        if r.date > today or r.outcome not in GATING_OUTCOMES:
            continue
        if any(c.date >= r.date and c.date <= today for c in clearances):
            continue
        out.append(r)
    return out


def clearance_scope(answers: TriageAnswers, records: Sequence[TriageEntry], today: dt.date) -> frozenset[str]:
    """The flags a clearance given today covers (§1 State): today's clinician flags plus those of earlier gating
    results that no clearance has covered yet. EMERGENCY signs answered today are never covered."""
    scope = {f for f in answers.flags if f in CLINICIAN_FLAGS or f == "minor_trauma"}
    for r in records:
        if r.date <= today and r.outcome in GATING_OUTCOMES:
            scope |= {f for f in _flags_of(r) if f in CLINICIAN_FLAGS or f in EMERGENCY_FLAGS}
    return frozenset(scope)


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
               if _covered(f, clearances, records, on_date, flags)]
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
        reasons=tuple(f"You answered yes to: {_TEXT[f]}" for f in emergency),
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
    return TriageResult(
        outcome="urgent",
        headline="See a doctor today (your GP's same-day service, urgent care or out-of-hours). This is a "
        "precaution, not a diagnosis: most people with these answers turn out fine, but this needs a check "
        "today, before any training.",
        reasons=tuple(urgent) + tuple(f"You answered yes to: {_TEXT[f]}" for f in today.serious if f not in covered),
        allowed=_NO_LOADING,
        soft_flags=today.soft,
        rules=("triage-urgent",),
        flags=today.yes,
        cleared=tuple(covered),
    )


def _soon(today: _Today) -> TriageResult | None:
    """§1 urgency: SOON (1-2 weeks) for any single other CLINICIAN flag that no clearance covers."""
    uncovered = [f for f in today.serious if f not in today.covered]
    if not uncovered:
        return None
    return TriageResult(
        outcome="clinician",
        headline="See a clinician within the next 1-2 weeks, before training with load. This is a precaution, "
        "not a diagnosis: most people with these answers turn out fine, but a clinician should check first.",
        reasons=tuple(f"You answered yes to: {_TEXT[f]}" for f in uncovered),
        allowed=_NO_LOADING,
        soft_flags=today.soft,
        rules=("triage-soon",),
        flags=today.yes,
        cleared=tuple(today.covered),
    )


def _earlier_gate(today: _Today) -> TriageResult | None:
    """§1 State: an earlier emergency, urgent or clinician result keeps the gate until a clearance dated on or after
    it."""
    earlier = _open_earlier(today.records, today.clearances, today.on_date)
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
               + " for: " + "; ".join(_TEXT[f].rstrip("?") for f in today.covered) + "."]
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
        notes.append("What you told us today changes the session (" + "; ".join(_SOFT_SAID[f] for f in soft)
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
