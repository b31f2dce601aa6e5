"""Key frames: the worst frame of each fault with the skeleton and the offending angle drawn, next to the same
moment (same phase, same relative position) of the person's best rep.

Drawing helpers (:func:`draw_skeleton`, :func:`draw_angle`) are shared with the annotated video.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from ..model import Finding, PoseSequence, Rep, ReportData
from ..skeleton import BONES, JOINT_INDEX
from .wording import SEVERITY_RANK, fault_label, finding_sort_key, format_value, signal_label, signal_unit

Image = npt.NDArray[np.uint8]

#: minimum keypoint confidence to draw a joint
MIN_CONF = 0.3

# colours are RGB (frames are RGB arrays)
SKELETON_RGB = (80, 220, 120)
JOINT_RGB = (255, 255, 255)
HIGHLIGHT_RGB = (255, 60, 60)
REFERENCE_RGB = (255, 210, 60)
SEVERITY_RGB = {"mild": (255, 200, 40), "moderate": (255, 140, 0), "severe": (235, 40, 40)}

#: how the angle behind a kinematic series is drawn: kind and the joints (``side`` = left/right of the facing side)
ANGLE_GEOMETRY: dict[str, tuple[str, tuple[str, ...]]] = {
    "knee_flexion": ("vertex", ("side_hip", "side_knee", "side_ankle")),
    "hip_flexion": ("vertex", ("side_shoulder", "side_hip", "side_knee")),
    "hip_extension": ("vertex", ("side_shoulder", "side_hip", "side_knee")),
    "elbow_flexion": ("vertex", ("side_shoulder", "side_elbow", "side_wrist")),
    "shoulder_elevation": ("vertex", ("side_hip", "side_shoulder", "side_elbow")),
    "body_line": ("vertex", ("side_shoulder", "side_hip", "side_ankle")),
    "fppa": ("vertex", ("side_hip", "side_knee", "side_ankle")),
    "trunk_inclination": ("vertical", ("mid_hip", "mid_shoulder")),
    "pelvis_tilt": ("horizontal", ("left_hip", "right_hip")),
    "lateral_offset": ("offset", ("mid_ankle", "mid_hip")),
    "load_lever": ("offset", ("mid_ankle", "side_wrist")),
}


@dataclass(frozen=True, slots=True)
class KeyFrame:
    """One fault's worst frame (drawn, JPEG bytes) and the matching frame of the best rep (or None)."""

    finding: Finding
    frame: int
    image_jpeg: bytes
    best_rep: int | None
    best_frame: int | None
    best_image_jpeg: bytes | None
    phase: str | None
    caption: str


# --------------------------------------------------------------------------------------------------- choosing


def worst_frame(report: ReportData, finding: Finding) -> int:
    """The frame of a finding's span where its signal is furthest on the faulty side of the threshold."""
    a, b = int(finding.frames[0]), int(finding.frames[1])
    rep = next((r for r in report.reps if r.index == finding.rep), None)
    if finding.code == "partial_range" and rep is not None:
        return rep.turn_frame
    kin = report.kinematics
    values = kin.get(finding.signal) if (kin is not None and finding.signal) else None
    if b <= a:
        b = a + 1
    if values is None or finding.code == "rushing":
        return (a + b - 1) // 2
    seg = np.asarray(values[a:b], dtype=np.float64)
    if seg.size == 0 or not np.isfinite(seg).any():
        return (a + b - 1) // 2
    pick = np.nanargmax if finding.value >= finding.threshold else np.nanargmin
    return a + int(pick(seg))


def threshold_is_absolute(report: ReportData, finding: Finding) -> bool:
    """True when the finding's value and threshold are in the units and scale of its signal (not a change from
    baseline, a duration or a ratio), so the threshold can be drawn as a line on the signal's plot."""
    kin = report.kinematics
    if kin is None or not finding.signal or finding.signal not in kin.series:
        return False
    unit = signal_unit(finding.signal, kin.units)
    if finding.unit not in (unit, {"deg": "°"}.get(unit, unit)):
        if not (finding.unit == "hipw" and unit == "hip widths") and not (finding.unit == "hip widths" and unit == "hipw"):
            return False
    x = float(kin.series[finding.signal][worst_frame(report, finding)])
    return math.isfinite(x) and abs(x - finding.value) <= max(2.0, 0.1 * abs(finding.value))


