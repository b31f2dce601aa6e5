"""The back's outline in an analysis: whether to trace it, tracing it, and what the report says when it could not
be traced (the measuring itself: kinematics/back_contour.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exercises import Exercise
from ..io.video import is_video
from ..model import Kinematics, PoseSequence, Rep
from ..options import AnalysisOptions

if TYPE_CHECKING:
    from ..kinematics.back_contour import BackShapeFn, OutlineStatus

__all__ = ["HINGE_PATTERNS", "outline_wanted", "trace_outline"]

#: movement patterns that lean the trunk past 40° by design: there the outline is the main back measure, and a set
#: in which it could not be traced for that reason is worth a warning (exercises.json "pattern")
HINGE_PATTERNS = frozenset({"hinge", "hinge_hold", "ballistic"})


def outline_wanted(opts: AnalysisOptions, ex: Exercise, path: Path) -> tuple[bool, str | None]:
    """(trace the back's outline?, why not): on by default for a video of an exercise that checks back_rounding
    (``back_shape`` None or True); off with ``back_shape=False`` (``--no-back-shape``)."""
    if "back_rounding" not in ex.faults:
        return False, None
    if opts.back_shape is False:
        return False, "off"
    if not is_video(path, opts.input_format):
        return False, "no_video"
    return True, None


def trace_outline(
    back_shape_fn: BackShapeFn | None, outline_off: str | None, cleaned: PoseSequence, kin: Kinematics,
    reps: list[Rep], ex: Exercise, warnings: list[str],
) -> tuple[list[Any], OutlineStatus | None]:
    """(the BackShape of each traced rep, the outline's status for the report or None when there is nothing to
    say). Its message joins ``warnings`` in a side view, unless an upright squat or lunge simply never leaned
    past 40°."""
    shapes: list[Any] = []
    if back_shape_fn is None and (outline_off is None or "back_rounding" not in ex.faults):
        return shapes, None
    from ..faults.rules._views import sagittal
    from ..kinematics.back_contour import outline_status

    trace_log = None
    if back_shape_fn is not None and reps:
        got = back_shape_fn(cleaned, kin, reps)
        shapes, trace_log = got if isinstance(got, tuple) else (got, None)
    outline = outline_status(kin, reps, shapes, attempted=back_shape_fn is not None, set_reason=outline_off,
                             log=trace_log)
    if kin.dims == "3d":
        return shapes, None  # measured 3D keypoints have their own back measures: nothing to say about a mask
    if outline.message and sagittal(kin) and not (outline.all_upright and ex.pattern not in HINGE_PATTERNS):
        # other views: the fault rules already say back rounding is not judged; an upright squat or lunge is
        # not expected to lean past 40° (its status is in the JSON), a hinge is
        warnings.append(outline.message)
    return shapes, outline
