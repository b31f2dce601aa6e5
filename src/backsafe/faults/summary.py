"""One cue at a time: pick the set's most important cue (COACHING_RULES.md §9).

Priority: pain > J > R under load > D > S/P > K > A > T (pain is the coach's, not the video's). Within the same
priority, more reps showing the fault and a higher severity win. Positive wording, external focus, no fear
words, no diagnosis; a clean set is praised.
"""

from __future__ import annotations

from collections import Counter

from ..exercises import Exercise
from ..model import SEVERITIES, Finding, Rep

PRIORITY: dict[str, int] = {
    "jumping": 0,
    "back_rounding": 1,
    "load_far_from_body": 2,
    "lateral_shift": 3,
    "hip_rotation": 3,
    "knee_valgus": 4,
    "knee_varus": 4,
    "back_arching": 5,
    "hips_piked": 5,
    "rushing": 6,
    "partial_range": 7,
}

CLEAN_CUE = "Clean set: keep moving exactly like this."
NO_REPS_CUE = "Film the whole body side on, about 3 m away at hip height, and do a few slow reps."


def summarise(findings: list[Finding], reps: list[Rep], ex: Exercise) -> str:
    """The single most important cue for this set."""
    if not findings:
        if ex.kind == "reps" and not reps:
            return NO_REPS_CUE
        return CLEAN_CUE
    count = Counter(f.code for f in findings)
    worst = {c: max(SEVERITIES.index(f.severity) for f in findings if f.code == c) for c in count}

    def key(code: str) -> tuple[int, int, int]:
        return (PRIORITY.get(code, 9), -count[code], -worst[code])

    top = min(count, key=key)
    return next(f.cue for f in findings if f.code == top)


def fault_counts(findings: list[Finding]) -> dict[str, int]:
    """Number of reps showing each fault code."""
    return dict(Counter(f.code for f in {(f.rep, f.code): f for f in findings}.values()))
