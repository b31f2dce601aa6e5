"""Load a Python file that is not importable as a package module (tools/*.py, helpers in test folders)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_module(name: str, path: Path, *, register: bool = False) -> ModuleType:
    """The module at ``path`` under ``name``; ``register`` puts it in ``sys.modules`` first (dataclasses and
    pickling look their module up there)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    if register:
        sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod
