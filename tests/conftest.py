"""Shared fixtures. Tests that need ../shared skip where it is absent (a user's fresh clone) but fail under CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CLIP = REPO / "samples" / "rohanx01_squat_side.mp4"


def pytest_configure(config: pytest.Config) -> None:
    """The tests never read the developer's own config file (~/.config/backsafe/config.toml): an empty one stands
    in for it, in this process and in every subprocess a test starts (tests of the config file set their own)."""
    import tempfile

    if "BACKSAFE_CONFIG" not in os.environ:
        fd, path = tempfile.mkstemp(prefix="backsafe-test-config-", suffix=".toml")
        os.close(fd)
        os.environ["BACKSAFE_CONFIG"] = path


def _shared_dir() -> Path | None:
    env = os.environ.get("BACKSAFE_SHARED_DIR")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared")
    for c in candidates:
        if (c / "datasets").is_dir():
            return c
    return None


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """Path to ../shared (datasets, domain rules). Skips outside CI when missing; fails in CI."""
    d = _shared_dir()
    if d is None:
        msg = "../shared/datasets not found (set BACKSAFE_SHARED_DIR); dataset tests need it"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg + " — and CI=true, so this is an error", pytrace=False)
        pytest.skip(msg)
    return d


@pytest.fixture(scope="session")
def datasets(shared_dir: Path) -> Path:
    return shared_dir / "datasets"


@pytest.fixture(scope="session")
def sample_clip() -> Path:
    assert SAMPLE_CLIP.is_file(), f"bundled sample clip missing: {SAMPLE_CLIP}"
    return SAMPLE_CLIP


@pytest.fixture(scope="session")
def pose_cache() -> Path:
    """Keypoint cache shared by the tests that run MediaPipe on real clips (keypoints only, gitignored).

    A fresh clone computes each clip once per run; a developer's re-runs reuse it.
    """
    d = REPO / ".cache" / "pose"
    d.mkdir(parents=True, exist_ok=True)
    return d
