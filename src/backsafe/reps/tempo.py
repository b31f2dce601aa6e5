"""Tempo phases of one repetition (COACHING_RULES.md §7).

A rep runs rest → turnaround → rest. The pause at the turnaround is where the primary signal moves slower than
10 °/s (§7: pause = |dθ/dt| < 10 °/s) near the turnaround (above 85 % of the rep's peak). For signals that are
not angles the same 10 °/s is taken relative to a 100° rep, i.e. 10 % of the amplitude per second.
Phase names follow the exercise: a squat goes down first (eccentric), a curl goes up first (concentric).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..exercises import Exercise
from ..model import Rep, Tempo
from .signal import RepSignal

PAUSE_DEG_S = 10.0
NEAR_TURN = 0.85


def measure_tempo(
    t: npt.NDArray[np.float64], sig: RepSignal, start: int, turn: int, end: int, ex: Exercise
) -> tuple[Tempo, dict[str, tuple[int, int]]]:
    """Tempo and phase frame spans for one rep; the rest-end pause is filled in by the caller."""
    x = sig.x
    seg = np.nan_to_num(x[start : end + 1], nan=0.0)
    tt = t[start : end + 1]
    if seg.size < 3:
        z = Tempo(0.0, 0.0, 0.0, 0.0)
        return z, {}
    v = np.gradient(seg, tt)  # amplitude units per second
    pause_v = PAUSE_DEG_S / (sig.amplitude if sig.unit == "deg" else 100.0)
    peak = seg[turn - start]
    near = (seg >= NEAR_TURN * peak) & (np.abs(v) < pause_v)
    k = turn - start
    b0 = k
    while b0 > 0 and near[b0 - 1]:
        b0 -= 1
    b1 = k
    while b1 < seg.size - 1 and near[b1 + 1]:
        b1 += 1
    first_s = float(tt[b0] - tt[0])
    pause_s = float(tt[b1] - tt[b0])
    second_s = float(tt[-1] - tt[b1])
    spans = {
        "first": (start, start + b0),
        "turn": (start + b0, start + b1),
        "second": (start + b1, end),
    }
    if ex.first_phase == "concentric":
        # up first (curl, raise, press, deadlift from the floor): the turnaround pause is the "top" pause
        tempo = Tempo(eccentric_s=second_s, bottom_s=0.0, concentric_s=first_s, top_s=pause_s)
        phases = {"concentric": spans["first"], "top": spans["turn"], "eccentric": spans["second"]}
    else:
        tempo = Tempo(eccentric_s=first_s, bottom_s=pause_s, concentric_s=second_s, top_s=0.0)
        phases = {"eccentric": spans["first"], "bottom": spans["turn"], "concentric": spans["second"]}
    return tempo, phases


def bound_rest_pauses(reps: list[Rep], ex: Exercise) -> list[Rep]:
    """The rest-end pause of each rep made a phase *of that rep* (issue 16: a partial rep's bottom phase was
    longer than the rep).

    Segmentation measures the rest-end pause (the "top" of a squat, the "bottom" of a curl) as the time at rest
    before the next rep starts, which lies after the rep's own span. A partial rep is where the set starts or
    stops, so the rest after it is not a pause of a rep: 0. For a full rep the rest counts as its pause only up to
    the rep's own duration: longer than that it is rest between reps (§7's pauses are 0-2 s within a controlled
    rep), and a prescribed pause that long is met either way.
    """
    from dataclasses import replace

    out: list[Rep] = []
    for r in reps:
        field_name = "bottom_s" if ex.first_phase == "concentric" else "top_s"
        rest = float(getattr(r.tempo, field_name))
        bounded = 0.0 if r.partial else min(max(rest, 0.0), max(r.end_s - r.start_s, 0.0))
        out.append(r if bounded == rest else replace(r, tempo=replace(r.tempo, **{field_name: bounded})))
    return out
