"""The training log as plain immutable objects, and the pain-monitoring questions asked of it (§4).

The coach's rules read :class:`History` only, so they can be tested without a database.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .units import Profile

__all__ = [
    "LoggedEntry",
    "TriageEntry",
    "Clearance",
    "OutcomeRecord",
    "OutcomeKind",
    "History",
    "PAIN_ACCEPTABLE",
    "PAIN_LADDER_MAX",
    "MEANINGFUL_CHANGE",
    "TRIGGER_MEMORY_DAYS",
]

PAIN_ACCEPTABLE = 5  # §4 (Silbernagel 2007): NRS ≤5 acceptable, >5 too much
PAIN_LADDER_MAX = 3  # §4 ladder: NRS ≤3 to move to the next rung
PAIN_SAFE_ZONE = 2  # §4: pain 0-2 during a set needs no change (no load cut)
PAIN_SEVERE = 7  # §1 severe pain [H; NG59 safety-netting]: ≥7/10 during or after, or a morning ≥7
PAIN_SEVERE_RISE = 3  # §1 severe pain: a morning ≥3 above the person's usual
PAIN_SETTLED_BELOW = 5  # §1 severe pain: no loaded session until pain settles below 5
PAIN_FLAG_DAYS = 14  # §4 ladder binds: a pain flag in the last 2 weeks means recovering
PAIN_FREE_WEEKS_NEEDED = 4  # §4 ladder binds: fewer than 4 pain-free weeks logged means recovering
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
            and self.pain_during > PAIN_SAFE_ZONE  # §4: 0-2 is the zone that needs no change, whatever the rise
            and self.pain_during - self.pain_before >= MEANINGFUL_CHANGE
        ):
            return f"pain rose from {self.pain_before} to {self.pain_during}/10 during the sets"
        return None

    @property
    def pain_triggered(self) -> bool:
        return self.pain_trigger_reason is not None

    @property
    def severe(self) -> bool:
        """§1 severe pain: ≥7/10 during or after the session."""
        return self.max_pain >= PAIN_SEVERE

    @property
    def max_pain(self) -> int:
        return max((p for p in (self.pain_during, self.pain_after) if p is not None), default=0)


@dataclass(frozen=True, slots=True)
class TriageEntry:
    date: dt.date
    outcome: str
    answers: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Clearance:
    """A clinician's clearance as the person reported it (§1 State): its date and the flags it covers."""

    date: dt.date
    flags: frozenset[str]
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "flags": sorted(self.flags), "note": self.note}


OutcomeKind = Literal["pain_nrs", "psfs"]


@dataclass(frozen=True, slots=True)
class OutcomeRecord:
    """A weekly outcome measure (§4 Outcome measures): average pain NRS 0-10 over the last week, or one PSFS
    activity scored 0-10 (0 = unable, 10 = as before the problem)."""

    date: dt.date
    kind: OutcomeKind
    score: float
    activity: str | None = None


