"""Back outline on a segmentation mask: a straight back reads ~0, a humped back reads positive (rounded), a
hollow back negative. The back_rounding rule uses it relative to the person's first rep, and in hip hinges also
against an absolute convexity limit; it is traced over each rep's lifting phase where the trunk leans > 40°."""

from __future__ import annotations

import numpy as np
import pytest

from backsafe.faults.base import FaultContext
from backsafe.faults.rules import back_rounding
from backsafe.faults.thresholds import exercise_threshold
from backsafe.kinematics.back_contour import MAX_FRAMES, MIN_FRAMES, BackShape, lift_frames, measure_back_shape, sagitta
from tests.unit.faults.fault_builders import bumps, side_view_lift, ctx_for, make_kin, make_reps

CONVEX_MAX = exercise_threshold("back_contour_convex_max", "hinge")


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


def _with_shapes(exercise: str, values: list[float]) -> FaultContext:
    reps, n = make_reps(len(values))
    kin = make_kin(n, view="side")
    shapes = tuple(BackShape(rep=i + 1, sagitta_rel=v, frame=reps[i].turn_frame, complete=1.0, n_frames=8)
                   for i, v in enumerate(values))
    base = ctx_for(kin, reps, exercise)
    return FaultContext(**{**{k: getattr(base, k) for k in base.__slots__}, "back_shapes": shapes})


def _contour_findings(ctx: FaultContext) -> list:  # type: ignore[type-arg]
    return [f for f in back_rounding.check(ctx) if f.unit == "back chord lengths"]


def test_rule_is_relative_to_the_first_rep_outside_hinges() -> None:
    found = _contour_findings(_with_shapes("back_squat", [0.02, 0.03, 0.07, 0.08]))
    assert [f.rep for f in found] == [3, 4]
    assert all(f.threshold == pytest.approx(0.06) for f in found)
    # a squat whose every rep is humped the same (e.g. a loose shirt) gives nothing: relative only
    assert _contour_findings(_with_shapes("back_squat", [0.08] * 4)) == []


def test_hinge_has_an_absolute_convexity_limit_that_judges_a_single_rep() -> None:
    assert CONVEX_MAX is not None and 0.01 <= CONVEX_MAX < 0.04  # fitted, never below one mask pixel
    one = _contour_findings(_with_shapes("deadlift", [CONVEX_MAX + 0.02]))
    assert [f.rep for f in one] == [1] and one[0].threshold == pytest.approx(CONVEX_MAX)
    assert one[0].cue == back_rounding.CUE_CONTOUR and "lumbar" not in one[0].cue.lower()
    assert _contour_findings(_with_shapes("deadlift", [-0.02])) == []  # flat / slightly hollow back: quiet
    assert _contour_findings(_with_shapes("deadlift", [CONVEX_MAX - 0.005])) == []  # just below: quiet
    # the same humped single rep in a squat: no absolute limit there (nothing to compare with)
    assert _contour_findings(_with_shapes("back_squat", [CONVEX_MAX + 0.02])) == []


def test_hinge_absolute_limit_respects_persistence() -> None:
    v = CONVEX_MAX + 0.02
    assert [f.rep for f in _contour_findings(_with_shapes("deadlift", [-0.02, v, -0.02, -0.02, v]))] == []
    assert [f.rep for f in _contour_findings(_with_shapes("deadlift", [-0.02, v, v, -0.02, -0.02]))] == [2, 3]


def test_lift_frames_are_the_lifting_phase_where_the_trunk_leans() -> None:
    reps, n = make_reps(2, rep_frames=90)
    trunk = bumps(reps, [60.0, 35.0], n, base=10.0)  # rep 2 never leans past 40°
    kin = make_kin(n, view="side", series={"trunk_inclination_deg": trunk})
    frames = lift_frames(kin, reps)
    assert list(frames) == [1]
    a, b = reps[0].phase_frames["concentric"]
    fs = frames[1]
    assert 3 <= len(fs) <= MAX_FRAMES and fs == sorted(fs)
    assert all(a <= f <= b and trunk[f] > 40 for f in fs)
    assert fs[-1] - fs[0] > 0.5 * sum(1 for f in range(a, b + 1) if trunk[f] > 40)  # spread, not bunched


def test_measure_takes_the_median_of_enough_traces() -> None:
    reps, kin, pose = side_view_lift()
    wanted = lift_frames(kin, reps)
    bulges = {f: (25.0 if k == 0 else 0.0) for fs in wanted.values() for k, f in enumerate(fs)}  # one outlier
    masks = {f: _torso_mask(b) for f, b in bulges.items()}
    rgb = np.zeros((600, 600, 3), np.uint8)
    frames = [(f, rgb) for f in sorted(masks)]
    it = iter(sorted(masks))
    shapes = measure_back_shape(frames, lambda _: masks[next(it)], pose, kin, reps)
    assert [b.rep for b in shapes] == [1, 2]
    assert all(abs(b.sagitta_rel) < 0.01 and b.n_frames == len(wanted[b.rep]) for b in shapes)  # median, not max
    # fewer than MIN_FRAMES usable traces: no value for that rep
    few = [(f, rgb) for f in wanted[1][: MIN_FRAMES - 1]]
    it2 = iter([_torso_mask(0.0)] * len(few))
    assert measure_back_shape(few, lambda _: next(it2), pose, kin, reps) == []


def test_the_outline_still_counts_when_a_personal_reference_is_given() -> None:
    """The reference judges the trunk measures; it has no value for the traced outline, so a humped single
    deadlift is still flagged, and a flat one is not."""
    from backsafe.faults.reference import PersonalReference
    from backsafe.faults.registry import check_faults

    reps, n = make_reps(1)
    kin = make_kin(n, view="side")
    ref = PersonalReference(values={"trunk_lean": [0.0, 0.0, 0.0], "head_forward": [0.0, 0.0, 0.0]}, dims="2d",
                            n_reps=3)
    for value, expected in ((CONVEX_MAX + 0.02, [1]), (-0.02, [])):
        shapes = (BackShape(rep=1, sagitta_rel=value, frame=reps[0].turn_frame, complete=1.0, n_frames=8),)
        ctx = ctx_for(kin, reps, "deadlift")
        res = check_faults(kin, reps, ctx.ex, tempo=ctx.tempo, back_shapes=shapes, reference=ref)
        assert [f.rep for f in res.findings if f.code == "back_rounding" and f.unit == "back chord lengths"] \
            == expected
