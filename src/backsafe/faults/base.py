"""What every fault rule shares: the context it reads, per-rep measurement, baseline and persistence.

COACHING_RULES.md §5: baseline = median of the person's first 3 reps; **flag** = absolute threshold **or**
> baseline + max(SDD, 2 × within-person SD), **and** present in ≥ 2 of 3 consecutive reps. 2D angle error is
~5-15° (Thiele 2024), so no angle threshold or margin below 10° is used on 2D keypoints.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..exercises import Exercise, Tempo4
from ..model import SEVERITIES, Finding, Kinematics, Rep, Severity, full_or_all

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class FaultContext:
    kin: Kinematics
    reps: list[Rep]
    ex: Exercise
    tempo: Tempo4
    load_kg: float | None = None
    body_mass_kg: float = 75.0
    sex: str = "male"
    back_shapes: tuple[Any, ...] = ()  # kinematics.back_contour.BackShape per rep, when --back-shape was asked

    @property
    def full_reps(self) -> list[Rep]:
        return full_or_all(self.reps)


@dataclass(frozen=True, slots=True)
class RepMeasure:
    """One rep's value of a fault measure and the frames where it was worst / over the threshold."""

    rep: Rep
    value: float
    worst_frame: int


def rep_frames(rep: Rep) -> slice:
    return slice(rep.start_frame, rep.end_frame + 1)


def measure_reps(
    reps: Sequence[Rep], series: FloatArray, reduce: str = "max", span: Callable[[Rep], slice] = rep_frames
) -> list[RepMeasure]:
    """Reduce ``series`` over each rep ("max", "min" or "absmax"); NaN when the rep has no valid sample."""
    out = []
    for r in reps:
        sl = span(r)
        seg = series[sl]
        ok = np.isfinite(seg)
        if not ok.any():
            out.append(RepMeasure(r, float("nan"), r.turn_frame))
            continue
        if reduce == "max":
            k = int(np.nanargmax(seg))
        elif reduce == "min":
            k = int(np.nanargmin(seg))
        else:
            k = int(np.nanargmax(np.abs(seg)))
        out.append(RepMeasure(r, float(seg[k]), (sl.start or 0) + k))
    return out


def baseline_margin(values: Sequence[float], floor: float) -> tuple[float, float]:
    """(baseline, margin): median of the first 3 valid reps, and max(floor, 2 × within-person SD)."""
    v = np.array([x for x in values if np.isfinite(x)], dtype=float)
    if v.size == 0:
        return float("nan"), floor
    first = v[:3]
    base = float(np.median(first))
    sd = float(np.std(first, ddof=1)) if first.size >= 2 else 0.0
    return base, max(floor, 2.0 * sd)


def persistent(candidates: Sequence[bool], need: int = 2, window: int = 3) -> list[bool]:
    """A rep is kept when it is a candidate and some window of ``window`` consecutive reps containing it holds
    at least ``need`` candidates (fewer reps than the window: all of them must be candidates, or one rep alone)."""
    n = len(candidates)
    c = np.asarray(candidates, dtype=bool)
    if n == 0:
        return []
    if n < window:
        need_here = min(need, n)
        ok = c.sum() >= need_here
        return [bool(x and ok) for x in c]
    keep = np.zeros(n, dtype=bool)
    for s in range(n - window + 1):
        if c[s : s + window].sum() >= need:
            keep[s : s + window] |= c[s : s + window]
    return keep.tolist()


