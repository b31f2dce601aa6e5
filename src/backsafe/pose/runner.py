"""Running the pose model over a video: decoding beside inference, two halves at once on long clips, the
keypoint cache, and turning a clip filmed sideways upright (orientation.py).

The clip is probed once, by the caller (``probe_video``), and the probe is handed in here; nothing in this
module probes it again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .. import settings
from ..errors import InputError
from ..io.video import VideoFrame, VideoInfo, iter_frames, iter_frames_threaded, probe_video, turn_info, turn_of
from ..model import PoseSequence
from .base import PoseEstimator, check_person_found, run_estimator
from .multi import COUNT_SAMPLES, SampleKeeper

if TYPE_CHECKING:
    from ..orientation import Orientation

__all__ = [
    "POSE_CACHE_VERSION",
    "SPLIT_MIN_S",
    "EstimatorFactory",
    "ProgressFn",
    "VideoPose",
    "default_estimator",
    "estimate_people_pose",
    "estimate_video_pose",
    "upright_video_pose",
]

ProgressFn = Callable[[int, int | None], None]
EstimatorFactory = Callable[[], PoseEstimator]

#: the person chosen among several (pose/tracking.py choose_track); a cached choice made by an older rule is not
#: reused. 2: with no exercise given, each person is scored on the exercise recognised in their own movement;
#: 3: "seen" is the most people in view at once (it counted tracks: one person lost and found again counted twice)
PEOPLE_CHOICE_VERSION = "3"
POSE_CACHE_VERSION = "3"  # 2: real frame intervals for MediaPipe (stride 2, 24 fps); 3: clips >= 10 s in two halves

#: a clip at least this long is analysed as two halves side by side, one pose model per core (issue [6/7]): the
#: model is single-threaded, and decoding beside it saves only the decode time (the naive loop's 7 %)
SPLIT_MIN_S = 10.0


# --------------------------------------------------------------------------------------------- keypoint cache

def _file_digest(path: Path) -> str:
    with path.open("rb") as f:  # streamed in chunks by the standard library (Python 3.11+)
        return hashlib.file_digest(f, "sha256").hexdigest()


def _cache_path(cache_dir: Path, path: Path, stride: int, turn: int = 0, model: str = "full") -> Path:
    turned = f"-r{turn}" if turn else ""  # a clip analysed turned upright (orientation.py) keeps its own entry
    sized = f"-m{model}" if model != "full" else ""  # each model size its own entry (full keeps the old names)
    return cache_dir / f"{_file_digest(path)}-s{stride}{turned}{sized}-v{POSE_CACHE_VERSION}.npz"


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


# -------------------------------------------------------------------------------------- the model over frames

def default_estimator(model: str = "full") -> PoseEstimator:
    from .mediapipe_backend import MediaPipePose

    return MediaPipePose(model=model)


def _split_worthwhile(duration_s: float | None) -> bool:
    if not settings.pose_split_allowed() or not duration_s or duration_s < SPLIT_MIN_S:
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return cores >= 2


class _Halves:
    """The frames of the two halves of a clip, each from its own decoder. The second half's first frame is the
    seam: the first half stops just before it (or runs to the end when the second half decodes nothing)."""

    def __init__(self, path: Path, duration_s: float, stride: int, turn: int) -> None:
        self.path, self.duration_s, self.stride, self.turn = path, duration_s, stride, turn
        self.seam: list[float] = []
        self.seam_known = threading.Event()
        self.stop = threading.Event()  # the first half failed or was interrupted (Ctrl-C): the second one stops too

    def second(self) -> Iterator[VideoFrame]:
        try:
            for fr in iter_frames_threaded(self.path, stride=self.stride, start_s=self.duration_s / 2,
                                           turn=self.turn):
                if not self.seam_known.is_set():
                    self.seam.append(fr.t_s)
                    self.seam_known.set()
                if self.stop.is_set():
                    return
                yield fr
        finally:
            self.seam_known.set()  # nothing decoded there: the first half runs to the end

    def first(self) -> Iterator[VideoFrame]:
        # the second half starts at or after the middle (iter_frames start_s): frames before it are the first
        # half's whatever the seam, so they go to the model at once instead of waiting for the second decoder's
        # seek (0.36 s of a 614-frame clip's 8 s, a core idle: issue [6/6] e2e_vs_core_limit)
        middle = self.duration_s / 2
        for fr in iter_frames_threaded(self.path, stride=self.stride, turn=self.turn):
            if fr.t_s >= middle:
                self.seam_known.wait()
                if self.seam and fr.t_s >= self.seam[0]:
                    return
            yield fr


def _join_halves(a: PoseSequence | None, b: PoseSequence | None) -> PoseSequence:
    """One sequence of the halves' keypoints in time order (a half that found no frame left out)."""
    parts: list[PoseSequence] = [p for p in (a, b) if p is not None and p.n_frames] or [a]  # type: ignore[list-item]
    if len(parts) == 1:
        return parts[0]
    world = None
    if any(p.world is not None for p in parts):
        world = np.concatenate([p.world if p.world is not None else np.full(p.data.shape[:2] + (3,), np.nan,
                                np.float32) for p in parts])
    return parts[0].replace(data=np.concatenate([p.data for p in parts]),
                            timestamps_s=np.concatenate([p.timestamps_s for p in parts]), world=world)


