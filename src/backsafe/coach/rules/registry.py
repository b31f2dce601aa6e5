"""The registry: every coaching rule by id, in the order of the docs sections (``GROUPS``), and look-ups on it.

Each section's rules live in their own module (``triage``, ``pain``, ... ``wording``); this module joins them.
A new rule goes into its section's module; a new section also needs its ``Group`` and heading in :mod:`.model`
and a line here.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .breaks import BREAKS_RULES
from .ladder import LADDER_RULES
from .model import Group, Rule
from .outcomes import OUTCOMES_RULES
from .pain import PAIN_RULES
from .progression import PROGRESSION_RULES
from .recovery import RECOVERY_RULES
from .soft_flags import SOFT_FLAGS_RULES
from .triage import TRIAGE_RULES
from .units import UNITS_RULES
from .warmup import WARMUP_RULES
from .wording import WORDING_RULES

__all__ = ["RULES", "rule", "rules_in_group"]

_RULES: tuple[Rule, ...] = (
    TRIAGE_RULES
    + PAIN_RULES
    + PROGRESSION_RULES
    + LADDER_RULES
    + BREAKS_RULES
    + UNITS_RULES
    + SOFT_FLAGS_RULES
    + OUTCOMES_RULES
    + WARMUP_RULES
    + RECOVERY_RULES
    + WORDING_RULES
)

RULES: Mapping[str, Rule] = MappingProxyType({r.id: r for r in _RULES})
if len(RULES) != len(_RULES):  # pragma: no cover - a duplicate id is a programming error
    raise RuntimeError("duplicate rule id in backsafe.coach.rules")


def rule(rule_id: str) -> Rule:
    """The rule with id ``rule_id``; KeyError naming the known ids when there is none."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule id {rule_id!r}; known ids: {', '.join(sorted(RULES))}") from None


def rules_in_group(group: Group) -> tuple[Rule, ...]:
    """The rules of one docs section, in registry order."""
    return tuple(r for r in _RULES if r.group == group)

