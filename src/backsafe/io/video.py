"""Streaming video decoding with PyAV: upright RGB frames with their real time stamps.

- Frames are yielded one at a time; nothing grows with clip length.
- Rotation metadata of phone clips is honoured (PyAV returns the raw frame plus ``frame.rotation``; we rotate
  once, here, and nowhere else). A clip turned without a flag is turned here too, once the analysis has found
  which way is down (backsafe/orientation.py): :func:`set_turn` records the extra turn for that file, and every
  reader (pose, back shape, key frames, annotated video) then gets the same upright frames.
- Time stamps come from each frame's pts (variable frame rate happens: the YFGD "Bad" clips), never from
  index × nominal fps.
- Every PyAV/FFmpeg error is wrapped into :class:`~backsafe.errors.VideoReadError` with a one-line message.
"""

from __future__ import annotations

import math
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .. import settings
from ..errors import VideoReadError

if TYPE_CHECKING:
    import av
    from av.video.reformatter import VideoReformatter

VIDEO_EXTENSIONS = frozenset({".mp4", ".mov", ".m4v", ".webm", ".avi", ".mkv"})



def is_video(path: Path, input_format: str) -> bool:
    """Whether ``path`` is analysed as a video: ``input_format`` "video", or "auto" and a video file extension."""
    if input_format == "video":
        return True
    if input_format != "auto":
        return False
    return path.suffix.lower() in VIDEO_EXTENSIONS


#: refuse frames larger than this (8K is 33 Mpx): a decoder bomb or a mislabelled image would exhaust memory
MAX_PIXELS = 8192 * 8192
#: refuse frames smaller than this on a side: nobody can be found in a 1x1 clip (issue 9 bad-input corpus)
MIN_SIDE = 16
#: a wanted frame and a decoded frame are the same frame when their pts times agree this closely (both come from
#: the same pts; iter_frames nudges a duplicate pts by 1 ms)
TIME_TOLERANCE_S = 2e-3
#: decoded frames waiting in the decode thread's queue take at most about this many bytes (8 frames of 8K RGB
#: would be 800 MB; issue 9 bad-input corpus)
QUEUE_BYTES = 256 * 2**20


#: extra counter-clockwise turns found by the orientation check, per (resolved path, size, mtime): see set_turn
_TURNS: dict[tuple[str, int, int], int] = {}


def _turn_key(path: str | Path) -> tuple[str, int, int] | None:
    try:
        p = Path(path)
        st = p.stat()
        return (str(p.resolve()), st.st_size, st.st_mtime_ns)
    except OSError:
        return None


def set_turn(path: str | Path, deg: int) -> None:
    """Record that ``path`` must be turned ``deg`` counter-clockwise (0, 90, 180, 270) beyond its rotation flag,
    for every later read of it in this process (a changed file is a new key)."""
    key = _turn_key(path)
    if key is None:
        return
    if deg % 360:
        _TURNS[key] = deg % 360
    else:
        _TURNS.pop(key, None)


def turn_of(path: str | Path) -> int:
    """The extra turn recorded for ``path`` by :func:`set_turn` (0 when none)."""
    key = _turn_key(path)
    return _TURNS.get(key, 0) if key is not None else 0


@dataclass(frozen=True, slots=True)
class VideoInfo:
    path: str
    width: int  # after rotation
    height: int
    fps: float  # average frame rate from the container (29.97, not 29)
    n_frames: int | None  # from the container; None when unknown
    duration_s: float | None
    rotation_deg: int
    codec: str


@dataclass(frozen=True, slots=True)
class VideoFrame:
    index: int
    t_s: float
    rgb: npt.NDArray[np.uint8]  # (H, W, 3), upright


