"""``backsafe eval``: run the product's own pipeline on labelled data and score it.

A manifest (JSON) lists items; each item is analysed with :func:`backsafe.pipeline.analyze_pose` exactly as
``backsafe analyze`` would, and the findings are compared with the labels:

- rep counting: a count is right when it lies between the full reps and full + partial reps;
- faults: precision / recall / F1 per fault code, at the unit the labels have (clip, rep, segment or frame);
  ``any`` is the binary "something is wrong" label of datasets that do not say which fault;
- every figure is given per split (``calib`` = used to set thresholds, ``test`` = never looked at while tuning).

Manifest format::

    {"name": "...", "root": "${SHARED}/datasets", "task": "faults|reps|segmentation",
     "ignore_codes": ["rushing"], "items": [ITEM, ...]}

ITEM kinds (``kind``): ``clip`` (a video or keypoint file; ``reps``, ``partial_reps``, ``labels``),
``uiprmd`` (an npz of pre-segmented reps, one item per rep, label from ``correct``; ``sensor`` kinect or
vicon), ``constructed`` (sets with an injected fault from tools/inject_faults.py, one item per set, label = the
injected code), ``csv_segments`` (Exercise-Correction CSV: one item per segment, per-frame labels mapped by
``label_map``), ``stage_reps`` (a stage-labelled CSV: reps counted from up/down labels), ``glob`` (files
matching a pattern, labels from the file name via ``name_labels``). ``${SHARED}`` is $BACKSAFE_SHARED_DIR or the
``shared`` folder beside the repo.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import BacksafeError, InputError
from .exercises import FAULT_CODES, get_exercise
from .model import Report

ANY = "any"


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
    shared = os.environ.get("BACKSAFE_SHARED_DIR")
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
    env = os.environ.get("BACKSAFE_POSE_CACHE")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("backsafe")) / "pose"


def _predicted_codes(report: Report, ignore: set[str], rep_index: int | None = None) -> dict[str, bool]:
    found = {f.code for f in report.findings if f.code not in ignore and (rep_index is None or f.rep == rep_index)}
    pred = {c: (c in found) for c in FAULT_CODES if c not in ignore}
    pred[ANY] = bool(found)
    return pred


def _labels(codes: list[str]) -> dict[str, bool]:
    lab = {c: True for c in codes if c != ANY}
    lab[ANY] = bool(codes)
    return lab


def item_options(item: dict[str, Any]) -> dict[str, Any]:
    """The analysis options a manifest item sets (fps, load, view, --back-shape, ...)."""
    keys = ("fps", "load_kg", "tempo", "view", "input_format", "body_mass_kg", "sex", "back_shape", "model")
    return {k: item[k] for k in keys if k in item}


def _analyze_file(path: Path, item: dict[str, Any]) -> Report:
    from .pipeline import analyze

    return analyze(path, item["exercise"], pose_cache_dir=pose_cache_dir(), **item_options(item))


def _iter_clip(m: dict[str, Any], root: Path, item: dict[str, Any], ignore: set[str]) -> Iterator[Outcome]:
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


def _iter_glob(m: dict[str, Any], root: Path, item: dict[str, Any], ignore: set[str]) -> Iterator[Outcome]:
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
        sub = dict(item) | {"file": str(p.relative_to(root)), "labels": labels, "split": split}
        yield from _iter_clip(m, root, sub, ignore)


def _iter_uiprmd(m: dict[str, Any], root: Path, item: dict[str, Any], ignore: set[str]) -> Iterator[Outcome]:
    """One outcome per stored rep. With ``"reference_episodes": [1, 2, 3]`` each subject's correct reps of those
    episodes become that person's reference (their calibration reps, COACHING_RULES §5 "first 3 reps") and are
    not scored; every other rep of the subject is judged against them. ``"sensor": "vicon"`` reads the Plug-in Gait
    markers of a ui_prmd/vicon file (default "kinect")."""
    from .io.keypoints import iter_uiprmd_reps
    from .pipeline import build_reference

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


def _iter_constructed(m: dict[str, Any], root: Path, item: dict[str, Any], ignore: set[str]) -> Iterator[Outcome]:
    """Sets with a known injected fault, written by tools/inject_faults.py (an npz of stacked sets: ``data``
    (ΣT, J, 4) world joints in metres, ``offsets``, per set ``subject``, ``code`` ("" = clean), ``scope``
    ("single": a one-rep set, "every": the fault in every rep of a three-rep set) and ``n_reps``). ``"scopes"``
    picks which sets to score; the split is by subject (``calib_subjects``), though nothing is fitted on them.
    An npz with ``space`` "image" (tools/inject_faults_2d.py: 2D keypoints in pixels, its ``image_size``) gives
    image-space sequences; without it the data are world joints in metres."""
    from .model import PoseSequence

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
    from .pipeline import AnalysisOptions, analyze_pose

    try:
        report = analyze_pose(pose, ex, AnalysisOptions(exercise=ex.id), {"path": out.item}, reference=reference)
    except BacksafeError as exc:
        out.error = str(exc)
        return out
    out.counted_reps = len(report.reps)
    out.predicted = _predicted_codes(report, ignore)
    out.detail = {"faults": sorted({f.code for f in report.findings}), **detail}
    return out


def frame_classes(report: Report, n: int, label_map: dict[str, list[str]]) -> list[str]:
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


def _iter_segments(m: dict[str, Any], root: Path, item: dict[str, Any], ignore: set[str]) -> Iterator[Outcome]:
    from .io.keypoints import load_blazepose_csv_segments
    from .pipeline import AnalysisOptions, analyze_pose

    ex = get_exercise(item["exercise"])
    label_map: dict[str, list[str]] = item["label_map"]
    for pose, meta in load_blazepose_csv_segments(root / item["file"], fps=float(item.get("fps", 30))):
        seg = meta.get("segment")
        labels = [str(x) for x in meta["labels"]]
        majority = max(set(labels), key=labels.count)
        split = item.get("split", "test")
        if "split_by_segment" in item and seg is not None:
            split = "calib" if int(seg) % 2 == (1 if item["split_by_segment"] == "odd" else 0) else "test"
        out = Outcome(m["name"], f"{item['file']}#seg{seg}", split, ex.id)
        out.labels = _labels(label_map.get(majority, []))
        out.frame_labels = labels
        try:
            report = analyze_pose(pose, ex, AnalysisOptions(exercise=ex.id, view=item.get("view")), {})
        except BacksafeError as exc:
            out.error = str(exc)
            yield out
            continue
        out.predicted = _predicted_codes(report, ignore)
        out.frame_pred = frame_classes(report, pose.n_frames, label_map)
        out.detail = {"faults": sorted({f.code for f in report.findings}), "label": majority,
                      "frames": pose.n_frames}
        yield out


def _iter_stage_reps(m: dict[str, Any], root: Path, item: dict[str, Any], ignore: set[str]) -> Iterator[Outcome]:
    """Reps from an up/down stage column: one rep = up → down → up, over the whole file in row order.

    The file's rows are frames in temporal order, but its segments are single-label stretches (it was cut at
    every label change and at every landmark jump), so a per-segment count is meaningless: the file is joined
    back into one sequence and counted once, as the labels count it (a leading or trailing "down" run is a
    partial rep).
    """
    from .io.keypoints import load_blazepose_csv_segments
    from .pipeline import AnalysisOptions, analyze_pose

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
        m = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a readable manifest ({exc})") from exc
    root = resolve_root(path, m.get("root", "."))
    ignore = set(m.get("ignore_codes", []))
    outcomes: list[Outcome] = []
    for item in m["items"]:
        item = {**item, "model": model} if model != "full" else item
        kind = item.get("kind", "clip")
        if kind not in ITERATORS:
            raise InputError(f"{path}: unknown item kind {kind!r}")
        outcomes.extend(ITERATORS[kind](m, root, item, ignore))
    return outcomes


# ---------------------------------------------------------------- metrics


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    f = 2 * p * r / (p + r) if tp and (p + r) else (0.0 if (tp + fp + fn) else float("nan"))
    return p, r, f


def code_metrics(outcomes: list[Outcome]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and balanced accuracy per fault code over units that carry a label for it.

    A unit labelled with specific codes is a negative for every other code of the same manifest's label set.
    """
    per: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    label_space: dict[str, set[str]] = defaultdict(set)
    for o in outcomes:
        label_space[o.manifest] |= set(o.labels)
    for o in outcomes:
        if o.error or not o.predicted:
            continue
        for code in label_space[o.manifest]:
            per[code].append((o.labels.get(code, False), o.predicted.get(code, False)))
    out = {}
    for code, pairs in per.items():
        y = np.array([a for a, _ in pairs])
        p = np.array([b for _, b in pairs])
        tp, fp, fn, tn = int((y & p).sum()), int((~y & p).sum()), int((y & ~p).sum()), int((~y & ~p).sum())
        pr, rc, f1 = prf(tp, fp, fn)
        tpr = tp / (tp + fn) if tp + fn else float("nan")
        tnr = tn / (tn + fp) if tn + fp else float("nan")
        ba = np.nanmean([tpr, tnr]) if np.isfinite([tpr, tnr]).any() else float("nan")
        out[code] = {"n": len(pairs), "positives": int(y.sum()), "precision": pr, "recall": rc, "f1": f1,
                     "balanced_accuracy": float(ba)}
    return out


