"""Constructed faults for evaluation (issue 16, must-show 3): inject known faults into correct 3D reps.

Takes the *correct* reps of UI-PRMD (Kinect joints and Vicon Plug-in Gait joint centres, ../shared/datasets/ui_prmd)
and injects, with every bone length kept:

- ``knee_valgus`` / ``knee_varus``: each knee turned about its hip-ankle axis (thigh and shank keep their length,
  the foot stays planted) until its frontal-plane projection angle (FPPA, medial +) is 17° beyond both its
  standing value and its own path in the fault's direction (medial / lateral), once the knee is bent
  (ramping in from 10° to 30° of knee flexion beyond the set's straightest knee: a straight leg has no FPPA);
- ``lateral_shift``: the pelvis and everything above it moved sideways by 0.25 hip widths (ramping in with the
  same knee bend), the knees re-placed by two-bone inverse kinematics (thigh and shank lengths kept, feet fixed);
- ``hip_rotation``: the pelvis and everything above turned 20° about the vertical through mid-hip, knees by IK;
- ``back_rounding`` / ``back_arching``: everything above the mid-spine joint turned 20° forward / backward about
  the body's lateral axis through the mid-spine joint, in proportion to the rep's depth (full at the bottom);
- ``jumping``: a 12 cm hop after the rep — the whole body lifted on a ballistic parabola (0.31 s of flight).

Each fault goes into a one-rep set (``single``: the rep itself) and into every rep of a three-rep set (``every``:
three correct reps of the same subject joined with 0.3 s blends); the clean reps and sets are kept untouched
(``clean``). The output is one npz per sensor and movement (keys: ``data`` (ΣT, J, 4) float32 canonical joints in
metres with y up, ``offsets``, per unit ``subject``, ``code`` ("" = clean), ``scope``, ``n_reps``; and ``fps``,
``source``, ``exercise``), read by the ``constructed`` item kind of ``backsafe eval``
(eval/manifests/constructed_*.json). Nothing is fitted on these data.

    python tools/inject_faults.py [--out .cache/constructed] [--sensors kinect vicon]

What it cannot show: constructed faults are clean geometric edits of one segment on measured 3D skeletons; real
faults come with compensations elsewhere, and 2D video keypoints are far noisier (docs/evaluation.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from backsafe.io.keypoints import iter_uiprmd_reps  # noqa: E402
from backsafe.skeleton import JOINT_INDEX as J  # noqa: E402

MOVEMENTS = {
    "m01_deep_squat": "deep_squat",
    "m02_hurdle_step": "hurdle_step",
    "m03_inline_lunge": "inline_lunge",
    "m04_side_lunge": "side_lunge",
    "m05_sit_to_stand": "sit_to_stand",
}
#: the lateral_shift rule measures the hips-over-feet offset only where both feet stay planted side by side
#: (faults/rules/lateral_shift.py BILATERAL_PATTERNS): in a lunge or hurdle step the feet move, so it is not
#: injected there
SHIFT_MOVEMENTS = {"deep_squat", "sit_to_stand"}
FAULTS = ("knee_valgus", "knee_varus", "lateral_shift", "hip_rotation", "back_rounding", "back_arching", "jumping")
FPPA_DEG = 17.0
SHIFT_HIPW = 0.25
HIP_ROT_DEG = 20.0
TRUNK_DEG = 20.0
HOP_M = 0.12
G = 9.81
LEG = {"left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel", "left_foot_index",
       "right_foot_index"}
UPPER_TRUNK = ("spine_chest", "neck", "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner",
               "right_eye", "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right",
               "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
               "left_pinky", "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb")
BONES = (("left_hip", "left_knee"), ("left_knee", "left_ankle"), ("right_hip", "right_knee"),
         ("right_knee", "right_ankle"), ("left_shoulder", "left_elbow"), ("spine_mid", "spine_chest"),
         ("spine_chest", "neck"), ("pelvis", "spine_mid"), ("left_hip", "right_hip"))


def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(n > 0, n, 1.0)


def _rot(axis: np.ndarray, ang: np.ndarray) -> np.ndarray:
    """Rotation matrices (T, 3, 3) about unit ``axis`` (T, 3) by ``ang`` (T,) radians (Rodrigues)."""
    k = _unit(axis)
    kx = np.zeros(k.shape[:-1] + (3, 3))
    kx[..., 0, 1], kx[..., 0, 2] = -k[..., 2], k[..., 1]
    kx[..., 1, 0], kx[..., 1, 2] = k[..., 2], -k[..., 0]
    kx[..., 2, 0], kx[..., 2, 1] = -k[..., 1], k[..., 0]
    s, c = np.sin(ang)[..., None, None], np.cos(ang)[..., None, None]
    return np.eye(3) + s * kx + (1 - c) * kx @ kx


def _p(x: np.ndarray, name: str) -> np.ndarray:
    return x[:, J[name], :3]


def _axes(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lateral towards the left hip, up, forward) of the body, fixed over the rep (median over its frames)."""
    up = np.array([0.0, 1.0, 0.0])
    lat = np.nanmedian(_p(x, "left_hip") - _p(x, "right_hip"), axis=0)
    lat[1] = 0.0
    lat = _unit(lat)
    fwd = np.cross(lat, up)
    toes = np.nanmedian((_p(x, "left_foot_index") + _p(x, "right_foot_index")
                         - _p(x, "left_ankle") - _p(x, "right_ankle")) / 2, axis=0)
    if np.isfinite(toes).all() and float(toes @ fwd) < 0:
        fwd = -fwd
    return lat, up, fwd


