"""Trends from the log: load, volume, pain, outcome measures and faults per week; the change in the outcome measures
and whether it is meaningful; terminal charts and a PNG/HTML plot. Loads are shown in the person's unit."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UnknownExerciseError
from ..exercises import get_exercise
from .history import History, OutcomeRecord
from .units import Unit, to_unit

__all__ = ["Trends", "OutcomeChange", "compute_trends", "outcome_changes", "render_terminal", "write_png",
           "write_html", "NRS_MEANINGFUL_POINTS", "NRS_MEANINGFUL_FRACTION", "PSFS_MEANINGFUL_POINTS"]

_BARS = "▁▂▃▄▅▆▇█"

# §4 Outcome measures: a meaningful change is 2 NRS points or 30 % (Ostelo 2008) and 2 PSFS points (Stratford 1995).
NRS_MEANINGFUL_POINTS = 2.0
NRS_MEANINGFUL_FRACTION = 0.30
PSFS_MEANINGFUL_POINTS = 2.0


def _num(x: float) -> str:
    return f"{round(x, 1):g}"


@dataclass(frozen=True, slots=True)
class OutcomeChange:
    """The change in one outcome measure from its first record to the latest (§4 Outcome measures)."""

    measure: str  # "pain_nrs" | "psfs"
    first_date: dt.date
    latest_date: dt.date
    first: float
    latest: float
    meaningful: bool
    rule: str = "outcome-measures"

    @property
    def change(self) -> float:
        return round(self.latest - self.first, 2)

    @property
    def text(self) -> str:
        """Plain words: "Pain down from 6 to 3/10 — a meaningful change"."""
        if self.measure == "pain_nrs":
            what, better = "Pain", self.latest < self.first
            scale = "/10"
        else:
            what, better = "Everyday activities (PSFS average)", self.latest > self.first
            scale = "/10"
        if self.latest == self.first:
            return f"{what} unchanged at {_num(self.latest)}{scale} since {self.first_date.isoformat()}"
        way = "down" if self.latest < self.first else "up"
        head = f"{what} {way} from {_num(self.first)} to {_num(self.latest)}{scale}"
        if not self.meaningful:
            need = "2 points or 30 %" if self.measure == "pain_nrs" else "2 points"
            return f"{head} — not yet a meaningful change ({need})"
        if better:
            return f"{head} — a meaningful change"
        return f"{head} — a meaningful change for the worse; if it keeps going that way, check with a clinician"

    def to_json(self) -> dict[str, Any]:
        return {"measure": self.measure, "first_date": self.first_date.isoformat(),
                "latest_date": self.latest_date.isoformat(), "first": self.first, "latest": self.latest,
                "change": self.change, "meaningful": self.meaningful, "text": self.text, "rule": self.rule}


def _nrs_meaningful(first: float, latest: float) -> bool:
    # §4 Outcome measures (Ostelo 2008): 2 NRS points or 30 % of the first score
    diff = abs(latest - first)
    return diff >= NRS_MEANINGFUL_POINTS - 1e-9 or (first > 0 and diff / first >= NRS_MEANINGFUL_FRACTION - 1e-9)


def outcome_changes(outcomes: tuple[OutcomeRecord, ...]) -> list[OutcomeChange]:
    """From the first record to the latest: the pain NRS, and the PSFS average over the activities scored on both
    dates (all activities of each date when none is shared)."""
    out: list[OutcomeChange] = []
    nrs = sorted((o for o in outcomes if o.kind == "pain_nrs"), key=lambda o: o.date)
    if len(nrs) >= 2 and nrs[-1].date > nrs[0].date:
        a, b = nrs[0], nrs[-1]
        out.append(OutcomeChange("pain_nrs", a.date, b.date, a.score, b.score, _nrs_meaningful(a.score, b.score)))
    by_date: dict[dt.date, dict[str, float]] = {}
    for o in outcomes:
        if o.kind == "psfs" and o.activity is not None:
            by_date.setdefault(o.date, {})[o.activity] = o.score
    if len(by_date) >= 2:
        d0, d1 = min(by_date), max(by_date)
        first, latest = by_date[d0], by_date[d1]
        shared = sorted(set(first) & set(latest))
        f = [first[k] for k in shared] if shared else list(first.values())
        la = [latest[k] for k in shared] if shared else list(latest.values())
        m0, m1 = round(sum(f) / len(f), 2), round(sum(la) / len(la), 2)
        # §4 Outcome measures: 2 PSFS points
        out.append(OutcomeChange("psfs", d0, d1, m0, m1, abs(m1 - m0) >= PSFS_MEANINGFUL_POINTS - 1e-9))
    return out


@dataclass(frozen=True, slots=True)
class Trends:
    """Weekly series (week = ISO Monday). Loads: heaviest per exercise, in kg; volume: sets × reps × kg
    (bodyweight: reps); outcome measures: the week's pain NRS and PSFS average; ``changes`` from the first record
    to the latest; ``unit``: the person's unit for display."""

    weeks: tuple[dt.date, ...]
    load_kg: dict[str, list[float | None]] = field(default_factory=dict)
    volume: dict[str, list[float]] = field(default_factory=dict)
    pain_during: list[float | None] = field(default_factory=list)
    pain_morning: list[float | None] = field(default_factory=list)
    faults: dict[str, list[int]] = field(default_factory=dict)
    pain_week: list[float | None] = field(default_factory=list)
    psfs_mean: list[float | None] = field(default_factory=list)
    changes: list[OutcomeChange] = field(default_factory=list)
    unit: Unit = "kg"

    def load_in_unit(self) -> dict[str, list[float | None]]:
        return {ex: [None if v is None else round(to_unit(v, self.unit), 1) for v in s]
                for ex, s in self.load_kg.items()}

    def to_json(self) -> dict[str, Any]:
        return {"weeks": [w.isoformat() for w in self.weeks], "load_kg": self.load_kg, "volume": self.volume,
                "pain_during": self.pain_during, "pain_morning": self.pain_morning, "faults": self.faults,
                "unit": self.unit, "load": self.load_in_unit(), "pain_week": self.pain_week,
                "psfs_mean": self.psfs_mean, "changes": [c.to_json() for c in self.changes]}