def _open(path: Path):  # type: ignore[no-untyped-def]
    import av

    if not path.exists():
        raise VideoReadError(f"{path}: no such file")
    if path.is_dir():
        raise VideoReadError(f"{path}: is a folder, expected a video file")
    if path.stat().st_size == 0:
        raise VideoReadError(f"{path}: the file is empty (0 bytes); is the upload complete?")
    try:
        container = av.open(str(path), mode="r")
    except (av.error.FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
        raise VideoReadError(f"{path}: not a readable video ({exc.__class__.__name__}: {exc})") from exc
    if not container.streams.video:
        container.close()
        raise VideoReadError(f"{path}: no video stream (audio only or not a video)")
    # robustness fix (issue 9): FFmpeg opens a still image (a PNG renamed .mp4) as a one-frame "video"
    fmt = str(container.format.name)
    if fmt.endswith("_pipe") or fmt == "image2":
        container.close()
        raise VideoReadError(f"{path}: is a still image ({fmt.removesuffix('_pipe')}), not a video clip")
    return container


def _rotation(frame_or_stream_rotation: int | float | None) -> int:
    if not frame_or_stream_rotation:
        return 0
    return int(round(float(frame_or_stream_rotation) / 90.0)) * 90 % 360


def probe_video(path: str | Path) -> VideoInfo:
    """Read container metadata without decoding the whole clip (one frame is decoded for the rotation).

    Not cached: the pipeline probes a clip once and hands the probe on (pose/runner.py). The size is that of the
    frames as they are handed out, turned by any turn recorded with :func:`set_turn`.
    """
    path = Path(path)
    return turn_info(_probe_video(path), turn_of(path))


def turn_info(info: VideoInfo, deg: int) -> VideoInfo:
    """``info`` for the frames turned ``deg`` more degrees (width and height swap at a quarter turn)."""
    if deg % 180 == 0:
        return info
    from dataclasses import replace

    return replace(info, width=info.height, height=info.width)


def _probe_video(path: Path) -> VideoInfo:
    import av

    container = _open(path)
    try:
        stream = container.streams.video[0]
        cc = stream.codec_context
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        duration_s = None
        if stream.duration is not None and stream.time_base is not None:
            duration_s = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration_s = container.duration / 1_000_000
        rotation = 0
        try:
            for frame in container.decode(stream):
                rotation = _rotation(getattr(frame, "rotation", 0))
                break
        except av.error.FFmpegError as exc:
            raise VideoReadError(f"{path}: the first frame cannot be decoded ({exc}); is the file complete?") from exc
        w, h = int(cc.width), int(cc.height)
        if w <= 0 or h <= 0:
            raise VideoReadError(f"{path}: video stream has no frame size ({w}x{h})")
        if min(w, h) < MIN_SIDE:  # robustness fix (issue 9): refuse at once instead of running pose on nothing
            raise VideoReadError(
                f"{path}: frames are {w}x{h} pixels, too small to find a person (at least {MIN_SIDE} a side)"
            )
        if rotation in (90, 270):
            w, h = h, w
        return VideoInfo(
            path=str(path),
            width=w,
            height=h,
            fps=fps,
            n_frames=int(stream.frames) if stream.frames else None,
            duration_s=duration_s,
            rotation_deg=rotation,
            codec=str(cc.name),
        )
    finally:
        container.close()


def _upright(arr: npt.NDArray[np.uint8], rotation: int) -> npt.NDArray[np.uint8]:
    # PyAV's rotation is counter-clockwise degrees to apply for display; np.rot90 rotates counter-clockwise.
    # Checked against OpenCV's auto-rotation (research/pose-backend.md: the two matched exactly).
    if rotation == 0:
        return arr
    return np.ascontiguousarray(np.rot90(arr, k=rotation // 90))


def _to_rgb(reformatter: VideoReformatter, frame: av.VideoFrame) -> npt.NDArray[np.uint8]:
    """The frame as a contiguous (H, W, 3) uint8 RGB array (one swscale pass; single-threaded: the decoding
    thread already runs beside inference)."""
    rgb = reformatter.reformat(frame, format="rgb24", threads=1).to_ndarray()
    return rgb if rgb.flags.c_contiguous else np.ascontiguousarray(rgb)  # type: ignore[return-value]


def _set_decode_threads(stream: Any) -> None:
    """One decoding thread by default: decoding runs beside inference (iter_frames_threaded), and FFmpeg's own
    frame threads would compete with the single-threaded pose model for the same cores (measured on the 2-core
    machine: 1 thread beat "AUTO" end to end). BACKSAFE_DECODE_THREADS=0 gives FFmpeg's choice (settings.py)."""
    threads = settings.decode_threads()
    if threads == 1:
        stream.thread_type = "NONE"
    else:
        stream.thread_type = "AUTO"
        if threads > 1:
            stream.thread_count = threads


def _timed(frames: Iterable[Any], path: Path, tb: Fraction, start_pts: int, nominal_dt: float,
           keyed: bool) -> Iterator[tuple[Any, float]]:
    """(frame, time in seconds from its pts) of the decoded frames; strictly increasing times (a duplicate or
    out-of-order pts is nudged 1 ms on). ``keyed`` False (after a seek): begins at a key frame, since frames
    before it may not decode cleanly. A frame over the 8K limit raises VideoReadError."""
    last_t = -np.inf
    for frame in frames:
        if not keyed:
            if not frame.key_frame or frame.pts is None:
                continue
            keyed = True
        if frame.width * frame.height > MAX_PIXELS:
            raise VideoReadError(f"{path}: frames are {frame.width}x{frame.height}, larger than the 8K limit")
        if frame.pts is not None:
            t = float((frame.pts - start_pts) * tb)
        else:
            t = last_t + nominal_dt if np.isfinite(last_t) else 0.0
        if t <= last_t:  # duplicate or out-of-order pts: keep time strictly increasing
            t = last_t + 1e-3
        last_t = t
        yield frame, t


def iter_frames(
    path: str | Path,
    stride: int = 1,
    max_frames: int | None = None,
    only: frozenset[int] | None = None,
    start_s: float | None = None,
    turn: int | None = None,
) -> Iterator[VideoFrame]:
    """Decode a clip frame by frame: upright RGB arrays with pts time stamps in seconds.

    Parameters
    ----------
    path : path to a video file.
    stride : keep every ``stride``-th decoded frame (``index`` still counts every decoded frame).
    max_frames : stop after this many decoded frames.
    only : convert and yield only these frame indices (the others are decoded, not converted); stops after
        the last one.
    start_s : begin with the first frame at or after this time (decoding starts at the key frame before it);
        time stamps stay those of the clip, ``index`` and ``stride`` count from that first frame.
    turn : an extra counter-clockwise turn (0, 90, 180, 270) after the rotation flag; default: the one recorded
        for this file by :func:`set_turn` (none unless the orientation check found the clip sideways).

    Raises
    ------
    VideoReadError
        Not a video, no video stream, zero frames decoded, a frame larger than 8K, or a decode error before
        the first frame. A decode error after some frames ends the stream early (a truncated file keeps what
        could be read); the caller sees fewer frames than the container announced.
    """
    import av
    from av.video.reformatter import VideoReformatter

    if stride < 1:
        raise ValueError("stride must be >= 1")
    path = Path(path)
    extra = turn_of(path) if turn is None else turn % 360
    container = _open(path)
    n = 0
    try:
        stream = container.streams.video[0]
        _set_decode_threads(stream)
        tb = stream.time_base or Fraction(1, 30)
        rate = stream.average_rate or stream.guessed_rate
        nominal_dt = 1.0 / float(rate) if rate else 1.0 / 30.0
        start_pts = stream.start_time
        # one converter for the whole clip: frame.to_ndarray(format="rgb24") builds a new swscale context for every
        # frame, and with FFmpeg's automatic slice threads (a pool of threads per context) on top
        reformatter = VideoReformatter()
        keyed = start_s is None
        try:
            if start_s is not None:
                container.seek(int(start_s / tb) + (start_pts or 0), stream=stream, backward=True)
            last_wanted = max(only, default=-1) if only is not None else math.inf
            for frame, t in _timed(container.decode(stream), path, tb, start_pts or 0, nominal_dt, keyed):
                if start_s is not None and t < start_s and n == 0:
                    continue  # decoded from the key frame on, handed out from start_s on
                index = n
                n += 1
                if index > last_wanted:
                    break
                if index % stride == 0 and (only is None or index in only):
                    rgb = _to_rgb(reformatter, frame)
                    rot = (_rotation(getattr(frame, "rotation", 0)) + extra) % 360
                    yield VideoFrame(index=index, t_s=t, rgb=_upright(rgb, rot))
                if max_frames is not None and n >= max_frames:
                    break
        except av.error.FFmpegError as exc:
            if n == 0:
                raise VideoReadError(f"{path}: no frame could be decoded ({exc}); is the file complete?") from exc
            # truncated tail: stop cleanly with what was decoded
        if n == 0:
            raise VideoReadError(f"{path}: 0 frames decoded; is the file complete?")
    finally:
        container.close()


def iter_frames_threaded(
    path: str | Path, stride: int = 1, max_frames: int | None = None, buffer: int = 8, start_s: float | None = None,
    turn: int | None = None,
) -> Iterator[VideoFrame]:
    """:func:`iter_frames` with decoding in a background thread (bounded queue: memory stays constant).

    Decoding (FFmpeg) and pose inference (TFLite) both release the GIL, so on two cores they overlap.
    Exceptions raised by the decoder are re-raised in the consumer.
    """
    q: queue.Queue[VideoFrame | BaseException | None] = queue.Queue(maxsize=buffer)
    stop = threading.Event()

    def worker() -> None:
        try:
            for fr in iter_frames(path, stride=stride, max_frames=max_frames, start_s=start_s, turn=turn):
                # robustness fix (issue 9): bound the queue in bytes too (huge frames: fewer of them wait)
                slots = max(1, min(buffer, QUEUE_BYTES // max(1, fr.rgb.nbytes)))
                while not stop.is_set() and q.qsize() >= slots:
                    stop.wait(0.005)
                while not stop.is_set():
                    try:
                        q.put(fr, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(None)
        except BaseException as exc:  # handed to the consumer thread, re-raised there
            q.put(exc)

    t = threading.Thread(target=worker, name="backsafe-decode", daemon=True)
    t.start()
    try:
        while True:
            item = q.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        t.join(timeout=5)


def sample_frames(path: str | Path, n: int, turn: int = 0, info: VideoInfo | None = None
                  ) -> list[npt.NDArray[np.uint8]]:
    """About ``n`` frames spread evenly over the clip (upright by the rotation flag, plus ``turn``), each reached by
    a seek: the key frame at or before each of n evenly spaced times (a few frames decoded per sample, not the
    clip). Fewer when the clip is short or a seek fails; the first frame at least. ``info``: the clip's probe
    (probed here when not given)."""
    import av
    from av.video.reformatter import VideoReformatter

    if info is None:
        info = probe_video(path)
    duration = info.duration_s or 0.0
    out: list[npt.NDArray[np.uint8]] = []
    container = _open(Path(path))
    try:
        stream = container.streams.video[0]
        tb = stream.time_base or Fraction(1, 30)
        start = stream.start_time or 0
        reformatter = VideoReformatter()
        for i in range(max(n, 1)):
            target = duration * (i + 0.5) / max(n, 1)
            try:
                # the key frame before the target, then decoded (not converted) up to the target: a clip with
                # sparse key frames (x264's 250-frame GOP) would otherwise give the same frame every time
                container.seek(int(start + target / tb), stream=stream, backward=True)
                for frame in container.decode(stream):
                    if frame.pts is not None and float((frame.pts - start) * tb) < target - 0.5 / max(info.fps, 1):
                        continue
                    rot = (_rotation(getattr(frame, "rotation", 0)) + turn) % 360
                    out.append(_upright(_to_rgb(reformatter, frame), rot))
                    break
            except av.error.FFmpegError:
                continue
    finally:
        container.close()
    if not out:
        out = [fr.rgb for fr in iter_frames(path, max_frames=1, turn=turn)]
    return out


def read_frames_at(
    path: str | Path, frame_indices: Iterable[int], timestamps_s: Sequence[float] | npt.NDArray[Any] | None = None,
) -> Iterator[tuple[int, npt.NDArray[np.uint8]]]:
    """(frame index, upright RGB) of the wanted frames of a clip, in time order, turned as :func:`iter_frames`
    turns them (rotation flag and any turn recorded by :func:`set_turn`): the key frames and the back outline.

    Parameters
    ----------
    path : the video.
    frame_indices : the frames wanted, as indices into ``timestamps_s``.
    timestamps_s : the time (pts, seconds) of each frame as the analysis saw it (``PoseSequence.timestamps_s``:
        right for ``--fast`` and a clip posed in two halves); a wanted frame whose time no decoded frame shows is
        left out. None: the indices count the clip's decoded frames (decoded from the start to the last one).

    Only the stretches holding wanted frames are decoded (a seek to the key frame before a wanted frame when that
    key frame lies beyond what was decoded; key frames listed from the packets). Only the wanted frames are
    converted, one at a time (memory does not grow with their number). A decode error ends the stream early.
    """
    wanted = set(frame_indices)
    if timestamps_s is None:
        for fr in iter_frames(path, only=frozenset(wanted)) if wanted else ():
            yield fr.index, fr.rgb
        return
    n = len(timestamps_s)
    yield from _frames_at_times(Path(path), {i: float(timestamps_s[i]) for i in wanted if 0 <= i < n})


def _key_frame_times(path: Path) -> list[float]:
    """The times of the clip's key frames, from its packets (nothing decoded); [] when they cannot be listed."""
    import av

    container = _open(path)
    try:
        stream = container.streams.video[0]
        tb = stream.time_base or Fraction(1, 30)
        start_pts = stream.start_time or 0
        return sorted(float((p.pts - start_pts) * tb) for p in container.demux(stream)
                      if p.is_keyframe and p.pts is not None)
    except av.error.FFmpegError:
        return []
    finally:
        container.close()


def _frames_at_times(path: Path, times: dict[int, float]) -> Iterator[tuple[int, npt.NDArray[np.uint8]]]:
    """(key, upright RGB) of the frames shown at ``times`` ({key: pts seconds}): see :func:`read_frames_at`."""
    import av
    from av.video.reformatter import VideoReformatter

    turn = turn_of(path)  # a clip found sideways is turned as the pose pass saw it (backsafe/orientation.py)
    want = sorted(times.items(), key=lambda kv: kv[1])
    if not want:
        return
    keys = _key_frame_times(path)
    container = _open(path)
    try:
        stream = container.streams.video[0]
        stream.thread_type = "NONE"  # one thread: the segmentation model runs beside it on the other core
        tb = stream.time_base or Fraction(1, 30)
        start_pts = stream.start_time or 0
        reformatter = VideoReformatter()
        decoded_to = -np.inf  # time of the last decoded frame
        decoder: Iterator[Any] | None = None
        i = 0
        while i < len(want):
            key, t_w = want[i]
            k = max((x for x in keys if x <= t_w + TIME_TOLERANCE_S), default=None)
            if decoder is None or (k is not None and k > decoded_to + TIME_TOLERANCE_S):
                if k is not None and k > 0:  # else: from the start of the clip
                    container.seek(int(round(k / tb)) + start_pts, stream=stream, backward=True)
                decoder = iter(container.decode(stream))
            frame = next(decoder, None)
            if frame is None or frame.width * frame.height > MAX_PIXELS:
                return
            t = float((frame.pts - start_pts) * tb) if frame.pts is not None else decoded_to
            decoded_to = t
            while i < len(want) and want[i][1] < t - TIME_TOLERANCE_S:
                i += 1  # that frame was not in the clip (or not decodable): skipped
            while i < len(want) and abs(want[i][1] - t) <= TIME_TOLERANCE_S:
                rgb = _upright(_to_rgb(reformatter, frame), (_rotation(getattr(frame, "rotation", 0)) + turn) % 360)
                yield want[i][0], rgb
                i += 1
    except av.error.FFmpegError:
        return
    finally:
        container.close()
