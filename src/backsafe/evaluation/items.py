"""The manifest's items, one iterator per ``kind``: each analyses its unit with the product's own pipeline and
returns an :class:`Outcome` (labels, prediction, rep count). See the package docstring for the manifest format."""


from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

import numpy as np

from .. import settings
from ..errors import BacksafeError, InputError
from ..exercises import FAULT_CODES, get_exercise
from ..model import ReportData, View

ANY = "any"


class ManifestItem(TypedDict, total=False):
    """One entry of a manifest's ``items``: what each ``kind`` reads (the package docstring describes them), and
    the analysis options an item may set (:func:`item_options`)."""

    kind: str
    file: str
    pattern: str
    exercise: str
    split: str
    reps: int
    partial_reps: int
    labels: list[str]
    name_labels: dict[str, list[str]]
    split_by_number: str
    split_by_segment: str
    calib_subjects: list[int]
    reference_episodes: list[int]
    sensor: str
    scopes: list[str]
    label_map: dict[str, list[str]]
    down_label: str
    fps: float
    load_kg: float | str
    tempo: str
    view: View
    input_format: str
    body_mass_kg: float
    sex: str
    back_shape: bool
    model: str


class Manifest(TypedDict, total=False):
    """A manifest file (eval/manifests/*.json)."""

    name: str
    task: str
    root: str
    description: str
    ignore_codes: list[str]
    items: list[ManifestItem]


@dataclass(slots=True)
class Outcome:
    """One evaluated unit (clip, rep, segment)."""

    manifest: str
    item: str
    split: str
    exercise: str
    expected_reps: tuple[int, int] | None = None
    counted_reps: int | None = None
    labels: dict[str, bool] = field(default_factory=dict)  # code -> present (unit level)
    predicted: dict[str, bool] = field(default_factory=dict)
    frame_labels: list[str] | None = None  # per-frame class labels (segments)
    frame_pred: list[str] | None = None
    error: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def resolve_root(manifest_path: Path, root: str) -> Path:
    shared = settings.shared_dir()
    if shared is None:
        for parent in manifest_path.resolve().parents:
            cand = parent.parent / "shared"
            if (cand / "datasets").is_dir():
                shared = str(cand)
                break
    if "${SHARED}" in root:
        if shared is None:
            raise InputError(f"{manifest_path}: needs the shared datasets; set BACKSAFE_SHARED_DIR")
        root = root.replace("${SHARED}", shared)
    p = Path(root)
    return p if p.is_absolute() else (manifest_path.parent / p).resolve()


def pose_cache_dir() -> Path:
    """Where evaluation runs keep MediaPipe keypoints of the labelled clips: BACKSAFE_POSE_CACHE, else the user's
    cache folder (keyed by each clip's content, so calibration, eval and bench share one cache)."""
    env = settings.pose_cache_dir()
    if env is not None:
        return env
    import platformdirs

    return Path(platformdirs.user_cache_dir("backsafe")) / "pose"


def _predicted_codes(report: ReportData, ignore: set[str], rep_index: int | None = None) -> dict[str, bool]:
    found = {f.code for f in report.findings if f.code not in ignore and (rep_index is None or f.rep == rep_index)}
    pred = {c: (c in found) for c in FAULT_CODES if c not in ignore}
    pred[ANY] = bool(found)
    return pred


def majority(labels: list[str]) -> str | None:
    """The most frequent label; a tie goes to the first in sorted order (the same whatever the hash seed)."""
    return max(sorted(set(labels)), key=labels.count) if labels else None


def _labels(codes: list[str]) -> dict[str, bool]:
    lab = {c: True for c in codes if c != ANY}
    lab[ANY] = bool(codes)
    return lab


def item_options(item: ManifestItem) -> dict[str, Any]:
    """The analysis options a manifest item sets (fps, load, view, --back-shape, ...), as keyword arguments."""
    keys = ("fps", "load_kg", "tempo", "view", "input_format", "body_mass_kg", "sex", "back_shape", "model")
    given: Mapping[str, object] = item
    return {k: given[k] for k in keys if k in given}