@dataclass(frozen=True, slots=True)
class History:
    """A person's log: entries sorted by (date, position), next-morning check-ins, triage answers, clearances,
    outcome measures, sleep reported at check-in, and the person's profile (unit, equipment)."""

    entries: tuple[LoggedEntry, ...] = ()
    checkins: Mapping[dt.date, int] = field(default_factory=dict)
    triage: tuple[TriageEntry, ...] = ()
    clearances: tuple[Clearance, ...] = ()
    outcomes: tuple[OutcomeRecord, ...] = ()
    sleep: Mapping[dt.date, float] = field(default_factory=dict)  # hours slept the night before the check-in date
    profile: Profile = field(default_factory=Profile)

    def before(self, day: dt.date) -> History:
        """The log as it was known on the morning of ``day`` (entries before it; check-ins up to it)."""
        return History(
            entries=tuple(e for e in self.entries if e.date < day),
            checkins={d: p for d, p in self.checkins.items() if d <= day},
            triage=tuple(t for t in self.triage if t.date <= day),
            clearances=tuple(c for c in self.clearances if c.date <= day),
            outcomes=tuple(o for o in self.outcomes if o.date <= day),
            sleep={d: h for d, h in self.sleep.items() if d <= day},
            profile=self.profile,
        )

    def with_entries(self, entries: tuple[LoggedEntry, ...]) -> History:
        """The same person's history with only ``entries`` as the log (for judging an entry against the log
        before it)."""
        return replace(self, entries=entries)

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
        """Why the person counts as recovering on ``day`` (§4 "the ladder binds"), or None: inside the acute phase of
        a strain (< 4 weeks, ACP 2017), a pain flag in the last 2 weeks, fewer than 4 pain-free weeks logged, or they
        said they are recovering from an episode in the last 4 weeks."""
        start = day - dt.timedelta(days=RECOVERING_DAYS)
        flares = self.flare_ups(day - dt.timedelta(days=PAIN_FLAG_DAYS), day)
        if flares:
            return f"pain flared up on {flares[-1].isoformat()}"
        severe = self.severe_pain(day)
        if severe is not None:
            return f"severe pain on {severe[0].isoformat()}"
        for t in reversed(self.triage):
            inj = t.answers.get("injury_date")
            if inj and start <= dt.date.fromisoformat(str(inj)) <= day:
                return f"you strained your back on {inj}"
            if "recovering_from_back_pain" in (t.answers.get("flags") or []) and t.date >= start:
                return "you said you are recovering from a back pain episode"
        weeks = self.pain_free_weeks(day)
        if weeks < PAIN_FREE_WEEKS_NEEDED:
            return (f"{weeks} pain-free training week{'s' if weeks != 1 else ''} logged so far; "
                    f"{PAIN_FREE_WEEKS_NEEDED} are needed before the harder steps")
        return None

    def pain_free_weeks(self, day: dt.date) -> int:
        """Weeks (Monday-Sunday) before ``day`` with at least one session and no pain flag (§4 ladder)."""
        weeks: dict[dt.date, bool] = {}
        for e in self.entries:
            if e.date >= day:
                continue
            monday = e.date - dt.timedelta(days=e.date.weekday())
            bad = e.pain_triggered or e.severe or self.morning_unsettled(e.date)
            weeks[monday] = weeks.get(monday, True) and not bad
        return sum(1 for ok in weeks.values() if ok)

    # --- §1 severe pain --------------------------------------------------------------------------------------
    def severe_pain(self, day: dt.date) -> tuple[dt.date, str, dt.date] | None:
        """The latest severe-pain event on or before ``day`` that has not settled below 5 since (§1 severe pain):
        (its date, what happened in plain words, the date this unsettled stretch began), or None."""
        # order within a day: the morning check-in (0) comes before the session (1)
        events: list[tuple[dt.date, int, str]] = []
        for e in self.entries:
            if e.date <= day and e.severe:
                events.append((e.date, 1, f"pain {e.max_pain}/10 with {e.exercise.replace('_', ' ')} on "
                               f"{e.date.isoformat()}"))
        for d, p in self.checkins.items():
            if d > day:
                continue
            base = self.baseline_pain(d)
            if p >= PAIN_SEVERE:
                events.append((d, 0, f"morning pain {p}/10 on {d.isoformat()}"))
            elif base is not None and p - base >= PAIN_SEVERE_RISE:
                events.append((d, 0, f"morning pain {p}/10 on {d.isoformat()}, {p - base:g} above your usual "
                               f"{base:g}"))
        if not events:
            return None
        events.sort()
        # settling scores: a morning check-in, or the pain before a session, below 5
        settled = [(d, 0) for d, p in self.checkins.items() if d <= day and p < PAIN_SETTLED_BELOW]
        settled += [(e.date, 1) for e in self.entries if e.date <= day and e.pain_before is not None
                    and e.pain_before < PAIN_SETTLED_BELOW]
        latest = events[-1]
        if any(s > latest[:2] for s in settled):
            return None
        start = latest
        for ev in reversed(events[:-1]):
            if any(ev[:2] < s < start[:2] for s in settled):
                break
            start = ev
        return latest[0], latest[2], start[0]

    def recent_faults(self, day: dt.date, days: int = 28) -> dict[str, int]:
        """Fault counts from analysis reports linked to entries in the ``days`` before ``day``."""
        out: dict[str, int] = {}
        for e in self.entries:
            if day - dt.timedelta(days=days) <= e.date < day:
                for code, n in e.faults.items():
                    out[code] = out.get(code, 0) + int(n)
        return out
