"""The coach's rules in the section "Breaks and deloads" of docs/coach.md (COACHING_RULES.md §4).

Registry order within the section is the order of the docs; :mod:`backsafe.coach.rules.registry` joins the
sections in the order of ``GROUPS``.
"""

from __future__ import annotations

from .model import Rule, OWN, OWN_RULE

BREAKS_RULES: tuple[Rule, ...] = (
    Rule(
        "reactive-deload", "A lighter week when pain builds up",
        "If your weekly average pain rises by 2 points or more, or you have 2 flare-ups within 7 days, the next "
        "sessions are a deload: 30-50 % fewer sets and reps and about 2 more reps left in reserve, worked out from "
        "your last working load.",
        "Silbernagel 2007, Achilles RCT; extrapolated to backs; deload dose backsafe's own", "weak", True,
        group="breaks",
        caveat="The trigger comes from a tendon pain model; the deload dose is ours.",
    ),
    Rule(
        "planned-deload", "A planned lighter week every 4-6 weeks",
        "After 4-6 weeks of building (backsafe: 5 weeks, then the 6th is lighter), a deload week: 30-50 % fewer "
        "sets and reps and about 2 more reps left in reserve, from your last working load. Lifters report taking "
        "one every 5.8 weeks on average (give or take 3.4), lasting about 6 days.",
        "Bell 2023, survey of lifters", "weak", True, group="breaks",
        caveat="A survey of what lifters do, not a trial of what works best; the dose is ours.",
    ),
    Rule(
        "deload-from-working-load", "Deloads never stack",
        "A deload is always worked out from your last working load before it, never from another deload session, "
        "so lighter sessions do not pile up (15 kg → 13 → 11 → 9 kg is the mistake this avoids). The plan shows "
        "the real change, for example '12 → 10 kg, −17 %', never a rounded label.",
        OWN_RULE, "heuristic", True, group="breaks",
    ),
    Rule(
        "break-return", "Coming back after a break",
        "Strength is largely kept for about 3 weeks off. Back after less than 2 weeks: carry on from your last "
        "session. After 2 to 3 weeks: 90 % of your last load. After 3 to 6 weeks: 80 % and one set fewer. After more than 6 weeks, or after a break because of pain: one rung "
        "down the ladder. Someone with a history is never treated as a first-timer.",
        f"Mujika & Padilla 2000; McMaster 2013 (strength kept for about 3 weeks); the percentages are {OWN}",
        "heuristic", True, group="breaks",
    ),
)
