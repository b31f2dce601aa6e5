"""The small SVG charts of the dashboard and the coach's view of a person (pain per set, morning pain, faults)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:
    from ..services.person import Dashboard

__all__ = ["sparkline", "pain_charts"]


def sparkline(points: list[tuple[str, float]], *, y_max: float, label: str, unit: str = "") -> Markup:
    """A small SVG line chart with its axes: the value axis (0 to ``y_max``, ``unit`` named) and the dates of the
    first and last point under the time axis; one point is drawn as a dot with its value. Numbers and escaped
    labels only: nothing user-typed is put in the markup unescaped."""
    w, h, left, right, top, bottom = 340, 130, 34, 10, 18, 24
    if not points:
        return Markup('<p class="muted">No data yet.</p>')
    esc = Markup.escape
    n = len(points)
    pw, ph = w - left - right, h - top - bottom
    xs = [left + pw * (i / (n - 1) if n > 1 else 0.5) for i in range(n)]
    ys = [top + ph - ph * min(max(v, 0.0), y_max) / y_max for _, v in points]
    poly = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1f6feb"><title>{esc(d)}: {v:g}</title></circle>'
                   for x, y, (d, v) in zip(xs, ys, points, strict=True))
    ticks = "".join(
        f'<line x1="{left - 3}" y1="{top + ph - ph * f:.1f}" x2="{left + pw}" y2="{top + ph - ph * f:.1f}" '
        f'stroke="#d0d7de" stroke-width="0.5"/><text x="{left - 5}" y="{top + ph - ph * f + 3:.1f}" '
        f'text-anchor="end" font-size="9">{y_max * f:g}</text>' for f in (0.0, 0.5, 1.0))
    first, last = esc(points[0][0][:10]), esc(points[-1][0][:10])
    dates = (f'<text x="{left}" y="{h - 8}" font-size="9">{first}</text>'
             + (f'<text x="{left + pw}" y="{h - 8}" font-size="9" text-anchor="end">{last}</text>' if n > 1 else ""))
    single = (f'<text x="{xs[0] + 6:.1f}" y="{ys[0] - 6:.1f}" font-size="10">{points[0][1]:g}</text>'
              if n == 1 else "")
    unit_text = f'<text x="2" y="11" font-size="9">{esc(unit)}</text>' if unit else ""
    svg = (f'<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{esc(label)}'
           f'{(" (" + esc(unit) + ")") if unit else ""}, {n} point{"s" if n != 1 else ""}, {first} to {last}">'
           f'<rect x="0" y="0" width="{w}" height="{h}" fill="#f6f8fa"/>{ticks}'
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="#57606a"/>'
           f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#57606a"/>{unit_text}{dates}'
           f'<polyline points="{poly}" fill="none" stroke="#1f6feb" stroke-width="2"/>{dots}{single}</svg>')
    return Markup(svg)  # nosec B704 - only numbers formatted by this function and escaped labels are in it


def pain_charts(d: Dashboard) -> dict[str, Markup]:
    """The pain per set and morning pain charts of :func:`services.dashboard_data`'s ``d`` (0-10 each)."""
    return {
        "pain_chart": sparkline([(a, float(b)) for a, b in d["pain_series"]], y_max=10, label="pain per set",
                                unit="pain 0-10"),
        "morning_chart": sparkline([(a.isoformat(), float(b)) for a, b in d["checkins"]], y_max=10,
                                   label="morning pain", unit="pain 0-10"),
    }