def frame_macro_f1(outcomes: list[Outcome]) -> float | None:
    ys: list[str] = []
    ps: list[str] = []
    for o in outcomes:
        if o.frame_labels is not None and o.frame_pred is not None:
            ys += o.frame_labels
            ps += o.frame_pred
    if not ys:
        return None
    f1s = []
    for c in sorted(set(ys)):
        tp = sum(1 for a, b in zip(ys, ps) if a == c and b == c)
        fp = sum(1 for a, b in zip(ys, ps) if a != c and b == c)
        fn = sum(1 for a, b in zip(ys, ps) if a == c and b != c)
        f1s.append(prf(tp, fp, fn)[2])
    return float(np.nanmean(f1s))


def rep_metrics(outcomes: list[Outcome]) -> dict[str, float] | None:
    rows = [o for o in outcomes if o.expected_reps is not None]
    if not rows:
        return None
    right = off1 = 0
    abs_err = []
    for o in rows:
        lo, hi = o.expected_reps  # type: ignore[misc]
        c = o.counted_reps if o.counted_reps is not None else -99
        err = 0 if lo <= c <= hi else min(abs(c - lo), abs(c - hi))
        abs_err.append(err)
        right += err == 0
        off1 += err <= 1
    return {"n": len(rows), "right": right / len(rows), "within_one": off1 / len(rows),
            "mean_abs_error": float(np.mean(abs_err))}


