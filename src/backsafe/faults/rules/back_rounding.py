"""back_rounding — the back bends forward (lumbar/thoracic flexion) instead of hinging at the hips.

COACHING_RULES.md §5 R: with spine keypoints (3D Kinect/mocap), curvature = angle between pelvis→mid-spine and
chest→neck, flag > neutral + 15°. Without them (2D video) a proxy: the trunk inclination rises more than
10° over the person's baseline without a matching rise in depth ("trunk Δ > baseline + 10° with no hip Δ").
The shoulder-hip line alone cannot see the lumbar spine bend, so the 2D rule is relative only, and it is
reported as a whole-back cue, never as a lumbar diagnosis.

With ``--back-shape`` (side view) the traced outline of the back itself is used as well
(kinematics/back_contour.py): relative to the person's first rep in any exercise, and in hip hinges (deadlifts,
good mornings, swings) also against an absolute limit, so that a single-rep set can be judged (see
``_back_contour``).

A third check compares the trunk's forward lean with the exercise's own norm (``trunk_lean_max_deg`` in
``data/thresholds.json``, calibrated on UI-PRMD's calibration subjects): in an upright movement (hurdle step,
inline lunge) the trunk should stay near vertical, so folding forward past the norm is flagged here too, but only
where the spine cannot be measured: with spine keypoints §5 R's curvature decides (a forward lean of the whole
trunk is a hip hinge, not a rounded back).
"""

from __future__ import annotations

import numpy as np

from ...kinematics.geometry import nanmedian
from ...model import Finding, Kinematics
from ..rule import Rule
from ..base import FaultContext, RepMeasure, flag_reps, make_findings, measure_reps, relative_to_neutral
from ..thresholds import exercise_threshold
from ._views import sagittal

CODE = "back_rounding"
NEEDS = "a side view or 3D keypoints"
CURVATURE_MARGIN_DEG = 15.0  # §5 R: curvature > neutral + 15°
TRUNK_MARGIN_DEG = 10.0  # §5 R: trunk Δ > baseline + 10° with no hip Δ
CUE = "Keep a long, neutral back: chest proud, hinge from the hips."
CONTOUR_RISE = 0.04  # research/back-contour.md: a rise of about +0.04 L over the lifter's own first rep
CONTOUR_STEP = 0.02  # severity step: two mask pixels (0.01 L ≈ one, research/back-contour.md)
CUE_CONTOUR = "Brace and keep your whole back long from the first rep to the last."
CUE_UPRIGHT = "Stay tall through the movement: chest up, eyes forward."


def check(ctx: FaultContext) -> list[Finding]:
    if not ctx.reps:
        return []
    found = _spine_curvature(ctx) + _back_contour(ctx) + _trunk_lean_norm(ctx) + _trunk_relative(ctx)
    # one finding per rep: the first check that fired (curvature, then the norm, then the relative proxy)
    seen: set[int] = set()
    out = []
    for f in found:
        if f.rep not in seen:
            seen.add(f.rep)
            out.append(f)
    return out


def beside_reference(ctx: FaultContext) -> list[Finding]:
    """With a personal reference the trunk measures are judged against it (faults/reference.py); the traced
    back's outline is not part of a reference, so its checks still apply."""
    return _back_contour(ctx)


def _spine_measured(kin: Kinematics) -> bool:
    """Spine keypoints (3D Kinect joints, mocap) give the curvature of §5 R."""
    return "spine_flexion_deg" in kin.series and bool(np.isfinite(kin["spine_flexion_deg"]).any())


def _spine_curvature(ctx: FaultContext) -> list[Finding]:
    kin = ctx.kin
    if not _spine_measured(kin):
        return []
    # neutral: the person's standing spine before each rep (§5 baseline, faults/base.py neutral_baselines)
    rel = relative_to_neutral(ctx, kin["spine_flexion_deg"], "the spine", absolute=False)
    measures = measure_reps(ctx.reps, rel, "max")
    return flag_reps(ctx, CODE, measures, rel, absolute=CURVATURE_MARGIN_DEG, relative_floor=None,
                     unit="deg", cue=CUE, signal="spine_flexion_deg", step=10.0)


