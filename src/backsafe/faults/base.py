"""What every fault rule shares: the context it reads, per-rep measurement, baseline and persistence.

COACHING_RULES.md §5: the **baseline** is the person's neutral — their own reference recording when one is given
(faults/reference.py), otherwise their standing posture at the start of the set (and between reps) for the
measures that change with depth (FPPA, pelvis, trunk); never only the first reps of the same set, so that a fault
present in every rep is still found. **Flag** = absolute threshold **or** > baseline + max(SDD, 2 × within-person
SD), **and** present in ≥ 2 of the last 3 reps (a set of 1 or 2 reps: in every rep; single-rep sets are judged).
2D angle error is ~5-15° (Thiele 2024), so no angle threshold or margin below 10° is used on 2D keypoints.

The standing frames are found from the exercise's primary signal (:func:`neutral_mask`): the frames where it sits
at its upright end (knee and hip flexion low, hip height high; otherwise the exercise's rest end), before the
first rep and between reps. Where there is none (a hold, a clip that starts mid-rep) the rules fall back to each
rep's own first frames and say so in a warning.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict, Unpack

import numpy as np
import numpy.typing as npt

from ..exercises import Exercise, Tempo4
from ..model import SEVERITIES, Finding, Kinematics, Rep, Severity, Subject, full_or_all

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class FaultContext:
    kin: Kinematics
    reps: list[Rep]
    ex: Exercise
    tempo: Tempo4
    #: the load, body mass and sex (model.Subject)
    subject: Subject = field(default_factory=Subject)
    back_shapes: tuple[Any, ...] = ()  # kinematics.back_contour.BackShape per rep, when --back-shape was asked
    #: True when the person prescribed the tempo (``--tempo``, the plan's); None: inferred, i.e. a tempo other
    #: than the exercise's default counts as prescribed (COACHING_RULES §7)
    tempo_prescribed: bool | None = None
    #: what a rule could not do as written (e.g. no standing posture to compare with): the report's warnings
    warnings: list[str] = field(default_factory=list)
    #: advice that is not a fault (a brisk but controlled tempo, §7): the report's notes
    notes: list[str] = field(default_factory=list)
    #: (code, why) of faults a rule could not judge on this clip for a reason other than the camera view (e.g.
    #: back arching in a squat needs measured spine keypoints): said once, with the view's, by the report (§9)
    unjudged: list[tuple[str, str]] = field(default_factory=list)

    @property
    def full_reps(self) -> list[Rep]:
        return full_or_all(self.reps)

    @property
    def prescribed(self) -> bool:
        """Whether the tempo was prescribed by the person or their plan (§7), not the exercise's default."""
        if self.tempo_prescribed is not None:
            return self.tempo_prescribed
        return self.tempo != self.ex.default_tempo

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def not_judged(self, code: str, why: str) -> None:
        """Record that ``code`` was not judged on this clip and why (the report's one "not checked" line)."""
        if all(c != code for c, _ in self.unjudged):
            self.unjudged.append((code, why))

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)


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
    """(baseline, margin) from the person's neutral values (standing frames, or their reference reps): the median,
    and max(floor, 2 × within-person SD) (§5)."""
    v = np.array([x for x in values if np.isfinite(x)], dtype=float)
    if v.size == 0:
        return float("nan"), floor
    base = float(np.median(v))
    sd = float(np.std(v, ddof=1)) if v.size >= 2 else 0.0
    return base, max(floor, 2.0 * sd)


#: a frame is standing (neutral) when the primary signal lies within this share of the set's excursion from its
#: upright end [H]: 10 % of a 100° squat is 10° of knee bend, still the standing posture for trunk and pelvis
NEUTRAL_SHARE = 0.1
#: fewer standing frames than this (0.1 s at 30 fps) is no standing posture
MIN_NEUTRAL_FRAMES = 3
#: an excursion smaller than this (primary-signal units: degrees) shows no rep, so no upright end either
MIN_EXCURSION = {"deg": 10.0}
#: primary signals whose upright (standing) end is fixed whatever the exercise rests at: a deadlift rests with the
#: bar on the floor and a sit-to-stand seated, but both stand at low hip and knee flexion
UPRIGHT_END = {"knee_flexion": "low", "hip_flexion": "low", "hip_height": "high"}
NO_STANDING = ("no standing posture was seen before or between the reps, so knees, pelvis and trunk were compared "
               "with each rep's own first frames (a fault already there when a rep starts cannot be seen that way)")


