"""The only place that knows the stage order: input → pose → clean → kinematics → reps → faults → Report.

Each step lives in its own module; this one calls them in order:

- input and pose: ``analysis/load.py`` (a clip through ``io/video.py`` and ``pose/runner.py``, a keypoint file
  through ``io/keypoints.py``)
- clean, kinematics, reps: ``analysis/measure.py``; the exercise and the clip checked: ``analysis/exercise_check.py``,
  ``analysis/clip.py``; the back's outline: ``analysis/outline.py``
- faults: ``faults/registry.py``, judged against the person's reference when given (``faults/reference.py``)
- the Report: ``analysis/assemble.py``
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, SupportsInt

from . import settings
from .analysis.clip import LOW_CONFIDENCE, LOW_CONFIDENCE_BY_SOURCE, clip_quality, reps_in_view
from .analysis.exercise_check import MISMATCH_CONFIDENCE, RECOGNITION_SURE, check_exercise
from .analysis.load import load_pose
from .analysis.measure import clean_and_measure
from .analysis.outline import HINGE_PATTERNS, outline_wanted, trace_outline
from .errors import InputError, ValueRangeError
from .exercises import Exercise, Tempo4, get_exercise
from .faults.reference import build_reference, reference_from_report, reference_from_report_dict, rep_measures
from .io.video import is_video
from .kinematics.back_contour import BackShapeFn
from .model import PoseSequence, ReportData, View
from .options import AnalysisOptions, OptionFields, effective_stride
from .pose.models import describe_model
from .pose.runner import EstimatorFactory, ProgressFn, default_estimator, estimate_video_pose
from .report.document import Report
from .reps.segmentation import hold_time, whole_clip_rep

#: the stage functions, and the names that lived here before their concept got its own module (re-exported: callers
#: import them from backsafe.pipeline; InputError too, which callers catch as pipeline.InputError)
__all__ = [
    "ANALYZE_OPTIONS", "AnalysisOptions", "BackShapeFn", "EstimatorFactory", "HINGE_PATTERNS", "InputError",
    "LOW_CONFIDENCE", "LOW_CONFIDENCE_BY_SOURCE", "MISMATCH_CONFIDENCE", "ProgressFn", "RECOGNITION_SURE", "analyze",
    "analyze_pose", "build_reference", "default_estimator", "effective_stride", "estimate_video_pose", "is_video",
    "load_pose", "load_reference", "outline_wanted", "recognise_exercise", "reference_from_report",
    "reference_from_report_dict", "rep_measures",
]

if TYPE_CHECKING:
    from .faults.reference import PersonalReference
    from .recognition import Recognition

#: kept under its old name for callers of the measuring stage (evaluation/, tests)
_clean_and_measure = clean_and_measure

POSE_MODEL = describe_model("full")


def recognise_exercise(pose: PoseSequence, opts: AnalysisOptions) -> tuple[Exercise, Recognition]:
    """The exercise a clip shows (recognition.py), for an analysis without ``--exercise``; a squat when nothing can
    be recognised (too little movement), which the report then says."""
    from .recognition import recognise

    cleaned, _, kin = clean_and_measure(pose, opts.view)
    rec = recognise(cleaned, kin, load_kg=opts.load_kg)
    return get_exercise(rec.exercise or "squat"), rec


def analyze_pose(
    pose: PoseSequence,
    ex: Exercise,
    opts: AnalysisOptions,
    meta: Mapping[str, object],
    back_shape_fn: BackShapeFn | None = None,
    reference: PersonalReference | None = None,
    outline_off: str | None = None,
    recognised: Recognition | None = None,
) -> Report:
    """Everything after pose: clean, kinematics, reps, faults, summary.

    ``recognised``: ``ex`` was recognised from the keypoints (:func:`recognise_exercise`), not given; the report
    says so. When ``ex`` was given, recognition still runs: a movement of another family gets a prominent
    warning, its reps are counted as the movement seen, and only the faults both exercises check are judged.

    ``back_shape_fn`` traces the back's outline (kinematics/back_contour.py ``back_shape_from_video``); without
    it, ``outline_off`` says why it was not (``"off"``, ``"no_video"``: the report then says so; None: nothing).

    ``reference``: the person's own good reps (:func:`build_reference`); movement-pattern faults are then judged
    against them instead of against population norms (faults/reference.py).
    """
    from .analysis.assemble import Analysed, report_of
    from .faults.registry import check_faults

    warnings: list[str] = []
    turned = meta.get("turned_deg")
    if turned and isinstance(turned, SupportsInt):
        from .orientation import turned_warning

        warnings.append(turned_warning(int(turned)))
    cleaned, stats, kin = clean_and_measure(pose, opts.view)
    ex, count_ex, recognition_doc = check_exercise(cleaned, kin, ex, opts, recognised, warnings)
    quality, mean_conf = clip_quality(pose, kin, stats, ex, warnings)
    kin, reps = reps_in_view(cleaned, kin, ex, count_ex, opts.view, warnings)
    hold = hold_time(kin, ex)
    if ex.kind == "reps" and not reps:
        warnings.append("no repetition was found (the movement was too small, or the person was not tracked); "
                        "posture was judged over the whole clip")
        reps = whole_clip_rep(kin)
    tempo = Tempo4.parse(opts.tempo) if opts.tempo else ex.default_tempo
    shapes, outline = trace_outline(back_shape_fn, outline_off, cleaned, kin, reps, ex, warnings)
    result = check_faults(kin, reps, ex, tempo=tempo, subject=opts.subject, quality=quality,
                          back_shapes=tuple(shapes), reference=reference,
                          tempo_prescribed=opts.tempo is not None)  # §7: judged against a tempo only when given
    return report_of(Analysed(ex=ex, opts=opts, meta=meta, stats=stats, cleaned=cleaned, kin=kin, reps=reps,
                              hold_s=hold, tempo=tempo, quality=quality, mean_conf=mean_conf, result=result,
                              recognition_doc=recognition_doc, warnings=warnings, reference=reference,
                              outline=outline, shapes=shapes if back_shape_fn is not None else None))


def analyze(
    path: str | Path,
    exercise: str | None = None,
    *,
    load_kg: float | None = None,
    tempo: str | None = None,
    body_mass_kg: float = 75.0,
    sex: str = "male",
    fps: float | None = None,
    input_format: str = "auto",
    view: View | None = None,
    image_size: tuple[int, int] | None = None,
    stride: int = 1,
    back_shape: bool | None = None,
    pose_cache_dir: str | Path | None = None,
    person: str = "auto",
    model: str = "full",
    estimator_factory: EstimatorFactory | None = None,
    progress: ProgressFn | None = None,
    reference: ReportData | PersonalReference | str | Path | None = None,
    **unknown: Any,
) -> Report:
    """Analyse one clip or keypoint file.

    Parameters
    ----------
    path : a video (mp4, mov, webm, avi, mkv) or a keypoint file in one of the DESIGN.md input formats.
    exercise : an exercise id (``backsafe exercises`` lists them); None: recognised from the keypoints
        (recognition.py), and the report's ``exercise_source`` says "recognised".
    estimator_factory : make the pose estimator (tests inject a fake one); MediaPipe by default.
    progress : called as ``progress(frames_done, total_or_None)`` during pose estimation.
    reference : the person's own good reps (a Report of them, a PersonalReference, a report.json of them, or a
        clip / keypoint file analysed with the same options): faults are then judged against them
        (faults/reference.py).
    person : who to analyse when several people are in frame (pose/tracking.py): auto, largest, center, left,
        right or a point "x,y".
    model : the pose model size for videos, ``lite``, ``full`` (default) or ``heavy`` (pose/models.py); the report
        records it (``extra.pose_model``, ``input.pose_model``).
    load_kg, tempo, body_mass_kg, sex, fps, input_format, view, image_size, stride, back_shape, pose_cache_dir :
        the fields of :class:`AnalysisOptions` (the load held in kg, a prescribed tempo like "3-1-2-0", ...);
        values of the wrong type or out of range raise ValueRangeError, unknown names too.

    Raises
    ------
    InputError (VideoReadError, KeypointFormatError, ValueRangeError), NoPersonError, UnknownExerciseError
    """
    if unknown:
        raise ValueRangeError(f"unknown option(s) {sorted(unknown)} for analyze(); expected some of "
                              f"{sorted(ANALYZE_OPTIONS)}")
    # opt-in keypoint cache (evaluation, tests): keypoints only, never frames
    cache = Path(pose_cache_dir) if pose_cache_dir is not None else settings.pose_cache_dir()
    options = OptionFields(load_kg=load_kg, tempo=tempo, body_mass_kg=body_mass_kg, sex=sex, fps=fps,
                           input_format=input_format, view=view, image_size=image_size, stride=stride,
                           back_shape=back_shape, pose_cache_dir=cache, person=person, model=model)
    ex, opts, recognised, loaded_pose = _exercise_of(path, exercise, options, estimator_factory, progress)
    recording = _reference_of(reference, ex.id, estimator_factory, options)
    personal = (recording if recording is None or not isinstance(recording, ReportData)
                else reference_from_report(recording))
    pose, meta = loaded_pose if loaded_pose is not None else load_pose(path, opts, estimator_factory, progress)
    trace, why_not = outline_wanted(opts, ex, Path(path))
    from .kinematics import back_contour  # looked up at call time: back_contour.outline_timer wraps it

    shape_fn = back_contour.back_shape_from_video(Path(path)) if trace else None
    report = analyze_pose(pose, ex, opts, meta, shape_fn, reference=personal, outline_off=why_not,
                          recognised=recognised)
    if meta.get("format") == "video":  # the pose model size used (lite|full|heavy); input.pose_model describes it
        report.extra["pose_model"] = opts.model
    if isinstance(recording, ReportData):
        from .compare import attach_comparison

        attach_comparison(report, recording)  # a recording of good reps: the rep-by-rep comparison with it
    return report


def _exercise_of(path: str | Path, exercise: str | None, options: OptionFields,
                 estimator_factory: EstimatorFactory | None, progress: ProgressFn | None,
                 ) -> tuple[Exercise, AnalysisOptions, Recognition | None, tuple[PoseSequence, dict[str, Any]] | None]:
    """The exercise given, or (no ``exercise``) recognised from the keypoints before anything else; with the
    options for it, the recognition (None when given) and the pose loaded to recognise it (None when given)."""
    if exercise is not None:
        ex = get_exercise(exercise)
        return ex, AnalysisOptions(exercise=ex.id, **options), None, None
    unknown = AnalysisOptions(exercise="", **options)
    loaded_pose = load_pose(path, unknown, estimator_factory, progress)
    ex, recognised = recognise_exercise(loaded_pose[0], unknown)
    return ex, AnalysisOptions(exercise=ex.id, **options), recognised, loaded_pose


#: the keyword options analyze() takes besides the exercise (the AnalysisOptions fields a caller may set)
ANALYZE_OPTIONS = frozenset(OptionFields.__required_keys__)


def _reference_of(reference: ReportData | PersonalReference | str | Path | None, exercise: str,
                  estimator_factory: EstimatorFactory | None, options: OptionFields
                  ) -> ReportData | PersonalReference | None:
    """The reference ``analyze`` was given, loaded: a path is read as a report.json's stored measures or analysed
    as a recording of good reps with the set's options (its clip's person chosen as ``auto``)."""
    if reference is None or not isinstance(reference, (str, Path)):
        return reference
    return load_reference(reference, exercise, estimator_factory=estimator_factory, **(options | {"person": "auto"}))


def load_reference(reference: str | Path, exercise: str, *, estimator_factory: EstimatorFactory | None = None,
                   **options: Any) -> Report | PersonalReference:
    """A reference given as a path, as ``backsafe analyze --reference`` and ``backsafe batch`` take it.

    A backsafe report.json gives its stored per-rep measures (faults/reference.py ``read_reference_file``); a clip
    or a keypoint file of good reps is analysed as ``exercise`` with the same ``options`` as the set it will judge
    and returned as a Report (which also allows the rep-by-rep comparison with it, compare.py).
    """
    from .faults.reference import read_reference_file

    stored = read_reference_file(reference, exercise)
    return stored if stored is not None else analyze(reference, exercise, estimator_factory=estimator_factory,
                                                     **options)
