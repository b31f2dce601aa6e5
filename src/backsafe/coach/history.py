"""The training log as plain immutable objects, and the pain-monitoring questions asked of it (§4).

The coach's rules read :class:`History` only, so they can be tested without a database.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "LoggedEntry",
    "TriageEntry",
    "History",
    "PAIN_ACCEPTABLE",
    "PAIN_LADDER_MAX",
    "MEANINGFUL_CHANGE",
    "TRIGGER_MEMORY_DAYS",
]

PAIN_ACCEPTABLE = 5  # §4 (Silbernagel 2007): NRS ≤5 acceptable, >5 too much
PAIN_LADDER_MAX = 3  # §4 ladder: NRS ≤3 to move to the next rung
MEANINGFUL_CHANGE = 2  # §4 (Ostelo 2008): 2 NRS points
TRIGGER_MEMORY_DAYS = 28  # [H] a pain-triggering load is remembered (and stayed below) for 4 weeks
RECOVERING_DAYS = 28  # [H] a pain episode or a strain in the last 4 weeks means "recovering" (acute < 4 wk, ACP)


@dataclass(frozen=True, slots=True)
class LoggedEntry:
    """One logged exercise (one row of the log) with its session's warm-up status and linked report faults."""

    date: dt.date
    exercise: str
    load_kg: float
    sets: int
    reps: int
    rpe: float | None = None
    pain_before: int | None = None
    pain_during: int | None = None
    pain_after: int | None = None
    warmup: bool | None = None  # a warm-up was logged before this entry (this entry's flag or its session's)
    faults: Mapping[str, int] = field(default_factory=dict)
    position: int = 0

    @property
    def pain_trigger_reason(self) -> str | None:
        """Why this entry counts as pain-triggering (§4 "during a set"), or None."""
        if self.pain_during is not None and self.pain_during > PAIN_ACCEPTABLE:
            return f"pain {self.pain_during}/10 during the sets"
        if self.pain_after is not None and self.pain_after > PAIN_ACCEPTABLE:
            return f"pain {self.pain_after}/10 after the sets"
        if (
            self.pain_before is not None
            and self.pain_during is not None
            and self.pain_during - self.pain_before >= MEANINGFUL_CHANGE
        ):
            return f"pain rose from {self.pain_before} to {self.pain_during}/10 during the sets"
        return None

    @property
    def pain_triggered(self) -> bool:
        return self.pain_trigger_reason is not None

    @property
    def max_pain(self) -> int:
        return max((p for p in (self.pain_during, self.pain_after) if p is not None), default=0)


@dataclass(frozen=True, slots=True)
class TriageEntry:
    date: dt.date
    outcome: str
    answers: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class History:
    """A person's log: entries sorted by (date, position), next-morning check-ins, triage answers."""

    entries: tuple[LoggedEntry, ...] = ()
    checkins: Mapping[dt.date, int] = field(default_factory=dict)
    triage: tuple[TriageEntry, ...] = ()

    def before(self, day: dt.date) -> History:
        """The log as it was known on the morning of ``day`` (entries before it; check-ins up to it)."""
        return History(
            entries=tuple(e for e in self.entries if e.date < day),
            checkins={d: p for d, p in self.checkins.items() if d <= day},
            triage=tuple(t for t in self.triage if t.date <= day),
        )

    def of(self, exercise: str) -> list[LoggedEntry]:
        return [e for e in self.entries if e.exercise == exercise]

    def session_dates(self) -> list[dt.date]:
        return sorted({e.date for e in self.entries})

    # --- §4 next morning -------------------------------------------------------------------------------------
    def baseline_pain(self, day: dt.date) -> float | None:
        """Usual pain before ``day``: median of rest-day check-ins (not mornings after a session) in the 14 days
        before it, else that day's pain before the session."""
        after_session = {d + dt.timedelta(days=1) for d in self.session_dates()}
        window = [p for d, p in self.checkins.items()
                  if day - dt.timedelta(days=14) <= d < day and d not in after_session]
        if window:
            return float(statistics.median(window))
        pre = [e.pain_before for e in self.entries if e.date == day and e.pain_before is not None]
        return float(pre[0]) if pre else None

    def morning_after(self, day: dt.date) -> int | None:
        return self.checkins.get(day + dt.timedelta(days=1))

    def morning_unsettled(self, day: dt.date) -> bool:
        """§4 next morning: ≥2 NRS points above the usual level means the session has not settled."""
        morning = self.morning_after(day)
        if morning is None:
            return False
        base = self.baseline_pain(day)
        return morning - (base if base is not None else 0.0) >= MEANINGFUL_CHANGE

    # --- §4 week to week ---------------------------------------------------------------------------------------
    def flare_ups(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Session days in [start, end) with a pain-triggering entry or an unsettled next morning."""
        days = [d for d in self.session_dates() if start <= d < end]
        return [
            d
            for d in days
            if any(e.pain_triggered for e in self.entries if e.date == d) or self.morning_unsettled(d)
        ]

    def weekly_mean_pain(self, start: dt.date, end: dt.date) -> float | None:
        vals = [float(p) for d, p in self.checkins.items() if start <= d < end]
        vals += [float(e.pain_before) for e in self.entries if start <= e.date < end and e.pain_before is not None]
        return statistics.fmean(vals) if vals else None

    def reactive_deload_reason(self, day: dt.date) -> str | None:
        """§4 week to week: weekly mean pain up ≥2, or 2 flare-ups in 7 days → reactive deload."""
        week = dt.timedelta(days=7)
        flares = self.flare_ups(day - week, day)
        if len(flares) >= 2:
            return f"{len(flares)} pain flare-ups in the last 7 days ({', '.join(d.isoformat() for d in flares)})"
        this_week = self.weekly_mean_pain(day - week, day)
        last_week = self.weekly_mean_pain(day - 2 * week, day - week)
        if this_week is not None and last_week is not None and this_week - last_week >= MEANINGFUL_CHANGE:
            return f"your average pain rose from {last_week:.1f} to {this_week:.1f}/10 week on week"
        return None

    def recovering(self, day: dt.date) -> str | None:
        """Why the person counts as recovering on ``day`` (a pain episode or strain in the last 4 weeks), or None."""
        start = day - dt.timedelta(days=RECOVERING_DAYS)
        flares = self.flare_ups(start, day)
        if flares:
            return f"a pain flare-up on {flares[-1].isoformat()}"
        for t in reversed(self.triage):
            inj = t.answers.get("injury_date")
            if inj and start <= dt.date.fromisoformat(str(inj)) <= day:
                return f"a back strain on {inj}"
            if "recovering_from_back_pain" in (t.answers.get("flags") or []) and t.date >= start:
                return "you said you are recovering from a back pain episode"
        return None

    def recent_faults(self, day: dt.date, days: int = 28) -> dict[str, int]:
        """Fault counts from analysis reports linked to entries in the ``days`` before ``day``."""
        out: dict[str, int] = {}
        for e in self.entries:
            if day - dt.timedelta(days=days) <= e.date < day:
                for code, n in e.faults.items():
                    out[code] = out.get(code, 0) + int(n)
        return out