def rep_of_frame(report: ReportData, frame: int) -> Rep | None:
    for r in report.reps:
        if r.start_frame <= frame < r.end_frame:
            return r
    return None


def phase_of_frame(rep: Rep, frame: int) -> tuple[str | None, float]:
    """(phase name, relative position 0..1 inside it); with no phase spans, the position in the whole rep."""
    for name, (a, b) in rep.phase_frames.items():
        if a <= frame < b:
            return name, (frame - a) / max(b - a, 1)
    return None, (frame - rep.start_frame) / max(rep.end_frame - rep.start_frame, 1)


def matching_frame(frame: int, rep: Rep, other: Rep) -> int:
    """The frame of ``other`` at the same phase and relative position as ``frame`` in ``rep``."""
    phase, pos = phase_of_frame(rep, frame)
    if phase is not None and phase in other.phase_frames:
        a, b = other.phase_frames[phase]
    else:
        a, b = other.start_frame, other.end_frame
    return int(min(max(a + round(pos * max(b - a, 1)), a), max(b - 1, a)))


def best_rep_excluding(report: ReportData, exclude: int) -> Rep | None:
    """The rep with the fewest and mildest faults other than ``exclude`` (full reps first)."""

    def key(r: Rep) -> tuple[int, int, int, int]:
        fs = report.findings_for(r.index)
        return (int(r.partial), len(fs), sum(SEVERITY_RANK.get(f.severity, 1) for f in fs), r.index)

    others = [r for r in report.reps if r.index != exclude]
    return min(others, key=key) if others else None


def select_findings(report: ReportData, max_count: int = 8) -> list[Finding]:
    """One finding per fault code: the one furthest past its threshold (relative), most important codes first."""
    by_code: dict[str, Finding] = {}
    for f in report.findings:
        excess = abs(f.value - f.threshold) / max(abs(f.threshold), 1e-6)
        cur = by_code.get(f.code)
        if cur is None or excess > abs(cur.value - cur.threshold) / max(abs(cur.threshold), 1e-6):
            by_code[f.code] = f
    return sorted(by_code.values(), key=finding_sort_key)[:max_count]


# --------------------------------------------------------------------------------------------------- drawing


def _scale(img: Image) -> float:
    return max(0.6, max(int(img.shape[0]), int(img.shape[1])) / 720.0)


def facing_side(pts: npt.NDArray[Any]) -> str:
    """"left" or "right": the side whose hip/knee/shoulder keypoints are more confident in this frame."""
    def conf(side: str) -> float:
        c = [pts[JOINT_INDEX[f"{side}_{j}"], 3] for j in ("shoulder", "hip", "knee", "ankle")]
        return float(np.nansum(c))

    return "left" if conf("left") >= conf("right") else "right"


def _joint_xy(pts: npt.NDArray[Any], name: str, side: str) -> tuple[float, float] | None:
    if name.startswith("mid_"):
        base = name[4:]
        got = [p for p in (_joint_xy(pts, f"left_{base}", side), _joint_xy(pts, f"right_{base}", side)) if p]
        if not got:
            return None
        return (sum(p[0] for p in got) / len(got), sum(p[1] for p in got) / len(got))
    if name.startswith("side_"):
        name = f"{side}_{name[5:]}"
    j = JOINT_INDEX.get(name)
    if j is None:
        return None
    x, y, c = float(pts[j, 0]), float(pts[j, 1]), float(pts[j, 3])
    if not (math.isfinite(x) and math.isfinite(y)) or not (c >= MIN_CONF or math.isnan(c)):
        return None
    return (x, y)


