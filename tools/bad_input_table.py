"""Run the bad-input corpus through ``backsafe analyze`` and print the docs table (docs/bad-inputs.md).

    .venv/bin/python tools/bad_input_table.py [--hour] [--only id,id]

Each input of ``tests/e2e/corpus.py`` is generated in a temporary folder, analysed by the CLI in a subprocess,
and reported with its exit code, its stderr line (or the rep count for accepted inputs), the wall time and the
CLI process's own peak RSS, and whether --out stayed empty. ``--hour`` adds the 1-hour repeated-frame clip
(about two minutes). The same cases are asserted by ``tests/e2e/test_bad_inputs.py``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "e2e"))

import corpus  # noqa: E402


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def row(what: str, make, args: tuple[str, ...], expected: tuple[int, ...], note: str) -> str:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "in"
        src.mkdir()
        inp = make(src)
        out = Path(d) / "out"
        run = corpus.run_cli(["analyze", str(inp), *args, "--out", str(out)], timeout=1800)
        files = corpus.visible_files(out)
        if run.code == 0:
            doc = json.loads((out / "report.json").read_text())
            outcome = f"report: {doc['rep_count']} rep(s), {doc['input'].get('duration_s')} s analysed"
            written = ", ".join(files)
        else:
            lines = run.error_lines
            outcome = "`" + (lines[0] if len(lines) == 1 else " / ".join(lines)).replace(d, "…")[:160] + "`"
            written = "nothing" if not files else "**" + ", ".join(files) + "**"
    flag = "" if run.code in expected else " **(unexpected)**"
    extra = " ".join(a for a in args if a not in ("--exercise", "squat"))
    return (f"| {cell(what)} | {cell(extra)} | {run.code}{flag} | {cell(outcome)} | {run.seconds:.1f} | "
            f"{run.peak_rss_mb:.0f} | {written} | {cell(note)} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hour", action="store_true", help="also the 1-hour repeated-frame clip (minutes)")
    ap.add_argument("--only", help="comma-separated case ids")
    a = ap.parse_args()
    only = set(a.only.split(",")) if a.only else None
    print(f"Measured on {platform.node() or 'this machine'} ({platform.machine()}, Python "
          f"{platform.python_version()}); `backsafe analyze INPUT [options] --out DIR`, wall time and peak RSS of "
          "the CLI process (MediaPipe included where it runs).\n")
    print("| input | options | exit | stderr line / outcome | time s | peak RSS MB | written to --out | note |")
    print("|---|---|---|---|---|---|---|---|")
    for c in corpus.CASES:
        if only and c.id not in only:
            continue
        if c.needs_shared and not corpus.TWO_PEOPLE_CLIP.is_file():
            print(f"| {c.what} | | skipped | shared dataset not found | | | | |")
            continue
        print(row(c.what, c.make, c.args, c.codes, c.note), flush=True)
    extra = [("10 s of one repeated 320x240 frame (1 fps)", corpus.short_repeated),
             ("10 min of one repeated 320x240 frame (1 fps)", corpus.long_repeated)]
    if a.hour:
        extra.append(("1 hour of one repeated 320x240 frame (1 fps)",
                      lambda d: corpus.long_repeated(d, minutes=60, fps=1.0)))
    for what, make in extra:
        if only and "long" not in only:
            continue
        print(row(what, make, ("--exercise", "squat"), (4,), "constant memory: compare the peak RSS"), flush=True)


if __name__ == "__main__":
    main()
