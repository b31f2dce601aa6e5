"""knee_varus — the knee bows outwards, beyond the foot.

COACHING_RULES.md §5 K: varus < −10°, read (like valgus) as the FPPA's change from the person's standing value
(faults/base.py ``neutral_baselines``), with the same SDD / 2D floors (knee_valgus.py), **and** the knee wide of the
foot: more than 0.15 hip widths outside the toes [H] — on 2D keypoints together with the angle past the limit for
at least 0.2 s (a sustained position, not one frame of a noisy foot keypoint); on measured 3D keypoints at the
rep's most bowed frame. In a squat with the toes turned out, knees travelling out over the
toes is the coached pattern ("knees over your second toe") and reads as a strongly negative FPPA on its own: the
real clean front-view squats of ../shared/datasets/clips reach −45° to −100° (UI-PRMD's correct deep squats −20°
to −40° in 3D), so only knees pushed beyond the feet count. One frame at the edge of the valid FPPA range, where
the knee happened to sit just outside a noisy foot keypoint, made both a caving squat and its clean twin
"varus" before (issue 16).
"""

from __future__ import annotations

import numpy as np

from ...model import Finding
from ..rule import Rule
from ..base import FaultContext, make_findings
from ._views import frontal
from .knee_valgus import change_from_standing, change_limit, dynamic_candidates

CODE = "knee_varus"
NEEDS = "a front view at knee height or 3D keypoints"
FPPA_DEG = 10.0  # §5 K: varus < −10°
OUTSIDE_TOE_HIPW = 0.15
SUSTAINED_S = 0.2  # the knee is wide of the foot, with the angle past the limit, for at least this long
CUE = "Keep your knees in line with your second toe, not pushed wide."


def check(ctx: FaultContext) -> list[Finding]:
    kin = ctx.kin
    if "fppa_left_deg" not in kin.series or "fppa_right_deg" not in kin.series:
        return []
    limit = change_limit(ctx, FPPA_DEG)
    series = change_from_standing(ctx, -1.0)
    measures, cands = dynamic_candidates(ctx, series, -1.0, limit)
    if "knee_outside_toe_left_hipw" in kin.series and "knee_outside_toe_right_hipw" in kin.series:
        outside = np.fmax(kin["knee_outside_toe_left_hipw"], kin["knee_outside_toe_right_hipw"])
        kept = []
        for c, m in zip(cands, measures):
            if not c:
                kept.append(False)
                continue
            if kin.dims == "3d":
                # measured 3D: the knee wide of the foot at the rep's most bowed frame (FPPA is read only up to
                # 60° of knee flexion there, so the knee's position is taken at that frame)
                kept.append(bool(np.nan_to_num(outside[m.worst_frame], nan=0.0) > OUTSIDE_TOE_HIPW))
                continue
            seg = slice(m.rep.start_frame, m.rep.end_frame + 1)
            with np.errstate(invalid="ignore"):
                wide = (series[seg] < -limit) & (outside[seg] > OUTSIDE_TOE_HIPW)
            kept.append(int(wide.sum()) >= max(3, int(round(SUSTAINED_S * (kin.fps or 30.0)))))
        cands = kept
    return make_findings(CODE, measures, cands, [-limit] * len(measures), series, unit="deg", cue=CUE,
                         signal="fppa_left_deg", step=8.0, above=False)


RULE = Rule(code=CODE, needs=NEEDS, run=check, visible=frontal)