def _back_contour(ctx: FaultContext) -> list[Finding]:
    """The traced back (median over the lifting phase, trunk > 40°) is rounded.

    - Relative (§5 R "curvature > neutral + ..."; research/back-contour.md): it bulges ≥ 0.04 chord lengths more
      than at the person's first measured rep.
    - Absolute, hip hinges only: it is convex by more than ``back_contour_convex_max`` (data/thresholds.json,
      fitted by tools/calibrate.py on the YFGD calibration clips, never below one mask pixel = 0.01 L). In a
      hinge the back should stay flat or slightly hollow while it pulls; a hump that persists through the pull
      is the rounding the article warns about. The research spike advises against any *lumbar* verdict from
      the mask, so the cue speaks of the whole back; the report says what the measure cannot see
      (docs/evaluation.md).
    """
    shapes = sorted(ctx.back_shapes, key=lambda b: b.rep)
    if not shapes:
        return []
    base = shapes[0].sagitta_rel if len(shapes) >= 2 else np.inf
    limit = exercise_threshold("back_contour_convex_max", ctx.ex.pattern) if ctx.ex.pattern == "hinge" else None
    by_rep = {b.rep: b for b in shapes}
    measures, cands, thresholds = [], [], []
    for r in ctx.reps:
        b = by_rep.get(r.index)
        if b is None:
            continue
        rise = b.sagitta_rel > base + CONTOUR_RISE
        convex = limit is not None and b.sagitta_rel > limit
        measures.append(RepMeasure(r, b.sagitta_rel, b.frame))
        cands.append(rise or convex)
        thresholds.append(base + CONTOUR_RISE if rise or limit is None else limit)
    series = np.full(ctx.kin.n_frames, np.nan)
    return make_findings(CODE, measures, cands, thresholds, series,
                         unit="back chord lengths", cue=CUE_CONTOUR, signal="", step=CONTOUR_STEP)


def _trunk_lean_norm(ctx: FaultContext) -> list[Finding]:
    """The trunk's forward lean beyond the exercise's norm, only where the spine itself cannot be measured.

    §5 R judges rounding by the spine's curvature when spine keypoints exist; a forward lean of the whole trunk
    is a hip hinge, not a rounded back (a clean deep squat leans 40-50° for long thighs). With a measured spine
    the norm would flag that hinge as rounding: on the clean UI-PRMD reps it was the source of every
    back_rounding finding (docs/evaluation.md, "Constructed faults"), so there the curvature alone decides."""
    limit = exercise_threshold("trunk_lean_max_deg", ctx.ex.id)
    if limit is None or _spine_measured(ctx.kin):
        return []
    trunk = ctx.kin["trunk_inclination_deg"]
    measures = measure_reps(ctx.reps, trunk, "max")
    cands = [bool(np.isfinite(m.value) and m.value > limit) for m in measures]
    return make_findings(CODE, measures, cands, [limit] * len(measures), trunk, unit="deg", cue=CUE_UPRIGHT,
                         signal="trunk_inclination_deg", step=10.0)


def _trunk_relative(ctx: FaultContext) -> list[Finding]:
    kin = ctx.kin
    reps = ctx.reps
    if len(reps) < 3:
        return []  # the 2D proxy is relative to the person's own first reps
    trunk = kin["trunk_inclination_deg"]
    depth = kin["knee_flexion_deg"] if "knee_flexion_deg" in kin.series else np.zeros_like(trunk)
    t_max = measure_reps(reps, trunk, "max")
    d_max = measure_reps(reps, depth, "max")
    # NaN (no warning) when the first reps show no trunk or no knee (cropped clips): the excess is then NaN too
    base_t = nanmedian(np.array([m.value for m in t_max[:3]], dtype=float))
    base_d = nanmedian(np.array([m.value for m in d_max[:3]], dtype=float))
    # trunk lean beyond what extra depth explains (half a degree of trunk per degree of extra knee bend)
    excess = np.full(kin.n_frames, np.nan)
    for tm, dm in zip(t_max, d_max):
        sl = slice(tm.rep.start_frame, tm.rep.end_frame + 1)
        extra_depth = max(0.0, dm.value - base_d) if np.isfinite(dm.value) else 0.0
        excess[sl] = trunk[sl] - base_t - 0.5 * extra_depth
    measures = measure_reps(reps, excess, "max")
    return flag_reps(ctx, CODE, measures, excess, absolute=TRUNK_MARGIN_DEG, relative_floor=None, unit="deg",
                     cue=CUE, signal="trunk_inclination_deg", step=10.0)


RULE = Rule(code=CODE, needs=NEEDS, run=check, visible=sagittal, with_reference=beside_reference)
