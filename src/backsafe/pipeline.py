"""The only place that knows the stage order: input → pose → clean → kinematics → reps → faults → Report."""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError, ValueRangeError
from .exercises import Exercise, Tempo4, get_exercise
from .io.video import VIDEO_EXTENSIONS, iter_frames, iter_frames_threaded, probe_video
from .kinematics.angles import compute_kinematics
from .kinematics.filtering import clean_pose
from .model import Kinematics, PoseSequence, Rep, Report, View, full_or_all
from .options import AnalysisOptions as AnalysisOptions  # re-exported: backsafe.pipeline.AnalysisOptions stays public
from .options import effective_stride as effective_stride  # re-exported
from .pose.base import PoseEstimator, run_estimator
from .report.json_report import REP_MEASURES_KEY, read_report_file
from .reps.segmentation import hold_as_rep, hold_time, segment_reps, whole_clip_rep, with_body_signals

if TYPE_CHECKING:
    from .recognition import Recognition
    from .faults.reference import PersonalReference

ProgressFn = Callable[[int, int | None], None]
EstimatorFactory = Callable[[], PoseEstimator]

#: a clip whose mean keypoint confidence on the trunk and legs is below this share of the source's confidence
#: scale is flagged low_confidence (MediaPipe visibility 0.6; OpenPose heat-map peaks run lower: 0.3)
LOW_CONFIDENCE = 0.6
LOW_CONFIDENCE_BY_SOURCE = {"openpose-json": 0.3, "coco18-npy": 0.3, "coco17-json": 0.3}
POSE_CACHE_VERSION = "3"  # 2: real frame intervals for MediaPipe (stride 2, 24 fps); 3: clips >= 10 s in two halves


def is_video(path: Path, input_format: str) -> bool:
    if input_format == "video":
        return True
    if input_format != "auto":
        return False
    return path.suffix.lower() in VIDEO_EXTENSIONS


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _cache_path(cache_dir: Path, path: Path, stride: int, turn: int = 0) -> Path:
    turned = f"-r{turn}" if turn else ""  # a clip analysed turned upright (orientation.py) keeps its own entry
    return cache_dir / f"{_file_digest(path)}-s{stride}{turned}-v{POSE_CACHE_VERSION}.npz"


def _load_cached(p: Path) -> PoseSequence | None:
    try:
        with np.load(p, allow_pickle=False) as z:
            world = z["world"] if z["world"].size else None
            return PoseSequence(
                data=z["data"],
                timestamps_s=z["t"],
                world=world,
                image_size=(int(z["size"][0]), int(z["size"][1])),
                source="mediapipe",
            )
    except (OSError, KeyError, ValueError, InputError):
        return None


def _save_cached(p: Path, pose: PoseSequence) -> None:
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, suffix=".npz.tmp")
    os.close(fd)
    try:
        with open(tmp, "wb") as f:
            np.savez_compressed(
                f,
                data=pose.data,
                t=pose.timestamps_s,
                world=pose.world if pose.world is not None else np.zeros(0, np.float32),
                size=np.array(pose.image_size or (0, 0)),
            )
        os.replace(tmp, p)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def default_estimator() -> PoseEstimator:
    from .pose.mediapipe_backend import MediaPipePose

    return MediaPipePose()


#: a clip at least this long is analysed as two halves side by side, one pose model per core (issue [6/7]): the
#: model is single-threaded, and decoding beside it saves only the decode time (the naive loop's 7 %)
SPLIT_MIN_S = 10.0


def _split_worthwhile(duration_s: float | None) -> bool:
    if os.environ.get("BACKSAFE_POSE_SPLIT", "1") == "0" or not duration_s or duration_s < SPLIT_MIN_S:
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return cores >= 2


