"""Back outline on a segmentation mask: a straight back reads ~0, a humped back reads positive (rounded), a
hollow back negative; the back_rounding rule uses it only relative to the person's first rep."""

from __future__ import annotations

import numpy as np
import pytest

from backsafe.faults.base import FaultContext
from backsafe.faults.rules import back_rounding
from backsafe.kinematics.back_contour import BackShape, sagitta
from tests.unit.faults.fault_builders import ctx_for, make_kin, make_reps


def _torso_mask(bulge_px: float) -> np.ndarray:
    """A person bent forward, facing right: torso from hip (200, 400) to shoulder (400, 300); the back is on the
    upper-left side of the chord. ``bulge_px`` pushes the middle of the back outwards (+) or inwards (-)."""
    h, w = 600, 600
    yy, xx = np.mgrid[0:h, 0:w].astype(float)
    hip, sh = np.array([200.0, 400.0]), np.array([400.0, 300.0])
    u = (sh - hip) / np.linalg.norm(sh - hip)
    n = np.array([u[1], -u[0]])  # points up-left: away from where the person faces (+x)
    rel = np.stack([xx - hip[0], yy - hip[1]], axis=-1)
    along = rel @ u
    across = rel @ n
    length = np.linalg.norm(sh - hip)
    t = np.clip(along / length, 0, 1)
    back_edge = 40.0 + bulge_px * np.sin(np.pi * t)  # distance of the back outline from the chord
    inside = (along >= -20) & (along <= length + 20) & (across <= back_edge) & (across >= -60)
    return inside.astype(np.float32)


@pytest.mark.parametrize(("bulge", "sign"), [(0.0, 0), (25.0, 1), (-20.0, -1)])
def test_sagitta_sign(bulge: float, sign: int) -> None:
    value, complete = sagitta(_torso_mask(bulge), np.array([200.0, 400.0]), np.array([400.0, 300.0]), facing=1.0)
    assert complete == 1.0
    if sign == 0:
        assert abs(value) < 0.01
    else:
        assert np.sign(value) == sign and abs(value) > 0.04


def test_missing_mask_is_incomplete() -> None:
    value, complete = sagitta(np.zeros((600, 600), np.float32), np.array([200.0, 400.0]),
                              np.array([400.0, 300.0]), facing=1.0)
    assert np.isnan(value) and complete == 0.0


def test_rule_is_relative_to_the_first_rep() -> None:
    reps, n = make_reps(4)
    kin = make_kin(n, view="side")
    shapes = tuple(BackShape(rep=i + 1, sagitta_rel=v, frame=reps[i].turn_frame, complete=1.0)
                   for i, v in enumerate([0.02, 0.03, 0.07, 0.08]))
    base = ctx_for(kin, reps, "deadlift")
    ctx = FaultContext(**{**{k: getattr(base, k) for k in base.__slots__}, "back_shapes": shapes})
    found = [f for f in back_rounding.check(ctx) if f.unit == "back chord lengths"]
    assert [f.rep for f in found] == [3, 4]
    assert all(f.threshold == pytest.approx(0.06) for f in found)
    # a clip whose every rep is humped the same (e.g. a loose shirt) gives nothing: relative only
    flat = tuple(BackShape(rep=i + 1, sagitta_rel=0.08, frame=0, complete=1.0) for i in range(4))
    ctx2 = FaultContext(**{**{k: getattr(base, k) for k in base.__slots__}, "back_shapes": flat})
    assert [f for f in back_rounding.check(ctx2) if f.unit == "back chord lengths"] == []
