"""Write the reports a restructuring must leave unchanged, and compare two such folders byte by byte.

    .venv/bin/python tools/compare_reports.py write OUT [--repo DIR] [--parts sample,eval,batch] [--subset NAME]
    .venv/bin/python tools/compare_reports.py compare A B

``write`` runs the command line of the source tree ``--repo`` (default: this repository; its ``src`` goes first on
PYTHONPATH, so a second checkout of an older commit gives the baseline) and keeps, under ``OUT``:

- ``sample/``: ``backsafe analyze samples/rohanx01_squat_side.mp4 --exercise back_squat --format json --format
  html --format text`` (report.json, report.html, report.txt and the command's stdout);
- ``eval/<manifest>.json``: ``backsafe eval <manifest> --out`` for each manifest in ``eval/manifests`` (``--subset``
  keeps those whose name contains it). A manifest whose data is missing (its root, an item's file, or every file of
  a pattern) is skipped and named on stderr and in ``commands.json``;
- ``batch/``: ``backsafe batch --workers 2`` over a small folder copied from ``../shared/datasets``: two short
  clips (an oblique squat; a side-view deadlift, whose back outline is traced) and two Pose Trainer keypoint files,
  one judged against the other as the person's reference (manifest ``reference``);
- ``commands.json``: each command (paths inside OUT written as ``<OUT>``, the tree as ``<REPO>``) and its exit code.

Every command runs with ``PYTHONHASHSEED=0``: ``backsafe eval`` iterates sets of strings (evaluation.py: the label
space of a manifest, ties of a majority label), so without a fixed seed two runs of the same tree order its
per-code results differently (seen on bicep_leanback and plank).

``compare A B`` walks both folders and reports every file that is missing on one side or differs, then exits 1 on
any difference (0 when equal). Only fields that legitimately change from run to run are normalised first:

- ``batch/out/reports/*/.done`` (JSON): ``elapsed_s`` (wall-clock time of the job), ``worker`` (host name and
  process id) and ``finished_at`` (the date and time it finished);
- ``batch/out/summary.csv`` and ``summary.parquet``: the ``elapsed_s`` column (wall-clock). The parquet file is
  compared as a table (its rows, read with pyarrow), not as bytes;
- ``batch/out/.batch.lock``: the driver's process id (its content is ignored; the file must exist on both sides);
- ``*.html``: in each SVG plot (a base64 ``data:image/svg+xml`` image, compared decoded), the creation date
  matplotlib writes (``<dc:date>``) and its element ids (clip paths ``p`` and markers ``m`` + 10 hex digits,
  salted at random per process unless ``svg.hashsalt`` is set): they are numbered in order of appearance;
- command output (``*.stdout.txt``): the batch's closing line ``... in 12.3 s`` (wall-clock);
- in every text file, the absolute path of the folder itself (``A`` or ``B``) is replaced by ``<OUT>`` (the
  commands' stdout and ``commands.json`` have it replaced when written, and the tree's path by ``<REPO>``).

Everything else (report.json, report.html, report.txt, the eval results, every other field of the records) must
match byte for byte.
"""

from __future__ import annotations

import argparse
import base64
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE = "samples/rohanx01_squat_side.mp4"
PARTS = ("sample", "eval", "batch")
#: (file inside ../shared/datasets, name in the batch folder, manifest entry)
BATCH_INPUTS = (
    ("clips/squat_oblique_Jurisimo00.mp4", "squat_oblique.mp4", {"exercise": "squat"}),
    ("clips/deadlift_side_Jurisimo00.mp4", "deadlift_side.mp4", {"exercise": "deadlift"}),
    ("pose_trainer/bicep/bicep_good_1.npy", "kp/bicep_good_1.npy",
     {"exercise": "bicep_curl", "input_format": "coco18-npy", "fps": 30}),
    ("pose_trainer/bicep/bicep_bad_1.npy", "kp/bicep_bad_1.npy",
     {"exercise": "bicep_curl", "input_format": "coco18-npy", "fps": 30, "reference": "kp/bicep_good_1.npy"}),
)
NORMALISED = "<normalised>"
_DONE_FIELDS = ("elapsed_s", "worker", "finished_at")
_SUMMARY_RUN_COLUMNS = ("elapsed_s",)
_BATCH_TIME = re.compile(r" in \d+(?:\.\d+)? s\b")
_SVG_URI = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")
_SVG_DATE = re.compile(r"<dc:date>[^<]*</dc:date>")
_SVG_ID = re.compile(r"\b[a-zA-Z][0-9a-f]{10}\b")


# ------------------------------------------------------------------------------------------------ write


