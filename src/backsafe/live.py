"""Live analysis: a camera or a clip played at real time, rep and fault events as they happen.

The offline pipeline filters with a zero-phase low-pass, which needs the whole clip. Live, every keypoint goes
through a causal One-Euro filter instead (Casiez et al., CHI 2012: a low-pass whose cut-off rises with speed, so
it is smooth at rest and lags little during a movement). Every ``check_every_s`` of stream time the product's
own kinematics and rep segmentation run on the filtered history (last ``window_s``), so live reps follow the
same rules as offline ones; a rep is announced once the segmentation sees it finished (back at rest), and its
faults right after it.

Frames arrive from a source thread. A camera (or ``realtime`` playback of a file) does not wait for the
analysis: when pose is slower than the frame rate, only the newest frame is analysed and older ones are
dropped, so the delay never builds up. Each event carries the rep's end time (stream seconds) and
``latency_s``: wall-clock time from the moment the rep's end frame arrived to the moment the event was emitted.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import BacksafeError, InputError
from .model import Subject

Event = dict[str, Any]
EmitFn = Callable[[Event], None]
F32 = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class LiveOptions:
    exercise: str = "squat"
    realtime: bool = True
    load_kg: float | None = None
    tempo: str | None = None
    body_mass_kg: float = 75.0
    sex: str = "male"
    max_seconds: float | None = None
    stride: int = 1
    #: the pose model size: lite, full (default) or heavy (pose/models.py); README "Pose model"
    model: str = "full"
    #: who to follow (options.parse_person): ``auto``, the single-person estimator as before (live cannot know who
    #: will exercise; most live sets show one person), or a choice made on the first frame with anyone (pose/follow.py)
    person: str = "auto"
    #: how often (stream seconds) the segmentation runs on the history
    check_every_s: float = 0.2
    #: history kept for the segmentation (rest level and amplitude are learnt from it)
    window_s: float = 60.0
    #: One-Euro parameters: cut-off at rest (Hz), and its rise with speed (per image height per second)
    min_cutoff_hz: float = 1.5
    beta: float = 1.0
    d_cutoff_hz: float = 1.0

    @property
    def subject(self) -> Subject:
        """The load, body mass and sex the fault rules read."""
        return Subject(load_kg=self.load_kg, body_mass_kg=self.body_mass_kg, sex=self.sex)


# ------------------------------------------------------------------------------------------- causal filter


class OneEuroFilter:
    """Vectorised One-Euro filter over an array of values (e.g. (J, 3) keypoints); NaN restarts an entry.

    Parameters
    ----------
    min_cutoff_hz : cut-off frequency when still.
    beta : how much the cut-off rises with speed (per unit of ``scale`` per second).
    scale : divide values by this before judging speed (e.g. the image height), so beta is unit-free.
    """

    def __init__(self, min_cutoff_hz: float = 1.5, beta: float = 1.0, d_cutoff_hz: float = 1.0,
                 scale: float = 1.0) -> None:
        self.min_cutoff_hz, self.beta, self.d_cutoff_hz, self.scale = min_cutoff_hz, beta, d_cutoff_hz, scale
        self._x: npt.NDArray[np.float64] | None = None
        self._dx: npt.NDArray[np.float64] | None = None
        self._t: float | None = None

    @staticmethod
    def _alpha(cutoff: npt.NDArray[np.float64] | float, dt: float) -> Any:
        tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff))
        return 1.0 / (1.0 + tau / dt)

    def __call__(self, x: npt.ArrayLike, t_s: float) -> npt.NDArray[np.float64]:
        x = np.asarray(x, dtype=np.float64)
        if self._x is None or self._t is None or self._dx is None or t_s <= self._t:
            self._x, self._dx, self._t = x.copy(), np.zeros_like(x), t_s
            return x.copy()
        dt = t_s - self._t
        fresh = ~np.isfinite(self._x) & np.isfinite(x)
        dx = (x - self._x) / dt / self.scale
        dx_hat = self._dx + self._alpha(self.d_cutoff_hz, dt) * (dx - self._dx)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        out = self._x + self._alpha(cutoff, dt) * (x - self._x)
        out = np.where(fresh, x, out)
        dx_hat = np.where(fresh | ~np.isfinite(dx_hat), 0.0, dx_hat)
        self._x, self._dx, self._t = out, dx_hat, t_s
        return np.asarray(out)


# ----------------------------------------------------------------------------------------------- sources


@dataclass(frozen=True, slots=True)
class SourceFrame:
    rgb: npt.NDArray[np.uint8]
    t_s: float  # stream time
    arrived: float  # time.perf_counter() when the frame became available


class _LatestSlot:
    """A one-frame mailbox: a new frame replaces an unread one (counted as dropped)."""

    def __init__(self) -> None:
        self._cv = threading.Condition()
        self._item: SourceFrame | None = None
        self._closed = False
        self._error: BaseException | None = None
        self.dropped = 0

    def put(self, item: SourceFrame) -> None:
        with self._cv:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._cv.notify()

    def close(self, error: BaseException | None = None) -> None:
        with self._cv:
            self._closed, self._error = True, error
            self._cv.notify()

    def get(self) -> SourceFrame | None:
        with self._cv:
            while self._item is None and not self._closed:
                self._cv.wait(0.5)
            item, self._item = self._item, None
            if item is None and self._error is not None:
                raise self._error
            return item


class FrameSource:
    """Frames of a camera or a file, delivered by a background thread; iterate, then ``close()``."""

    def __init__(self, source: str, realtime: bool = True, stride: int = 1, max_seconds: float | None = None):
        self.source, self.realtime, self.stride, self.max_seconds = source, realtime, stride, max_seconds
        self.is_camera = source.isdigit()
        self._stop = threading.Event()
        self._slot = _LatestSlot()
        self._queue: queue.Queue[SourceFrame | BaseException | None] = queue.Queue(maxsize=4)
        self.image_size: tuple[int, int] | None = None
        if not self.is_camera:
            from .io.video import probe_video
            from .options import effective_stride

            info = probe_video(Path(source))
            self.image_size = (info.width, info.height)
            self.stride = effective_stride(stride, info.fps)  # as analyze: never below ~15 analysed frames a second
        self._thread = threading.Thread(target=self._run, name="backsafe-live-source", daemon=True)
        self.seen = 0

    @property
    def dropping(self) -> bool:
        return self.is_camera or self.realtime

    @property
    def dropped(self) -> int:
        return self._slot.dropped

    def _deliver(self, fr: SourceFrame) -> None:
        self.seen += 1
        if self.dropping:
            self._slot.put(fr)
            return
        while not self._stop.is_set():
            try:
                self._queue.put(fr, timeout=0.1)
                return
            except queue.Full:
                continue

    def _finish(self, error: BaseException | None) -> None:
        if self.dropping:
            self._slot.close(error)
        else:
            self._queue.put(error)

    def _run(self) -> None:
        try:
            self._run_camera() if self.is_camera else self._run_file()
            self._finish(None)
        except BaseException as exc:  # handed to the consumer, re-raised there
            self._finish(exc)

    def _run_file(self) -> None:
        from .io.video import iter_frames

        t0: float | None = None
        first_t = 0.0
        for fr in iter_frames(self.source, stride=self.stride):
            if self._stop.is_set() or (self.max_seconds is not None and fr.t_s > self.max_seconds):
                return
            if t0 is None:
                t0, first_t = time.perf_counter(), fr.t_s
            if self.realtime:
                wait = t0 + (fr.t_s - first_t) - time.perf_counter()
                if wait > 0:
                    self._stop.wait(wait)
            self._deliver(SourceFrame(fr.rgb, fr.t_s, time.perf_counter()))

    def _run_camera(self) -> None:
        import cv2

        cap = cv2.VideoCapture(int(self.source))
        if not cap.isOpened():
            raise InputError(f"camera {self.source}: cannot be opened (is it connected and free?)")
        try:
            t0 = time.perf_counter()
            i = 0
            while not self._stop.is_set():
                ok, bgr = cap.read()
                now = time.perf_counter()
                if not ok:
                    raise InputError(f"camera {self.source}: stopped delivering frames")
                if self.max_seconds is not None and now - t0 > self.max_seconds:
                    return
                i += 1
                if (i - 1) % self.stride:
                    continue
                # camera frames are 8-bit; cv2's stubs type them as arrays of any number type (no copy here)
                rgb = np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
                if self.image_size is None:
                    self.image_size = (rgb.shape[1], rgb.shape[0])
                self._deliver(SourceFrame(rgb, now - t0, now))
        finally:
            cap.release()

    def __iter__(self) -> Iterator[SourceFrame]:
        self._thread.start()
        while True:
            if self.dropping:
                item: SourceFrame | BaseException | None = self._slot.get()
            else:
                item = self._queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


# ------------------------------------------------------------------------------------------ the analysis


class LiveAnalyzer:
    """Incremental pipeline: push pose frames, get events; ``finish()`` flushes at the end of the stream."""

    def __init__(self, opts: LiveOptions, image_size: tuple[int, int] | None) -> None:
        from .exercises import Tempo4, get_exercise
        from .skeleton import N_JOINTS

        self.opts = opts
        self.ex = get_exercise(opts.exercise)
        self.tempo = Tempo4.parse(opts.tempo) if opts.tempo else self.ex.default_tempo
        self.image_size = image_size
        scale = float(image_size[1]) if image_size else 1.0
        self._f_img = OneEuroFilter(opts.min_cutoff_hz, opts.beta, opts.d_cutoff_hz, scale=scale)
        self._f_world = OneEuroFilter(opts.min_cutoff_hz, opts.beta, opts.d_cutoff_hz, scale=1.0)
        self.n_joints = N_JOINTS
        self.data: list[F32] = []
        self.world: list[F32] = []
        self.times: list[float] = []
        self.arrived: list[float] = []
        self.any_world = False
        self.n_found = 0
        self.rep_count = 0
        self._last_end_s = -math.inf
        self._last_check_s = -math.inf
        self.latencies: list[float] = []

    def push(self, t_s: float, arrived: float, fp: Any) -> list[Event]:
        """Add one analysed frame (``fp``: a FramePose or None); returns the events it completes."""
        from .kinematics.filtering import CONFIDENCE_MIN

        img = np.full((self.n_joints, 4), np.nan, np.float32)
        img[:, 3] = 0.0
        wld = np.full((self.n_joints, 3), np.nan, np.float32)
        if fp is not None:
            self.n_found += 1
            k = fp.image.shape[0]
            xyz = np.where((fp.image[:, 3:4] >= CONFIDENCE_MIN), fp.image[:, :3], np.nan)
            img[:k, :3] = self._f_img(xyz, t_s)
            img[:k, 3] = fp.image[:, 3]
            if fp.world is not None:
                self.any_world = True
                w = np.where(fp.image[:, 3:4] >= CONFIDENCE_MIN, fp.world, np.nan)
                wld[:k] = self._f_world(w, t_s)
        self.data.append(img)
        self.world.append(wld)
        self.times.append(t_s)
        self.arrived.append(arrived)
        self._trim()
        if t_s - self._last_check_s < self.opts.check_every_s:
            return []
        self._last_check_s = t_s
        return self._check(final=False)

    def _trim(self) -> None:
        if self.times[-1] - self.times[0] > self.opts.window_s * 1.5:
            cut = int(np.searchsorted(self.times, self.times[-1] - self.opts.window_s))
            for lst in (self.data, self.world, self.times, self.arrived):
                del lst[:cut]

    def _kinematics(self) -> Any:
        from .kinematics.angles import compute_kinematics
        from .model import PoseSequence

        pose = PoseSequence(
            data=np.stack(self.data), timestamps_s=np.asarray(self.times, np.float64), space="image",
            image_size=self.image_size, source="mediapipe",
            world=np.stack(self.world) if self.any_world else None,
        )
        return compute_kinematics(pose)

    def _check(self, final: bool) -> list[Event]:
        from .reps.segmentation import segment_reps

        if len(self.times) < 10 or self.n_found < 5:
            return []
        try:
            kin = self._kinematics()
            reps = segment_reps(kin, self.ex)
        except BacksafeError:
            return []
        n = len(self.times)
        floor = self._min_excursion(kin)
        new = [r for r in reps if not r.partial and self.times[r.turn_frame] > self._last_end_s
               and (final or r.end_frame < n - 2) and r.range_fraction * floor[1] >= floor[0]]
        events: list[Event] = []
        for r in new:
            events.extend(self._rep_events(kin, reps, r))
        return events

    def _min_excursion(self, kin: Any) -> tuple[float, float]:
        """(smallest excursion to announce, this window's typical amplitude), in the signal's unit.

        Offline, "a rep" is relative to the set's typical amplitude, learnt from the whole clip. Live, before the
        first real rep, a small movement (unracking the bar, shifting the feet) would be the typical amplitude
        and count as a rep. So a live rep must also reach half of the exercise's minimum range
        (``partial_range.MIN_RANGE_DEG``; twice the noise floor for signals not in degrees).
        """
        from .faults.rules.partial_range import MIN_RANGE_DEG
        from .reps.segmentation import MIN_AMPLITUDE, rep_signal

        sig = rep_signal(kin, self.ex)
        if sig is None:
            return math.inf, 0.0
        if sig.unit == "deg":
            return 0.5 * MIN_RANGE_DEG.get(self.ex.id, 2 * MIN_AMPLITUDE["deg"]), sig.amplitude
        if sig.unit == "fused":
            return 0.0, sig.amplitude
        return 2.0 * MIN_AMPLITUDE.get(sig.unit, 0.0), sig.amplitude

    def _rep_events(self, kin: Any, reps: list[Any], rep: Any) -> list[Event]:
        self.rep_count += 1
        self._last_end_s = rep.end_s
        latency = time.perf_counter() - self.arrived[rep.end_frame]
        self.latencies.append(latency)
        base = {"rep": self.rep_count, "end_s": round(rep.end_s, 3), "latency_s": round(latency, 3)}
        events: list[Event] = [{
            "event": "rep", **base, "start_s": round(rep.start_s, 3), "turn_s": round(self.times[rep.turn_frame], 3),
            "tempo": rep.tempo.as_dict(), "range_fraction": rep.range_fraction,
            "detected_at_s": round(self.times[-1], 3),
        }]
        for f in self._faults(kin, reps, rep):
            events.append({"event": "fault", **base, **f.as_dict(), "latency_s": round(
                time.perf_counter() - self.arrived[rep.end_frame], 3)})
        return events

    def _faults(self, kin: Any, reps: list[Any], rep: Any) -> list[Any]:
        from .faults.registry import check_faults
        from .pipeline import LOW_CONFIDENCE

        conf = kin.confidence
        mean_conf = float(np.nanmean(conf)) if conf is not None and np.isfinite(conf).any() else 0.0
        quality = "low_confidence" if mean_conf < LOW_CONFIDENCE else "ok"
        done = [r for r in reps if r.end_frame <= rep.end_frame]
        try:
            res = check_faults(kin, done, self.ex, tempo=self.tempo, subject=self.opts.subject, quality=quality)
        except BacksafeError:
            return []
        return [f for f in res.findings if f.rep == rep.index]

    def finish(self) -> list[Event]:
        return self._check(final=True)


def _percentile(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 3) if values else None


def run_live(source: str | Path, opts: LiveOptions, emit: EmitFn,
             estimator_factory: Callable[[], Any] | None = None) -> dict[str, Any]:
    """Analyse ``source`` (camera index or video file) live; ``emit`` gets every event; returns the end event.

    Raises
    ------
    InputError
        The file is not a readable video, or the camera cannot be opened.
    """
    from .options import parse_person
    from .pose.base import takes_time
    from .pose.follow import live_estimator
    from .pose.models import check_model_name

    check_model_name(opts.model)  # before the camera or the file is opened
    choice = parse_person(opts.person)
    src = FrameSource(str(source), realtime=opts.realtime, stride=opts.stride, max_seconds=opts.max_seconds)
    try:
        estimator = estimator_factory() if estimator_factory is not None else live_estimator(choice, opts.model)
    except BaseException:  # e.g. the chosen model is not installed: stop the frame source too
        src.close()
        raise
    # frames are dropped to keep up in real time: the tracker must see the real gaps (pose/mediapipe_backend.py)
    timed = takes_time(estimator)
    analyzer: LiveAnalyzer | None = None
    processed = 0
    t_start = time.perf_counter()
    emit({"event": "start", "source": str(source), "exercise": opts.exercise, "realtime": src.dropping,
          "pose_model": opts.model, "person": opts.person})
    notices: list[Event] = getattr(estimator, "notices", [])  # e.g. the followed person is out of view
    try:
        for fr in src:
            if analyzer is None:
                analyzer = LiveAnalyzer(opts, src.image_size or (fr.rgb.shape[1], fr.rgb.shape[0]))
            fp = estimator.process(fr.rgb, t_s=fr.t_s) if timed else estimator.process(fr.rgb)  # type: ignore[call-arg]
            processed += 1
            for ev in [*notices, *analyzer.push(fr.t_s, fr.arrived, fp)]:
                emit(ev)
            notices.clear()
        for ev in analyzer.finish() if analyzer is not None else []:
            emit(ev)
    finally:
        src.close()
        estimator.close()
    wall = time.perf_counter() - t_start
    lat = analyzer.latencies if analyzer is not None else []
    end = {
        "event": "end", "rep_count": analyzer.rep_count if analyzer else 0, "frames_seen": src.seen,
        "frames_analysed": processed, "frames_dropped": src.dropped,
        "pose_fps": round(processed / wall, 2) if wall > 0 else None,
        "latency_p50_s": _percentile(lat, 50), "latency_max_s": round(max(lat), 3) if lat else None,
    }
    if hasattr(estimator, "summary"):
        end["person"] = estimator.summary()
    if analyzer is None or analyzer.n_found == 0:
        end["warning"] = "no person was found"
    emit(end)
    return end


def print_event(event: Event, console: Any) -> None:
    """One terminal line per event."""
    kind = event["event"]
    if kind == "rep":
        t = event["tempo"]
        console.print(
            f"[bold green]rep {event['rep']}[/]  {event['start_s']:.2f}-{event['end_s']:.2f} s  tempo "
            f"{t['eccentric_s']:.1f}/{t['bottom_s']:.1f}/{t['concentric_s']:.1f}/{t['top_s']:.1f}  "
            f"latency {event['latency_s']:.2f} s", highlight=False)
    elif kind == "fault":
        console.print(f"  [yellow]{event['code']}[/] ({event['severity']}): {event['cue']}", highlight=False)
    elif kind == "warning":
        console.print(f"[yellow]warning:[/] {event['message']}", highlight=False)
    elif kind == "start":
        console.print(f"live: {event['source']} ({event['exercise']}); Ctrl-C to stop", highlight=False)
    elif kind == "end":
        console.print(
            f"{event['rep_count']} reps; {event['frames_analysed']} frames analysed, {event['frames_dropped']} "
            f"dropped; latency median {event['latency_p50_s']} s, worst {event['latency_max_s']} s"
            + (f"; {event['warning']}" if event.get("warning") else ""), highlight=False)