def _analyze_file(path: Path, item: ManifestItem) -> ReportData:
    from ..pipeline import analyze

    return analyze(path, item["exercise"], pose_cache_dir=pose_cache_dir(), **item_options(item))


def _iter_clip(m: Manifest, root: Path, item: ManifestItem, ignore: set[str]) -> Iterator[Outcome]:
    path = root / item["file"]
    out = Outcome(m["name"], item["file"], item.get("split", "test"), item["exercise"])
    if "reps" in item:
        out.expected_reps = (int(item["reps"]), int(item["reps"]) + int(item.get("partial_reps", 0)))
    if "labels" in item:
        out.labels = _labels(item["labels"])
    try:
        report = _analyze_file(path, item)
    except BacksafeError as exc:
        out.error = str(exc)
        yield out
        return
    out.counted_reps = report.rep_count
    out.predicted = _predicted_codes(report, ignore)
    out.detail = {"view": report.view, "faults": sorted({f.code for f in report.findings})}
    yield out


def _iter_glob(m: Manifest, root: Path, item: ManifestItem, ignore: set[str]) -> Iterator[Outcome]:
    files = sorted(p for p in root.glob(item["pattern"]) if p.is_file())
    split_rule = item.get("split_by_number")  # {"calib": "odd"} → odd-numbered files calibrate
    for p in files:
        labels: list[str] = []
        matched = False
        for pat, codes in item["name_labels"].items():
            if fnmatch.fnmatch(p.name, pat):
                labels, matched = codes, True
                break
        if not matched:
            continue
        split = item.get("split", "test")
        if split_rule:
            num = re.findall(r"(\d+)", p.stem)
            n = int(num[-1]) if num else 0
            split = "calib" if (n % 2 == 1) == (split_rule == "odd") else "test"
        sub: ManifestItem = {**item, "file": str(p.relative_to(root)), "labels": labels, "split": split}
        yield from _iter_clip(m, root, sub, ignore)


def _iter_uiprmd(m: Manifest, root: Path, item: ManifestItem, ignore: set[str]) -> Iterator[Outcome]:
    """One outcome per stored rep. With ``"reference_episodes": [1, 2, 3]`` each subject's correct reps of those
    episodes become that person's reference (their calibration reps, COACHING_RULES §5 "first 3 reps") and are
    not scored; every other rep of the subject is judged against them. ``"sensor": "vicon"`` reads the Plug-in Gait
    markers of a ui_prmd/vicon file (default "kinect")."""
    from ..io.keypoints import iter_uiprmd_reps
    from ..pipeline import build_reference

    ex = get_exercise(item["exercise"])
    calib = set(item.get("calib_subjects", []))
    ref_episodes = set(item.get("reference_episodes", []))
    reps = list(iter_uiprmd_reps(root / item["file"], item.get("sensor", "kinect")))
    references: dict[int, Any] = {}
    if ref_episodes:
        for pose, meta in reps:
            if meta["correct"] and meta["episode"] in ref_episodes:
                s = int(meta["subject"])
                references[s] = build_reference(pose, ex, f"s{s}e{meta['episode']}", into=references.get(s),
                                                one_rep=True)
    for pose, meta in reps:
        if ref_episodes and meta["correct"] and meta["episode"] in ref_episodes:
            continue
        split = "calib" if meta["subject"] in calib else "test"
        name = f"{item['file']}#s{meta['subject']}e{meta['episode']}{'' if meta['correct'] else '_inc'}"
        out = Outcome(m["name"], name, split, ex.id, expected_reps=(1, 1))
        out.labels = {ANY: not meta["correct"]}
        yield _judged(out, pose, ex, ignore, {"subject": meta["subject"]},
                      reference=references.get(int(meta["subject"])))


