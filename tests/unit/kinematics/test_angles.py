"""Known geometry → known angles, view and facing (synthetic skeletons, no MediaPipe)."""

from __future__ import annotations

import numpy as np
import pytest

from backsafe.kinematics.angles import compute_kinematics, detect_view
from tests.unit.synth import squat_set


@pytest.mark.parametrize("flex", [0.0, 30.0, 60.0, 90.0, 120.0])
@pytest.mark.parametrize("facing", ["left", "right"])
def test_knee_and_hip_flexion_side_view(flex: float, facing: str) -> None:
    kin = compute_kinematics(squat_set(np.full(10, flex), facing=facing))
    assert kin.view == "side"
    assert kin.facing == facing
    assert np.nanmedian(kin["knee_flexion_deg"]) == pytest.approx(flex, abs=0.5)
    # trunk leans forward by half the knee flexion, positive whichever way the person faces
    assert np.nanmedian(kin["trunk_inclination_deg"]) == pytest.approx(flex / 2, abs=0.5)


def test_front_view_detected_and_frontal_series_present() -> None:
    pose = squat_set(np.full(10, 20.0), view="front")
    view, evidence = detect_view(pose)
    assert view == "front", evidence
    kin = compute_kinematics(pose)
    for name in ("fppa_left_deg", "fppa_right_deg", "lateral_offset_hipw", "pelvis_tilt_deg"):
        assert name in kin.series
    # straight legs stacked over the ankles: no valgus either side
    assert abs(np.nanmedian(kin["fppa_left_deg"])) < 1.0


def test_side_view_has_no_frontal_series() -> None:
    kin = compute_kinematics(squat_set(np.full(10, 20.0)))
    assert "fppa_left_deg" not in kin.series  # a side view cannot see knees in/out


def test_units_and_lengths() -> None:
    kin = compute_kinematics(squat_set(np.linspace(0, 90, 30)))
    assert kin.units["knee_flexion_deg"] == "deg"
    assert kin.units["load_lever_m"] == "m"
    assert kin.units["hip_height_rel"] == "stature"
    for name, values in kin.series.items():
        assert values.shape == (30,), name
    # hips go down as the knees bend
    h = kin["hip_height_rel"]
    assert h[0] > h[-1] + 0.1


@pytest.mark.parametrize(("forearm", "grip_m"), [("hanging", 0.0), ("level", 0.08), ("unseen", 0.08)])
def test_niosh_h_puts_the_grip_8_cm_along_the_forearm(forearm: str, grip_m: float) -> None:
    """COACHING_RULES §5 D / NIOSH H: mid-ankle to the grip, the grip ~8 cm beyond the wrist along the forearm.
    Arms hanging (a deadlift) add nothing horizontally; a level forearm adds 8 cm; no elbow seen: 8 cm."""
    from backsafe.skeleton import JOINT_INDEX as J

    pose = squat_set(np.full(10, 40.0))
    d = pose.data.copy()
    for side in ("left", "right"):
        el = d[:, J[f"{side}_elbow"], :2]
        step = np.array([0.0, 50.0]) if forearm == "hanging" else np.array([50.0, 0.0])  # facing right
        d[:, J[f"{side}_wrist"], :2] = el + step
        if forearm == "unseen":
            d[:, J[f"{side}_elbow"], :] = np.nan
    kin = compute_kinematics(pose.replace(data=d))
    m_per_px = kin.view_evidence["m_per_unit"]
    mid_ankle_x = d[:, [J["left_ankle"], J["right_ankle"]], 0].mean(axis=1)
    wrist_x = d[:, [J["left_wrist"], J["right_wrist"]], 0].mean(axis=1)
    wrist_dx_m = (wrist_x - mid_ankle_x) * m_per_px
    np.testing.assert_allclose(kin["hands_ankle_dx_m"], np.abs(wrist_dx_m + grip_m), atol=1e-3)
