"""backsafe: per-rep form feedback that protects the lower back, and a pain-monitored training coach."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import (
    BacksafeError,
    DependencyError,
    InputError,
    KeypointFormatError,
    MultiplePeopleError,
    NoPersonError,
    StorageError,
    UnknownExerciseError,
    ValueRangeError,
    VideoReadError,
)
from .model import Finding, Kinematics, PoseSequence, Rep, Tempo
from .report.document import Report
from .options import AnalysisOptions

if TYPE_CHECKING:
    from .pipeline import analyze

__all__ = [
    "AnalysisOptions",
    "BacksafeError",
    "DependencyError",
    "Finding",
    "InputError",
    "KeypointFormatError",
    "Kinematics",
    "MultiplePeopleError",
    "NoPersonError",
    "PoseSequence",
    "Rep",
    "Report",
    "StorageError",
    "Tempo",
    "UnknownExerciseError",
    "ValueRangeError",
    "VideoReadError",
    "__version__",
    "analyze",
]


def __getattr__(name: str) -> Any:
    """``analyze`` loads the pipeline (SciPy, the pose stack: 0.9 s) on first use, not on ``import backsafe``:
    the CLI's other commands and a batch driver handing work to pool workers never need it (PEP 562)."""
    if name == "analyze":
        from .pipeline import analyze

        return analyze
    raise AttributeError(f"module 'backsafe' has no attribute {name!r}")
