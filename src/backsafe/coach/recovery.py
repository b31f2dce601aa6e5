"""Recovery block: sleep target, bedtime from wake time, wind-down (COACHING_RULES.md §8), with evidence grades.

Wording is deliberately modest where the evidence is weak (§8, §9).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import ValueRangeError

__all__ = ["recovery_plan", "parse_wake_time", "DEFAULT_WAKE_TIME"]

DEFAULT_WAKE_TIME = dt.time(7, 0)


def parse_wake_time(text: str) -> dt.time:
    """Parse "HH:MM" (24 h)."""
    try:
        return dt.datetime.strptime(text.strip(), "%H:%M").time()
    except ValueError as e:
        raise ValueRangeError(f"wake time {text!r}: expected HH:MM in 24-hour time, e.g. 06:45") from e


def _minus(t: dt.time, hours: float) -> str:
    base = dt.datetime.combine(dt.date(2000, 1, 2), t) - dt.timedelta(hours=hours)
    return base.strftime("%H:%M")


def _hour(text: str) -> float:
    h, m = text.split(":")
    return int(h) + int(m) / 60


def recovery_plan(wake_time: dt.time = DEFAULT_WAKE_TIME, age_years: int | None = None, *,
                  recent_sleep_h: float | None = None, poor_sleep_today: bool = False) -> dict[str, Any]:
    """The recovery block of the plan (§8).

    Sleep 7-9 h for ages 18-64, 7-8 h for 65+ (NSF, Hirshkowitz 2015; ≥7 h AASM/SRS, Watson 2015): bedtime is the
    wake time minus the target plus ~15 min to fall asleep [H]. The observational 22:00-23:00 bedtime
    (Nikbakhtian 2021) is mentioned only when it fits the person's wake time; for late wake times (shift work) the
    advice is a regular bedtime instead. ``recent_sleep_h`` (mean of the last week's check-ins) and
    ``poor_sleep_today`` (under 6 h last night) move sleep to the front and say so (§4 soft flags).
    """
    if age_years is not None and not 18 <= age_years <= 120:
        raise ValueRangeError(f"age {age_years}: backsafe's guidance is for adults (18-120)")
    hi = 8.0 if age_years is not None and age_years >= 65 else 9.0
    target = 7.5 if hi == 8.0 else 8.0
    bedtime = _minus(wake_time, target + 0.25)
    latest = _minus(wake_time, 7.25)
    earliest = _minus(wake_time, hi + 0.25)
    wind_down = _minus(wake_time, target + 1.25)
    wake = wake_time.strftime("%H:%M")
    bed_h = _hour(bedtime)
    usual_night = 21.0 <= bed_h or bed_h <= 0.5  # a bedtime between 21:00 and 00:30
    sleep_item = {"name": "Sleep", "advice": f"Aim for 7-{hi:g} hours: with a {wake} wake-up, be in bed around "
                  f"{bedtime} (between {earliest} and {latest}).", "evidence": "strong (consensus guidelines)",
                  "rule": "sleep-duration"}
    leads = False
    if recent_sleep_h is not None and recent_sleep_h < 7.0:
        sleep_item["advice"] = (f"You have slept about {recent_sleep_h:.1f} hours a night lately; aim for 7-{hi:g}: "
                                f"with a {wake} wake-up, be in bed around {bedtime} (between {earliest} and "
                                f"{latest}).")
        leads = True
    if poor_sleep_today:
        sleep_item["advice"] = ("You slept under 6 hours last night, so today's session is kept easier. "
                                + sleep_item["advice"])
        leads = True
    if usual_night:
        regular = {"name": "Regular bedtime", "advice": "A regular bedtime, ideally around 22:00-23:00, is linked "
                   "with better heart health in a large observational study; it shows an association, not proof.",
                   "evidence": "observational (Nikbakhtian 2021)", "rule": "bedtime"}
    else:
        regular = {"name": "Regular bedtime", "advice": f"With a {wake} wake-up, keep the same bedtime ({bedtime}) "
                   "every day, days off included, and keep the room dark while you sleep.",
                   "evidence": "consensus (sleep regularity)", "rule": "bedtime"}
    items = [
        sleep_item,
        regular,
        {"name": "Wind-down", "advice": f"From about {wind_down}: lights low, no bright screens; in the last hour "
         "dim screens or use a night filter. It may help a little.", "evidence": "weak (Chang 2015; Shechter 2020)",
         "rule": "wind-down"},
        {"name": "Breathing", "advice": "5-10 minutes of slow belly breathing (in ~4 s, out ~6 s) at home.",
         "evidence": "weak-moderate, low certainty", "rule": "breathing"},
        {"name": "Warm bath (optional)", "advice": "A warm bath may ease stiffness; Epsom salt isn't proven to add "
         "anything.", "evidence": "moderate for heat in acute back pain; none for the salt (Gröber 2017)",
         "rule": "warm-bath"},
        {"name": "Acupressure mat (optional)", "advice": "Some people like it for short-term relief; evidence is "
         "limited and it is uncomfortable for some.", "evidence": "weak (Frizziero 2021)", "rule": "acupressure"},
    ]
    return {
        "sleep_target_h": [7.0, hi],
        "wake_time": wake,
        "bedtime": bedtime,
        "bedtime_window": [earliest, latest],
        "wind_down_from": wind_down,
        "recent_sleep_h": None if recent_sleep_h is None else round(recent_sleep_h, 1),
        "leads": leads,
        "items": items,
    }
