"""Which way is down: turn a sideways or upside-down clip (a phone clip turned without a rotation flag) upright.

The body says where the floor is (issue 16, COACHING_RULES §5 "View"): standing, the feet are below the hips and the
hips below the shoulders; in a push-up, plank or bird dog the body lies along the floor with the hands (or elbows)
and the feet on one floor line under the trunk; lying on the back (bridge, curl-up, dead bug) the shoulders and the
feet are on the floor and the knees point up. A rotation of the image by 90°, 180° or 270° breaks these, and the
analysis downstream (vertical = image y, trunk inclination, the L5/S1 moment, the facing direction) needs them.

- :func:`upright_score` — the share of frames whose skeleton is upright as it stands (image y down), for
  standing exercises, floor exercises, or either when the exercise is not known.
- :func:`choose_rotation` — the quarter turn (0, 90, 180, 270° counter-clockwise, as ``np.rot90``) that makes the
  skeleton upright; 0 unless the skeleton as given is implausible and a turn is clearly better.
- :func:`rotate_pose` — turn image-space keypoints by that quarter turn (the frame turns with them).

Videos: the pipeline first runs pose on the clip as it is (the normal case: the check costs well under 1 ms of
keypoint arithmetic, see tests/unit/test_orientation.py); only when the skeleton is implausible are a handful of
frames tried at the four turns (:func:`rotation_from_frames`), because MediaPipe on a sideways frame is poor.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .model import PoseSequence
from .skeleton import JOINT_INDEX as J

FloatArray = npt.NDArray[np.float64]
Posture = Literal["standing", "floor", "any"]
ROTATIONS: tuple[int, ...] = (0, 90, 180, 270)

#: exercises done lying on the floor (prone on hands/elbows/knees, supine, side-lying): their "down" is the floor
#: line under the body, not the feet. Exercises that mix both (burpee, incline push-up on a bench, a row lying on
#: an inclined bench) are "any".
FLOOR_EXERCISES = frozenset({
    "plank", "knee_plank", "side_plank", "glute_bridge", "single_leg_glute_bridge", "bird_dog", "dead_bug",
    "cat_camel", "curl_up", "clamshell", "push_up", "swimming",
})
MIXED_EXERCISES = frozenset({"burpee", "step_back_burpee", "incline_push_up", "chest_supported_row"})

#: a frame is "standing" when the hips→feet line is within 50° of straight down (a lunge's two feet average below
#: the hips; a squat's shins lean but the feet stay under the hips) and the shoulders→feet line within 70° (a good
#: morning or a bent-over row brings the shoulders level with the hips, never below the feet)
STANDING_LEGS_DEG = 50.0
STANDING_BODY_DEG = 70.0
#: a body "lies along the floor" when its shoulders→feet line is within 40° of horizontal (a push-up's top: ~15°;
#: a bird dog on hands and knees: ~25°)
FLOOR_AXIS_DEG = 40.0
#: prone support: the lowest hand/elbow at least 0.35 torso lengths below the shoulders (a forearm plank: the upper
#: arm ≈ 0.6 torso lengths), and on the floor line of the feet (within 0.6 torso lengths of the lowest foot point)
SUPPORT_BELOW_TORSO = 0.35
FLOOR_LINE_TORSO = 0.6
#: a skeleton "is upright" when at least this share of its frames is; a turn is taken only when it is upright and
#: the skeleton as given is not (the normal upright clip is never turned by a tie)
UPRIGHT_SHARE = 0.5
#: the sampled-frame test: frames tried at each turn (spread over the clip), and the least mean visibility of the
#: trunk and leg landmarks for a sampled skeleton to count
SAMPLE_FRAMES = 5
MIN_SAMPLE_VISIBILITY = 0.5
SAMPLED_SHARE = 0.3
SAMPLED_MARGIN = 0.2


def posture_of(exercise: str | None) -> Posture:
    """The posture ``exercise`` is done in: "floor", "standing", or "any" (unknown or mixed)."""
    if not exercise:
        return "any"
    if exercise in FLOOR_EXERCISES:
        return "floor"
    if exercise in MIXED_EXERCISES:
        return "any"
    from .exercises import get_exercise

    try:
        get_exercise(exercise)
    except Exception:  # an unknown id (recognition not done yet): say nothing about the posture
        return "any"
    return "standing"


def _mean(*arrays: FloatArray) -> FloatArray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return np.asarray(np.nanmean(np.stack(arrays), axis=0), dtype=np.float64)


def _max(*arrays: FloatArray) -> FloatArray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return np.asarray(np.nanmax(np.stack(arrays), axis=0), dtype=np.float64)


def _pt(xy: FloatArray, name: str) -> FloatArray:
    return xy[:, J[name]]


def _angle_from(v: FloatArray, direction: tuple[float, float]) -> FloatArray:
    d = np.asarray(direction, dtype=np.float64)
    n = np.linalg.norm(v, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = (v @ d) / n
    return np.asarray(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class Upright:
    """Share of the measurable frames that are upright as standing / as lying on the floor, and how many frames
    could be judged at all."""

    standing: float
    floor: float
    frames: int
    prone: float = 0.0  # the floor frames on hands/elbows/knees (a supine figure needs the exercise to be known)

    def score(self, posture: Posture) -> float:
        if posture == "standing":
            return self.standing
        if posture == "floor":
            return self.floor
        # not knowing the exercise, lying on the back is not taken: a sideways front-view squat (left and right
        # legs one above the other) would pass for it
        return max(self.standing, self.prone)


def upright_score(xy: npt.NDArray[Any]) -> Upright:
    """How upright a 2D skeleton is in image coordinates (x right, y down): ``xy`` is (T, J, 2+) canonical joints.

    Standing: feet below the hips and the shoulders (angles above). Floor: the body along the floor
    (shoulders→feet within 40° of horizontal) with either the hands/elbows under the shoulders on the feet's floor
    line (prone: push-up, plank, bird dog) or the shoulders and feet on one line with the knees raised above the
    hips (supine: bridge, curl-up, dead bug) — never a trunk hanging below its supports.
    """
    p = np.asarray(xy[..., :2], dtype=np.float64)
    sh = _mean(_pt(p, "left_shoulder"), _pt(p, "right_shoulder"))
    hip = _mean(_pt(p, "left_hip"), _pt(p, "right_hip"))
    feet = _mean(*(_pt(p, n) for n in ("left_ankle", "right_ankle", "left_heel", "right_heel",
                                        "left_foot_index", "right_foot_index")))
    torso = np.linalg.norm(sh - hip, axis=1)
    trunk_ok = np.isfinite(sh).all(axis=1) & np.isfinite(hip).all(axis=1) & (torso > 0)
    ok = trunk_ok & np.isfinite(feet).all(axis=1)
    if not ok.any():
        # an upper-body file (no legs: Pose Trainer, Exercise-Correction curls): upright = the trunk points up
        # (hips→shoulders within 60° of vertical, as in every standing or seated upper-body exercise)
        n_up = int(trunk_ok.sum())
        if n_up == 0:
            return Upright(0.0, 0.0, 0)
        up_trunk = _angle_from(sh - hip, (0.0, -1.0)) < 60.0
        return Upright(standing=float(up_trunk[trunk_ok].mean()), floor=0.0, frames=n_up)
    n = int(ok.sum())
    down = (0.0, 1.0)
    legs = _angle_from(feet - hip, down)
    body = _angle_from(feet - sh, down)
    standing = (legs < STANDING_LEGS_DEG) & (body < STANDING_BODY_DEG)
    axis = feet - sh
    with np.errstate(invalid="ignore", divide="ignore"):
        flat = np.degrees(np.arctan2(np.abs(axis[:, 1]), np.abs(axis[:, 0]))) < FLOOR_AXIS_DEG
    # y grows downwards: "below" = larger y
    arms = np.stack([_pt(p, n) for n in ("left_wrist", "right_wrist", "left_elbow", "right_elbow")], axis=1)
    arm_y = np.where(np.isfinite(arms[..., 1]), arms[..., 1], -np.inf)
    low = np.argmax(arm_y, axis=1)
    arm_low = np.where(np.isfinite(arm_y.max(axis=1)), arm_y.max(axis=1), np.nan)
    # the support is under the shoulders (hands in a push-up, elbows in a plank, hands in a bird dog), not at the
    # hips as a forearm held forward in a curl is when a standing figure lies sideways
    under = np.abs(arms[np.arange(len(low)), low, 0] - sh[:, 0]) < 0.5 * torso
    foot_low = _max(*(_pt(p, n)[:, 1] for n in ("left_ankle", "right_ankle", "left_heel", "right_heel",
                                                 "left_foot_index", "right_foot_index", "left_knee", "right_knee")))
    with np.errstate(invalid="ignore"):
        prone = ((arm_low - sh[:, 1] >= SUPPORT_BELOW_TORSO * torso) & under
                 & (np.abs(arm_low - foot_low) <= FLOOR_LINE_TORSO * torso)
                 & (hip[:, 1] < arm_low))
        knee_high = np.fmin(_pt(p, "left_knee")[:, 1], _pt(p, "right_knee")[:, 1])
        supine = ((np.abs(sh[:, 1] - foot_low) <= FLOOR_LINE_TORSO * torso)
                  & (knee_high < hip[:, 1] - 0.5 * torso)
                  & (hip[:, 1] <= np.fmax(sh[:, 1], foot_low) + 0.3 * torso))
    floor = flat & (prone | supine)
    # seen from the side, lying prone: left and right shoulders (and hips) side by side, not one above the other as
    # the legs and arms of a sideways front-view figure are (a side plank filmed from the front is one above the
    # other, and is judged only when the exercise is known to lie on the floor)
    with np.errstate(invalid="ignore"):
        level = ((np.abs(_pt(p, "left_shoulder")[:, 1] - _pt(p, "right_shoulder")[:, 1]) < 0.4 * torso)
                 & (np.abs(_pt(p, "left_hip")[:, 1] - _pt(p, "right_hip")[:, 1]) < 0.4 * torso))
    return Upright(standing=float(standing[ok].mean()), floor=float(floor[ok].mean()), frames=n,
                   prone=float((flat & prone & level)[ok].mean()))


def rotate_xy(x: npt.NDArray[Any], y: npt.NDArray[Any], width: float, height: float,
              deg: int) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Image coordinates after turning a ``width`` × ``height`` frame by ``deg`` counter-clockwise (``np.rot90``
    with k = deg / 90: the frame's right edge becomes its top)."""
    k = (deg // 90) % 4
    if k == 0:
        return x, y
    if k == 1:
        return y, width - x
    if k == 2:
        return width - x, height - y
    return height - y, x


def _extent(data: npt.NDArray[Any], size: tuple[int, int] | None) -> tuple[float, float]:
    if size is not None:
        return float(size[0]), float(size[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        w = float(np.nanmax(data[..., 0])) if np.isfinite(data[..., 0]).any() else 0.0
        h = float(np.nanmax(data[..., 1])) if np.isfinite(data[..., 1]).any() else 0.0
    return max(w, 0.0) + 1.0, max(h, 0.0) + 1.0


def rotate_pose(pose: PoseSequence, deg: int) -> PoseSequence:
    """Image-space keypoints as they would be on the frame turned ``deg`` counter-clockwise (90, 180, 270).

    The frame turns with them (``image_size`` swaps for a quarter turn). MediaPipe's estimated world landmarks
    (y up relative to the image) turn about the depth axis the same way. World-space input (measured 3D, y up
    from the sensor) is returned unchanged: its up axis does not depend on how a camera was held."""
    k = (deg // 90) % 4
    if k == 0 or pose.space != "image":
        return pose
    data = pose.data.copy()
    w, h = _extent(pose.data, pose.image_size)
    data[..., 0], data[..., 1] = rotate_xy(pose.data[..., 0], pose.data[..., 1], w, h, deg)
    size = pose.image_size
    if size is not None and k % 2 == 1:
        size = (size[1], size[0])
    world = pose.world
    if world is not None:
        # world: x right, y up (image y flipped); a counter-clockwise turn of the image is a counter-clockwise turn
        # of (x, y-up) as well: (x, y) -> (-y, x) per quarter
        world = world.copy()
        wx, wy = world[..., 0].copy(), world[..., 1].copy()
        for _ in range(k):
            wx, wy = -wy, wx
        world[..., 0], world[..., 1] = wx, wy
    return pose.replace(data=data, image_size=size, world=world)


@dataclass(frozen=True, slots=True)
class Orientation:
    """The turn chosen (counter-clockwise degrees) and the evidence: upright share at each turn tried."""

    rotation_deg: int
    scores: dict[int, float]
    posture: Posture
    method: str  # "keypoints" or "sampled frames"

    def as_dict(self) -> dict[str, Any]:
        return {"rotation_deg": self.rotation_deg, "posture": self.posture, "method": self.method,
                "upright_share": {str(k): round(v, 3) for k, v in self.scores.items()}}


def is_upright(pose: PoseSequence, posture: Posture = "any") -> bool:
    """Whether the skeleton as given is upright for ``posture`` (always True for world-space input)."""
    if pose.space != "image":
        return True
    up = upright_score(pose.data)
    return up.frames == 0 or up.score(posture) >= UPRIGHT_SHARE


def choose_rotation(pose: PoseSequence, posture: Posture = "any") -> Orientation:
    """The quarter turn that makes image-space keypoints upright (0 when they already are, or when no turn is
    clearly upright: a clip is never turned on a guess)."""
    if pose.space != "image":
        return Orientation(0, {}, posture, "keypoints")
    scores: dict[int, float] = {}
    ups: dict[int, Upright] = {}
    for deg in ROTATIONS:
        ups[deg] = upright_score(rotate_pose(pose, deg).data)
        scores[deg] = ups[deg].score(posture)
        if deg == 0 and scores[0] >= UPRIGHT_SHARE:
            return Orientation(0, scores, posture, "keypoints")
    return Orientation(_best_turn(scores, ups, posture), scores, posture, "keypoints")


def _best_turn(scores: dict[int, float], ups: dict[int, Upright], posture: Posture,
               need: float = UPRIGHT_SHARE) -> int:
    """The upright turn with the highest share; not knowing the exercise, standing first (the common case), then
    lying prone; 0 when none reaches UPRIGHT_SHARE or none beats the clip as it is."""
    order: list[dict[int, float]] = [scores]
    if posture == "any":
        order = [{d: u.standing for d, u in ups.items()}, {d: u.prone for d, u in ups.items()}]
    for share in order:
        best = max(ROTATIONS, key=lambda d: (share[d], d == 0))
        if best != 0 and share[best] >= need and share[best] > share[0]:
            return best
    return 0


FrameEstimator = Callable[[npt.NDArray[np.uint8]], "npt.NDArray[np.float32] | None"]


def rotation_from_frames(frames: Sequence[npt.NDArray[np.uint8]], estimate: FrameEstimator,
                         posture: Posture = "any") -> Orientation:
    """The quarter turn under which a pose model sees an upright, confident person on a few sampled frames.

    ``estimate(rgb)`` returns the BlazePose-33 image landmarks (33, 4: x, y px, z, visibility) of one frame or
    None. Each turn is scored by the share of sampled frames with an upright skeleton whose trunk and leg
    landmarks are seen (mean visibility ≥ 0.5), ties broken by the mean visibility; 0 wins ties (no turn on a
    guess).
    """
    from .skeleton import N_JOINTS

    core = [J[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_knee", "right_knee",
                           "left_ankle", "right_ankle")]
    scores: dict[int, float] = {}
    ups: dict[int, Upright] = {}
    vis: dict[int, float] = {}
    for deg in ROTATIONS:
        rows = []
        seen = []
        for rgb in frames:
            img = np.ascontiguousarray(np.rot90(rgb, k=deg // 90)) if deg else rgb
            lm = estimate(img)
            if lm is None:
                seen.append(0.0)
                continue
            full = np.full((N_JOINTS, 4), np.nan, dtype=np.float64)
            full[: lm.shape[0]] = lm
            v = float(np.nanmean(full[core, 3]))
            seen.append(v)
            if v >= MIN_SAMPLE_VISIBILITY:
                rows.append(full)
        seen_share = len(rows) / max(len(frames), 1)
        up = upright_score(np.stack(rows)) if rows else Upright(0.0, 0.0, 0)
        # a turn counts by its upright frames among all sampled ones (a frame with nobody seen is not upright)
        ups[deg] = Upright(up.standing * seen_share, up.floor * seen_share, up.frames, up.prone * seen_share)
        scores[deg] = ups[deg].score(posture)
        vis[deg] = float(np.mean(seen)) if seen else 0.0
    # the clip as it is already failed the keypoint check, so a few sampled frames need less: the turn whose
    # upright share is at least SAMPLED_SHARE and SAMPLED_MARGIN above the clip as it is (a clip with other people
    # or other moves in it has sampled frames that are upright under no turn)
    best = _best_turn(scores, ups, posture, need=SAMPLED_SHARE)
    if best != 0 and scores[best] < scores[0] + SAMPLED_MARGIN:
        best = 0
    return Orientation(best, scores, posture, "sampled frames")


def turned_warning(deg: int) -> str:
    """The report's words for a turned clip."""
    way = {90: "a quarter turn to the left", 180: "upside down", 270: "a quarter turn to the right"}[deg]
    return (f"the clip was turned {way} (the person was not upright and the file has no rotation flag); it was "
            "analysed turned upright")
