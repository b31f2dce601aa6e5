"""Cleaning a PoseSequence: confidence gate, left/right swap repair, outlier rejection, gap filling, low-pass.

Order matters: swaps are repaired on the raw gated points (a swap is a displacement, not noise), outliers are
rejected before gaps are filled, and the low-pass runs last on each NaN-free run separately.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from scipy.signal import butter, sosfiltfilt

from ..model import PoseSequence
from .geometry import true_runs

FloatArray = npt.NDArray[np.float64]
#: float dtype kept through the swap repair (float32 keypoints stay float32: same numbers as before typing)
_FloatT = TypeVar("_FloatT", bound=np.floating[Any])

#: COACHING_RULES.md §5 pipeline: keypoints used only at confidence >= 0.5 (MediaPipe visibility). OpenPose
#: heat-map confidences live on another scale (0.3-0.7 for a well-seen joint; 0 = not detected), so its gate is
#: OpenPose's own customary 0.1; measured 3D (Kinect, mocap) is not gated.
CONFIDENCE_MIN = 0.5
CONFIDENCE_MIN_BY_SOURCE = {"openpose-json": 0.1, "coco18-npy": 0.1, "coco17-json": 0.1, "kinect-uiprmd": 0.0,
                            "kinect-v2": 0.0}


def confidence_gate_for(source: str) -> float:
    """The confidence below which a keypoint of this source is treated as missing."""
    return CONFIDENCE_MIN_BY_SOURCE.get(source, CONFIDENCE_MIN)
#: Low-pass cut-off. Exercise movements have their power below ~3 Hz (a 1 s rep phase is 0.5 Hz; a bounce out
#: of the bottom ~2-3 Hz); 6 Hz is the classic cut-off for joint kinematics of human movement (Winter,
#: Biomechanics and Motor Control of Human Movement, 2009) and keeps a 0.2 s pause visible while removing the
#: frame-to-frame jitter of single-camera pose (mostly above 5 Hz at 30 fps). For low frame rates it is capped at
#: 0.4 x fps (80 % of Nyquist) in :func:`lowpass`.
CUTOFF_HZ = 6.0
FILTER_ORDER = 2  # applied forward and backward (sosfiltfilt): effective 4th order, zero phase
#: gaps up to this long are interpolated; longer ones stay missing (a person out of frame is not invented)
MAX_GAP_S = 0.5
#: Hampel outlier window and threshold (in robust SDs)
HAMPEL_WINDOW_S = 0.3
HAMPEL_K = 4.0

_LIMB_GROUPS: tuple[tuple[str, ...], ...] = (
    ("hip", "knee", "ankle", "heel", "foot_index"),
    ("shoulder", "elbow", "wrist", "pinky", "index", "thumb"),
)


def gate_confidence(data: npt.NDArray[np.float32], conf_min: float = CONFIDENCE_MIN) -> npt.NDArray[np.float32]:
    """NaN out x, y, z of keypoints below ``conf_min``; returns a new array."""
    out = data.copy()
    low = ~(out[..., 3] >= conf_min)
    out[..., :3][low] = np.nan
    return out


def _group_pairs(joints: tuple[str, ...]) -> list[list[tuple[int, int]]]:
    index = {n: i for i, n in enumerate(joints)}
    groups = []
    for group in _LIMB_GROUPS:
        pairs = [
            (index[f"left_{n}"], index[f"right_{n}"])
            for n in group
            if f"left_{n}" in index and f"right_{n}" in index
        ]
        groups.append(pairs)
    return groups


def repair_swaps(
    xyz: npt.NDArray[_FloatT], joints: tuple[str, ...], penalty: float = 0.25
) -> tuple[npt.NDArray[_FloatT], int]:
    """Undo left/right limb swaps, a known failure of single-camera pose.

    For each limb group (legs, arms) a two-state Viterbi path chooses, frame by frame, between "as labelled" and
    "left and right exchanged": the cost of a path is how far each joint moves between consecutive frames, plus
    ``penalty`` x the left-right separation for every frame kept exchanged (so labels are only exchanged when
    that clearly makes the motion smoother). Vectorised costs, an O(T) loop over four numbers a frame.

    Parameters
    ----------
    xyz : (T, J, 3) positions (NaN = missing).

    Returns
    -------
    (repaired copy, number of frames exchanged in any group)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)  # all-NaN frames carry no information
        out = xyz.copy()
        exchanged = np.zeros(xyz.shape[0], dtype=bool)
        for pairs in _group_pairs(joints):
            if not pairs:
                continue
            li = np.array([p[0] for p in pairs])
            ri = np.array([p[1] for p in pairs])
            flip = _swap_path(out[:, li, :2], out[:, ri, :2], penalty)
            if flip.any():
                tmp = out[flip][:, li].copy()
                sel = np.flatnonzero(flip)
                out[np.ix_(sel, li)] = out[np.ix_(sel, ri)]
                out[np.ix_(sel, ri)] = tmp
                exchanged |= flip
        return out, int(exchanged.sum())


