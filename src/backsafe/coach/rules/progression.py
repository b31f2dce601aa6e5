"""The coach's rules in the section "Load progression" of docs/coach.md (COACHING_RULES.md §4, §7).

Registry order within the section is the order of the docs; :mod:`backsafe.coach.rules.registry` joins the
sections in the order of ``GROUPS``.
"""

from __future__ import annotations

from .model import Rule, OWN

PROGRESSION_RULES: tuple[Rule, ...] = (
    Rule(
        "progression-order", "How an exercise progresses",
        "Reps first, then sets, then load: 8 → 12 reps, then 2 → 3 sets, then the next load step. A load step "
        "comes after 2 sessions running in which you managed 2 or more reps beyond the target on the last set "
        "(the '2-for-2' rule). Beginners work in the 8-12 rep range, 2-3 days a week.",
        "NSCA (Baechle & Earle), 2-for-2 rule; ACSM 2009 position stand on progression", "weak", False,
        group="progression",
        caveat="Guidance from professional bodies for healthy adults; using it for people with back pain is an "
        "extrapolation.",
    ),
    Rule(
        "progression-cap", "Go up by at most 5 % or one step",
        "A load goes up by at most 5 %, or by the smallest step your equipment allows when that is more (1 kg or "
        "2.5 lb on dumbbells, 2.5 kg or 5 lb on a barbell, the next kettlebell you have). ACSM suggests +2-10 % "
        "once you can do 1-2 reps over the target; backsafe stays at the low end.",
        f"ACSM 2009 (+2-10 %); the cap is {OWN}", "heuristic", True, group="progression",
    ),
    Rule(
        "load-jump", "A logged load that jumps too far",
        "If you log a load more than 5 % (or more than one step) above your last session of the same exercise, the "
        "coach points it out and suggests adding at most 5 % or one step at a time. Adding load too fast is one of "
        "the mistakes the source article warns about.",
        f"ACSM 2009 (+2-10 %); the cap is {OWN}", "heuristic", True, group="progression",
    ),
    Rule(
        "effort-rir", "Effort: reps in reserve",
        "Reps in reserve (RIR) are how many more reps you could have done with good form; on the RPE scale, 10 "
        "means none left (failure) and 8 means 2 left. The target is 2-3 in reserve (RPE 7-8). The next load "
        "follows what you report: 2 or more reps easier than the target → +5 %; 1 easier → +2.5 %; on target → "
        "the same; 1 harder → 2.5-5 % lighter; failure or a form problem → 10 % lighter. Reports of more than 5 "
        "reps in reserve (RPE below 5) are ignored: people misjudge those by more than 2 reps.",
        "Zourdos 2016 (RIR-based RPE scale); Hackett 2017 (accuracy of RIR estimates)", "moderate", True,
        group="progression",
        caveat="The scale and its accuracy are measured; the percentages are ours.",
    ),
    Rule(
        "tempo-default", "Default tempo",
        "Tempo is written as seconds down - pause at the bottom - up - pause at the top. Unless you set your own, "
        "strength exercises use 3-1-2-0: 3 seconds down, 1 second pause, 2 seconds up, no pause at the top. "
        "Moderate speed is 1-2 seconds per phase; 'controlled' means 2-4 seconds down and 1-3 up. Walking, timed "
        "holds and swings have no tempo.",
        f"ACSM 2009 (moderate = 1-2 s per phase); the 3-1-2-0 default is {OWN}", "heuristic", True,
        group="progression",
    ),
)