def severity_for(excess: float, step: float) -> Severity:
    """mild just over the threshold, moderate one step over, severe two steps over."""
    if not np.isfinite(excess) or step <= 0:
        return "mild"
    k = int(np.clip(excess // step, 0, 2))
    return SEVERITIES[k]


def over_span(series: FloatArray, rep: Rep, threshold: float, worst: int, above: bool = True) -> tuple[int, int]:
    """The contiguous frames around ``worst`` where the series is beyond ``threshold`` (at least the worst frame)."""
    sl = rep_frames(rep)
    seg = series[sl]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        beyond = seg > threshold if above else seg < threshold
    k = worst - rep.start_frame
    if k < 0 or k >= seg.size:
        return worst, worst
    a = b = k
    while a > 0 and beyond[a - 1]:
        a -= 1
    while b < seg.size - 1 and beyond[b + 1]:
        b += 1
    return rep.start_frame + a, rep.start_frame + b


def flag_reps(
    ctx: FaultContext,
    code: str,
    measures: list[RepMeasure],
    series: FloatArray,
    *,
    absolute: float | None,
    relative_floor: float | None,
    unit: str,
    cue: str,
    signal: str,
    step: float,
    above: bool = True,
) -> list[Finding]:
    """The shared §5 rule: absolute threshold or baseline + margin, with persistence over consecutive reps.

    ``above=False`` flags values *below* the threshold (e.g. knee varus as a negative FPPA); values are then
    compared on their negation so the same logic applies.
    """
    sgn = 1.0 if above else -1.0
    vals = [sgn * m.value for m in measures]
    thresholds: list[float] = []
    base, margin = baseline_margin(vals, relative_floor or 0.0)
    cand = []
    for v in vals:
        thr_candidates = []
        if absolute is not None:
            thr_candidates.append(sgn * absolute)
        if relative_floor is not None and np.isfinite(base) and len(vals) >= 3:
            thr_candidates.append(base + margin)
        thr = min(thr_candidates) if thr_candidates else float("inf")
        thresholds.append(thr)
        cand.append(bool(np.isfinite(v) and v > thr))
    return make_findings(code, measures, cand, [sgn * t for t in thresholds], series, unit=unit, cue=cue,
                         signal=signal, step=step, above=above)


def make_findings(
    code: str,
    measures: list[RepMeasure],
    candidates: Sequence[bool],
    thresholds: Sequence[float],
    series: FloatArray,
    *,
    unit: str,
    cue: str,
    signal: str,
    step: float,
    above: bool = True,
) -> list[Finding]:
    """Apply persistence to per-rep candidates and build the Findings (value vs threshold, frames, severity)."""
    keep = persistent(candidates)
    return [
        _finding(code, m, thr, series, unit=unit, cue=cue, signal=signal, step=step, above=above)
        for m, k, thr in zip(measures, keep, thresholds)
        if k
    ]


def _finding(
    code: str, m: RepMeasure, thr: float, series: FloatArray, *, unit: str, cue: str, signal: str, step: float,
    above: bool = True,
) -> Finding:
    frames = over_span(series, m.rep, thr, m.worst_frame, above=above)
    excess = (m.value - thr) if above else (thr - m.value)
    return Finding(
        rep=m.rep.index,
        code=code,
        severity=severity_for(excess, step),
        value=float(m.value),
        threshold=float(thr),
        unit=unit,
        frames=frames,
        cue=cue,
        signal=signal,
    )


@dataclass(frozen=True, slots=True)
class Measure:
    """One of several measures of the same fault (e.g. hip offset and trunk lean for lateral_shift)."""

    measures: list[RepMeasure]
    threshold: float
    series: FloatArray
    unit: str
    signal: str
    step: float


def flag_either(code: str, parts: Sequence[Measure], *, cue: str) -> list[Finding]:
    """A rep shows the fault when *any* of ``parts`` is over its threshold; persistence is applied to that union
    (an offset in one rep and a lean in the next are the same shift). Each kept rep reports the part that is
    furthest over its threshold, relative to the threshold, in that part's own unit."""
    if not parts:
        return []
    n = len(parts[0].measures)
    over = [[bool(np.isfinite(p.measures[i].value) and p.measures[i].value > p.threshold) for p in parts]
            for i in range(n)]
    keep = persistent([any(o) for o in over])
    out = []
    for i in range(n):
        if not keep[i]:
            continue
        best = max((p for p, o in zip(parts, over[i]) if o), key=lambda p: p.measures[i].value / p.threshold)
        out.append(_finding(code, best.measures[i], best.threshold, best.series, unit=best.unit, cue=cue,
                            signal=best.signal, step=best.step))
    return out
