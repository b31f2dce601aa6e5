"""Read a person's profile from a TOML file (DESIGN.md contract additions: "A profile file (TOML) holds body mass,
sex, units, default tempo and equipment").

::

    unit = "lb"                  # kg or lb: how loads are typed and shown (§4 units)
    body_mass = "80kg"           # or a number in the unit above
    sex = "female"               # female or male
    default_tempo = "3-1-2-0"    # §7 tempo
    wake_time = "06:30"          # §8 bedtime
    age = 41                     # §8 sleep target

    [equipment]                  # the loads you own (§4 equipment steps); numbers in the unit above, or "16kg"
    dumbbell = [5, 10, 15, 20, 25, 30]
    kettlebell = ["8kg", "12kg", "16kg"]

Every key is optional; an unknown key is refused with its name (a typo must not be silently ignored). The result
is the keyword arguments of :meth:`backsafe.coach.logbook.LogBook.set_profile`, which checks the ranges.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError, ValueRangeError
from .units import UNITS, Unit, parse_load

__all__ = ["read_profile_file", "parse_profile", "PROFILE_KEYS"]

PROFILE_KEYS = ("unit", "body_mass", "sex", "default_tempo", "wake_time", "age", "equipment")


def _str(doc: Mapping[str, Any], key: str) -> str | None:
    v = doc.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        raise ValueRangeError(f"profile: {key} = {v!r}: expected a string in quotes")
    return v.strip()


def _load_text(v: Any, unit: Unit, where: str) -> str:
    """A load as written (a number in ``unit`` or "16kg") → an explicit "<kg>kg" for set_profile."""
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise ValueRangeError(f"profile: {where} = {v!r}: expected a number or a load like \"16kg\"")
    try:
        kg = parse_load(v, unit)
    except ValueRangeError as e:
        raise ValueRangeError(f"profile: {where}: {e}") from None
    return f"{kg!r}kg"


def parse_profile(doc: Mapping[str, Any], unit: Unit = "kg") -> dict[str, Any]:
    """A parsed TOML profile → ``set_profile`` keyword arguments. ``unit``: the person's current unit, used for
    bare numbers when the file does not set ``unit``."""
    unknown = sorted(set(doc) - set(PROFILE_KEYS))
    if unknown:
        raise ValueRangeError(f"profile: unknown key {unknown[0]!r}; expected some of {', '.join(PROFILE_KEYS)}")
    out: dict[str, Any] = {}
    file_unit = _str(doc, "unit")
    if file_unit is not None:
        if file_unit not in UNITS:
            raise ValueRangeError(f"profile: unit = {file_unit!r}: expected \"kg\" or \"lb\"")
        unit = file_unit
        out["unit"] = file_unit
    if "body_mass" in doc:
        v = doc["body_mass"]
        bad = ValueRangeError(f"profile: body_mass = {v!r}: expected e.g. \"80kg\" or a number in {unit}")
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            raise bad
        try:
            out["body_mass_kg"] = parse_load(v, unit)
        except ValueRangeError:
            raise bad from None
    for key in ("sex", "default_tempo", "wake_time"):
        text = _str(doc, key)
        if text is not None:
            out[key] = text.lower() if key == "sex" else text
    if "age" in doc:
        age = doc["age"]
        if isinstance(age, bool) or not isinstance(age, int):
            raise ValueRangeError(f"profile: age = {age!r}: expected whole years, e.g. 41")
        out["age_years"] = age
    if "equipment" in doc:
        eq = doc["equipment"]
        if not isinstance(eq, Mapping):
            raise ValueRangeError("profile: equipment must be a table: [equipment] then dumbbell = [5, 10, 15]")
        equipment: dict[str, list[str]] = {}
        for kind, loads in eq.items():
            if not isinstance(loads, list):
                raise ValueRangeError(f"profile: equipment.{kind} = {loads!r}: expected a list, e.g. [8, 12, 16]")
            equipment[str(kind)] = [_load_text(v, unit, f"equipment.{kind}") for v in loads]
        out["equipment"] = equipment
    return out


def read_profile_file(path: Path, unit: Unit = "kg") -> dict[str, Any]:
    """Read and check a TOML profile file; returns ``set_profile`` keyword arguments (InputError when the file is
    unreadable or not TOML, ValueRangeError for a bad key or value)."""
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise InputError(f"profile file {path}: not found") from e
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"profile file {path}: cannot read ({e})") from e
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"profile file {path}: not valid TOML ({e})") from e
    try:
        return parse_profile(doc, unit)
    except ValueRangeError as e:
        raise ValueRangeError(f"{path}: {e}") from None
