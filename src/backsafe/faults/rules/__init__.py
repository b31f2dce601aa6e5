"""One module per fault code; ``ALL_RULES`` is the order they run in."""

from __future__ import annotations

from types import ModuleType

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
from .lumbar import lumbar_load

ALL_RULES: tuple[ModuleType, ...] = (
    jumping,
    back_rounding,
    load_far_from_body,
    lateral_shift,
    hip_rotation,
    knee_valgus,
    knee_varus,
    back_arching,
    hips_piked,
    rushing,
    partial_range,
)

__all__ = ["ALL_RULES", "lumbar_load", "rushing"]
