"""What to film for an exercise, and from which side (DESIGN §views; COACHING_RULES.md §9: side view at hip
height, ~3 m, whole body)."""

from __future__ import annotations

from ...exercises import Exercise

__all__ = ["film_instructions"]

_SIDE_FAULTS = {"back_rounding": "back rounding", "back_arching": "back arching", "hips_piked": "hip height",
                "load_far_from_body": "how far the load is from your body", "rushing": "tempo",
                "partial_range": "depth", "jumping": "feet leaving the floor"}
_FRONT_FAULTS = {"knee_valgus": "knees in", "knee_varus": "knees out", "lateral_shift": "shifting to one side",
                 "hip_rotation": "hip drop or twist"}


def film_instructions(ex: Exercise) -> str:
    """What to film and from which side (DESIGN §views; §9: side view at hip height, ~3 m, whole body)."""
    if ex.film_side is None:
        return "No clip needed for this one."
    if ex.film_side == "side":
        seen = [v for k, v in _SIDE_FAULTS.items() if k in ex.faults]
        text = "Film from the side: camera at hip height, about 3 m away, whole body in frame"
        other = [v for k, v in _FRONT_FAULTS.items() if k in ex.faults]
        extra = f"; a second clip from the front at knee height shows {', '.join(other)}" if other and "front" in ex.views else ""
    else:
        seen = [v for k, v in _FRONT_FAULTS.items() if k in ex.faults] or [v for k, v in _SIDE_FAULTS.items() if k in ex.faults]
        text = "Film from the front: camera at knee height, about 3 m away, whole body in frame"
        other = [v for k, v in _SIDE_FAULTS.items() if k in ex.faults and k != "rushing"]
        extra = f"; a second clip from the side shows {', '.join(other)}" if other and "side" in ex.views else ""
    return text + (f" (shows {', '.join(seen)})" if seen else "") + extra + "."
