"""What ``analyze`` can be told, validated on construction; kept apart from the pipeline so that code which only
checks options (a batch driver planning its jobs, the web app's form) does not load SciPy and the pose stack."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from .errors import ValueRangeError
from .exercises import Tempo4
from .model import Subject, View


class OptionFields(TypedDict):
    """The :class:`AnalysisOptions` fields ``analyze`` takes as keywords besides the exercise, passed on as one."""

    load_kg: float | None
    tempo: str | None
    body_mass_kg: float
    sex: str
    fps: float | None
    input_format: str
    view: View | None
    image_size: tuple[int, int] | None
    stride: int
    back_shape: bool | None
    pose_cache_dir: Path | None
    person: str
    model: str


@dataclass(frozen=True, slots=True)
class AnalysisOptions:
    """Everything ``analyze`` can be told; validated on construction (absurd values are refused)."""

    exercise: str = "squat"
    input_format: str = "auto"
    fps: float | None = None
    load_kg: float | None = None
    body_mass_kg: float = 75.0
    sex: str = "male"
    tempo: str | None = None
    view: View | None = None
    image_size: tuple[int, int] | None = None
    stride: int = 1
    #: the back's outline on the segmentation mask over each rep's pull (kinematics/back_contour.py): None (the
    #: default) and True trace it in side-view videos of exercises that check back_rounding; False turns it off
    back_shape: bool | None = None
    pose_cache_dir: Path | None = None
    #: who is analysed when several people are in frame (pose/tracking.py): auto (the one doing the exercise),
    #: largest, center, left, right, or a point "x,y" (fractions of the frame or pixels)
    person: str = "auto"
    #: the pose model size: lite, full (default) or heavy (pose/models.py; README "Pose model")
    model: str = "full"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def subject(self) -> Subject:
        """The load, body mass and sex the fault rules read."""
        return Subject(load_kg=self.load_kg, body_mass_kg=self.body_mass_kg, sex=self.sex)

    def __post_init__(self) -> None:
        # wrong types get the same one-line error as wrong values (``load_kg="40kg"`` raised a bare TypeError)
        for name, kind in (("load_kg", "a number of kg, e.g. 40"), ("fps", "frames per second, e.g. 30"),
                           ("body_mass_kg", "a number of kg, e.g. 75")):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                raise ValueRangeError(f"{name} {v!r}: expected {kind}")
        if isinstance(self.stride, bool) or not isinstance(self.stride, int):
            raise ValueRangeError(f"stride {self.stride!r}: expected a whole number 1-10")
        for name in ("exercise", "input_format", "sex"):
            if not isinstance(getattr(self, name), str):
                raise ValueRangeError(f"{name} {getattr(self, name)!r}: expected text")
        if self.tempo is not None and not isinstance(self.tempo, str):
            raise ValueRangeError(f"tempo {self.tempo!r}: expected text like 3-1-2-0")
        if self.back_shape is not None and not isinstance(self.back_shape, bool):
            raise ValueRangeError(f"back_shape {self.back_shape!r}: expected True, False or None")
        if self.load_kg is not None and not (0.0 <= self.load_kg <= 500.0):
            raise ValueRangeError(f"load {self.load_kg} kg is outside 0-500 kg")
        if not 25.0 <= self.body_mass_kg <= 300.0:
            raise ValueRangeError(f"body mass {self.body_mass_kg} kg is outside 25-300 kg")
        if self.fps is not None and not 1.0 <= self.fps <= 1000.0:
            raise ValueRangeError(f"fps {self.fps} is outside 1-1000")
        if self.sex not in ("male", "female"):
            raise ValueRangeError(f"sex {self.sex!r}: expected male or female (sets anthropometric tables)")
        if self.view not in (None, "side", "front", "oblique"):
            raise ValueRangeError(f"view {self.view!r}: expected side, front or oblique")
        if self.stride < 1 or self.stride > 10:
            raise ValueRangeError(f"stride {self.stride}: expected 1-10")
        if self.tempo is not None:
            Tempo4.parse(self.tempo)
        from .pose.models import check_model_name

        check_model_name(self.model)
        if not isinstance(self.person, str):
            raise ValueRangeError(f"person {self.person!r}: expected auto, largest, center, left, right or x,y")
        parse_person(self.person)


#: ``--person`` words (pose/tracking.py chooses by them); a point ``x,y`` is the other form
PERSON_CHOICES = ("auto", "largest", "center", "left", "right")


def parse_person(spec: str) -> str | tuple[float, float]:
    """``auto``/``largest``/``center``/``left``/``right`` or a point ``x,y`` (fractions of the frame when both are at
    most 1, else pixels); ValueRangeError otherwise."""
    s = spec.strip().lower()
    if s == "centre":
        s = "center"
    if s in PERSON_CHOICES:
        return s
    parts = s.split(",")
    if len(parts) == 2:
        try:
            x, y = float(parts[0]), float(parts[1])
        except ValueError:
            pass
        else:
            if 0 <= x < 1e5 and 0 <= y < 1e5:
                return (x, y)
    raise ValueRangeError(f"person {spec!r}: expected auto, largest, center, left, right or a point x,y "
                          "(fractions of the frame, e.g. 0.3,0.5, or pixels)")


def person_key(spec: str) -> str:
    """``spec`` in one spelling (``Centre`` and ``center``, ``0.3, 0.5`` and ``0.3,0.5`` are the same choice), for
    a batch's job key and a web job's row; ValueRangeError when it is none of the choices (:func:`parse_person`)."""
    chosen = parse_person(spec)
    return chosen if isinstance(chosen, str) else f"{chosen[0]:g},{chosen[1]:g}"


#: ``--fast`` (a frame stride) never analyses fewer frames a second than this: below it MediaPipe's tracker and the
#: rep counter lose quick reps (24 fps clips at stride 2 = 12 fps lost a rep in 2 of the 5 labelled 24 fps clips,
#: bench/run_bench.py fast_accuracy), so a 24 fps clip is analysed at every frame and a 60 fps one at every 4th.
#: 14.5, not 15: an NTSC clip (29.97 fps) at stride 2 gives 14.99
MIN_ANALYSED_FPS = 14.5


def effective_stride(stride: int, fps: float) -> int:
    """The frame stride actually used on a clip of ``fps``: ``stride``, lowered so that at least
    MIN_ANALYSED_FPS frames a second are analysed."""
    if stride <= 1 or not fps > 0:
        return max(1, stride)
    return max(1, min(stride, int(fps // MIN_ANALYSED_FPS)))
