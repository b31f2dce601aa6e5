"""Wording rules for everything the coach says (COACHING_RULES.md §1 "Never", §9 feedback wording).

The coach never diagnoses, never says "safe", "prevents injury" or "cures", never uses fear words, and always
carries the disclaimer. :func:`check_wording` is used by the tests on every text the coach produces.
"""

from __future__ import annotations

import re

__all__ = ["DISCLAIMER", "BANNED_PATTERNS", "check_wording", "style"]

# §9, verbatim.
DISCLAIMER = (
    "backsafe gives general exercise guidance, not medical advice, diagnosis or treatment. If pain is severe, "
    "worsening or unexplained, or you have numbness, weakness, or bladder or bowel changes, stop and seek medical "
    "care. Check with a clinician first if you have a health condition or recent injury."
)

# §1 never: "safe", "prevents injury", "cures"; §9 no fear words; no diagnosis words.
BANNED_PATTERNS: tuple[str, ...] = (
    r"\bsafe\b",
    r"\bsafely\b",
    r"\bprevents? injur",
    r"\bcures?\b",
    r"\bdamage",
    r"\bslipped\b",
    r"\bdangerous\b",
    r"\byou have (a |an )?(herniat|disc|sciatica|cauda|fracture|infection|tumou?r|cancer)",
    r"\bdiagnos(is|e) (is|of)\b",
)


def check_wording(text: str) -> list[str]:
    """Return the banned phrases found in ``text`` (the disclaimer itself is exempt). Empty = fine."""
    body = text.replace(DISCLAIMER, "")
    return [p for p in BANNED_PATTERNS if re.search(p, body, flags=re.IGNORECASE)]


_STYLES = {"red": "\x1b[1;31m", "yellow": "\x1b[1;33m", "green": "\x1b[32m", "bold": "\x1b[1m"}


def style(text: str, colour: str, enabled: bool) -> str:
    """``text`` in ``colour`` (ANSI) when ``enabled`` (§9: safety tiers stand out); plain otherwise."""
    return f"{_STYLES[colour]}{text}\x1b[0m" if enabled and colour in _STYLES else text