def _iter_constructed(m: Manifest, root: Path, item: ManifestItem, ignore: set[str]) -> Iterator[Outcome]:
    """Sets with a known injected fault, written by tools/inject_faults.py (an npz of stacked sets: ``data``
    (ΣT, J, 4) world joints in metres, ``offsets``, per set ``subject``, ``code`` ("" = clean), ``scope``
    ("single": a one-rep set, "every": the fault in every rep of a three-rep set) and ``n_reps``). ``"scopes"``
    picks which sets to score; the split is by subject (``calib_subjects``), though nothing is fitted on them.
    An npz with ``space`` "image" (tools/inject_faults_2d.py: 2D keypoints in pixels, its ``image_size``) gives
    image-space sequences; without it the data are world joints in metres."""
    from ..model import PoseSequence

    p = root / item["file"]
    if not p.is_file():
        raise InputError(f"{p}: missing; build it first with tools/inject_faults.py")
    ex = get_exercise(item["exercise"])
    calib = set(item.get("calib_subjects", []))
    scopes = set(item.get("scopes", ["single", "every"]))
    with np.load(p, allow_pickle=False) as z:
        data, offsets, fps = z["data"], z["offsets"], float(z["fps"])
        subject, code, scope, n_reps, source = z["subject"], z["code"], z["scope"], z["n_reps"], str(z["source"])
        image = "space" in z.files and str(z["space"]) == "image"
        size = (int(z["image_size"][0]), int(z["image_size"][1])) if image else None
    for i in range(len(offsets) - 1):
        if str(scope[i]) not in scopes:
            continue
        x = data[offsets[i]: offsets[i + 1]]
        c = str(code[i])
        name = f"{item['file']}#s{int(subject[i])}_{scope[i]}_{c or 'clean'}"
        out = Outcome(m["name"], name, "calib" if int(subject[i]) in calib else "test", ex.id,
                      expected_reps=(int(n_reps[i]), int(n_reps[i])))
        out.labels = _labels([c] if c else [])
        pose = PoseSequence(data=x, timestamps_s=np.arange(x.shape[0]) / fps, space="image" if image else "world",
                            image_size=size, source=source)
        yield _judged(out, pose, ex, ignore, {"subject": int(subject[i]), "scope": str(scope[i]), "injected": c})


def _judged(out: Outcome, pose: Any, ex: Any, ignore: set[str], detail: dict[str, Any],
            reference: Any = None) -> Outcome:
    """``out`` with the analysis of one keypoint set (its rep count, judged codes and detail), or its error."""
    from ..pipeline import AnalysisOptions, analyze_pose

    try:
        report = analyze_pose(pose, ex, AnalysisOptions(exercise=ex.id), {"path": out.item}, reference=reference)
    except BacksafeError as exc:
        out.error = str(exc)
        return out
    out.counted_reps = len(report.reps)
    out.predicted = _predicted_codes(report, ignore)
    out.detail = {"faults": sorted({f.code for f in report.findings}), **detail}
    return out


def frame_classes(report: ReportData, n: int, label_map: dict[str, list[str]]) -> list[str]:
    """Per-frame predicted class: the first label whose fault codes cover the frame, else the clean label."""
    clean = next((k for k, v in label_map.items() if not v), "C")
    pred = [clean] * n
    spans = {r.index: (r.start_frame, r.end_frame) for r in report.reps}
    for f in report.findings:
        for lab, codes in label_map.items():
            if f.code in codes:
                # a finding is about its whole rep (or hold): every frame of that rep carries it
                a, b = spans.get(f.rep, f.frames)
                for i in range(max(0, a), min(n, b + 1)):
                    pred[i] = lab
    return pred


