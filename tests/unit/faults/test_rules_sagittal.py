"""back_arching, hips_piked, back_rounding, load_far_from_body and partial_range on constructed kinematics.

Each rule: fires above its threshold, stays quiet below it (parametrized value → expected severity or None),
respects persistence (one noisy rep among 5 clean is not reported; 2 of 3 consecutive are), the person's
baseline where the rule has one, and the Finding contract (value, threshold, unit, frames inside the rep,
severity ladder, positive cue).
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
from fault_builders import assert_finding_ok, findings_on, bumps, ctx_for, make_kin, make_reps

from backsafe.faults.rules import back_arching, back_rounding, hips_piked, load_far_from_body, partial_range
from backsafe.model import Rep, Tempo


def _run(rule, exercise: str, series: dict[str, np.ndarray], reps, n: int, **kw):  # type: ignore[no-untyped-def]
    view = kw.pop("view", "side")
    dims = kw.pop("dims", "2d")
    kin = make_kin(n, view=view, dims=dims, series=series)
    return kin, rule.check(ctx_for(kin, reps, exercise, **kw))


# --- back_arching: plank / push-up body line (sag > 10°) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("sag", "severity"),
    [(0.0, None), (5.0, None), (9.9, None), (10.5, "mild"), (19.0, "mild"), (21.0, "moderate"), (35.0, "severe")],
)
def test_plank_sag_threshold(sag: float, severity: str | None) -> None:
    reps, n = make_reps(1, rep_frames=150)  # a hold is reported as one "rep"
    kin, found = _run(back_arching, "plank", {"body_line_deg": bumps(reps, sag, n)}, reps, n)
    for f in findings_on(found, kin, reps, severity is not None, code="back_arching", unit="deg"):
        assert f.value == pytest.approx(sag, abs=0.1)
        assert f.threshold == 10.0
        assert f.severity == severity
        assert f.signal == "body_line_deg"


@pytest.mark.parametrize(
    ("peaks", "flagged"),
    [
        ([2, 2, 15, 2, 2], []),  # a single noisy rep among clean ones
        ([2, 15, 2, 15, 2], [2, 4]),  # 2 of 3 consecutive
        ([15, 15, 2, 2, 2], [1, 2]),
        ([15, 2, 2, 15, 2], []),
    ],
)
def test_push_up_sag_persistence(peaks: list[float], flagged: list[int]) -> None:
    reps, n = make_reps(5)
    _, found = _run(back_arching, "push_up", {"body_line_deg": bumps(reps, peaks, n)}, reps, n)
    assert [f.rep for f in found] == flagged


# --- back_arching: standing lean-back (> absolute limit, or > the rep's own upright posture + margin) -----------


@pytest.mark.parametrize(("lean_back", "severity"), [(0.0, None), (5.0, None), (7.5, None), (9.0, "mild"),
                                                      (22.0, "moderate"), (40.0, "severe")])
def test_curl_lean_back_sway(lean_back: float, severity: str | None) -> None:
    """A swing back from the person's own upright posture (0°) by more than 8° (§5 A: baseline + 8°)."""
    reps, n = make_reps(5)
    # trunk_inclination_deg is + forward, so leaning back is negative
    kin, found = _run(back_arching, "bicep_curl", {"trunk_inclination_deg": bumps(reps, -lean_back, n)}, reps, n)
    for f in findings_on(found, kin, reps, severity is not None, code="back_arching", unit="deg"):
        assert f.value == pytest.approx(lean_back, abs=0.1)
        assert f.threshold == pytest.approx(8.0)
        assert f.severity == severity


@pytest.mark.parametrize(
    ("static_lean", "dims", "flagged"),
    [
        (12.0, "2d", False),  # inside 2D error and camera tilt: the 2D absolute limit is 15°
        (16.0, "2d", True),
        (12.0, "3d", True),  # measured 3D: §5's 10°
        (8.0, "3d", False),
    ],
)
def test_steady_lean_back_absolute_limit(static_lean: float, dims: str, flagged: bool) -> None:
    reps, n = make_reps(5)
    trunk = np.full(n, -static_lean)
    _, found = _run(back_arching, "bicep_curl", {"trunk_inclination_deg": trunk}, reps, n, dims=dims)
    assert bool(found) is flagged


def test_lean_back_rule_ignores_lying_trunk() -> None:
    """A glute bridge lies supine (trunk ~90° from vertical): that is not "leaning back" (bug: flagged every rep)."""
    reps, n = make_reps(5)
    trunk = np.full(n, -88.0)
    _, found = _run(back_arching, "glute_bridge", {"trunk_inclination_deg": trunk}, reps, n)
    assert found == []