def _shared_dir(repo: Path) -> Path | None:
    env = os.environ.get("BACKSAFE_SHARED_DIR")
    for cand in ([Path(env)] if env else []) + [repo.parent / "shared", REPO.parent / "shared"]:
        if (cand / "datasets").is_dir():
            return cand.resolve()
    return None


class Runner:
    """Runs ``python -m backsafe.cli`` of one source tree and records each command in ``commands.json``."""

    def __init__(self, repo: Path, out: Path, shared: Path | None) -> None:
        self.repo, self.out = repo, out
        path = [str(repo / "src"), *(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)]
        self.env = {**os.environ, "PYTHONPATH": os.pathsep.join(path), "COLUMNS": "160", "NO_COLOR": "1",
                    "TERM": "dumb", "PYTHONHASHSEED": "0"}
        if shared is not None:
            self.env["BACKSAFE_SHARED_DIR"] = str(shared)
        self.commands: list[dict[str, object]] = []

    def shown(self, text: str) -> str:
        return text.replace(str(self.out), "<OUT>").replace(str(self.repo), "<REPO>")

    def cli(self, part: str, name: str, args: list[str]) -> int:
        argv = [sys.executable, "-m", "backsafe.cli", *args]
        r = subprocess.run(argv, cwd=self.repo, env=self.env, capture_output=True, text=True, timeout=3600)
        (self.out / part).mkdir(parents=True, exist_ok=True)
        (self.out / part / f"{name}.stdout.txt").write_text(self.shown(r.stdout), encoding="utf-8")
        self.commands.append({"part": part, "name": name, "args": [self.shown(a) for a in args], "exit": r.returncode})
        if r.returncode != 0:
            print(f"{part}/{name}: exit {r.returncode}\n{r.stderr[-2000:]}", file=sys.stderr)
        return r.returncode

    def skip(self, part: str, name: str, reason: str) -> None:
        print(f"{part}/{name}: skipped: {reason}", file=sys.stderr)
        self.commands.append({"part": part, "name": name, "skipped": self.shown(reason)})


def write_sample(run: Runner) -> None:
    run.cli("sample", "analyze", ["analyze", SAMPLE, "--exercise", "back_squat", "--format", "json", "--format",
                                  "html", "--format", "text", "--out", str(run.out / "sample")])


def missing_data(manifest: Path, shared: Path | None) -> str | None:
    """Why a manifest cannot run here (its root, an item's file, or all files of a pattern are missing), or None."""
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    root_text = str(doc.get("root", "."))
    if "${SHARED}" in root_text:
        if shared is None:
            return "needs ../shared/datasets (or BACKSAFE_SHARED_DIR)"
        root_text = root_text.replace("${SHARED}", str(shared))
    root = Path(root_text) if Path(root_text).is_absolute() else (manifest.parent / root_text).resolve()
    if not root.is_dir():
        return f"its data folder {root} is missing"
    for item in doc.get("items", []):
        if "file" in item and not (root / item["file"]).exists():
            return f"{root / item['file']} is missing"
        if "pattern" in item and not any(root.glob(item["pattern"])):
            return f"no file matches {root / item['pattern']}"
    return None


def write_eval(run: Runner, shared: Path | None, subset: str | None) -> None:
    for manifest in sorted((run.repo / "eval" / "manifests").glob("*.json")):
        if subset and subset not in manifest.name:
            continue
        why = missing_data(manifest, shared)
        if why is not None:
            run.skip("eval", manifest.stem, why)
            continue
        run.cli("eval", manifest.stem, ["eval", str(manifest.relative_to(run.repo)), "--out",
                                        str(run.out / "eval" / f"{manifest.stem}.json")])


def write_batch(run: Runner, shared: Path | None) -> None:
    if shared is None:
        run.skip("batch", "batch", "needs ../shared/datasets (or BACKSAFE_SHARED_DIR)")
        return
    src = run.out / "batch" / "in"
    entries = []
    for rel, name, entry in BATCH_INPUTS:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared / "datasets" / rel, src / name)
        entries.append({"file": name, **entry})
    (src / "manifest.json").write_text(json.dumps(entries, indent=1) + "\n", encoding="utf-8")
    run.cli("batch", "batch", ["batch", str(src), "--out", str(run.out / "batch" / "out"), "--manifest",
                               str(src / "manifest.json"), "--workers", "2"])


