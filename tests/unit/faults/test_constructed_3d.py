"""The constructed 3D faults of tools/inject_faults.py (issue 16) are faults within the set, not a camera turn.

UI-PRMD's inline lunges start and end in the split stance with the knees bent (Vicon subject 1: the front knee
at 51-102°). The knee, shift and twist faults ramp in with the knee's bend from the set's own straightest knee,
so at the set's start the injected skeleton is the clean one and at the rep's deepest the full fault is there.
Ramped from 0° instead, the whole recording was turned alike, which no rule relative to the person's own start
can see (docs/evaluation.md, "The injection's ramp, fixed"). Needs ../shared.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from tests.load_by_path import load_module

TOOL = Path(__file__).resolve().parents[3] / "tools" / "inject_faults.py"


@pytest.fixture(scope="module")
def inj() -> ModuleType:
    return load_module("inject_faults", TOOL)


def _first_correct(inj: ModuleType, datasets: Path, sensor: str, movement: str, subject: int) -> np.ndarray:
    npz = datasets / "ui_prmd" / sensor / f"{movement}.npz"
    for pose, meta in inj.iter_uiprmd_reps(npz, sensor):
        if meta["correct"] and int(meta["subject"]) == subject:
            return np.asarray(pose.data, dtype=np.float64)
    raise AssertionError(f"no correct rep of subject {subject} in {npz}")


def _hip_yaw(inj: ModuleType, x: np.ndarray) -> np.ndarray:
    """The hip line's direction about the vertical, in degrees, per frame."""
    h = inj._p(x, "left_hip") - inj._p(x, "right_hip")
    return np.degrees(np.arctan2(h[:, 2], h[:, 0]))


@pytest.mark.parametrize("sensor", ["vicon", "kinect"])
def test_twist_is_absent_at_the_sets_start_and_full_at_its_deepest(inj: ModuleType, datasets: Path,
                                                                      sensor: str) -> None:
    x = _first_correct(inj, datasets, sensor, "m03_inline_lunge", 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        w = np.fmax(inj._knee_weight(x, "left"), inj._knee_weight(x, "right"))
        out = inj.inject_hip_rotation(x.copy())
    turn = np.abs((_hip_yaw(inj, out) - _hip_yaw(inj, x) + 180.0) % 360.0 - 180.0)
    assert w.min() == 0.0 and w.max() == 1.0, (w.min(), w.max())  # the set holds both ends of the ramp
    assert turn[w == 0.0].max() < 0.5, turn[w == 0.0].max()  # where the set is straightest, nothing is turned
    assert abs(float(turn[w == 1.0].max()) - inj.HIP_ROT_DEG) < 0.5  # at full weight, the whole 20° twist
