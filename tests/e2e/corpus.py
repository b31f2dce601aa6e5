"""The bad-input corpus: hostile and broken inputs generated at test time (nothing large is committed).

Every maker takes a folder and returns the path of the input it wrote there. :data:`CASES` lists each input with
the ``backsafe analyze`` arguments, the exit code DESIGN.md documents for it and a pattern the one-line message
must match. ``tests/e2e/test_bad_inputs.py`` runs them and ``tools/bad_input_table.py`` prints the docs table
(docs/bad-inputs.md) from the same list, with the measured time and peak memory.

Clips are generated with PyAV (FFmpeg's encoders) from synthetic frames or from the bundled sample clip
(``samples/rohanx01_squat_side.mp4``, MIT, 2 squats at 8.3-11.4 s and 15.2-18.3 s).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
SAMPLE_CLIP = REPO / "samples" / "rohanx01_squat_side.mp4"
TWO_PEOPLE_CLIP = Path(os.environ.get("BACKSAFE_SHARED_DIR", REPO.parent / "shared")) / "datasets" / "videos" / (
    "sports2d_demo.mp4"
)
#: ``backsafe`` run through its real entry point, plus an atexit hook that records the process's own peak RSS
#: (VmHWM of its own address space; ``wait4``'s ru_maxrss would include the RSS the test process had at fork)
_LAUNCH = (
    "import atexit, os, sys\n"
    "def _hwm():\n"
    "    p = os.environ.get('BACKSAFE_TEST_HWM_FILE')\n"
    "    if p:\n"
    "        for ln in open('/proc/self/status'):\n"
    "            if ln.startswith('VmHWM:'):\n"
    "                open(p, 'w').write(ln.split()[1])\n"
    "atexit.register(_hwm)\n"
    "sys.argv = ['backsafe', *sys.argv[1:]]\n"
    "from backsafe.cli import main\n"
    "main()\n"
)
BACKSAFE = [sys.executable, "-c", _LAUNCH]
#: the error line the CLI prints (rich markup removed): "error: <what, where, what to do>"
ERROR_LINE = re.compile(r"^error: \S.*$")
#: log lines MediaPipe / TFLite / absl print to stderr on their own (not backsafe's; see docs/bad-inputs.md)
NATIVE_LOG = re.compile(r"^(INFO: Created TensorFlow Lite|WARNING: All log messages before absl|[IWE]\d{4} )")


# ------------------------------------------------------------------------------------------------ writers


def write_clip(
    path: Path,
    frames: Iterable[np.ndarray],
    fps: float = 15.0,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    pts_s: Sequence[float] | None = None,
    rotation: float | None = None,
    options: dict[str, str] | None = None,
    container_options: dict[str, str] | None = None,
) -> Path:
    """Encode RGB frames (H, W, 3 uint8). ``pts_s`` gives each frame's time (variable frame rate);
    ``rotation`` writes a display matrix (a phone clip filmed upright and stored sideways)."""
    import av

    rate = Fraction(fps).limit_denominator(1001)
    with av.open(str(path), mode="w", options=container_options or {}) as out:
        stream = None
        for i, rgb in enumerate(frames):
            if stream is None:
                stream = out.add_stream(codec, rate=rate)
                stream.width, stream.height = int(rgb.shape[1]), int(rgb.shape[0])
                stream.pix_fmt = pix_fmt
                stream.options = dict(options or {})
                if pts_s is not None:
                    stream.codec_context.time_base = Fraction(1, 1000)
                if rotation is not None:
                    stream.set_display_rotation(rotation)
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            if pts_s is not None:
                frame.pts = int(round(pts_s[i] * 1000))
                frame.time_base = Fraction(1, 1000)
            for packet in stream.encode(frame):
                out.mux(packet)
        if stream is None:
            raise ValueError("no frames to write")
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def sample_frames(t0: float = 0.0, t1: float = 1e9, scale: float = 1.0, step: int = 1) -> Iterator[tuple[float, np.ndarray]]:
    """(time, RGB) of the bundled clip between t0 and t1 s, every ``step``-th frame, scaled by ``scale``."""
    import av

    with av.open(str(SAMPLE_CLIP)) as c:
        s = c.streams.video[0]
        s.thread_type = "AUTO"
        if t0 > 1.0 and s.time_base:
            c.seek(int((t0 - 1.0) / s.time_base), stream=s)  # to the keyframe before t0
        w = int(round(s.codec_context.width * scale / 2)) * 2
        h = int(round(s.codec_context.height * scale / 2)) * 2
        i = -1
        for fr in c.decode(s):
            t = float(fr.time)
            if t < t0:
                continue
            i += 1
            if i % step:
                continue
            if t > t1:
                break
            yield t, fr.to_ndarray(format="rgb24", width=w, height=h)


def noise_frames(n: int, w: int, h: int, seed: int = 0) -> Iterator[np.ndarray]:
    rng = np.random.default_rng(seed)
    for _ in range(n):
        yield rng.integers(0, 256, (h, w, 3), dtype=np.uint8)


def moving_bar_frames(n: int, w: int = 160, h: int = 120) -> Iterator[np.ndarray]:
    """A white bar sweeping over a grey background: a valid clip with no person in it."""
    for i in range(n):
        f = np.full((h, w, 3), 90, np.uint8)
        x = (i * 7) % w
        f[:, x : x + 12] = 240
        yield f


def bit_flip(src: Path, dst: Path, share: float = 0.01, skip: int = 48, seed: int = 7) -> Path:
    """Flip one bit in ``share`` of the bytes after the first ``skip`` bytes (fixed seed: same file every run)."""
    raw = bytearray(src.read_bytes())
    rng = np.random.default_rng(seed)
    n = max(1, int((len(raw) - skip) * share))
    for pos in rng.integers(skip, len(raw), n):
        raw[pos] ^= 1 << int(rng.integers(0, 8))
    dst.write_bytes(bytes(raw))
    return dst


def remux(src: Path, dst: Path, container_options: dict[str, str] | None = None) -> Path:
    """Copy the video packets of ``src`` into a new container (no re-encoding)."""
    import av

    with av.open(str(src)) as inp, av.open(str(dst), "w", options=container_options or {}) as out:
        ins = inp.streams.video[0]
        outs = out.add_stream_from_template(ins)
        for pkt in inp.demux(ins):
            if pkt.dts is None:
                continue
            pkt.stream = outs
            out.mux(pkt)
    return dst


# ------------------------------------------------------------------------------------------------ makers


def empty_mp4(d: Path) -> Path:
    p = d / "empty.mp4"
    p.write_bytes(b"")
    return p


def text_as_mp4(d: Path) -> Path:
    p = d / "notes.mp4"
    p.write_text("This is not a video.\nJust some notes someone renamed.\n" * 20)
    return p


def truncated_mp4(d: Path) -> Path:
    """First 30 % of the sample clip. Its index (moov) is at the end, as in most phone clips: nothing to read."""
    raw = SAMPLE_CLIP.read_bytes()
    p = d / "truncated.mp4"
    p.write_bytes(raw[: int(len(raw) * 0.3)])
    return p


def truncated_faststart_mp4(d: Path) -> Path:
    """The sample clip re-muxed with its index first ("faststart", web uploads), then cut at 60 %:
    the decoder reads the frames that are there (about 12 s, the first squat) and stops cleanly."""
    full = remux(SAMPLE_CLIP, d / "faststart.mp4", {"movflags": "faststart"})
    raw = full.read_bytes()
    full.unlink()
    p = d / "truncated_faststart.mp4"
    p.write_bytes(raw[: int(len(raw) * 0.6)])
    return p


def _small_clip(d: Path, suffix: str) -> Path:
    codec = {"mp4": "libx264", "mov": "libx264", "webm": "libvpx-vp9"}[suffix]
    return write_clip(d / f"clean.{suffix}", moving_bar_frames(30), fps=15, codec=codec)


def _bitflipped(suffix: str) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        clean = _small_clip(d, suffix)
        out = bit_flip(clean, d / f"bitflipped.{suffix}")
        clean.unlink()
        return out

    make.__name__ = f"bitflipped_{suffix}"
    return make


def _png_bytes() -> bytes:
    import av

    frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 128, np.uint8), format="rgb24")
    ctx = av.CodecContext.create("png", "w")
    ctx.width, ctx.height, ctx.pix_fmt = 64, 48, "rgb24"
    ctx.time_base = Fraction(1, 25)
    return b"".join(bytes(p) for p in ctx.encode(frame)) + b"".join(bytes(p) for p in ctx.encode(None))


def png_as_mp4(d: Path) -> Path:
    p = d / "photo.mp4"
    p.write_bytes(_png_bytes())
    return p


def real_png(d: Path) -> Path:
    p = d / "photo.png"
    p.write_bytes(_png_bytes())
    return p


def audio_only(d: Path) -> Path:
    """Two seconds of a 440 Hz tone in AAC inside an .mp4: a container with no video stream."""
    import av

    p = d / "audio_only.mp4"
    with av.open(str(p), "w") as out:
        s = out.add_stream("aac", rate=44100)
        s.layout = "mono"
        t = np.arange(44100 * 2) / 44100
        tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        for k in range(0, tone.size, 1024):
            chunk = tone[k : k + 1024][None, :]
            fr = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format="fltp", layout="mono")
            fr.sample_rate = 44100
            for pkt in s.encode(fr):
                out.mux(pkt)
        for pkt in s.encode(None):
            out.mux(pkt)
    return p


def one_by_one(d: Path) -> Path:
    """A 1x1-pixel clip (FFV1 in Matroska: yuv420p needs even sizes), 2 s at 15 fps."""
    frames = (np.full((1, 1, 3), (i * 8) % 256, np.uint8) for i in range(30))
    return write_clip(d / "1x1.mkv", frames, fps=15, codec="ffv1", pix_fmt="yuv444p")


def clip_8k(d: Path) -> Path:
    """Three 7680x4320 frames (MJPEG: quick to encode); within the 8192x8192 limit, so it is decoded."""
    frames = (np.full((4320, 7680, 3), 60 + 40 * i, np.uint8) for i in range(3))
    return write_clip(d / "8k.mov", frames, fps=15, codec="mjpeg", pix_fmt="yuvj420p")


def no_person(d: Path) -> Path:
    """Two seconds of colour noise at 15 fps: a readable clip with nobody in it."""
    return write_clip(d / "noise.mp4", noise_frames(30, 320, 240), fps=15)


def long_repeated(d: Path, minutes: float = 10.0, fps: float = 1.0, size: tuple[int, int] = (320, 240)) -> Path:
    """``minutes`` of one repeated noise frame: cheap to encode and decode, long enough to show memory."""
    frame = next(noise_frames(1, *size, seed=3))
    n = int(minutes * 60 * fps)
    return write_clip(d / f"long_{minutes:g}min.mp4", (frame for _ in range(n)), fps=fps)


def short_repeated(d: Path) -> Path:
    return long_repeated(d, minutes=10 / 60)


#: the part of the sample clip the derived clips keep: both squats (8.3-11.4 s and 15.2-18.3 s)
CUT = (7.0, 19.0)


def person_leaves(d: Path) -> Path:
    """The sample clip at half size from 7 to 19 s with 12.5-14.5 s black (the person is gone for 2 s)."""
    frames = []
    pts = []
    for t, rgb in sample_frames(*CUT, scale=0.5):
        if 12.5 <= t < 14.5:
            rgb = np.zeros_like(rgb)
        frames.append(rgb)
        pts.append(t - CUT[0])
    return write_clip(d / "person_leaves.mp4", frames, fps=30000 / 1001, pts_s=pts)


def rotated_phone(d: Path) -> Path:
    """The sample clip (half size, 7-19 s) stored sideways (landscape) with a 90-degree display matrix,
    as a phone filming upright writes it; upright it is the original portrait clip."""
    frames = []
    pts = []
    for t, rgb in sample_frames(*CUT, scale=0.5):
        frames.append(np.ascontiguousarray(np.rot90(rgb, k=-1)))  # stored rotated clockwise
        pts.append(t - CUT[0])
    return write_clip(d / "rotated_phone.mp4", frames, fps=30000 / 1001, pts_s=pts, rotation=90)


def variable_frame_rate(d: Path) -> Path:
    """The sample clip (half size, 7-19 s) with irregular frame times: every 3rd frame dropped and the
    rest keeping their own times (gaps of 33 and 67 ms), so index x nominal fps would be wrong by 1/3."""
    frames = []
    pts = []
    for i, (t, rgb) in enumerate(sample_frames(*CUT, scale=0.5)):
        if i % 3 == 2:
            continue
        frames.append(rgb)
        pts.append(t - CUT[0])
    return write_clip(d / "vfr.mp4", frames, fps=20, pts_s=pts)


def two_people(d: Path) -> Path:
    return TWO_PEOPLE_CLIP


# keypoint files -------------------------------------------------------------------------------------------


def synthetic_squat_coco18(n_frames: int = 150, fps: float = 30.0, reps: int = 2) -> np.ndarray:
    """A side-view body in COCO-18 pixels squatting ``reps`` times (hips drop 200 px): (T, 18, 3)."""
    t = np.arange(n_frames) / fps
    depth = 0.5 - 0.5 * np.cos(2 * np.pi * reps * t / t[-1])  # 0 standing .. 1 bottom
    kp = np.zeros((n_frames, 18, 3))
    x0 = 500.0
    hip_y = 500 + 200 * depth
    knee_x = x0 + 120 * depth
    parts = {
        0: (x0 + 30, hip_y - 330), 1: (x0, hip_y - 280), 2: (x0, hip_y - 280), 5: (x0, hip_y - 280),
        3: (x0 + 40 * depth + 20, hip_y - 170), 6: (x0 + 40 * depth + 20, hip_y - 170),
        4: (x0 + 60 * depth + 40, hip_y - 90), 7: (x0 + 60 * depth + 40, hip_y - 90),
        8: (x0 - 60 * depth, hip_y), 11: (x0 - 60 * depth, hip_y),
        9: (knee_x, 700 + 0 * depth), 12: (knee_x, 700 + 0 * depth),
        10: (x0, 900 + 0 * depth), 13: (x0, 900 + 0 * depth),
        14: (x0 + 35, hip_y - 340), 15: (x0 + 35, hip_y - 340), 16: (x0 + 10, hip_y - 335), 17: (x0 + 10, hip_y - 335),
    }
    for j, (x, y) in parts.items():
        kp[:, j, 0] = x
        kp[:, j, 1] = y
        kp[:, j, 2] = 0.9
    return kp


def good_keypoints(d: Path) -> Path:
    p = d / "squat_keypoints.npy"
    np.save(p, synthetic_squat_coco18())
    return p


def npy_with_nan(d: Path) -> Path:
    kp = synthetic_squat_coco18()
    kp[:, :, :2] = np.nan
    p = d / "all_nan.npy"
    np.save(p, kp)
    return p


def npy_with_inf(d: Path) -> Path:
    kp = synthetic_squat_coco18()
    kp[::3, 8:14, 0] = np.inf
    kp[1::3, :, 1] = -np.inf
    p = d / "with_inf.npy"
    np.save(p, kp)
    return p


def npy_some_nan(d: Path) -> Path:
    """Realistic dropouts: 30 % of the values NaN at random (the rest a valid squat)."""
    kp = synthetic_squat_coco18()
    rng = np.random.default_rng(1)
    kp[rng.random(kp.shape[:2]) < 0.3, :2] = np.nan
    p = d / "some_nan.npy"
    np.save(p, kp)
    return p


def npy_wrong_shape(d: Path) -> Path:
    p = d / "wrong_shape.npy"
    np.save(p, np.zeros((100, 7, 5), np.float32))
    return p


def npy_1d(d: Path) -> Path:
    p = d / "flat.npy"
    np.save(p, np.arange(54.0))
    return p


def npy_object(d: Path) -> Path:
    p = d / "object.npy"
    np.save(p, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    return p


def _c3d_points(d: Path, name: str, labels: list[str]) -> Path:
    """A C3D of 50 frames, 100 Hz, of the given marker labels (points on a vertical line)."""
    import warnings

    import c3d

    w = c3d.Writer(point_rate=100.0)
    w.set_point_labels(labels)
    pts = np.zeros((len(labels), 5), np.float32)
    pts[:, 2] = np.linspace(50.0, 1700.0, len(labels))
    w.add_frames([(pts.copy(), np.zeros((0, 0), np.float32)) for _ in range(50)])
    p = d / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with p.open("wb") as f:
            w.write(f)
    return p


def c3d_other_markers(d: Path) -> Path:
    return _c3d_points(d, "other_markers.c3d", [f"Subj:M{i:02d}" for i in range(39)])


def c3d_truncated(d: Path) -> Path:
    from backsafe.io._adapters_mocap import PIG_MARKERS

    full = _c3d_points(d, "full.c3d", list(PIG_MARKERS))
    p = d / "truncated.c3d"
    p.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    full.unlink()
    return p


def csv_missing_columns(d: Path) -> Path:
    """A BlazePose CSV with only the shoulders: no hips, knees or ankles to analyse a squat with."""
    p = d / "missing_columns.csv"
    rows = ["frame,left_shoulder_x,left_shoulder_y,right_shoulder_x,right_shoulder_y"]
    rows += [f"{i},0.5,0.3,0.52,0.3" for i in range(60)]
    p.write_text("\n".join(rows) + "\n")
    return p


def csv_text_in_numbers(d: Path) -> Path:
    cols = [f"{side}_{j}_{a}" for j in ("shoulder", "hip", "knee", "ankle") for side in ("left", "right") for a in "xyzv"]
    p = d / "text_cells.csv"
    rows = [",".join(cols)] + [",".join(["abc"] * len(cols)) for _ in range(40)]
    p.write_text("\n".join(rows) + "\n")
    return p


def json_wrong_structure(d: Path) -> Path:
    p = d / "wrong_structure.json"
    p.write_text(json.dumps({"frames": [[1, 2, 3], "x", None], "positions": [1, 2, 3]}))
    return p


def json_list_of_numbers(d: Path) -> Path:
    p = d / "numbers.json"
    p.write_text(json.dumps(list(range(100))))
    return p


# ------------------------------------------------------------------------------------------------ cases


@dataclass(frozen=True)
class Case:
    id: str
    what: str  # the table's "input" column
    make: Callable[[Path], Path]
    args: tuple[str, ...] = ("--exercise", "squat")
    codes: tuple[int, ...] = (3,)  # the documented outcome(s); the first is the expected one
    message: str = ""  # regex the error line must match (exit != 0)
    max_s: float = 20.0  # time bound for the whole CLI run
    needs_pose: bool = False  # runs MediaPipe
    needs_shared: bool = False
    note: str = ""
    extra: dict[str, object] = field(default_factory=dict)


KP = ("--exercise", "squat", "--fps", "30")

CASES: list[Case] = [
    # ---- containers that are not (readable) videos
    Case("empty", "0-byte `empty.mp4`", empty_mp4, message=r"empty \(0 bytes\)", max_s=8),
    Case("text_mp4", "text file renamed `notes.mp4`", text_as_mp4, message=r"not a readable video", max_s=8),
    Case("truncated", "first 30 % of the sample MP4 (index at the end)", truncated_mp4,
         message=r"not a readable video", max_s=8),
    Case("truncated_faststart", "sample MP4 with its index first, cut at 60 %", truncated_faststart_mp4,
         args=("--exercise", "squat", "--stride", "2"), codes=(0,), max_s=60, needs_pose=True,
         note="analysed with the frames that decoded (10.7 s); the squat cut at the end is a partial rep"),
    Case("bitflip_mp4", "bit-flipped MP4 (1 % of bytes, fixed seed)", _bitflipped("mp4"), codes=(3, 4),
         message=r"not a readable video|no frame|0 frames|person was found", max_s=20, needs_pose=True),
    Case("bitflip_mov", "bit-flipped MOV (1 % of bytes)", _bitflipped("mov"), codes=(3, 4),
         message=r"not a readable video|no frame|0 frames|person was found", max_s=20, needs_pose=True),
    Case("bitflip_webm", "bit-flipped WebM (VP9)", _bitflipped("webm"), codes=(4, 3),
         message=r"not a readable video|no frame|0 frames|person was found", max_s=20, needs_pose=True),
    Case("png_mp4", "PNG image renamed `photo.mp4`", png_as_mp4, message=r"still image", max_s=8),
    Case("png", "a real `photo.png`", real_png, codes=(3,), message=r"photo\.png", max_s=8),
    Case("audio_only", "audio-only MP4 (AAC)", audio_only, message=r"no video stream", max_s=8),
    Case("one_px", "1x1-pixel clip (FFV1/MKV)", one_by_one, message=r"too small", max_s=8),
    Case("8k", "7680x4320 clip, 3 frames (MJPEG/MOV)", clip_8k, codes=(4,), message=r"person was found",
         max_s=60, needs_pose=True, note="decoded (under the 8192x8192 limit); queue bounded in bytes",
         extra={"max_rss_mb": 1500}),
    Case("no_person", "2 s of colour noise", no_person, codes=(4,), message=r"person was found", max_s=20,
         needs_pose=True),
    Case("two_people", "Sports2D demo: two people", two_people, args=("--exercise", "squat", "--stride", "2"),
         codes=(0,), max_s=60, needs_pose=True, needs_shared=True,
         note="everyone in frame is found and one person is followed throughout; the report says who and why"),
    Case("person_leaves", "sample clip with 2 s of black frames between the squats", person_leaves,
         args=("--exercise", "squat", "--stride", "2"), codes=(0,), max_s=60, needs_pose=True),
    Case("rotated", "sample clip stored sideways + 90 deg display matrix", rotated_phone,
         args=("--exercise", "squat", "--stride", "2"), codes=(0,), max_s=60, needs_pose=True),
    Case("vfr", "sample clip with every 3rd frame dropped (variable frame rate)", variable_frame_rate,
         args=("--exercise", "squat", "--stride", "2"), codes=(0,), max_s=60, needs_pose=True),
    # ---- keypoint files
    Case("npy_nan", "COCO-18 npy, all coordinates NaN", npy_with_nan, args=KP, message=r"no finite keypoint",
         max_s=10),
    Case("npy_inf", "COCO-18 npy with +-inf values", npy_with_inf, args=KP, codes=(0,), max_s=10,
         note="inf is read as missing"),
    Case("npy_some_nan", "COCO-18 npy, 30 % of points NaN", npy_some_nan, args=KP, codes=(0,), max_s=10),
    Case("npy_shape", "npy of shape (100, 7, 5)", npy_wrong_shape, args=KP, message=r"shape", max_s=10),
    Case("npy_1d", "1-D npy", npy_1d, args=KP, message=r"shape|dimension", max_s=10),
    Case("npy_object", "npy of Python objects (pickle)", npy_object, args=KP, message=r"pickle|object|dtype",
         max_s=10),
    Case("c3d_other", "C3D of another marker set (no Plug-in Gait labels)", c3d_other_markers,
         message=r"Plug-in Gait pelvis marker", max_s=10),
    Case("c3d_truncated", "C3D cut in half", c3d_truncated, message=r"truncated|not a readable C3D", max_s=10),
    Case("csv_missing", "BlazePose CSV with only shoulder columns", csv_missing_columns, args=KP,
         message=r"column|joint|hip|knee", max_s=10),
    Case("csv_text", "BlazePose CSV with text in the number cells", csv_text_in_numbers, args=KP,
         message=r"no finite keypoint", max_s=10),
    Case("json_structure", "JSON of the wrong structure", json_wrong_structure, args=KP, message=r"positions",
         max_s=10),
    Case("json_numbers", "JSON list of numbers", json_list_of_numbers, args=KP, message=r"json|JSON", max_s=10),
    Case("npy_no_fps", "COCO-18 npy without --fps", good_keypoints, args=("--exercise", "squat"),
         message=r"fps", max_s=10),
    # ---- absurd options (on a good keypoint file)
    Case("load_neg", "`--load-kg -5`", good_keypoints, args=KP + ("--load-kg", "-5"), message=r"load", max_s=10),
    Case("load_huge", "`--load-kg 10000`", good_keypoints, args=KP + ("--load-kg", "10000"), message=r"load",
         max_s=10),
    Case("load_nan", "`--load-kg nan`", good_keypoints, args=KP + ("--load-kg", "nan"), message=r"load", max_s=10),
    Case("fps_zero", "`--fps 0`", good_keypoints, args=("--exercise", "squat", "--fps", "0"), message=r"fps",
         max_s=10),
    Case("tempo_short", "`--tempo 9-9`", good_keypoints, args=KP + ("--tempo", "9-9"), message=r"tempo",
         max_s=10),
    Case("body_mass", "`--body-mass-kg 3`", good_keypoints, args=KP + ("--body-mass-kg", "3"),
         message=r"body mass", max_s=10),
    Case("stride_zero", "`--stride 0`", good_keypoints, args=KP + ("--stride", "0"), message=r"stride", max_s=10),
    Case("unknown_exercise", "`--exercise moonwalk`", good_keypoints, args=("--exercise", "moonwalk", "--fps", "30"),
         codes=(2,), message=r"moonwalk", max_s=10),
    Case("missing_file", "a path that does not exist", lambda d: d / "nope.mp4", message=r"no such file", max_s=8),
    Case("good_keypoints", "control: a valid synthetic squat (COCO-18 npy)", good_keypoints, args=KP, codes=(0,),
         max_s=10),
]


# ------------------------------------------------------------------------------------------------ running


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float

    @property
    def error_lines(self) -> list[str]:
        return [ln for ln in self.stderr.splitlines() if ln.strip() and not NATIVE_LOG.match(ln)]


def run_cli(args: Sequence[str], timeout: float = 300.0, env: dict[str, str] | None = None) -> Run:
    """Run ``backsafe`` in a subprocess: exit code, output, wall time and the child's own peak RSS."""
    import tempfile

    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe, tempfile.NamedTemporaryFile() as hwm:
        full_env = dict(os.environ) | {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb",
                                       "BACKSAFE_TEST_HWM_FILE": hwm.name} | (env or {})
        t0 = time.perf_counter()
        p = subprocess.Popen([*BACKSAFE, *args], stdout=fo, stderr=fe, env=full_env, cwd=REPO)
        timed_out = False
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            p.kill()
            p.wait()
        seconds = time.perf_counter() - t0
        fo.seek(0)
        fe.seek(0)
        out = fo.read().decode(errors="replace")
        err = fe.read().decode(errors="replace")
        kb = Path(hwm.name).read_text().strip()
    if timed_out:
        err += f"\n[timed out after {timeout:.0f} s]"
    return Run(p.returncode, out, err, seconds, int(kb) / 1024 if kb else float("nan"))


def visible_files(folder: Path) -> list[str]:
    """Everything in ``folder`` (recursively), hidden staging folders included."""
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
