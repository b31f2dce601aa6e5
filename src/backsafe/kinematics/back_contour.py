"""The shape of the back itself, from MediaPipe's person segmentation mask (side view, opt-in: ``--back-shape``).

The shoulder-hip line cannot see the spine bend. Here the back's outline is traced on the person mask at a few key
frames of each rep and its bulge measured (method and limits: ../shared/research/back-contour.md):

- chord H→S from the hip midpoint to the shoulder midpoint, length L; the back normal points away from the
  direction the person faces;
- at 39 points from 12 % to 88 % along the chord, march along the normal to where the mask drops below 0.5;
- sagitta = the largest signed deviation of that profile from the line joining its two ends, divided by L:
  + convex (rounded), − concave (arched).

The mask resolves the upper and mid back, not the lumbar segment (about one mask pixel), and loose clothing
distorts it, so the value is only used **relative to the same person's first rep** (a rise of ≥ 0.04 L), only
when the trunk leans more than 40°, the profile is ≥ 80 % complete and the view is a true side view — and the cue
speaks of the whole back, never of the lumbar spine.
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


@dataclass(frozen=True, slots=True)
class BackShape:
    rep: int
    sagitta_rel: float  # + rounded, − arched, in chord lengths
    frame: int
    complete: float  # share of the profile traced


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


def key_frames(reps: list[Rep], bottom_at_start: bool = False) -> dict[int, int]:
    """The frame read for each rep: the deepest point of the hinge or squat — the turnaround, or for lifts that
    start from the floor (deadlift: rest at the bottom) the rep's start, i.e. lift-off."""
    return {r.index: (r.start_frame if bottom_at_start else r.turn_frame) for r in reps}


def measure_back_shape(
    frames: Iterable[tuple[int, npt.NDArray[np.uint8]]],
    segment: Callable[[npt.NDArray[np.uint8]], npt.NDArray[np.floating] | None],
    pose: PoseSequence,
    kin: Kinematics,
    reps: list[Rep],
    bottom_at_start: bool = False,
) -> list[BackShape]:
    """Trace the back at each rep's turnaround.

    ``frames`` yields (frame index, RGB) for at least the wanted frames (others are skipped cheaply);
    ``segment`` returns the person mask of an RGB frame (MediaPipe segmentation), or None.
    """
    if kin.view != "side" or kin.facing is None or not reps:
        return []
    wanted = key_frames(reps, bottom_at_start)
    by_frame = {f: r for r, f in wanted.items()}
    facing = 1.0 if kin.facing == "right" else -1.0
    trunk = np.abs(kin["trunk_inclination_deg"])
    out: list[BackShape] = []
    for index, rgb in frames:
        if index not in by_frame:
            continue
        if not (np.isfinite(trunk[index]) and trunk[index] > MIN_TRUNK_DEG):
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
            out.append(BackShape(rep=by_frame[index], sagitta_rel=value, frame=index, complete=complete))
    return out