def _estimate_in_two_halves(
    path: Path, duration_s: float, image_size: tuple[int, int], stride: int, progress: ProgressFn | None,
    total: int | None, turn: int = 0, model: str = "full", keeper: SampleKeeper | None = None,
) -> PoseSequence:
    """Pose on the first and second half of a clip at once, each half with its own decoder and tracker.

    The second half starts tracking afresh at its first frame (as a clip does). Its first frame's time is the
    seam: the first half ends just before it. Either half may find nobody; the whole clip is checked.
    """
    halves = _Halves(path, duration_s, stride, turn)
    done = [0, 0]
    results: list[Any] = [None, None]

    def run(k: int, frames: Iterator[VideoFrame]) -> None:
        def count(i: int) -> None:
            done[k] = i
            if k == 0 and progress is not None:  # reported from the calling thread only
                progress((done[0] + done[1]) * stride, total)

        estimator = None
        try:
            estimator = default_estimator(model)
            results[k] = run_estimator(frames, estimator, image_size=image_size, progress=count,
                                       check_person=False)
        except BaseException as exc:  # re-raised below, in the calling thread
            results[k] = exc
        finally:
            if estimator is not None:
                estimator.close()

    second = SampleKeeper.through(keeper, halves.second())
    worker = threading.Thread(target=run, args=(1, second), name="backsafe-pose-2", daemon=True)
    worker.start()
    try:
        run(0, SampleKeeper.through(keeper, halves.first()))
    finally:
        halves.seam_known.set()
        if results[0] is None or isinstance(results[0], BaseException):
            halves.stop.set()
        worker.join()
    a, b = results
    if isinstance(a, BaseException):
        raise a
    if isinstance(b, InputError) and not halves.seam:
        b = None  # the second half decoded nothing (a truncated file): the first half ran to the end
    elif isinstance(b, BaseException):
        raise b
    elif b is None and halves.seam:
        raise RuntimeError("the second half of the clip was not analysed")
    pose = _join_halves(a, b)
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
    *,
    info: VideoInfo | None = None,
    model: str = "full",
    keeper: SampleKeeper | None = None,
) -> PoseSequence:
    """Decode a clip and run pose on every ``stride``-th frame (decoding overlaps inference in a thread).

    ``turn``: turn every frame this many degrees counter-clockwise after its rotation flag (a clip found sideways,
    orientation.py). ``info``: the clip's probe as it reads now (with any turn recorded by ``set_turn``); probed
    here only when not given."""
    if cache_dir is not None and estimator_factory is None:
        cp = _cache_path(cache_dir, path, stride, turn, model)
        cached = _load_cached(cp) if cp.exists() else None
        if cached is not None:
            return cached
    if info is None:
        info = probe_video(path)
    total = info.n_frames
    size = (info.width, info.height)
    if (turn - turn_of(path)) % 180:  # the probe gives the size of the recorded turn
        size = (info.height, info.width)
    if estimator_factory is None and _split_worthwhile(info.duration_s):
        pose = _estimate_in_two_halves(path, info.duration_s or 0.0, size, stride, progress, total, turn, model,
                                       keeper)
    else:
        estimator = estimator_factory() if estimator_factory is not None else default_estimator(model)
        try:
            frames = (iter_frames_threaded(path, stride=stride, turn=turn) if settings.decode_in_thread()
                      else iter_frames(path, stride=stride, turn=turn))
            pose = run_estimator(
                SampleKeeper.through(keeper, frames),
                estimator,
                image_size=size,
                progress=(lambda i: progress(i * stride, total)) if progress else None,
            )
        finally:
            estimator.close()
    if cache_dir is not None and estimator_factory is None:
        _save_cached(_cache_path(cache_dir, path, stride, turn, model), pose)
    return pose


# ------------------------------------------------------------------------------------ several people in frame

def _several_people(path: Path, pose: PoseSequence, info: VideoInfo, turn: int,
                    kept: list[npt.NDArray[np.uint8]] | None = None) -> bool:
    """Whether a clip analysed by the single-person tracker holds more than one person: the tracker jumped to
    someone else (a sustained new track, kinematics/filtering.py), or a few sampled frames show two people or
    more (pose/multi.py, image mode). ``kept``: those frames as the pose pass kept them (:class:`SampleKeeper`),
    else they are sampled from the file."""
    from ..kinematics.filtering import gate_confidence, resolve_tracks
    from .multi import count_people

    _, breaks = resolve_tracks(gate_confidence(pose.data), pose.joints, pose.timestamps_s.astype(np.float64))
    if breaks:
        return True
    from ..io.video import sample_frames

    return count_people(kept if kept is not None else sample_frames(path, COUNT_SAMPLES, turn=turn, info=info)) >= 2