def summarise_outcomes(outcomes: list[Outcome]) -> dict[str, Any]:
    res: dict[str, Any] = {}
    for split in ("calib", "test", "all"):
        sub = [o for o in outcomes if split == "all" or o.split == split]
        if not sub:
            continue
        entry: dict[str, Any] = {"units": len(sub), "errors": sum(1 for o in sub if o.error)}
        cm = code_metrics(sub)
        if cm:
            entry["codes"] = cm
        fm = frame_macro_f1(sub)
        if fm is not None:
            entry["frame_macro_f1"] = fm
            seg = [o for o in sub if o.frame_labels is not None and not o.error]
            entry["segments_right"] = sum(
                1 for o in seg if max(set(o.frame_pred or []), key=(o.frame_pred or []).count) == o.detail.get("label")
            ) / max(1, len(seg))
        rm = rep_metrics(sub)
        if rm:
            entry["reps"] = rm
        clean = [o for o in sub if not o.error and o.predicted and o.labels and not any(o.labels.values())]
        if clean:  # units with no fault at all: the share that got any finding (the noise rate)
            entry["clean_flagged"] = {"n": len(clean), "share": sum(o.predicted.get(ANY, False) for o in clean)
                                      / len(clean)}
        exercises = sorted({o.exercise for o in sub})
        if len(exercises) > 1 and cm:
            entry["by_exercise"] = {ex: code_metrics([o for o in sub if o.exercise == ex]) for ex in exercises}
        res[split] = entry
    return res


