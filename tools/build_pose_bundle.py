#!/usr/bin/env python3
"""Build the MediaPipe Tasks-API PoseLandmarker bundle (``.task``) from the tflite files of the installed wheel.

Run by the Makefile's install step after MediaPipe is installed; nothing is downloaded, at install time or at run
time. The wheel ships the pose detector and the landmark model(s) but no ``.task`` bundle; a bundle of the bare
tflite files is refused ("Input tensor has type float32: it requires specifying NormalizationOptions metadata"),
so the image-input normalisation is added with MediaPipe's own metadata writer (needs ``flatbuffers``), as
/work/shared/research/pose-backend.md found: detector mean/std 127.5/127.5, landmark model 0/255.

The bundle is written beside the landmark model in the installed wheel
(``mediapipe/modules/pose_landmark/backsafe_pose_landmarker_<model>.task``), one per landmark model found there
(``full`` always; ``lite`` and ``heavy`` when tools/install_pose_models.py copied them in). backsafe finds it
there at run time (backsafe.pose.multi.bundle_path). Re-running is cheap: a bundle newer than its inputs is kept.

Usage: python tools/build_pose_bundle.py [--force]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import zipfile
from pathlib import Path

MODELS = ("lite", "full", "heavy")


def _with_metadata(path: Path, mean: float, std: float, n_out: int) -> bytes:
    from mediapipe.tasks.python.metadata.metadata_writers import metadata_writer as mw

    writer = (mw.MetadataWriter.create(bytearray(path.read_bytes()))
              .add_general_info(path.stem, "backsafe: normalisation metadata for the Tasks API")
              .add_image_input(norm_mean=[mean], norm_std=[std]))
    for i in range(n_out):
        writer.add_feature_output(name=f"output_{i}")
    return bytes(writer.populate()[0])


def detector_path() -> Path:
    """The pose detector model of the installed mediapipe wheel (the first stage of every bundle)."""
    try:
        import mediapipe
    except Exception as exc:  # noqa: BLE001 - any import failure: say what to install
        sys.exit(f"build_pose_bundle: mediapipe does not import ({exc}); install requirements-pose.lock first")
    detector = Path(mediapipe.__file__).parent / "modules" / "pose_detection" / "pose_detection.tflite"
    if not detector.is_file():
        sys.exit(f"build_pose_bundle: {detector} missing from the mediapipe wheel")
    return detector


def write_bundle(detector: Path, landmark: Path, out: Path) -> Path:
    """Write the PoseLandmarker bundle ``out`` (the two models with their normalisation metadata, zipped) atomically.

    Also used by tools/install_web_assets.py for the live page's bundles (the browser's Tasks-API PoseLandmarker
    reads the same format)."""
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".task.tmp")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as z:
            z.writestr("pose_detector.tflite", _with_metadata(detector, 127.5, 127.5, 2))
            z.writestr("pose_landmarks_detector.tflite", _with_metadata(landmark, 0.0, 255.0, 5))
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def build(force: bool = False) -> list[Path]:
    detector = detector_path()
    modules = detector.parents[1]
    built: list[Path] = []
    for model in MODELS:
        landmark = modules / "pose_landmark" / f"pose_landmark_{model}.tflite"
        if not landmark.is_file():
            continue
        out = modules / "pose_landmark" / f"backsafe_pose_landmarker_{model}.task"
        newest_input = max(detector.stat().st_mtime, landmark.stat().st_mtime, Path(__file__).stat().st_mtime)
        if not force and out.is_file() and out.stat().st_mtime >= newest_input:
            built.append(out)
            continue
        write_bundle(detector, landmark, out)
        built.append(out)
        print(f"build_pose_bundle: wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    if not built:
        sys.exit("build_pose_bundle: no pose_landmark_*.tflite in the mediapipe wheel")
    return built


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--force", action="store_true", help="rebuild even when the bundle is up to date")
    build(force=ap.parse_args().force)


if __name__ == "__main__":
    main()
