"""The person's own reference: judge each rep against their good reps, not against other people.

COACHING_RULES.md §5: "Baseline = median of the person's first 3 reps. Flag = absolute threshold or > baseline +
max(SDD, 2 × within-person SD), and present in ≥ 2 of the last 3 reps." Issue [2/7] allows the baseline to come
from "their first reps or a calibration rep". A *personal reference* is that calibration: one or more reps the
person did well (filmed once with a coach or physio, or the good first set of a session), analysed by the same
pipeline. With a reference, the movement-pattern faults below compare each rep with it:

    flag  ⇔  value − median(reference) > max(floor, 2 × SD(reference))     (then 2-of-3 persistence)

and the population norms of those faults (``trunk_lean_max_deg``, within-rep excursion limits) step aside: the
person's own good movement already says what is normal for their body and this exercise. Safety limits that do
not depend on the person (plank sag/pike lines, jumping, tempo, lumbar load) are judged as before.

Floors: §5 where it gives one (trunk Δ 10°, knee SDD 8°, shift 0.15 hip widths, lean 10°, pelvis drop 8° and yaw
15°), and on 2D keypoints never below 10° for an angle (§5: sub-10° thresholds are noise in 2D). Measured 3D
keypoints are precise enough for smaller floors on a few measures, and the floor follows the sensor's own error
(§5: "the measurement error figures set the floor"): depth-camera joints (Kinect) use ``reference_floor_3d``,
optical motion-capture markers (Plug-in Gait) ``reference_floor_markers``, both in ``data/thresholds.json``.
Each is fitted on the calibration subjects of UI-PRMD only, on that sensor's recordings (``tools/calibrate.py
--reference-only [--sensor vicon]``), and reported on the held-out subjects in docs/evaluation.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

import numpy as np

from ..errors import InputError
from ..model import Finding, Kinematics, Rep, full_or_all
from .base import FaultContext, FloatArray, _finding, measure_reps, persistent
from .rules.knee_valgus import worst_knee
from .thresholds import load_thresholds

if TYPE_CHECKING:
    from ..exercises import Exercise
    from ..model import PoseSequence, ReportData

SeriesFn = Callable[[Kinematics], "FloatArray | None"]


def _series(name: str, absolute: bool = False) -> SeriesFn:
    def get(kin: Kinematics) -> FloatArray | None:
        v = kin.series.get(name)
        if v is None or not np.isfinite(v).any():
            return None
        x: FloatArray = np.asarray(v, dtype=np.float64)
        return np.abs(x) if absolute else x

    return get


def _negated(name: str) -> SeriesFn:
    """``-series``: e.g. spine extension as the negative of ``spine_flexion_deg`` (larger = more extended)."""

    def get(kin: Kinematics) -> FloatArray | None:
        v = kin.series.get(name)
        if v is None or not np.isfinite(v).any():
            return None
        return -np.asarray(v, dtype=np.float64)

    return get


def _worst_knee(sign: float) -> SeriesFn:
    """The knee furthest in the direction ``sign`` (knee_valgus.worst_knee), signed so that larger is worse."""

    def get(kin: Kinematics) -> FloatArray | None:
        if "fppa_left_deg" not in kin.series or "fppa_right_deg" not in kin.series:
            return None
        v = sign * worst_knee(kin, sign)
        return v if np.isfinite(v).any() else None

    return get


@dataclass(frozen=True, slots=True)
class RefMeasure:
    """A per-rep measure (the peak, or with ``reduce="min"`` the trough, of ``series`` over the rep) compared
    with the reference."""

    name: str
    code: str
    series: SeriesFn
    unit: str
    floor_2d: float | None  # None: not judged on 2D keypoints
    floor_3d: float | None  # None: not judged on 3D keypoints (a two-sided pair of measures stands in for it)
    cue: str
    signal: str
    step: float
    above: bool = True  # False: the fault is falling short of the reference (less depth, or further the other way)
    reduce: str = "max"  # the rep's value: the peak ("max") or the trough ("min") of the series

    def excess(self, value: float, median: float) -> float:
        """How far a rep's value lies beyond the reference median, towards the fault."""
        return value - median if self.above else median - value


