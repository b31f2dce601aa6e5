"""The annotated video: the clip with the skeleton, the angles that matter, a rep counter, the current rep's tempo
and faults flagged while they happen.

H.264 (libx264) in MP4, yuv420p, even dimensions, ``+faststart`` so a browser can start playing at once; audio is
dropped. Every output frame keeps its input frame's time stamp (variable frame rate survives), so the output has
the same frame count and duration as the clip. Written to a temporary file in the target folder and renamed at
the end.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
import numpy.typing as npt

from ..errors import BacksafeError, DependencyError
from ..model import Finding, ReportData
from .keyframes import (
    HIGHLIGHT_RGB,
    SEVERITY_RGB,
    draw_angle,
    draw_skeleton,
    joints_of_signal,
    put_label,
    signal_text,
)
from .plots import primary_signal_name
from .wording import fault_label, finding_sort_key, signal_label, tempo_text

if TYPE_CHECKING:
    import av

__all__ = ["write_annotated_video", "h264_encoder", "H264_ENCODERS"]

#: H.264 encoders Chromium can play, in order of preference (names as PyAV/FFmpeg know them)
H264_ENCODERS: tuple[str, ...] = ("libx264", "h264", "libopenh264")
#: output time base: 90 kHz, the MPEG convention, fine enough for any camera's time stamps
TIME_BASE = Fraction(1, 90000)
#: a fault stays on screen at least this long so it can be read
MIN_FLAG_S = 1.0
#: angle series shown in the corner besides the primary signal, when present
CONTEXT_SIGNALS: tuple[str, ...] = ("trunk_inclination_deg", "hip_flexion_deg", "knee_flexion_deg")

Image = npt.NDArray[np.uint8]


def h264_encoder() -> str:
    """The first H.264 encoder PyAV's bundled FFmpeg provides; DependencyError if there is none."""
    import av

    for name in H264_ENCODERS:
        try:
            codec = av.codec.Codec(name, "w")
        except Exception:  # av raises UnknownCodecError / ValueError depending on the version
            continue
        if codec.type == "video":
            return name
    raise DependencyError(
        "no H.264 encoder in PyAV's FFmpeg (tried " + ", ".join(H264_ENCODERS) + "); install a PyAV wheel "
        "built with libx264"
    )


@dataclass(frozen=True, slots=True)
class _Timeline:
    """Per-frame lookups precomputed from the report."""

    rep_at: npt.NDArray[np.int64]  # rep index at each frame (0 = between reps)
    done_at: npt.NDArray[np.int64]  # full reps finished by each frame
    phase_at: list[str]
    flags_at: list[list[Finding]]


def _timeline(report: ReportData, n: int, fps: float) -> _Timeline:
    rep_at = np.zeros(n, dtype=np.int64)
    done_at = np.zeros(n, dtype=np.int64)
    phase_at = [""] * n
    flags_at: list[list[Finding]] = [[] for _ in range(n)]
    for r in report.reps:
        rep_at[max(r.start_frame, 0) : max(min(r.end_frame, n), 0)] = r.index
        if not r.partial and r.end_frame - 1 < n:
            done_at[max(r.end_frame - 1, 0) :] += 1
        for name, (a, b) in r.phase_frames.items():
            for t in range(max(a, 0), min(b, n)):
                phase_at[t] = name
    hold = int(math.ceil(MIN_FLAG_S * (fps or 30.0)))
    for f in sorted(report.findings, key=finding_sort_key):
        a, b = int(f.frames[0]), int(f.frames[1])
        for t in range(max(a, 0), min(max(b, a + hold), n)):
            flags_at[t].append(f)
    return _Timeline(rep_at, done_at, phase_at, flags_at)


def _angle_signals(report: ReportData) -> list[str]:
    kin = report.kinematics
    if kin is None:
        return []
    out: list[str] = []
    primary = primary_signal_name(report)
    if primary:
        out.append(primary)
    for s in CONTEXT_SIGNALS:
        v = kin.get(s)
        if s not in out and v is not None and np.isfinite(v).any():
            out.append(s)
    return out[:3]


