"""Scores of evaluated units: precision / recall / F1 / balanced accuracy per fault code, frame macro-F1, rep-count
accuracy, per split."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from .items import ANY, Outcome, majority

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
        for code in sorted(label_space[o.manifest]):  # sorted: the same order whatever the hash seed
            per[code].append((o.labels.get(code, False), o.predicted.get(code, False)))
    out = {}
    for code, pairs in sorted(per.items()):
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
                1 for o in seg if majority(o.frame_pred or []) == o.detail.get("label")
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
