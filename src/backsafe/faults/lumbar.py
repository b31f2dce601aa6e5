"""Static L5/S1 moment and compression per rep (COACHING_RULES.md §6) — a screen, not a measurement.

M = Σ mᵢ·g·xᵢ, xᵢ = horizontal distance from L5/S1 to the centre of mass of each segment above it (head, trunk,
both arms) and to the load in the hands. Masses: de Leva (1996) %BW (female/male): head 6.68/6.94, trunk
42.57/43.46, upper arm 2.55/2.71, forearm 1.38/1.62, hand 0.56/0.61. Compression Fc ≈ M / 0.05 m (extensor moment
arm 5 cm, Chaffin) + (0.55·BW + load)·g·cos(trunk angle). No dynamics or co-contraction. Reported where the
sagittal plane is visible (side view or 3D). Limits: 3.4 kN NIOSH action limit, 6.4 kN maximum permissible.

Not for floor exercises (plank, push-up, glute bridge, bird dog, side plank...): the model is of a standing body —
the segments above L5/S1 hang on the lumbar spine, balanced by the erectors, and the feet carry the rest. Lying,
kneeling on hands or propped on the hands, the floor carries the trunk through the hands, elbows, knees or
shoulders, and gravity acts across the spine, not along it: the standing moment and compression are not the load
there, so none is reported (COACHING_RULES §6: a screen where its model holds, no figure where it does not).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .base import FaultContext
from ..orientation import FLOOR_EXERCISES
from .rules._views import sagittal

G = 9.81
MASS_FRACTION = {
    "female": {"head": 0.0668, "trunk": 0.4257, "upperarm": 0.0255, "forearm": 0.0138, "hand": 0.0056},
    "male": {"head": 0.0694, "trunk": 0.4346, "upperarm": 0.0271, "forearm": 0.0162, "hand": 0.0061},
}
EXTENSOR_ARM_M = 0.05
UPPER_BODY_SHARE = 0.55  # [H] share of body weight above L5/S1 acting along the spine
ACTION_LIMIT_N = 3400.0
MAX_PERMISSIBLE_N = 6400.0
#: [H] head COM ≈ 1.15 trunk lengths above L5/S1 along the trunk line (L5/S1 at 10 % above mid-hip, ear ≈ 0.25
#: trunk lengths above mid-shoulder) vs the trunk COM at 0.386 (de Leva 51.4 % from C7): ratio ≈ 3.0
HEAD_ON_TRUNK_LINE = 3.0
#: exercises whose body lies on or is propped against the floor or a bench (orientation.FLOOR_EXERCISES, and an
#: incline push-up, whose hands carry the trunk on a bench): no standing L5/S1 moment
NOT_STANDING = FLOOR_EXERCISES | {"incline_push_up"}
#: what the reports say in place of a figure for them
FLOOR_NOT_ESTIMATED = "not estimated for floor exercises"


def standing_model_applies(exercise: str) -> bool:
    """Whether the standing static L5/S1 model applies to ``exercise`` (an exercise id): not on the floor."""
    return exercise not in NOT_STANDING


@dataclass(slots=True)
class LumbarLoad:
    moment_nm: dict[int, float] = field(default_factory=dict)
    compression_n: dict[int, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def moment_series(ctx: FaultContext) -> np.ndarray | None:
    """Per-frame static flexion moment at L5/S1 (N·m, + = the load tries to bend the trunk forward)."""
    s = ctx.kin.series
    if "com_dx_trunk_m" not in s:
        return None
    frac = MASS_FRACTION.get(ctx.subject.sex, MASS_FRACTION["male"])
    bw = ctx.subject.body_mass_kg
    head = s["com_dx_head_m"]
    # no ears/nose in the file (e.g. Exercise-Correction CSVs): the head sits on the trunk line, above it
    head = np.where(np.isfinite(head), head, HEAD_ON_TRUNK_LINE * s["com_dx_trunk_m"])
    m = frac["head"] * bw * head + frac["trunk"] * bw * s["com_dx_trunk_m"]
    arms = np.zeros(ctx.kin.n_frames)
    hands_dx = []
    for side, other in (("left", "right"), ("right", "left")):
        for seg in ("upperarm", "forearm", "hand"):
            x = s[f"com_dx_{seg}_{side}_m"]
            # an occluded arm in a side view mirrors the visible one
            x = np.where(np.isfinite(x), x, s[f"com_dx_{seg}_{other}_m"])
            arms = arms + frac[seg] * bw * x
        hands_dx.append(np.where(np.isfinite(s[f"com_dx_hand_{side}_m"]), s[f"com_dx_hand_{side}_m"],
                                 s[f"com_dx_hand_{other}_m"]))
    m = m + arms
    if ctx.subject.load_kg:
        m = m + ctx.subject.load_kg * 0.5 * (hands_dx[0] + hands_dx[1])
    return m * G


def lumbar_load(ctx: FaultContext) -> LumbarLoad:
    out = LumbarLoad()
    if not ctx.reps or not standing_model_applies(ctx.ex.id):
        return out  # a floor exercise: the reports say "not estimated for floor exercises" (report/wording.py)
    if not sagittal(ctx.kin):
        out.warnings.append("the lumbar moment needs a side view (or 3D keypoints); not estimated")
        return out
    moment = moment_series(ctx)
    if moment is None or not np.isfinite(moment).any():
        out.warnings.append(
            "the lumbar moment could not be estimated: it needs the shoulders, hips and arms in view and the legs "
            "for the body scale"
        )
        return out
    trunk = np.radians(ctx.kin["trunk_inclination_deg"])
    axial = (UPPER_BODY_SHARE * ctx.subject.body_mass_kg + (ctx.subject.load_kg or 0.0)) * G * np.cos(trunk)
    compression = np.maximum(moment, 0.0) / EXTENSOR_ARM_M + axial
    worst = 0.0
    for r in ctx.reps:
        sl = slice(r.start_frame, r.end_frame + 1)
        if np.isfinite(moment[sl]).any():
            out.moment_nm[r.index] = round(float(np.nanmax(moment[sl])), 1)
        if np.isfinite(compression[sl]).any():
            c = float(np.nanmax(compression[sl]))
            out.compression_n[r.index] = round(c, 0)
            worst = max(worst, c)
    if worst > MAX_PERMISSIBLE_N:
        out.warnings.append(
            f"estimated static L5/S1 compression peaks at {worst / 1000:.1f} kN, above the NIOSH maximum permissible "
            f"{MAX_PERMISSIBLE_N / 1000:.1f} kN (a screen, not a measurement): lighten the load or keep it closer"
        )
    elif worst > ACTION_LIMIT_N:
        out.warnings.append(
            f"estimated static L5/S1 compression peaks at {worst / 1000:.1f} kN, above the NIOSH action limit "
            f"{ACTION_LIMIT_N / 1000:.1f} kN (a screen, not a measurement)"
        )
    return out
