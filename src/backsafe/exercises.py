"""The exercise library: a versioned data file (``data/exercises.json``) validated on load.

Classes and MET values follow COACHING_RULES.md §2 (impact: low = always in contact, high = flight phase;
spine class L < 2.5 kN, M 2.5-3.4, H >= 3.4 or ballistic; MET from the 2011 Compendium codes given).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from functools import lru_cache
from importlib import resources
from typing import Any, Literal, TypeVar

from .errors import UnknownExerciseError
from .json_fields import json_fields

FAULT_CODES: tuple[str, ...] = (
    "back_rounding",
    "back_arching",
    "hips_piked",
    "lateral_shift",
    "knee_valgus",
    "knee_varus",
    "hip_rotation",
    "rushing",
    "jumping",
    "partial_range",
    "load_far_from_body",
)

PRIMARY_SIGNALS: tuple[str, ...] = (
    "knee_flexion",
    "hip_flexion",
    "hip_extension",
    "elbow_flexion",
    "shoulder_elevation",
    "shoulder_shrug",
    "trunk_inclination",
    "hip_height",
    "knee_separation",
)

VIEWS = ("side", "front", "oblique")

IMPACTS: tuple[Literal["low", "high"], ...] = ("low", "high")
SPINAL_LOADS: tuple[Literal["L", "M", "H"], ...] = ("L", "M", "H")
KINDS: tuple[Literal["reps", "hold", "continuous"], ...] = ("reps", "hold", "continuous")

_Choice = TypeVar("_Choice", bound=str)


def _one_of(value: object, options: tuple[_Choice, ...]) -> _Choice | None:
    """``value`` as the equal one of ``options`` (typed as their Literal), or None when it is none of them."""
    for option in options:
        if value == option:
            return option
    return None

EQUIPMENT_STEP_KG: dict[str, float] = {
    # COACHING_RULES.md §4: the smallest load step (1 kg dumbbell, 2.5 kg barbell); kettlebells 2 kg [H]
    "bodyweight": 1.0,
    "dumbbell": 1.0,
    "barbell": 2.5,
    "kettlebell": 2.0,
}


@dataclass(frozen=True, slots=True)
class Tempo4:
    """A prescribed tempo, e.g. 3-1-2-0: eccentric, bottom pause, concentric, top pause (s); None = X (fast)."""

    eccentric_s: float | None
    bottom_s: float | None
    concentric_s: float | None
    top_s: float | None

    @classmethod
    def parse(cls, text: str) -> Tempo4:
        from .errors import ValueRangeError

        parts = text.strip().split("-")
        if len(parts) != 4:
            raise ValueRangeError(f"tempo {text!r}: expected four phases like 3-1-2-0 (X = fast)")
        values: list[float | None] = []
        for p in parts:
            if p.upper() == "X":
                values.append(None)
                continue
            try:
                v = float(p)
            except ValueError:
                raise ValueRangeError(f"tempo {text!r}: phase {p!r} is not a number of seconds or X") from None
            if not 0 <= v <= 30:
                raise ValueRangeError(f"tempo {text!r}: phase {p!r} s is outside 0-30 s")
            values.append(v)
        return cls(*values)

    def __str__(self) -> str:
        def f(v: float | None) -> str:
            return "X" if v is None else (str(int(v)) if float(v).is_integer() else str(v))

        return "-".join(f(v) for v in (self.eccentric_s, self.bottom_s, self.concentric_s, self.top_s))


@dataclass(frozen=True, slots=True)
class Exercise:
    id: str
    name: str
    impact: Literal["low", "high"]
    spinal_load: Literal["L", "M", "H"]
    met: float
    met_code: str
    views: tuple[str, ...]
    primary_signal: str | None
    first_phase: Literal["eccentric", "concentric", "none"]
    default_tempo: Tempo4
    kind: Literal["reps", "hold", "continuous"]
    loaded: bool
    pattern: str
    faults: tuple[str, ...]
    regressions: tuple[str, ...]
    progressions: tuple[str, ...]
    while_recovering: str | None
    jump_expected: bool
    rushing_exempt: bool
    rest_end: Literal["low", "high"] = "low"  # where the primary signal rests between reps
    # Coach fields (COACHING_RULES.md §4 ladder): optional in the data file, defaults derived on load.
    equipment: str = "bodyweight"
    start_load_kg: float = 0.0
    ladder_rung: int = 1  # 0 floor/isometric, 1 bodyweight, 2 light load close to body, 3 barbell, 4 ballistic, 5 jumps
    film_side: str | None = None

    @property
    def load_step_kg(self) -> float:
        """The smallest available load step for this exercise's equipment (§4)."""
        return EQUIPMENT_STEP_KG.get(self.equipment, 1.0)

    @property
    def preferred_view(self) -> str | None:
        return self.views[0] if self.views else None

    def as_dict(self) -> dict[str, Any]:
        """Every field, in their order: the tempo as its text, tuples as lists."""
        return json_fields(self, *(f.name for f in fields(self)), default_tempo=str(self.default_tempo))


class LibraryError(ValueError):
    """The exercise data file is invalid (a packaging bug, not user input)."""