def _people_pose(path: Path, info: VideoInfo, size: tuple[int, int], stride: int, turn: int,
                 choice: str | tuple[float, float], exercise: str, progress: ProgressFn | None, model: str = "full"
                 ) -> tuple[PoseSequence, dict[str, object]]:
    """Everyone in every frame (pose/multi.py, the ``model`` size's bundle when built, else full's), tracked
    (pose/tracking.py); the keypoints of the chosen one."""
    from .base import MIN_PERSON_FRAMES, MIN_PERSON_SHARE
    from .multi import MultiPoseDetector, bundled_model
    from .tracking import choose_track, people_doc, track_people, track_pose

    detector = MultiPoseDetector(video=True, model=bundled_model(model))
    per_frame = []
    times: list[float] = []
    total = info.n_frames
    try:
        frames = (iter_frames_threaded(path, stride=stride, turn=turn) if settings.decode_in_thread()
                  else iter_frames(path, stride=stride, turn=turn))
        for i, fr in enumerate(frames):
            per_frame.append(detector.detect(fr.rgb, fr.t_s))
            times.append(fr.t_s)
            if progress is not None:
                progress((i + 1) * stride, total)
    finally:
        detector.close()
    t = np.array(times, dtype=np.float64)
    n = len(times)
    template = PoseSequence(data=np.full((n, 37, 4), np.nan, np.float32), timestamps_s=t, space="image",
                            image_size=size, source="mediapipe")
    tracks = track_people(per_frame, t)
    min_frames = int(max(MIN_PERSON_FRAMES, MIN_PERSON_SHARE * n))
    fps = (n - 1) / (t[-1] - t[0]) if n > 1 and t[-1] > t[0] else 30.0
    # people seen: the most in view at once among those seen for half a second or more. Counting tracks instead
    # counted one person several times where tracking lost and found them again (a passer-by flipping upside down
    # on the Sports2D clip made "5 people" of 2)
    in_view = np.zeros(n, dtype=np.int64)
    for tr in tracks:
        if len(tr.frames) >= 0.5 * fps:
            in_view[np.asarray(tr.frames, dtype=np.int64)] += 1
    seen = int(in_view.max()) if n else 0
    if not tracks:
        check_person_found(0, n)
    chosen, why, cands = choose_track(tracks, choice, template, exercise, min_frames)
    pose = track_pose(chosen, template)
    check_person_found(len(chosen.frames), n)
    return pose, people_doc(max(seen, 1), chosen.id, choice, why, cands)


def _save_people(p: Path, pose: PoseSequence, doc: dict[str, object]) -> None:
    import json

    _save_cached(p, pose)
    p.with_suffix(".json").write_text(json.dumps(doc))


def _load_people(p: Path) -> tuple[PoseSequence, dict[str, object]] | None:
    import json

    j = p.with_suffix(".json")
    if not (p.exists() and j.exists()):
        return None
    pose = _load_cached(p)
    try:
        doc = json.loads(j.read_text())
    except (OSError, ValueError):
        return None
    return (pose, doc) if pose is not None and isinstance(doc, dict) else None


def estimate_people_pose(
    path: Path, estimator_factory: EstimatorFactory | None = None, stride: int = 1,
    progress: ProgressFn | None = None, cache_dir: Path | None = None, turn: int = 0, *,
    info: VideoInfo | None = None, person: str = "auto", exercise: str = "", model: str = "full",
) -> tuple[PoseSequence, dict[str, object] | None]:
    """The keypoints of the person to analyse, and the report's account of the people (None: one person).

    ``person``: ``auto`` runs today's single-person tracker and turns to the multi-person path only when the clip
    holds several people (:func:`_several_people`), so a one-person clip costs what it did; any other choice
    (pose/tracking.py) goes to the multi-person path directly. An injected estimator (tests) is used as is,
    single-person only, unless the factory says ``finds_people`` (a batch worker's reused model: the clip then
    gets the same people check and choice as ``backsafe analyze``)."""
    from .tracking import parse_person

    choice = parse_person(person)
    if estimator_factory is not None and not getattr(estimator_factory, "finds_people", False):
        return estimate_video_pose(path, estimator_factory, stride, progress, cache_dir, turn, info=info,
                                   model=model), None
    spec = choice if isinstance(choice, str) else f"{choice[0]:g}_{choice[1]:g}"
    cp = None
    if cache_dir is not None:
        base = _cache_path(cache_dir, path, stride, turn)
        size_tag = "" if model == "full" else f"-{model}"  # the default model keeps its cache names
        cp = base.with_name(base.name.replace(".npz", f"-p{spec}-{exercise or 'any'}{size_tag}"
                                                        f"-c{PEOPLE_CHOICE_VERSION}.npz"))
        hit = _load_people(cp)
        if hit is not None:
            return hit
    if info is None:
        info = probe_video(path)
    if choice == "auto":
        keeper = SampleKeeper(info.duration_s or 0.0, info.fps, COUNT_SAMPLES)
        pose = estimate_video_pose(path, estimator_factory, stride, progress, cache_dir, turn, info=info,
                                   model=model, keeper=keeper)
        if not _several_people(path, pose, info, turn, keeper.frames()):
            return pose, None
    size = (info.width, info.height)
    if (turn - turn_of(path)) % 180:
        size = (info.height, info.width)
    pose, doc = _people_pose(path, info, size, stride, turn, choice, exercise, progress, model)
    if cp is not None:
        _save_people(cp, pose, doc)
    return pose, doc


