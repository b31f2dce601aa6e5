"""Trends from the log: load, volume, pain and faults per week; terminal charts and a PNG/HTML plot."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .history import History

__all__ = ["Trends", "compute_trends", "render_terminal", "write_png", "write_html"]

_BARS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True, slots=True)
class Trends:
    """Weekly series (week = ISO Monday). Loads: heaviest per exercise; volume: sets × reps × kg (bodyweight: reps)."""

    weeks: tuple[dt.date, ...]
    load_kg: dict[str, list[float | None]] = field(default_factory=dict)
    volume: dict[str, list[float]] = field(default_factory=dict)
    pain_during: list[float | None] = field(default_factory=list)
    pain_morning: list[float | None] = field(default_factory=list)
    faults: dict[str, list[int]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"weeks": [w.isoformat() for w in self.weeks], "load_kg": self.load_kg, "volume": self.volume,
                "pain_during": self.pain_during, "pain_morning": self.pain_morning, "faults": self.faults}


def _monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def _mean(xs: list[float]) -> float | None:
    return round(sum(xs) / len(xs), 2) if xs else None


def compute_trends(hist: History) -> Trends:
    days = [e.date for e in hist.entries] + list(hist.checkins)
    if not days:
        return Trends(weeks=())
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
    return Trends(weeks=weeks, load_kg=load, volume=vol, pain_during=[_mean(x) for x in pain],
                  pain_morning=[_mean(x) for x in morning], faults=faults)


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
    out = [f"Weeks {tr.weeks[0].isoformat()} → {tr.weeks[-1].isoformat()} ({len(tr.weeks)})", "", "Load (kg, heaviest):"]
    for ex, s in sorted(tr.load_kg.items()):
        last = next((v for v in reversed(s) if v is not None), 0.0)
        out.append(f"  {ex:<24} {_spark(s):<{len(tr.weeks)}}  {last:g} kg")
    out.append("Volume (sets × reps × kg):")
    for ex, v in sorted(tr.volume.items()):
        out.append(f"  {ex:<24} {_spark([x or None for x in v]):<{len(tr.weeks)}}  {v[-1]:g}")
    out.append("Pain (0-10):")
    out.append(f"  {'during/after sets':<24} {_spark(tr.pain_during, 0, 10):<{len(tr.weeks)}}")
    out.append(f"  {'next morning':<24} {_spark(tr.pain_morning, 0, 10):<{len(tr.weeks)}}")
    if tr.faults:
        out.append("Faults in linked clips (count):")
        for code, counts in sorted(tr.faults.items()):
            out.append(f"  {code:<24} {_spark([float(x) for x in counts], 0):<{len(tr.weeks)}}  {sum(counts)}")
    return "\n".join(out)


def _figure(tr: Trends) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(4, 1, figsize=(8, 10), sharex=True)
    x = list(tr.weeks)
    for ex, s in sorted(tr.load_kg.items()):
        axes[0].plot(x, [float("nan") if v is None else v for v in s], marker="o", label=ex)
    axes[0].set_ylabel("load (kg)")
    for ex, v in sorted(tr.volume.items()):
        axes[1].plot(x, v, marker="o", label=ex)
    axes[1].set_ylabel("volume")
    axes[2].plot(x, [float("nan") if v is None else v for v in tr.pain_during], marker="o", label="during/after")
    axes[2].plot(x, [float("nan") if v is None else v for v in tr.pain_morning], marker="s", label="next morning")
    axes[2].axhline(5, color="grey", lw=0.8, ls="--")
    axes[2].set_ylim(0, 10)
    axes[2].set_ylabel("pain (0-10)")
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
    rows = "".join(
        f"<tr><td>{w.isoformat()}</td>"
        + "".join(f"<td>{'' if s[i] is None else s[i]}</td>" for s in tr.load_kg.values())
        + f"<td>{'' if tr.pain_during[i] is None else tr.pain_during[i]}</td>"
        f"<td>{'' if tr.pain_morning[i] is None else tr.pain_morning[i]}</td></tr>"
        for i, w in enumerate(tr.weeks)
    )
    head = "".join(f"<th>{html.escape(ex)} (kg)</th>" for ex in tr.load_kg)
    doc = (
        "<!doctype html><html><head><meta charset='utf-8'><title>backsafe progress</title></head><body>"
        "<h1>Training progress</h1>"
        f"<img alt='load, volume, pain and fault trends' src='data:image/png;base64,{img}'>"
        f"<table border='1'><tr><th>week</th>{head}<th>pain during/after</th><th>pain next morning</th></tr>{rows}"
        "</table></body></html>"
    )
    path.write_text(doc, encoding="utf-8")
    return path