CUE_TALL = "Stay as tall as in your good reps: chest up, hinge from the hips."
CUE_DEPTH = "Go as deep as in your good reps, or use a lighter load until you can."
CUE_LEVEL = "Keep your weight even on both feet and your trunk upright, as in your good reps."
CUE_HIPS = "Keep your hips level and square to the front, as in your good reps."
CUE_KNEE_IN = "Push your knees out so they track over your second toe."
CUE_KNEE_OUT = "Keep your knees in line with your feet, not pushed outwards."
CUE_ARCH = "Keep your ribs down and your back as long as in your good reps."

#: §5 rules as reference measures. floor_3d values here are the §5 defaults; calibrated ones override them.
MEASURES: tuple[RefMeasure, ...] = (
    RefMeasure("trunk_lean", "back_rounding", _series("trunk_inclination_deg"), "deg", 10.0, 10.0, CUE_TALL,
               "trunk_inclination_deg", 10.0),
    RefMeasure("head_forward", "back_rounding", _series("com_dx_head_m"), "m", 0.10, 0.10, CUE_TALL,
               "com_dx_head_m", 0.05),
    RefMeasure("knee_depth_short", "partial_range", _series("knee_flexion_deg"), "deg", 10.0, 10.0,
               CUE_DEPTH, "knee_flexion_deg", 15.0, above=False),
    RefMeasure("hip_depth_short", "partial_range", _series("hip_flexion_deg"), "deg", 10.0, 10.0,
               CUE_DEPTH, "hip_flexion_deg", 15.0, above=False),
    # Side-to-side measures: the size of the lean, shift, drop or turn (|value|). On 2D keypoints only these,
    # because a 2D sign follows the way the person faces the camera, which may differ between reference and set.
    RefMeasure("lateral_lean", "lateral_shift", _series("trunk_lateral_lean_deg", absolute=True), "deg", 10.0,
               10.0, CUE_LEVEL, "trunk_lateral_lean_deg", 10.0),
    RefMeasure("lateral_offset", "lateral_shift", _series("lateral_offset_hipw", absolute=True), "hip widths",
               0.15, 0.15, CUE_LEVEL, "lateral_offset_hipw", 0.1),
    RefMeasure("pelvis_drop", "hip_rotation", _series("pelvis_tilt_deg", absolute=True), "deg", 10.0, 8.0,
               CUE_HIPS, "pelvis_tilt_deg", 8.0),
    RefMeasure("hip_yaw", "hip_rotation", _series("hip_yaw_deg", absolute=True), "deg", 15.0, 15.0, CUE_HIPS,
               "hip_yaw_deg", 10.0),
    # Two-sided on 3D keypoints, where the sign is the body's own left/right: each rep's signed peak ("_hi") and
    # trough ("_lo") against the reference's median peak and median trough, so a movement that is lopsided by
    # design (a side lunge tilts the pelvis and leans the trunk towards the lunging leg) is judged on going
    # further that way *or* the wrong way, which |value| calls "less" and misses. UI-PRMD's incorrect lunges
    # (Vakanski et al. 2018: trunk not upright, balance lost, hips not level) show it on the calibration
    # subjects' Kinect joints (docs/evaluation.md, "UI-PRMD Kinect: what changed"). Whether a sensor judges the
    # |value| measures, the two-sided ones or both is fitted with the floors (a floor of null = off).
    *(RefMeasure(f"{name}_{side}", code, _series(sig), unit, None, floor, cue, sig, step,
                 above=side == "hi", reduce="max" if side == "hi" else "min")
      for name, code, sig, unit, floor, cue, step in (
          ("lateral_lean", "lateral_shift", "trunk_lateral_lean_deg", "deg", 10.0, CUE_LEVEL, 10.0),
          ("lateral_offset", "lateral_shift", "lateral_offset_hipw", "hip widths", 0.15, CUE_LEVEL, 0.1),
          ("pelvis_drop", "hip_rotation", "pelvis_tilt_deg", "deg", 8.0, CUE_HIPS, 8.0),
          ("hip_yaw", "hip_rotation", "hip_yaw_deg", "deg", 15.0, CUE_HIPS, 10.0))
      for side in ("hi", "lo")),
    RefMeasure("knee_in", "knee_valgus", _worst_knee(+1.0), "deg", 10.0, 8.0, CUE_KNEE_IN, "fppa_left_deg", 8.0),
    RefMeasure("knee_out", "knee_varus", _worst_knee(-1.0), "deg", 10.0, 8.0, CUE_KNEE_OUT, "fppa_left_deg", 8.0),
    # §5 A with measured spine keypoints (3D only): extension beyond the person's own good reps; the 15° floor
    # mirrors §5 R's "curvature > neutral + 15°". The body-line (sag) and lean-back rules stay population rules.
    RefMeasure("spine_extension", "back_arching", _negated("spine_flexion_deg"), "deg", None, 15.0, CUE_ARCH,
               "spine_flexion_deg", 10.0),
)
#: the fault codes a reference judges (their population rules step aside when a reference is given)
REFERENCE_CODES = frozenset(m.code for m in MEASURES)


