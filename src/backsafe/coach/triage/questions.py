"""The triage questions (one table, each question with its tier) and the person's answers to them
(COACHING_RULES.md §1).

Each question's id is the flag stored when it is answered yes; every other question counts as a no.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ...errors import InputError, ValueRangeError

__all__ = [
    "Question",
    "EMERGENCY_QUESTIONS",
    "CLINICIAN_QUESTIONS",
    "SOFT_QUESTIONS",
    "QUESTIONS",
    "EMERGENCY_FLAGS",
    "CLINICIAN_FLAGS",
    "SOFT_FLAGS",
    "KNOWN_FLAGS",
    "SOFT_SAID",
    "QUESTION_TEXT",
    "TriageAnswers",
    "answers_from_mapping",
]


Tier = Literal["emergency", "clinician", "soft"]


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    tier: Tier
    text: str


#: every question in the order they are asked, highest tier first; each tier's tuple below is its part of it
QUESTIONS: tuple[Question, ...] = (
    # §1 EMERGENCY (BASS 2018, AHCPR 1994; Strong).
    Question("bladder_bowel_change", "emergency", "Any new change in bladder or bowel control (can't pass urine, leaking, or not feeling it)?"),
    Question("saddle_numbness", "emergency", "Any numbness around the genitals, buttocks or inner thighs (saddle area)?"),
    Question("bilateral_leg_weakness", "emergency", "Weakness or numbness in both legs, or leg weakness that is getting worse?"),
    Question("sexual_dysfunction", "emergency", "Any new loss of sexual function?"),
    Question("chest_pain", "emergency", "Chest pain or pressure?"),
    Question("fainting", "emergency", "Fainting or nearly fainting?"),
    Question("severe_breathlessness", "emergency", "Severe breathlessness?"),
    # §1 CLINICIAN (NICE NG59 2016/2020, CKS; Strong). Refer, don't diagnose.
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
    # Soft flags [H]: proceed carefully and note them in the plan.
    Question("pain_today_above_5", "soft", "Is your back pain above 5 out of 10 right now?"),
    Question("pain_to_buttock_or_thigh", "soft", "Does pain spread into the buttock or thigh (above the knee)?"),
    Question("poor_sleep", "soft", "Did you sleep less than 6 hours last night?"),
    Question("worried_about_moving", "soft", "Are you worried that moving will make your back worse?"),
    Question("recovering_from_back_pain", "soft", "Are you recovering from a back pain episode in the last 4 weeks?"),
    Question("minor_trauma", "soft", "Did the pain start after a small fall, a slip or lifting something?"),
)


def _tier(tier: Tier) -> tuple[Question, ...]:
    """``tier``'s questions, in the order they are asked."""
    return tuple(q for q in QUESTIONS if q.tier == tier)


EMERGENCY_QUESTIONS = _tier("emergency")
CLINICIAN_QUESTIONS = _tier("clinician")
SOFT_QUESTIONS = _tier("soft")
EMERGENCY_FLAGS = tuple(q.id for q in EMERGENCY_QUESTIONS)
CLINICIAN_FLAGS = tuple(q.id for q in CLINICIAN_QUESTIONS)
SOFT_FLAGS = tuple(q.id for q in SOFT_QUESTIONS)
KNOWN_FLAGS = frozenset(q.id for q in QUESTIONS)
SOFT_SAID = {"pain_today_above_5": "pain above 5/10 today", "pain_to_buttock_or_thigh": "pain into the buttock or thigh",
              "poor_sleep": "under 6 hours of sleep", "worried_about_moving": "worried about moving",
              "recovering_from_back_pain": "recovering from an episode", "minor_trauma": "a small fall or strain"}
QUESTION_TEXT = {q.id: q.text for q in QUESTIONS}


@dataclass(frozen=True, slots=True)
class TriageAnswers:
    """What the person answered. ``flags``: ids of questions answered yes (every other question is a no)."""

    flags: frozenset[str] = frozenset()
    injury_date: dt.date | None = None  # an acute strain (a sudden "tweak"), if any
    clinician_cleared: bool = False  # a clinician has seen the earlier red flags and cleared exercise

    def __post_init__(self) -> None:
        unknown = sorted(set(self.flags) - KNOWN_FLAGS)
        if unknown:
            raise InputError(f"unknown triage flag(s) {unknown}; expected some of {sorted(KNOWN_FLAGS)}")

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
        if key in KNOWN_FLAGS and value is True:
            flags.add(key)
        elif key in KNOWN_FLAGS and value not in (False, None):
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