def test_lean_back_baseline_includes_the_setup_before_the_rep() -> None:
    """A press whose lean-back starts as the rep starts: the standing posture just before the rep is the
    baseline (the rep's own first frame already leans back), so the 10° swing is seen; a lifter who stood
    leaning the same way before the rep is not flagged."""
    reps, n = make_reps(3, rep_frames=60, gap=20)
    swing = np.full(n, -3.0)
    steady = np.full(n, -3.0)
    for r in reps:
        swing[r.start_frame: r.end_frame + 1] = -9.0  # leaning back 6° from the first rep frame...
        swing[r.turn_frame - 5: r.turn_frame + 5] = -14.0  # ...and 11° at the press
        steady[r.start_frame - 15: r.end_frame + 1] = -9.0  # already leaning in the set-up
        steady[r.turn_frame - 5: r.turn_frame + 5] = -14.0
    _, found = _run(back_arching, "shoulder_press", {"trunk_inclination_deg": swing}, reps, n)
    assert [f.rep for f in found] == [1, 2, 3]
    _, found = _run(back_arching, "shoulder_press", {"trunk_inclination_deg": steady}, reps, n)
    assert found == []


def test_squat_forward_lean_is_not_arching() -> None:
    reps, n = make_reps(5)
    _, found = _run(back_arching, "back_squat", {"trunk_inclination_deg": bumps(reps, -30.0, n)}, reps, n)
    assert found == []  # squats and hinges: lean-back rule does not apply


# --- hips_piked (body line < -10°) ------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "severity"), [(0.0, None), (-9.0, None), (8.0, None), (-12.0, "mild"),
                                                 (-25.0, "moderate"), (-45.0, "severe")])
def test_plank_pike_threshold(line: float, severity: str | None) -> None:
    reps, n = make_reps(1, rep_frames=150)
    # push-up: the default limit (mirror of the 10° sag); planks use a calibrated one, tested below
    kin, found = _run(hips_piked, "push_up", {"body_line_deg": bumps(reps, line, n)}, reps, n)
    for f in findings_on(found, kin, reps, severity is not None, code="hips_piked", unit="deg"):
        assert f.value == pytest.approx(line, abs=0.1)
        assert f.threshold == -10.0
        assert f.severity == severity


def test_pike_persistence() -> None:
    reps, n = make_reps(5)
    _, one = _run(hips_piked, "push_up", {"body_line_deg": bumps(reps, [0, 0, -20, 0, 0], n)}, reps, n)
    _, two = _run(hips_piked, "push_up", {"body_line_deg": bumps(reps, [0, -20, -20, 0, 0], n)}, reps, n)
    assert one == []
    assert [f.rep for f in two] == [2, 3]


# --- back_rounding ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("extra_trunk", "flagged"), [(0.0, False), (5.0, False), (9.0, False), (12.0, True),
                                                       (30.0, True)])
def test_rounding_2d_trunk_over_baseline(extra_trunk: float, flagged: bool) -> None:
    reps, n = make_reps(5)
    trunk = bumps(reps, [30, 30, 30, 30 + extra_trunk, 30 + extra_trunk], n)
    knee = bumps(reps, 90.0, n)
    kin, found = _run(back_rounding, "goblet_squat", {"trunk_inclination_deg": trunk, "knee_flexion_deg": knee},
                      reps, n)
    for f in findings_on(found, kin, reps, (4, 5) if flagged else (), code="back_rounding", unit="deg"):
        assert f.value == pytest.approx(extra_trunk, abs=0.2)
        assert f.threshold == 10.0


def test_rounding_2d_extra_depth_explains_lean() -> None:
    """Squatting 30° deeper leans the trunk more by design: half a degree per degree of knee is not rounding."""
    reps, n = make_reps(5)
    trunk = bumps(reps, [30, 30, 30, 44, 44], n)
    knee = bumps(reps, [90, 90, 90, 120, 120], n)
    _, found = _run(back_rounding, "goblet_squat", {"trunk_inclination_deg": trunk, "knee_flexion_deg": knee},
                    reps, n)
    assert found == []


def test_rounding_2d_needs_three_reps_and_persistence() -> None:
    reps, n = make_reps(2)
    _, found = _run(back_rounding, "squat", {"trunk_inclination_deg": bumps(reps, [30, 60], n)}, reps, n)
    assert found == []
    reps, n = make_reps(5)
    _, found = _run(back_rounding, "squat", {"trunk_inclination_deg": bumps(reps, [30, 30, 30, 30, 60], n)},
                    reps, n)
    assert found == []  # last rep alone