def _name(ex_id: str) -> str:
    try:
        return get_exercise(ex_id).name
    except UnknownExerciseError:
        return ex_id


def _monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def _mean(xs: list[float]) -> float | None:
    return round(sum(xs) / len(xs), 2) if xs else None


def compute_trends(hist: History) -> Trends:
    days = [e.date for e in hist.entries] + list(hist.checkins) + [o.date for o in hist.outcomes]
    unit = hist.profile.unit
    if not days:
        return Trends(weeks=(), unit=unit)
    first, last = _monday(min(days)), _monday(max(days))
    weeks = tuple(first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1))
    idx = {w: i for i, w in enumerate(weeks)}
    n = len(weeks)
    load: dict[str, list[float | None]] = {}
    vol: dict[str, list[float]] = {}
    pain: list[list[float]] = [[] for _ in weeks]
    morning: list[list[float]] = [[] for _ in weeks]
    faults: dict[str, list[int]] = {}
    for e in hist.entries:
        i = idx[_monday(e.date)]
        series = load.setdefault(e.exercise, [None] * n)
        series[i] = max(series[i] or 0.0, e.load_kg)
        vol.setdefault(e.exercise, [0.0] * n)[i] += e.sets * e.reps * (e.load_kg if e.load_kg > 0 else 1.0)
        for p in (e.pain_during, e.pain_after):
            if p is not None:
                pain[i].append(float(p))
        for code, k in e.faults.items():
            faults.setdefault(code, [0] * n)[i] += int(k)
    for d, p in hist.checkins.items():
        morning[idx[_monday(d)]].append(float(p))
    nrs: list[list[float]] = [[] for _ in weeks]
    psfs: list[list[float]] = [[] for _ in weeks]
    for o in hist.outcomes:
        (nrs if o.kind == "pain_nrs" else psfs)[idx[_monday(o.date)]].append(float(o.score))
    return Trends(weeks=weeks, load_kg=load, volume=vol, pain_during=[_mean(x) for x in pain],
                  pain_morning=[_mean(x) for x in morning], faults=faults, pain_week=[_mean(x) for x in nrs],
                  psfs_mean=[_mean(x) for x in psfs], changes=outcome_changes(hist.outcomes), unit=unit)


def _spark(values: list[float | None], lo: float | None = None, hi: float | None = None) -> str:
    vals = [v for v in values if v is not None]
    if not vals:
        return ""
    lo = min(vals) if lo is None else lo
    hi = max(vals) if hi is None else hi
    span = (hi - lo) or 1.0
    return "".join(" " if v is None else _BARS[min(7, int((v - lo) / span * 7.999))] for v in values)