def _swap_path(left: npt.NDArray[_FloatT], right: npt.NDArray[_FloatT], penalty: float) -> npt.NDArray[np.bool_]:
    """Viterbi over {kept, exchanged} for one limb group; left/right: (T, K, 2)."""
    T = left.shape[0]
    if T < 2:
        return np.zeros(T, dtype=bool)
    # compare only joints seen on both sides in both frames, so a joint missing on one side cannot tip the scale
    ok = np.asarray(np.isfinite(left).all(axis=2) & np.isfinite(right).all(axis=2), dtype=np.bool_)
    both = ok[1:] & ok[:-1]

    def dist(a: npt.NDArray[_FloatT], b: npt.NDArray[_FloatT]) -> npt.NDArray[np.floating[Any]]:
        d = np.where(both, np.linalg.norm(a - b, axis=2), 0.0)
        mean_step: npt.NDArray[np.floating[Any]] = d.sum(axis=1) / np.maximum(both.sum(axis=1), 1)
        return mean_step

    same = dist(left[1:], left[:-1]) + dist(right[1:], right[:-1])  # kept->kept (= exchanged->exchanged)
    cross = dist(left[1:], right[:-1]) + dist(right[1:], left[:-1])  # kept<->exchanged
    sep_all = np.where(ok, np.linalg.norm(left - right, axis=2), np.nan)
    sep = np.nan_to_num(np.nanmean(sep_all, axis=1), nan=0.0)
    typical = float(np.nanmedian(sep_all)) if np.isfinite(sep_all).any() else 0.0
    # never free: exchanging costs at least a small fixed amount even where the sides overlap (side view)
    unary = penalty * np.maximum(sep, typical) + 1e-6
    cost = np.array([0.0, unary[0]])
    back = np.zeros((T, 2), dtype=np.int8)
    for t in range(1, T):
        c0 = (cost[0] + same[t - 1], cost[1] + cross[t - 1])
        c1 = (cost[0] + cross[t - 1], cost[1] + same[t - 1])
        b0 = 0 if c0[0] <= c0[1] else 1
        b1 = 0 if c1[0] <= c1[1] else 1
        back[t] = (b0, b1)
        cost = np.array([c0[b0], c1[b1] + unary[t]])
    state = int(np.argmin(cost))
    path = np.zeros(T, dtype=bool)
    for t in range(T - 1, -1, -1):
        path[t] = bool(state)
        state = int(back[t, state])
    return path


def _interp_columns(X: FloatArray, t: FloatArray) -> FloatArray:
    """Linear interpolation of every NaN in each column (edges: nearest valid value); all-NaN columns stay NaN."""
    out = X.copy()
    for k in range(X.shape[1]):
        col = X[:, k]
        ok = np.isfinite(col)
        if ok.all() or not ok.any():
            continue
        out[:, k] = np.interp(t, t[ok], col[ok])
    return out


def long_gap_mask(X: FloatArray, t: FloatArray, max_gap_s: float = MAX_GAP_S) -> npt.NDArray[np.bool_]:
    """True where a sample is missing and its gap is longer than ``max_gap_s`` or touches the clip's edge.

    Works column-wise on a (T, K) array without Python loops over time.
    """
    T: int = X.shape[0]
    ok: npt.NDArray[np.bool_] = np.isfinite(X)
    ar = np.arange(T)[:, None]
    prev_ok: npt.NDArray[np.intp] = np.maximum.accumulate(np.where(ok, ar, -1), axis=0)
    next_ok: npt.NDArray[np.intp] = np.minimum.accumulate(np.where(ok, ar, T)[::-1], axis=0)[::-1]
    inside = (~ok) & (prev_ok >= 0) & (next_ok < T)
    gap_s = np.full(X.shape, np.inf)
    gap_s[inside] = t[next_ok[inside]] - t[prev_ok[inside]]
    return (~ok) & ~(inside & (gap_s <= max_gap_s))


def reject_outliers(X: FloatArray, t: FloatArray, window: int, k: float = HAMPEL_K) -> npt.NDArray[np.bool_]:
    """Hampel filter over the columns of a (T, K) array: True where a point is more than ``k`` robust SDs
    (1.4826 x rolling MAD) from its rolling median. Missing points are never outliers."""
    from scipy.ndimage import median_filter

    if window < 3 or X.shape[0] < window:
        return np.zeros(X.shape, dtype=bool)
    filled = _interp_columns(X, t)
    filled = np.where(np.isfinite(filled), filled, 0.0)
    med: FloatArray = median_filter(filled, size=(window, 1), mode="nearest")
    resid = np.abs(filled - med)
    scale: FloatArray = 1.4826 * median_filter(resid, size=(window, 1), mode="nearest")
    # a floor so that perfectly still stretches (MAD = 0) do not turn sub-pixel noise into "outliers"
    floor = 1e-3 * (np.nanmax(np.abs(X)) if np.isfinite(X).any() else 1.0)
    return np.isfinite(X) & (resid > k * np.maximum(scale, floor))