@pytest.mark.parametrize(("curve", "flagged"), [(10.0, False), (14.0, False), (16.0, True), (40.0, True)])
def test_rounding_3d_spine_curvature(curve: float, flagged: bool) -> None:
    """Flexion beyond neutral + 15° (neutral = the spine at rest, 5° here)."""
    reps, n = make_reps(5)
    spine = bumps(reps, 5.0 + curve, n, base=5.0)
    kin, found = _run(back_rounding, "deadlift", {"spine_flexion_deg": spine}, reps, n, view="front", dims="3d")
    assert bool(found) is flagged
    for f in found:
        assert_finding_ok(f, kin, reps, code="back_rounding", unit="deg")
        assert f.value == pytest.approx(curve, abs=0.2)
        assert f.threshold == 15.0
        assert f.signal == "spine_flexion_deg"


# --- load_far_from_body -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("elbow", "flagged"), [(5.0, True), (25.0, True), (35.0, False), (90.0, False)])
def test_front_raise_straight_arm(elbow: float, flagged: bool) -> None:
    reps, n = make_reps(5)
    series = {"shoulder_elevation_deg": bumps(reps, 90.0, n), "elbow_flexion_deg": np.full(n, elbow)}
    kin, found = _run(load_far_from_body, "front_raise", series, reps, n)
    assert bool(found) is flagged
    for f in found:
        assert_finding_ok(f, kin, reps, code="load_far_from_body", unit="deg elbow flexion")
        assert f.value == pytest.approx(elbow)
        assert f.threshold == 30.0
        assert "elbow" in f.cue.lower()
        # only while the arm is raised (> 45°)
        assert series["shoulder_elevation_deg"][f.frames[0]] > 45.0


def test_raise_straight_arm_while_arm_down_is_not_flagged() -> None:
    reps, n = make_reps(5)
    series = {"shoulder_elevation_deg": bumps(reps, 30.0, n), "elbow_flexion_deg": np.zeros(n)}
    _, found = _run(load_far_from_body, "lateral_raise", series, reps, n, view="front")
    assert found == []


@pytest.mark.parametrize(("h", "severity"), [(0.15, None), (0.24, None), (0.30, "mild"), (0.37, "moderate"),
                                              (0.60, "severe")])
def test_deadlift_hands_far(h: float, severity: str | None) -> None:
    """H is read at the bottom of the hinge (hip flexion near its peak), median over those frames."""
    reps, n = make_reps(5)
    series = {"hands_ankle_dx_m": bumps(reps, h, n, base=0.12), "hip_flexion_deg": bumps(reps, 120.0, n, base=10.0)}
    kin, found = _run(load_far_from_body, "deadlift", series, reps, n)
    for f in findings_on(found, kin, reps, severity is not None, code="load_far_from_body", unit="m"):
        assert f.value == pytest.approx(h, abs=0.03)  # median over the bottom frames of a sin² bump
        assert f.threshold == 0.25
        assert f.severity == severity


def test_kettlebell_swing_judged_at_the_bottom_only() -> None:
    """Arms horizontal at the top of a swing are the exercise; the bell far from the body at the bottom is not.
    (Bug: the max over the whole rep flagged every swing.)"""
    reps, n = make_reps(5)
    hip = bumps(reps, 80.0, n)
    top_far = np.where(hip < 20.0, 0.65, 0.15)  # far only near the top (little hip flexion)
    _, found = _run(load_far_from_body, "kettlebell_swing", {"hip_flexion_deg": hip, "hands_ankle_dx_m": top_far},
                    reps, n)
    assert found == []
    bottom_far = np.where(hip > 70.0, 0.45, 0.15)
    kin, found = _run(load_far_from_body, "kettlebell_swing",
                      {"hip_flexion_deg": hip, "hands_ankle_dx_m": bottom_far}, reps, n)
    assert len(found) == 5
    assert all("bell" in f.cue for f in found)


# --- partial_range ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("depth", "flagged"), [(100.0, False), (71.0, False), (65.0, True), (40.0, True)])
def test_squat_depth_side_view(depth: float, flagged: bool) -> None:
    reps, n = make_reps(5)
    knee = bumps(reps, [100, 100, 100, depth, depth], n)
    kin, found = _run(partial_range, "squat", {"knee_flexion_deg": knee}, reps, n)
    for f in findings_on(found, kin, reps, (4, 5) if flagged else (), code="partial_range", unit="deg"):
        assert f.value == pytest.approx(depth, abs=0.5)
        assert f.threshold == 70.0