def _flexion(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    u, v = _unit(a - b), _unit(c - b)
    return 180.0 - np.degrees(np.arccos(np.clip(np.einsum("td,td->t", u, v), -1, 1)))


def _knee_weight(x: np.ndarray, side: str) -> np.ndarray:
    """0 with the knee as straight as it gets in the set, 1 once it is bent 30° more (ramps in from 10°).

    Measured from the set's straightest knee (its 2nd percentile), not from 0°: UI-PRMD's inline lunges start and
    end in the split stance with the front knee bent 50° or more, and Vicon's knee centres (built from the lateral
    markers) read a standing knee at up to 15°. Ramped from 0°, the fault was at full strength in every frame of
    those sets: the whole recording turned or shifted alike, which is a camera placed differently, not a fault
    any rule relative to the person's own start could (or should) see."""
    flex = _flexion(_p(x, f"{side}_hip"), _p(x, f"{side}_knee"), _p(x, f"{side}_ankle"))
    straight = float(np.nanpercentile(flex, 2)) if np.isfinite(flex).any() else 0.0
    return np.clip((flex - straight - 10.0) / 20.0, 0.0, 1.0)


def _depth(x: np.ndarray) -> np.ndarray:
    """The rep's depth, 0 standing to 1 at its deepest: the larger of mean knee and hip flexion, normalised."""
    knee = np.nanmean([_flexion(_p(x, f"{s}_hip"), _p(x, f"{s}_knee"), _p(x, f"{s}_ankle"))
                       for s in ("left", "right")], axis=0)
    mid_sh = (_p(x, "left_shoulder") + _p(x, "right_shoulder")) / 2
    hip = np.nanmean([_flexion(mid_sh, _p(x, f"{s}_hip"), _p(x, f"{s}_knee")) for s in ("left", "right")], axis=0)
    d = np.fmax(knee, hip)
    lo, hi = np.nanpercentile(d, 2), np.nanmax(d)
    return np.clip((d - lo) / max(hi - lo, 1e-6), 0.0, 1.0)


def _fppa(x: np.ndarray, side: str, knee: np.ndarray, lat: np.ndarray, up: np.ndarray) -> np.ndarray:
    """FPPA (medial +) of ``side`` with the knee at ``knee``, as kinematics/angles.py measures it in 3D."""
    other = "right" if side == "left" else "left"

    def proj(p: np.ndarray) -> np.ndarray:
        return np.stack([p @ lat, p @ up], axis=-1)

    hp, kn, an, oh = proj(_p(x, f"{side}_hip")), proj(knee), proj(_p(x, f"{side}_ankle")), proj(_p(x, f"{other}_hip"))
    u, v = _unit(hp - kn), _unit(an - kn)
    ang = 180.0 - np.degrees(np.arccos(np.clip(np.einsum("td,td->t", u, v), -1, 1)))
    line = an - hp
    nrm = np.stack([-line[:, 1], line[:, 0]], axis=1)
    ks = np.einsum("td,td->t", kn - hp, nrm)
    ms = np.einsum("td,td->t", oh - hp, nrm)
    return np.where(np.sign(ks) == np.sign(ms), ang, -ang)


def inject_knee(x: np.ndarray, sign: float) -> np.ndarray:
    """Turn each knee about its hip-ankle axis until its FPPA is ``sign`` × 17° from the original (ramped)."""
    x = x.copy()
    lat, up, _ = _axes(x)
    phis = np.radians(np.linspace(-120.0, 120.0, 481))
    for side in ("left", "right"):
        hip, knee, ank = _p(x, f"{side}_hip"), _p(x, f"{side}_knee"), _p(x, f"{side}_ankle")
        natural = _fppa(x, side, knee, lat, up)
        standing = float(np.nanmedian(natural[_knee_weight(x, side) == 0])) if (_knee_weight(x, side) == 0).any() \
            else float(natural[0])
        # the knee 17° beyond both its standing FPPA and its own path, in the fault's direction (a deep squat's
        # knees travel out by 20-40° by themselves: knees "out" by 17° from standing is their normal path there)
        ramp = FPPA_DEG * _knee_weight(x, side)
        target = np.fmax(natural, standing) + ramp if sign > 0 else np.fmin(natural, standing) - ramp
        axis = ank - hip
        best = knee.copy()
        err = np.full(len(x), np.inf)
        for phi in phis:
            r = _rot(axis, np.full(len(x), phi))
            cand = hip + np.einsum("tij,tj->ti", r, knee - hip)
            e = np.abs(_fppa(x, side, cand, lat, up) - target) + 1e-3 * abs(phi)  # the smallest turn that fits
            better = e < err
            best[better], err[better] = cand[better], e[better]
        x[:, J[f"{side}_knee"], :3] = best
    return x


def _ik_knees(x: np.ndarray, orig: np.ndarray) -> np.ndarray:
    """Place each knee so that thigh and shank keep their original lengths with the moved hips and fixed ankles,
    in the plane of the original knee bend."""
    for side in ("left", "right"):
        h, a = _p(x, f"{side}_hip"), _p(x, f"{side}_ankle")
        k0, h0 = _p(orig, f"{side}_knee"), _p(orig, f"{side}_hip")
        l1 = np.linalg.norm(k0 - h0, axis=1)
        l2 = np.linalg.norm(k0 - a, axis=1)
        d = np.clip(np.linalg.norm(a - h, axis=1), 1e-6, (l1 + l2) * 0.9999)
        u = _unit(a - h)
        along = (l1**2 - l2**2 + d**2) / (2 * d)
        r = np.sqrt(np.clip(l1**2 - along**2, 0.0, None))
        centre = h + along[:, None] * u
        off = k0 - centre
        perp = _unit(off - np.einsum("td,td->t", off, u)[:, None] * u)
        x[:, J[f"{side}_knee"], :3] = centre + r[:, None] * perp
    return x


def _move_upper(x: np.ndarray, fn: object) -> np.ndarray:
    """Apply ``fn`` (points (T, 3) -> points) to every joint but the legs below the hips; knees by IK."""
    orig = x.copy()
    out = x.copy()
    for name, j in J.items():
        if name in LEG:
            continue
        out[:, j, :3] = fn(x[:, j, :3])  # type: ignore[operator]
    return _ik_knees(out, orig)


def inject_shift(x: np.ndarray) -> np.ndarray:
    lat, _, _ = _axes(x)
    hip_w = float(np.nanmedian(np.linalg.norm(_p(x, "left_hip") - _p(x, "right_hip"), axis=1)))
    w = np.fmax(_knee_weight(x, "left"), _knee_weight(x, "right"))
    shift = (SHIFT_HIPW * hip_w * w)[:, None] * lat
    return _move_upper(x, lambda p: p + shift)


def inject_hip_rotation(x: np.ndarray) -> np.ndarray:
    _, up, _ = _axes(x)
    w = np.fmax(_knee_weight(x, "left"), _knee_weight(x, "right"))
    centre = (_p(x, "left_hip") + _p(x, "right_hip")) / 2
    r = _rot(np.tile(up, (len(x), 1)), np.radians(HIP_ROT_DEG) * w)
    return _move_upper(x, lambda p: centre + np.einsum("tij,tj->ti", r, p - centre))


def inject_trunk(x: np.ndarray, sign: float) -> np.ndarray:
    """Turn the upper trunk (above mid-spine) forward (sign +1, flexion) or back (−1) by 20° × depth."""
    x = x.copy()
    lat, up, fwd = _axes(x)
    w = _depth(x)
    pivot = _p(x, "spine_mid").copy()
    axis = np.tile(lat, (len(x), 1))
    # the direction of rotation about +lat that moves the neck forward
    test = np.einsum("tij,tj->ti", _rot(axis, np.full(len(x), 0.1)), _p(x, "neck") - pivot)
    forward = float(np.nanmedian((test - (_p(x, "neck") - pivot)) @ fwd)) > 0
    ang = np.radians(TRUNK_DEG) * w * sign * (1.0 if forward else -1.0)
    r = _rot(axis, ang)
    for name in UPPER_TRUNK:
        j = J[name]
        x[:, j, :3] = pivot + np.einsum("tij,tj->ti", r, x[:, j, :3] - pivot)
    return x


def add_hop(x: np.ndarray, fps: float, scale: float = 1.0) -> np.ndarray:
    """Append a 12 cm hop after the rep: 0.15 s still, a ballistic flight, 0.4 s still after landing.

    ``scale``: the data's units per metre along axis 1 (1.0: metres with y up; image pixels with y down give a
    negative scale, tools/inject_faults_2d.py)."""
    flight_s = 2.0 * np.sqrt(2.0 * HOP_M / G)
    n_pre, n_fl, n_post = int(round(0.15 * fps)), int(round(flight_s * fps)), int(round(0.4 * fps))
    last = x[-1:]
    t = (np.arange(n_fl) + 0.5) / fps
    lift = np.clip(G / 2 * t * (flight_s - t), 0.0, None)
    fl = np.repeat(last, n_fl, axis=0).copy()
    fl[:, :, 1] += scale * lift[:, None]
    return np.concatenate([x, np.repeat(last, n_pre, axis=0), fl, np.repeat(last, n_post, axis=0)])


def inject(x: np.ndarray, code: str, fps: float) -> np.ndarray:
    if code == "knee_valgus":
        return inject_knee(x, +1.0)
    if code == "knee_varus":
        return inject_knee(x, -1.0)
    if code == "lateral_shift":
        return inject_shift(x)
    if code == "hip_rotation":
        return inject_hip_rotation(x)
    if code == "back_rounding":
        return inject_trunk(x, +1.0)
    if code == "back_arching":
        return inject_trunk(x, -1.0)
    if code == "jumping":
        return add_hop(x, fps)
    raise ValueError(code)


def join(reps: list[np.ndarray], fps: float, blend_s: float = 0.3) -> np.ndarray:
    """Reps one after the other: each next rep moved (horizontally) so its feet start where the last ended, with a
    short linear blend between the last frame of one and the first of the next."""
    out = [reps[0]]
    for r in reps[1:]:
        prev = out[-1]
        feet = ("left_ankle", "right_ankle")
        d = np.nanmean([prev[-1, J[f], :3] - r[0, J[f], :3] for f in feet], axis=0)
        d[1] = 0.0
        r = r.copy()
        r[:, :, :3] += d
        n = max(2, int(round(blend_s * fps)))
        a = np.linspace(0, 1, n + 2)[1:-1][:, None, None]
        out.append((1 - a) * prev[-1:] + a * r[:1])
        out.append(r)
    return np.concatenate(out)


def bone_lengths(x: np.ndarray) -> np.ndarray:
    return np.stack([np.linalg.norm(x[:, J[a], :3] - x[:, J[b], :3], axis=1) for a, b in BONES], axis=1)


def build(sensor: str, npz: Path, exercise: str) -> dict[str, np.ndarray]:
    by_subject: dict[int, list[tuple[int, np.ndarray, float, str]]] = {}
    for pose, meta in iter_uiprmd_reps(npz, sensor):
        if not meta["correct"]:
            continue
        by_subject.setdefault(int(meta["subject"]), []).append((int(meta["episode"]), pose.data.astype(np.float64),
                                                                pose.fps, pose.source))
    units: list[np.ndarray] = []
    subj, codes, scopes, nreps = [], [], [], []
    fps, source = 30.0, ""
    faults = [f for f in FAULTS if f != "lateral_shift" or exercise in SHIFT_MOVEMENTS]
    worst_bone = 0.0
    for s, eps in sorted(by_subject.items()):
        eps.sort()
        fps, source = eps[0][2], eps[0][3]
        single = eps[0][1]
        triple = [e[1] for e in eps[1:4]]
        for code in ("",) + tuple(faults):
            one = single if not code else inject(single, code, fps)
            if code and code != "jumping":
                worst_bone = max(worst_bone, float(np.nanmax(np.abs(bone_lengths(one) - bone_lengths(single)))))
            units.append(one)
            subj.append(s), codes.append(code), scopes.append("single"), nreps.append(1)
            if len(triple) == 3:
                many = join([r if not code else inject(r, code, fps) for r in triple], fps)
                units.append(many)
                subj.append(s), codes.append(code), scopes.append("every"), nreps.append(3)
    print(f"{sensor} {exercise}: {len(units)} sets; largest bone-length change {worst_bone * 1000:.2f} mm")
    offsets = np.concatenate([[0], np.cumsum([len(u) for u in units])])
    return {
        "data": np.concatenate(units).astype(np.float32), "offsets": offsets, "subject": np.array(subj),
        "code": np.array(codes), "scope": np.array(scopes), "n_reps": np.array(nreps), "fps": np.array(fps),
        "source": np.array(source), "exercise": np.array(exercise),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "datasets")
    ap.add_argument("--out", type=Path, default=REPO / ".cache" / "constructed")
    ap.add_argument("--sensors", nargs="+", default=["kinect", "vicon"])
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for sensor in args.sensors:
        for stem, exercise in MOVEMENTS.items():
            doc = build(sensor, args.shared / "ui_prmd" / sensor / f"{stem}.npz", exercise)
            np.savez_compressed(args.out / f"uiprmd_{sensor}_{stem}.npz", **doc)


if __name__ == "__main__":
    main()
