"""Cleaned keypoints to kinematics, and kinematics to the reps of a set: the measuring stages that an analysis,
exercise recognition and a personal reference share."""

from __future__ import annotations

from dataclasses import replace
from ..exercises import Exercise
from ..kinematics.angles import compute_kinematics
from ..kinematics.filtering import clean_pose
from ..model import Kinematics, PoseSequence, Rep, View
from ..reps.segmentation import hold_as_rep, segment_reps, with_body_signals

__all__ = ["clean_and_measure", "find_reps"]


def clean_and_measure(
    pose: PoseSequence, view: View | None = None
) -> tuple[PoseSequence, dict[str, float], Kinematics]:
    """Cleaned keypoints, the cleaning stats, and their kinematics (which know where the tracker broke)."""
    cleaned, stats = clean_pose(pose)
    kin = with_body_signals(compute_kinematics(cleaned, view=view), cleaned)  # heights reps can fall back on
    breaks = stats.pop("track_breaks", ())
    if breaks:
        kin = replace(kin, track_breaks=tuple(breaks))
    return cleaned, stats, kin


def find_reps(kin: Kinematics, ex: Exercise) -> list[Rep]:
    """The reps of a set, or the hold as one rep."""
    return segment_reps(kin, ex) if ex.kind == "reps" else hold_as_rep(kin, ex)
