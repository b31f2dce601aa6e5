"""Hypothesis strategies for pose sequences: arbitrary finite arrays and structured, moving skeletons.

Large arrays are drawn from a seeded NumPy generator whose *parameters* Hypothesis chooses (shape, scale,
dropouts, noise...): drawing 37 x 4 x T floats one by one would be slow, and shrinking the parameters gives a
readable failing example (the seed reproduces the array).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backsafe.exercises import load_library
from backsafe.model import PoseSequence
from backsafe.skeleton import CANONICAL_JOINTS, JOINT_INDEX

J = len(CANONICAL_JOINTS)
EXERCISES = sorted(load_library())
IMAGE_SOURCES = ("mediapipe", "coco18-npy", "openpose-json", "coco17-json", "blazepose-csv", "unknown")
WORLD_SOURCES = ("kinect-uiprmd", "kinect-v2", "vicon")

#: a side-view standing body, x right, y down, pixels (feet at y = 900, stature ~ 800 px)
_STAND = {
    "nose": (530, 130), "left_eye_inner": (535, 120), "left_eye": (538, 120), "left_eye_outer": (540, 121),
    "right_eye_inner": (532, 120), "right_eye": (534, 120), "right_eye_outer": (536, 121),
    "left_ear": (505, 125), "right_ear": (503, 125), "mouth_left": (528, 145), "mouth_right": (526, 145),
    "left_shoulder": (500, 220), "right_shoulder": (498, 222), "left_elbow": (505, 360), "right_elbow": (503, 362),
    "left_wrist": (515, 480), "right_wrist": (513, 482), "left_pinky": (517, 500), "right_pinky": (515, 502),
    "left_index": (519, 505), "right_index": (517, 507), "left_thumb": (520, 495), "right_thumb": (518, 497),
    "left_hip": (500, 500), "right_hip": (498, 502), "left_knee": (505, 700), "right_knee": (503, 702),
    "left_ankle": (500, 880), "right_ankle": (498, 882), "left_heel": (485, 895), "right_heel": (483, 897),
    "left_foot_index": (545, 900), "right_foot_index": (543, 902),
    "pelvis": (499, 501), "spine_mid": (499, 400), "spine_chest": (499, 300), "neck": (499, 200),
}
STAND = np.array([_STAND[n] for n in CANONICAL_JOINTS], dtype=np.float64)
_LOWER = [JOINT_INDEX[n] for n in CANONICAL_JOINTS if any(k in n for k in ("knee",))]
_UPPER = [i for i, n in enumerate(CANONICAL_JOINTS) if not any(k in n for k in ("knee", "ankle", "heel", "foot"))]
_ARMS = [JOINT_INDEX[n] for n in CANONICAL_JOINTS if any(k in n for k in ("elbow", "wrist", "pinky", "index", "thumb"))]


@dataclass(frozen=True)
class Motion:
    """Parameters of a structured sequence (printed by Hypothesis when a property fails)."""

    n_frames: int
    fps: float
    jitter: float  # share of the frame interval the time stamps wobble by (variable frame rate)
    reps: int
    depth: float  # 0..1 of a full squat
    arm_raise: float
    lean_deg: float
    noise_px: float
    drop_share: float  # share of joint samples missing
    gone_share: float  # share of frames with nobody
    swap_share: float  # share of frames with left/right legs swapped
    spike_share: float  # share of samples thrown far off (outliers)
    switch_at: float  # 0..1: another person (far away) from this point of the clip; > 1 = never
    scale: float
    world: bool
    seed: int


def _timestamps(rng: np.random.Generator, n: int, fps: float, jitter: float) -> np.ndarray:
    dt = np.full(n, 1.0 / fps)
    if jitter:
        dt *= 1.0 + jitter * (rng.random(n) - 0.5) * 2.0
    dt = np.maximum(dt, 1e-4)
    return np.cumsum(dt) - dt[0]


def motion_sequence(m: Motion, source: str) -> PoseSequence:
    rng = np.random.default_rng(m.seed)
    n = m.n_frames
    t = _timestamps(rng, n, m.fps, m.jitter)
    phase = np.clip(t / max(t[-1], 1e-9), 0, 1)
    d = m.depth * (0.5 - 0.5 * np.cos(2 * np.pi * m.reps * phase))  # 0 standing .. depth at the bottom
    xy = np.repeat(STAND[None], n, axis=0)
    xy[:, _UPPER, 1] += 250 * d[:, None]  # hips and everything above go down
    xy[:, _UPPER, 0] -= 80 * d[:, None]  # ... and back
    xy[:, _LOWER, 0] += 120 * d[:, None]  # knees forward
    lean = np.deg2rad(m.lean_deg) * d
    hip = xy[:, [JOINT_INDEX["left_hip"]], :].copy()
    rel = xy[:, _UPPER] - hip
    c, s = np.cos(lean)[:, None], np.sin(lean)[:, None]
    xy[:, _UPPER, 0] = hip[..., 0] + c * rel[..., 0] + s * rel[..., 1]
    xy[:, _UPPER, 1] = hip[..., 1] - s * rel[..., 0] + c * rel[..., 1]
    xy[:, _ARMS, 1] -= 300 * m.arm_raise * (0.5 - 0.5 * np.cos(2 * np.pi * m.reps * phase))[:, None]
    xy = xy * m.scale + rng.normal(0, m.noise_px, xy.shape)
    data = np.zeros((n, J, 4))
    data[..., :2] = xy
    data[..., 2] = rng.normal(0, 20, (n, J))
    data[..., 3] = rng.uniform(0.55, 1.0, (n, J))
    if m.switch_at <= 1:
        k = int(m.switch_at * n)
        data[k:, :, 0] += 3000 * m.scale
    swap = rng.random(n) < m.swap_share
    for a, b in ((JOINT_INDEX["left_knee"], JOINT_INDEX["right_knee"]),
                 (JOINT_INDEX["left_ankle"], JOINT_INDEX["right_ankle"])):
        data[swap, a], data[swap, b] = data[swap, b].copy(), data[swap, a].copy()
    spikes = rng.random((n, J)) < m.spike_share
    data[spikes, :2] += rng.normal(0, 2000, (int(spikes.sum()), 2))
    drop = rng.random((n, J)) < m.drop_share
    drop |= (rng.random(n) < m.gone_share)[:, None]
    data[drop, :3] = np.nan
    data[drop, 3] = 0.0
    data = data.astype(np.float32)
    if m.world:
        w = data[..., :3].astype(np.float64) / 1000.0
        w[..., 1] *= -1  # y up
        world = np.concatenate([w, data[..., 3:]], axis=2).astype(np.float32)
        return PoseSequence(data=world, timestamps_s=t, space="world", source=source)
    return PoseSequence(data=data, timestamps_s=t, space="image", image_size=(1920, 1080), source=source)


motions = st.builds(
    Motion,
    n_frames=st.integers(1, 240),
    fps=st.sampled_from([1.0, 5.0, 15.0, 24.0, 29.97, 30.0, 60.0, 240.0]) | st.floats(1.0, 240.0),
    jitter=st.sampled_from([0.0, 0.0, 0.3, 0.9]),
    reps=st.integers(0, 8),
    depth=st.floats(0.0, 1.0),
    arm_raise=st.floats(0.0, 1.0),
    lean_deg=st.floats(-60.0, 90.0),
    noise_px=st.sampled_from([0.0, 1.0, 5.0, 40.0]),
    drop_share=st.sampled_from([0.0, 0.05, 0.3, 0.9, 1.0]),
    gone_share=st.sampled_from([0.0, 0.1, 0.5]),
    swap_share=st.sampled_from([0.0, 0.05]),
    spike_share=st.sampled_from([0.0, 0.01, 0.2]),
    switch_at=st.sampled_from([2.0, 2.0, 0.0, 0.3, 0.6]),
    scale=st.sampled_from([1.0, 1e-3, 0.25, 40.0]),
    world=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)


class Drawn:
    """A drawn PoseSequence that Hypothesis prints by its parameters, not by its (large) arrays."""

    def __init__(self, desc: str, pose: PoseSequence) -> None:
        self.desc = desc
        self.pose = pose

    def __repr__(self) -> str:
        return self.desc


@st.composite
def structured_poses(draw: st.DrawFn) -> Drawn:
    m = draw(motions)
    source = draw(st.sampled_from(WORLD_SOURCES if m.world else IMAGE_SOURCES))
    return Drawn(f"motion_sequence({m!r}, {source!r})", motion_sequence(m, source))


@st.composite
def arbitrary_poses(draw: st.DrawFn) -> Drawn:
    """Any finite (T, J, 4) array: tiny ones element by element, bigger ones from a seeded generator."""
    world = draw(st.booleans())
    source = draw(st.sampled_from(WORLD_SOURCES if world else IMAGE_SOURCES))
    if draw(st.booleans()):
        n = draw(st.integers(1, 4))
        elements = st.floats(-1e6, 1e6, allow_nan=False, width=32)
        data = draw(hnp.arrays(np.float32, (n, J, 4), elements=elements))
        desc = f"elementwise array {data.tolist()!r}"
    else:
        n = draw(st.integers(1, 300))
        seed = draw(st.integers(0, 2**32 - 1))
        kind = draw(st.sampled_from(["uniform", "normal", "constant", "huge", "tiny", "zeros", "integers"]))
        rng = np.random.default_rng(seed)
        shape = (n, J, 4)
        data = {
            "uniform": lambda: rng.uniform(-1000, 1000, shape),
            "normal": lambda: rng.normal(500, 200, shape),
            "constant": lambda: np.full(shape, rng.uniform(-10, 10)),
            "huge": lambda: rng.uniform(-3e38, 3e38, shape),
            "tiny": lambda: rng.uniform(-1e-30, 1e-30, shape),
            "zeros": lambda: np.zeros(shape),
            "integers": lambda: rng.integers(-3, 4, shape).astype(float),
        }[kind]().astype(np.float32)
        conf = draw(st.sampled_from(["as is", "valid", "zero", "one"]))
        desc = f"seeded array n={n} seed={seed} kind={kind} conf={conf}"
        if conf == "valid":
            data[..., 3] = rng.uniform(0, 1, (n, J))
        elif conf == "zero":
            data[..., 3] = 0.0
        elif conf == "one":
            data[..., 3] = 1.0
    fps = draw(st.floats(1.0, 1000.0))
    t = np.arange(data.shape[0], dtype=np.float64) / fps
    if world:
        return Drawn(f"{desc} fps={fps} world {source}",
                     PoseSequence(data=data, timestamps_s=t, space="world", source=source))
    size = draw(st.sampled_from([None, (1, 1), (640, 480), (1920, 1080)]))
    return Drawn(f"{desc} fps={fps} image {size} {source}",
                 PoseSequence(data=data, timestamps_s=t, space="image", image_size=size, source=source))


poses = st.one_of(structured_poses(), arbitrary_poses())
