"""The person's config file: body mass, sex, units, default tempo and equipment typed once, not on every call.

Where: ``$BACKSAFE_CONFIG``, else ``config.toml`` in the platform's config folder (``~/.config/backsafe/`` on
Linux). Same keys as a coach profile file (coach/profile_file.py)::

    unit = "kg"
    body_mass = "80kg"
    sex = "female"
    default_tempo = "3-1-2-0"
    [equipment]
    kettlebell = [8, 12, 16]

``analyze``, ``batch`` and ``live`` take body mass, sex and tempo from it when their options are not given (an
option on the command line wins); the coach takes the whole profile once with ``backsafe profile --from-file``.
A default tempo is the person's prescription, so reps are judged against it (COACHING_RULES §7).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import settings
from .settings import CONFIG_ENV

__all__ = ["CONFIG_ENV", "config_path", "analysis_defaults"]


def config_path() -> Path:
    named = settings.config_file()
    if named is not None:
        return named
    import platformdirs

    return Path(platformdirs.user_config_dir("backsafe", appauthor=False)) / "config.toml"


def analysis_defaults() -> dict[str, Any]:
    """``body_mass_kg``, ``sex`` and ``tempo`` from the config file (only those it sets; empty without a file).
    A file named by ``$BACKSAFE_CONFIG`` must exist; a bad value is refused (InputError / ValueRangeError)."""
    path = config_path()
    if not path.is_file():
        if settings.config_file() is not None:
            from .errors import InputError

            raise InputError(f"config file {path} (from ${CONFIG_ENV}): not found")
        return {}
    from .coach.profile_file import read_profile_file

    prof = read_profile_file(path)
    out: dict[str, Any] = {}
    if "body_mass_kg" in prof:
        out["body_mass_kg"] = float(prof["body_mass_kg"])
    if "sex" in prof:
        out["sex"] = str(prof["sex"])
    if "default_tempo" in prof:
        out["tempo"] = str(prof["default_tempo"])
    return out
