"""Exercise recognition without ``--exercise`` (issue 16), scored at the family level on every labelled source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from .items import pose_cache_dir

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
    from ..io.keypoints import iter_uiprmd_reps, load_blazepose_csv_segments, load_keypoints
    from ..model import PoseSequence
    from ..pipeline import AnalysisOptions, _clean_and_measure, load_pose
    from ..recognition import recognise

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