def fill_gaps(x: FloatArray, t: FloatArray, max_gap_s: float = MAX_GAP_S) -> FloatArray:
    """Linear interpolation across NaN runs no longer than ``max_gap_s``; edges and long gaps stay NaN."""
    X = x.reshape(-1, 1)
    out = _interp_columns(X, t)
    out[long_gap_mask(X, t, max_gap_s)] = np.nan
    return out.reshape(x.shape)


@lru_cache(maxsize=32)
def _design(order: int, cutoff_hz: float, fps: float) -> npt.NDArray[np.float64]:
    """Butterworth low-pass in second-order sections (scipy's advice over b, a), designed once per rate."""
    return butter(order, cutoff_hz, btype="low", fs=fps, output="sos")  # type: ignore[no-any-return]


def lowpass(x: FloatArray, fps: float, cutoff_hz: float = CUTOFF_HZ, order: int = FILTER_ORDER) -> FloatArray:
    """Zero-phase Butterworth low-pass (SOS, forward-backward) along axis 0, on each NaN-free run separately.

    Runs too short for the filter's padding are left unfiltered. Accepts (T,) or (T, K) arrays; NaN runs of a
    (T, K) array are handled per column.
    """
    cutoff = min(cutoff_hz, 0.4 * fps)  # stay well inside Nyquist (fps / 2) for low frame rates
    if fps <= 0 or cutoff <= 0:
        return x.copy()
    sos = _design(order, round(cutoff, 6), round(fps, 6))
    padlen = 3 * (2 * len(sos) + 1)
    X = x.reshape(x.shape[0], -1)
    out = X.copy()
    ok = np.isfinite(X)
    if ok.all():
        if X.shape[0] > padlen:
            out = sosfiltfilt(sos, X, axis=0)
        return out.reshape(x.shape)
    for kcol in range(X.shape[1]):
        col_ok = ok[:, kcol]
        if not col_ok.any():
            continue
        for start, stop in true_runs(col_ok):
            if stop - start > padlen:
                out[start:stop, kcol] = sosfiltfilt(sos, X[start:stop, kcol])
    return out.reshape(x.shape)


def _clean_xyz(
    xyz: npt.NDArray[np.floating[Any]], t: FloatArray, fps: float, cutoff_hz: float
) -> npt.NDArray[np.float32]:
    """Outliers -> NaN (a whole joint when any coordinate is off), short gaps filled, low-passed, long gaps kept.

    Joint by joint, so the working memory is a few (T, 3) arrays rather than several copies of the whole
    (T, J x 3) table (a long clip must not need memory in proportion to joints x copies). Within a joint, long
    gaps are bridged linearly for the filter and blanked again afterwards.
    """
    T, J, C = xyz.shape
    window = max(3, int(round(HAMPEL_WINDOW_S * fps)) | 1)
    out = np.empty(xyz.shape, dtype=np.float32)
    for j in range(J):
        X = xyz[:, j, :].astype(np.float64)
        if not np.isfinite(X).any():
            out[:, j, :] = X
            continue
        X[reject_outliers(X, t, window).any(axis=1)] = np.nan
        missing = long_gap_mask(X, t)
        F = _interp_columns(X, t)
        if np.isfinite(F).all():
            F = lowpass(F, fps, cutoff_hz)
        F[missing] = np.nan
        out[:, j, :] = F
    return out


#: a jump of the body centre between consecutive detections larger than this many torso lengths is another
#: person (or a detection elsewhere), not movement: at 30 fps even a jump squat moves the hips about 0.1 torso
#: lengths a frame, and a zoom cut in an edited clip moves the centre less than this
TRACK_JUMP_TORSO = 3.0


def split_tracks(data: npt.NDArray[np.float32], joints: tuple[str, ...]) -> npt.NDArray[np.int32]:
    """Label each frame with a track id (-1 = nobody); a new id starts at every identity switch.

    Single-person pose trackers (MediaPipe's legacy solution) can jump to another person in frame, or lose the
    person and pick them up elsewhere; such jumps are found from the body centre and the torso length.
    """
    index = {n: i for i, n in enumerate(joints)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)  # frames with nobody: NaN, handled below
        return _split_tracks(data, index)