def _ipt(p: tuple[float, float]) -> tuple[int, int]:
    return (int(round(p[0])), int(round(p[1])))


def put_label(img: Image, text: str, org: tuple[int, int], scale: float, color: tuple[int, int, int] = (255, 255, 255),
              bg: tuple[int, int, int] | None = (0, 0, 0)) -> None:
    """Text with a dark box behind it (readable on any background)."""
    font, fs, th = cv2.FONT_HERSHEY_SIMPLEX, 0.55 * scale, max(1, int(round(1.4 * scale)))
    (w, h), base = cv2.getTextSize(text, font, fs, th)
    x = int(min(max(org[0], 0), max(img.shape[1] - w - 4, 0)))
    y = int(min(max(org[1], h + 4), img.shape[0] - base - 2))
    if bg is not None:
        x0, y0, x1, y1 = x - 3, y - h - 4, x + w + 3, y + base + 2
        sub = img[max(y0, 0) : y1, max(x0, 0) : x1]
        sub[:] = (sub * 0.35 + np.array(bg) * 0.65).astype(np.uint8)
    cv2.putText(img, text, (x, y), font, fs, color, th, cv2.LINE_AA)


def draw_skeleton(img: Image, pts: npt.NDArray[Any], highlight: Iterable[str] = (),
                  color: tuple[int, int, int] = SKELETON_RGB) -> None:
    """Draw the canonical BONES of one frame's keypoints (J, 4: x, y, z, conf; pixels) in place."""
    s = _scale(img)
    hl = set(highlight)
    th = max(2, int(round(3 * s)))
    for a, b in BONES:
        pa, pb = _joint_xy(pts, a, "left"), _joint_xy(pts, b, "left")
        if pa is None or pb is None:
            continue
        c = HIGHLIGHT_RGB if (a in hl and b in hl) else color
        cv2.line(img, _ipt(pa), _ipt(pb), c, th, cv2.LINE_AA)
    r = max(2, int(round(3.5 * s)))
    for name, j in JOINT_INDEX.items():
        if name in ("pelvis", "spine_mid", "spine_chest", "neck") or "eye" in name or "mouth" in name:
            continue
        p = _joint_xy(pts, name, "left")
        if p is not None:
            cv2.circle(img, _ipt(p), r, HIGHLIGHT_RGB if name in hl else JOINT_RGB, -1, cv2.LINE_AA)


