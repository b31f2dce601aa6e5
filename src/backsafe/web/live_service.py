"""Live coaching in the browser, server side: landmarks in, rep and fault events out, the set's report stored.

The phone runs the pose model (MediaPipe's web build, served from /static/vendor) and sends only numbers over the
WebSocket: per frame its time stamp and the 33 landmarks (normalised image x, y, z, visibility) and, when the
model gives them, the 33 world landmarks (metres). No image or video byte is ever accepted: the route refuses
binary messages. The numbers go through the same engine as ``backsafe live`` (:class:`backsafe.live.LiveAnalyzer`)
and, at the set's end, through the offline analysis (:func:`backsafe.pipeline.analyze_pose`) so the stored report is
the same kind as an upload's (keypoints only: no key frames, no annotated video).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ..db.engine import Database
from ..errors import InputError, ValueRangeError
from . import crud
from .deps import CurrentUser
from .report_store import new_report_folder, removed_on_failure, row_fields
from .storage import Storage

__all__ = ["LiveSet", "LiveStart", "parse_start", "MODEL_SIZES", "MAX_FRAMES", "store_live_report"]

#: the browser model sizes (the landmark models of @mediapipe/pose: lite, full, heavy = complexity 0, 1, 2)
MODEL_SIZES = {"lite": 0, "full": 1, "heavy": 2}
#: the longest set kept: 10 minutes at 30 frames a second
MAX_FRAMES = 18_000
N_LANDMARKS = 33
#: how often (seconds of the set) the live engine looks for a finished rep: ``backsafe live``'s 0.2 s halved (the
#: page sends ~20-30 frames a second; each look costs a few ms)
CHECK_EVERY_S = 0.1
F32 = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class LiveStart:
    exercise: str
    load_kg: float | None
    tempo: str | None
    model: str
    width: int
    height: int
    reference_id: str | None
    facing: str


def _opt_float(v: Any, name: str, lo: float, hi: float) -> float | None:
    if v is None or v == "":
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        raise ValueRangeError(f"{name}: a number expected") from None
    if not math.isfinite(x) or not lo <= x <= hi:
        raise ValueRangeError(f"{name} {x:g}: expected {lo:g} to {hi:g}")
    return x


def parse_start(msg: Mapping[str, object]) -> LiveStart:
    """The set's options from the page's ``start`` message (the same options as ``backsafe live``); typed errors."""
    from ..exercises import Tempo4, get_exercise

    ex = get_exercise(str(msg.get("exercise") or ""))  # UnknownExerciseError (an InputError) for a wrong id
    tempo = msg.get("tempo") or None
    if tempo is not None:
        Tempo4.parse(str(tempo))
    model = str(msg.get("model") or "full")
    if model not in MODEL_SIZES:
        raise ValueRangeError(f"model {model!r}: expected one of {', '.join(MODEL_SIZES)}")
    w, h = msg.get("width"), msg.get("height")
    if not (isinstance(w, int) and isinstance(h, int) and 16 <= w <= 8192 and 16 <= h <= 8192):
        raise ValueRangeError("width and height: the camera's frame size in pixels (16 to 8192) expected")
    ref = msg.get("reference_id") or None
    facing = str(msg.get("facing") or "user")
    return LiveStart(exercise=ex.id, load_kg=_opt_float(msg.get("load_kg"), "load_kg", 0, 500),
                     tempo=str(tempo) if tempo else None, model=model, width=w, height=h,
                     reference_id=str(ref) if ref else None,
                     facing=facing if facing in ("user", "environment") else "user")


def _landmarks(v: Any, cols: int, name: str) -> F32 | None:
    if v is None:
        return None
    try:
        a = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueRangeError(f"{name}: {N_LANDMARKS} rows of {cols} numbers expected") from None
    if a.shape != (N_LANDMARKS, cols):
        raise ValueRangeError(f"{name}: {N_LANDMARKS} rows of {cols} numbers expected, got shape {a.shape}")
    if not np.isfinite(a).all() or np.abs(a).max() > 1e4:
        raise ValueRangeError(f"{name}: finite numbers of a plausible size expected")
    return a.astype(np.float32)


def _warm_up() -> None:
    """Import what the analysis of a set uses (~2 s the first time in a process), before the page is told to
    start, so the first rep of the server's first set is not announced late."""
    from .. import pipeline  # noqa: F401
    from ..faults import registry  # noqa: F401
    from ..faults.rules import partial_range  # noqa: F401
    from ..kinematics import angles  # noqa: F401
    from ..reps import segmentation  # noqa: F401


