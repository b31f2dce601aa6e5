"""Compare a person's reps with a reference rep (a coach's demonstration, or the person's own best rep).

Each of the person's reps is aligned to the reference's best rep with dynamic time warping (DTW) on the primary
signal plus every other angle series both reports share, each normalised by the reference rep's range of that
series. Along the warping path the normalised differences are attributed to the person's phase (eccentric,
bottom, concentric, top) and signal, which names where the rep departs most from the reference.

Example
-------
>>> cmp = compare_to_reference(report, reference)        # doctest: +SKIP
>>> cmp.text()                                           # doctest: +SKIP
'Rep 2 departs most from the reference (distance 0.41): trunk inclination during the bottom, 14° more.'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import InputError
from .model import Kinematics, Rep, ReportData
from .report.wording import PHASES, SEVERITY_RANK, signal_label

FloatArray = npt.NDArray[np.float64]

#: a series whose reference range is smaller than this (its unit) is normalised by this instead
MIN_RANGE: dict[str, float] = {"deg": 10.0, "hip widths": 0.1, "m": 0.05}
#: ... and never below this share of the primary signal's range, so a near-still series cannot dominate
MIN_RANGE_OF_PRIMARY = 0.2
#: at most this share of a rep's frames may be missing in a series for it to be compared
MAX_NAN_SHARE = 0.5
#: series compared besides the primary one (when both reports have them): legs, hips and trunk, which carry the
#: lower-back faults; the arms only when the primary signal is an arm angle (curl, row, press, raise)
BODY_SIGNALS: tuple[str, ...] = (
    "knee_flexion_deg",
    "hip_flexion_deg",
    "hip_extension_deg",
    "trunk_inclination_deg",
    "body_line_deg",
    "pelvis_tilt_deg",
    "fppa_left_deg",
    "fppa_right_deg",
)
ARM_SIGNALS: tuple[str, ...] = ("elbow_flexion_deg", "shoulder_elevation_deg")


@dataclass(frozen=True, slots=True)
class RepComparison:
    """How one of the person's reps departs from the reference rep.

    ``distance`` is the mean DTW cost per aligned step, in reference ranges (0 = identical after time
    warping; 0.1 = off by a tenth of the reference's range on average). ``phase`` and ``signal`` name the cell of
    largest mean normalised difference; ``difference`` is the mean signed difference of that signal there in its
    own unit (person minus reference). ``tempo_ratio`` is the person's duration ÷ the reference's per phase.
    """

    rep: int
    distance: float
    phase: str
    signal: str
    difference: float
    unit: str
    phase_distance: dict[str, float]
    signal_distance: dict[str, float]
    tempo_ratio: dict[str, float]
    path_length: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "rep": self.rep,
            "distance": round(self.distance, 4),
            "phase": self.phase,
            "signal": self.signal,
            "difference": round(self.difference, 2),
            "unit": self.unit,
            "phase_distance": {k: round(v, 4) for k, v in self.phase_distance.items()},
            "signal_distance": {k: round(v, 4) for k, v in self.signal_distance.items()},
            "tempo_ratio": {k: round(v, 3) for k, v in self.tempo_ratio.items()},
        }

    def sentence(self) -> str:
        amount = f"{abs(self.difference):.0f}°" if self.unit == "deg" else f"{abs(self.difference):.2f} {self.unit}"
        more = "more" if self.difference > 0 else "less"
        return (
            f"rep {self.rep}: distance {self.distance:.2f}; differs most in {signal_label(self.signal)} during the "
            f"{self.phase} phase ({amount} {more} than the reference)"
        )


@dataclass(frozen=True, slots=True)
class Comparison:
    """Result of :func:`compare_to_reference`; ``as_dict()`` goes into the JSON report."""

    reference_rep: int
    reference_exercise: str
    signals: tuple[str, ...]
    primary_signal: str
    reps: list[RepComparison] = field(default_factory=list)
    warnings: tuple[str, ...] = ()

    @property
    def worst(self) -> RepComparison | None:
        return max(self.reps, key=lambda r: r.distance) if self.reps else None

    @property
    def closest(self) -> RepComparison | None:
        return min(self.reps, key=lambda r: r.distance) if self.reps else None

    def as_dict(self) -> dict[str, Any]:
        worst = self.worst
        return {
            "reference_rep": self.reference_rep,
            "reference_exercise": self.reference_exercise,
            "primary_signal": self.primary_signal,
            "signals": list(self.signals),
            "reps": [r.as_dict() for r in self.reps],
            "worst_rep": worst.rep if worst else None,
            "summary": self.text(),
            "warnings": list(self.warnings),
        }

    def text(self) -> str:
        """A short plain-language summary."""
        if not self.reps:
            return "No rep could be compared with the reference."
        worst = self.worst
        closest = self.closest
        assert worst is not None and closest is not None
        lines = [
            f"Compared {len(self.reps)} rep(s) with reference rep {self.reference_rep} "
            f"on {', '.join(signal_label(s) for s in self.signals)}.",
            f"Closest: rep {closest.rep} (distance {closest.distance:.2f}). Furthest: {worst.sentence()}.",
        ]
        lines += [f"Note: {w}." for w in self.warnings]
        return " ".join(lines)


def best_rep(report: ReportData) -> Rep | None:
    """The rep with the fewest (then mildest) faults; full reps before partial ones; earliest on ties."""
    if not report.reps:
        return None

    def key(r: Rep) -> tuple[int, int, int, float, int]:
        fs = report.findings_for(r.index)
        return (
            int(r.partial),
            len(fs),
            sum(SEVERITY_RANK.get(f.severity, 1) for f in fs),
            -float(r.range_fraction),
            r.index,
        )

    return min(report.reps, key=key)


def dtw(cost: FloatArray, band: int | None = None) -> tuple[float, list[tuple[int, int]]]:
    """Dynamic time warping on a precomputed (n, m) cost matrix.

    The accumulated cost is filled anti-diagonal by anti-diagonal (each one depends only on the two before it,
    so every diagonal is one vectorised numpy step). Steps: (1, 0), (0, 1), (1, 1).

    Parameters
    ----------
    cost : (n, m) float array, non-negative, finite
    band : Sakoe-Chiba half-width in frames, or None for no constraint (it is widened to ``|n - m|``).

    Returns
    -------
    total : accumulated cost of the best path
    path : list of (i, j) index pairs from (0, 0) to (n - 1, m - 1)

    Examples
    --------
    >>> c = np.abs(np.subtract.outer([0., 1, 2], [0., 0, 1, 2]))
    >>> dtw(c)[0]
    0.0
    """
    cost = np.asarray(cost, dtype=np.float64)
    if cost.ndim != 2 or cost.shape[0] == 0 or cost.shape[1] == 0:
        raise ValueError(f"expected a non-empty (n, m) cost matrix, got shape {cost.shape}")
    n, m = cost.shape
    big = np.inf
    if band is not None:
        band = max(int(band), abs(n - m))
        ii, jj = np.indices((n, m))
        cost = np.where(np.abs(ii - jj) <= band, cost, big)
    acc = np.full((n + 1, m + 1), big)
    acc[0, 0] = 0.0
    for k in range(2, n + m + 1):  # k = i + j in 1-based accumulated coordinates
        i = np.arange(max(1, k - m), min(n, k - 1) + 1)
        j = k - i
        best_prev = np.minimum(np.minimum(acc[i - 1, j], acc[i, j - 1]), acc[i - 1, j - 1])
        acc[i, j] = cost[i - 1, j - 1] + best_prev
    total = float(acc[n, m])
    # backtrack
    path = [(n - 1, m - 1)]
    i, j = n, m
    while (i, j) != (1, 1):
        options = ((acc[i - 1, j - 1], i - 1, j - 1), (acc[i - 1, j], i - 1, j), (acc[i, j - 1], i, j - 1))
        _, i, j = min(options, key=lambda o: o[0])
        path.append((i - 1, j - 1))
    path.reverse()
    return total, path


def _fill_nan(x: FloatArray) -> FloatArray:
    ok = np.isfinite(x)
    if ok.all() or not ok.any():
        return x
    idx = np.arange(x.size)
    return np.interp(idx, idx[ok], x[ok])


def _segment(kin: Kinematics, name: str, rep: Rep) -> FloatArray | None:
    values = kin.get(name)
    if values is None:
        return None
    seg = np.asarray(values[rep.start_frame : rep.end_frame], dtype=np.float64)
    if seg.size < 2 or np.mean(~np.isfinite(seg)) > MAX_NAN_SHARE:
        return None
    return _fill_nan(seg)


def _primary_name(report: ReportData, kin: Kinematics) -> str:
    from .exercises import get_exercise

    try:
        primary = get_exercise(report.exercise).primary_signal
    except Exception:  # an exercise id the library does not know: fall back on the series
        primary = None
    for cand in ([primary + "_deg", primary] if primary else []):
        if cand in kin.series:
            return cand
    for cand in ("knee_flexion_deg", "hip_flexion_deg", "elbow_flexion_deg", "shoulder_elevation_deg"):
        if cand in kin.series:
            return cand
    raise InputError(f"{report.exercise}: no primary signal in the kinematics (have {sorted(kin.series)})")


def _phase_of(rep: Rep, n: int) -> list[str]:
    """Phase name of each frame of a rep (relative index); frames outside every span get the nearest phase."""
    labels = [""] * n
    for name, (a, b) in rep.phase_frames.items():
        for t in range(max(a - rep.start_frame, 0), min(b - rep.start_frame, n)):
            labels[t] = name
    if not rep.phase_frames:  # no spans: before the turn eccentric, after it concentric
        turn = rep.turn_frame - rep.start_frame
        return ["eccentric" if t < turn else "concentric" for t in range(n)]
    last = next((lab for lab in labels if lab), "eccentric")
    for t in range(n):
        if labels[t]:
            last = labels[t]
        else:
            labels[t] = last
    return labels


def _phase_durations(rep: Rep) -> dict[str, float]:
    t = rep.tempo
    return {"eccentric": t.eccentric_s, "bottom": t.bottom_s, "concentric": t.concentric_s, "top": t.top_s}


def _compare_rep(
    rep: Rep, kin: Kinematics, ref_rep: Rep, signals: list[str], ref_data: FloatArray, scale: FloatArray,
    units: list[str], band_share: float | None,
) -> RepComparison | None:
    parts = [_segment(kin, s, rep) for s in signals]
    if any(p is None for p in parts):
        return None
    data = np.stack([p for p in parts if p is not None], axis=1)  # (n, C)
    a = data / scale
    b = ref_data / scale
    diff = a[:, None, :] - b[None, :, :]
    cost = np.sqrt(np.sum(diff**2, axis=2) / len(signals))
    band = None if band_share is None else int(band_share * max(len(a), len(b)))
    _, path = dtw(cost, band)
    pi = np.array([p[0] for p in path])
    pj = np.array([p[1] for p in path])
    step_cost = cost[pi, pj]
    norm_diff = np.abs(a[pi] - b[pj])  # (L, C)
    signed = data[pi] - ref_data[pj]
    phases = np.array(_phase_of(rep, len(a)))[pi]
    phase_distance: dict[str, float] = {}
    best = (-1.0, "", 0)
    for ph in PHASES + tuple(sorted(set(phases) - set(PHASES))):
        mask = phases == ph
        if not mask.any():
            continue
        phase_distance[ph] = float(np.mean(step_cost[mask]))
        per_signal = norm_diff[mask].mean(axis=0)
        c = int(np.argmax(per_signal))
        if per_signal[c] > best[0]:
            best = (float(per_signal[c]), ph, c)
    _, phase, c = best
    mask = phases == phase
    ref_dur = _phase_durations(ref_rep)
    tempo_ratio = {
        ph: float(d / ref_dur[ph]) for ph, d in _phase_durations(rep).items() if ref_dur.get(ph, 0.0) > 0.05
    }
    return RepComparison(
        rep=rep.index,
        distance=float(np.mean(step_cost)),
        phase=phase,
        signal=signals[c],
        difference=float(np.mean(signed[mask, c])),
        unit=units[c],
        phase_distance=phase_distance,
        signal_distance={s: float(v) for s, v in zip(signals, norm_diff.mean(axis=0), strict=True)},
        tempo_ratio=tempo_ratio,
        path_length=len(path),
    )


def _candidate_signals(primary: str, kin: Kinematics, ref_kin: Kinematics, wanted: tuple[str, ...] | None) -> list[str]:
    if wanted is None:
        wanted = BODY_SIGNALS + (ARM_SIGNALS if primary in ARM_SIGNALS else ())
    return [primary] + [s for s in wanted if s != primary and s in kin.series and s in ref_kin.series]


def _view_warnings(report: ReportData, reference: ReportData) -> tuple[str, ...]:
    if report.dims == "2d" and reference.dims == "2d" and report.view != reference.view:
        return (
            f"the reference was filmed from a {reference.view} view and this clip from a {report.view} view: "
            "2D angles change with the camera angle, so part of the difference is the camera",
        )
    return ()


def attach_comparison(report: ReportData, reference: object) -> None:
    """Add the rep-by-rep ``comparison`` to ``report`` when the set was judged against a recording of good reps
    (an analysed Report; a report.json's stored measures hold no time series to compare with), as the CLI and
    the batch runner both write it."""
    if isinstance(reference, ReportData):
        report.extra["comparison"] = compare_to_reference(report, reference).as_dict()


def compare_to_reference(
    report: ReportData,
    reference: ReportData,
    *,
    signals: tuple[str, ...] | None = None,
    band_share: float | None = 0.5,
    include_partial: bool = True,
) -> Comparison:
    """Align each of the person's reps to the reference's best rep (DTW) and say where they differ most.

    Parameters
    ----------
    report : the person's analysis (needs ``kinematics`` and ``reps``).
    reference : the reference analysis (a coach's demo or the person's earlier set); its best rep
        (:func:`best_rep`) is the template.
    signals : series to compare besides the primary one (default: :data:`BODY_SIGNALS`, plus
        :data:`ARM_SIGNALS` for arm exercises), where both reports have them.
    band_share : Sakoe-Chiba band as a share of the longer rep (None: unconstrained).
    include_partial : also compare partial reps.

    Returns
    -------
    Comparison
        Per-rep distance (mean DTW step cost in reference ranges), phase and signal of the largest difference.

    Raises
    ------
    InputError
        A report without kinematics, a reference without reps, or no signal the two share.
    """
    if report.kinematics is None or reference.kinematics is None:
        raise InputError("comparison needs the kinematics of both analyses (keep report.kinematics)")
    ref_rep = best_rep(reference)
    if ref_rep is None:
        raise InputError(f"the reference ({reference.exercise}) has no repetition to compare with")
    kin, ref_kin = report.kinematics, reference.kinematics
    primary = _primary_name(reference, ref_kin)
    if primary not in kin.series:
        raise InputError(f"the person's analysis has no {primary!r} series to compare with the reference")
    candidates = _candidate_signals(primary, kin, ref_kin, signals)
    names: list[str] = []
    ref_parts: list[FloatArray] = []
    units: list[str] = []
    scales: list[float] = []
    for s in candidates:
        seg = _segment(ref_kin, s, ref_rep)
        if seg is None:
            continue
        unit = ref_kin.units.get(s, "deg" if s.endswith("_deg") else "")
        floor = MIN_RANGE.get(unit, 1e-6)
        if names and unit == units[0]:
            floor = max(floor, MIN_RANGE_OF_PRIMARY * scales[0])
        names.append(s)
        ref_parts.append(seg)
        units.append(unit)
        scales.append(max(float(np.ptp(seg)), floor))
    if not names or names[0] != primary:
        raise InputError(f"the reference rep {ref_rep.index} has too few valid frames of {primary!r}")
    ref_data = np.stack(ref_parts, axis=1)
    scale = np.asarray(scales)
    # a series too often missing in the person's reps is dropped from the set for every rep
    reps = [r for r in report.reps if include_partial or not r.partial]
    keep = [i for i, s in enumerate(names) if i == 0 or all(_segment(kin, s, r) is not None for r in reps)]
    names = [names[i] for i in keep]
    units = [units[i] for i in keep]
    ref_data, scale = ref_data[:, keep], scale[keep]
    results = [
        rc
        for r in reps
        if (rc := _compare_rep(r, kin, ref_rep, names, ref_data, scale, units, band_share)) is not None
    ]
    return Comparison(
        reference_rep=ref_rep.index,
        reference_exercise=reference.exercise,
        signals=tuple(names),
        primary_signal=primary,
        reps=results,
        warnings=_view_warnings(report, reference),
    )
