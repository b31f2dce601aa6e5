"""The back's outline in the default run ([2/6]): back_rounding on the YFGD deadlifts and flags on clean real clips.

    BACKSAFE_POSE_CACHE=.cache/pose python tools/outline_eval.py [--out outline-eval.json]

- YFGD (eval/manifests/deadlift.json, no licence: evaluation only): balanced accuracy of "back_rounding found"
  against Good/Bad per clip, all 14 clips and the held-out split (5, 6, 8, 9) alone.
- Clean clips (../shared/datasets/clips/manifest.json entries with no visible fault; exercise ids as
  eval/manifests/rep_count.json gives them): the share flagged with back_rounding, and with any fault but rushing
  (issue 16 must-show 1 counts any fault; rushing is the tempo helper's and is listed apart).
- Every clip: whether the outline was traced (``back_outline`` state and reasons), frames traced, and the seconds
  the outline took (decode of the wanted stretches + segmentation; pose comes from the cache).

Runs the product's default analysis (no options: the outline is on by default) through backsafe.pipeline.analyze.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def _root() -> Path:
    shared = Path(os.environ.get("BACKSAFE_SHARED", REPO.parent / "shared"))
    return shared / "datasets"


def _run(path: Path, exercise: str) -> dict[str, Any]:
    import backsafe.pipeline as pipeline
    from backsafe.kinematics.back_contour import outline_timer

    cache = os.environ.get("BACKSAFE_POSE_CACHE")
    with outline_timer() as spent:
        r = pipeline.analyze(path, exercise, pose_cache_dir=Path(cache) if cache else None)
    codes = sorted({f.code for f in r.findings})
    return {"file": str(path), "exercise": exercise, "view": r.view, "reps": r.rep_count, "codes": codes,
            "back_rounding": "back_rounding" in codes,
            "outline": r.extra.get("back_outline"), "back_shape": r.extra.get("back_shape", []),
            "frames_traced": sum(b["frames_traced"] for b in r.extra.get("back_shape", [])),
            "outline_s": round(spent[0], 3)}


def _ba(rows: list[dict[str, Any]]) -> float | None:
    pos = [r for r in rows if r["bad"]]
    neg = [r for r in rows if not r["bad"]]
    if not pos or not neg:
        return None
    tpr = sum(bool(r["back_rounding"]) for r in pos) / len(pos)
    tnr = sum(not r["back_rounding"] for r in neg) / len(neg)
    return float((tpr + tnr) / 2)


def main() -> int:
    import warnings

    warnings.filterwarnings("ignore", category=RuntimeWarning)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    root = _root()
    if not root.is_dir():
        print(f"{root}: not found (set BACKSAFE_SHARED)", file=sys.stderr)
        return 2
    yfgd: list[dict[str, Any]] = []
    for item in json.loads((REPO / "eval" / "manifests" / "deadlift.json").read_text())["items"]:
        row = _run(root / item["file"], item["exercise"])
        row.update(bad=bool(item["labels"]), split=item.get("split"))
        yfgd.append(row)
        print(f"{item['file']:34s} {'Bad ' if row['bad'] else 'Good'} {row['split']:5s} view {row['view']:7s} "
              f"outline {row['outline']['state'] if row['outline'] else '-':10s} "
              f"sagitta {[b['sagitta_rel'] for b in row['back_shape']]} -> {row['codes']} ({row['outline_s']} s)",
              flush=True)
    ids = {Path(i["file"]).name: i["exercise"] for i in
           json.loads((REPO / "eval" / "manifests" / "rep_count.json").read_text())["items"]
           if str(i["file"]).startswith("clips/")}
    ids.setdefault("plank_side_dark_RJ-song.mp4", "plank")
    clean: list[dict[str, Any]] = []
    for entry in json.loads((root / "clips" / "manifest.json").read_text()):
        if entry.get("faults_visible"):
            continue
        ex = ids.get(entry["file"], entry["exercise"])
        row = _run(root / "clips" / entry["file"], ex)
        clean.append(row)
        o = row["outline"] or {}
        print(f"clips/{entry['file']:40s} {ex:14s} view {row['view']:7s} outline {o.get('state', '-'):10s} "
              f"{o.get('reason', '')!s:10s} sagitta {[b['sagitta_rel'] for b in row['back_shape']]} -> "
              f"{row['codes']} ({row['outline_s']} s)", flush=True)
    test = [r for r in yfgd if r["split"] == "test"]
    n_clean = len(clean)
    summary = {
        "yfgd_back_rounding_ba_all": _ba(yfgd),
        "yfgd_back_rounding_ba_test": _ba(test),
        "yfgd_flagged_bad": sum(r["back_rounding"] for r in yfgd if r["bad"]),
        "yfgd_flagged_good": sum(r["back_rounding"] for r in yfgd if not r["bad"]),
        "yfgd_traced": sum(bool(r["outline"]) and r["outline"]["state"] == "traced" for r in yfgd),
        "clean_clips": n_clean,
        "clean_back_rounding_flagged": sum(r["back_rounding"] for r in clean),
        "clean_any_fault_but_rushing": sum(bool(set(r["codes"]) - {"rushing"}) for r in clean),
        "clean_any_fault": sum(bool(r["codes"]) for r in clean),
        "clean_traced": sum(bool(r["outline"]) and r["outline"]["state"] in ("traced", "partly") for r in clean),
        "outline_s_total": round(sum(r["outline_s"] for r in yfgd + clean), 2),
        "frames_traced_total": sum(r["frames_traced"] for r in yfgd + clean),
    }
    print(json.dumps(summary, indent=1))
    if args.out:
        args.out.write_text(json.dumps({"summary": summary, "yfgd": yfgd, "clean": clean}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
