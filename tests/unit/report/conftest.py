from __future__ import annotations

from pathlib import Path

import pytest
from report_synth import make_report, write_clip


@pytest.fixture
def report():
    return make_report()


@pytest.fixture(scope="session")
def synth_clip(tmp_path_factory) -> Path:
    """An H.264 clip with one frame per frame of ``make_report()`` (320x240, 30 fps)."""
    return write_clip(tmp_path_factory.mktemp("clip") / "synth.mp4", make_report())


@pytest.fixture(scope="session")
def synth_vfr_clip(tmp_path_factory) -> Path:
    """The same with jittered (variable-frame-rate) time stamps and a silent audio track."""
    return write_clip(tmp_path_factory.mktemp("clip") / "synth_vfr.mp4", make_report(), vfr=True, audio=True)
