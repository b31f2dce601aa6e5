"""The coach's rules in the section "The ladder" of docs/coach.md (COACHING_RULES.md §2, §4).

Registry order within the section is the order of the docs; :mod:`backsafe.coach.rules.registry` joins the
sections in the order of ``GROUPS``.
"""

from __future__ import annotations

from .model import Rule, OWN, OWN_RULE

LADDER_RULES: tuple[Rule, ...] = (
    Rule(
        "ladder", "The ladder",
        "Exercises climb a ladder of rungs: on the floor or held still (isometric) → bodyweight → a light load "
        "held close to the body → barbell → fast swinging (ballistic) work such as kettlebell swings → jumps. You "
        "move up one rung after 2 sessions of 3 sets of 10-12 reps with at least 2 reps in reserve, pain of 3/10 "
        "or less, no morning flare-up and no form problem that keeps coming back. Jumps come only after at least "
        "4 pain-free weeks.",
        OWN_RULE, "heuristic", True, group="ladder",
    ),
    Rule(
        "ladder-binds", "The ladder limits every plan",
        "While you are recovering (within 96 hours of a strain, with a pain flag in the last 2 weeks, or with "
        "fewer than 4 pain-free weeks logged), a plan never goes more than one rung above what you have mastered "
        "and never includes swinging or jumping work. Someone with no history starts at the bottom rung. You may "
        "still log a higher rung; the coach notes it.",
        OWN_RULE, "heuristic", True, group="ladder",
    ),
    Rule(
        "high-impact-recovering", "No jumping while recovering",
        "Exercises with a moment in the air (jump squats, jump lunges, burpees with a jump) load the body more "
        "than walking: running peaks at about 2.5 times body weight, walking at about 1.2, jumps higher still. "
        "While you are recovering, the plan swaps them for a low-impact version (a bodyweight squat, a reverse "
        "lunge, a step-back burpee), and high-impact work you log is noted.",
        f"Keller 1996 (ground reaction forces in walking and running); the rule is {OWN}", "heuristic", True,
        group="ladder",
    ),
)