# ------------------------------------------------------------------------------------------ turned upright

def _turn_from_frames(path: Path, info: VideoInfo, posture: Any,
                      estimator_factory: EstimatorFactory | None, model: str = "full") -> Orientation:
    """orientation.rotation_from_frames on a few frames of the clip: MediaPipe (static-image mode: each frame on
    its own) or the injected estimator at each quarter turn."""
    from ..io.video import sample_frames
    from ..orientation import SAMPLE_FRAMES, rotation_from_frames

    frames = sample_frames(path, SAMPLE_FRAMES, turn=0, info=info)
    if estimator_factory is None:
        from .mediapipe_backend import MediaPipePose

        est: PoseEstimator = MediaPipePose(static_image_mode=True, model=model)
    else:
        est = estimator_factory()
    try:
        def estimate(rgb: Any) -> Any:
            fp = est.process(rgb)
            return None if fp is None else fp.image

        return rotation_from_frames(frames, estimate, posture)
    finally:
        est.close()


@dataclass(frozen=True, slots=True)
class VideoPose:
    """The keypoints of a clip as analysed, the clip's probe as it was read (turned frame size after a turn),
    and the report's input fields about the turn (``turned_deg``, ``orientation``)."""

    pose: PoseSequence
    info: VideoInfo
    turned: dict[str, object]
    #: the people seen and the one analysed (report.extra["people"]); None when the clip holds one person
    people: dict[str, object] | None = None


def upright_video_pose(
    path: Path, info: VideoInfo, exercise: str, estimator_factory: EstimatorFactory | None, stride: int,
    progress: ProgressFn | None, cache_dir: Path | None, person: str = "auto", *, model: str = "full",
) -> VideoPose:
    """Pose of the clip as it is; when that skeleton is not upright (or nobody is found), the turn under which a
    few sampled frames show an upright, confident person, and pose again on the clip turned so (issue 16: a phone
    clip turned without a rotation flag). The upright clip pays only the keypoint check (under 1 ms a clip).

    ``info``: the probe of ``path`` (probed once by the caller, with any turn recorded earlier)."""
    from ..errors import NoPersonError
    from ..io.video import set_turn
    from ..orientation import is_upright, posture_of

    posture = posture_of(exercise)
    turn = turn_of(path)  # turned earlier in this process (a reference clip analysed twice)
    failure: NoPersonError | None = None
    pose: PoseSequence | None = None
    people: dict[str, object] | None = None
    try:
        pose, people = estimate_people_pose(path, estimator_factory, stride, progress, cache_dir, turn=turn,
                                            info=info, person=person, exercise=exercise,
                                            model=model)
    except NoPersonError as exc:
        failure = exc
    if pose is not None and is_upright(pose, posture):
        return VideoPose(pose, info, {"turned_deg": turn} if turn else {}, people)
    found = _turn_from_frames(path, info, posture, estimator_factory, model)
    new_turn = found.rotation_deg  # the sampled frames were tried from the clip as filmed (turn 0)
    if found.rotation_deg == 0 or new_turn == turn:
        if pose is None:
            assert failure is not None
            raise failure
        return VideoPose(pose, info, {"orientation": found.as_dict()} | ({"turned_deg": turn} if turn else {}),
                         people)
    set_turn(path, new_turn)
    info = turn_info(info, new_turn - turn)  # the frames are now handed out turned: so is their size
    pose, people = estimate_people_pose(path, estimator_factory, stride, progress, cache_dir, turn=new_turn,
                                        info=info, person=person, exercise=exercise,
                                        model=model)
    return VideoPose(pose, info, {"turned_deg": new_turn, "orientation": found.as_dict()}, people)
