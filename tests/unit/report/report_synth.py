"""Synthetic squat sets for the report tests: kinematics, a consistent side-view skeleton, reps, findings,
and a small MP4 of the stick figure (no MediaPipe)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

from backsafe.model import Finding, Kinematics, PoseSequence, Rep, Tempo
from backsafe.report.document import Report
from backsafe.skeleton import JOINT_INDEX, N_JOINTS


def squat_curves(n_reps: int = 4, fps: float = 30.0, rep_s: float = 2.4, lead_s: float = 0.6,
                 rounding_rep: int | None = 2, rounding_deg: float = 25.0, speed: list[float] | None = None):
    """Knee flexion, hip flexion and trunk inclination (deg) of ``n_reps`` squats, and the rep frame spans."""
    speed = speed or [1.0] * n_reps
    spans: list[tuple[int, int, int]] = []
    knee: list[float] = [10.0] * int(lead_s * fps)
    trunk: list[float] = [12.0] * len(knee)
    for i in range(n_reps):
        n = int(rep_s * fps / speed[i])
        s = len(knee)
        ph = np.linspace(0, 2 * np.pi, n, endpoint=False)
        k = 10 + 50 * (1 - np.cos(ph))  # 10 -> 110 -> 10
        tr = 12 + 14 * (1 - np.cos(ph))  # 12 -> 40
        if rounding_rep is not None and i + 1 == rounding_rep:
            tr = tr + rounding_deg * np.clip(1 - np.cos(ph) - 1.0, 0, None)
        knee += list(k)
        trunk += list(tr)
        spans.append((s, s + n // 2, s + n))
    tail = int(lead_s * fps)
    knee += [10.0] * tail
    trunk += [12.0] * tail
    knee_a, trunk_a = np.asarray(knee), np.asarray(trunk)
    shank = 0.4 * knee_a
    hip = (knee_a - shank) + trunk_a
    return knee_a, hip, trunk_a, spans


def side_pose(knee: np.ndarray, trunk: np.ndarray, width: int = 320, height: int = 240) -> np.ndarray:
    """(T, J, 4) pixel keypoints of a right-facing side-view figure with these angles."""
    T = len(knee)
    data = np.full((T, N_JOINTS, 4), np.nan, dtype=np.float32)
    data[:, :, 3] = 0.0
    unit = height / 6.0
    ankle = np.array([width * 0.5, height * 0.92])
    for t in range(T):
        k, tr = np.radians(knee[t]), np.radians(trunk[t])
        s = 0.4 * k
        kn = ankle + unit * np.array([np.sin(s), -np.cos(s)])
        hp = kn + unit * np.array([-np.sin(k - s), -np.cos(k - s)])
        sh = hp + 1.3 * unit * np.array([np.sin(tr), -np.cos(tr)])
        el = sh + 0.7 * unit * np.array([0.25, 0.95])
        wr = el + 0.6 * unit * np.array([0.9, 0.1])
        nose = sh + 0.45 * unit * np.array([np.sin(tr) + 0.4, -np.cos(tr)])
        heel = ankle + unit * np.array([-0.15, 0.05])
        toe = ankle + unit * np.array([0.35, 0.05])
        pts = {"ankle": ankle, "knee": kn, "hip": hp, "shoulder": sh, "elbow": el, "wrist": wr,
               "heel": heel, "foot_index": toe}
        for side, dx, conf in (("right", 0.0, 0.95), ("left", -3.0, 0.6)):
            for name, p in pts.items():
                data[t, JOINT_INDEX[f"{side}_{name}"]] = (p[0] + dx, p[1], 0.0, conf)
        data[t, JOINT_INDEX["nose"]] = (nose[0], nose[1], 0.0, 0.9)
        for e in ("right_eye", "right_ear"):
            data[t, JOINT_INDEX[e]] = (nose[0] - 4, nose[1] - 3, 0.0, 0.9)
    return data


def _rep(index: int, s: int, turn: int, e: int, t: np.ndarray, fps: float) -> Rep:
    pause = max(1, int(0.1 * fps))
    phases = {
        "eccentric": (s, turn - pause),
        "bottom": (turn - pause, turn + pause),
        "concentric": (turn + pause, e - pause),
        "top": (e - pause, e),
    }
    dur = {k: (b - a) / fps for k, (a, b) in phases.items()}
    return Rep(
        index=index, start_frame=s, turn_frame=turn, end_frame=e, start_s=float(t[s]), end_s=float(t[e - 1]),
        tempo=Tempo(dur["eccentric"], dur["bottom"], dur["concentric"], dur["top"]), phase_frames=phases,
    )


def make_report(n_reps: int = 4, fps: float = 30.0, width: int = 320, height: int = 240,
                rounding_rep: int | None = 2, rushing_rep: int | None = 3, with_pose: bool = True,
                speed: list[float] | None = None, rounding_deg: float = 25.0, exercise: str = "back_squat") -> Report:
    """A back-squat Report with rounding in ``rounding_rep`` and rushing in ``rushing_rep``."""
    if speed is None:
        speed = [1.0] * n_reps
        if rushing_rep is not None:
            speed[rushing_rep - 1] = 2.0
    knee, hip, trunk, spans = squat_curves(n_reps, fps, rounding_rep=rounding_rep, speed=speed,
                                           rounding_deg=rounding_deg)
    T = len(knee)
    t = np.arange(T) / fps
    kin = Kinematics(
        timestamps_s=t,
        series={"knee_flexion_deg": knee, "hip_flexion_deg": hip, "trunk_inclination_deg": trunk},
        units={"knee_flexion_deg": "deg", "hip_flexion_deg": "deg", "trunk_inclination_deg": "deg"},
        view="side", dims="2d", facing="right",
    )
    reps = [_rep(i + 1, s, turn, e, t, fps) for i, (s, turn, e) in enumerate(spans)]
    findings: list[Finding] = []
    if rounding_rep is not None:
        r = reps[rounding_rep - 1]
        seg = trunk[r.start_frame : r.end_frame]
        a = r.start_frame + int(np.argmax(seg > 45))
        b = r.start_frame + len(seg) - int(np.argmax(seg[::-1] > 45))
        findings.append(Finding(rep=r.index, code="back_rounding", severity="moderate", value=float(seg.max()),
                                threshold=45.0, unit="deg", frames=(a, b), cue="Keep your chest up and proud",
                                signal="trunk_inclination_deg"))
    if rushing_rep is not None:
        r = reps[rushing_rep - 1]
        findings.append(Finding(rep=r.index, code="rushing", severity="mild", value=r.tempo.eccentric_s,
                                threshold=1.5, unit="s", frames=r.phase_frames["eccentric"],
                                cue="Take 3 seconds down", signal="knee_flexion_deg"))
    pose = None
    if with_pose:
        pose = PoseSequence(data=side_pose(knee, trunk, width, height), timestamps_s=t, image_size=(width, height),
                            source="synthetic")
    top_cue = findings[0].cue if findings else ""
    return Report(
        input={"path": "synthetic.mp4", "fps": fps, "n_frames": T},
        exercise=exercise, view="side", dims="2d", reps=reps, findings=findings,
        warnings=["synthetic data for tests"], quality="ok", top_cue=top_cue,
        lumbar_moment_nm={r.index: 120.0 + 5 * r.index for r in reps}, kinematics=kin, pose=pose,
    )


def write_clip(path: Path, report: Report, width: int = 320, height: int = 240, vfr: bool = False,
               audio: bool = False) -> Path:
    """Write an H.264 MP4 of grey frames with a frame number, one per kinematics frame (optionally with jittered
    timestamps, to mimic a variable-frame-rate phone clip, and a silent audio track)."""
    import av
    import cv2

    assert report.kinematics is not None
    T = report.kinematics.n_frames
    fps = report.kinematics.fps
    tb = Fraction(1, 90000)
    rng = np.random.default_rng(0)
    times = np.cumsum([0.0] + [(1 / fps) * (rng.uniform(0.6, 1.4) if vfr else 1.0) for _ in range(T - 1)])
    with av.open(str(path), "w") as out:
        st = out.add_stream("libx264", rate=Fraction(round(fps * 1000), 1000))
        st.width, st.height, st.pix_fmt = width, height, "yuv420p"
        st.time_base = tb
        st.codec_context.time_base = tb
        audio_packets = []
        if audio:  # silent mono AAC, muxed after the video
            ast = out.add_stream("aac", rate=44100, layout="mono")
            samples, pos = int((times[-1] + 1 / fps) * 44100), 0
            while pos < samples:
                n = min(1024, samples - pos)
                af = av.AudioFrame.from_ndarray(np.zeros((1, n), np.float32), format="fltp", layout="mono")
                af.sample_rate, af.pts = 44100, pos
                audio_packets += ast.encode(af)
                pos += n
            audio_packets += ast.encode()
        for i in range(T):
            img = np.full((height, width, 3), 90 + (i % 40), np.uint8)
            cv2.putText(img, str(i), (10, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (255, 255, 255), 2)
            fr = av.VideoFrame.from_ndarray(img, format="rgb24")
            fr.pts = int(round(times[i] * 90000))
            fr.time_base = tb
            for p in st.encode(fr):
                out.mux(p)
        for p in st.encode():
            out.mux(p)
        for p in audio_packets:
            out.mux(p)
    return path
