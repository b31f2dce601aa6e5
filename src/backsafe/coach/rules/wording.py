"""The coach's rules in the section "Wording" of docs/coach.md (COACHING_RULES.md §1 "Never", §9).

Registry order within the section is the order of the docs; :mod:`backsafe.coach.rules.registry` joins the
sections in the order of ``GROUPS``.
"""

from __future__ import annotations

from .model import Rule, OWN

WORDING_RULES: tuple[Rule, ...] = (
    Rule(
        "never-diagnose", "Refer, never diagnose",
        "The coach never says what is causing your pain, never advises on medicines or scans, and never overrides "
        "a clinician. When an answer needs checking it refers: it says whom to see and how soon. It makes no "
        "promises that exercise will heal you or keep you from harm, and it uses no fear words. Every plan "
        "carries the disclaimer.",
        "NICE NG59 2016/2020 (refer, don't diagnose); backsafe wording policy", "strong", False, group="wording",
        caveat="A policy more than a finding: the coach cannot examine anyone.",
    ),
    Rule(
        "plain-words", "Plain words, the most urgent first",
        "What you read uses exercise names, not codes, and no section marks, rule letters or flag codes (those "
        "are in the JSON and behind the explain switch). Safety results come first and stand out in colour. At "
        "most 1 cue during a set and 3 after it, worded as a target ('keep the weight close to your legs', 'take "
        "3 seconds down') rather than a fault.",
        f"Wulf 2013 review (external focus of attention); cue limits {OWN}", "moderate", True, group="wording",
    ),
)