def neutral_mask(ctx: FaultContext) -> npt.NDArray[np.bool_] | None:
    """Frames at the exercise's neutral (standing) level of its primary signal, or None when there is none."""
    from ..kinematics.angles import PRIMARY_SERIES

    ex, kin = ctx.ex, ctx.kin
    if ex.primary_signal is None or ex.kind != "reps":
        return None
    name = PRIMARY_SERIES.get(ex.primary_signal)
    s = kin.series.get(name) if name else None
    if s is None or np.isfinite(s).sum() < MIN_NEUTRAL_FRAMES:
        return None
    lo, hi = (float(x) for x in np.nanpercentile(s, [5, 95]))
    span = hi - lo
    if not np.isfinite(span) or span < MIN_EXCURSION.get(kin.units.get(name or "", ""), 0.0) or span <= 0:
        return None
    end = UPRIGHT_END.get(ex.primary_signal, ex.rest_end)
    level = lo if end == "low" else hi
    with np.errstate(invalid="ignore"):
        mask = np.abs(s - level) <= NEUTRAL_SHARE * span
    mask &= np.isfinite(s)
    return mask if mask.sum() >= MIN_NEUTRAL_FRAMES else None


def neutral_baselines(ctx: FaultContext, series: FloatArray, what: str = "the posture") -> list[tuple[float, float]]:
    """Per rep, (baseline, within-person SD) of ``series`` in the person's standing posture (§5).

    The standing frames just before the rep (since the previous rep's turnaround) when there are enough, else
    those at the start of the set (before the first turnaround), else any standing frame of the clip. With no
    standing posture at all, each rep's own first frames (±3 frames around its start), with a warning."""
    mask = neutral_mask(ctx)
    ok = np.isfinite(series)
    out: list[tuple[float, float]] = []
    if mask is not None and (mask & ok).sum() >= MIN_NEUTRAL_FRAMES:
        good = mask & ok
        idx = np.arange(series.size)
        first_turn = min((r.turn_frame for r in ctx.reps), default=series.size)
        set_start = good & (idx < first_turn)
        fallback = set_start if set_start.sum() >= MIN_NEUTRAL_FRAMES else good
        prev_turn = -1
        for r in sorted(ctx.reps, key=lambda r: r.start_frame):
            here = good & (idx > prev_turn) & (idx <= r.turn_frame)
            sel = here if here.sum() >= MIN_NEUTRAL_FRAMES else fallback
            v = series[sel]
            out.append((float(np.median(v)), float(np.std(v, ddof=1)) if v.size >= 2 else 0.0))
            prev_turn = max(prev_turn, r.turn_frame)
        order = sorted(range(len(ctx.reps)), key=lambda i: ctx.reps[i].start_frame)
        res: list[tuple[float, float]] = [(float("nan"), 0.0)] * len(ctx.reps)
        for k, i in enumerate(order):
            res[i] = out[k]
        return res
    if ctx.reps:
        ctx.warn(NO_STANDING)
    for r in ctx.reps:
        start = series[max(0, r.start_frame - 3): r.start_frame + 3]
        base = float(np.nanmedian(start)) if np.isfinite(start).any() else float("nan")
        out.append((base, 0.0))
    return out


def relative_to_neutral(ctx: FaultContext, series: FloatArray, what: str, absolute: bool = True) -> FloatArray:
    """``series`` minus the person's standing value before each rep (its magnitude when ``absolute``), over the
    reps' frames; NaN elsewhere."""
    out = np.full(series.shape, np.nan)
    for r, (base, _) in zip(ctx.reps, neutral_baselines(ctx, series, what)):
        sl = rep_frames(r)
        d = series[sl] - (base if np.isfinite(base) else np.nan)
        out[sl] = np.abs(d) if absolute else d
    return out