def _estimate_in_two_halves(
    path: Path, duration_s: float, image_size: tuple[int, int], stride: int, progress: ProgressFn | None,
    total: int | None, turn: int = 0,
) -> PoseSequence:
    """Pose on the first and second half of a clip at once, each half with its own decoder and tracker.

    The second half starts tracking afresh at its first frame (as a clip does). Its first frame's time is the
    seam: the first half ends just before it. Either half may find nobody; the whole clip is checked.
    """
    import threading

    from .pose.base import check_person_found

    seam: list[float] = []
    seam_known = threading.Event()
    stop = threading.Event()  # the first half failed or was interrupted (Ctrl-C): the second one stops too
    done = [0, 0]

    def second_half() -> Any:
        try:
            for fr in iter_frames_threaded(path, stride=stride, start_s=duration_s / 2, turn=turn):
                if not seam_known.is_set():
                    seam.append(fr.t_s)
                    seam_known.set()
                if stop.is_set():
                    return
                yield fr
        finally:
            seam_known.set()  # nothing decoded there: the first half runs to the end

    def first_half() -> Any:
        for fr in iter_frames_threaded(path, stride=stride, turn=turn):
            seam_known.wait()
            if seam and fr.t_s >= seam[0]:
                return
            yield fr

    results: list[Any] = [None, None]

    def run(k: int, frames: Any) -> None:
        def count(i: int) -> None:
            done[k] = i
            if k == 0 and progress is not None:  # reported from the calling thread only
                progress((done[0] + done[1]) * stride, total)

        estimator = None
        try:
            estimator = default_estimator()
            results[k] = run_estimator(frames, estimator, image_size=image_size, progress=count,
                                       check_person=False)
        except BaseException as exc:  # re-raised below, in the calling thread
            results[k] = exc
        finally:
            if estimator is not None:
                estimator.close()

    worker = threading.Thread(target=run, args=(1, second_half()), name="backsafe-pose-2", daemon=True)
    worker.start()
    try:
        run(0, first_half())
    finally:
        seam_known.set()
        if results[0] is None or isinstance(results[0], BaseException):
            stop.set()
        worker.join()
    a, b = results
    if isinstance(a, BaseException):
        raise a
    if isinstance(b, InputError) and not seam:
        b = None  # the second half decoded nothing (a truncated file): the first half ran to the end
    elif isinstance(b, BaseException):
        raise b
    elif b is None and seam:
        raise RuntimeError("the second half of the clip was not analysed")
    parts: list[PoseSequence] = [p for p in (a, b) if p is not None and p.n_frames] or [a]
    pose: PoseSequence
    if len(parts) == 1:
        pose = parts[0]
    else:
        world = None
        if any(p.world is not None for p in parts):
            world = np.concatenate([p.world if p.world is not None else np.full(p.data.shape[:2] + (3,), np.nan,
                                    np.float32) for p in parts])
        pose = parts[0].replace(data=np.concatenate([p.data for p in parts]),
                                timestamps_s=np.concatenate([p.timestamps_s for p in parts]), world=world)
    n = pose.n_frames
    check_person_found(int(np.isfinite(pose.data[:, 0, 0]).sum()), n)
    if progress is not None:
        progress(n * stride, total)
    return pose


def estimate_video_pose(
    path: Path,
    estimator_factory: EstimatorFactory | None = None,
    stride: int = 1,
    progress: ProgressFn | None = None,
    cache_dir: Path | None = None,
    turn: int = 0,
) -> PoseSequence:
    """Decode a clip and run pose on every ``stride``-th frame (decoding overlaps inference in a thread).

    ``turn``: turn every frame this many degrees counter-clockwise after its rotation flag (a clip found sideways,
    orientation.py)."""
    from .io.video import turn_of

    if cache_dir is not None and estimator_factory is None:
        cp = _cache_path(cache_dir, path, stride, turn)
        cached = _load_cached(cp) if cp.exists() else None
        if cached is not None:
            return cached
    info = probe_video(path)
    total = info.n_frames
    size = (info.width, info.height)
    if (turn - turn_of(path)) % 180:  # probe_video gives the size of the recorded turn
        size = (info.height, info.width)
    if estimator_factory is None and _split_worthwhile(info.duration_s):
        pose = _estimate_in_two_halves(path, info.duration_s or 0.0, size, stride, progress, total, turn)
    else:
        estimator = (estimator_factory or default_estimator)()
        try:
            frames = (iter_frames_threaded(path, stride=stride, turn=turn)
                      if os.environ.get("BACKSAFE_DECODE_THREAD", "1") != "0"
                      else iter_frames(path, stride=stride, turn=turn))
            pose = run_estimator(
                frames,
                estimator,
                image_size=size,
                progress=(lambda i: progress(i * stride, total)) if progress else None,
            )
        finally:
            estimator.close()
    if cache_dir is not None and estimator_factory is None:
        _save_cached(_cache_path(cache_dir, path, stride, turn), pose)
    return pose


def _turn_from_frames(path: Path, posture: Any, estimator_factory: EstimatorFactory | None) -> Any:
    """orientation.rotation_from_frames on a few frames of the clip: MediaPipe (static-image mode: each frame on
    its own) or the injected estimator at each quarter turn."""
    from .io.video import sample_frames
    from .orientation import SAMPLE_FRAMES, rotation_from_frames

    frames = sample_frames(path, SAMPLE_FRAMES, turn=0)
    if estimator_factory is None:
        from .pose.mediapipe_backend import MediaPipePose

        est: PoseEstimator = MediaPipePose(static_image_mode=True)
    else:
        est = estimator_factory()
    try:
        def estimate(rgb: Any) -> Any:
            fp = est.process(rgb)
            return None if fp is None else fp.image

        return rotation_from_frames(frames, estimate, posture)
    finally:
        est.close()


