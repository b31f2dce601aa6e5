"""The coach's rules in the section "Pain monitoring" of docs/coach.md (COACHING_RULES.md §4).

Registry order within the section is the order of the docs; :mod:`backsafe.coach.rules.registry` joins the
sections in the order of ``GROUPS``.
"""

from __future__ import annotations

from .model import Rule, OWN_RULE

PAIN_RULES: tuple[Rule, ...] = (
    Rule(
        "pain-monitoring", "How much pain is acceptable",
        "You rate pain from 0 (none) to 10 (the worst imaginable) before, during and after a session and the next "
        "morning. Pain 0-2/10: no change needed. 3-5/10: acceptable, if it has settled by the next morning. Above "
        "5/10: too much, and the load or the exercise changes. Exercising with tolerable pain does no worse than "
        "keeping exercise pain-free. A change of 2 points or 30 % is the smallest that matters to people.",
        "Silbernagel 2007, Achilles RCT; extrapolated to backs. Smith 2017 meta-analysis (tolerable vs pain-free "
        "exercise, SMD −0.27 short term). Ostelo 2008 (meaningful change)", "weak", False, group="pain",
        caveat="The pain-monitoring model was tested in Achilles tendon pain; using it for backs is an "
        "extrapolation. The finding that tolerable pain is not worse is moderate (meta-analysis, short term); the "
        "2-point or 30 % change is strong.",
    ),
    Rule(
        "pain-during-set", "Pain during a set",
        "Stop the set if pain goes above 5/10, or rises 2 or more points above your score before the session "
        "(only when it is above 2/10: a rise within 0-2/10 needs no change). The next set is about 15 % lighter, "
        "or an easier version of the exercise. Pain of 0-2/10 during a set changes nothing: no load cut, no cap. "
        "Pain of 3-5/10 is acceptable if it has settled by the next morning.",
        "Silbernagel 2007, Achilles RCT; extrapolated to backs", "weak", True, group="pain",
        caveat="Tested in Achilles tendon pain, not backs. The 15 % figure is ours.",
    ),
    Rule(
        "drop-below-trigger", "Drop below the load that brought on pain",
        "When a load brings on pain above 5/10 (or 2 or more points above your starting score, once above 2/10), "
        "the next session uses the largest load you have that is at most 85 % of it; the source article's own "
        "example is 30 lb → 25 lb, −17 %. A bodyweight exercise moves to an easier version instead. That load is "
        "held for 2 pain-free sessions, then goes up again in steps of at most 5 %. The plan states the real "
        "change, for example '12 → 10 kg, −17 %'.",
        f"{OWN_RULE}, from the source article's example (30 → 25 lb)", "heuristic", True, group="pain",
    ),
    Rule(
        "next-morning", "The next-morning check",
        "The morning after a session, rate your pain. Back at your usual level: carry on as planned. 2 or more "
        "points above your usual: repeat the same session next time instead of progressing, or go about 10 % "
        "lighter. A morning of 7/10 or more, or 3 or more points above your usual, counts as severe pain.",
        "Silbernagel 2007, Achilles RCT; extrapolated to backs", "weak", False, group="pain",
        caveat="Tested in Achilles tendon pain, not backs.",
    ),
)