def _iter_segments(m: Manifest, root: Path, item: ManifestItem, ignore: set[str]) -> Iterator[Outcome]:
    from ..io.keypoints import load_blazepose_csv_segments
    from ..pipeline import AnalysisOptions, analyze_pose

    ex = get_exercise(item["exercise"])
    label_map: dict[str, list[str]] = item["label_map"]
    for pose, meta in load_blazepose_csv_segments(root / item["file"], fps=float(item.get("fps", 30))):
        seg = meta.get("segment")
        labels = [str(x) for x in meta["labels"]]
        main_label = majority(labels)
        split = item.get("split", "test")
        if "split_by_segment" in item and seg is not None:
            split = "calib" if int(seg) % 2 == (1 if item["split_by_segment"] == "odd" else 0) else "test"
        out = Outcome(m["name"], f"{item['file']}#seg{seg}", split, ex.id)
        out.labels = _labels(label_map.get(main_label or "", []))
        out.frame_labels = labels
        try:
            report = analyze_pose(pose, ex, AnalysisOptions(exercise=ex.id, view=item.get("view")), {})
        except BacksafeError as exc:
            out.error = str(exc)
            yield out
            continue
        out.predicted = _predicted_codes(report, ignore)
        out.frame_pred = frame_classes(report, pose.n_frames, label_map)
        out.detail = {"faults": sorted({f.code for f in report.findings}), "label": main_label,
                      "frames": pose.n_frames}
        yield out


def _iter_stage_reps(m: Manifest, root: Path, item: ManifestItem, ignore: set[str]) -> Iterator[Outcome]:
    """Reps from an up/down stage column: one rep = up → down → up, over the whole file in row order.

    The file's rows are frames in temporal order, but its segments are single-label stretches (it was cut at
    every label change and at every landmark jump), so a per-segment count is meaningless: the file is joined
    back into one sequence and counted once, as the labels count it (a leading or trailing "down" run is a
    partial rep).
    """
    from ..io.keypoints import load_blazepose_csv_segments
    from ..pipeline import AnalysisOptions, analyze_pose

    ex = get_exercise(item["exercise"])
    down = item.get("down_label", "down")
    fps = float(item.get("fps", 30))
    segments = load_blazepose_csv_segments(root / item["file"], fps=fps)
    data = np.concatenate([p.data for p, _ in segments])
    labels = [str(x) for _, mm in segments for x in mm["labels"]]
    pose = segments[0][0].replace(data=data, timestamps_s=np.arange(data.shape[0]) / fps)
    runs = [labels[0]] + [b for a, b in zip(labels, labels[1:]) if a != b]
    n_down = sum(1 for r in runs if r == down)
    full = sum(1 for i, r in enumerate(runs) if r == down and 0 < i < len(runs) - 1)
    out = Outcome(m["name"], item["file"], item.get("split", "test"), ex.id, expected_reps=(full, n_down))
    try:
        report = analyze_pose(pose, ex, AnalysisOptions(exercise=ex.id), {})
    except BacksafeError as exc:
        out.error = str(exc)
        yield out
        return
    out.counted_reps = report.rep_count
    yield out


ITERATORS = {
    "clip": _iter_clip,
    "glob": _iter_glob,
    "uiprmd": _iter_uiprmd,
    "csv_segments": _iter_segments,
    "stage_reps": _iter_stage_reps,
    "constructed": _iter_constructed,
}


def evaluate_manifest(path: Path, model: str = "full") -> list[Outcome]:
    """Every item of a manifest analysed and scored; ``model``: the pose model size for its videos."""
    try:
        m: Manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a readable manifest ({exc})") from exc
    root = resolve_root(path, m.get("root", "."))
    ignore = set(m.get("ignore_codes", []))
    outcomes: list[Outcome] = []
    for item in m["items"]:
        if model != "full":
            item = {**item, "model": model}
        kind = item.get("kind", "clip")
        if kind not in ITERATORS:
            raise InputError(f"{path}: unknown item kind {kind!r}")
        outcomes.extend(ITERATORS[kind](m, root, item, ignore))
    return outcomes
