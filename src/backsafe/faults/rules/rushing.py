"""rushing — a tempo phase much shorter than prescribed, or a bounce where a pause is prescribed.

COACHING_RULES.md §7: rushing = eccentric < 1.5 s, concentric < 0.8 s, any phase < 60 % of its prescription, or
a bounce (< 0.1 s reversal where a pause is prescribed), in ≥ 2 of 3 reps. Exempt: walking, KB swing (and every
phase prescribed "X"). The 60 % and bounce parts apply when the person prescribed a tempo (``--tempo``); with the
exercise's default tempo only the absolute floors apply, so an ordinary controlled set is not nagged.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ...model import Finding, Kinematics
from ..base import FaultContext, RepMeasure, make_findings
from ._views import any_view

CODE = "rushing"
NEEDS = "any view"
ECCENTRIC_MIN_S = 1.5
CONCENTRIC_MIN_S = 0.8
SHARE_OF_PRESCRIPTION = 0.6
BOUNCE_S = 0.1


def visible(kin: Kinematics) -> bool:
    return any_view(kin)


def _limits(ctx: FaultContext) -> dict[str, float]:
    lim = {"eccentric_s": ECCENTRIC_MIN_S, "concentric_s": CONCENTRIC_MIN_S}
    prescribed = ctx.tempo
    explicit = prescribed != ctx.ex.default_tempo
    if explicit:
        for name, p in (("eccentric_s", prescribed.eccentric_s), ("concentric_s", prescribed.concentric_s)):
            if p is None:
                lim.pop(name, None)
            else:
                # the person chose this tempo: judge against it alone (a prescribed 1-0-1-0 is not rushing)
                lim[name] = SHARE_OF_PRESCRIPTION * p
        if prescribed.bottom_s and prescribed.bottom_s >= 0.5:
            lim["bottom_s"] = BOUNCE_S
    else:
        if prescribed.eccentric_s is None:
            lim.pop("eccentric_s")
        if prescribed.concentric_s is None:
            lim.pop("concentric_s")
    return lim


def check(ctx: FaultContext) -> list[Finding]:
    if ctx.ex.rushing_exempt or not ctx.reps:
        return []
    lim = _limits(ctx)
    if not lim:
        return []
    measures: list[RepMeasure] = []
    cands: list[bool] = []
    thresholds: list[float] = []
    phases: list[str] = []
    for r in ctx.reps:
        if r.partial:
            measures.append(RepMeasure(r, float("nan"), r.turn_frame))
            cands.append(False)
            thresholds.append(0.0)
            phases.append("")
            continue
        rep_lim = dict(lim)
        if r is ctx.reps[-1] and ctx.ex.first_phase == "concentric":
            # the bottom pause of an up-first exercise is the rest before the next rep: unknown after the last one
            rep_lim.pop("bottom_s", None)
        if not rep_lim:
            measures.append(RepMeasure(r, float("nan"), r.turn_frame))
            cands.append(False)
            thresholds.append(0.0)
            phases.append("")
            continue
        durations = {k: getattr(r.tempo, k) for k in rep_lim}
        # the phase that is furthest below its limit, as a share of the limit
        worst = min(rep_lim, key=lambda k: durations[k] / rep_lim[k] if rep_lim[k] > 0 else np.inf)
        value = float(durations[worst])
        measures.append(RepMeasure(r, value, r.turn_frame))
        cands.append(bool(np.isfinite(value) and value < rep_lim[worst]))
        thresholds.append(rep_lim[worst])
        phases.append(worst)
    ecc = ctx.tempo.eccentric_s or 3.0
    con = ctx.tempo.concentric_s or 2.0
    cues = {
        "eccentric_s": f"Take {ecc:g} seconds on the way down and own every inch.",
        "concentric_s": f"Drive up smoothly, about {con:g} seconds, no rush.",
        "bottom_s": "Pause for a moment at the turnaround instead of bouncing out of it.",
    }
    cue = cues["eccentric_s"]
    series = np.full(ctx.kin.n_frames, np.nan)
    out = make_findings(CODE, measures, cands, thresholds, series, unit="s", cue=cue, signal="", step=0.5,
                        above=False)
    phase_of = {m.rep.index: ph for m, ph in zip(measures, phases)}
    rep_of = {r.index: r for r in ctx.reps}
    result = []
    for f in out:
        r = rep_of[f.rep]
        span = r.phase_frames.get(phase_of[f.rep].removesuffix("_s"), (r.start_frame, r.end_frame))
        result.append(replace(f, frames=span, cue=cues[phase_of[f.rep]]))
    return result
