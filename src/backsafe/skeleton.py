"""The one canonical skeleton every adapter maps into.

It is the BlazePose-33 landmark set (MediaPipe's names, lower case) plus four trunk joints that motion-capture
skeletons measure and single-camera pose does not: ``pelvis`` (mid-hip / Kinect waist), ``spine_mid``,
``spine_chest`` (thorax) and ``neck``. A joint an input does not provide is NaN with confidence 0.
"""

from __future__ import annotations

BLAZEPOSE_33: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)

TRUNK_EXTRA: tuple[str, ...] = ("pelvis", "spine_mid", "spine_chest", "neck")

CANONICAL_JOINTS: tuple[str, ...] = BLAZEPOSE_33 + TRUNK_EXTRA
JOINT_INDEX: dict[str, int] = {name: i for i, name in enumerate(CANONICAL_JOINTS)}
N_JOINTS = len(CANONICAL_JOINTS)

#: pairs swapped when left and right are exchanged (swap repair, mirroring)
LEFT_RIGHT_PAIRS: tuple[tuple[int, int], ...] = tuple(
    (JOINT_INDEX[n], JOINT_INDEX["right_" + n[len("left_") :]])
    for n in CANONICAL_JOINTS
    if n.startswith("left_")
)

#: limbs used for drawing and for the swap-repair cost
BONES: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"),
    ("left_shoulder", "left_elbow"),
    ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"),
    ("right_elbow", "right_wrist"),
    ("left_hip", "left_knee"),
    ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"),
    ("right_knee", "right_ankle"),
    ("left_ankle", "left_heel"),
    ("left_heel", "left_foot_index"),
    ("left_ankle", "left_foot_index"),
    ("right_ankle", "right_heel"),
    ("right_heel", "right_foot_index"),
    ("right_ankle", "right_foot_index"),
    ("nose", "left_eye"),
    ("nose", "right_eye"),
    ("left_eye", "left_ear"),
    ("right_eye", "right_ear"),
)


def idx(name: str) -> int:
    """Index of a canonical joint name (KeyError with the list of names if unknown)."""
    try:
        return JOINT_INDEX[name]
    except KeyError:
        raise KeyError(f"unknown joint {name!r}; canonical joints: {', '.join(CANONICAL_JOINTS)}") from None