def test_partial_range_front_view_is_relative() -> None:
    """From the front the knee angle is foreshortened: only the rep's share of the typical excursion counts."""
    reps, n = make_reps(5)
    reps = [replace(r, range_fraction=f) for r, f in zip(reps, [1.0, 1.0, 0.5, 0.45, 1.0])]
    knee = bumps(reps, 40.0, n)  # would be "too shallow" if the angle were read true to size
    kin, found = _run(partial_range, "squat", {"knee_flexion_deg": knee}, reps, n, view="front")
    assert [f.rep for f in found] == [3, 4]
    for f in found:
        assert f.unit == "% of typical rep"
        assert f.threshold == 60.0
        assert f.value == pytest.approx(100 * dict(zip([3, 4], [0.5, 0.45]))[f.rep])


def test_partial_range_edge_reps_not_blamed() -> None:
    reps, n = make_reps(3, gap=0)
    reps = [replace(r, range_fraction=0.4) for r in reps]
    kin = make_kin(n, view="front", series={"knee_flexion_deg": bumps(reps, 40.0, n)})
    found = partial_range.check(ctx_for(kin, reps, "squat"))
    assert [f.rep for f in found] == []  # rep 1 starts at frame 0 and rep 3 ends at the last: only rep 2 is a candidate


def test_plank_pike_uses_the_calibrated_limit() -> None:
    from backsafe.faults.thresholds import exercise_threshold

    limit = exercise_threshold("body_line_pike_deg", "plank")
    assert limit is not None and limit < -10.0
    reps, n = make_reps(1, rep_frames=150)
    _, quiet = _run(hips_piked, "plank", {"body_line_deg": bumps(reps, limit + 5.0, n)}, reps, n)
    assert quiet == []
    _, found = _run(hips_piked, "plank", {"body_line_deg": bumps(reps, limit - 5.0, n)}, reps, n)
    assert [f.threshold for f in found] == [pytest.approx(limit)]


def test_arching_in_a_squat_with_spine_keypoints_and_said_without() -> None:
    """§5 A mirrored from R: with measured spine keypoints (3D) a spine extending 20° beyond the person's standing
    spine is arching, in a squat too, also in a one-rep set; from 2D video a squat cannot be judged for arching
    and the report says so."""
    from backsafe.faults.rules import back_arching

    for n_reps in (3, 1):
        reps, n = make_reps(n_reps)
        series = {"knee_flexion_deg": bumps(reps, 100.0, n), "spine_flexion_deg": bumps(reps, -20.0, n, base=5.0)}
        kin = make_kin(n, dims="3d", series=series)
        found = back_arching.check(ctx_for(kin, reps, "deep_squat"))
        assert [f.rep for f in found] == list(range(1, n_reps + 1))
        assert all(f.value == pytest.approx(25.0, abs=0.5) and f.threshold == 15.0 for f in found)
    reps, n = make_reps(3)
    calm = {"knee_flexion_deg": bumps(reps, 100.0, n), "spine_flexion_deg": bumps(reps, -5.0, n, base=5.0)}
    assert back_arching.check(ctx_for(make_kin(n, dims="3d", series=calm), reps, "deep_squat")) == []
    ctx = ctx_for(make_kin(n, series={"knee_flexion_deg": bumps(reps, 100.0, n)}), reps, "back_squat")
    assert back_arching.check(ctx) == []
    assert [c for c, why in ctx.unjudged if "spine keypoints" in why] == ["back_arching"]
    assert not any("spine keypoints" in w for w in ctx.warnings)  # said once, in the report's "not checked" line


# --- holds: only the steady hold is judged -----------------------------------------------------------------------


def _plank_with_getting_down(line_in_hold: float) -> tuple[list[Rep], int, dict[str, np.ndarray]]:
    """2 s getting down (hips and shoulders dropping 1 torso length per second, the body line bent), 8 s held
    still, 2 s lowering to the floor (the line bent the other way): one hold "rep" spanning all of it."""
    fps, down, hold, after = 30, 60, 240, 60
    n = down + hold + after
    h = np.concatenate([np.linspace(-1.0, -3.0, down), np.full(hold, -3.0), np.linspace(-3.0, -3.5, after)])
    line = np.concatenate([np.full(down, -40.0), np.full(hold, line_in_hold), np.full(after, 30.0)])
    reps = [Rep(index=1, start_frame=0, turn_frame=n // 2, end_frame=n - 1, start_s=0.0, end_s=(n - 1) / fps,
                tempo=Tempo(0.0, (n - 1) / fps, 0.0, 0.0), phase_frames={"hold": (0, n - 1)})]
    series = {"hip_height_torso": h, "shoulder_height_torso": h + 0.01, "trunk_inclination_deg": np.full(n, 88.0),
              "body_line_deg": line}
    return reps, n, series


