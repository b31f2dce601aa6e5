"""Static L5/S1 moment and compression (COACHING_RULES §6) against the worked examples.

80 kg man, arm 3.96 kg (de Leva: upper arm 2.17 + forearm 1.30 + hand 0.49) with its COM 0.30 m from the
shoulder, grip 0.62 m straight; front raise with 5 kg per hand (``load_kg`` = 10, the total in both hands):
2 x 42 = 84 N·m straight, 2 x 22 = 44 N·m with the elbow at 90° (grip 0.28 m). Shoulder straight above L5/S1 and
head/trunk COM at 0 horizontal distance, so only the arms and the load make the moment.
"""

from __future__ import annotations

import numpy as np
import pytest
from fault_builders import bumps, ctx_for, make_kin, make_reps

from backsafe.faults.lumbar import G, lumbar_load, moment_series

UPPER_ARM_M = 0.28
FOREARM_M = 0.27


def _arm_series(reps, n: int, upper: float, fore: float, hand: float) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    """com_dx of each arm segment at its raised position (sin² ramp in and out of each rep)."""
    out = {}
    for side in ("left", "right"):
        out[f"com_dx_upperarm_{side}_m"] = bumps(reps, upper, n)
        out[f"com_dx_forearm_{side}_m"] = bumps(reps, fore, n)
        out[f"com_dx_hand_{side}_m"] = bumps(reps, hand, n)
    return out


STRAIGHT = (0.577 * UPPER_ARM_M, UPPER_ARM_M + 0.457 * FOREARM_M, 0.62)
BENT_90 = (0.577 * UPPER_ARM_M, UPPER_ARM_M, UPPER_ARM_M)  # forearm vertical above the elbow


@pytest.mark.parametrize(("arm", "moment", "compression"), [(STRAIGHT, 84.0, 2200.0), (BENT_90, 44.0, 1400.0)])
def test_front_raise_worked_example(arm: tuple[float, float, float], moment: float, compression: float) -> None:
    reps, n = make_reps(3)
    kin = make_kin(n, series=_arm_series(reps, n, *arm))
    ctx = ctx_for(kin, reps, "front_raise", load_kg=10.0, body_mass_kg=80.0, sex="male")
    out = lumbar_load(ctx)
    assert set(out.moment_nm) == {1, 2, 3}
    for r in reps:
        assert out.moment_nm[r.index] == pytest.approx(moment, abs=1.5)
        assert out.compression_n[r.index] == pytest.approx(compression, rel=0.03)
        # Fc = M / 0.05 + (0.55 BW + load) g cos(trunk); trunk upright here
        assert out.compression_n[r.index] == pytest.approx(out.moment_nm[r.index] / 0.05 + (44 + 10) * G, abs=2)
    assert out.warnings == []


def test_bent_elbow_cuts_the_moment_by_about_a_third() -> None:
    reps, n = make_reps(2)
    m = {}
    for name, arm in (("straight", STRAIGHT), ("bent", BENT_90)):
        kin = make_kin(n, series=_arm_series(reps, n, *arm))
        m[name] = lumbar_load(ctx_for(kin, reps, "front_raise", load_kg=10.0, body_mass_kg=80.0)).compression_n[1]
    assert 1 - m["bent"] / m["straight"] == pytest.approx(0.36, abs=0.03)


def test_kettlebell_swing_example() -> None:
    """KB 16 kg, trunk 60°: 44 kg x 0.26 m + 16 kg x 0.43 m ≈ 180 N·m → ~3.9 kN, above the 3.4 kN action limit."""
    reps, n = make_reps(2)
    upper_kg = (0.0694 + 0.4346 + 2 * (0.0271 + 0.0162 + 0.0061)) * 80.0
    series = {f"com_dx_{seg}_m": np.full(n, 0.26 * 44.0 / upper_kg) for seg in ("head", "trunk")}
    for side in ("left", "right"):
        series[f"com_dx_upperarm_{side}_m"] = np.full(n, 0.26 * 44.0 / upper_kg)
        series[f"com_dx_forearm_{side}_m"] = np.full(n, 0.26 * 44.0 / upper_kg)
        series[f"com_dx_hand_{side}_m"] = np.full(n, 0.43)
    series["trunk_inclination_deg"] = np.full(n, 60.0)
    kin = make_kin(n, series=series)
    out = lumbar_load(ctx_for(kin, reps, "kettlebell_swing", load_kg=16.0, body_mass_kg=80.0))
    # the hands also carry their own segment mass at 0.43 m, so allow ~3 %
    assert out.moment_nm[1] == pytest.approx(180.0, rel=0.03)
    assert out.compression_n[1] == pytest.approx(3900.0, rel=0.04)
    assert any("action limit" in w for w in out.warnings)


def test_occluded_arm_mirrors_the_visible_one() -> None:
    reps, n = make_reps(2)
    series = _arm_series(reps, n, *STRAIGHT)
    for seg in ("upperarm", "forearm", "hand"):
        series[f"com_dx_{seg}_left_m"] = np.full(n, np.nan)
    kin = make_kin(n, series=series)
    out = lumbar_load(ctx_for(kin, reps, "front_raise", load_kg=10.0, body_mass_kg=80.0))
    assert out.moment_nm[1] == pytest.approx(84.0, abs=1.5)


def test_missing_head_falls_back_to_the_trunk_line() -> None:
    """Keypoint files without ears (Exercise-Correction CSVs) still get a moment (bug: NaN for every frame and a
    warning that wrongly asked for a side view)."""
    reps, n = make_reps(2)
    series = {"com_dx_head_m": np.full(n, np.nan), "com_dx_trunk_m": np.full(n, 0.1)}
    kin = make_kin(n, series=series)
    m = moment_series(ctx_for(kin, reps, "deadlift", body_mass_kg=80.0))
    assert m is not None and np.isfinite(m).all()
    out = lumbar_load(ctx_for(kin, reps, "deadlift", body_mass_kg=80.0))
    assert out.moment_nm[1] > 0.4346 * 80 * 0.1 * G


def test_lumbar_view_and_missing_data() -> None:
    reps, n = make_reps(2)
    front = make_kin(n, view="front", drop=[k for k in make_kin(1).series if k.startswith("com_dx")])
    out = lumbar_load(ctx_for(front, reps, "deadlift"))
    assert out.moment_nm == {} and "side view" in out.warnings[0]
    # oblique 2D: the horizontal distances are foreshortened (§6: side view within 15° of perpendicular)
    out = lumbar_load(ctx_for(make_kin(n, view="oblique"), reps, "deadlift"))
    assert out.moment_nm == {} and "side view" in out.warnings[0]
    blank = make_kin(n, series={k: np.full(n, np.nan) for k in make_kin(1).series if k.startswith("com_dx")})
    out = lumbar_load(ctx_for(blank, reps, "deadlift"))
    assert out.moment_nm == {} and "could not be estimated" in out.warnings[0]
    assert lumbar_load(ctx_for(make_kin(n), [], "deadlift")).moment_nm == {}
    # 3D sees the sagittal plane whatever the view label
    assert set(lumbar_load(ctx_for(make_kin(n, view="front", dims="3d"), reps, "deadlift")).moment_nm) == {1, 2}
