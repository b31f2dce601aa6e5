"""``backsafe live --person`` (pose/follow.py): the chosen person is picked on the first frame anyone is found, then
followed only; out of view for longer than MAX_GAP_S gives one warning and no one else. The detector is scripted
here (tests/e2e/test_multi_person.py runs the real one on a two-person clip); the CLI refuses a bad choice before
anything is opened, and ``auto`` stays on the single-person estimator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import backsafe.live as live
import backsafe.pose.mediapipe_backend as mpb
import backsafe.pose.multi as multi
from backsafe.cli import app
from backsafe.errors import ValueRangeError
from backsafe.pose.follow import FollowedPerson
from backsafe.pose.multi import Detection
from backsafe.pose.tracking import MAX_GAP_S

from ..synth import squat_frame

W, H, FPS = 640, 480, 30.0
FRAME = np.zeros((H, W, 3), np.uint8)


def _person(x: float, knee: float = 10.0, scale: float = 200.0) -> Detection:
    """A standing person with feet at (x, 440) px."""
    return Detection(squat_frame(knee, scale=scale, origin=(x, 440.0))[:33].copy(), None)


class Scripted:
    """A multi-person detector that returns the scripted detections, frame after frame."""

    def __init__(self, frames: list[list[Detection]]) -> None:
        self.frames, self.closed = iter(frames), False

    def detect(self, rgb: Any, t_s: float = 0.0) -> list[Detection]:
        return next(self.frames)

    def close(self) -> None:
        self.closed = True


def _run(choice: str | tuple[float, float], frames: list[list[Detection]]) -> tuple[FollowedPerson, list[Any]]:
    fp = FollowedPerson(choice, detector=Scripted(frames))
    out = [fp.process(FRAME, t_s=i / FPS) for i in range(len(frames))]
    fp.close()
    return fp, out


def _x(pose: Any) -> float:
    return float(np.nanmedian(pose.image[:, 0]))


@pytest.mark.parametrize(("choice", "x"), [("left", 150.0), ("right", 500.0), ("largest", 500.0),
                                           ("center", 300.0), ((0.2, 0.8), 150.0), ((490.0, 400.0), 500.0)])
def test_the_choice_picks_by_choose_tracks_rules(choice: str | tuple[float, float], x: float) -> None:
    frames = [[_person(150.0, scale=150.0), _person(300.0, scale=150.0), _person(500.0, scale=200.0)]] * 5
    fp, out = _run(choice, frames)
    assert all(p is not None and abs(_x(p) - x) < 40 for p in out), [_x(p) for p in out if p is not None]
    assert fp.why and fp.summary()["times_lost"] == 0
    assert fp.detector.closed


def test_followed_never_someone_else_and_warned_once_when_lost() -> None:
    n_gap = int((MAX_GAP_S + 0.5) * FPS)
    # nobody, then both; the left one walks right a little while squatting, leaves for longer than MAX_GAP_S (the
    # right one stays), comes back
    both = [[_person(150.0 + 2 * i, knee=10 + 3 * i), _person(500.0)] for i in range(20)]
    back = [[_person(500.0), _person(190.0)]] * 5
    frames: list[list[Detection]] = [[]] * 3 + both + [[_person(500.0)]] * n_gap + back
    fp, out = _run("left", frames)
    assert out[:3] == [None] * 3  # no one yet: no pose (what the single-person estimator gives)
    followed = out[3:23]
    assert all(p is not None and _x(p) < 300 for p in followed)
    assert _x(followed[-1]) > _x(followed[0]) + 20  # they were followed as they moved
    assert out[23:23 + n_gap] == [None] * n_gap  # never the right one
    assert all(p is not None and _x(p) < 300 for p in out[-5:])  # found again where they left
    assert len(fp.notices) == 1 and fp.notices[0]["event"] == "warning"
    assert "out of view" in fp.notices[0]["message"]
    assert fp.summary() == {"option": "left", "followed": fp.why, "times_lost": 1}


def test_cli_refuses_a_bad_person_before_opening_anything(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    opened: list[str] = []
    monkeypatch.setattr(live, "FrameSource", lambda *a, **k: opened.append("source"))
    monkeypatch.setattr(multi, "MultiPoseDetector", lambda *a, **k: opened.append("detector"))
    monkeypatch.setattr(mpb, "MediaPipePose", lambda *a, **k: opened.append("pose"))
    clip = tmp_path / "c.mp4"
    clip.write_bytes(b"x")
    r = CliRunner().invoke(app, ["live", str(clip), "--person", "tallest", "--no-realtime"])
    assert r.exit_code == 3, r.output  # a bad value (ValueRangeError), as analyze --person
    assert "person 'tallest'" in r.output
    assert opened == []
    with pytest.raises(ValueRangeError):
        live.run_live(clip, live.LiveOptions(person="1,2,3"), print)
    assert opened == []


class OnePerson:
    made = 0

    def __init__(self, model: str = "full", **kw: Any) -> None:
        OnePerson.made += 1

    def process(self, rgb: Any, t_s: float | None = None) -> Any:
        from backsafe.pose.base import FramePose

        return FramePose(image=squat_frame(5.0, scale=60.0, origin=(100.0, 190.0))[:33].copy(), world=None)

    def close(self) -> None:
        pass


def test_auto_is_the_single_person_estimator(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import cv2

    def no_multi(*a: Any, **k: Any) -> None:
        raise AssertionError("auto must not start the multi-person detector")

    monkeypatch.setattr(mpb, "MediaPipePose", OnePerson)
    monkeypatch.setattr(multi, "MultiPoseDetector", no_multi)
    clip = tmp_path / "c.mp4"
    w = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (200, 200))
    for _ in range(30):
        w.write(np.zeros((200, 200, 3), np.uint8))
    w.release()
    events: list[dict[str, Any]] = []
    OnePerson.made = 0
    end = live.run_live(clip, live.LiveOptions(realtime=False), events.append)
    assert OnePerson.made == 1
    assert events[0]["person"] == "auto" and "person" not in end and "warning" not in end
    assert [e["event"] for e in events if e["event"] == "warning"] == []
