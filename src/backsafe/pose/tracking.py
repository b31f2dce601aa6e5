"""Follow each person across frames (box overlap and skeleton similarity) and choose the one to analyse.

The choice is made once, over the whole clip, and one track is analysed from start to end: the analysis never
switches to someone else mid-set (a frame where the chosen person is not found is a gap, as in a one-person clip).

``--person``: ``auto`` (the one doing the exercise: the largest repeated movement of the exercise's signal, then
size, then centrality), ``largest``, ``center``, ``left``, ``right``, or a point ``x,y`` on the first frame the
people are seen (fractions of the width and height when both are at most 1, else pixels).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ..model import PoseSequence
from ..options import PERSON_CHOICES, parse_person
from ..skeleton import BLAZEPOSE_33, N_JOINTS
from .multi import Detection, box_of, iou, skeleton_distance

__all__ = ["PERSON_CHOICES", "Track", "choose_track", "match_score", "parse_person", "people_doc", "track_pose",
           "track_people"]

#: a person lost for longer than this is a new track when seen again
MAX_GAP_S = 1.0
#: a detection joins a track when its box overlaps the track's last box by this much, or its skeleton is this close
MIN_IOU, MAX_DIST = 0.1, 0.5

F32 = npt.NDArray[np.float32]


@dataclass
class Track:
    """One person over the frames they were found in."""

    id: int
    frames: list[int] = field(default_factory=list)
    images: list[F32] = field(default_factory=list)
    worlds: list[F32 | None] = field(default_factory=list)

    @property
    def last_box(self) -> tuple[float, float, float, float]:
        return box_of(self.images[-1])

    def boxes(self) -> npt.NDArray[np.float64]:
        return np.array([box_of(im) for im in self.images], dtype=np.float64)

    def median_height(self) -> float:
        b = self.boxes()
        return float(np.median(b[:, 3] - b[:, 1]))

    def median_centre(self) -> tuple[float, float]:
        b = self.boxes()
        return float(np.median((b[:, 0] + b[:, 2]) / 2)), float(np.median((b[:, 1] + b[:, 3]) / 2))


def track_people(per_frame: list[list[Detection]], times_s: npt.NDArray[np.float64]) -> list[Track]:
    """Tracks from each frame's detections: each detection joins the best-matching live track (box overlap plus
    skeleton similarity to the track's last pose, lost for at most MAX_GAP_S), else starts a new one."""
    tracks: list[Track] = []
    for i, dets in enumerate(per_frame):
        live = [tr for tr in tracks if times_s[i] - times_s[tr.frames[-1]] <= MAX_GAP_S]
        pairs = []
        for ti, tr in enumerate(live):
            for di, d in enumerate(dets):
                score = match_score(tr.images[-1], d)
                if score is not None:
                    pairs.append((score, ti, di))
        used_t: set[int] = set()
        used_d: set[int] = set()
        for _, ti, di in sorted(pairs, reverse=True):
            if ti in used_t or di in used_d:
                continue
            used_t.add(ti)
            used_d.add(di)
            tr = live[ti]
            tr.frames.append(i)
            tr.images.append(dets[di].image)
            tr.worlds.append(dets[di].world)
        for di, d in enumerate(dets):
            if di not in used_d:
                tracks.append(Track(len(tracks), [i], [d.image], [d.world]))
    return tracks


def match_score(last: F32, det: Detection) -> float | None:
    """How well ``det`` continues a person last seen as ``last`` (box overlap plus skeleton similarity, higher is
    better), or None when it is not them (box IoU below MIN_IOU and skeleton distance above MAX_DIST)."""
    o = iou(box_of(last), det.box)
    dist = skeleton_distance(last, det.image)
    if o >= MIN_IOU or dist <= MAX_DIST:
        return o + (1.0 - min(dist, 1.0))
    return None


def track_pose(track: Track, template: PoseSequence) -> PoseSequence:
    """The keypoints of one track over the whole clip (NaN, confidence 0, where the person was not found)."""
    n = template.n_frames
    n_bp = len(BLAZEPOSE_33)
    data = np.full((n, N_JOINTS, 4), np.nan, np.float32)
    data[..., 3] = 0.0
    world = np.full((n, N_JOINTS, 3), np.nan, np.float32)
    any_world = False
    for f, im, w in zip(track.frames, track.images, track.worlds, strict=True):
        data[f, :n_bp] = im
        if w is not None:
            world[f, :n_bp] = w
            any_world = True
    return template.replace(data=data, world=world if any_world else None)


