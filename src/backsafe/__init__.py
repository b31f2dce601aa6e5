"""backsafe: per-rep form feedback that protects the lower back, and a pain-monitored training coach."""

from __future__ import annotations

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
from .model import Finding, Kinematics, PoseSequence, Rep, Report, Tempo
from .pipeline import AnalysisOptions, analyze

__version__ = "0.1.0"

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
