"""Which views can see what (COACHING_RULES.md §5 "View" column). Measured 3D sees everything."""

from __future__ import annotations

from ...model import Kinematics


def sagittal(kin: Kinematics) -> bool:
    """Bending forward/back, tempo depth: a side view (2D) or 3D."""
    return kin.dims == "3d" or kin.view == "side"


def frontal(kin: Kinematics) -> bool:
    """Knees in/out, lateral shift, pelvis drop and rotation: a front view (2D) or 3D."""
    return kin.dims == "3d" or kin.view == "front"


def any_view(kin: Kinematics) -> bool:
    return kin.view != "unknown" or kin.dims == "3d"
