"""The coach's rules in the section "Outcome measures" of docs/coach.md (COACHING_RULES.md §4).

Registry order within the section is the order of the docs; :mod:`backsafe.coach.rules.registry` joins the
sections in the order of ``GROUPS``.
"""

from __future__ import annotations

from .model import Rule

OUTCOMES_RULES: tuple[Rule, ...] = (
    Rule(
        "outcome-measures", "Weekly outcome measures",
        "Once a week you rate your usual pain from 0 to 10 and, on the Patient-Specific Functional Scale (PSFS), "
        "how well you can do a few activities that matter to you (0 = unable, 10 = as before the problem). A "
        "change counts as meaningful when pain moves by 2 points or 30 %, or the PSFS by 2 points; the progress "
        "view says so when it happens.",
        "Ostelo 2008 (meaningful change in pain); Stratford 1995 (PSFS, free to use)", "moderate", False,
        group="outcomes",
        caveat="Strong for the 2-point or 30 % pain change; the PSFS is a validated measure (moderate).",
    ),
)
