"""The registry: one module per fault code, each ending with ``RULE = Rule(...)`` (faults/rule.py); ``ALL_RULES``
is the order they run in. Adding a rule = one new module here and one line below (docs/architecture.md)."""

from __future__ import annotations

from ..rule import FaultRule
from . import (
    back_arching,
    back_rounding,
    hip_rotation,
    hips_piked,
    jumping,
    knee_valgus,
    knee_varus,
    lateral_shift,
    load_far_from_body,
    partial_range,
    rushing,
)

ALL_RULES: tuple[FaultRule, ...] = (
    jumping.RULE,
    back_rounding.RULE,
    load_far_from_body.RULE,
    lateral_shift.RULE,
    hip_rotation.RULE,
    knee_valgus.RULE,
    knee_varus.RULE,
    back_arching.RULE,
    hips_piked.RULE,
    rushing.RULE,
    partial_range.RULE,
)

__all__ = ["ALL_RULES"]
