"""Constructed faults on 2D skeletons (issue 16, must-show 3): Exercise-Correction MediaPipe landmarks.

The 2D counterpart of tools/inject_faults.py (UI-PRMD, 3D), whose magnitudes and helpers it shares. Source:
../shared/datasets/exercise_correction, read with the project's own reader (``load_blazepose_csv_segments``) at
30 fps (not recorded) and a 1920 × 1080 frame (not recorded either: the CSVs hold normalised 0-1 coordinates; at
the reader's default 1000 × 1000 every squat reads "oblique" because its widths are squeezed by the lost aspect
ratio; 16:9 landscape fits both files: the side-view lunges keep their thigh and shank lengths steadiest with
x stretched 1.8-1.9 × relative to y, and the squats' shoulder width over torso length then matches the frontal
norm, so the project's view detection calls all 31 squat segments "front" and all lunge segments "side").

Correct reps only:

- squats: ``squat/squat_stage_train.csv`` (stage labels up/down, no correctness label; the authors' training data
  of correct squats): one rep = a ``down`` run between two ``up`` runs inside one segment (a segment is one
  contiguous stretch of one video), with up to 2 s of the ``up`` runs either side;
- lunges: the stage and error files hold no contiguous rep from standing to the bottom and back in their stage
  labels (they were cut at every label change and are sampled stretches), so the reps are the full ones the
  project's own rep segmentation finds in ``lunge/lunge_stage_test.csv`` (all segments; no correctness label) and
  in the segments of ``lunge/lunge_err_test.csv`` labelled C (correct) throughout, with up to 0.5 s either side.

Faults by view (``backsafe.kinematics.angles.detect_view`` on the segment): frontal faults only into front-view
segments (the squats), sagittal ones only into side-view segments (the lunges), jumping into both:

- ``knee_valgus`` / ``knee_varus``: each knee's image moved across its hip-ankle line, its place along the line
  kept (the image of a turn about that line), until its 2D FPPA is 17° beyond both its standing value and its own
  path, medially / laterally (the target of inject_faults.inject_knee), in full from a quarter of the depth. Where
  no place across the line gives that angle (the knee's image beyond the hip along the line: deep squats filmed
  from low show the knees above the hips at the bottom) the knee stays as recorded; the build prints the share of
  knee-frames reached. The image lengths of thigh and shank cannot be kept:
  with hip and ankle fixed a knee has only its mirror image at the same two image lengths; a turn in depth changes
  them, and the 2D skeleton holds no depth to keep the 3D lengths by (MediaPipe's relative z is kept untouched);
- ``lateral_shift``: the hips and everything above moved sideways in the image by 0.25 image hip widths (the way
  the hips already drift at depth, if they do), ramping with depth, the knees re-placed by two-bone IK in the image plane (image thigh and shank lengths kept, ankles
  fixed);
- ``hip_rotation``: the hip line's image width narrowed as a 20° yaw would (× cos 20°) about mid-hip, and every
  joint above the legs likewise (the upper body turns with the pelvis), ramping with depth; knees by IK;
- ``back_rounding`` / ``back_arching``: everything above the hips turned 20° forward / backward about mid-hip in
  the image plane, in proportion to depth (a rigid turn: every image length kept);
- ``jumping``: a 12 cm hop after the rep (inject_faults.add_hop: 0.31 s ballistic flight), scaled to pixels by
  the person's stature (the legs' 90th-percentile image length / 0.49, as kinematics/angles.py estimates it) and
  an assumed stature of 1.70 m.

Depth = the mid-hip's drop in the image, 0 standing to 1 at the rep's lowest. Sets: ``single`` (one rep),
``every`` (three reps with the fault in each: three consecutive recorded reps of one segment where it has them,
else the segment's reps repeated in turn and joined with inject_faults.join's 0.3 s blends) and the untouched
``clean`` ones. Output: .cache/constructed/ec_<movement>.npz in the layout of inject_faults.py plus ``space``
("image"), ``image_size`` (width, height), per set ``source_file`` and ``rows`` (start, stop in the source CSV; -1 for a
joined set); ``subject`` is the segment id (lunge_err_test segments + 100). Nothing is fitted on these data.

    python tools/inject_faults_2d.py [--out .cache/constructed]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))
sys.path.insert(0, str(TOOLS.parent / "src"))

import inject_faults as f3  # noqa: E402
from backsafe.io.keypoints import load_blazepose_csv_segments  # noqa: E402
from backsafe.kinematics.angles import LEG_TO_STATURE, detect_view  # noqa: E402
from backsafe.skeleton import JOINT_INDEX as J  # noqa: E402

FPS = 30.0
IMAGE_SIZE = (1920, 1080)
STATURE_M = 1.70
FRONT_FAULTS = ("knee_valgus", "knee_varus", "lateral_shift", "hip_rotation", "jumping")
SIDE_FAULTS = ("back_rounding", "back_arching", "jumping")
SQUAT_FILE = "squat/squat_stage_train.csv"
LUNGE_FILES = {"lunge/lunge_stage_test.csv": 0, "lunge/lunge_err_test.csv": 100}  # subject = segment id + this
SQUAT_PAD_S = 2.0
LUNGE_PAD_S = 0.5
HIP_JOINTS = ("left_hip", "right_hip", "pelvis")
#: image lengths kept by the faults that move the upper body (knees by IK): thighs, shanks, the trunk (mid-hip to
#: mid-shoulder) and the shoulders; the hip rotation narrows the hips and shoulders by design
LEGS_2D = (("left_hip", "left_knee"), ("left_knee", "left_ankle"), ("right_hip", "right_knee"),
           ("right_knee", "right_ankle"))
BONES_2D = LEGS_2D + (("pelvis", "neck"), ("left_shoulder", "right_shoulder"))


def _geo(x: np.ndarray) -> np.ndarray:
    """Image x, y as float64 with the depth column zeroed: the 3D helpers of inject_faults then work in the image
    plane (MediaPipe's relative z is kept in the output untouched)."""
    g = x.astype(np.float64).copy()
    g[..., 2] = 0.0
    return g


def _back(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """``x`` with the image x, y of ``g``."""
    out = x.copy()
    out[..., :2] = g[..., :2].astype(x.dtype)
    return out


def depth(x: np.ndarray) -> np.ndarray:
    """0 standing to 1 at the rep's lowest: the mid-hip's drop in the image (y down)."""
    hy = (x[:, J["left_hip"], 1] + x[:, J["right_hip"], 1]).astype(np.float64) / 2
    lo, hi = np.nanpercentile(hy, 2), np.nanmax(hy)
    return np.asarray(np.clip((hy - lo) / max(hi - lo, 1e-6), 0.0, 1.0))


def ramp(x: np.ndarray) -> np.ndarray:
    """0 standing, full strength from half the rep's depth."""
    return np.asarray(np.clip(depth(x) / 0.5, 0.0, 1.0))


def _hip_line(g: np.ndarray) -> np.ndarray:
    lat = np.nanmedian(f3._p(g, "left_hip") - f3._p(g, "right_hip"), axis=0)
    lat[2] = 0.0
    return np.asarray(f3._unit(lat))


REACH_DEG = 2.0
#: (frames where the FPPA target was reached, frames with a knee) per knee injected, for the build's summary
REACHED: list[tuple[int, int]] = []


def inject_knee_2d(x: np.ndarray, sign: float) -> np.ndarray:
    """Each knee's image moved across its hip-ankle line, its place along the line kept (the image of a turn about
    that line), until its 2D FPPA is ``sign`` × 17° beyond both its standing value and its own path (the target of
    inject_faults.inject_knee), ramping in over the first quarter of the depth: kinematics/angles.py reads the
    FPPA only while thigh and shank each show at least half their longest image length, i.e. not at the bottom of
    a deep squat seen from the front, so the full 17° must be there before it."""
    g = _geo(x)
    w = np.clip(depth(x) / 0.25, 0.0, 1.0)
    lat, up = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    hs = np.linspace(-1.5, 1.5, 1201)
    for side in ("left", "right"):
        hip, knee, ank = f3._p(g, f"{side}_hip"), f3._p(g, f"{side}_knee"), f3._p(g, f"{side}_ankle")
        natural = f3._fppa(g, side, knee, lat, up)
        standing = float(np.nanmedian(natural[w == 0])) if (w == 0).any() else float(natural[0])
        ramp_deg = f3.FPPA_DEG * w
        target = np.fmax(natural, standing) + ramp_deg if sign > 0 else np.fmin(natural, standing) - ramp_deg
        line = ank - hip
        length = np.linalg.norm(line, axis=1, keepdims=True)
        u = line / np.where(length > 0, length, 1.0)
        nrm = np.stack([-u[:, 1], u[:, 0], np.zeros(len(u))], axis=1)
        along = hip + np.einsum("td,td->t", knee - hip, u)[:, None] * u
        best, err = knee.copy(), np.full(len(g), np.inf)
        for h in hs:
            cand = along + (h * length) * nrm
            e = np.abs(f3._fppa(g, side, cand, lat, up) - target)
            better = e < err
            best[better], err[better] = cand[better], e[better]
        # where no place across the line gives the target (the knee's image beyond the hip or the ankle along the
        # line: a deep squat filmed from low shows the knees above the hips) the knee stays as recorded
        reached = err <= REACH_DEG
        g[reached, J[f"{side}_knee"], :2] = best[reached, :2]
        REACHED.append((int(reached.sum()), int(np.isfinite(natural).sum())))
    return _back(x, g)


def _move_above_hips(x: np.ndarray, fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    g = _geo(x)
    return _back(x, f3._move_upper(g, fn))


def inject_shift_2d(x: np.ndarray) -> np.ndarray:
    g = _geo(x)
    lat = _hip_line(g)
    hip_w = float(np.nanmedian(np.linalg.norm(f3._p(g, "left_hip") - f3._p(g, "right_hip"), axis=1)))
    # the way the hips already drift at depth (a shift the other way would first cancel the person's own drift)
    mid_hip = (f3._p(g, "left_hip") + f3._p(g, "right_hip")) / 2
    mid_ank = (f3._p(g, "left_ankle") + f3._p(g, "right_ankle")) / 2
    drift = ((mid_hip - mid_ank) @ lat)
    w = ramp(x)
    lean = float(np.nanmedian(drift[w >= 1.0]) - np.nanmedian(drift[w == 0])) if (w == 0).any() else 0.0
    if lean < 0:
        lat = -lat
    shift = (f3.SHIFT_HIPW * hip_w * w)[:, None] * lat
    return _move_above_hips(x, lambda p: p + shift)


def inject_hip_rotation_2d(x: np.ndarray) -> np.ndarray:
    g = _geo(x)
    lat = _hip_line(g)
    centre = (f3._p(g, "left_hip") + f3._p(g, "right_hip")) / 2
    shrink = (1.0 - np.cos(np.radians(f3.HIP_ROT_DEG))) * ramp(x)

    def turn(p: np.ndarray) -> np.ndarray:
        off = p - centre
        return np.asarray(p - (shrink * (off @ lat))[:, None] * lat)

    return _move_above_hips(x, turn)


def _forward_sign(g: np.ndarray) -> float:
    """+1 when the person faces image +x (toes ahead of the heels, else the nose ahead of the shoulders)."""
    toes = np.nanmedian(np.concatenate([g[:, J[f"{s}_foot_index"], 0] - g[:, J[f"{s}_heel"], 0]
                                        for s in ("left", "right")]))
    if not np.isfinite(toes):
        mid_sh = (g[:, J["left_shoulder"], 0] + g[:, J["right_shoulder"], 0]) / 2
        toes = np.nanmedian(g[:, J["nose"], 0] - mid_sh)
    return 1.0 if not np.isfinite(toes) or toes >= 0 else -1.0


def inject_trunk_2d(x: np.ndarray, sign: float) -> np.ndarray:
    """Everything above the hips turned forward (sign +1) or back (−1) by 20° × depth about mid-hip."""
    g = _geo(x)
    pivot = (f3._p(g, "left_hip") + f3._p(g, "right_hip")) / 2
    z = np.tile(np.array([0.0, 0.0, 1.0]), (len(g), 1))
    # image y points down: a turn of +a about +z moves a point above the hips towards +x
    ang = np.radians(f3.TRUNK_DEG) * depth(x) * sign * _forward_sign(g)
    r = f3._rot(z, ang)
    for name, j in J.items():
        if name in f3.LEG or name in HIP_JOINTS:
            continue
        g[:, j, :3] = pivot + np.einsum("tij,tj->ti", r, g[:, j, :3] - pivot)
    return _back(x, g)


def pixels_per_metre(x: np.ndarray) -> float:
    legs = [np.linalg.norm(x[:, J[f"{s}_hip"], :2] - x[:, J[f"{s}_knee"], :2], axis=1)
            + np.linalg.norm(x[:, J[f"{s}_knee"], :2] - x[:, J[f"{s}_ankle"], :2], axis=1) for s in ("left", "right")]
    leg = float(np.nanpercentile(np.nanmean(np.stack(legs), axis=0), 90))
    return leg / LEG_TO_STATURE / STATURE_M


def add_hop_2d(x: np.ndarray) -> np.ndarray:
    return f3.add_hop(x, FPS, scale=-pixels_per_metre(x)).astype(x.dtype)


def inject_2d(x: np.ndarray, code: str) -> np.ndarray:
    if code in ("knee_valgus", "knee_varus"):
        return inject_knee_2d(x, +1.0 if code == "knee_valgus" else -1.0)
    if code == "lateral_shift":
        return inject_shift_2d(x)
    if code == "hip_rotation":
        return inject_hip_rotation_2d(x)
    if code in ("back_rounding", "back_arching"):
        return inject_trunk_2d(x, +1.0 if code == "back_rounding" else -1.0)
    if code == "jumping":
        return add_hop_2d(x)
    raise ValueError(code)


def image_lengths(x: np.ndarray, bones: tuple[tuple[str, str], ...] = BONES_2D) -> np.ndarray:
    return np.stack([np.linalg.norm(x[:, J[a], :2].astype(np.float64) - x[:, J[b], :2], axis=1)
                     for a, b in bones], axis=1)


def length_change(before: np.ndarray, after: np.ndarray, bones: tuple[tuple[str, str], ...] = BONES_2D) -> float:
    """The largest change of an image segment length, frame by frame, as a share of that segment's longest
    (90th-percentile) image length."""
    a, b = image_lengths(before, bones), image_lengths(after, bones)
    return float(np.nanmax(np.abs(b - a) / np.nanpercentile(a, 90, axis=0)))


# ------------------------------------------------------------------------------------------------ reps


Span = tuple[int, int]  # [start, stop) rows of a segment


def squat_reps(labels: np.ndarray, pad: int) -> list[tuple[Span, Span]]:
    """Per full rep (a ``down`` run between two ``up`` runs): (the rep with up to ``pad`` frames of the up runs
    either side, the down run)."""
    edges = [0, *(np.flatnonzero(labels[1:] != labels[:-1]) + 1).tolist(), len(labels)]
    runs = [(str(labels[a]), a, b) for a, b in zip(edges[:-1], edges[1:])]
    out = []
    for i in range(1, len(runs) - 1):
        lab, a, b = runs[i]
        if lab == "down" and runs[i - 1][0] == "up" and runs[i + 1][0] == "up":
            out.append(((max(runs[i - 1][1], a - pad), min(runs[i + 1][2], b + pad)), (a, b)))
    return out


def lunge_reps(pose: Any, pad: int) -> list[tuple[Span, Span]]:
    """Full reps the project's own rep segmentation finds (a lunge analysed as ``backsafe analyze`` would)."""
    from backsafe.errors import BacksafeError
    from backsafe.exercises import get_exercise
    from backsafe.pipeline import AnalysisOptions, analyze_pose

    try:
        report = analyze_pose(pose, get_exercise("lunge"), AnalysisOptions(exercise="lunge"), {})
    except BacksafeError:
        return []
    reps = sorted(report.reps, key=lambda r: r.start_frame)
    out = []
    for i, r in enumerate(reps):
        if r.partial:
            continue
        lo = reps[i - 1].end_frame + 1 if i else 0
        hi = reps[i + 1].start_frame if i + 1 < len(reps) else pose.n_frames
        out.append(((max(lo, r.start_frame - pad), min(hi, r.end_frame + 1 + pad)), (r.start_frame, r.end_frame + 1)))
    return out


def _sources(shared: Path, movement: str) -> list[tuple[str, int, Any, dict[str, Any]]]:
    """(file, subject offset, pose, meta) per usable segment of ``movement``'s files."""
    files = {SQUAT_FILE: 0} if movement == "squat" else LUNGE_FILES
    out = []
    for rel, off in files.items():
        for pose, meta in load_blazepose_csv_segments(shared / "exercise_correction" / rel, fps=FPS,
                                                      image_size=IMAGE_SIZE):
            labels = [str(v) for v in meta["labels"]]
            if rel.endswith("_err_test.csv") and set(labels) != {"C"}:
                continue
            out.append((rel, off, pose, meta))
    return out


def build(shared: Path, movement: str, max_segments: int | None = None) -> dict[str, np.ndarray]:
    units: list[np.ndarray] = []
    cols: dict[str, list[Any]] = {k: [] for k in ("subject", "code", "scope", "n_reps", "source_file", "rows")}
    worst: dict[str, float] = {}
    used = 0
    for rel, off, pose, meta in _sources(shared, movement):
        view, _ = detect_view(pose)
        faults = FRONT_FAULTS if view == "front" else SIDE_FAULTS if view == "side" else ("jumping",)
        if movement == "squat":
            reps = squat_reps(meta["labels"], int(SQUAT_PAD_S * FPS))
        else:
            reps = lunge_reps(pose, int(LUNGE_PAD_S * FPS))
        if not reps:
            continue
        used += 1
        if max_segments is not None and used > max_segments:
            break
        x = pose.data
        row0 = int(meta["rows"][0])
        seg = int(meta["segment"]) + off

        def add(u: np.ndarray, code: str, scope: str, n: int, rows: tuple[int, int]) -> None:
            units.append(u)
            for k, v in zip(cols, (seg, code, scope, n, rel, rows)):
                cols[k].append(v)

        (a, b), _ = reps[0]
        first = x[a:b]
        if len(reps) >= 3:
            (a3, _), _ = reps[0]
            (_, b3), _ = reps[2]
            triple: list[np.ndarray] | None = None
        else:
            triple = [x[s0:s1] for (s0, s1), _ in (reps * 3)[:3]]
        for code in ("",) + faults:
            one = first if not code else inject_2d(first, code)
            if code and code != "jumping":
                bones = LEGS_2D if code in ("lateral_shift", "hip_rotation") else BONES_2D
                worst[code] = max(worst.get(code, 0.0), length_change(first, one, bones))
            add(one, code, "single", 1, (row0 + a, row0 + b))
            if triple is None:
                many = x[a3:b3] if not code else _every_contiguous(x[a3:b3], code, [(s0 - a3, s1 - a3)
                                                                                    for _, (s0, s1) in reps[:3]])
                add(many, code, "every", 3, (row0 + a3, row0 + b3))
            else:
                parts = [r if not code else inject_2d(r, code) for r in triple]
                add(f3.join(parts, FPS).astype(np.float32), code, "every", 3, (-1, -1))
    if REACHED:
        hit, tot = (sum(v) for v in zip(*REACHED))
        print(f"ec {movement}: knee FPPA target reached in {hit}/{tot} knee-frames ({100 * hit / max(tot, 1):.0f} %)")
        REACHED.clear()
    changes = ", ".join(f"{k} {v * 100:.0f} %" for k, v in sorted(worst.items()))
    print(f"ec {movement}: {len(units)} sets from {min(used, max_segments or used)} segments; largest image "
          f"segment-length change per fault (share of its longest length): {changes}")
    offsets = np.concatenate([[0], np.cumsum([len(u) for u in units])])
    return {
        "data": np.concatenate(units).astype(np.float32), "offsets": offsets,
        **{k: np.array(v) for k, v in cols.items()},
        "fps": np.array(FPS), "source": np.array("blazepose-csv"), "exercise": np.array(movement),
        "space": np.array("image"), "image_size": np.array(IMAGE_SIZE),
    }


def _every_contiguous(x: np.ndarray, code: str, downs: list[Span]) -> np.ndarray:
    """Three recorded reps in one stretch, each rep's fault injected over its own part: the stretch is cut halfway
    between one rep's bottom run and the next, each piece injected on its own (the hop after the last rep)."""
    cuts = [0] + [(downs[i][1] + downs[i + 1][0]) // 2 for i in range(len(downs) - 1)] + [len(x)]
    pieces = [x[c0:c1] for c0, c1 in zip(cuts[:-1], cuts[1:])]
    if code == "jumping":
        return np.concatenate([add_hop_2d(p) for p in pieces])
    return np.concatenate([inject_2d(p, code) for p in pieces])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=f3.REPO.parent / "shared" / "datasets")
    ap.add_argument("--out", type=Path, default=f3.REPO / ".cache" / "constructed")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for movement in ("squat", "lunge"):
        np.savez_compressed(args.out / f"ec_{movement}.npz", **build(args.shared, movement))


if __name__ == "__main__":
    main()
