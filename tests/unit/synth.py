"""Synthetic skeletons with known geometry for stage tests (no MediaPipe)."""

from __future__ import annotations

import numpy as np

from backsafe.model import PoseSequence
from backsafe.skeleton import JOINT_INDEX as J
from backsafe.skeleton import N_JOINTS


def squat_frame(knee_flex_deg: float, facing: str = "right", view: str = "side", scale: float = 200.0,
                origin: tuple[float, float] = (500.0, 900.0)) -> np.ndarray:
    """One (J, 4) image-space frame of a person squatting to ``knee_flex_deg`` (hip flexion the same, trunk lean
    half of it), seen from the side or the front. Pixels, y down."""
    f = np.full((N_JOINTS, 4), np.nan, dtype=np.float32)
    f[:, 3] = 0.0
    sgn = 1.0 if facing == "right" else -1.0
    k = np.radians(knee_flex_deg)
    shank, thigh, trunk = 0.45 * scale, 0.45 * scale, 0.55 * scale
    ox, oy = origin
    width = 0.0 if view == "side" else 0.35 * scale
    for side, dx in (("left", -width / 2), ("right", width / 2)):
        ankle = np.array([ox + dx, oy])
        # shank leans forward by k/2, thigh back by k/2 (knee flexion = k)
        knee = ankle + np.array([sgn * shank * np.sin(k / 2), -shank * np.cos(k / 2)])
        hip = knee + np.array([-sgn * thigh * np.sin(k / 2), -thigh * np.cos(k / 2)])
        if view != "side":
            knee = ankle + np.array([0.0, -shank * np.cos(k / 2)])
            hip = knee + np.array([0.0, -thigh * np.cos(k / 2)])
        lean = k / 2
        shoulder = hip + np.array([sgn * trunk * np.sin(lean), -trunk * np.cos(lean)])
        if view != "side":
            shoulder = hip + np.array([dx * 0.3, -trunk * np.cos(lean)])
        heel = ankle + np.array([-sgn * 0.05 * scale, 0.02 * scale])
        toe = ankle + np.array([sgn * 0.15 * scale, 0.02 * scale])
        elbow = shoulder + np.array([0.0, 0.3 * scale])
        wrist = elbow + np.array([sgn * 0.1 * scale, 0.1 * scale])
        ear = shoulder + np.array([sgn * 0.03 * scale, -0.15 * scale])
        for name, p in (("ankle", ankle), ("knee", knee), ("hip", hip), ("shoulder", shoulder), ("heel", heel),
                        ("foot_index", toe), ("elbow", elbow), ("wrist", wrist), ("ear", ear)):
            f[J[f"{side}_{name}"], :2] = p
            f[J[f"{side}_{name}"], 3] = 0.99
    nose = 0.5 * (f[J["left_ear"], :2] + f[J["right_ear"], :2]) + np.array([sgn * 0.06 * scale, 0.0])
    f[J["nose"], :2] = nose
    f[J["nose"], 3] = 0.99
    return f


def squat_set(flexions: np.ndarray, fps: float = 30.0, **kw: object) -> PoseSequence:
    data = np.stack([squat_frame(float(v), **kw) for v in flexions])  # type: ignore[arg-type]
    return PoseSequence(data=data, timestamps_s=np.arange(len(flexions)) / fps, image_size=(1000, 1000),
                        source="mediapipe")


def rep_curve(n_reps: int, fps: float = 30.0, down_s: float = 1.5, bottom_s: float = 0.3, up_s: float = 1.0,
              rest_s: float = 1.0, depth: float = 100.0, lead_s: float = 1.0) -> np.ndarray:
    """Knee flexion: standing, then n reps of (cosine down, pause, cosine up, rest)."""
    def seg(a: float, b: float, dur: float) -> np.ndarray:
        n = max(1, int(round(dur * fps)))
        x = np.linspace(0, np.pi, n, endpoint=False)
        return a + (b - a) * (1 - np.cos(x)) / 2

    parts = [np.full(int(lead_s * fps), 5.0)]
    for _ in range(n_reps):
        parts += [seg(5.0, depth, down_s), np.full(int(bottom_s * fps), depth), seg(depth, 5.0, up_s),
                  np.full(int(rest_s * fps), 5.0)]
    return np.concatenate(parts)
