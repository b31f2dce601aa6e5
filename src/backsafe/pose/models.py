"""The pose model sizes (``--model lite|full|heavy``): names and validation only, no MediaPipe import, so that
code which only checks options (options.py, the CLI, the web form) stays light."""

from __future__ import annotations

from typing import Literal, get_args

from ..errors import ValueRangeError

__all__ = ["COMPLEXITY", "DEFAULT_MODEL", "POSE_MODELS", "PoseModel", "check_model_name", "describe_model"]

PoseModel = Literal["lite", "full", "heavy"]
#: the model sizes, fastest first
POSE_MODELS: tuple[str, ...] = get_args(PoseModel)
#: the library's default (``analyze``, ``batch``, ``live`` and the web app unless told otherwise); README "Pose model"
DEFAULT_MODEL: PoseModel = "full"
#: MediaPipe's ``model_complexity`` of each size
COMPLEXITY: dict[str, int] = {"lite": 0, "full": 1, "heavy": 2}


def check_model_name(model: object) -> PoseModel:
    """``model`` as a PoseModel; ValueRangeError (an InputError: CLI exit 3, web 422) for anything else."""
    if not isinstance(model, str) or model not in POSE_MODELS:
        raise ValueRangeError(f"pose model {model!r}: expected one of {', '.join(POSE_MODELS)}")
    return model  # type: ignore[return-value]


def describe_model(model: str) -> str:
    """The report's ``input.pose_model`` text for ``model``."""
    return f"mediapipe-blazepose-{model} (legacy solution, complexity {COMPLEXITY[check_model_name(model)]})"
