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


def recovery_plan(wake_time: dt.time = DEFAULT_WAKE_TIME, age_years: int | None = None) -> dict[str, Any]:
    """The recovery block of the plan.

    Sleep 7-9 h for ages 18-64, 7-8 h for 65+ (NSF, Hirshkowitz 2015; ≥7 h AASM/SRS, Watson 2015): bedtime is the
    wake time minus the target plus ~15 min to fall asleep [H].
    """
    if age_years is not None and not 18 <= age_years <= 120:
        raise ValueRangeError(f"age {age_years}: backsafe's guidance is for adults (18-120)")
    hi = 8.0 if age_years is not None and age_years >= 65 else 9.0
    target = 7.5 if hi == 8.0 else 8.0
    bedtime = _minus(wake_time, target + 0.25)
    latest = _minus(wake_time, 7.25)
    earliest = _minus(wake_time, hi + 0.25)
    wind_down = _minus(wake_time, target + 1.25)
    return {
        "sleep_target_h": [7.0, hi],
        "wake_time": wake_time.strftime("%H:%M"),
        "bedtime": bedtime,
        "bedtime_window": [earliest, latest],
        "wind_down_from": wind_down,
        "items": [
            {"name": "Sleep", "advice": f"Aim for 7-{hi:g} hours: with a {wake_time.strftime('%H:%M')} wake-up, be in "
             f"bed around {bedtime} (between {earliest} and {latest}).", "evidence": "strong (consensus guidelines)"},
            {"name": "Regular bedtime", "advice": "A regular bedtime, ideally around 22:00-23:00, is linked with better "
             "heart health in a large observational study; it shows an association, not proof.",
             "evidence": "observational (Nikbakhtian 2021)"},
            {"name": "Wind-down", "advice": f"From about {wind_down}: lights low, no bright screens; in the last hour "
             "dim screens or use a night filter. It may help a little.", "evidence": "weak (Chang 2015; Shechter 2020)"},
            {"name": "Breathing", "advice": "5-10 minutes of slow belly breathing (in ~4 s, out ~6 s) at home.",
             "evidence": "weak-moderate, low certainty"},
            {"name": "Warm bath (optional)", "advice": "A warm bath may ease stiffness; Epsom salt isn't proven to add "
             "anything.", "evidence": "moderate for heat in acute back pain; none for the salt (Gröber 2017)"},
            {"name": "Acupressure mat (optional)", "advice": "Some people like it for short-term relief; evidence is "
             "limited and it is uncomfortable for some.", "evidence": "weak (Frizziero 2021)"},
        ],
    }