def _movement_score(pose: PoseSequence, exercise: str) -> tuple[float, int]:
    """(score, reps): the exercise's reps counted on this person times the size of their signal's swing over
    the smallest swing that is movement (reps/signal.py MIN_AMPLITUDE), capped at 10.

    With no exercise given (``""``: the analysis will recognise it), each person is scored on the exercise their
    own movement is recognised as (recognition.py): someone doing jumping jacks beside someone walking past is
    the one exercising, whatever the exercise. Without this every person scored 0 and the largest, most central
    one was analysed: on the Sports2D clip the passer-by, "a lunge", and the jumper's jacks were never seen."""
    from ..analysis.measure import clean_and_measure, find_reps
    from ..exercises import get_exercise
    from ..reps.signal import MIN_AMPLITUDE, rep_signal

    try:
        cleaned, _, kin = clean_and_measure(pose)
    except (ValueError, IndexError, FloatingPointError):
        return 0.0, 0
    if not exercise:
        from ..recognition import recognise

        try:
            exercise = recognise(cleaned, kin).exercise or ""
        except (ValueError, IndexError, FloatingPointError):
            exercise = ""
        if not exercise:
            return 0.0, 0
    ex = get_exercise(exercise)
    if ex.kind != "reps":
        return 0.0, 0
    try:
        sig = rep_signal(kin, ex)
        reps = find_reps(kin, ex)
    except (ValueError, IndexError, FloatingPointError):
        return 0.0, 0
    if sig is None or not reps:
        return 0.0, len(reps)
    ratio = min(10.0, sig.amplitude / MIN_AMPLITUDE.get(sig.unit, 1.0))
    return float(len(reps)) * max(ratio, 0.0), len(reps)


def choose_track(tracks: list[Track], choice: str | tuple[float, float], template: PoseSequence,
                 exercise: str, min_frames: int) -> tuple[Track, str, list[dict[str, object]]]:
    """The track to analyse, the reason in words, and what was measured of each candidate.

    Candidates are the tracks seen in at least ``min_frames`` frames (all tracks when none is)."""
    cands = [t for t in tracks if len(t.frames) >= min_frames] or sorted(tracks, key=lambda t: -len(t.frames))[:1]
    w, h = template.image_size or (1, 1)
    info: list[dict[str, object]] = []
    for t in cands:
        cx, cy = t.median_centre()
        info.append({"track": t.id, "frames": len(t.frames), "first_s": round(float(template.timestamps_s[
            t.frames[0]]), 2), "last_s": round(float(template.timestamps_s[t.frames[-1]]), 2),
            "height_rel": round(t.median_height() / h, 3), "centre_rel": [round(cx / w, 3), round(cy / h, 3)],
            "first_box_rel": [round(v, 3) for v in np.array(box_of(t.images[0])) / [w, h, w, h]]})
    size = [t.median_height() for t in cands]
    off_centre = [abs(t.median_centre()[0] / w - 0.5) + abs(t.median_centre()[1] / h - 0.5) for t in cands]
    if isinstance(choice, tuple):
        x, y = choice
        if x <= 1 and y <= 1:
            x, y = x * w, y * h

        def miss(t: Track) -> float:
            x0, y0, x1, y1 = box_of(t.images[0])
            inside = x0 <= x <= x1 and y0 <= y <= y1
            return (0.0 if inside else 1.0) + float(np.hypot((x0 + x1) / 2 - x, (y0 + y1) / 2 - y)) / max(w, h)
        k = int(np.argmin([miss(t) for t in cands]))
        why = f"the person at the point {choice[0]:g},{choice[1]:g} (--person)"
    elif choice == "largest":
        k, why = int(np.argmax(size)), "the largest person in frame (--person largest)"
    elif choice == "center":
        k, why = int(np.argmin(off_centre)), "the person nearest the centre of the frame (--person center)"
    elif choice in ("left", "right"):
        xs = [t.median_centre()[0] for t in cands]
        k = int(np.argmin(xs) if choice == "left" else np.argmax(xs))
        why = f"the person furthest to the {choice} (--person {choice})"
    else:
        scores = [_movement_score(track_pose(t, template), exercise) for t in cands]
        for d, (s, r) in zip(info, scores, strict=True):
            d["movement_score"], d["reps_seen"] = round(s, 2), r
        max_size = max(size) or 1.0
        keys = [(round(s, 1), round(sz / max_size, 1), -oc) for (s, _), sz, oc in zip(scores, size, off_centre,
                                                                                      strict=True)]
        k = max(range(len(cands)), key=lambda i: keys[i])
        if scores[k][0] > 0 and sum(1 for s, _ in scores if s > 0) >= 1 and len(cands) > 1:
            why = (f"the person doing the exercise ({exercise.replace('_', ' ')}): the largest repeated movement "
                   "of its signal") if exercise else \
                "the person exercising: the largest repeated movement of the exercise recognised in each person"
        else:
            why = "the largest, most central person (no one's movement stood out)"
    return cands[k], why, info


def people_doc(n_seen: int, chosen: int, choice: str | tuple[float, float], why: str,
               info: list[dict[str, object]]) -> dict[str, object]:
    """The report's account of the people (report.extra["people"])."""
    spec = choice if isinstance(choice, str) else f"{choice[0]:g},{choice[1]:g}"
    return {"seen": n_seen, "analysed": chosen, "person_option": spec, "why": why, "candidates": info}
