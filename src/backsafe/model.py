"""Typed objects passed between the stages (numpy only, no I/O).

``PoseSequence -> Kinematics -> [Rep] -> [Finding] -> Report``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

import numpy as np
import numpy.typing as npt

from .errors import InputError
from .skeleton import CANONICAL_JOINTS

FloatArray = npt.NDArray[np.floating[Any]]
#: kinematic series are always float64 (``compute_kinematics`` converts every series)
Float64Array = npt.NDArray[np.float64]

Space = Literal["image", "world"]
View = Literal["side", "front", "oblique", "unknown"]
Severity = Literal["mild", "moderate", "severe"]
SEVERITIES: tuple[Severity, ...] = ("mild", "moderate", "severe")


class _Frames:
    """What anything with one timestamp per frame knows from its ``timestamps_s`` alone."""

    __slots__ = ()
    timestamps_s: FloatArray

    @property
    def n_frames(self) -> int:
        return int(self.timestamps_s.shape[0])

    @property
    def fps(self) -> float:
        """Median frame rate from the timestamps (29.97 stays 29.97)."""
        if self.n_frames < 2:
            return 0.0
        return float(1.0 / np.median(np.diff(self.timestamps_s)))


@dataclass(frozen=True, slots=True)
class PoseSequence(_Frames):
    """One person's keypoints over time in the canonical skeleton.

    Attributes
    ----------
    data : float32 array (T, J, 4)
        x, y, z, confidence per frame and joint. In ``space="image"`` x and y are pixels (y down) and z is
        MediaPipe's relative depth in the same pixel scale (NaN when unknown). In ``space="world"`` x, y, z
        are metres with y up (measured 3D: Kinect, Vicon, motion capture). Missing joints are NaN with
        confidence 0.
    timestamps_s : float64 array (T,)
        Presentation time of each frame in seconds, strictly increasing (variable frame rate allowed).
    joints : tuple of str
        Joint names, normally :data:`backsafe.skeleton.CANONICAL_JOINTS`.
    space : "image" or "world"
    image_size : (width, height) in pixels, or None for world space.
    source : str
        Where the keypoints came from (``"mediapipe"``, ``"kinect-uiprmd"``, ...).
    world : float32 array (T, J, 3) or None
        Estimated 3D landmarks in metres (y up, origin at the hip centre) that accompany image-space keypoints,
        e.g. MediaPipe's world landmarks. Estimated depth: a help, not a motion-capture measurement.
    """

    data: FloatArray
    timestamps_s: FloatArray
    joints: tuple[str, ...] = CANONICAL_JOINTS
    space: Space = "image"
    image_size: tuple[int, int] | None = None
    source: str = "unknown"
    world: FloatArray | None = None

    def __post_init__(self) -> None:
        if self.data.ndim != 3 or self.data.shape[1] != len(self.joints) or self.data.shape[2] != 4:
            raise InputError(f"expected keypoints of shape (T, {len(self.joints)}, 4), got {self.data.shape}")
        if self.timestamps_s.shape != (self.data.shape[0],):
            raise InputError(
                f"expected {self.data.shape[0]} timestamps, got array of shape {self.timestamps_s.shape}"
            )
        if self.data.shape[0] > 1 and not np.all(np.diff(self.timestamps_s) > 0):
            raise InputError("timestamps must be strictly increasing")
        if self.world is not None and self.world.shape != (self.data.shape[0], len(self.joints), 3):
            raise InputError(
                f"expected world landmarks of shape {(self.data.shape[0], len(self.joints), 3)}, "
                f"got {self.world.shape}"
            )

    @property
    def duration_s(self) -> float:
        if self.n_frames == 0:
            return 0.0
        dt = 1.0 / self.fps if self.n_frames > 1 else 0.0
        return float(self.timestamps_s[-1] - self.timestamps_s[0] + dt)

    @property
    def has_z(self) -> bool:
        return self.space == "world" or self.world is not None

    def joint(self, name: str) -> FloatArray:
        """(T, 4) array of one joint."""
        return self.data[:, self.joints.index(name), :]

    def replace(self, **changes: Any) -> PoseSequence:
        fields: dict[str, Any] = {  # values checked by PoseSequence.__init__/__post_init__
            "data": self.data,
            "timestamps_s": self.timestamps_s,
            "joints": self.joints,
            "space": self.space,
            "image_size": self.image_size,
            "source": self.source,
            "world": self.world,
        }
        fields.update(changes)
        return PoseSequence(**fields)


@dataclass(frozen=True, slots=True)
class Kinematics(_Frames):
    """Named time series with units, all of length T, NaN where not measurable.

    ``dims`` says whether angles come from 3D (measured or world landmarks) or 2D image keypoints.
    ``view`` is the camera view (side, front, oblique) the faults are judged from; ``facing`` is the direction
    the person faces in a side view ("left" or "right" in the image).
    """

    timestamps_s: Float64Array
    series: dict[str, Float64Array]
    units: dict[str, str]
    view: View
    dims: Literal["2d", "3d"]
    facing: Literal["left", "right"] | None = None
    confidence: Float64Array | None = None
    stature: float | None = None  # standing height in the series' length unit (px or m)
    length_unit: str = "px"
    view_evidence: dict[str, float] = field(default_factory=dict)
    scale_source: str = ""  # where metres come from: measured 3D, MediaPipe world landmarks, assumed stature
    track_breaks: tuple[int, ...] = ()  # frames where the pose tracker switched person: reps never span them
    source: str = ""  # where the keypoints came from (PoseSequence.source): measurement precision differs

    def __post_init__(self) -> None:
        n = self.timestamps_s.shape[0]
        for name, values in self.series.items():
            if values.shape != (n,):
                raise InputError(f"series {name!r}: expected shape ({n},), got {values.shape}")

    def __getitem__(self, name: str) -> Float64Array:
        try:
            return self.series[name]
        except KeyError:
            raise KeyError(f"no kinematic series {name!r}; have: {', '.join(sorted(self.series))}") from None

    def get(self, name: str) -> Float64Array | None:
        return self.series.get(name)


@dataclass(frozen=True, slots=True)
class Tempo:
    """Durations of the four phases of one repetition, seconds (eccentric-bottom-concentric-top)."""

    eccentric_s: float
    bottom_s: float
    concentric_s: float
    top_s: float

    def as_dict(self) -> dict[str, float]:
        return {
            "eccentric_s": round(self.eccentric_s, 3),
            "bottom_s": round(self.bottom_s, 3),
            "concentric_s": round(self.concentric_s, 3),
            "top_s": round(self.top_s, 3),
        }


@dataclass(frozen=True, slots=True)
class Rep:
    """One repetition: frame indices into the Kinematics, start and end both inclusive (touching reps may share
    their boundary frame; they never overlap further).

    ``turn_frame`` is the turnaround (bottom of a squat, top of a curl). ``range_fraction`` is the rep's
    excursion of the primary signal relative to the set's typical full rep (1.0 = full).
    """

    index: int
    start_frame: int
    turn_frame: int
    end_frame: int
    start_s: float
    end_s: float
    tempo: Tempo
    range_fraction: float = 1.0
    partial: bool = False
    # frame spans of the phases (start, end) for plots and the annotated video
    phase_frames: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: False when the tempo could not be measured plausibly (a phase longer than the rep): not shown, never judged
    tempo_measured: bool = True

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def full_or_all(reps: list[Rep] | tuple[Rep, ...]) -> list[Rep]:
    """The full reps, or all of them when none is full (a set of only partial reps is still judged)."""
    return [r for r in reps if not r.partial] or list(reps)


class FindingDict(TypedDict):
    """A finding as the JSON report's ``reps[].faults[]`` entry (DESIGN.md)."""

    code: str
    severity: Severity
    value: float
    threshold: float
    unit: str
    frames: list[int]
    cue: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One fault seen in one rep."""

    rep: int
    code: str
    severity: Severity
    value: float
    threshold: float
    unit: str
    frames: tuple[int, int]
    cue: str
    signal: str = ""  # name of the kinematic series behind it (for plots)

    def as_dict(self) -> FindingDict:
        return {
            "code": self.code,
            "severity": self.severity,
            "value": round(float(self.value), 2),
            "threshold": round(float(self.threshold), 2),
            "unit": self.unit,
            "frames": [int(self.frames[0]), int(self.frames[1])],
            "cue": self.cue,
        }


@dataclass(frozen=True, slots=True)
class Subject:
    """Who lifts what: the load held (kg, None = body weight only), the person's body mass and sex. The fault rules
    read it (lumbar load §6, the sex-specific valgus limit §5 K, rushing under load §7); every front end fills it
    from its own options (AnalysisOptions.subject, LiveOptions.subject)."""

    load_kg: float | None = None
    body_mass_kg: float = 75.0
    sex: str = "male"


@dataclass(slots=True)
class ReportData:
    """Everything the analysis found. What ``backsafe.analyze`` returns is its subclass
    :class:`backsafe.report.document.Report`, whose ``to_dict()`` gives the JSON contract of DESIGN.md (kept there,
    beside the report layer it needs, so that this model imports nothing above it)."""

    input: dict[str, Any]
    exercise: str
    view: View
    dims: Literal["2d", "3d"]
    reps: list[Rep]
    findings: list[Finding]
    warnings: list[str]
    quality: Literal["ok", "low_confidence"]
    top_cue: str
    lumbar_moment_nm: dict[int, float] = field(default_factory=dict)
    lumbar_compression_n: dict[int, float] = field(default_factory=dict)
    hold_s: float | None = None
    kinematics: Kinematics | None = None
    pose: PoseSequence | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: remarks that are not faults (a brisk but controlled tempo, COACHING_RULES §7): shown as notes
    notes: list[str] = field(default_factory=list)
    #: fault codes of the exercise that this clip could not judge (the view cannot see them, low confidence)
    not_checked: list[str] = field(default_factory=list)

    @property
    def rep_count(self) -> int:
        return sum(1 for r in self.reps if not r.partial)

    def findings_for(self, rep_index: int) -> list[Finding]:
        return [f for f in self.findings if f.rep == rep_index]



# --------------------------------------------------------------------------------------------- plausibility

#: a phase may exceed its rep's span by at most this (one frame at 20 fps; time stamps are per frame)
PHASE_TOLERANCE_S = 0.05


def implausible_tempo(rep: Rep, tolerance_s: float = PHASE_TOLERANCE_S) -> str | None:
    """Why a rep's tempo cannot be true (a negative phase, a phase longer than the rep), or None."""
    t = rep.tempo
    phases = {"down": t.eccentric_s, "bottom": t.bottom_s, "up": t.concentric_s, "top": t.top_s}
    for name, v in phases.items():
        if not np.isfinite(v) or v < 0:
            return f"its {name} phase came out negative"
        if v > rep.duration_s + tolerance_s:
            return f"its {name} phase ({v:.1f} s) came out longer than the rep ({rep.duration_s:.1f} s)"
    return None


