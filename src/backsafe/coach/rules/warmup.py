"""The coach's rules in the section "Warm-up" of docs/coach.md (COACHING_RULES.md §3).

Registry order within the section is the order of the docs; :mod:`backsafe.coach.rules.registry` joins the
sections in the order of ``GROUPS``.
"""

from __future__ import annotations

from .model import Rule, OWN_RULE

WARMUP_RULES: tuple[Rule, ...] = (
    Rule(
        "warmup-ramp", "Warm-up: 8-12 minutes",
        "Raise: about 5 minutes of walking or cycling at an easy effort (RPE 3-4). Activate and mobilise: about 5 "
        "minutes of breathing, foam rolling and band work for the hips. Potentiate: ramp-up sets at about 50 % and "
        "75 % of the day's working load.",
        "Jeffreys 2007 (RAMP warm-up); ramp-set percentages backsafe's own", "weak", True, group="warmup",
    ),
    Rule(
        "foam-rolling", "Foam rolling",
        "1-3 rounds of 30-120 seconds per muscle (hip flexors, front of the thighs, buttocks, upper back, calves), "
        "with discomfort no higher than 4/10, and never on the lower back itself. It improves range of movement "
        "about as much as stretching.",
        "Wilke 2020 meta-analysis (range of motion SMD 0.74 vs none, equal to stretching)", "moderate", True,
        group="warmup",
        caveat="Moderate for range of movement, weak for pain; the doses are ours.",
    ),
    Rule(
        "band-activation", "Band work for the hips",
        "1-2 sets of 10-15 per side, kept easy (at least 3 reps in reserve): side-lying leg raises and band walks "
        "for the side of the hip (glute medius), single-leg squats or deadlifts for the buttock (glute maximus), "
        "clamshells as the gentlest start. Chosen by how hard each works these muscles: side-lying leg raise about "
        "81 % of a maximal contraction, band walk 61 %, single-leg squat or deadlift 59 %, clamshell about 40 %.",
        "Distefano 2009 (muscle activity in healthy people)", "moderate", True, group="warmup",
        caveat="Measured in healthy people; the sets and reps are ours.",
    ),
    Rule(
        "breathing", "Belly breathing",
        "Lying on your back with knees bent, one hand on the chest and one on the belly: breathe in through the "
        "nose for about 4 seconds so the belly and lower ribs rise, and out for about 6 seconds. 5-10 breaths in "
        "the warm-up; 5-10 minutes a day at home.",
        "Meta-analysis of 13 RCTs (n = 677): pain SMD −0.84, low certainty", "weak", True, group="warmup",
        caveat="Weak to moderate: a sizeable effect on pain, but from small trials of low certainty; the timings "
        "are ours.",
    ),
    Rule(
        "warmup-fault-drills", "Drills for what your videos showed",
        "When recent videos showed a form problem, the warm-up adds a drill for it: knees falling inwards → "
        "side-lying leg raises and band walks; back rounding → hip hinge with a dowel along the back, 2 × 8; back "
        "arching or sagging → dead bug and a bridge with the pelvis tucked; shifting to one side or a tilting "
        "pelvis → side plank and standing on one leg, 3 × 20 seconds; rushing → a set to a metronome.",
        OWN_RULE, "heuristic", True, group="warmup",
    ),
    Rule(
        "no-warmup", "Working sets without a warm-up",
        "Loaded working sets logged without a warm-up are noted, with a reminder to do the 8-12 minute warm-up "
        "from the plan first. Walking, mobility and activation work need no warm-up before them. Skipping the "
        "warm-up is one of the mistakes the source article warns about.",
        "Jeffreys 2007 (RAMP warm-up)", "weak", True, group="warmup",
    ),
)