@dataclass
class LiveSet:
    """One set streamed from the page. ``frame`` returns the events the frame completes (rep, fault)."""

    start: LiveStart
    user: CurrentUser
    frames: list[tuple[float, F32 | None, F32 | None]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    analyzer: Any = None
    _last_t: float = -math.inf

    def __post_init__(self) -> None:
        from ..live import LiveAnalyzer, LiveOptions

        # the segmentation runs every CHECK_EVERY_S of the set's time (a few ms on a 20 s set): a rep is announced
        # at most that long after the frames that show it ended have arrived
        opts = LiveOptions(exercise=self.start.exercise, realtime=True, load_kg=self.start.load_kg,
                           tempo=self.start.tempo, check_every_s=CHECK_EVERY_S)
        self.analyzer = LiveAnalyzer(opts, (self.start.width, self.start.height))
        _warm_up()

    def frame(self, msg: Mapping[str, object]) -> list[dict[str, Any]]:
        from ..pose.base import FramePose

        t = _opt_float(msg.get("t"), "t", 0.0, 3600.0)
        if t is None or t <= self._last_t:
            raise ValueRangeError("t: seconds since the set started, increasing, expected")
        if len(self.frames) >= MAX_FRAMES:
            raise ValueRangeError(f"the set is longer than {MAX_FRAMES} frames: end it and start another")
        self._last_t = t
        lm = _landmarks(msg.get("lm"), 4, "lm")
        world = _landmarks(msg.get("world"), 3, "world") if lm is not None else None
        fp = None
        img = None
        if lm is not None:
            w, h = self.start.width, self.start.height
            img = np.column_stack([lm[:, 0] * w, lm[:, 1] * h, lm[:, 2] * w,
                                   np.clip(lm[:, 3], 0, 1)]).astype(np.float32)
            if world is not None:  # MediaPipe world: y down; canonical: y up (as pose/mediapipe_backend.py)
                world = np.column_stack([world[:, 0], -world[:, 1], -world[:, 2]]).astype(np.float32)
            fp = FramePose(image=img, world=world)
        self.frames.append((t, img, world))
        evs: list[dict[str, Any]] = self.analyzer.push(t, time.perf_counter(), fp)
        self.events.extend(evs)
        return evs

    def finish(self) -> list[dict[str, Any]]:
        evs: list[dict[str, Any]] = self.analyzer.finish()
        self.events.extend(evs)
        return evs

    def pose_sequence(self) -> Any:
        from ..model import PoseSequence
        from ..skeleton import N_JOINTS

        n = len(self.frames)
        data = np.full((n, N_JOINTS, 4), np.nan, np.float32)
        data[:, :, 3] = 0.0
        world = np.full((n, N_JOINTS, 3), np.nan, np.float32)
        any_world = False
        for i, (_, img, wld) in enumerate(self.frames):
            if img is not None:
                data[i, :N_LANDMARKS] = img
            if wld is not None:
                world[i, :N_LANDMARKS] = wld
                any_world = True
        times = np.asarray([f[0] for f in self.frames], np.float64)
        return PoseSequence(data=data, timestamps_s=times, space="image",
                            image_size=(self.start.width, self.start.height), source="mediapipe",
                            world=world if any_world else None)


def store_live_report(db: Database, storage: Storage, user: CurrentUser, live: LiveSet) -> str:
    """Analyse the whole set (same analysis as an upload, from the keypoints) and store it in the person's
    history; returns the report's public id. InputError when too little was seen to make a report."""
    from ..exercises import get_exercise
    from ..options import AnalysisOptions
    from ..pipeline import analyze_pose
    from ..report.html import render_html
    from ..report.json_report import write_json
    from .references import stored_reference

    if sum(1 for _, img, _ in live.frames if img is not None) < 10:
        raise InputError("no person was seen long enough to make a report (at least 10 frames with a person)")
    st = live.start
    pose = live.pose_sequence()
    personal = None
    if st.reference_id:
        with db.session() as s:
            ref = crud.get_report(s, user.id, st.reference_id)
            folder = ref.folder if ref is not None else None
        if folder is None:
            raise InputError("reference report not found: reference_id must be the id of one of your own reports")
        personal = stored_reference(storage, user.files_key, folder, st.reference_id, st.exercise,
                                    missing="pick another reference, or none")
    opts = AnalysisOptions(exercise=st.exercise, input_format="live", load_kg=st.load_kg, tempo=st.tempo)
    meta = {"path": "live set (camera on the phone)", "format": "live-landmarks", "width": st.width,
            "height": st.height, "fps": round(pose.fps, 3), "frames": pose.n_frames,
            "duration_s": round(pose.duration_s, 3),
            "pose_model": f"mediapipe-blazepose-{st.model} (@mediapipe/tasks-vision PoseLandmarker in the browser, "
                          f"CPU delegate, complexity {MODEL_SIZES[st.model]})",
            "camera": st.facing, "live_reps": live.analyzer.rep_count}
    report = analyze_pose(pose, get_exercise(st.exercise), opts, meta, None, reference=personal,
                          outline_off="no_video")
    rid, final, tmp = new_report_folder(storage, user.files_key)
    with removed_on_failure(tmp):  # keypoints only: no video, no picture of the person
        write_json(report, tmp / "report.json")
        render_html(report, None, tmp / "report.html")
        (tmp / "live_events.json").write_text(json.dumps(live.events))
        tmp.replace(final)
    with removed_on_failure(final):
        with db.session() as s:
            crud.create_report(s, user.id, public_id=rid, job_public_id=None, **row_fields(report, st.exercise),
                               has_annotated=False, has_original=False)
    return rid