def from_markers(source: str) -> bool:
    """Keypoints from ``source`` (PoseSequence.source) are built from motion-capture markers, with their own,
    millimetre-level error."""
    from ..io.keypoints import MARKER_SOURCES

    return source in MARKER_SOURCES


def floor_for(m: RefMeasure, dims: str, source: str = "") -> float | None:
    """The floor of ``m`` for keypoints of ``dims`` from ``source``: §5's 2D floor, or the fitted 3D table of the
    sensor (``reference_floor_markers`` for markers, else ``reference_floor_3d``); None: not judged there."""
    if dims != "3d":
        return m.floor_2d
    if m.floor_3d is None:
        return None
    table = "reference_floor_markers" if from_markers(source) else "reference_floor_3d"
    tab = load_thresholds().get(table, {})
    if m.name not in tab:
        return m.floor_3d
    entry = tab[m.name]
    value = entry["value"] if isinstance(entry, dict) else entry
    return None if value is None else float(value)  # null: this sensor does not judge the measure (calibrated off)


def rep_values(kin: Kinematics, reps: Sequence[Rep]) -> dict[str, list[float]]:
    """Each measure's value for each rep (NaN where it cannot be measured)."""
    out: dict[str, list[float]] = {}
    for m in MEASURES:
        s = m.series(kin)
        if s is None:
            continue
        out[m.name] = [rm.value for rm in measure_reps(reps, s, m.reduce)]
    return out


@dataclass(slots=True)
class PersonalReference:
    """Per-measure values of the person's good reps, with where they came from."""

    values: dict[str, list[float]] = field(default_factory=dict)
    dims: str = "3d"
    sources: list[str] = field(default_factory=list)
    n_reps: int = 0
    markers: bool = False  # from motion-capture markers (joint centres built from skin markers)

    def fits(self, kin: Kinematics) -> str | None:
        """Why this reference cannot judge ``kin`` (None: it can). Its medians mean nothing for other keypoints:
        2D pixels-angles against 3D, or marker-built joint centres against a camera's joints."""
        if self.dims != kin.dims:
            return f"the reference is {self.dims.upper()} keypoints and this recording {kin.dims.upper()}"
        if self.markers != from_markers(kin.source):
            kind = {True: "motion-capture markers", False: "other keypoints"}
            return f"the reference is {kind[self.markers]} and this recording {kind[not self.markers]}"
        return None

    def add(self, kin: Kinematics, reps: Sequence[Rep], source: str = "") -> None:
        if self.n_reps and kin.dims != self.dims:
            raise ValueError("a reference mixes 2D and 3D keypoints")
        if self.n_reps and from_markers(kin.source) != self.markers:
            raise ValueError("a reference mixes motion-capture markers and other keypoints")
        self.dims = kin.dims
        self.markers = from_markers(kin.source)
        for name, vals in rep_values(kin, reps).items():
            self.values.setdefault(name, []).extend(vals)
        self.n_reps += len(reps)
        if source:
            self.sources.append(source)

    def baseline(self, name: str) -> tuple[float, float] | None:
        """(median, SD) of the measure over the reference reps, or None when it was never measured."""
        v = np.array([x for x in self.values.get(name, []) if np.isfinite(x)], dtype=float)
        if v.size == 0:
            return None
        sd = float(np.std(v, ddof=1)) if v.size >= 2 else 0.0
        return float(np.median(v)), sd

    def summary(self) -> dict[str, Any]:
        base = {m: self.baseline(m) for m in self.values}
        return {
            "reps": self.n_reps,
            "dims": self.dims,
            **({"markers": True} if self.markers else {}),
            "sources": list(self.sources),
            "baseline": {k: [round(b[0], 4), round(b[1], 4)] for k, b in base.items() if b is not None},
        }