def _upright_video_pose(
    path: Path, opts: AnalysisOptions, estimator_factory: EstimatorFactory | None, stride: int,
    progress: ProgressFn | None,
) -> tuple[PoseSequence, dict[str, Any]]:
    """Pose of the clip as it is; when that skeleton is not upright (or nobody is found), the turn under which a
    few sampled frames show an upright, confident person, and pose again on the clip turned so (issue 16: a phone
    clip turned without a rotation flag). The upright clip pays only the keypoint check (under 1 ms a clip)."""
    from .errors import NoPersonError
    from .io.video import set_turn, turn_of
    from .orientation import is_upright, posture_of

    posture = posture_of(opts.exercise)
    turn = turn_of(path)  # turned earlier in this process (a reference clip analysed twice)
    failure: NoPersonError | None = None
    pose: PoseSequence | None = None
    try:
        pose = estimate_video_pose(path, estimator_factory, stride, progress, opts.pose_cache_dir, turn=turn)
    except NoPersonError as exc:
        failure = exc
    if pose is not None and is_upright(pose, posture):
        return pose, ({"turned_deg": turn} if turn else {})
    found = _turn_from_frames(path, posture, estimator_factory)
    new_turn = found.rotation_deg  # the sampled frames were tried from the clip as filmed (turn 0)
    if found.rotation_deg == 0 or new_turn == turn:
        if pose is None:
            assert failure is not None
            raise failure
        return pose, {"orientation": found.as_dict()} | ({"turned_deg": turn} if turn else {})
    set_turn(path, new_turn)
    pose = estimate_video_pose(path, estimator_factory, stride, progress, opts.pose_cache_dir, turn=new_turn)
    return pose, {"turned_deg": new_turn, "orientation": found.as_dict()}


