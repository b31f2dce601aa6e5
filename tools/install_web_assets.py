#!/usr/bin/env python3
"""Copy the in-browser pose model (npm package @mediapipe/pose, Apache-2.0) to where backsafe serves it.

Run after ``npm ci --prefix web`` (the Makefile's ``web-assets`` step). The model files are checked against the
sha256 sums below (the ones of @mediapipe/pose 0.5.1675469404; pose_landmark_full.tflite is byte-identical to the
pip wheel's): a different file stops the install. Nothing is fetched at run time and no page loads a CDN.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "web" / "node_modules" / "@mediapipe" / "pose"
DEST = REPO / "src" / "backsafe" / "web" / "static" / "vendor" / "mediapipe-pose"
VERSION = "0.5.1675469404"

#: model files: sha256 checked (the WebAssembly build is checked by npm's lockfile integrity)
MODELS = {
    "pose_landmark_lite.tflite": "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61",
    "pose_landmark_full.tflite": "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    "pose_landmark_heavy.tflite": "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe",
}
RUNTIME = ("pose.js", "pose_solution_packed_assets.data", "pose_solution_packed_assets_loader.js",
           "pose_solution_simd_wasm_bin.data", "pose_solution_simd_wasm_bin.js", "pose_solution_simd_wasm_bin.wasm",
           "pose_solution_wasm_bin.js", "pose_solution_wasm_bin.wasm", "pose_web.binarypb")


def sha256(p: Path) -> str:
    with p.open("rb") as f:  # streamed in chunks by the standard library (Python 3.11+)
        return hashlib.file_digest(f, "sha256").hexdigest()


def main() -> int:
    if not SRC.is_dir():
        print(f"install_web_assets: {SRC.relative_to(REPO)} missing: run `npm ci --prefix web` first", file=sys.stderr)
        return 1
    import json

    got = json.loads((SRC / "package.json").read_text())["version"]
    if got != VERSION:
        print(f"install_web_assets: @mediapipe/pose {got} installed, {VERSION} expected", file=sys.stderr)
        return 1
    for name, want in MODELS.items():
        have = sha256(SRC / name)
        if have != want:
            print(f"install_web_assets: {name}: sha256 {have}, expected {want}; not installed", file=sys.stderr)
            return 1
    DEST.mkdir(parents=True, exist_ok=True)
    for name in (*RUNTIME, *MODELS, "LICENSE" if (SRC / "LICENSE").exists() else "README.md"):
        src, dst = SRC / name, DEST / name
        if not dst.exists() or dst.stat().st_size != src.stat().st_size or sha256(dst) != sha256(src):
            shutil.copyfile(src, dst)
    (DEST / "VERSION").write_text(VERSION + "\n")
    print(f"install_web_assets: @mediapipe/pose {VERSION} -> {DEST.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
