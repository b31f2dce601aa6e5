"""rushing — a rep much faster than prescribed, or an uncontrolled one (COACHING_RULES.md §7).

- With a prescribed tempo (``--tempo``, or the plan's; ``FaultContext.prescribed``): any phase < 60 % of its
  prescription (eccentric, concentric; "X" = fast with intent is never judged), or a bounce (< 0.1 s reversal)
  where a pause of ≥ 0.5 s is prescribed at the bottom, in ≥ 2 of the last 3 reps.
- With none, only what is uncontrolled, under external load (``load_kg`` > 0; a bodyweight squat at 1 s down is
  brisk, not a drop): an eccentric < 0.7 s (a drop; ACSM 2009 calls 1-2 s per phase moderate), or a bounce out of
  the bottom (a reversal < 0.1 s straight after an eccentric < 1 s, in a down-first exercise: the load's momentum,
  not the muscles, turns the rep). A brisk but controlled set (median eccentric < 1.5 s) gets a tempo **note**
  (:func:`tempo_note`: "take 2-3 s on the way down"), never a fault: ordinary ~2 s reps are not nagged (issue 16:
  14 of 17 clean real clips were flagged, nearly always for rushing, with the old absolute floors of 1.5 s / 0.8 s).
- Exempt: walking, KB swing (``rushing_exempt``), and jumping exercises.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ...model import Finding, Rep
from ..rule import Rule
from ..base import FaultContext, RepMeasure, make_findings
from ._views import any_view

CODE = "rushing"
NEEDS = "any view"
SHARE_OF_PRESCRIPTION = 0.6  # §7: any phase < 60 % of its prescription
BOUNCE_S = 0.1  # §7: < 0.1 s reversal
PAUSE_PRESCRIBED_S = 0.5  # a bottom pause this long or longer is a prescribed pause (a bounce can break it)
DROP_ECCENTRIC_S = 0.7  # §7: eccentric < 0.7 s under external load
BOUNCE_ECCENTRIC_S = 1.0  # a bounce under load: the reversal follows an eccentric faster than ACSM's 1 s
NOTE_ECCENTRIC_S = 1.5  # a brisk set: median eccentric under 1.5 s (§7 "controlled" = 2-4 s) [H]


def _exempt(ctx: FaultContext) -> bool:
    return ctx.ex.rushing_exempt or ctx.ex.jump_expected or ctx.ex.kind != "reps"


def _loaded(ctx: FaultContext) -> bool:
    return ctx.subject.load_kg is not None and ctx.subject.load_kg > 0


def _limits(ctx: FaultContext) -> dict[str, float]:
    """Per phase, the duration under which a rep is a candidate ("bottom_s" = a bounce)."""
    t = ctx.tempo
    lim: dict[str, float] = {}
    if ctx.prescribed:
        if t.eccentric_s:
            lim["eccentric_s"] = SHARE_OF_PRESCRIPTION * t.eccentric_s
        if t.concentric_s:
            lim["concentric_s"] = SHARE_OF_PRESCRIPTION * t.concentric_s
        if t.bottom_s is not None and t.bottom_s >= PAUSE_PRESCRIBED_S:
            lim["bottom_s"] = BOUNCE_S
    elif _loaded(ctx):
        lim["eccentric_s"] = DROP_ECCENTRIC_S
        if ctx.ex.first_phase == "eccentric":
            lim["bottom_s"] = BOUNCE_S
    return lim


def _rep_candidate(ctx: FaultContext, r: Rep, lim: dict[str, float]) -> tuple[str, float, float] | None:
    """(phase, duration, limit) of the phase furthest below its limit, or None when no phase can be judged."""
    rep_lim = dict(lim)
    if r is ctx.reps[-1] and ctx.ex.first_phase == "concentric":
        # the bottom pause of an up-first exercise is the rest before the next rep: unknown after the last one
        rep_lim.pop("bottom_s", None)
    if "bottom_s" in rep_lim and not ctx.prescribed and not r.tempo.eccentric_s < BOUNCE_ECCENTRIC_S:
        rep_lim.pop("bottom_s")  # unprescribed: a quick turn after a slow descent is not a bounce
    if not rep_lim:
        return None
    dur = {k: float(getattr(r.tempo, k)) for k in rep_lim}
    worst = min(rep_lim, key=lambda k: dur[k] / rep_lim[k] if rep_lim[k] > 0 else np.inf)
    return worst, dur[worst], rep_lim[worst]


def check(ctx: FaultContext) -> list[Finding]:
    if _exempt(ctx) or not ctx.reps:
        return []
    lim = _limits(ctx)
    if not lim:
        return []
    measures: list[RepMeasure] = []
    cands: list[bool] = []
    thresholds: list[float] = []
    phases: list[str] = []
    for r in ctx.reps:
        c = None if r.partial else _rep_candidate(ctx, r, lim)
        if c is None:
            measures.append(RepMeasure(r, float("nan"), r.turn_frame))
            cands.append(False)
            thresholds.append(0.0)
            phases.append("")
            continue
        phase, value, limit = c
        measures.append(RepMeasure(r, value, r.turn_frame))
        cands.append(bool(np.isfinite(value) and value < limit))
        thresholds.append(limit)
        phases.append(phase)
    ecc = ctx.tempo.eccentric_s or 3.0
    con = ctx.tempo.concentric_s or 2.0
    if ctx.prescribed:
        cues = {
            "eccentric_s": f"Take {ecc:g} seconds on the way down and own every inch.",
            "concentric_s": f"Drive up smoothly, about {con:g} seconds, no rush.",
            "bottom_s": "Pause for a moment at the turnaround instead of bouncing out of it.",
        }
    else:
        cues = {
            "eccentric_s": "Lower the weight under control: take 2-3 seconds on the way down.",
            "concentric_s": "Drive up smoothly, no rush.",
            "bottom_s": "Control the bottom: slow down into it and pause a moment instead of bouncing out.",
        }
    series = np.full(ctx.kin.n_frames, np.nan)
    out = make_findings(CODE, measures, cands, thresholds, series, unit="s", cue=cues["eccentric_s"], signal="",
                        step=0.5, above=False)
    phase_of = {m.rep.index: ph for m, ph in zip(measures, phases)}
    rep_of = {r.index: r for r in ctx.reps}
    result = []
    for f in out:
        r = rep_of[f.rep]
        span = r.phase_frames.get(phase_of[f.rep].removesuffix("_s"), (r.start_frame, r.end_frame))
        result.append(replace(f, frames=span, cue=cues[phase_of[f.rep]]))
    return result


def tempo_note(ctx: FaultContext, found: list[Finding]) -> str | None:
    """§7: a brisk but controlled set — no prescribed tempo, no rushing found, median eccentric < 1.5 s — gets a
    note, not a fault."""
    if _exempt(ctx) or ctx.prescribed or found or ctx.ex.first_phase == "none":
        return None
    ecc = [r.tempo.eccentric_s for r in ctx.reps if not r.partial and np.isfinite(r.tempo.eccentric_s)
           and r.tempo.eccentric_s > 0]
    if not ecc:
        return None
    med = float(np.median(ecc))
    if med >= NOTE_ECCENTRIC_S:
        return None
    return (f"Tempo: the way down took about {med:.1f} s per rep. That is brisk, not a fault; for more control, "
            "take 2-3 s on the way down.")


RULE = Rule(code=CODE, needs=NEEDS, run=check, visible=any_view, advice=tempo_note)
