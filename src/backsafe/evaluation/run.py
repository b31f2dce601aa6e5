"""``backsafe eval``'s driver: every manifest of a folder evaluated, printed as tables, written as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import InputError
from .items import evaluate_manifest
from .metrics import summarise_outcomes


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
        from ..report.json_report import write_atomic

        write_atomic(out, json.dumps(results, indent=1, default=lambda x: None) + "\n")
    return results
