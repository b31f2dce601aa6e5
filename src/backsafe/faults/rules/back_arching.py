"""back_arching — the lower back sags or arches (lumbar extension).

COACHING_RULES.md §5 A: plank/push-up: shoulder-hip-ankle line sag > 10°; press/raise/curl: trunk behind
vertical (lean-back) > 10° or > baseline + 8°. With measured spine keypoints (3D: Kinect, motion capture) in
any exercise: the spine extends beyond the person's standing neutral by more than 15° — the mirror image of §5 R's
"curvature > neutral + 15°" — so an arched lower back is seen in squats, hinges and lunges too, where the trunk
leans forward by design and the lean-back rule cannot apply. Without spine keypoints those patterns are not
judged for arching, and the report says so.
"""

from __future__ import annotations

import numpy as np

from ...model import Finding
from ..rule import Rule
from ..base import FaultContext, flag_reps, make_findings, measure_reps, relative_to_neutral, steady_hold
from ..thresholds import exercise_threshold
from ._views import sagittal

CODE = "back_arching"
NEEDS = "a side view or 3D keypoints"
SAG_DEG = 10.0
LEAN_BACK_DEG = 10.0
#: on 2D keypoints a 10° trunk angle sits inside the measurement error (5-15°, Thiele 2024; §5: "sub-10°
#: thresholds are noise") and inside ordinary camera tilt, so the absolute lean-back limit there is 15°
LEAN_BACK_2D_DEG = 15.0
LEAN_BACK_MARGIN_DEG = 8.0
BODY_LINE_PATTERNS = ("hold", "push", "core")
#: "trunk behind vertical" only means leaning back while the trunk is upright; lying (bridge) or bent-over
#: frames (|inclination| beyond this) are not judged by the lean-back rule
UPRIGHT_MAX_DEG = 60.0
#: the set-up before a rep counts towards its upright baseline: a lifter who leans back as the press starts
#: has already left their standing posture when the rep's first frame is cut
SETUP_S = 0.5
CUE_LINE = "Squeeze your glutes and lift your hips into one long line from shoulders to heels."
CUE_STANDING = "Ribs down and glutes tight: keep your shoulders stacked over your hips."
SPINE_EXTENSION_DEG = 15.0  # mirror of §5 R: curvature > neutral + 15°
CUE_SPINE = "Ribs down and belly braced: keep your back long and neutral, not arched."
#: why back arching is not judged from video in a squat, hinge or lunge: said in the report's one "not checked"
#: line with what the view could not see (§9: what was and was not checked is said once)
NOT_JUDGED_2D = "video cannot measure it in a squat, hinge or lunge (it needs measured 3D spine keypoints)"


def check(ctx: FaultContext) -> list[Finding]:
    spine = _spine_extension(ctx)
    flagged = {f.rep for f in spine}
    return spine + [f for f in _by_pattern(ctx) if f.rep not in flagged]


def beside_reference(ctx: FaultContext) -> list[Finding]:
    """With a personal reference the spine's extension is judged against it (faults/reference.py); the body-line
    sag of holds and the lean-back of standing lifts are limits that do not depend on the person and still apply."""
    return _by_pattern(ctx)


def _spine_extension(ctx: FaultContext) -> list[Finding]:
    kin = ctx.kin
    if "spine_flexion_deg" not in kin.series or not np.isfinite(kin["spine_flexion_deg"]).any() or not ctx.reps:
        return []
    # + = extended beyond the person's standing spine (faults/base.py neutral_baselines)
    ext = -relative_to_neutral(ctx, kin["spine_flexion_deg"], "the spine", absolute=False)
    measures = measure_reps(ctx.reps, ext, "max")
    return flag_reps(ctx, CODE, measures, ext, absolute=SPINE_EXTENSION_DEG, relative_floor=None, unit="deg",
                     cue=CUE_SPINE, signal="spine_flexion_deg", step=10.0)


def _by_pattern(ctx: FaultContext) -> list[Finding]:
    kin = ctx.kin
    if ctx.ex.pattern in BODY_LINE_PATTERNS or ctx.ex.kind == "hold":
        # holds: only the steady hold is judged, not getting into it or what follows (faults/base.py steady_hold)
        line = steady_hold(ctx, kin["body_line_deg"])
        measures = measure_reps(ctx.reps, line, "max")
        return flag_reps(ctx, CODE, measures, line, absolute=SAG_DEG, relative_floor=None, unit="deg",
                         cue=CUE_LINE, signal="body_line_deg", step=10.0)
    if ctx.ex.pattern in ("squat", "hinge", "lunge", "ballistic") and ctx.ex.id not in ("kettlebell_swing",):
        # lean-back is the standing upper-body rule; hinges and squats lean forward by design
        if "spine_flexion_deg" not in kin.series or not np.isfinite(kin["spine_flexion_deg"]).any():
            ctx.not_judged(CODE, NOT_JUDGED_2D)
        return []
    if "spine_flexion_deg" in kin.series and np.isfinite(kin["spine_flexion_deg"]).any():
        # measured spine keypoints see the arch itself (_spine_extension); the trunk's lean-back is only its
        # stand-in from video, and in a hurdle step or a sit-to-stand it moves with the legs, not the spine
        return []
    trunk = kin["trunk_inclination_deg"]
    with np.errstate(invalid="ignore"):
        lean_back = np.where(np.abs(trunk) <= UPRIGHT_MAX_DEG, -trunk, np.nan)
    measures = measure_reps(ctx.reps, lean_back, "max")
    absolute = LEAN_BACK_DEG if kin.dims == "3d" else LEAN_BACK_2D_DEG
    calibrated = exercise_threshold("lean_back_sway_deg", ctx.ex.id)
    margin = calibrated if calibrated is not None else LEAN_BACK_MARGIN_DEG
    # §5 A: lean-back > the absolute limit, or > baseline + margin, the baseline being the most upright posture
    # of the rep and its set-up (SETUP_S before it): a swing back during the lift counts, a steady stance or a
    # tilted camera does not. Raises make the trunk counter-sway a little by themselves, so their margin is
    # calibrated (data/thresholds.json).
    cands, thresholds = [], []
    setup = int(round(SETUP_S * kin.fps))
    for m in measures:
        seg = lean_back[max(0, m.rep.start_frame - setup): m.rep.end_frame + 1]
        base = float(np.nanmin(seg)) if np.isfinite(seg).any() else np.nan
        thr = min(absolute, base + margin) if np.isfinite(base) else absolute
        thresholds.append(thr)
        cands.append(bool(np.isfinite(m.value) and m.value > thr))
    return make_findings(CODE, measures, cands, thresholds, lean_back, unit="deg", cue=CUE_STANDING,
                         signal="trunk_inclination_deg", step=10.0)


RULE = Rule(code=CODE, needs=NEEDS, run=check, visible=sagittal, with_reference=beside_reference)