def steady_hold(ctx: FaultContext, series: FloatArray) -> FloatArray:
    """``series`` over the steady part of each hold (reps/segmentation.py ``steady_hold_span``), NaN elsewhere in
    the hold; unchanged for exercises that are not holds. Getting down into a plank and what follows it (lying
    down, the next exercise) are not the hold: the body line there is not the posture being held (§5 A judges the
    held shoulder-hip-ankle line). The report's notes say which seconds were judged."""
    if ctx.ex.kind != "hold" or not ctx.reps:
        return series
    from ..reps.segmentation import steady_hold_span

    out = np.array(series, dtype=np.float64, copy=True)
    t = ctx.kin.timestamps_s
    for r in ctx.reps:
        steady = steady_hold_span(ctx.kin, ctx.ex, (r.start_frame, r.end_frame))
        if steady is None:
            continue
        a, b = steady
        out[r.start_frame: a] = np.nan
        out[b + 1: r.end_frame + 1] = np.nan
        if (a, b) != (r.start_frame, r.end_frame):
            ctx.note(f"The hold was judged from {t[a]:.1f} s to {t[b]:.1f} s, where the body was held steady; "
                     "getting into position and what followed were not judged.")
    return out


#: movement patterns whose feet stay planted side by side (data/exercises.json ``pattern``; sit-to-stand is a
#: squat): only there are both hips and both knees loaded alike, so a pelvis drop or a hips-over-feet offset is a
#: fault. Lunges (split or lateral stance), single-leg patterns (hurdle step, step-up) and ballistic moves put the
#: legs in different places by design: a hurdle step lifts one leg (the swing-side pelvis rises or drops with it),
#: a side lunge shifts the body over the bending leg and tilts the pelvis towards it (COACHING_RULES §2: the
#: exercise itself; §5 P/S read the hip line and the offset against a symmetric stance)
SYMMETRIC_PATTERNS = ("squat", "hinge", "bridge", "push", "hold", "press", "raise", "arm", "hinge_hold")


def symmetric_stance(ex: Exercise) -> bool:
    """Whether the exercise keeps both feet planted side by side (see ``SYMMETRIC_PATTERNS``)."""
    return ex.pattern in SYMMETRIC_PATTERNS and not ex.id.startswith("single_leg")


#: exercises whose pelvis turns towards the bending leg by design: in a lateral (side) lunge the person sits back
#: into one hip, and the pelvis faces partly over that leg (COACHING_RULES §2: the exercise itself; §5 P's yaw
#: is a twist against a square stance). A 2D yaw read from the hips' width in the image (acos(width / standing
#: width)) has no sign, so it cannot tell that designed turn from a twist: there it is not judged. Measured 3D
#: keeps a signed yaw and is judged as in every stance.
PELVIS_TURNS_BY_DESIGN = ("side_lunge",)


def pelvis_turns_by_design(ex: Exercise) -> bool:
    """Whether the exercise turns the pelvis towards the working leg by design (see ``PELVIS_TURNS_BY_DESIGN``)."""
    return ex.id in PELVIS_TURNS_BY_DESIGN


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


class FindingStyle(TypedDict):
    """What :func:`make_findings` needs besides the values to build Findings (:func:`flag_reps` passes it on)."""

    unit: str
    cue: str
    signal: str
    step: float
    above: NotRequired[bool]


def flag_reps(
    ctx: FaultContext,
    code: str,
    measures: list[RepMeasure],
    series: FloatArray,
    *,
    absolute: float | None,
    relative_floor: float | None,
    **style: Unpack[FindingStyle],
) -> list[Finding]:
    """The shared §5 rule: absolute threshold or neutral baseline + margin, with persistence over consecutive reps.

    The baseline is the person's standing value of ``series`` before each rep and the margin max(floor, 2 × SD
    of those standing frames) (:func:`neutral_baselines`). ``above=False`` flags values *below* the threshold
    (e.g. knee varus as a negative FPPA); values are then compared on their negation so the same logic applies.
    """
    sgn = 1.0 if style.get("above", True) else -1.0
    vals = [sgn * m.value for m in measures]
    thresholds: list[float] = []
    bases = neutral_baselines(ctx, series, style["signal"].replace("_", " ") or code) if relative_floor is not None \
        else [(float("nan"), 0.0)] * len(vals)
    cand = []
    for v, (b, sd) in zip(vals, bases):
        base, margin = sgn * b, max(relative_floor or 0.0, 2.0 * sd)
        thr_candidates = []
        if absolute is not None:
            thr_candidates.append(sgn * absolute)
        if relative_floor is not None and np.isfinite(base):
            thr_candidates.append(base + margin)
        thr = min(thr_candidates) if thr_candidates else float("inf")
        thresholds.append(thr)
        cand.append(bool(np.isfinite(v) and v > thr))
    return make_findings(code, measures, cand, [sgn * t for t in thresholds], series, **style)


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