def _draw_hud(img: Image, report: ReportData, t: int, tl: _Timeline, angles: list[str]) -> None:
    """Rep counter, tempo, angles (top left) and fault banners (bottom)."""
    s = max(0.6, max(img.shape[0], img.shape[1]) / 720.0)
    line = int(30 * s)
    y = int(28 * s)
    x = int(10 * s)
    n_reps = report.rep_count
    if report.reps and t < len(tl.rep_at):
        cur = int(tl.rep_at[t])
        if cur:
            rep = next(r for r in report.reps if r.index == cur)
            phase = tl.phase_at[t]
            head = f"Rep {cur}/{n_reps}" + (" (partial)" if rep.partial else "") + (f"  {phase}" if phase else "")
            put_label(img, head, (x, y), s)
            tp = rep.tempo
            put_label(img, f"tempo {tempo_text(tp.eccentric_s, tp.bottom_s, tp.concentric_s, tp.top_s)} s",
                      (x, y + line), s, (200, 220, 255))
        else:
            put_label(img, f"Reps done: {int(tl.done_at[t])}/{n_reps}", (x, y), s)
            put_label(img, "tempo: down-bottom-up-top", (x, y + line), s, (200, 220, 255))
        y += 2 * line
    elif report.hold_s is not None:
        put_label(img, f"Hold {report.hold_s:.0f} s", (x, y), s)
        y += line
    for name in angles:
        put_label(img, signal_text(report, name, t), (x, y), s, (255, 255, 255))
        y += line
    flags = tl.flags_at[t] if t < len(tl.flags_at) else []
    by = img.shape[0] - int(12 * s)
    for f in flags[:2][::-1]:
        text = f"! {fault_label(f.code).upper()} ({f.severity})" + (f" - {f.cue}" if f.cue else "")
        put_label(img, text, (x, by), s * 1.1, SEVERITY_RGB.get(f.severity, HIGHLIGHT_RGB), bg=(0, 0, 0))
        by -= int(30 * s)


def _draw_frame(img: Image, report: ReportData, t: int, tl: _Timeline, angles: list[str],
                src_size: tuple[int, int]) -> None:
    pose = report.pose
    if pose is not None and pose.space == "image" and t < pose.n_frames:
        pts = np.array(pose.data[t], dtype=np.float64)
        w0, h0 = pose.image_size or src_size
        pts[:, 0] *= img.shape[1] / w0
        pts[:, 1] *= img.shape[0] / h0
        flags = tl.flags_at[t] if t < len(tl.flags_at) else []
        hl: set[str] = set()
        for f in flags:
            hl |= joints_of_signal(f.signal, pts) if f.signal else set()
        draw_skeleton(img, pts, highlight=hl)
        drawn: set[str] = set()
        for f in flags:
            if f.signal and f.signal not in drawn:
                draw_angle(img, pts, f.signal, signal_text(report, f.signal, t),
                           SEVERITY_RGB.get(f.severity, HIGHLIGHT_RGB))
                drawn.add(f.signal)
        if angles and angles[0] not in drawn:
            draw_angle(img, pts, angles[0], signal_label(angles[0]), (120, 200, 255))
    _draw_hud(img, report, t, tl, angles)


def _even(x: float) -> int:
    return max(2, int(round(x / 2.0)) * 2)


def write_annotated_video(
    report: ReportData,
    video_path: Path,
    out_path: Path,
    progress: Callable[[int, int], None] | None = None,
    *,
    max_side: int = 1280,
    crf: int = 23,
    preset: str = "veryfast",
) -> Path:
    """Write the annotated clip as H.264 MP4.

    Parameters
    ----------
    report : the analysis; ``report.pose`` (image pixels, same frame indexing as the decoded clip) gives the
        skeleton, ``report.kinematics`` the angles, ``report.reps`` and ``report.findings`` the counter, tempo and
        flags.
    video_path : the analysed clip.
    out_path : the MP4 to write (temporary file in the same folder, renamed at the end).
    progress : called as ``progress(done, total)`` after each frame (``total`` 0 when unknown).
    max_side : frames larger than this on their longer side are scaled down (pixels).
    crf, preset : libx264 quality and speed.

    Returns
    -------
    Path
        ``out_path``.

    Raises
    ------
    VideoReadError
        The clip cannot be decoded.
    DependencyError
        PyAV's FFmpeg has no H.264 encoder.
    """
    import av

    from ..io.video import probe_video

    video_path, out_path = Path(video_path), Path(out_path)
    info = probe_video(video_path)
    encoder = h264_encoder()
    f = min(1.0, max_side / max(info.width, info.height))
    size = (_even(info.width * f), _even(info.height * f))
    fps = info.fps if info.fps > 0 else 30.0
    total = info.n_frames or (report.pose.n_frames if report.pose is not None else 0)
    tl = _timeline(report, max(total, report.pose.n_frames if report.pose else 0,
                               report.kinematics.n_frames if report.kinematics else 0), fps)
    overlay = _Overlay(report, tl, _angle_signals(report), (info.width, info.height))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.stem}.", suffix=".mp4")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with av.open(str(tmp), mode="w", format="mp4", options={"movflags": "+faststart"}) as out:
            stream = _add_h264_stream(out, encoder, fps, size, crf=crf, preset=preset)
            _encode_clip(out, stream, video_path, overlay, size, total, progress)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out_path)
    except av.error.FFmpegError as exc:
        tmp.unlink(missing_ok=True)
        raise BacksafeError(f"{out_path}: the annotated video could not be written ({exc})") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out_path


