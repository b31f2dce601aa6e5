"""Trivial baselines for the UI-PRMD target of issue [2/7], on the same held-out split as `backsafe eval`.

Usage: python tools/uiprmd_baselines.py [--sensor kinect|vicon]

The issue asks whether the product beats what a single threshold or a plain logistic regression already gets.
This script measures both on the product's own kinematics, with the eval's split (subjects 1-4 fit, 5-7 are
scored) and the eval's scored reps (each subject's correct episodes 1-3 are their reference and not scored):

* **trunk threshold**: the peak trunk inclination of a rep against one cut per movement, direction and cut
  chosen for the best balanced accuracy on subjects 1-4 (population rule, no reference);
* **logistic regression, 12 angles**: peak trunk inclination and lateral lean, hip and knee flexion, pelvis
  tilt, hip yaw, frontal knee angles and shoulder elevation (both sides), standardised on subjects 1-4, one
  model per movement, L2 = 1 (population, no reference);
* **logistic regression, 12 angles minus the person's reference**: the same peaks minus the median of the
  person's reference reps, with their absolute values (24 inputs) - a learned rival to the §5 reference rule.

It prints balanced accuracy per movement and the mean. Nothing here feeds the product.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np

from backsafe.evaluation import resolve_root
from backsafe.exercises import get_exercise
from backsafe.io.keypoints import iter_uiprmd_reps
from backsafe.pipeline import AnalysisOptions, analyze_pose

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / "eval" / "manifests" / "uiprmd_reference.json"
FEATURES = (
    "trunk_inclination_deg", "trunk_lateral_lean_deg", "hip_flexion_left_deg", "hip_flexion_right_deg",
    "knee_flexion_left_deg", "knee_flexion_right_deg", "pelvis_tilt_deg", "hip_yaw_deg", "fppa_left_deg",
    "fppa_right_deg", "shoulder_elevation_left_deg", "shoulder_elevation_right_deg",
)  # fmt: skip
CALIB = {1, 2, 3, 4}
REFERENCE_EPISODES = {1, 2, 3}


def rep_peaks(pose, ex) -> list[float]:  # type: ignore[no-untyped-def]
    """Peak of each feature over the found reps (0 where a feature is never measured)."""
    r = analyze_pose(pose, ex, AnalysisOptions(exercise=ex.id), {"path": "baseline"})
    span = slice(r.reps[0].start_frame, r.reps[-1].end_frame + 1) if r.reps else slice(None)
    out = []
    for name in FEATURES:
        v = np.asarray(r.kinematics.series.get(name, np.array([np.nan])), dtype=float)[span]
        out.append(float(np.nanmax(v)) if np.isfinite(v).any() else 0.0)
    return out


def balanced_accuracy(pred: np.ndarray, y: np.ndarray) -> float:
    return float(0.5 * (pred[y].mean() + (~pred[~y]).mean()))


def logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> np.ndarray:
    """Weights (last = intercept) of an L2 logistic regression, by Newton's method."""
    x1 = np.c_[x, np.ones(len(x))]
    w = np.zeros(x1.shape[1])
    penalty = l2 * np.r_[np.ones(x.shape[1]), 0.0]
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-x1 @ w))
        grad = x1.T @ (p - y) + penalty * w
        hess = x1.T @ (x1 * (p * (1 - p))[:, None]) + np.diag(penalty)
        w -= np.linalg.solve(hess, grad)
    return w


def fit_and_score(x: np.ndarray, y: np.ndarray, calib: np.ndarray) -> float:
    mu, sd = x[calib].mean(0), x[calib].std(0) + 1e-9
    w = logistic((x[calib] - mu) / sd, y[calib].astype(float))
    test = ~calib
    return balanced_accuracy(np.c_[(x[test] - mu) / sd, np.ones(test.sum())] @ w > 0, y[test])


def main() -> None:
    warnings.simplefilter("ignore")
    sensor = sys.argv[sys.argv.index("--sensor") + 1] if "--sensor" in sys.argv else "kinect"
    manifest = json.loads(MANIFEST.read_text())
    root = resolve_root(MANIFEST, manifest["root"])
    rows: dict[str, list[list[float]]] = {"trunk": [], "lr": [], "lr_ref": []}
    for item in manifest["items"]:
        ex = get_exercise(item["exercise"])
        path = root / (item["file"].replace("/kinect/", "/vicon/") if sensor == "vicon" else item["file"])
        reps = [(rep_peaks(pose, ex), meta) for pose, meta in iter_uiprmd_reps(path, sensor)]
        is_ref = np.array([m["correct"] and m["episode"] in REFERENCE_EPISODES for _, m in reps])
        subj = np.array([m["subject"] for _, m in reps])
        x_all = np.array([f for f, _ in reps])
        ref_median = {s: np.median(x_all[is_ref & (subj == s)], axis=0) for s in set(subj.tolist())}
        keep = ~is_ref
        x, s, y = x_all[keep], subj[keep], np.array([not m["correct"] for _, m in reps])[keep]
        calib = np.isin(s, list(CALIB))
        trunk = x[:, 0]
        _, sign, cut = max((balanced_accuracy(d * trunk[calib] > c, y[calib]), d, c)
                           for d in (1.0, -1.0) for c in np.unique(d * trunk[calib]))
        rows["trunk"].append([balanced_accuracy(sign * trunk[~calib] > cut, y[~calib])])
        rows["lr"].append([fit_and_score(x, y, calib)])
        rel = x - np.array([ref_median[k] for k in s])
        rows["lr_ref"].append([fit_and_score(np.c_[rel, np.abs(rel)], y, calib)])
    names = {"trunk": "trunk threshold", "lr": "logistic regression, 12 angles",
             "lr_ref": "logistic regression, 12 angles minus the person's reference"}
    print(f"UI-PRMD {sensor}, held-out subjects 5-7, balanced accuracy per movement (m01-m05) and mean")
    for key, label in names.items():
        ba = [r[0] for r in rows[key]]
        print(f"  {label:62s} {' '.join(f'{b:.2f}' for b in ba)}  mean {np.mean(ba):.3f}")


if __name__ == "__main__":
    main()