def render_terminal(tr: Trends) -> str:
    """Sparkline charts, one line per series, oldest week on the left."""
    if not tr.weeks:
        return "No log entries yet: `backsafe log ...` after a session."
    u = tr.unit
    out = [f"Weeks {tr.weeks[0].isoformat()} → {tr.weeks[-1].isoformat()} ({len(tr.weeks)})"]
    if tr.changes:
        out.append("")
        out += [c.text for c in tr.changes]
    out += ["", f"Load ({u}, heaviest):"]
    for ex, s in sorted(tr.load_in_unit().items()):
        last = next((v for v in reversed(s) if v is not None), 0.0)
        out.append(f"  {_name(ex):<24} {_spark(s):<{len(tr.weeks)}}  {last:g} {u}")
    out.append(f"Volume (sets × reps × {u}):")
    for ex, v in sorted(tr.volume.items()):
        shown = [round(to_unit(x, u), 1) for x in v]
        out.append(f"  {_name(ex):<24} {_spark([x or None for x in shown]):<{len(tr.weeks)}}  {shown[-1]:g}")
    out.append("Pain (0-10):")
    out.append(f"  {'during/after sets':<24} {_spark(tr.pain_during, 0, 10):<{len(tr.weeks)}}")
    out.append(f"  {'next morning':<24} {_spark(tr.pain_morning, 0, 10):<{len(tr.weeks)}}")
    if any(v is not None for v in tr.pain_week):
        out.append(f"  {'week (your rating)':<24} {_spark(tr.pain_week, 0, 10):<{len(tr.weeks)}}")
    if any(v is not None for v in tr.psfs_mean):
        out.append("Everyday activities (PSFS average, 0-10, higher is better):")
        out.append(f"  {'activities':<24} {_spark(tr.psfs_mean, 0, 10):<{len(tr.weeks)}}")
    if tr.faults:
        out.append("Faults in linked clips (count):")
        for code, counts in sorted(tr.faults.items()):
            out.append(f"  {code.replace('_', ' '):<24} {_spark([float(x) for x in counts], 0):<{len(tr.weeks)}}  "
                       f"{sum(counts)}")
    return "\n".join(out)


def _figure(tr: Trends) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(4, 1, figsize=(8, 10), sharex=True)
    x = list(tr.weeks)
    for ex, s in sorted(tr.load_in_unit().items()):
        axes[0].plot(x, [float("nan") if v is None else v for v in s], marker="o", label=_name(ex))
    axes[0].set_ylabel(f"load ({tr.unit})")
    for ex, v in sorted(tr.volume.items()):
        axes[1].plot(x, v, marker="o", label=ex)
    axes[1].set_ylabel("volume")
    axes[2].plot(x, [float("nan") if v is None else v for v in tr.pain_during], marker="o", label="during/after")
    axes[2].plot(x, [float("nan") if v is None else v for v in tr.pain_morning], marker="s", label="next morning")
    if any(v is not None for v in tr.pain_week):
        axes[2].plot(x, [float("nan") if v is None else v for v in tr.pain_week], marker="^", label="week (NRS)")
    if any(v is not None for v in tr.psfs_mean):
        axes[2].plot(x, [float("nan") if v is None else v for v in tr.psfs_mean], marker="d", label="PSFS average")
    axes[2].axhline(5, color="grey", lw=0.8, ls="--")
    axes[2].set_ylim(0, 10)
    axes[2].set_ylabel("pain / PSFS (0-10)")
    for code, counts in sorted(tr.faults.items()):
        axes[3].plot(x, counts, marker="o", label=code)
    axes[3].set_ylabel("faults")
    for ax in axes:
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc="upper left")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def write_png(tr: Trends, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig = _figure(tr)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_html(tr: Trends, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig = _figure(tr)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    img = base64.b64encode(buf.getvalue()).decode("ascii")
    loads = tr.load_in_unit()
    rows = "".join(
        f"<tr><td>{w.isoformat()}</td>"
        + "".join(f"<td>{'' if s[i] is None else s[i]}</td>" for s in loads.values())
        + f"<td>{'' if tr.pain_during[i] is None else tr.pain_during[i]}</td>"
        f"<td>{'' if tr.pain_morning[i] is None else tr.pain_morning[i]}</td></tr>"
        for i, w in enumerate(tr.weeks)
    )
    head = "".join(f"<th>{html.escape(_name(ex))} ({tr.unit})</th>" for ex in loads)
    changes = "".join(f"<p>{html.escape(c.text)}</p>" for c in tr.changes)
    doc = (
        "<!doctype html><html><head><meta charset='utf-8'><title>backsafe progress</title></head><body>"
        "<h1>Training progress</h1>"
        f"{changes}"
        f"<img alt='load, volume, pain and fault trends' src='data:image/png;base64,{img}'>"
        f"<table border='1'><tr><th>week</th>{head}<th>pain during/after</th><th>pain next morning</th></tr>{rows}"
        "</table></body></html>"
    )
    path.write_text(doc, encoding="utf-8")
    return path