@dataclass(frozen=True, slots=True)
class _Overlay:
    """What is drawn on each frame: the report, its per-frame timeline, the angles shown, the clip's own size."""

    report: ReportData
    timeline: _Timeline
    angles: list[str]
    src_size: tuple[int, int]

    def draw(self, img: Image, t: int) -> None:
        if t < len(self.timeline.rep_at):
            _draw_frame(img, self.report, t, self.timeline, self.angles, self.src_size)


def _add_h264_stream(out: av.container.OutputContainer, encoder: str, fps: float, size: tuple[int, int], *,
                     crf: int, preset: str) -> av.VideoStream:
    """The output's H.264 stream: yuv420p at ``size`` (width, height), 90 kHz time base, libx264 quality set."""
    import av

    stream = out.add_stream(encoder, rate=Fraction(fps).limit_denominator(100000))
    assert isinstance(stream, av.VideoStream)
    stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
    stream.time_base = TIME_BASE
    stream.codec_context.time_base = TIME_BASE
    if encoder == "libx264" or encoder == "h264":
        stream.options = {"crf": str(crf), "preset": preset, "profile": "high"}
    return stream


def _encode_clip(out: av.container.OutputContainer, stream: av.VideoStream, video_path: Path,
                 overlay: _Overlay, size: tuple[int, int], total: int,
                 progress: Callable[[int, int], None] | None) -> None:
    """Decode the clip, draw the overlay on each frame (scaled to ``size``), encode it with its own time stamp
    (strictly increasing) and flush the encoder."""
    import av

    from ..io.video import iter_frames

    width, height = size
    last_pts = -1
    done = 0
    for fr in iter_frames(video_path):
        img: Image = fr.rgb
        if img.shape[1] != width or img.shape[0] != height:
            img = np.asarray(cv2.resize(img, (width, height), interpolation=cv2.INTER_AREA), dtype=np.uint8)
        img = np.ascontiguousarray(img)
        overlay.draw(img, fr.index)
        vf = av.VideoFrame.from_ndarray(img, format="rgb24")
        pts = max(int(round(fr.t_s / TIME_BASE)), last_pts + 1)
        vf.pts, vf.time_base = pts, TIME_BASE
        last_pts = pts
        for packet in stream.encode(vf):
            out.mux(packet)
        done += 1
        if progress is not None:
            progress(done, max(total, done))
    for packet in stream.encode(None):
        out.mux(packet)


def describe_video(path: Path) -> dict[str, Any]:
    """Frame count, duration (s), size and codec of a video, decoding every frame (for tests and checks)."""
    import av

    with av.open(str(path)) as c:
        s = c.streams.video[0]
        tb = s.time_base or Fraction(1, 90000)
        n = 0
        first: float | None = None
        last: float | None = None
        for fr in c.decode(s):
            t = float(fr.pts * tb) if fr.pts is not None else None
            first = t if first is None else first
            last = t
            n += 1
        dur = float(s.duration * tb) if s.duration is not None else None
        return {"frames": n, "duration_s": dur, "first_s": first, "last_s": last, "width": s.width,
                "height": s.height, "codec": s.codec_context.name, "pix_fmt": s.codec_context.pix_fmt,
                "audio_streams": len(c.streams.audio)}