def check_against_reference(ctx: FaultContext, code: str, reference: PersonalReference) -> list[Finding]:
    """Findings of ``code`` for the reps that exceed the person's reference (any of the code's measures)."""
    kin = ctx.kin
    if reference.fits(kin) is not None or not ctx.reps:
        return []
    parts = []
    for m in MEASURES:
        if m.code != code:
            continue
        floor = floor_for(m, kin.dims, kin.source)
        series = m.series(kin)
        base = reference.baseline(m.name)
        if floor is None or series is None or base is None:
            continue
        median, sd = base
        margin = max(floor, 2.0 * sd)
        threshold = median + margin if m.above else median - margin
        parts.append((m, median, margin, threshold, series, measure_reps(ctx.reps, series, m.reduce)))
    if not parts:
        return []

    def beyond(part: tuple[Any, ...], i: int) -> float:
        """How far rep ``i`` lies past the part's margin, in the part's severity steps (> 0: over)."""
        m, median, margin, _, _, meas = part
        return float((m.excess(meas[i].value, median) - margin) / m.step)

    over = [[bool(np.isfinite(p[5][i].value) and beyond(p, i) > 0) for p in parts] for i in range(len(ctx.reps))]
    keep = persistent([any(o) for o in over])
    out = []
    for i, k in enumerate(keep):
        if not k:
            continue
        m, _, _, thr, series, meas = max((p for p, o in zip(parts, over[i]) if o), key=lambda p: beyond(p, i))
        out.append(_finding(code, meas[i], thr, series, unit=m.unit, cue=m.cue, signal=m.signal, step=m.step,
                            above=m.above))
    return out


# ------------------------------------------------------------------------------------ building a reference

def reference_of(kin: Kinematics | None, reps: list[Rep], source: str,
                 into: PersonalReference | None = None) -> PersonalReference:
    """Add the full reps (all of them when none is full) to ``into`` or a new reference; InputError if none."""
    if kin is None or not reps:
        raise InputError(f"reference {source or 'recording'}: no repetition found in it; "
                         "record a few good reps of the same exercise")
    ref = into if into is not None else PersonalReference()
    try:
        ref.add(kin, full_or_all(reps), source)
    except ValueError as exc:
        raise InputError(f"reference {source}: {exc}") from None
    return ref


def build_reference(pose: PoseSequence, ex: Exercise, source: str = "",
                    into: PersonalReference | None = None, *, one_rep: bool = False) -> PersonalReference:
    """The person's own reference from a recording of their good reps (cleaned and segmented as a set is).

    ``one_rep``: the recording is known to hold exactly one rep (a pre-segmented dataset such as UI-PRMD), so
    the whole recording is that rep when segmentation finds none. Otherwise raises InputError when no
    repetition can be found: a reference must show the movement."""
    from ..analysis.measure import clean_and_measure, find_reps
    from ..reps.segmentation import whole_clip_rep

    _, _, kin = clean_and_measure(pose)
    reps = find_reps(kin, ex)
    if not reps and ex.kind == "reps" and one_rep:
        reps = whole_clip_rep(kin)
    return reference_of(kin, reps, source, into)


def found_reps(report: ReportData) -> list[Rep]:
    """The reps segmentation found (not the whole-clip stand-in of a recording without any)."""
    return [r for r in report.reps if "whole" not in r.phase_frames]


def reference_from_report(report: ReportData) -> PersonalReference:
    """The personal reference of an analysed recording of good reps."""
    return reference_of(report.kinematics, found_reps(report), str(report.input.get("path", "")))


# --------------------------------------------------------------------------- a report.json as a reference

class RepMeasures(TypedDict):
    """A report's ``rep_measures`` field (:func:`rep_measures`)."""

    dims: str  # "2d" | "3d"
    markers: NotRequired[bool]  # only for motion-capture markers (then True)
    reps: list[int]  # the rep indices used
    values: dict[str, list[float]]  # measure -> value per rep (NaN, written as null: not measurable)


