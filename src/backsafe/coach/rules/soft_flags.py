"""The coach's rules in the section "Soft flags" of docs/coach.md (COACHING_RULES.md §4).

Registry order within the section is the order of the docs; :mod:`backsafe.coach.rules.registry` joins the
sections in the order of ``GROUPS``.
"""

from __future__ import annotations

from .model import Rule, OWN, OWN_RULE

SOFT_FLAGS_RULES: tuple[Rule, ...] = (
    Rule(
        "soft-flag-pain", "Pain above 5/10 today",
        "If your pain is above 5/10 today (but below the severe-pain level), the session still goes ahead, "
        "lighter: the easier version of each exercise and 30-50 % fewer sets and reps. If nothing needs to change, "
        "the plan says why.",
        OWN_RULE, "heuristic", True, group="soft-flags",
    ),
    Rule(
        "soft-flag-fear", "Worried about moving",
        "If you are worried that moving will make your back worse, the plan uses graded exposure: the same "
        "movement over a smaller range, with more reps, so it becomes familiar again. It adds one line of "
        "explanation: hurt does not always mean harm.",
        f"Moseley & Butler (pain education, 'hurt does not mean harm'); the dosing is {OWN}", "heuristic", True,
        group="soft-flags",
    ),
    Rule(
        "soft-flag-sleep", "A poor night's sleep",
        "After a poor night (less than 6 hours), effort is capped at RPE 7 (at least 3 reps in reserve) and the "
        "recovery advice comes first in the plan.",
        OWN_RULE, "heuristic", True, group="soft-flags",
    ),
)
