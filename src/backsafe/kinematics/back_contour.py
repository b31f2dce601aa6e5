"""The shape of the back itself, from MediaPipe's person segmentation mask (side view, opt-in: ``--back-shape``).

The shoulder-hip line cannot see the spine bend. Here the back's outline is traced on the person mask at a few key
frames of each rep and its bulge measured (method and limits: ../shared/research/back-contour.md):

- chord H→S from the hip midpoint to the shoulder midpoint, length L; the back normal points away from the
  direction the person faces;
- at 39 points from 12 % to 88 % along the chord, march along the normal to where the mask drops below 0.5;
- sagitta = the largest signed deviation of that profile from the line joining its two ends, divided by L:
  + convex (rounded), − concave (arched).

Where: while the back carries the load — the lifting (concentric) phase of each rep, on the frames where the trunk
leans more than 40° (below that, arms, hands and bar merge into the silhouette). Up to ``MAX_FRAMES`` frames
spread over that window are traced and a rep's value is their median, so one bad mask cannot decide. In a
deadlift this is the pull from lift-off until the trunk is half upright: the spike found the set-up itself
misleading (a lifter with the head down reads convex there and extends just before lift-off).

The mask resolves the upper and mid back, not the lumbar segment (about one mask pixel), and loose clothing
distorts it. So the value is used only when the trunk leans more than 40°, the profile is ≥ 80 % complete, at
least ``MIN_FRAMES`` frames were traced and the view is a true side view, and the cue speaks of the whole back,
never of the lumbar spine. How back_rounding uses it (relative to the first rep; in hinges also an absolute
convexity limit): faults/rules/back_rounding.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..model import Kinematics, PoseSequence, Rep
from ..skeleton import JOINT_INDEX as J

FloatArray = npt.NDArray[np.float64]

SAMPLES = np.linspace(0.12, 0.88, 39)
MAX_REACH = 0.6  # of the chord length
MIN_COMPLETE = 0.8
MIN_TRUNK_DEG = 40.0
MAX_FRAMES = 8  # traced per rep (static-image segmentation: ~40 ms a frame on this machine)
MIN_FRAMES = 3


@dataclass(frozen=True, slots=True)
class BackShape:
    rep: int
    sagitta_rel: float  # + rounded, − arched, in chord lengths: median over the traced frames
    frame: int  # the traced frame whose value is nearest that median (shown in the report)
    complete: float  # mean share of the profile traced
    n_frames: int = 1  # frames traced


def sagitta(mask: npt.NDArray[np.floating], hip: FloatArray, shoulder: FloatArray, facing: float,
            threshold: float = 0.5) -> tuple[float, float]:
    """(sagitta in chord lengths, share of the profile found) of the back outline on ``mask`` (H, W)."""
    chord = shoulder - hip
    length = float(np.hypot(*chord))
    if not np.isfinite(length) or length < 10:
        return float("nan"), 0.0
    u = chord / length
    n = np.array([-u[1], u[0]])
    # the back is on the side away from where the person faces (image x: + right)
    if np.sign(n[0]) == np.sign(facing) and n[0] != 0:
        n = -n
    h, w = mask.shape
    steps = np.arange(0.0, MAX_REACH * length, 0.5)
    profile = np.full(SAMPLES.size, np.nan)
    for i, t in enumerate(SAMPLES):
        p = hip + t * chord
        pts = p[None, :] + steps[:, None] * n[None, :]
        xi = np.clip(np.round(pts[:, 0]).astype(int), 0, w - 1)
        yi = np.clip(np.round(pts[:, 1]).astype(int), 0, h - 1)
        inside = mask[yi, xi] >= threshold
        if not inside[0]:
            continue
        out = np.flatnonzero(~inside)
        if out.size:
            profile[i] = steps[out[0]] / length
    ok = np.isfinite(profile)
    complete = float(ok.mean())
    if complete < MIN_COMPLETE:
        return float("nan"), complete
    idx = np.arange(SAMPLES.size)
    profile = np.interp(idx, idx[ok], profile[ok])
    profile = np.convolve(np.pad(profile, 2, mode="edge"), np.ones(5) / 5, mode="valid")
    line = np.linspace(profile[0], profile[-1], profile.size)
    dev = profile - line
    k = int(np.argmax(np.abs(dev)))
    return float(dev[k]), complete


def lift_frames(kin: Kinematics, reps: list[Rep], max_frames: int = MAX_FRAMES) -> dict[int, list[int]]:
    """The frames to trace for each rep: its lifting (concentric) phase where the trunk leans more than 40°,
    at most ``max_frames`` of them, evenly spread. Reps without such frames are left out."""
    trunk = np.abs(kin["trunk_inclination_deg"])
    out: dict[int, list[int]] = {}
    for r in reps:
        a, b = r.phase_frames.get("concentric", (r.start_frame, r.end_frame))
        idx = np.arange(a, min(b, kin.n_frames - 1) + 1)
        idx = idx[np.isfinite(trunk[idx]) & (trunk[idx] > MIN_TRUNK_DEG)]
        if idx.size:
            pick = np.unique(np.round(np.linspace(0, idx.size - 1, min(max_frames, idx.size))).astype(int))
            out[r.index] = [int(i) for i in idx[pick]]
    return out


def measure_back_shape(
    frames: Iterable[tuple[int, npt.NDArray[np.uint8]]],
    segment: Callable[[npt.NDArray[np.uint8]], npt.NDArray[np.floating] | None],
    pose: PoseSequence,
    kin: Kinematics,
    reps: list[Rep],
) -> list[BackShape]:
    """Trace the back over each rep's lifting phase (:func:`lift_frames`); one :class:`BackShape` per rep with at
    least ``MIN_FRAMES`` usable traces.

    ``frames`` yields (frame index, RGB) for at least the wanted frames (others are skipped cheaply);
    ``segment`` returns the person mask of an RGB frame (MediaPipe segmentation), or None.
    """
    if kin.view != "side" or kin.facing is None or not reps:
        return []
    rep_of = {f: r for r, fs in lift_frames(kin, reps).items() for f in fs}
    facing = 1.0 if kin.facing == "right" else -1.0
    traced: dict[int, list[tuple[int, float, float]]] = {}
    for index, rgb in frames:
        if index not in rep_of:
            continue
        d = pose.data[index]
        hip = np.nanmean(d[[J["left_hip"], J["right_hip"]], :2], axis=0).astype(np.float64)
        sh = np.nanmean(d[[J["left_shoulder"], J["right_shoulder"]], :2], axis=0).astype(np.float64)
        if not (np.isfinite(hip).all() and np.isfinite(sh).all()):
            continue
        mask = segment(rgb)
        if mask is None:
            continue
        value, complete = sagitta(mask, hip, sh, facing)
        if np.isfinite(value):
            traced.setdefault(rep_of[index], []).append((index, value, complete))
    out: list[BackShape] = []
    for rep, rows in sorted(traced.items()):
        if len(rows) < MIN_FRAMES:
            continue
        values = np.array([v for _, v, _ in rows])
        med = float(np.median(values))
        frame = rows[int(np.argmin(np.abs(values - med)))][0]
        out.append(BackShape(rep=rep, sagitta_rel=med, frame=frame,
                             complete=float(np.mean([c for _, _, c in rows])), n_frames=len(rows)))
    return out
