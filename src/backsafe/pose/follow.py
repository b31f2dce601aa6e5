"""``backsafe live --person``: one chosen person followed frame by frame, as an estimator of the live loop.

Offline, the person is chosen over the whole clip (pose/tracking.py). Live, the clip's future is unknown, so an
explicit choice (largest, center, left, right or a point) is made on the first frame where anyone is found, by
the same rules as :func:`~backsafe.pose.tracking.choose_track`; that person is then followed by the matching test
of :func:`~backsafe.pose.tracking.track_people` (box overlap or skeleton similarity to their last pose). It never
switches to someone else: a frame where they are not matched has no person, and once they have been out of view
longer than ``MAX_GAP_S`` one warning is queued (``notices``) and their last pose is still the one looked for.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .base import FramePose, PoseEstimator
from .multi import Detection
from .tracking import MAX_GAP_S, match_score

__all__ = ["FollowedPerson", "live_estimator"]


def live_estimator(choice: str | tuple[float, float], model: str = "full") -> PoseEstimator:
    """``backsafe live``'s estimator: the single-person one for ``auto`` (today's path, cost and events: live cannot
    know in advance who will do the exercise, and most live sets show one person), else a :class:`FollowedPerson`."""
    if choice == "auto":
        from .runner import default_estimator

        return default_estimator(model)
    return FollowedPerson(choice, model=model)


class FollowedPerson:
    """An estimator (``process(rgb, t_s) -> FramePose | None``, ``close()``) that returns the chosen person only.

    ``choice``: a word or a point as :func:`backsafe.options.parse_person` gives it (not ``auto``: live, ``auto``
    is the single-person estimator). ``detector``: anything with ``detect(rgb, t_s) -> list[Detection]`` and
    ``close()``; by default MediaPipe's multi-person landmarker (pose/multi.py) of ``model``'s size when its bundle
    was built, else full's.
    """

    def __init__(self, choice: str | tuple[float, float], model: str = "full", detector: Any = None) -> None:
        if detector is None:
            from .multi import MultiPoseDetector, bundled_model

            detector = MultiPoseDetector(video=True, model=bundled_model(model))
        self.choice, self.detector = choice, detector
        self.why: str | None = None  # how the person was chosen, once they are
        self.last: npt.NDArray[np.float32] | None = None  # their last image landmarks
        self.last_seen_s = 0.0
        self.times_lost = 0
        self._warned = False
        #: events for the live loop to emit (a warning when the person is out of view)
        self.notices: list[dict[str, Any]] = []

    def process(self, rgb: npt.NDArray[np.uint8], t_s: float = 0.0) -> FramePose | None:
        dets: list[Detection] = self.detector.detect(rgb, t_s)
        if self.last is None:
            found = self._pick(dets, (rgb.shape[1], rgb.shape[0]))
        else:
            scored = [(s, d) for d in dets if (s := match_score(self.last, d)) is not None]
            found = max(scored, key=lambda sd: sd[0])[1] if scored else None
        if found is None:
            if self.last is not None and not self._warned and t_s - self.last_seen_s > MAX_GAP_S:
                self._warned = True
                self.times_lost += 1
                self.notices.append({"event": "warning", "t_s": round(t_s, 3), "message": (
                    f"the chosen person is out of view (--person {self.spec}); waiting for them to come back "
                    "(no one else is analysed)")})
            return None
        self.last, self.last_seen_s, self._warned = found.image, t_s, False
        return FramePose(image=found.image, world=found.world)

    def _pick(self, dets: list[Detection], size: tuple[int, int]) -> Detection | None:
        """The person of ``dets`` the choice names (choose_track's rules, each detection a one-frame track)."""
        if not dets:
            return None
        from ..model import PoseSequence
        from ..skeleton import N_JOINTS
        from .tracking import Track, choose_track

        template = PoseSequence(data=np.full((1, N_JOINTS, 4), np.nan, np.float32), timestamps_s=np.zeros(1),
                                space="image", image_size=size, source="mediapipe")
        tracks = [Track(i, [0], [d.image], [d.world]) for i, d in enumerate(dets)]
        chosen, self.why, _ = choose_track(tracks, self.choice, template, "", 1)
        return dets[chosen.id]

    @property
    def spec(self) -> str:
        """The choice as the option spells it (``left``, ``0.3,0.5``)."""
        return self.choice if isinstance(self.choice, str) else f"{self.choice[0]:g},{self.choice[1]:g}"

    def summary(self) -> dict[str, Any]:
        """The end event's account: the option, who was followed and why (None: no one was found), times lost."""
        return {"option": self.spec, "followed": self.why, "times_lost": self.times_lost}

    def close(self) -> None:
        self.detector.close()