def _split_tracks(data: npt.NDArray[np.float32], index: dict[str, int]) -> npt.NDArray[np.int32]:
    sh = np.nanmean(data[:, [index["left_shoulder"], index["right_shoulder"]], :2], axis=1) if data.size else data
    hp = np.nanmean(data[:, [index["left_hip"], index["right_hip"]], :2], axis=1) if data.size else data
    centre = 0.5 * (sh + hp)
    torso = np.linalg.norm(sh - hp, axis=1)
    ok = np.isfinite(centre).all(axis=1) & np.isfinite(torso) & (torso > 0)
    labels = np.full(data.shape[0], -1, dtype=np.int32)
    current = -1
    last: int | None = None
    for t in np.flatnonzero(ok):
        if last is None:
            current += 1
        else:
            # another person elsewhere in frame: the centre jumps several torso lengths (of the larger of the
            # two detections, so a torso shortened by a head out of frame does not count as a switch)
            jump = np.linalg.norm(centre[t] - centre[last]) / max(torso[last], torso[t], 1e-9)
            if jump > TRACK_JUMP_TORSO:
                current += 1
        labels[t] = current
        last = int(t)
    return labels


#: a track shorter than this is a glitch (the detector grabbed a plate or a shadow for a moment): blanked
MIN_TRACK_S = 0.5


def resolve_tracks(
    data: npt.NDArray[np.float32], joints: tuple[str, ...], t: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float32], tuple[int, ...]]:
    """Blank glitch tracks (< MIN_TRACK_S) and return the frames where a sustained new track starts.

    Returns (data, breaks): a break is a switch between two sustained tracks, e.g. the tracker moving to a
    second person; reps are never counted across it.
    """
    labels = split_tracks(data, joints)
    out = data
    if labels.max(initial=-1) <= 0:
        return out, ()
    ids = np.unique(labels[labels >= 0])
    spans = {i: np.flatnonzero(labels == i) for i in ids}
    short = [i for i, f in spans.items() if t[f[-1]] - t[f[0]] < MIN_TRACK_S]
    if short:
        out = data.copy()
        for i in short:
            out[spans[i], :, :3] = np.nan
            out[spans[i], :, 3] = 0.0
    kept = [i for i in ids if i not in short]
    breaks = tuple(int(spans[i][0]) for i in kept[1:])
    return out, breaks


def clean_pose(
    pose: PoseSequence,
    cutoff_hz: float = CUTOFF_HZ,
    conf_min: float | None = None,
    repair_lr: bool = True,
) -> tuple[PoseSequence, dict[str, Any]]:
    """Clean a PoseSequence for offline analysis; returns (cleaned, stats).

    stats: floats ``swapped_frames``, ``track_switches``, ``gated_share`` (share of keypoints below the confidence
    gate), ``cutoff_hz``, and ``track_breaks``, a tuple of frame indices where a sustained new track starts (the
    caller pops it and reports the rest as numbers, hence the mixed value type).
    Confidence of a filled point is set to ``conf_min`` (it was interpolated, not measured).
    """
    t = pose.timestamps_s.astype(np.float64)
    fps = pose.fps if pose.n_frames > 1 else 30.0
    if conf_min is None:
        conf_min = confidence_gate_for(pose.source)
    raw = pose.data
    breaks: tuple[int, ...] = ()
    if pose.space == "image":
        raw, breaks = resolve_tracks(gate_confidence(raw, conf_min), pose.joints, t)
    gated = gate_confidence(raw, conf_min)
    xyz = gated[..., :3].copy()  # float32 like the input: long clips keep a small footprint (work is per joint)
    n_swapped = 0
    if repair_lr and pose.space == "image":
        xyz, n_swapped = repair_swaps(xyz, pose.joints)
    cleaned = _clean_xyz(xyz, t, fps, cutoff_hz)
    data = np.empty_like(pose.data)
    data[..., :3] = cleaned
    conf = np.where(np.isfinite(gated[..., 0]), raw[..., 3], 0.0)
    filled = ~np.isfinite(gated[..., 0]) & np.isfinite(cleaned[..., 0])
    conf = np.where(filled, conf_min, conf)
    data[..., 3] = conf
    world: npt.NDArray[np.float32] | None = None
    if pose.world is not None:
        w = pose.world.copy()
        w[~np.isfinite(gated[..., 0])] = np.nan
        world = _clean_xyz(w, t, fps, cutoff_hz)
    present = np.isfinite(pose.data[..., 0])
    stats: dict[str, Any] = {
        "swapped_frames": float(n_swapped),
        "track_switches": float(len(breaks)),
        "gated_share": float(1.0 - (np.isfinite(gated[..., 0]).sum() / max(1, present.sum()))),
        "cutoff_hz": float(min(cutoff_hz, 0.4 * fps)),
        "track_breaks": breaks,
    }
    return pose.replace(data=data, world=world), stats
