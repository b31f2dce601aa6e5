"""What triage tells the person: :class:`TriageResult` (outcome, headline, reasons, what they can do) and the
"not checked yet" state (COACHING_RULES.md §1 State)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ...json_fields import json_fields
from ..wording import DISCLAIMER, style

__all__ = ["Outcome", "Urgency", "TriageResult", "not_checked"]

Outcome = Literal["proceed", "rest", "clinician", "urgent", "emergency", "not_checked"]
Urgency = Literal["emergency", "urgent", "soon", "rest", "proceed", "not_checked"]


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
        return json_fields(self, "outcome", "urgency", "label", "headline", "reasons", "allowed", "soft_flags",
                           "flags", "cleared", "hours_since_injury", "notes", "rules", "disclaimer")

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