def rep_measures(report: ReportData) -> RepMeasures | None:
    """The per-rep values that :func:`reference_from_report` takes from this analysis, as JSON-ready data.

    ``{"dims": "2d"|"3d", "markers": true (only for motion-capture markers), "reps": [rep indices used],
    "values": {measure: [value per rep, None = not measurable]}}``, or None when the analysis cannot be a
    reference (no repetition found). Written into every report (``rep_measures``) so that
    :func:`reference_from_report_dict` rebuilds the same reference from the report.json alone, as exactly as
    from the Report itself (floats survive JSON unchanged).
    """
    try:
        ref = reference_from_report(report)
    except InputError:
        return None
    reps = [r.index for r in full_or_all(found_reps(report))]
    values = {name: [float(v) for v in vals] for name, vals in ref.values.items()}
    if ref.markers:  # the key only for markers, in this place: the report.json stays byte-identical
        return RepMeasures(dims=ref.dims, markers=True, reps=reps, values=values)
    return RepMeasures(dims=ref.dims, reps=reps, values=values)


def _as_number(v: Any) -> float | None:
    if v is None:
        return math.nan
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v)


def _stored_values(m: Mapping[str, Any], bad: InputError) -> dict[str, list[float]]:
    """The ``values`` of a report's ``rep_measures`` in the order PersonalReference.add gives (so the summary is
    byte-identical); ``bad`` raised when the field is malformed."""
    if not isinstance(m, Mapping) or m.get("dims") not in ("2d", "3d") or not isinstance(m.get("reps"), list):
        raise bad
    if not isinstance(m.get("markers", False), bool):
        raise bad
    n = len(m["reps"])
    values_in = m.get("values")
    if n == 0 or not isinstance(values_in, Mapping):
        raise bad
    parsed: dict[str, list[float]] = {}
    for name, vals in values_in.items():
        if not isinstance(vals, list) or len(vals) != n:
            raise bad
        nums = [_as_number(v) for v in vals]
        if any(x is None for x in nums):
            raise bad
        parsed[str(name)] = [float(x) for x in nums if x is not None]
    order = [x.name for x in MEASURES]
    return {name: parsed[name] for name in order if name in parsed}  # a measure a later version dropped: ignored


def reference_from_report_dict(doc: Mapping[str, Any], exercise: str | None = None,
                               source: str | None = None) -> PersonalReference:
    """The personal reference of a stored report.json of good reps: the same reference as
    ``reference_from_report`` on the Report it was written from (its ``rep_measures``).

    ``exercise``: the exercise it will judge; a report of another exercise is refused. ``source``: the name the
    report's ``reference.sources`` will give (default: the reference recording's own file name).

    Raises
    ------
    InputError
        Not a report, another exercise, no repetition in it, or a report from a version that did not write
        ``rep_measures``: each says what to do.
    """
    from ..report.json_report import REP_MEASURES_KEY

    input_meta = doc.get("input")
    own = str(input_meta.get("path", "")) if isinstance(input_meta, Mapping) else ""
    label = source if source is not None else own
    where = f"reference {label or 'report'}"
    if "schema_version" not in doc or "reps" not in doc:
        raise InputError(f"{where}: not a backsafe report (no schema_version/reps); give a report.json written by "
                         "backsafe, or the recording of the good reps itself")
    if exercise is not None and doc.get("exercise") != exercise:
        raise InputError(f"{where}: it is a report of {doc.get('exercise')!r}, not of {exercise!r}; use a "
                         "reference of the same exercise")
    m = doc.get(REP_MEASURES_KEY)
    if m is None:
        why = ("no repetition was found in it" if doc.get("reps") in ([], None) or doc.get("rep_count") == 0
               else "it was written by an older backsafe that did not store per-rep measures")
        raise InputError(f"{where}: the report cannot serve as a reference ({why}); analyse a recording of a few "
                         "good reps of the same exercise and use that")
    bad = InputError(f"{where}: its {REP_MEASURES_KEY} field is malformed; analyse the recording of the good "
                     "reps again")
    values = _stored_values(m, bad)
    return PersonalReference(values=values, dims=str(m["dims"]), sources=[label] if label else [],
                             n_reps=len(m["reps"]), markers=bool(m.get("markers", False)))


def read_reference_file(path: str | Path, exercise: str) -> PersonalReference | None:
    """The reference stored in a backsafe report.json of ``exercise`` (an id or alias;
    :func:`reference_from_report_dict`); None when ``path`` is not a report.json (a clip or a keypoint file of good
    reps, which the pipeline analyses: pipeline.load_reference)."""
    from ..exercises import get_exercise
    from ..report.json_report import read_report_file

    doc = read_report_file(Path(path))
    return None if doc is None else reference_from_report_dict(doc, get_exercise(exercise).id)
