"""The back's outline is on by default ([2/6]): when it runs, what the report says when it could not trace (per
rep and per set, in plain words, with what was used instead), and the decoder that fetches only the wanted frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from backsafe.exercises import get_exercise
from backsafe.kinematics.back_contour import (
    MIN_FRAMES,
    BackShape,
    RepTrace,
    lift_frames,
    measure_back_shape,
    outline_status,
)
from backsafe.options import AnalysisOptions
from backsafe.pipeline import outline_wanted
from tests.unit.faults.fault_builders import bumps, side_view_lift, make_kin, make_reps


def _shape(rep: int) -> BackShape:
    return BackShape(rep=rep, sagitta_rel=-0.02, frame=0, complete=1.0, n_frames=8)


@pytest.mark.parametrize(
    ("exercise", "back_shape", "path", "expected"),
    [
        ("deadlift", None, "pull.mp4", (True, None)),  # on by default
        ("deadlift", True, "pull.mp4", (True, None)),  # --back-shape: still on
        ("deadlift", False, "pull.mp4", (False, "off")),  # --no-back-shape
        ("deadlift", None, "pull.csv", (False, "no_video")),  # keypoints: no frames to trace on
        ("bicep_curl", None, "curl.mp4", (False, None)),  # an exercise that does not check back rounding
    ],
)
def test_outline_is_on_by_default_for_videos_of_exercises_that_check_rounding(
    exercise: str, back_shape: bool | None, path: str, expected: tuple[bool, str | None]
) -> None:
    ex = get_exercise(exercise)
    assert ("back_rounding" in ex.faults) == (exercise != "bicep_curl")
    opts = AnalysisOptions(exercise=ex.id, back_shape=back_shape)
    assert outline_wanted(opts, ex, Path(path)) == expected


def test_default_option_is_on() -> None:
    assert AnalysisOptions().back_shape is None  # None = the default: traced wherever it can be


def test_all_reps_traced_says_nothing() -> None:
    reps, n = make_reps(2)
    st = outline_status(make_kin(n), reps, [_shape(1), _shape(2)], attempted=True, log={})
    assert st.state == "traced" and st.message is None and st.to_dict() == {"state": "traced"}


def test_each_untraced_rep_gets_its_reason_in_plain_words() -> None:
    reps, n = make_reps(4)
    log = {
        2: RepTrace(wanted=8, no_frame=0, no_mask=7, traced=0, incomplete=1),
        3: RepTrace(wanted=8, no_frame=0, incomplete=6, traced=0, no_mask=2),
        4: RepTrace(wanted=8, no_frame=0, traced=MIN_FRAMES - 1, incomplete=6),
    }
    st = outline_status(make_kin(n), reps, [_shape(1)], attempted=True, log=log)
    assert st.state == "partly"
    assert st.reps == {2: "no_mask", 3: "broken", 4: "few_frames"}
    msg = st.message or ""
    assert "rep 2: the person's outline was not found" in msg
    assert "rep 3: the outline along the back was broken (a loose or flapping shirt" in msg
    assert f"rep 4: fewer than {MIN_FRAMES} frames" in msg
    assert "judged from the trunk angle" in msg  # what was used instead
    assert "_" not in msg  # no codes in what a person reads (COACHING_RULES §9)
    d = st.to_dict()
    assert d["instead"] == "trunk_angle" and [r["rep"] for r in d["reps_not_traced"]] == [2, 3, 4]


def test_a_set_with_no_lean_says_so_once() -> None:
    reps, n = make_reps(3)
    st = outline_status(make_kin(n), reps, [], attempted=True, log={})
    assert st.state == "not_traced" and st.reason == "upright" and st.all_upright
    assert (st.message or "").count("40°") == 1


def test_front_view_keypoints_and_switched_off() -> None:
    reps, n = make_reps(2)
    front = outline_status(make_kin(n, view="front"), reps, [], attempted=True)
    # back rounding is then not judged at all, which the fault rules say once: no second message here
    assert front.reason == "view" and front.message is None and front.to_dict()["instead"] == "not_judged"
    kp = outline_status(make_kin(n), reps, [], attempted=False, set_reason="no_video")
    assert kp.state == "not_traced" and "keypoint file has no video" in (kp.message or "")
    off = outline_status(make_kin(n), reps, [], attempted=False, set_reason="off")
    assert off.state == "off" and "--no-back-shape" in (off.message or "")


def test_measure_logs_why_a_rep_was_not_traced() -> None:
    reps, kin, pose = side_view_lift()
    wanted = lift_frames(kin, reps)
    rep_of = {f: r for r, fs in wanted.items() for f in fs}
    rgb = np.zeros((600, 600, 3), np.uint8)
    current = {"f": 0}

    def frames() -> list[tuple[int, np.ndarray]]:
        return [(f, rgb) for f in sorted(rep_of)]

    def segment(_: np.ndarray) -> np.ndarray | None:
        f = sorted(rep_of)[current["f"]]
        current["f"] += 1
        return None if rep_of[f] == 1 else np.zeros((600, 600), np.float32)  # rep 1: nobody; rep 2: no outline

    log: dict[int, RepTrace] = {}
    assert measure_back_shape(frames(), segment, pose, kin, reps, log=log) == []
    assert log[1].no_mask == log[1].wanted and log[2].incomplete == log[2].wanted
    st = outline_status(kin, reps, [], attempted=True, log=log)
    assert st.reps == {1: "no_mask", 2: "broken"} and st.reason == "mixed"


def test_read_frames_at_gives_exactly_the_frames_of_a_full_decode(sample_clip: Path) -> None:
    from backsafe.io.video import iter_frames, read_frames_at

    full = [(fr.t_s, fr.rgb) for fr in iter_frames(sample_clip)]
    times = [t for t, _ in full]
    picks = sorted({3, 4, 5, 40, 41, 90, len(full) // 2, len(full) - 1})
    got = list(read_frames_at(sample_clip, picks, times))
    assert [k for k, _ in got] == picks
    assert all(np.array_equal(rgb, full[k][1]) for k, rgb in got)
    # a time that is no frame of the clip is skipped, not matched to a neighbour; so is an index past the times
    assert [k for k, _ in read_frames_at(sample_clip, [0, 5], [full[10][0] + 0.5 * (full[11][0] - full[10][0])])] == []
    # without time stamps the indices count the decoded frames
    assert [k for k, _ in read_frames_at(sample_clip, [7, 2])] == [2, 7]


def test_a_partial_rep_that_never_leaned_is_not_worth_a_sentence() -> None:
    from dataclasses import replace

    reps, n = make_reps(2)
    reps = [reps[0], replace(reps[1], partial=True)]
    st = outline_status(make_kin(n), reps, [_shape(1)], attempted=True, log={})
    assert st.state == "partly" and st.reps == {2: "upright"} and st.message is None