def run_eval(dataset_dir: Path, out: Path | None = None, subset: str | None = None, console: Any = None,
             model: str = "full") -> dict[str, Any]:
    """Evaluate every manifest in ``dataset_dir`` (or one manifest file); print tables; return the results."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    paths = [dataset_dir] if dataset_dir.is_file() else sorted(dataset_dir.glob("*.json"))
    if subset:
        paths = [p for p in paths if subset in p.name]
    if not paths:
        raise InputError(f"{dataset_dir}: no manifest (*.json) found")
    results: dict[str, Any] = {}
    for p in paths:
        outcomes = evaluate_manifest(p, model)
        summary = summarise_outcomes(outcomes)
        results[p.stem] = {
            "summary": summary,
            "units": [
                {"item": o.item, "split": o.split, "expected_reps": o.expected_reps, "counted_reps": o.counted_reps,
                 "labels": o.labels, "predicted": {k: v for k, v in o.predicted.items() if v}, "error": o.error,
                 "detail": o.detail}
                for o in outcomes
            ],
        }
        table = Table(title=f"{p.stem}")
        for col in ("split", "code", "n", "pos", "precision", "recall", "F1", "bal.acc"):
            table.add_column(col)
        for split, entry in summary.items():
            for code, mm in entry.get("codes", {}).items():
                table.add_row(split, code, str(mm["n"]), str(mm["positives"]), f"{mm['precision']:.2f}",
                              f"{mm['recall']:.2f}", f"{mm['f1']:.2f}", f"{mm['balanced_accuracy']:.2f}")
            if "frame_macro_f1" in entry:
                table.add_row(split, "frames", "", "", "", "", f"{entry['frame_macro_f1']:.3f}",
                              f"seg {entry['segments_right']:.2f}")
            for ex_id, codes in entry.get("by_exercise", {}).items():
                for code, mm in codes.items():
                    table.add_row(split, f"{code} [{ex_id}]", str(mm["n"]), str(mm["positives"]),
                                  f"{mm['precision']:.2f}", f"{mm['recall']:.2f}", f"{mm['f1']:.2f}",
                                  f"{mm['balanced_accuracy']:.2f}")
            if "clean_flagged" in entry:
                cf = entry["clean_flagged"]
                table.add_row(split, "clean units flagged", str(cf["n"]), "", "", "", "", f"{cf['share']:.2f}")
            if "reps" in entry:
                r = entry["reps"]
                table.add_row(split, "rep count", str(r["n"]), "", f"right {r['right']:.2f}",
                              f"±1 {r['within_one']:.2f}", f"MAE {r['mean_abs_error']:.2f}", "")
        console.print(table)
        bad = [o for o in outcomes if o.error]
        for o in bad[:10]:
            console.print(f"  [yellow]{o.item}[/]: {o.error}")
    if out is not None:
        from .report.json_report import write_atomic

        write_atomic(out, json.dumps(results, indent=1, default=lambda x: None) + "\n")
    return results


# ---------------------------------------------------------------- exercise recognition (issue 16)

#: the family each labelled source's exercise belongs to (recognition.py families)
RECOGNITION_SOURCES: dict[str, dict[str, str]] = {
    "pose_trainer": {"bicep": "curl", "frontraise": "press_raise_row", "shoulderpress": "press_raise_row",
                     "shouldershrug": "press_raise_row"},
    "ui_prmd": {"m01_deep_squat": "squat", "m02_hurdle_step": "lunge", "m03_inline_lunge": "lunge",
                "m04_side_lunge": "lunge", "m05_sit_to_stand": "squat"},
    "exercise_correction": {"plank/plank_test.csv": "pushup_plank", "bicep_curl/bicep_curl_test.csv": "curl",
                            "lunge/lunge_err_test.csv": "lunge", "lunge/lunge_stage_test.csv": "lunge",
                            "squat/squat_stage_train.csv": "squat"},
}
CLIP_FAMILY = {"squat": "squat", "goblet_squat": "squat", "back_squat": "squat", "split_squat": "lunge",
               "side_lunge": "lunge", "lunge": "lunge", "deadlift": "hinge", "good_morning": "hinge",
               "bicep_curl": "curl", "burpee": "jump", "jumping_jack": "jump", "plank": "pushup_plank"}


def evaluate_recognition(datasets: Path, videos: bool = True, window_s: float = 5.0) -> dict[str, Any]:
    """Family-level recognition accuracy per source, without ``--exercise``: every real clip with a known
    exercise (clips/, videos/, YFGD deadlifts; MediaPipe keypoints through the pose cache), every Pose Trainer file,
    every UI-PRMD Kinect and Vicon rep (single reps), and Exercise-Correction CSVs cut into ``window_s`` windows of
    the joined file (its segments are single-label stretches, too short on their own). Returns
    ``{source: {"n", "right", "accuracy", "wrong": [(item, truth, got)]}}``."""
    from .io.keypoints import iter_uiprmd_reps, load_blazepose_csv_segments, load_keypoints
    from .model import PoseSequence
    from .pipeline import AnalysisOptions, _clean_and_measure, load_pose
    from .recognition import recognise

    out: dict[str, Any] = {}

    def add(source: str, item: str, truth: str, pose: PoseSequence) -> None:
        cleaned, _, kin = _clean_and_measure(pose)
        got = recognise(cleaned, kin).family
        e = out.setdefault(source, {"n": 0, "right": 0, "wrong": []})
        e["n"] += 1
        if got == truth:
            e["right"] += 1
        else:
            e["wrong"].append((item, truth, got))

    if videos:
        opts = AnalysisOptions(exercise="", pose_cache_dir=pose_cache_dir())
        clips = [(f"clips/{it['file']}", it["exercise"]) for it in
                 json.loads((datasets / "clips" / "manifest.json").read_text(encoding="utf-8"))]
        clips += [("videos/rohanx01_squat_side.mp4", "back_squat"), ("videos/sports2d_demo.mp4", "jumping_jack"),
                  ("pose_trainer/sample_bicep_curl.mp4", "bicep_curl")]
        clips += [(str(p.relative_to(datasets)), "deadlift") for p in sorted((datasets / "yfgd_deadlift").glob("*/*.mp4"))]
        for rel, ex in clips:
            add("yfgd" if rel.startswith("yfgd") else "clips+videos", rel, CLIP_FAMILY[ex],
                load_pose(datasets / rel, opts)[0])
    for sub, fam in RECOGNITION_SOURCES["pose_trainer"].items():
        for f in sorted((datasets / "pose_trainer" / sub).glob("*.npy")):
            add("pose_trainer", f"{sub}/{f.name}", fam, load_keypoints(f, input_format="coco18-npy", fps=30))
    for sensor in ("kinect", "vicon"):
        for mv, fam in RECOGNITION_SOURCES["ui_prmd"].items():
            for pose, meta in iter_uiprmd_reps(datasets / f"ui_prmd/{sensor}/{mv}.npz", sensor):
                add(f"ui_prmd_{sensor}", f"{mv}#s{meta['subject']}e{meta['episode']}", fam, pose)
    for rel, fam in RECOGNITION_SOURCES["exercise_correction"].items():
        segs = load_blazepose_csv_segments(datasets / "exercise_correction" / rel, fps=30)
        data = np.concatenate([p.data for p, _ in segs])
        win = int(window_s * 30)
        for k in range(0, data.shape[0] - win + 1, win):
            pose = segs[0][0].replace(data=data[k:k + win], timestamps_s=np.arange(win) / 30.0)
            add("exercise_correction", f"{rel}@{k}", fam, pose)
    for e in out.values():
        e["accuracy"] = e["right"] / e["n"] if e["n"] else float("nan")
    return out