def angle_geometry(signal: str) -> tuple[str, tuple[str, ...]] | None:
    base = signal
    for suffix in ("_deg", "_hipw", "_m"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    side = None
    for s in ("_left", "_right"):
        if base.endswith(s):
            base, side = base[: -len(s)], s[1:]
    geo = ANGLE_GEOMETRY.get(base)
    if geo is None:
        return None
    kind, joints = geo
    if side is not None:
        joints = tuple(j.replace("side_", f"{side}_") for j in joints)
    return kind, joints


def joints_of_signal(signal: str, pts: npt.NDArray[Any]) -> set[str]:
    """Canonical joint names whose bones should be highlighted for a signal."""
    geo = angle_geometry(signal)
    if geo is None:
        return set()
    side = facing_side(pts)
    out: set[str] = set()
    for j in geo[1]:
        if j.startswith("mid_"):
            out |= {f"left_{j[4:]}", f"right_{j[4:]}"}
        else:
            out.add(j.replace("side_", f"{side}_"))
    return out


def draw_angle(img: Image, pts: npt.NDArray[Any], signal: str, label: str,
               color: tuple[int, int, int] = HIGHLIGHT_RGB) -> bool:
    """Draw the angle (or offset) behind ``signal`` with its ``label``; False when the joints are not visible."""
    geo = angle_geometry(signal)
    if geo is None:
        return False
    kind, names = geo
    side = facing_side(pts)
    ps = [_joint_xy(pts, n, side) for n in names]
    if any(p is None for p in ps):
        return False
    P = [np.asarray(p) for p in ps if p is not None]
    s = _scale(img)
    th = max(2, int(round(3 * s)))
    if kind == "vertex":
        a, v, b = P
        u1, u2 = a - v, b - v
    elif kind == "vertical":
        v, top = P
        u1, u2 = top - v, np.array([0.0, -1.0]) * max(np.linalg.norm(top - v), 1.0)
        cv2.line(img, _ipt(tuple(v)), _ipt(tuple(v + u2)), color, max(1, th // 2), cv2.LINE_AA)
        cv2.line(img, _ipt(tuple(v)), _ipt(tuple(top)), color, th, cv2.LINE_AA)
    elif kind == "horizontal":
        v, other = P
        u1, u2 = other - v, np.array([1.0, 0.0]) * max(np.linalg.norm(other - v), 1.0)
        cv2.line(img, _ipt(tuple(v)), _ipt(tuple(v + u2)), color, max(1, th // 2), cv2.LINE_AA)
        cv2.line(img, _ipt(tuple(v)), _ipt(tuple(other)), color, th, cv2.LINE_AA)
    else:  # offset: horizontal distance between two points
        base, moving = P
        cv2.line(img, _ipt(tuple(base)), _ipt((base[0], moving[1])), color, max(1, th // 2), cv2.LINE_AA)
        cv2.arrowedLine(img, _ipt((base[0], moving[1])), _ipt(tuple(moving)), color, th, cv2.LINE_AA, tipLength=0.2)
        put_label(img, label, _ipt((moving[0] + 8 * s, moving[1] - 8 * s)), s, color)
        return True
    n1, n2 = np.linalg.norm(u1), np.linalg.norm(u2)
    if n1 < 1 or n2 < 1:
        return False
    radius = int(max(12 * s, 0.35 * float(min(n1, n2))))
    a1 = math.degrees(math.atan2(u1[1], u1[0]))
    a2 = math.degrees(math.atan2(u2[1], u2[0]))
    d = (a2 - a1 + 540) % 360 - 180  # shortest signed sweep
    cv2.ellipse(img, _ipt(tuple(v)), (radius, radius), 0, a1, a1 + d, color, th, cv2.LINE_AA)
    mid = math.radians(a1 + d / 2)
    org = v + (radius + 10 * s) * np.array([math.cos(mid), math.sin(mid)])
    put_label(img, label, _ipt(tuple(org)), s, color)
    return True


def signal_text(report: ReportData, signal: str, frame: int) -> str:
    kin = report.kinematics
    vals = kin.get(signal) if kin is not None else None
    if vals is None or not (0 <= frame < len(vals)) or not math.isfinite(float(vals[frame])):
        return signal_label(signal)
    unit = signal_unit(signal, kin.units if kin else None)
    return f"{signal_label(signal)} {format_value(float(vals[frame]), unit)}"


def pose_points(pose: PoseSequence, frame: int, img_shape: tuple[int, ...]) -> npt.NDArray[Any] | None:
    """Keypoints of one frame scaled to an image of ``img_shape`` (the pose's image_size may differ)."""
    if pose.space != "image" or not (0 <= frame < pose.n_frames):
        return None
    pts = np.array(pose.data[frame], dtype=np.float64)
    if pose.image_size:
        w, h = pose.image_size
        pts[:, 0] *= img_shape[1] / w
        pts[:, 1] *= img_shape[0] / h
    return pts


def crop_to_person(img: Image, pts: npt.NDArray[Any], margin: float = 0.3, min_share: float = 0.35) -> Image:
    """Crop around the visible keypoints (plus ``margin`` of the person's height on each side)."""
    ok = np.isfinite(pts[:, 0]) & np.isfinite(pts[:, 1]) & (np.nan_to_num(pts[:, 3]) >= MIN_CONF)
    if ok.sum() < 3:
        return img
    h, w = img.shape[:2]
    x0, x1 = float(pts[ok, 0].min()), float(pts[ok, 0].max())
    y0, y1 = float(pts[ok, 1].min()), float(pts[ok, 1].max())
    pad = margin * max(y1 - y0, x1 - x0, 1.0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w = max((x1 - x0) / 2 + pad, min_share * w / 2)
    half_h = max((y1 - y0) / 2 + pad, min_share * h / 2)
    a, b = int(max(cx - half_w, 0)), int(min(cx + half_w, w))
    c, d = int(max(cy - half_h, 0)), int(min(cy + half_h, h))
    if b - a < 16 or d - c < 16:
        return img
    return np.ascontiguousarray(img[c:d, a:b])


def annotate_frame(report: ReportData, rgb: Image, frame: int, signal: str, label: str,
                   color: tuple[int, int, int] = HIGHLIGHT_RGB, crop: bool = False) -> Image:
    """A copy of ``rgb`` with the skeleton and the angle behind ``signal`` drawn (optionally cropped to the
    person)."""
    img = np.ascontiguousarray(rgb.copy())
    if report.pose is None:
        return img
    pts = pose_points(report.pose, frame, img.shape)
    if pts is None:
        return img
    draw_skeleton(img, pts, highlight=joints_of_signal(signal, pts) if signal else ())
    if signal:
        draw_angle(img, pts, signal, label, color)
    return crop_to_person(img, pts) if crop else img


def _resize(rgb: Image, max_side: int) -> Image:
    h, w = rgb.shape[:2]
    f = max_side / max(h, w)
    if f >= 1:
        return rgb
    out = cv2.resize(rgb, (int(round(w * f)), int(round(h * f))), interpolation=cv2.INTER_AREA)
    return np.asarray(out, dtype=np.uint8)


def encode_jpeg(rgb: Image, quality: int = 85) -> bytes:
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return bytes(buf.tobytes())


def read_frames(video_path: Path, wanted: set[int], max_side: int = 720,
                timestamps_s: npt.NDArray[Any] | None = None) -> dict[int, Image]:
    """The wanted frames, downscaled to ``max_side`` (each as it is decoded).

    With the clip's frame time stamps (``PoseSequence.timestamps_s``) the indices are the analysis's frames, each
    found by its time; only the stretches of the clip holding them are decoded
    (:func:`backsafe.io.video.read_frames_at`). Without, they count the clip's decoded frames.
    """
    from ..io.video import read_frames_at

    return {i: _resize(rgb, max_side) for i, rgb in read_frames_at(video_path, wanted, timestamps_s)}


def extract_key_frames(report: ReportData, video_path: Path, max_count: int = 8, max_side: int = 640) -> list[KeyFrame]:
    """Key frames of the worst instance of each fault code, with the best rep's matching frame beside it.

    Needs ``report.pose`` in image space and the video; returns [] otherwise (the caller says why).
    """
    if report.pose is None or report.pose.space != "image" or not report.findings:
        return []
    plan: list[tuple[Finding, int, Rep | None, int | None, str | None]] = []
    for f in select_findings(report, max_count):
        wf = worst_frame(report, f)
        rep = next((r for r in report.reps if r.index == f.rep), None)
        best = best_rep_excluding(report, f.rep) if rep is not None else None
        bf = matching_frame(wf, rep, best) if (rep is not None and best is not None) else None
        phase = phase_of_frame(rep, wf)[0] if rep is not None else None
        plan.append((f, wf, best, bf, phase))
    wanted = {p[1] for p in plan} | {p[3] for p in plan if p[3] is not None}
    frames = read_frames(video_path, wanted, max(1280, max_side), report.pose.timestamps_s)
    out: list[KeyFrame] = []
    for f, wf, best, bf, phase in plan:
        if wf not in frames:
            continue
        img = annotate_frame(report, frames[wf], wf, f.signal, signal_text(report, f.signal, wf),
                             SEVERITY_RGB.get(f.severity, HIGHLIGHT_RGB), crop=True)
        best_jpeg = None
        if best is not None and bf is not None and bf in frames:
            bimg = annotate_frame(report, frames[bf], bf, f.signal, signal_text(report, f.signal, bf), REFERENCE_RGB,
                                  crop=True)
            best_jpeg = encode_jpeg(_resize(bimg, max_side))
        t = report.pose.timestamps_s[wf] if wf < report.pose.n_frames else float("nan")
        where = f"rep {f.rep}" + (f", {phase}" if phase else "") + f", {t:.2f} s"
        caption = (
            f"{fault_label(f.code).capitalize()} ({f.severity}) — {where}: "
            f"{format_value(f.value, f.unit)} vs threshold {format_value(f.threshold, f.unit)}"
        )
        out.append(KeyFrame(f, wf, encode_jpeg(_resize(img, max_side)), best.index if best else None, bf, best_jpeg, phase, caption))
    return out


#: the people who were not analysed, on the people frame
OTHER_PERSON_RGB = (200, 200, 200)


def people_frame(report: ReportData, video_path: Path, max_side: int = 640) -> bytes | None:
    """Several people in frame (report.extra["people"]): the frame where the first of them was seen, with a box
    round each person seen then, the analysed one highlighted (JPEG); None when the clip held one person."""
    people = report.extra.get("people")
    if not isinstance(people, dict) or report.pose is None or report.pose.space != "image":
        return None
    cands = [c for c in people.get("candidates", []) if isinstance(c, dict) and len(c.get("first_box_rel", ())) == 4]
    if not cands:
        return None
    t0 = min(float(c["first_s"]) for c in cands)
    ts = report.pose.timestamps_s
    frame = int(np.argmin(np.abs(ts - t0)))
    img = read_frames(video_path, {frame}, max(1280, max_side), ts).get(frame)
    if img is None:
        return None
    img = img.copy()
    h, w = img.shape[:2]
    s = _scale(img)
    for c in cands:
        if float(c["first_s"]) > t0 + 0.5:
            continue  # came into view later (the sentence beside the picture says when)
        x0, y0, x1, y1 = (int(round(float(v) * d)) for v, d in zip(c["first_box_rel"], (w, h, w, h)))
        analysed = c.get("track") == people.get("analysed")
        colour = HIGHLIGHT_RGB if analysed else OTHER_PERSON_RGB
        cv2.rectangle(img, (x0, y0), (x1, y1), colour, max(2, int(round(2 * s))))
        put_label(img, "analysed" if analysed else "not analysed", (x0 + 4, y0 + int(24 * s)), s, color=colour)
    return encode_jpeg(_resize(img, max_side))


@dataclass(frozen=True, slots=True)
class RepFrame:
    """The turnaround (bottom) frame of one clean rep, drawn with the primary angle (shown when a set is clean)."""

    rep: int
    frame: int
    image_jpeg: bytes
    caption: str


def extract_rep_frames(report: ReportData, video_path: Path, signal: str | None, max_count: int = 6,
                       max_side: int = 480) -> list[RepFrame]:
    """The turnaround frame of each rep (up to ``max_count``), with the skeleton and ``signal``'s angle drawn."""
    if report.pose is None or report.pose.space != "image" or not report.reps:
        return []
    reps = report.reps[:max_count]
    frames = read_frames(video_path, {r.turn_frame for r in reps}, max(1280, max_side), report.pose.timestamps_s)
    out: list[RepFrame] = []
    for r in reps:
        if r.turn_frame not in frames:
            continue
        label = signal_text(report, signal, r.turn_frame) if signal else ""
        img = annotate_frame(report, frames[r.turn_frame], r.turn_frame, signal or "", label, REFERENCE_RGB,
                             crop=True)
        phase = phase_of_frame(r, r.turn_frame)[0] or "turnaround"
        caption = f"Rep {r.index} at the {phase}" + (f": {label}" if label else "")
        out.append(RepFrame(r.index, r.turn_frame, encode_jpeg(_resize(img, max_side)), caption))
    return out
