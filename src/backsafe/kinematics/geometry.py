"""Geometry shared by the kinematics: a body's joints by name with "up" as axis 1, and angles between vectors;
and the array helpers they share (NaN-aware mean and median, the runs of a mask).

Image space (2D) is turned to x right, y up, so that "up" is +y for 2D and measured 3D alike."""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import numpy.typing as npt

from ..skeleton import JOINT_INDEX as J

FloatArray = npt.NDArray[np.float64]


def nanmean(*arrays: FloatArray) -> FloatArray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return np.asarray(np.nanmean(np.stack(arrays), axis=0), dtype=np.float64)


def nanmedian(x: FloatArray) -> float:
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def true_runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """The runs of True in a 1-D mask, in order, as (start, stop) indices (stop exclusive)."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]


def included_angle(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
    """Angle at b (degrees) between b->a and b->c; vectors (T, D)."""
    return angle_between(a - b, c - b)


def angle_between(u: FloatArray, v: FloatArray) -> FloatArray:
    nu = np.linalg.norm(u, axis=1)
    nv = np.linalg.norm(v, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.einsum("td,td->t", u, v) / (nu * nv)
    return np.asarray(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))), dtype=np.float64)


def signed_plane_angle(v: FloatArray, up: FloatArray, fwd: FloatArray) -> FloatArray:
    """Angle of v from vertical within the plane (up, fwd); + toward fwd. v, fwd: (T, D)."""
    a = np.einsum("td,d->t", v, up)
    b = np.einsum("td,td->t", v, fwd)
    return np.asarray(np.degrees(np.arctan2(b, a)), dtype=np.float64)


class Body:
    """Joint positions (T, D) by name, in a frame where axis 1 is UP, with per-frame body axes."""

    def __init__(self, xyz: FloatArray, dims: Literal["2d", "3d"]) -> None:
        self.dims = dims
        if dims == "2d":
            # image (x right, y down) -> (x right, y up) so that "up" is +y in both cases
            self.p = np.stack([xyz[..., 0], -xyz[..., 1]], axis=-1)
        else:
            self.p = xyz
        self.up = np.zeros(self.p.shape[-1])
        self.up[1] = 1.0

    def __getitem__(self, name: str) -> FloatArray:
        return self.p[:, J[name]]

    def mid(self, a: str, b: str) -> FloatArray:
        """Midpoint of two joints; where one is missing (the hidden side in a side view), the other one."""
        return nanmean(self[a], self[b])
