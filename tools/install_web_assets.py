#!/usr/bin/env python3
"""Install the live page's in-browser pose model where backsafe serves it (static/vendor/mediapipe-tasks-vision/).

Run after ``npm ci --prefix web`` and after the Python install (the Makefile's ``web-assets`` step, with the venv's
Python: the bundles are written with MediaPipe's own metadata writer). Two npm packages (Apache-2.0), pinned by
web/package-lock.json:

- ``@mediapipe/tasks-vision`` 0.10.21 (the same MediaPipe release as the pip wheel): the Tasks-API runtime, its
  ES module and WebAssembly builds (with and without SIMD), copied as they are (npm's lockfile integrity checks
  them). The page runs PoseLandmarker on the CPU delegate (WebAssembly + XNNPACK): no WebGL inference, which in a
  browser without a GPU (headless Chromium, many cheap phones) ran the legacy ``@mediapipe/pose`` at ~1 frame a
  second against ~30 for this one on the same machine.
- ``@mediapipe/pose`` 0.5.1675469404: only its three landmark models (lite, full, heavy), checked against the
  sha256 sums below (a different file stops the install). Each is bundled with the pip wheel's pose detector into
  ``pose_landmarker_<model>.task`` by tools/build_pose_bundle.py's ``write_bundle`` (the same bundles the Python
  side builds for itself): no model is downloaded, at install time or at run time, and no page loads a CDN.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
NODE = REPO / "web" / "node_modules" / "@mediapipe"
SRC = NODE / "tasks-vision"
POSE_SRC = NODE / "pose"
DEST = REPO / "src" / "backsafe" / "web" / "static" / "vendor" / "mediapipe-tasks-vision"
#: the legacy @mediapipe/pose web build this replaced (removed when found: it is no longer served)
OLD_DEST = DEST.parent / "mediapipe-pose"
VERSION = "0.10.21"
POSE_VERSION = "0.5.1675469404"

#: landmark model files of @mediapipe/pose 0.5.1675469404: sha256 checked (full = the pip wheel's own file)
MODELS = {
    "pose_landmark_lite.tflite": "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61",
    "pose_landmark_full.tflite": "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    "pose_landmark_heavy.tflite": "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe",
}
#: the Tasks-API runtime the page loads (paths inside the npm package, kept under DEST)
RUNTIME = ("vision_bundle.mjs", "wasm/vision_wasm_internal.js", "wasm/vision_wasm_internal.wasm",
           "wasm/vision_wasm_nosimd_internal.js", "wasm/vision_wasm_nosimd_internal.wasm", "README.md")


def sha256(p: Path) -> str:
    with p.open("rb") as f:  # streamed in chunks by the standard library (Python 3.11+)
        return hashlib.file_digest(f, "sha256").hexdigest()


def _bundle_tool() -> Any:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import build_pose_bundle

    return build_pose_bundle


def write_bundle(landmark: Path, out: Path) -> None:
    """``out``: the PoseLandmarker bundle of ``landmark`` with the pip wheel's pose detector."""
    tool = _bundle_tool()
    tool.write_bundle(tool.detector_path(), landmark, out)


def _version(pkg: Path) -> str:
    return str(json.loads((pkg / "package.json").read_text())["version"])


def main() -> int:
    for pkg, want in ((SRC, VERSION), (POSE_SRC, POSE_VERSION)):
        if not pkg.is_dir():
            print(f"install_web_assets: {pkg.relative_to(REPO)} missing: run `npm ci --prefix web` first",
                  file=sys.stderr)
            return 1
        got = _version(pkg)
        if got != want:
            print(f"install_web_assets: {pkg.name} {got} installed, {want} expected", file=sys.stderr)
            return 1
    for name, want in MODELS.items():
        have = sha256(POSE_SRC / name)
        if have != want:
            print(f"install_web_assets: {name}: sha256 {have}, expected {want}; not installed", file=sys.stderr)
            return 1
    (DEST / "wasm").mkdir(parents=True, exist_ok=True)
    for name in RUNTIME:
        src, dst = SRC / name, DEST / name
        if not dst.exists() or dst.stat().st_size != src.stat().st_size or sha256(dst) != sha256(src):
            shutil.copyfile(src, dst)
    for name in MODELS:
        landmark = POSE_SRC / name
        out = DEST / name.replace("pose_landmark_", "pose_landmarker_").replace(".tflite", ".task")
        if not out.is_file() or out.stat().st_mtime < max(landmark.stat().st_mtime, *(
                p.stat().st_mtime for p in Path(__file__).parent.glob("*.py"))):
            write_bundle(landmark, out)
    if OLD_DEST.is_dir():
        shutil.rmtree(OLD_DEST)
    (DEST / "VERSION").write_text(VERSION + "\n")
    print(f"install_web_assets: @mediapipe/tasks-vision {VERSION} + pose landmarker bundles -> "
          f"{DEST.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
