"""Clearances (COACHING_RULES.md §1 State): which flags a clearance covers, and which earlier gating results
no clearance has lifted yet. No clearance covers an EMERGENCY sign."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..history import Clearance, TriageEntry
from .questions import CLINICIAN_FLAGS, EMERGENCY_FLAGS, TriageAnswers

__all__ = ["GATING_OUTCOMES", "clearance_scope", "flag_covered", "open_earlier"]

GATING_OUTCOMES = frozenset({"emergency", "urgent", "clinician"})


def flag_covered(flag: str, clearances: Sequence[Clearance], records: Sequence[TriageEntry], today: dt.date,
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


def open_earlier(records: Sequence[TriageEntry], clearances: Sequence[Clearance], today: dt.date) -> list[TriageEntry]:
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