def write_all(out: Path, repo: Path, parts: list[str], subset: str | None) -> int:
    out = out.resolve()
    if out.exists() and any(out.iterdir()):
        print(f"{out}: not empty; give a new folder", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    shared = _shared_dir(repo)
    run = Runner(repo.resolve(), out, shared)
    if "sample" in parts:
        write_sample(run)
    if "eval" in parts:
        write_eval(run, shared, subset)
    if "batch" in parts:
        write_batch(run, shared)
    (out / "commands.json").write_text(json.dumps(run.commands, indent=1) + "\n", encoding="utf-8")
    return 0


# ---------------------------------------------------------------------------------------------- compare


def _normalise_done(data: bytes) -> bytes:
    doc = json.loads(data)
    for k in _DONE_FIELDS:
        if k in doc:
            doc[k] = NORMALISED
    return json.dumps(doc, indent=2).encode()  # key order kept: it is part of the file


def _normalise_summary_csv(data: bytes) -> bytes:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    header = data.decode("utf-8").splitlines()[0] if data else ""
    for r in rows:
        for c in _SUMMARY_RUN_COLUMNS:
            if c in r:
                r[c] = NORMALISED
    return (header + "\n" + json.dumps(rows, indent=1)).encode()


def _normalise_parquet(path: Path) -> bytes:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    rows = table.to_pylist()
    for r in rows:
        for c in _SUMMARY_RUN_COLUMNS:
            if c in r:
                r[c] = NORMALISED
    return json.dumps({"schema": str(table.schema), "rows": rows}, indent=1, default=str).encode()


def _normalise_html(data: bytes) -> bytes:
    def svg(m: re.Match[str]) -> str:
        text = _SVG_DATE.sub(f"<dc:date>{NORMALISED}</dc:date>", base64.b64decode(m.group(1)).decode("utf-8"))
        ids: dict[str, str] = {}
        text = _SVG_ID.sub(lambda c: ids.setdefault(c.group(0), f"<{c.group(0)[0]}-id-{len(ids)}>"), text)
        return "data:image/svg+xml;decoded," + text

    return _SVG_DATE.sub(f"<dc:date>{NORMALISED}</dc:date>", _SVG_URI.sub(svg, data.decode("utf-8"))).encode()


def _normalise_stdout(data: bytes) -> bytes:
    return _BATCH_TIME.sub(" in <seconds> s", data.decode("utf-8")).encode()


def normalised(path: Path, root: Path) -> bytes:
    """The bytes of ``path`` (inside the compared folder ``root``) with its run-dependent fields normalised."""
    rel = path.relative_to(root).as_posix()
    if path.name == ".batch.lock":
        return b""
    if path.suffix == ".parquet":
        return _normalise_parquet(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data  # binary: byte for byte
    data = text.replace(str(root.resolve()), "<OUT>").encode()
    special: dict[str, Callable[[bytes], bytes]] = {".done": _normalise_done, "summary.csv": _normalise_summary_csv}
    if path.name in special:
        return special[path.name](data)
    if rel.endswith(".stdout.txt"):
        return _normalise_stdout(data)
    if path.suffix == ".html":
        return _normalise_html(data)
    return data


def _files(root: Path) -> Iterator[str]:
    for p in sorted(root.rglob("*")):
        if p.is_file():
            yield p.relative_to(root).as_posix()


def compare(a: Path, b: Path) -> list[str]:
    """Every difference between the folders ``a`` and ``b`` (after normalising), as one line each."""
    diffs: list[str] = []
    fa, fb = set(_files(a)), set(_files(b))
    diffs += [f"only in {a}: {f}" for f in sorted(fa - fb)]
    diffs += [f"only in {b}: {f}" for f in sorted(fb - fa)]
    for f in sorted(fa & fb):
        da, db = normalised(a / f, a), normalised(b / f, b)
        if da != db:
            diffs.append(f"differs: {f}{_first_difference(da, db)}")
    return diffs


def _first_difference(da: bytes, db: bytes) -> str:
    la, lb = da.splitlines(), db.splitlines()
    for i, (x, y) in enumerate(zip(la, lb), start=1):
        if x != y:
            return f" (line {i}: {x[:120]!r} vs {y[:120]!r})"
    return f" ({len(la)} vs {len(lb)} lines)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write", help="write the reports of one source tree into a new folder")
    w.add_argument("out", type=Path)
    w.add_argument("--repo", type=Path, default=REPO, help="the source tree to run (default: this one)")
    w.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}")
    w.add_argument("--subset", default=None, help="only eval manifests whose name contains this")
    c = sub.add_parser("compare", help="diff two folders written by `write`; exit 1 on any difference")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = ap.parse_args(argv)
    if args.cmd == "write":
        parts = [p.strip() for p in args.parts.split(",") if p.strip()]
        unknown = set(parts) - set(PARTS)
        if unknown:
            ap.error(f"--parts: unknown {sorted(unknown)}; expected {', '.join(PARTS)}")
        return write_all(args.out, args.repo, parts, args.subset)
    diffs = compare(args.a, args.b)
    for d in diffs:
        print(d)
    print(f"{len(diffs)} difference(s)" if diffs else "identical (after normalising run-dependent fields)")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
