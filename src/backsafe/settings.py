"""Every environment variable the backsafe library reads, in one place, each read when it is asked for.

Nothing is read at import time: a test or a batch worker that sets a variable sees it take effect on the next
call. The web app has its own typed settings (``web/config.py``, pydantic-settings, ``BACKSAFE_*`` variables such
as ``BACKSAFE_ENVIRONMENT``); they are listed there, not here.

==============================  ==========================  ========================================================
Variable                        Read by                     Meaning (default)
==============================  ==========================  ========================================================
``BACKSAFE_POSE_SPLIT``         pose/runner.py              ``0``: never pose a long clip as two halves side by side
                                                            (default on: clips >= 10 s on a machine with 2+ cores)
``BACKSAFE_DECODE_THREAD``      pose/runner.py              ``0``: decode inline, before each frame's inference,
                                                            instead of in a thread beside it (default on; off in a
                                                            batch worker that is one of one per core, unless set)
``BACKSAFE_DECODE_THREADS``     io/video.py                 FFmpeg decoding threads per clip: 1 (default), 0 lets
                                                            FFmpeg choose, n > 1 that many
``BACKSAFE_POSE_CACHE``         pipeline.py, evaluation/    a folder where video keypoints are cached by the clip's
                                                            content (opt-in for analyze; the evaluation's default is
                                                            the user's cache folder)
``BACKSAFE_CONFIG``             user_config.py              the person's config file (default: ``config.toml`` in
                                                            the platform's config folder); when set, it must exist
``BACKSAFE_SHARED_DIR``         evaluation/items.py         the shared datasets folder that eval manifests name
                                                            ``${SHARED}`` (default: a ``shared`` folder beside a
                                                            parent of the manifest)
``BACKSAFE_DEBUG``              cli                         any value: a bug shows its traceback instead of one
                                                            "internal error" line
``BACKSAFE_NATIVE_LOGS``        cli                         any value: the pose model's C++ log lines stay on the
                                                            terminal (as with ``backsafe -v``)
``BACKSAFE_DB_BUSY_TIMEOUT_S``  coach cli                   seconds a logbook write waits for a locked SQLite file
                                                            (5)
``BACKSAFE_DATABASE_URL``       db/engine.py                the logbook database (default: a SQLite file in the user
                                                            data folder)
``NO_COLOR``                    coach cli                   any value: no colour in terminal output
==============================  ==========================  ========================================================
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "CONFIG_ENV",
    "DATABASE_URL_ENV",
    "config_file",
    "database_url",
    "db_busy_timeout_s",
    "debug",
    "decode_in_thread",
    "decode_threads",
    "native_logs",
    "no_color",
    "pose_cache_dir",
    "pose_split_allowed",
    "shared_dir",
]

CONFIG_ENV = "BACKSAFE_CONFIG"
DATABASE_URL_ENV = "BACKSAFE_DATABASE_URL"


def _get(name: str) -> str | None:
    return os.environ.get(name)


def pose_split_allowed() -> bool:
    """``BACKSAFE_POSE_SPLIT`` is not ``0``: a long clip may be posed as two halves at once."""
    return _get("BACKSAFE_POSE_SPLIT") != "0"


#: this process is one of as many batch workers as there are cores (batch/analyzer.py): no core is free for a
#: decoding thread, so decoding runs inline unless BACKSAFE_DECODE_THREAD says otherwise
_ONE_WORKER_PER_CORE = False


def one_worker_per_core() -> None:
    """Say that this process is one of as many workers as there are cores (decoding then runs inline)."""
    global _ONE_WORKER_PER_CORE
    _ONE_WORKER_PER_CORE = True


def decode_in_thread() -> bool:
    """Frames are decoded in a thread beside pose inference: ``BACKSAFE_DECODE_THREAD`` not ``0`` when set,
    otherwise yes unless this process is one batch worker per core (:func:`one_worker_per_core`)."""
    value = _get("BACKSAFE_DECODE_THREAD")
    if value is None:
        return not _ONE_WORKER_PER_CORE
    return value != "0"


def decode_threads() -> int:
    """``BACKSAFE_DECODE_THREADS``: FFmpeg's decoding threads (1 by default; 0 = FFmpeg's choice; unset or
    empty = 1)."""
    return int(_get("BACKSAFE_DECODE_THREADS") or 1)


def pose_cache_dir() -> Path | None:
    """``BACKSAFE_POSE_CACHE`` as a folder, or None when unset or empty."""
    value = _get("BACKSAFE_POSE_CACHE")
    return Path(value) if value else None


def config_file() -> Path | None:
    """``BACKSAFE_CONFIG`` (``~`` expanded), or None when unset or blank."""
    value = (_get(CONFIG_ENV) or "").strip()
    return Path(value).expanduser() if value else None


def shared_dir() -> str | None:
    """``BACKSAFE_SHARED_DIR`` as given (None when unset)."""
    return _get("BACKSAFE_SHARED_DIR")


def debug() -> bool:
    """``BACKSAFE_DEBUG`` set to anything but the empty string."""
    return bool(_get("BACKSAFE_DEBUG"))


def native_logs() -> bool:
    """``BACKSAFE_NATIVE_LOGS`` set to anything but the empty string."""
    return bool(_get("BACKSAFE_NATIVE_LOGS"))


def db_busy_timeout_s() -> float:
    """``BACKSAFE_DB_BUSY_TIMEOUT_S`` in seconds (5 when unset)."""
    return float(_get("BACKSAFE_DB_BUSY_TIMEOUT_S") or "5")


def database_url() -> str | None:
    """``BACKSAFE_DATABASE_URL`` stripped, or None when unset or blank."""
    return (_get(DATABASE_URL_ENV) or "").strip() or None


def no_color() -> bool:
    """``NO_COLOR`` set to anything but the empty string (https://no-color.org)."""
    return bool(_get("NO_COLOR"))
