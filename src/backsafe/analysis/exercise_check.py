"""Is the movement seen the exercise given? Recognition (recognition.py) runs on every analysis: an analysis
without ``--exercise`` says which exercise it recognised, and a given exercise whose movement is clearly of
another family gets a prominent warning, its reps counted as the movement seen."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..exercises import Exercise, get_exercise
from ..model import Kinematics, PoseSequence
from ..options import AnalysisOptions

if TYPE_CHECKING:
    from ..recognition import Recognition

__all__ = ["MISMATCH_CONFIDENCE", "RECOGNITION_SURE", "check_exercise"]

#: a given exercise is called a mismatch only when the movement seen is this clearly of another family
#: (recognition.py confidence; at 0.8 the deciding features clear their thresholds by a wide margin)
MISMATCH_CONFIDENCE = 0.8
#: below this a recognised exercise is said to be a guess
RECOGNITION_SURE = 0.6


def _recognised_warning(rec: Recognition, ex: Exercise) -> str:
    from ..recognition import FAMILY_NAMES

    if rec.family is None:
        return (f"the exercise could not be recognised ({rec.reason}), so it was analysed as a "
                f"{ex.name.lower()}; give --exercise to say which exercise this is")
    sure = "" if rec.confidence >= RECOGNITION_SURE else " (not sure)"
    return (f"no --exercise given: recognised a {FAMILY_NAMES[rec.family]} movement{sure} and "
            f"analysed it as a {ex.name.lower()}; give --exercise if it is another exercise")


def check_exercise(
    cleaned: PoseSequence, kin: Kinematics, ex: Exercise, opts: AnalysisOptions, recognised: Recognition | None,
    warnings: list[str],
) -> tuple[Exercise, Exercise, dict[str, object]]:
    """(exercise judged, exercise whose signal counts the reps, report fields); a warning about the exercise goes
    first in ``warnings``. ``recognised``: ``ex`` was recognised from the keypoints, not given."""
    from ..recognition import FAMILY_NAMES, family_of, recognise

    if recognised is not None:
        warnings.insert(0, _recognised_warning(recognised, ex))
        return ex, ex, {"exercise_source": "recognised", "recognition": recognised.as_dict()}
    rec = recognise(cleaned, kin, load_kg=opts.load_kg)
    given_family = family_of(ex)
    rdoc: dict[str, object] = rec.as_dict() | {"given_family": given_family}
    doc: dict[str, object] = {"exercise_source": "given", "recognition": rdoc}
    if (given_family is None or rec.family is None or rec.family == given_family or rec.exercise is None
            or rec.confidence < MISMATCH_CONFIDENCE):
        rdoc["matches_given"] = None if given_family is None or rec.family is None else rec.family == given_family
        return ex, ex, doc
    seen = get_exercise(rec.exercise)
    keep = tuple(c for c in ex.faults if c in seen.faults)
    dropped = [c for c in ex.faults if c not in keep]
    not_judged = (f"; not judged: {', '.join(c.replace('_', ' ') for c in dropped)} (faults of a {ex.name.lower()} "
                  f"that a {FAMILY_NAMES[rec.family]} movement does not show)") if dropped else ""
    warnings.insert(0, f"check --exercise: this looks like a {FAMILY_NAMES[rec.family]} movement ({rec.reason}), "
                       f"not a {ex.name.lower()}; reps were counted as a {seen.name.lower()}{not_judged}")
    rdoc |= {"matches_given": False, "counted_as": seen.id, "faults_not_judged": dropped}
    return replace(ex, faults=keep), seen, doc
