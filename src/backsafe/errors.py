"""Every error backsafe raises on purpose.

::

    BacksafeError                 base; CLI exit 1 if nothing more specific applies
    ├── InputError                bad input: CLI exit 3, HTTP 422
    │   ├── VideoReadError        the file is not a decodable video (empty, truncated, not a video)
    │   ├── KeypointFormatError   a keypoint file of the wrong shape, columns or content
    │   ├── ValueRangeError       an absurd value (negative load, pain 11/10, tempo "9-9-9-9-9")
    │   └── MultiplePeopleError   two people of similar size in frame: backsafe will not guess which one
    ├── NoPersonError             no person (or too little of one) found: CLI exit 4, HTTP 422
    ├── UnknownExerciseError      an exercise id not in the library: exit 2 (usage), HTTP 422
    ├── DependencyError           an optional component (MediaPipe, Ray) is missing or broken: exit 1
    └── StorageError              the training log could not be read or written: exit 1

Messages say what, where, expected vs. got and what to do, on one line.
"""

from __future__ import annotations

__all__ = [
    "BacksafeError",
    "InputError",
    "VideoReadError",
    "KeypointFormatError",
    "ValueRangeError",
    "NoPersonError",
    "MultiplePeopleError",
    "UnknownExerciseError",
    "DependencyError",
    "StorageError",
]


class BacksafeError(Exception):
    """Base of every error backsafe raises on purpose."""


class InputError(BacksafeError):
    """Bad input (file or value): CLI exit 3, HTTP 422."""


class VideoReadError(InputError):
    """A video that cannot be decoded: empty, truncated, not a video, no video stream."""


class KeypointFormatError(InputError):
    """A keypoint file whose shape, columns or values do not match its declared format."""


class ValueRangeError(InputError):
    """A value outside its allowed range (load, pain score, tempo, fps, body mass)."""


class MultiplePeopleError(InputError):
    """More than one person is in frame and backsafe cannot tell which one to analyse."""


class NoPersonError(BacksafeError):
    """No person, or too few frames with a person, was found: CLI exit 4."""


class UnknownExerciseError(BacksafeError):
    """An exercise id that is not in the exercise library: CLI exit 2."""


class DependencyError(BacksafeError):
    """A component backsafe needs is missing or broken (e.g. MediaPipe not installed)."""


class StorageError(BacksafeError):
    """The training log database could not be opened, read or written."""
