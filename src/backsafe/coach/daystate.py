"""The day's tier (COACHING_RULES §1 State): the safety questionnaire's outcome as of a day, and severe pain that
has not settled (§1 severe pain), which turns a "go ahead" day into a rest day. The plan, the log's flags and the web
pages all ask :func:`day_gate`, so the tier binds them alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from .history import PAIN_SETTLED_BELOW, History
from .triage import TriageResult, answers_from_mapping, not_checked, triage


def severe_pain_message(what: str) -> str:
    """§1 severe pain, in plain words: no loaded session until it settles; when to seek care."""
    return (f"{what[0].upper() + what[1:]}. No loaded training until your pain settles below {PAIN_SETTLED_BELOW}/10: "
            "keep gently moving (short easy walks) as you can. Seek care if it is not settling within a few days, "
            "if pain spreads below the knee, or at once with numbness in the saddle area, new bladder or bowel "
            "changes, or weakness in your legs.")


def gate(hist: History, day: dt.date) -> tuple[TriageResult, list[str]]:
    """Today's triage from the latest answers on or before ``day`` (the acute window moves with the date), with the
    stored clearances; "not checked yet" when there are none (§1 State)."""
    records = sorted((t for t in hist.triage if t.date <= day), key=lambda t: t.date)
    notes: list[str] = []
    if not records:
        return not_checked(), notes
    latest = records[-1]
    if (day - latest.date).days > 7:
        notes.append(f"Your last safety check was on {latest.date.isoformat()}; answer the safety questions again "
                     "so the plan knows how you are now.")
    result = triage(answers_from_mapping(latest.answers), day, previous=records[:-1],
                    clearances=[c for c in hist.clearances if c.date <= day])
    return result, notes


def day_gate(hist: History, day: dt.date) -> tuple[TriageResult, list[str]]:
    """The day's tier (§1 State): the triage gate, and severe pain that has not settled below 5 (§1 severe pain)
    turning "go ahead" into a rest day. ``hist`` is the log as known on the morning of ``day``."""
    result, notes = gate(hist, day)
    severe = hist.severe_pain(day)
    if severe is not None and result.outcome in ("proceed", "rest"):
        days = (day - severe[2]).days
        longer = (" It has not settled for several days now: please see a clinician." if days >= 3 else "")
        result = replace(
            result, outcome="rest",
            headline="No loaded training until your pain settles below 5/10. Keep gently moving: short easy walks and "
            "gentle mobility as comfortable." + longer,
            reasons=(severe_pain_message(severe[1]),) + tuple(r for r in result.reasons if "warning signs" not in r),
            allowed="easy walking and gentle mobility; no loaded or impact work",
            rules=("severe-pain", "stay-active") + result.rules)
    return result, notes