def load_pose(
    path: str | Path,
    opts: AnalysisOptions,
    estimator_factory: EstimatorFactory | None = None,
    progress: ProgressFn | None = None,
) -> tuple[PoseSequence, dict[str, Any]]:
    """Keypoints from a video (pose estimation) or a keypoint file (adapter); plus input metadata."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if is_video(path, opts.input_format):
        info = probe_video(path)
        stride = effective_stride(opts.stride, info.fps)
        pose, turned = _upright_video_pose(path, opts, estimator_factory, stride, progress)
        info = probe_video(path)  # after a turn: the turned frame size
        meta = {
            "path": path.name,
            "format": "video",
            "width": info.width,
            "height": info.height,
            "fps": round(info.fps, 3),
            "frames": pose.n_frames,
            "duration_s": round(pose.duration_s, 3),
            "rotation_deg": info.rotation_deg,
            "pose_model": "mediapipe-blazepose-full (legacy solution, complexity 1)",
            **turned,
        }
        if opts.stride > 1:
            meta["stride"] = stride  # every stride-th frame analysed (--fast), never below MIN_ANALYSED_FPS
        return pose, meta
    from .io.keypoints import detect_format, load_keypoints

    fmt = opts.input_format if opts.input_format != "auto" else detect_format(path)
    pose = load_keypoints(path, input_format=fmt, fps=opts.fps, image_size=opts.image_size)
    from .orientation import choose_rotation, posture_of, rotate_pose

    orientation = choose_rotation(pose, posture_of(opts.exercise))
    if orientation.rotation_deg:  # keypoints of a sideways or upside-down clip: turned upright (issue 16)
        pose = rotate_pose(pose, orientation.rotation_deg)
    meta = {
        "path": path.name,
        "format": fmt,
        "guessed_format": opts.input_format == "auto",
        "fps": round(pose.fps, 3),
        "frames": pose.n_frames,
        "duration_s": round(pose.duration_s, 3),
    }
    if orientation.rotation_deg:
        meta |= {"turned_deg": orientation.rotation_deg, "orientation": orientation.as_dict()}
    return pose, meta


#: measures the back's outline for ``analyze_pose``: (cleaned pose, kinematics, reps) -> a BackShape per traced
#: rep, or (those, {rep: RepTrace}) when it can say why a rep was not traced (kinematics/back_contour.py)
BackShapeFn = Callable[[PoseSequence, Any, list[Any]], "list[Any] | tuple[list[Any], dict[int, Any]]"]


def back_shape_from_video(path: Path) -> BackShapeFn:
    """A back-shape measurer for ``analyze_pose``: decodes only the frames of each rep's lifting phase that
    kinematics/back_contour.py asks for (at most 8 a rep, found by their time stamps, so --fast and a clip
    analysed in two halves get the right frames) and runs MediaPipe's segmentation on them (static-image mode:
    a handful of frames, not the whole clip)."""

    def measure(pose: PoseSequence, kin: Any, reps: list[Any]) -> tuple[list[Any], dict[int, Any]]:
        from .kinematics.back_contour import (SEGMENT_MAX_SIDE, TRACE_VIEWS, RepTrace, frames_at_times, lift_frames,
                                              measure_back_shape)

        log: dict[int, RepTrace] = {}
        if kin.view not in TRACE_VIEWS or kin.facing is None:
            return [], log  # nothing to trace: not even the segmentation model is loaded
        wanted = {f: float(pose.timestamps_s[f]) for fs in lift_frames(kin, reps).values() for f in fs}
        if not wanted:
            return [], log
        from .pose.mediapipe_backend import MediaPipePose

        seg = MediaPipePose(static_image_mode=True, enable_segmentation=True)
        try:
            def segment(rgb: Any) -> Any:
                h, w = rgb.shape[:2]
                if SEGMENT_MAX_SIDE and max(h, w) > SEGMENT_MAX_SIDE:  # a smaller copy: keypoints are scaled to it
                    import cv2

                    k = SEGMENT_MAX_SIDE / max(h, w)
                    rgb = cv2.resize(rgb, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA)
                return seg.last_mask if seg.process(rgb) is not None else None

            shapes = measure_back_shape(frames_at_times(path, wanted), segment, pose, kin, reps, log=log)
            return shapes, log
        finally:
            seg.close()

    return measure


#: movement patterns that lean the trunk past 40° by design: there the outline is the main back measure, and a set
#: in which it could not be traced for that reason is worth a warning (exercises.json "pattern")
HINGE_PATTERNS = frozenset({"hinge", "hinge_hold", "ballistic"})


def outline_wanted(opts: AnalysisOptions, ex: Exercise, path: Path) -> tuple[bool, str | None]:
    """(trace the back's outline?, why not): on by default for a video of an exercise that checks back_rounding
    (``back_shape`` None or True); off with ``back_shape=False`` (``--no-back-shape``)."""
    if "back_rounding" not in ex.faults:
        return False, None
    if opts.back_shape is False:
        return False, "off"
    if not is_video(path, opts.input_format):
        return False, "no_video"
    return True, None


def _clean_and_measure(
    pose: PoseSequence, view: View | None = None
) -> tuple[PoseSequence, dict[str, Any], Kinematics]:
    """Cleaned keypoints, the cleaning stats, and their kinematics (which know where the tracker broke)."""
    cleaned, stats = clean_pose(pose)
    kin = with_body_signals(compute_kinematics(cleaned, view=view), cleaned)  # heights reps can fall back on
    breaks = stats.pop("track_breaks", ())
    if breaks:
        from dataclasses import replace as dc_replace

        kin = dc_replace(kin, track_breaks=tuple(breaks))
    return cleaned, stats, kin


def _find_reps(kin: Kinematics, ex: Exercise) -> list[Rep]:
    """The reps of a set, or the hold as one rep."""
    return segment_reps(kin, ex) if ex.kind == "reps" else hold_as_rep(kin, ex)


#: a given exercise is called a mismatch only when the movement seen is this clearly of another family
#: (recognition.py confidence; at 0.8 the deciding features clear their thresholds by a wide margin)
MISMATCH_CONFIDENCE = 0.8
#: below this a recognised exercise is said to be a guess
RECOGNITION_SURE = 0.6


def recognise_exercise(pose: PoseSequence, opts: AnalysisOptions) -> tuple[Exercise, Recognition]:
    """The exercise a clip shows (recognition.py), for an analysis without ``--exercise``; a squat when nothing can
    be recognised (too little movement), which the report then says."""
    from .recognition import recognise

    cleaned, _, kin = _clean_and_measure(pose, opts.view)
    rec = recognise(cleaned, kin, load_kg=opts.load_kg)
    return get_exercise(rec.exercise or "squat"), rec


def _check_exercise(
    cleaned: PoseSequence, kin: Kinematics, ex: Exercise, opts: AnalysisOptions, recognised: Recognition | None,
    warnings: list[str],
) -> tuple[Exercise, Exercise, dict[str, Any]]:
    """(exercise judged, exercise whose signal counts the reps, report fields) — see :func:`analyze_pose`."""
    from dataclasses import replace as dc_replace

    from .recognition import FAMILY_NAMES, family_of, recognise

    if recognised is not None:
        rec = recognised
        if rec.family is None:
            warnings.insert(0, f"the exercise could not be recognised ({rec.reason}), so it was analysed as a "
                               f"{ex.name.lower()}; give --exercise to say which exercise this is")
        else:
            sure = "" if rec.confidence >= RECOGNITION_SURE else " (not sure)"
            warnings.insert(0, f"no --exercise given: recognised a {FAMILY_NAMES[rec.family]} movement{sure} and "
                               f"analysed it as a {ex.name.lower()}; give --exercise if it is another exercise")
        return ex, ex, {"exercise_source": "recognised", "recognition": rec.as_dict()}
    rec = recognise(cleaned, kin, load_kg=opts.load_kg)
    given_family = family_of(ex)
    rdoc: dict[str, Any] = rec.as_dict() | {"given_family": given_family}
    doc: dict[str, Any] = {"exercise_source": "given", "recognition": rdoc}
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
    return dc_replace(ex, faults=keep), seen, doc


def analyze_pose(
    pose: PoseSequence,
    ex: Exercise,
    opts: AnalysisOptions,
    meta: dict[str, Any],
    back_shape_fn: BackShapeFn | None = None,
    reference: PersonalReference | None = None,
    outline_off: str | None = None,
    recognised: Recognition | None = None,
) -> Report:
    """Everything after pose: clean, kinematics, reps, faults, summary.

    ``recognised``: ``ex`` was recognised from the keypoints (:func:`recognise_exercise`), not given; the report
    says so. When ``ex`` was given, recognition still runs: a movement of another family gets a prominent
    warning, its reps are counted as the movement seen, and only the faults both exercises check are judged.

    ``back_shape_fn`` traces the back's outline (:func:`back_shape_from_video`); without it, ``outline_off`` says
    why it was not (``"off"``, ``"no_video"``: the report then says so; None: nothing is said).

    ``reference``: the person's own good reps (:func:`build_reference`); movement-pattern faults are then judged
    against them instead of against population norms (faults/reference.py).
    """
    from .faults.registry import check_faults
    from .faults.summary import summarise

    warnings: list[str] = []
    if meta.get("turned_deg"):
        from .orientation import turned_warning

        warnings.append(turned_warning(int(meta["turned_deg"])))
    cleaned, stats, kin = _clean_and_measure(pose, opts.view)
    ex, count_ex, recognition_doc = _check_exercise(cleaned, kin, ex, opts, recognised, warnings)
    if stats.get("track_switches", 0) > 0:
        warnings.append(
            f"the pose tracker jumped between people or lost the person {int(stats['track_switches'])} time(s); "
            "no repetition is counted across a switch (film one person, whole body in frame)"
        )
    if kin.view == "unknown":
        warnings.append("the camera view could not be determined; view-dependent faults were not judged")
    if ex.views and kin.dims == "2d" and kin.view not in ex.views:
        warnings.append(
            f"{ex.name} is best filmed from the {' or '.join(ex.views)}; this clip looks like a {kin.view} view, "
            "so some faults cannot be judged"
        )
    conf = kin.confidence
    mean_conf = float(np.nanmean(conf)) if conf is not None and np.isfinite(conf).any() else 0.0
    quality = "ok"
    if pose.space == "image" and mean_conf < LOW_CONFIDENCE_BY_SOURCE.get(pose.source, LOW_CONFIDENCE):
        quality = "low_confidence"
        warnings.append(
            f"keypoint confidence is low (mean {mean_conf:.2f}); film side on at hip height, about 3 m away, "
            "whole body in frame, good light"
        )
    from .reps.tempo import bound_rest_pauses

    reps = bound_rest_pauses(_find_reps(kin, count_ex), count_ex)  # no rest pause longer than its rep (issue 16)
    if opts.view is None and kin.dims == "2d" and reps:
        # the view where the reps are (a person who walks about or turns before or after the set, issue 16's
        # front-view jumping jack called "side"): judged again on the reps' frames; kinematics follow it
        from dataclasses import replace as dc_replace

        from .kinematics.angles import detect_view

        in_reps = np.zeros(kin.n_frames, dtype=bool)
        for r in full_or_all(reps):
            in_reps[r.start_frame : r.end_frame + 1] = True
        rep_view, _ = detect_view(cleaned, in_reps)
        if rep_view not in (kin.view, "unknown"):
            kin = dc_replace(compute_kinematics(cleaned, view=rep_view), track_breaks=kin.track_breaks)
            reps = bound_rest_pauses(_find_reps(kin, count_ex), count_ex) or reps
            warnings[:] = [w for w in warnings if not w.startswith(f"{ex.name} is best filmed from")]
            if ex.views and kin.view not in ex.views:
                warnings.append(f"{ex.name} is best filmed from the {' or '.join(ex.views)}; this clip looks like a "
                                f"{kin.view} view, so some faults cannot be judged")
    hold = hold_time(kin, ex)
    if ex.kind == "reps" and not reps:
        warnings.append("no repetition was found (the movement was too small, or the person was not tracked); "
                        "posture was judged over the whole clip")
        reps = whole_clip_rep(kin)
    tempo = Tempo4.parse(opts.tempo) if opts.tempo else ex.default_tempo
    shapes: list[Any] = []
    outline = None
    if back_shape_fn is not None or (outline_off is not None and "back_rounding" in ex.faults):
        from .faults.rules._views import sagittal
        from .kinematics.back_contour import outline_status

        trace_log = None
        if back_shape_fn is not None and reps:
            got = back_shape_fn(cleaned, kin, reps)
            shapes, trace_log = got if isinstance(got, tuple) else (got, None)
        outline = outline_status(kin, reps, shapes, attempted=back_shape_fn is not None, set_reason=outline_off,
                                 log=trace_log)
        if kin.dims == "3d":
            outline = None  # measured 3D keypoints have their own back measures: nothing to say about a mask
        elif outline.message and sagittal(kin) and not (outline.all_upright and ex.pattern not in HINGE_PATTERNS):
            # other views: the fault rules already say back rounding is not judged; an upright squat or lunge is
            # not expected to lean past 40° (its status is in the JSON), a hinge is
            warnings.append(outline.message)
    result = check_faults(kin, reps, ex, tempo=tempo, load_kg=opts.load_kg, body_mass_kg=opts.body_mass_kg,
                          sex=opts.sex, quality=quality, back_shapes=tuple(shapes), reference=reference,
                          tempo_prescribed=opts.tempo is not None)  # §7: judged against a tempo only when given
    warnings.extend(result.warnings)
    from .report.wording import FRONT_CODES, not_checked_text, set_cue

    not_checked = [code for code, _ in result.not_checked]
    not_judged = {code: why for code, why in result.not_judged if code not in not_checked}
    if not_checked or not_judged:  # said once, together (§9), not one line per fault
        warnings.append(not_checked_text(not_checked, kin.view, not_judged))
    not_checked += list(not_judged)
    top_cue = summarise(result.findings, reps, ex)
    if reps or ex.kind != "reps":
        checked_any = quality == "ok" and any(c not in not_checked for c in ex.faults)
        top_cue = set_cue(result.findings, result.lumbar_compression_n, checked_any=checked_any,
                          exercise_checks=bool(ex.faults),
                          view_for="front" if any(c in FRONT_CODES for c in not_checked) else "side") or top_cue
    meta = dict(meta) | {
        "cleaning": {k: round(float(v), 4) for k, v in stats.items()},
        "dims": kin.dims,
        "view_detected": kin.view if opts.view is None else None,
        "view_evidence": {k: round(v, 4) for k, v in kin.view_evidence.items() if np.isfinite(v)},
        "scale_source": kin.scale_source,
        "facing": kin.facing,
        "tempo_prescribed": str(tempo),
        "load_kg": opts.load_kg,
        "body_mass_kg": opts.body_mass_kg,
        "mean_confidence": round(mean_conf, 3),
    }
    extra: dict[str, Any] = dict(recognition_doc)
    if reference is not None:
        extra["reference"] = reference.summary()
    if outline is not None:
        extra["back_outline"] = outline.to_dict()
    if back_shape_fn is not None:
        extra["back_shape"] = [
            {"rep": b.rep, "frame": b.frame, "sagitta_rel": round(b.sagitta_rel, 4), "profile_complete":
             round(b.complete, 2), "frames_traced": b.n_frames} for b in shapes
        ]
    report = Report(
        extra=extra,
        input=meta,
        exercise=ex.id,
        view=kin.view,
        dims=kin.dims,
        reps=reps,
        findings=result.findings,
        warnings=warnings,
        quality=quality,  # type: ignore[arg-type]
        top_cue=top_cue,
        lumbar_moment_nm=result.lumbar_moment_nm,
        lumbar_compression_n=result.lumbar_compression_n,
        hold_s=hold,
        kinematics=kin,
        pose=cleaned,
    )
    report.notes = list(getattr(result, "notes", []))
    report.not_checked = not_checked
    from .model import enforce_plausible

    report.warnings.extend(enforce_plausible(report))  # nothing physically impossible reaches a report
    measures = rep_measures(report)
    if measures is not None:
        report.extra[REP_MEASURES_KEY] = measures
    return report


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
    estimator_factory: EstimatorFactory | None = None,
    progress: ProgressFn | None = None,
    reference: Report | PersonalReference | str | Path | None = None,
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
    options: dict[str, Any] = dict(load_kg=load_kg, tempo=tempo, body_mass_kg=body_mass_kg, sex=sex, fps=fps,
                                   input_format=input_format, view=view, image_size=image_size, stride=stride,
                                   back_shape=back_shape, pose_cache_dir=pose_cache_dir)
    given = get_exercise(exercise) if exercise is not None else None
    if options.get("pose_cache_dir") is None and os.environ.get("BACKSAFE_POSE_CACHE"):
        # opt-in keypoint cache (evaluation, tests): keypoints only, never frames
        options["pose_cache_dir"] = Path(os.environ["BACKSAFE_POSE_CACHE"])
    elif options.get("pose_cache_dir") is not None:
        options["pose_cache_dir"] = Path(options["pose_cache_dir"])
    opts = AnalysisOptions(exercise=given.id if given is not None else "", **options)
    from .faults.reference import PersonalReference

    recognised = None
    loaded_pose = None
    if given is None:  # no --exercise: recognise it from the keypoints (recognition.py) before anything else
        loaded_pose = load_pose(path, opts, estimator_factory, progress)
        ex, recognised = recognise_exercise(loaded_pose[0], opts)
        opts = AnalysisOptions(exercise=ex.id, **options)
    else:
        ex = given
    personal = None
    if isinstance(reference, Report):
        personal = reference_from_report(reference)
    elif isinstance(reference, PersonalReference):
        personal = reference
    elif reference is not None:  # as the CLI and batch load it: a recording is analysed with the set's options
        loaded = load_reference(reference, ex.id, estimator_factory=estimator_factory, **options)
        personal = loaded if isinstance(loaded, PersonalReference) else reference_from_report(loaded)
    pose, meta = loaded_pose if loaded_pose is not None else load_pose(path, opts, estimator_factory, progress)
    trace, why_not = outline_wanted(opts, ex, Path(path))
    shape_fn = back_shape_from_video(Path(path)) if trace else None
    return analyze_pose(pose, ex, opts, meta, shape_fn, reference=personal, outline_off=why_not,
                        recognised=recognised)


#: the keyword options analyze() takes besides the exercise (the AnalysisOptions fields a caller may set)
ANALYZE_OPTIONS = frozenset({"load_kg", "tempo", "body_mass_kg", "sex", "fps", "input_format", "view", "image_size",
                             "stride", "back_shape", "pose_cache_dir"})


def reference_from_report(report: Report) -> PersonalReference:
    """The personal reference of an analysed recording of good reps."""
    return _reference_of(report.kinematics, _found_reps(report), str(report.input.get("path", "")))


def _found_reps(report: Report) -> list[Rep]:
    """The reps segmentation found (not the whole-clip stand-in of a recording without any)."""
    return [r for r in report.reps if "whole" not in r.phase_frames]


# --------------------------------------------------------------------------- a report.json as a reference

def rep_measures(report: Report) -> dict[str, Any] | None:
    """The per-rep values that :func:`reference_from_report` takes from this analysis, as JSON-ready data.

    ``{"dims": "2d"|"3d", "markers": true (only for motion-capture markers), "reps": [rep indices used],
    "values": {measure: [value per rep, None = not measurable]}}``, or None when the analysis cannot be a
    reference (no repetition found). Written into every report (``rep_measures``) so that
    :func:`reference_from_report_dict` rebuilds the same reference from the report.json alone, as exactly as
    from the Report itself (floats survive JSON unchanged).
    """
    try:
        ref = reference_from_report(report)
    except InputError:
        return None
    return {
        "dims": ref.dims,
        **({"markers": True} if ref.markers else {}),
        "reps": [r.index for r in full_or_all(_found_reps(report))],
        "values": {name: [float(v) for v in vals] for name, vals in ref.values.items()},
    }


def _as_number(v: Any) -> float | None:
    if v is None:
        return math.nan
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v)


def reference_from_report_dict(doc: Mapping[str, Any], exercise: str | None = None,
                               source: str | None = None) -> PersonalReference:
    """The personal reference of a stored report.json of good reps: the same reference as
    ``reference_from_report`` on the Report it was written from (its ``rep_measures``).

    ``exercise``: the exercise it will judge; a report of another exercise is refused. ``source``: the name the
    report's ``reference.sources`` will give (default: the reference recording's own file name).

    Raises
    ------
    InputError
        Not a report, another exercise, no repetition in it, or a report from a version that did not write
        ``rep_measures``: each says what to do.
    """
    from .faults.reference import MEASURES, PersonalReference

    input_meta = doc.get("input")
    own = str(input_meta.get("path", "")) if isinstance(input_meta, Mapping) else ""
    label = source if source is not None else own
    where = f"reference {label or 'report'}"
    if "schema_version" not in doc or "reps" not in doc:
        raise InputError(f"{where}: not a backsafe report (no schema_version/reps); give a report.json written by "
                         "backsafe, or the recording of the good reps itself")
    if exercise is not None and doc.get("exercise") != exercise:
        raise InputError(f"{where}: it is a report of {doc.get('exercise')!r}, not of {exercise!r}; use a "
                         "reference of the same exercise")
    m = doc.get(REP_MEASURES_KEY)
    if m is None:
        why = ("no repetition was found in it" if doc.get("reps") in ([], None) or doc.get("rep_count") == 0
               else "it was written by an older backsafe that did not store per-rep measures")
        raise InputError(f"{where}: the report cannot serve as a reference ({why}); analyse a recording of a few "
                         "good reps of the same exercise and use that")
    order = [x.name for x in MEASURES]  # the order PersonalReference.add gives, so the summary is byte-identical
    bad = InputError(f"{where}: its {REP_MEASURES_KEY} field is malformed; analyse the recording of the good "
                     "reps again")
    if not isinstance(m, Mapping) or m.get("dims") not in ("2d", "3d") or not isinstance(m.get("reps"), list):
        raise bad
    if not isinstance(m.get("markers", False), bool):
        raise bad
    n = len(m["reps"])
    values_in = m.get("values")
    if n == 0 or not isinstance(values_in, Mapping):
        raise bad
    parsed: dict[str, list[float]] = {}
    for name, vals in values_in.items():
        if not isinstance(vals, list) or len(vals) != n:
            raise bad
        nums = [_as_number(v) for v in vals]
        if any(x is None for x in nums):
            raise bad
        parsed[str(name)] = [float(x) for x in nums if x is not None]
    values = {name: parsed[name] for name in order if name in parsed}  # a measure a later version dropped: ignored
    return PersonalReference(values=values, dims=str(m["dims"]), sources=[label] if label else [], n_reps=n,
                             markers=bool(m.get("markers", False)))


def load_reference(reference: str | Path, exercise: str, *, estimator_factory: EstimatorFactory | None = None,
                   **options: Any) -> Report | PersonalReference:
    """A reference given as a path, as ``backsafe analyze --reference`` and ``backsafe batch`` take it.

    A backsafe report.json gives its stored per-rep measures (:func:`reference_from_report_dict`); a clip or a
    keypoint file of good reps is analysed as ``exercise`` with the same ``options`` as the set it will judge and
    returned as a Report (which also allows the rep-by-rep comparison with it, compare.py).
    """
    path = Path(reference)
    doc = read_report_file(path)
    if doc is not None:
        return reference_from_report_dict(doc, get_exercise(exercise).id)
    return analyze(path, exercise, estimator_factory=estimator_factory, **options)


def build_reference(pose: PoseSequence, ex: Exercise, source: str = "",
                    into: PersonalReference | None = None, *, one_rep: bool = False) -> PersonalReference:
    """The person's own reference from a recording of their good reps (cleaned and segmented as a set is).

    ``one_rep``: the recording is known to hold exactly one rep (a pre-segmented dataset such as UI-PRMD), so
    the whole recording is that rep when segmentation finds none. Otherwise raises InputError when no
    repetition can be found: a reference must show the movement."""
    _, _, kin = _clean_and_measure(pose)
    reps = _find_reps(kin, ex)
    if not reps and ex.kind == "reps" and one_rep:
        reps = whole_clip_rep(kin)
    return _reference_of(kin, reps, source, into)


def _reference_of(kin: Kinematics | None, reps: list[Rep], source: str,
                  into: PersonalReference | None = None) -> PersonalReference:
    """Add the full reps (all of them when none is full) to ``into`` or a new reference; InputError if none."""
    from .faults.reference import PersonalReference

    if kin is None or not reps:
        raise InputError(f"reference {source or 'recording'}: no repetition found in it; "
                         "record a few good reps of the same exercise")
    ref = into if into is not None else PersonalReference()
    try:
        ref.add(kin, full_or_all(reps), source)
    except ValueError as exc:
        raise InputError(f"reference {source}: {exc}") from None
    return ref
