"""Time-series plots (matplotlib, SVG) of the primary signal and of the signal behind each fault.

Each plot shows the rep boundaries, the faulty stretches shaded by severity, the threshold when it is in the
signal's own scale (else the value vs threshold is written on the plot) and the worst frame of each finding.
SVG keeps the page sharp when printed and needs no JavaScript.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from ..model import Finding, ReportData
from .keyframes import threshold_is_absolute, worst_frame
from .wording import fault_label, finding_sort_key, format_value, signal_label, signal_unit

SEVERITY_COLORS = {"mild": "#f2c12e", "moderate": "#f28c28", "severe": "#d7263d"}
LINE_COLOR = "#1f4e79"
PHASE_COLORS = {"eccentric": "#dce9f5", "bottom": "#c7dcef", "concentric": "#e6f2e6", "top": "#f4f4f4"}


@dataclass(frozen=True, slots=True)
class Plot:
    signal: str
    title: str
    caption: str
    svg: str
    codes: tuple[str, ...]


def primary_signal_name(report: ReportData) -> str | None:
    """The exercise's primary series present in the kinematics (e.g. ``knee_flexion_deg``), else None."""
    kin = report.kinematics
    if kin is None:
        return None
    try:
        from ..exercises import get_exercise

        primary = get_exercise(report.exercise).primary_signal
    except Exception:  # unknown exercise: fall through to the usual suspects
        primary = None
    cands = [primary + "_deg", primary] if primary else []
    cands += ["knee_flexion_deg", "hip_flexion_deg", "trunk_inclination_deg", "body_line_deg"]
    for c in cands:
        v = kin.get(c)
        if v is not None and np.isfinite(v).any():
            return c
    return None


def _svg(fig: Figure) -> str:
    """The figure as SVG text, the same bytes for the same figure: no creation date in its metadata, and element
    ids from a fixed salt instead of from object addresses (two runs of one clip give one report.html)."""
    from matplotlib import rc_context

    buf = io.StringIO()
    with rc_context({"svg.hashsalt": "backsafe"}):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buf.getvalue()
    return text[text.find("<svg") :]


def _draw_reps(ax, report: ReportData, t: np.ndarray) -> None:  # type: ignore[no-untyped-def]
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    n = len(t)
    for r in report.reps:
        a = t[min(max(r.start_frame, 0), n - 1)]
        b = t[min(max(r.end_frame - 1, 0), n - 1)]
        ax.axvline(a, color="#888888", lw=0.8, ls="--", zorder=1)
        ax.axvline(b, color="#888888", lw=0.8, ls="--", zorder=1)
        label = f"{r.index}" + ("*" if r.partial else "")
        ax.text((a + b) / 2, 1.01, label, transform=trans, ha="center", va="bottom", fontsize=8, color="#555555")
        for name, (pa, pb) in r.phase_frames.items():
            if name in ("bottom",) and pb > pa:
                ax.axvspan(t[min(pa, n - 1)], t[min(pb, n - 1)], ymin=0, ymax=0.04,
                           color="#7f9bb8", lw=0, zorder=1)


def plot_signal(report: ReportData, signal: str, findings: list[Finding], *, primary: bool = False,
                width_in: float = 9.0, height_in: float = 2.6) -> Plot:
    """One signal over time with reps, faulty stretches, thresholds and worst frames."""
    kin = report.kinematics
    assert kin is not None
    t = np.asarray(kin.timestamps_s, dtype=float)
    y = np.asarray(kin.series[signal], dtype=float)
    unit = signal_unit(signal, kin.units)
    fig = Figure(figsize=(width_in, height_in), dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(t, y, color=LINE_COLOR, lw=1.4, zorder=3)
    _draw_reps(ax, report, t)
    n = len(t)
    seen: set[str] = set()
    notes: list[str] = []
    for f in sorted(findings, key=finding_sort_key):
        a, b = int(f.frames[0]), int(f.frames[1])
        color = SEVERITY_COLORS.get(f.severity, "#d7263d")
        if n:
            ax.axvspan(t[min(max(a, 0), n - 1)], t[min(max(b - 1, a, 0), n - 1)], color=color,
                       alpha=0.28 if not primary else 0.18, lw=0, zorder=2)
        seen.add(f.severity)
        if f.signal == signal and 0 <= worst_frame(report, f) < n:
            wf = worst_frame(report, f)
            ax.plot([t[wf]], [y[wf]], marker="o", ms=5, color=color, mec="black", mew=0.6, zorder=4)
            if threshold_is_absolute(report, f):
                ax.axhline(f.threshold, color="#d7263d", lw=1.0, ls=":", zorder=2)
            else:
                notes.append(f"rep {f.rep}: {fault_label(f.code)} {format_value(f.value, f.unit)} "
                             f"vs {format_value(f.threshold, f.unit)}")
    ax.set_xlabel("time (s)", fontsize=8)
    ax.set_ylabel(f"{signal_label(signal)} ({unit})" if unit else signal_label(signal), fontsize=8)
    ax.tick_params(labelsize=8)
    ax.grid(True, alpha=0.25)
    if n:
        ax.set_xlim(t[0], t[-1])
    handles: list[Artist] = [Line2D([], [], color=LINE_COLOR, lw=1.4, label=signal_label(signal))]
    handles += [Patch(color=SEVERITY_COLORS[s], alpha=0.5, label=f"{s} fault") for s in SEVERITY_COLORS if s in seen]
    if any(threshold_is_absolute(report, f) for f in findings if f.signal == signal):
        handles.append(Line2D([], [], color="#d7263d", lw=1.0, ls=":", label="threshold"))
    ax.legend(handles=handles, fontsize=7, loc="upper right", framealpha=0.8)
    if notes:
        ax.text(0.005, 0.97, "\n".join(notes[:4]), transform=ax.transAxes, fontsize=7, va="top",
                bbox={"boxstyle": "round", "fc": "white", "ec": "#cccccc", "alpha": 0.85})
    codes = tuple(dict.fromkeys(f.code for f in findings if f.signal == signal))
    if primary:
        title = f"Primary signal: {signal_label(signal)}"
        caption = "Rep numbers above the plot (* partial); dashed lines are rep boundaries; the small bars mark the "
        caption += "bottom phase; shaded stretches are faulty frames of any fault."
    else:
        title = f"{signal_label(signal).capitalize()} — behind " + ", ".join(fault_label(c) for c in codes)
        caption = "Shaded: frames of each fault, coloured by severity; dots: the worst frame; dotted line: threshold."
    svg = _svg(fig)
    return Plot(signal=signal, title=title, caption=caption, svg=svg, codes=codes)


def signal_plots(report: ReportData) -> list[Plot]:
    """The primary-signal plot (all faulty stretches shaded) and one plot per signal behind a fault."""
    kin = report.kinematics
    if kin is None or kin.n_frames < 2:
        return []
    plots: list[Plot] = []
    primary = primary_signal_name(report)
    if primary is not None:
        plots.append(plot_signal(report, primary, list(report.findings), primary=True))
    by_signal: dict[str, list[Finding]] = {}
    for f in sorted(report.findings, key=finding_sort_key):
        if f.signal and f.signal in kin.series and np.isfinite(kin.series[f.signal]).any():
            by_signal.setdefault(f.signal, []).append(f)
    for signal, fs in by_signal.items():
        if signal == primary:  # already drawn, with its thresholds, on the primary plot
            continue
        plots.append(plot_signal(report, signal, fs))
    return plots
