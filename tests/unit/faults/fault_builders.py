"""Constructed kinematics for the fault-rule tests: reps of a sine-shaped primary signal at 30 fps.

``make_reps`` lays out reps (rest gap, rep, rest gap, ...); ``bumps`` turns one peak value per rep into a series
that is ``base`` at rest and rises smoothly (sin²) to the peak at each rep's turnaround; ``make_kin`` fills every
series the rules read with neutral values unless given.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from backsafe.exercises import Tempo4, get_exercise
from backsafe.faults.base import FaultContext
from backsafe.model import Kinematics, PoseSequence, Rep, Subject, Tempo

FPS = 30.0
FEAR_WORDS = ("damage", "dangerous", "injury", "slipped", "harm")

UNITS = {
    "knee_flexion_deg": "deg", "hip_flexion_deg": "deg", "elbow_flexion_deg": "deg",
    "shoulder_elevation_deg": "deg", "trunk_inclination_deg": "deg", "body_line_deg": "deg",
    "fppa_left_deg": "deg", "fppa_right_deg": "deg", "lateral_offset_hipw": "hip widths",
    "trunk_lateral_lean_deg": "deg", "pelvis_tilt_deg": "deg", "hip_yaw_deg": "deg",
    "feet_height_rel": "stature", "hands_ankle_dx_m": "m", "hip_height_rel": "stature",
}
COM_SEGMENTS = ("head", "trunk") + tuple(
    f"{seg}_{side}" for side in ("left", "right") for seg in ("upperarm", "forearm", "hand"))


def make_reps(
    n: int = 5, rep_frames: int = 90, gap: int = 15, *, tempo: Tempo | None = None,
    tempos: Sequence[Tempo] | None = None,
) -> tuple[list[Rep], int]:
    """``n`` reps of ``rep_frames`` frames separated by ``gap`` rest frames; returns (reps, total frames)."""
    reps = []
    f = gap
    for i in range(n):
        start, end = f, f + rep_frames - 1
        turn = (start + end) // 2
        tp = tempos[i] if tempos is not None else (tempo or Tempo(1.5, 0.0, 1.5, 0.5))
        reps.append(Rep(index=i + 1, start_frame=start, turn_frame=turn, end_frame=end, start_s=start / FPS,
                        end_s=end / FPS, tempo=tp,
                        phase_frames={"eccentric": (start, turn), "bottom": (turn, turn),
                                      "concentric": (turn, end)}))
        f = end + 1 + gap
    return reps, f


def bumps(reps: Sequence[Rep], peaks: Sequence[float] | float, n_frames: int, base: float = 0.0) -> np.ndarray:
    """``base`` at rest; within each rep a sin² bump reaching ``peaks[i]`` at the turnaround."""
    out = np.full(n_frames, float(base))
    if np.isscalar(peaks):
        peaks = [float(peaks)] * len(reps)  # type: ignore[list-item]
    for r, p in zip(reps, peaks):  # type: ignore[arg-type]
        k = np.arange(r.start_frame, r.end_frame + 1)
        phase = (k - r.start_frame) / max(1, r.end_frame - r.start_frame)
        out[k] = base + (p - base) * np.sin(np.pi * phase) ** 2
    return out


def make_kin(
    n_frames: int, *, view: str = "side", dims: str = "2d", series: dict[str, np.ndarray] | None = None,
    drop: Sequence[str] = (), stature: float | None = 1.75,
) -> Kinematics:
    """A Kinematics with every series the rules read (neutral unless given in ``series``)."""
    t = np.arange(n_frames) / FPS
    s: dict[str, np.ndarray] = {name: np.zeros(n_frames) for name in UNITS}
    s["hands_ankle_dx_m"] = np.full(n_frames, 0.15)
    units = dict(UNITS)
    for seg in COM_SEGMENTS:
        s[f"com_dx_{seg}_m"] = np.zeros(n_frames)
        units[f"com_dx_{seg}_m"] = "m"
    for k, v in (series or {}).items():
        s[k] = np.asarray(v, dtype=float)
        units.setdefault(k, "deg")
    for k in drop:
        s.pop(k, None)
    return Kinematics(timestamps_s=t, series=s, units=units, view=view, dims=dims,  # type: ignore[arg-type]
                      facing="right", stature=stature, length_unit="m")


def ctx_for(
    kin: Kinematics, reps: list[Rep], exercise: str, *, tempo: str | None = None, **kw: object
) -> FaultContext:
    ex = get_exercise(exercise)
    t = Tempo4.parse(tempo) if tempo else ex.default_tempo
    # the person (load, body mass, sex) travels as one model.Subject; tests name its fields directly
    who = {k: kw.pop(k) for k in ("load_kg", "body_mass_kg", "sex") if k in kw}
    return FaultContext(kin=kin, reps=reps, ex=ex, tempo=t, subject=Subject(**who), **kw)  # type: ignore[arg-type]


def assert_finding_ok(f, kin: Kinematics, reps: Sequence[Rep], *, code: str, unit: str) -> None:  # type: ignore[no-untyped-def]
    """The Finding contract: code, unit, frames inside its rep, a severity on the ladder, a positive cue."""
    rep = next(r for r in reps if r.index == f.rep)
    assert f.code == code
    assert f.unit == unit
    assert rep.start_frame <= f.frames[0] <= f.frames[1] <= rep.end_frame
    assert f.severity in ("mild", "moderate", "severe")
    assert np.isfinite(f.value) and np.isfinite(f.threshold)
    assert f.cue.strip()
    low = f.cue.lower()
    assert not any(w in low for w in FEAR_WORDS), f.cue


def findings_on(  # type: ignore[no-untyped-def]
    found, kin: Kinematics, reps: Sequence[Rep], flagged: bool | Sequence[int], *, code: str, unit: str
) -> list:
    """Check that ``found`` holds one finding on each flagged rep, in order (``True``: every rep, ``False``: none),
    each keeping the Finding contract (:func:`assert_finding_ok`); return them for the test's own checks."""
    if isinstance(flagged, bool):
        flagged = [r.index for r in reps] if flagged else []
    assert [f.rep for f in found] == list(flagged)
    for f in found:
        assert_finding_ok(f, kin, reps, code=code, unit=unit)
    return list(found)


def side_view_lift() -> tuple[list[Rep], Kinematics, PoseSequence]:
    """Two 90-frame reps seen from the side (trunk 10 -> 60 deg): the reps, their kinematics, and a 600 x 600 pose
    with only the hips at (200, 400) and the shoulders at (400, 300) (for the back outline's lift frames)."""
    from backsafe.skeleton import JOINT_INDEX as J
    from backsafe.skeleton import N_JOINTS

    reps, n = make_reps(2, rep_frames=90)
    kin = make_kin(n, view="side", series={"trunk_inclination_deg": bumps(reps, 60.0, n, base=10.0)})
    data = np.full((n, N_JOINTS, 4), np.nan, np.float32)
    for side in ("left", "right"):
        data[:, J[f"{side}_hip"], :3] = (200.0, 400.0, 0.0)
        data[:, J[f"{side}_shoulder"], :3] = (400.0, 300.0, 0.0)
    pose = PoseSequence(data=data, timestamps_s=np.arange(n) / 30.0, source="test", image_size=(600, 600))
    return reps, kin, pose
