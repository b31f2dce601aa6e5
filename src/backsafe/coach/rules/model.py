"""What a coaching rule is: :class:`Rule`, its evidence grades and the docs sections it belongs to
(COACHING_RULES.md preamble: strong, moderate, weak, heuristic [H]).

The rules themselves live one module per docs section beside this one; :mod:`.registry` joins them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

__all__ = ["Grade", "GRADES", "GRADE_MEANING", "Group", "GROUPS", "Rule", "OWN_RULE", "OWN"]

Grade = Literal["strong", "moderate", "weak", "heuristic"]
GRADES: tuple[Grade, ...] = ("strong", "moderate", "weak", "heuristic")
GRADE_MEANING: Mapping[Grade, str] = MappingProxyType({
    "strong": "clinical guidelines or meta-analyses",
    "moderate": "randomised trials or validated measurements",
    "weak": "small studies, expert consensus, or results carried over from another condition",
    "heuristic": "backsafe's own rule of thumb, a reasoned choice that is adjustable and to be checked against data",
})

Group = Literal["triage", "pain", "progression", "ladder", "breaks", "units", "soft-flags", "outcomes", "warmup",
                "recovery", "wording"]
# Section headings of docs/coach.md, in order.
GROUPS: Mapping[Group, str] = MappingProxyType({
    "triage": "Triage and safety",
    "pain": "Pain monitoring",
    "progression": "Load progression",
    "ladder": "The ladder",
    "breaks": "Breaks and deloads",
    "units": "Units and equipment",
    "soft-flags": "Soft flags",
    "outcomes": "Outcome measures",
    "warmup": "Warm-up",
    "recovery": "Recovery",
    "wording": "Wording",
})

_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Rule:
    """One coaching rule.

    ``text`` states the rule plainly, with its numbers; ``source`` is the citation as COACHING_RULES gives it;
    ``grade`` the strength of the evidence behind the rule; ``heuristic`` true when its numbers or details are
    backsafe's own; ``caveat`` says honestly where the evidence is thin; ``group`` is its section in docs/coach.md.
    """

    id: str
    title: str
    text: str
    source: str
    grade: Grade
    heuristic: bool
    group: Group = field(kw_only=True)
    caveat: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        if not _ID_RE.match(self.id):
            raise ValueError(f"rule id {self.id!r}: expected lowercase words joined by '-', e.g. 'severe-pain'")
        if self.grade not in GRADES:
            raise ValueError(f"rule {self.id}: grade {self.grade!r}, expected one of {GRADES}")
        if self.grade == "heuristic" and not self.heuristic:
            raise ValueError(f"rule {self.id}: grade 'heuristic' needs heuristic=True")
        if self.group not in GROUPS:
            raise ValueError(f"rule {self.id}: group {self.group!r}, expected one of {tuple(GROUPS)}")
        for name in ("title", "text", "source"):
            if not getattr(self, name).strip():
                raise ValueError(f"rule {self.id}: empty {name}")

    @property
    def evidence(self) -> str:
        """The grade in plain words, with the caveat: "weak (small studies, ...); the details are
        backsafe's own choice. Tested in Achilles tendon pain, not backs."."""
        out = f"{self.grade} ({GRADE_MEANING[self.grade]})"
        if self.heuristic and self.grade != "heuristic":
            out += "; the details are backsafe's own choice"
        return f"{out}. {self.caveat}" if self.caveat else f"{out}."


#: the source of a rule that is backsafe's own [H]
OWN_RULE = "backsafe's own rule"
#: "the cap is backsafe's own", "the dosing is backsafe's own": the numbers of a graded rule that are ours
OWN = "backsafe's own"