def enforce_plausible(report: ReportData) -> list[str]:
    """Drop, in place, every figure of ``report`` that cannot be physically true; the warnings say what went.

    Never emitted (issue 16): a rep with a negative duration (the rep and its findings go), a tempo phase that is
    negative or longer than its rep (the tempo is marked not measured), a negative or non-finite L5/S1 moment or
    compression (the static moment screen, COACHING_RULES §6, is a flexion moment: a negative peak means the
    upper body was never ahead of the low back — a wrong view or facing, not a load), a negative hold.
    """
    from dataclasses import replace

    out: list[str] = []
    kept: list[Rep] = []
    dropped: set[int] = set()
    for r in report.reps:
        if not (np.isfinite(r.start_s) and np.isfinite(r.end_s)) or r.end_s < r.start_s or r.start_s < 0:
            dropped.add(r.index)
            out.append(f"rep {r.index} came out with a negative duration; it was left out")
            continue
        why = implausible_tempo(r) if r.tempo_measured else None
        if why is not None:
            r = replace(r, tempo=Tempo(0.0, 0.0, 0.0, 0.0), tempo_measured=False)
            out.append(f"rep {r.index}'s tempo is not shown: {why}")
        kept.append(r)
    if dropped:
        report.reps = kept
        report.findings = [f for f in report.findings if f.rep not in dropped]
        for d in (report.lumbar_moment_nm, report.lumbar_compression_n):
            for i in dropped:
                d.pop(i, None)
    else:
        report.reps = kept
    bad_m = sorted(i for i, v in report.lumbar_moment_nm.items() if not (np.isfinite(v) and v >= 0))
    bad_c = sorted(i for i, v in report.lumbar_compression_n.items() if not (np.isfinite(v) and v >= 0))
    for i in bad_m:
        report.lumbar_moment_nm.pop(i)
    for i in bad_c:
        report.lumbar_compression_n.pop(i)
    if bad_m or bad_c:
        reps = ", ".join(str(i) for i in sorted(set(bad_m) | set(bad_c)))
        out.append(f"the lumbar load of rep(s) {reps} came out negative, which cannot be (the view or the facing "
                   "direction was not clear); not shown")
    if report.hold_s is not None and not (np.isfinite(report.hold_s) and report.hold_s >= 0):
        report.hold_s = None
        out.append("the hold time could not be measured; not shown")
    return out
