"""The coach's rules in the section "Units and equipment" of docs/coach.md (COACHING_RULES.md §4).

Registry order within the section is the order of the docs; :mod:`backsafe.coach.rules.registry` joins the
sections in the order of ``GROUPS``.
"""

from __future__ import annotations

from .model import Rule, OWN_RULE

UNITS_RULES: tuple[Rule, ...] = (
    Rule(
        "units", "Kilograms or pounds",
        "Each person chooses kg or lb. A load can be typed either way (30lb, 13.6kg, or a plain number in your own "
        "unit); it is stored in kg and always shown in your unit, on your unit's real steps, so the source "
        "article's 30 lb → 25 lb stays in pounds.",
        OWN_RULE, "heuristic", True, group="units", caveat="A matter of convenience, not of evidence.",
    ),
    Rule(
        "equipment-steps", "Loads in the steps you own",
        "Loads come in the steps real equipment has: dumbbells in 1 kg (2.5 lb) steps up to 10 kg (25 lb), then "
        "2 kg (5 lb); kettlebells in 4 kg steps (8, 12, 16, 20, 24 kg), or 2 kg steps if you say you have those "
        "bells; a barbell in 2.5 kg (5 lb) steps. You can list your own equipment, and then only loads you own "
        "are prescribed.",
        OWN_RULE, "heuristic", True, group="units",
    ),
    Rule(
        "plausibility", "Loads that cannot be right are refused",
        "A load far above what the exercise allows (for example a 400 kg goblet squat) is refused, with the "
        "reason; it is usually a typo or pounds typed as kilograms. The limits are about the heaviest equipment "
        "in general use, per hand for dumbbells.",
        OWN_RULE, "heuristic", True, group="units",
    ),
)
