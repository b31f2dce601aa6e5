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

from .clearance import GATING_OUTCOMES, clearance_scope
from .decide import ACUTE_WINDOW_H, triage
from .questions import (
    CLINICIAN_FLAGS,
    CLINICIAN_QUESTIONS,
    EMERGENCY_FLAGS,
    EMERGENCY_QUESTIONS,
    QUESTIONS,
    SOFT_FLAGS,
    SOFT_QUESTIONS,
    Question,
    TriageAnswers,
    answers_from_mapping,
)
from .result import Outcome, TriageResult, Urgency, not_checked

__all__ = [
    "Outcome",
    "Urgency",
    "Question",
    "QUESTIONS",
    "EMERGENCY_QUESTIONS",
    "CLINICIAN_QUESTIONS",
    "SOFT_QUESTIONS",
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
