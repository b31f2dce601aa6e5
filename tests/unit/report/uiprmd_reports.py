"""Reports built from real UI-PRMD Kinect recordings (../shared/datasets/ui_prmd): 3D angles computed here with
plain numpy, one dataset repetition = one Rep, so the comparison tests need no other stage of backsafe."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from backsafe.model import Kinematics, Rep, Tempo

# UI-PRMD Kinect joint order
from backsafe.report.document import Report
WAIST, CHEST, NECK = 0, 2, 3
L_HIP, L_KNEE, L_ANKLE, R_HIP, R_KNEE, R_ANKLE = 14, 15, 16, 18, 19, 20
FPS = 30.0


def _angle(a: np.ndarray, v: np.ndarray, b: np.ndarray) -> np.ndarray:
    u, w = a - v, b - v
    cos = np.sum(u * w, axis=1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(w, axis=1))
    return np.degrees(np.arccos(np.clip(cos, -1, 1)))


def _series(p: np.ndarray) -> dict[str, np.ndarray]:
    knee = 180 - (_angle(p[:, L_HIP], p[:, L_KNEE], p[:, L_ANKLE]) + _angle(p[:, R_HIP], p[:, R_KNEE], p[:, R_ANKLE])) / 2
    mid_knee = (p[:, L_KNEE] + p[:, R_KNEE]) / 2
    mid_hip = (p[:, L_HIP] + p[:, R_HIP]) / 2
    hip = 180 - _angle(p[:, NECK], mid_hip, mid_knee)
    trunk_vec = p[:, NECK] - p[:, WAIST]
    trunk = np.degrees(np.arccos(np.clip(trunk_vec[:, 1] / np.linalg.norm(trunk_vec, axis=1), -1, 1)))
    return {"knee_flexion_deg": knee, "hip_flexion_deg": hip, "trunk_inclination_deg": trunk}


def _rep(index: int, s: int, knee: np.ndarray) -> Rep:
    n = len(knee)
    turn = int(np.argmax(knee))
    near = np.flatnonzero(knee >= knee.max() - 5.0)
    b0, b1 = int(near[0]), int(near[-1]) + 1
    b0, b1 = min(b0, turn), max(b1, turn + 1)
    top0 = max(b1, n - 3)
    spans = {"eccentric": (0, b0), "bottom": (b0, b1), "concentric": (b1, top0), "top": (top0, n)}
    phases = {k: (s + a, s + b) for k, (a, b) in spans.items() if b > a}
    d = {k: (b - a) / FPS for k, (a, b) in spans.items()}
    return Rep(index=index, start_frame=s, turn_frame=s + turn, end_frame=s + n, start_s=s / FPS,
               end_s=(s + n - 1) / FPS, tempo=Tempo(d["eccentric"], d["bottom"], d["concentric"], d["top"]),
               phase_frames=phases)


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as d:
        return {k: d[k] for k in ("offsets", "subject", "correct", "positions_abs")}


def uiprmd_report(datasets: Path, subject: int, correct: bool, movement: str = "m01_deep_squat",
                  exercise: str = "squat", max_reps: int = 10) -> Report:
    d = _load(datasets / "ui_prmd" / "kinect" / f"{movement}.npz")
    off = d["offsets"]
    sel = [i for i in range(len(off) - 1) if d["subject"][i] == subject and bool(d["correct"][i]) == correct]
    sel = sel[:max_reps]
    parts: dict[str, list[np.ndarray]] = {}
    reps: list[Rep] = []
    start = 0
    for k, i in enumerate(sel):
        s = _series(d["positions_abs"][off[i] : off[i + 1]].astype(np.float64))
        for name, v in s.items():
            parts.setdefault(name, []).append(v)
        reps.append(_rep(k + 1, start, s["knee_flexion_deg"]))
        start += len(s["knee_flexion_deg"])
    series = {k: np.concatenate(v) for k, v in parts.items()}
    kin = Kinematics(timestamps_s=np.arange(start) / FPS, series=series, units={k: "deg" for k in series},
                     view="side", dims="3d")
    return Report(input={"path": f"ui_prmd/{movement} s{subject} {'correct' if correct else 'incorrect'}"},
                  exercise=exercise, view="side", dims="3d", reps=reps, findings=[], warnings=[], quality="ok",
                  top_cue="", kinematics=kin)
