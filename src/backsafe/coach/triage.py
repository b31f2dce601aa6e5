"""Triage: red flags, the acute-injury window and "keep moving" (COACHING_RULES.md §1).

Tiers, highest first; the first that applies decides the outcome:

=============  ==============================================================  =============================
outcome        trigger                                                         action
=============  ==============================================================  =============================
emergency      any EMERGENCY flag today (cauda equina signs; chest pain,       stop; seek emergency care now
               fainting, severe breathlessness)
clinician      any CLINICIAN flag not yet cleared by a clinician, or an        no loading, walking only; see a
               emergency/clinician result earlier without clearance since      clinician first
rest           ≤ 96 h since an acute strain [H]                                no loaded or impact work; walking
                                                                               and gentle mobility; never bed rest
proceed        none (soft flags are noted)                                     plan normally, low impact first
=============  ==============================================================  =============================

No path reaches "proceed" or "rest" while an EMERGENCY flag is answered yes: clinician clearance does not override
today's emergency symptoms. The coach refers; it never diagnoses (§1 "Never").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import InputError, ValueRangeError
from .wording import DISCLAIMER

__all__ = [
    "Outcome",
    "Question",
    "QUESTIONS",
    "EMERGENCY_FLAGS",
    "CLINICIAN_FLAGS",
    "SOFT_FLAGS",
    "ACUTE_WINDOW_H",
    "TriageAnswers",
    "TriageResult",
    "triage",
    "answers_from_mapping",
]

Outcome = Literal["proceed", "rest", "clinician", "emergency"]
ACUTE_WINDOW_H = 96  # §1 [H]: ≤96 h after an acute strain, no loaded or impact work


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
)
# Soft flags [H]: proceed carefully and note them in the plan.
SOFT_QUESTIONS: tuple[Question, ...] = (
    Question("pain_today_above_5", "soft", "Is your back pain above 5 out of 10 right now?"),
    Question("pain_to_buttock_or_thigh", "soft", "Does pain spread into the buttock or thigh (above the knee)?"),
    Question("poor_sleep", "soft", "Did you sleep less than 6 hours last night?"),
    Question("worried_about_moving", "soft", "Are you worried that moving will make your back worse?"),
    Question("recovering_from_back_pain", "soft", "Are you recovering from a back pain episode in the last 4 weeks?"),
)
QUESTIONS: tuple[Question, ...] = EMERGENCY_QUESTIONS + CLINICIAN_QUESTIONS + SOFT_QUESTIONS
EMERGENCY_FLAGS = tuple(q.id for q in EMERGENCY_QUESTIONS)
CLINICIAN_FLAGS = tuple(q.id for q in CLINICIAN_QUESTIONS)
SOFT_FLAGS = tuple(q.id for q in SOFT_QUESTIONS)
_KNOWN = frozenset(q.id for q in QUESTIONS)
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


@dataclass(frozen=True, slots=True)
class TriageResult:
    """The outcome and everything to tell the person, in plain words."""

    outcome: Outcome
    headline: str
    reasons: tuple[str, ...]
    allowed: str
    soft_flags: tuple[str, ...] = ()
    phase: str | None = None
    hours_since_injury: int | None = None
    disclaimer: str = DISCLAIMER
    notes: tuple[str, ...] = field(default=())

    @property
    def trains(self) -> bool:
        """True if the plan may include its normal training (loaded work)."""
        return self.outcome == "proceed"

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "headline": self.headline,
            "reasons": list(self.reasons),
            "allowed": self.allowed,
            "soft_flags": list(self.soft_flags),
            "hours_since_injury": self.hours_since_injury,
            "notes": list(self.notes),
            "disclaimer": self.disclaimer,
        }

    def to_text(self) -> str:
        lines = [f"Triage: {self.outcome.upper()} — {self.headline}"]
        lines += [f"  - {r}" for r in self.reasons]
        lines.append(f"What you can do: {self.allowed}")
        lines += [f"Note: {n}" for n in self.notes]
        lines.append("")
        lines.append(self.disclaimer)
        return "\n".join(lines)


def triage(
    answers: TriageAnswers,
    on_date: dt.date,
    *,
    previous: Sequence[tuple[dt.date, str]] = (),
) -> TriageResult:
    """Decide today's outcome from the answers (COACHING_RULES.md §1).

    Parameters
    ----------
    answers : TriageAnswers
        Today's answers.
    on_date : datetime.date
        The day the outcome is for (the acute window counts from ``answers.injury_date``).
    previous : sequence of (date, outcome)
        Earlier triage outcomes of this person. An earlier "emergency" or "clinician" keeps the gate at
        "clinician" until the person says a clinician has cleared them.

    Returns
    -------
    TriageResult
    """
    flags = answers.flags
    # §1 EMERGENCY: stop; "seek emergency care now". Nothing (not even clearance) overrides today's symptoms.
    emergency = [f for f in EMERGENCY_FLAGS if f in flags]
    if emergency:
        return TriageResult(
            outcome="emergency",
            headline="Stop. Seek emergency care now (call your local emergency number or go to an emergency department).",
            reasons=tuple(f"You answered yes to: {_TEXT[f]}" for f in emergency),
            allowed="no training today; get seen urgently",
        )
    soft = tuple(f for f in SOFT_FLAGS if f in flags)
    # §1 CLINICIAN: no loading, walking only, "see a clinician first". Refer, don't diagnose.
    serious = [f for f in CLINICIAN_FLAGS if f in flags]
    earlier = [(d, o) for d, o in previous if d <= on_date and o in ("emergency", "clinician")]
    if serious and not answers.clinician_cleared:
        return TriageResult(
            outcome="clinician",
            headline="See a clinician before training. This is a precaution, not a diagnosis: most people with these "
            "answers turn out fine, but a clinician should check first.",
            reasons=tuple(f"You answered yes to: {_TEXT[f]}" for f in serious),
            allowed="no loaded exercise; gentle walking as comfortable",
            soft_flags=soft,
        )
    if earlier and not answers.clinician_cleared:
        d, o = max(earlier)
        return TriageResult(
            outcome="clinician",
            headline="See a clinician before training again.",
            reasons=(f"On {d.isoformat()} your answers pointed to {'emergency care' if o == 'emergency' else 'a clinician'}; "
                     "backsafe waits until a clinician has cleared you (answer 'clinician_cleared').",),
            allowed="no loaded exercise; gentle walking as comfortable",
            soft_flags=soft,
        )
    notes: list[str] = []
    if answers.clinician_cleared and (serious or earlier):
        notes.append("A clinician has cleared you for exercise: follow their advice where it differs from this plan.")
    # §1 [H] acute window: ≤96 h after an acute strain no loaded or impact work; walking and gentle mobility; never
    # bed rest (Cochrane, Dahm 2010: staying active slightly beats bed rest).
    hours: int | None = None
    phase: str | None = None
    if answers.injury_date is not None:
        if answers.injury_date > on_date:
            raise ValueRangeError(
                f"injury date {answers.injury_date.isoformat()} is after {on_date.isoformat()}; give the day it happened"
            )
        days = (on_date - answers.injury_date).days
        hours = days * 24
        phase = "acute" if days < 28 else ("subacute" if days <= 84 else "chronic")  # ACP 2017
        if hours <= ACUTE_WINDOW_H:
            return TriageResult(
                outcome="rest",
                headline="Rest from training, not from moving: keep walking and doing gentle mobility as comfortable; "
                "no loaded or high-impact exercise yet. Bed rest is not recommended.",
                reasons=(f"Your strain was {days} day(s) ago (within the first 4 days).",),
                allowed="walking and gentle mobility as tolerated; no loaded or impact work",
                soft_flags=soft,
                phase=phase,
                hours_since_injury=hours,
                notes=tuple(notes),
            )
    if soft:
        notes.append("Go carefully today: " + "; ".join(_TEXT[f].rstrip("?") for f in soft) + ".")
    return TriageResult(
        outcome="proceed",
        headline="Keep moving: start with low-impact work and build up gradually.",
        reasons=("No red flags in your answers.",),
        allowed="the planned session, low impact first",
        soft_flags=soft,
        phase=phase,
        hours_since_injury=hours,
        notes=tuple(notes),
    )