def _parse_one(raw: dict[str, Any]) -> Exercise:
    ident = raw.get("id", "?")

    def need(key: str, typ: type | tuple[type, ...]) -> Any:
        if key not in raw:
            raise LibraryError(f"exercise {ident!r}: missing field {key!r}")
        if not isinstance(raw[key], typ):
            raise LibraryError(f"exercise {ident!r}: field {key!r} should be {typ}, got {raw[key]!r}")
        return raw[key]

    impact_raw = need("impact", str)
    impact = _one_of(impact_raw, IMPACTS)
    if impact is None:
        raise LibraryError(f"exercise {ident!r}: impact {impact_raw!r} not low|high")
    spine_raw = need("spinal_load", str)
    spine = _one_of(spine_raw, SPINAL_LOADS)
    if spine is None:
        raise LibraryError(f"exercise {ident!r}: spinal_load {spine_raw!r} not L|M|H")
    kind_raw = need("kind", str)
    kind = _one_of(kind_raw, KINDS)
    if kind is None:
        raise LibraryError(f"exercise {ident!r}: kind {kind_raw!r}")
    signal = raw.get("primary_signal")
    if kind == "reps" and signal not in PRIMARY_SIGNALS:
        raise LibraryError(f"exercise {ident!r}: primary_signal {signal!r} not one of {PRIMARY_SIGNALS}")
    faults = tuple(need("faults", list))
    bad = [f for f in faults if f not in FAULT_CODES]
    if bad:
        raise LibraryError(f"exercise {ident!r}: unknown fault codes {bad}")
    views = tuple(need("views", list))
    if any(v not in VIEWS for v in views):
        raise LibraryError(f"exercise {ident!r}: views {views} not within {VIEWS}")
    met = float(need("met", (int, float)))
    if not 1.0 <= met <= 20.0:
        raise LibraryError(f"exercise {ident!r}: MET {met} out of range")
    equipment = str(raw.get("equipment", "bodyweight"))
    if equipment not in EQUIPMENT_STEP_KG:
        raise LibraryError(f"exercise {ident!r}: equipment {equipment!r} not one of {tuple(EQUIPMENT_STEP_KG)}")
    start_load = float(raw.get("start_load_kg", 0.0))
    if not 0.0 <= start_load <= 200.0:
        raise LibraryError(f"exercise {ident!r}: start_load_kg {start_load} out of range")
    rung = int(raw.get("ladder_rung", 1))
    if not 0 <= rung <= 5:
        raise LibraryError(f"exercise {ident!r}: ladder_rung {rung} not 0-5")
    film_side = raw.get("film_side", views[0] if views else None)
    if film_side is not None and film_side not in views:
        raise LibraryError(f"exercise {ident!r}: film_side {film_side!r} not one of its views {views}")
    return Exercise(
        id=need("id", str),
        name=need("name", str),
        impact=impact,
        spinal_load=spine,
        met=met,
        met_code=str(raw.get("met_code", "")),
        views=views,
        primary_signal=signal,
        first_phase=need("first_phase", str),
        default_tempo=Tempo4.parse(need("default_tempo", str)),
        kind=kind,
        loaded=bool(raw.get("loaded", False)),
        pattern=str(raw.get("pattern", "")),
        faults=faults,
        regressions=tuple(raw.get("regressions", [])),
        progressions=tuple(raw.get("progressions", [])),
        while_recovering=raw.get("while_recovering"),
        jump_expected=bool(raw.get("jump_expected", False)),
        rushing_exempt=bool(raw.get("rushing_exempt", False)),
        rest_end="high" if raw.get("rest_end") == "high" else "low",
        equipment=equipment,
        start_load_kg=start_load,
        ladder_rung=rung,
        film_side=film_side,
    )


def parse_library(doc: dict[str, Any]) -> dict[str, Exercise]:
    """Validate a library document and return exercises by id."""
    if doc.get("version") != 1:
        raise LibraryError(f"exercise library version {doc.get('version')!r} not supported (expected 1)")
    out: dict[str, Exercise] = {}
    for raw in doc.get("exercises", []):
        ex = _parse_one(raw)
        if ex.id in out:
            raise LibraryError(f"exercise {ex.id!r} defined twice")
        out[ex.id] = ex
    for ex in out.values():
        for ref in ex.regressions + ex.progressions + ((ex.while_recovering,) if ex.while_recovering else ()):
            if ref not in out:
                raise LibraryError(f"exercise {ex.id!r} refers to unknown exercise {ref!r}")
    return out


@lru_cache(maxsize=1)
def load_library() -> dict[str, Exercise]:
    """The packaged exercise library, validated (cached)."""
    text = resources.files("backsafe").joinpath("data/exercises.json").read_text(encoding="utf-8")
    return parse_library(json.loads(text))


def get_exercise(exercise_id: str) -> Exercise:
    """Look up an exercise id; UnknownExerciseError lists close matches."""
    lib = load_library()
    key = exercise_id.strip().lower().replace("-", "_").replace(" ", "_")
    if key in lib:
        return lib[key]
    import difflib

    close = difflib.get_close_matches(key, list(lib), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; run `backsafe exercises` for the list"
    raise UnknownExerciseError(f"unknown exercise {exercise_id!r}{hint}")