def test_plank_judged_on_the_steady_hold_only() -> None:
    """Getting down into a plank and lowering out of it bend the body line by far more than 10°: that is not the
    hold. Only the steady stretch is judged (faults/base.py ``steady_hold``), and the notes say which seconds."""
    reps, n, series = _plank_with_getting_down(2.0)
    kin = make_kin(n, series=series)
    ctx = ctx_for(kin, reps, "plank")
    assert back_arching.check(ctx) == [] and hips_piked.check(ctx) == []
    (note,) = [x for x in ctx.notes if "hold was judged" in x]
    start, end = (float(x) for x in re.findall(r"(\d+\.\d) s", note))
    assert 1.8 <= start <= 2.5 and 9.5 <= end <= 10.2
    # a sag during the hold itself is still found, its frames inside the steady stretch
    reps, n, series = _plank_with_getting_down(18.0)
    kin = make_kin(n, series=series)
    (f,) = back_arching.check(ctx_for(kin, reps, "plank"))
    assert f.value == pytest.approx(18.0) and 50 <= f.frames[0] <= f.frames[1] <= 310


def test_steady_hold_span_needs_a_steady_stretch() -> None:
    from backsafe.exercises import get_exercise
    from backsafe.reps.segmentation import steady_hold_span

    reps, n, series = _plank_with_getting_down(0.0)
    # never still for 1 s: the whole span stays the hold
    series["hip_height_torso"] = 0.5 * np.sin(2.0 * np.arange(n) / 30.0)
    kin = make_kin(n, series=series)
    assert steady_hold_span(kin, get_exercise("plank"), (0, n - 1)) is None
    assert steady_hold_span(kin, get_exercise("squat"), (0, n - 1)) is None


# --- partial_range: the furthest point of the rep, and a foreshortened forearm ----------------------------------


def test_curl_range_read_at_the_reps_furthest_point() -> None:
    """A curl counted on another signal can place the rep's turnaround at the straight arm: the range is the
    furthest the elbow bends within the rep, not its angle at the turnaround frame."""
    reps, n = make_reps(5)
    elbow = bumps(reps, 125.0, n, base=15.0)
    shifted = [replace(r, turn_frame=r.start_frame) for r in reps]  # turnaround at the straight arm
    _, found = _run(partial_range, "bicep_curl", {"elbow_flexion_deg": elbow}, shifted, n)
    assert found == []
    _, shallow = _run(partial_range, "bicep_curl", {"elbow_flexion_deg": bumps(reps, 60.0, n, base=15.0)},
                      shifted, n)
    assert len(shallow) == 5 and all(f.unit == "deg" and f.value == pytest.approx(60.0, abs=0.5) for f in shallow)


@pytest.mark.parametrize(("forearm", "judged_in_deg"), [(0.95, True), (0.75, True), (0.4, False)])
def test_curl_range_floor_only_with_the_forearm_true_to_size(forearm: float, judged_in_deg: bool) -> None:
    """A forearm pointing at the camera reads a full curl as a few degrees (§5 2D angle error): the absolute floor
    applies only while the forearm is seen near its full length; otherwise the reps are judged against the
    person's own reps, and a note says the range was not judged in degrees."""
    reps, n = make_reps(5)
    elbow = bumps(reps, 30.0, n)  # reads "too short" if true to size
    fore = 1.0 - bumps(reps, 1.0 - forearm, n)
    kin = make_kin(n, series={"elbow_flexion_deg": elbow, "forearm_apparent": fore})
    ctx = ctx_for(kin, reps, "bicep_curl")
    found = partial_range.check(ctx)
    noted = any("own reps only" in x for x in ctx.notes)
    if judged_in_deg:
        assert len(found) == 5 and not noted
    else:
        assert found == [] and noted
        shallow = [replace(r, range_fraction=f) for r, f in zip(reps, [1.0, 1.0, 0.4, 0.45, 1.0])]
        found = partial_range.check(ctx_for(kin, shallow, "bicep_curl"))
        assert [f.rep for f in found] == [3, 4] and all(f.unit == "% of typical rep" for f in found)
