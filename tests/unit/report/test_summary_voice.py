"""One voice in the summary (COACHING_RULES §9) and the plausibility guard (issue 16)."""

from __future__ import annotations

from backsafe.model import Finding, Rep, Tempo, enforce_plausible
from backsafe.report.document import Report
from backsafe.report.json_report import report_to_dict
from backsafe.report.wording import not_checked_text, set_cue, verdict


def _rep(i: int, start: float, end: float, partial: bool = False, tempo: Tempo | None = None) -> Rep:
    return Rep(index=i, start_frame=int(start * 30), turn_frame=int((start + end) * 15), end_frame=int(end * 30),
               start_s=start, end_s=end, tempo=tempo or Tempo(1.0, 0.2, 0.8, 0.0), partial=partial)


def _report(reps: list[Rep], findings: list[Finding] | None = None, exercise: str = "squat", **kw: object) -> Report:
    return Report(input={}, exercise=exercise, view="side", dims="2d", reps=reps, findings=findings or [],
                  warnings=[], quality="ok", top_cue="", **kw)  # type: ignore[arg-type]


def _finding(rep: int, code: str = "back_rounding") -> Finding:
    return Finding(rep=rep, code=code, severity="moderate", value=30.0, threshold=20.0, unit="deg", frames=(0, 1),
                   cue="Keep your chest proud.")


def test_clean_count_matches_the_header_with_a_partial() -> None:
    r = _report([_rep(i, 2.0 * i, 2.0 * i + 2) for i in range(1, 5)] + [_rep(5, 10.0, 11.0, partial=True)])
    text = verdict(r)
    assert "All 4 reps were clean (and the partial one)" in text
    assert "All 5" not in text


def test_fault_on_the_partial_rep_only() -> None:
    r = _report([_rep(1, 0, 2), _rep(2, 2, 4), _rep(3, 4, 5, partial=True)], [_finding(3)])
    text = verdict(r)
    assert text.startswith("All 2 full reps were clean; the partial rep shows something")


def test_an_exercise_that_checks_no_fault_says_so() -> None:
    r = _report([_rep(i, 2.0 * i, 2.0 * i + 2) for i in range(1, 4)], exercise="jumping_jack")
    text = verdict(r)
    assert "clean" not in text and "Nice work" not in text
    assert "3 reps counted; only reps and tempo were measured" in text
    assert set_cue([], {}, exercise_checks=False) == "Keep a steady, even rhythm."


def test_nothing_visible_from_this_view_is_not_praised() -> None:
    from backsafe.exercises import get_exercise

    r = _report([_rep(1, 0, 2)], exercise="lateral_raise", not_checked=list(get_exercise("lateral_raise").faults))
    text = verdict(r)
    assert "Nice work" not in text and "clean" not in text and "can be seen from a side view" in text


def test_clean_set_with_a_high_load_says_both() -> None:
    r = _report([_rep(1, 0, 2), _rep(2, 2, 4)], lumbar_compression_n={1: 4400.0, 2: 4100.0})
    text = verdict(r)
    assert "Both reps were clean" in text and "Good form; the load is high for your back: 4.4 kN" in text
    assert "Nice work" not in text
    cue = set_cue([], {1: 4400.0})
    assert cue is not None and "keep moving exactly like this" not in cue and "lighten the load" in cue
    assert set_cue([], {1: 2000.0}) is None


def test_not_checked_said_once_together() -> None:
    text = not_checked_text(["knee_valgus", "knee_varus", "hip_rotation", "lateral_shift"], "side")
    assert text == ("Not checked from this side view: knees in/out, hip rotation, shift to one side — film from the "
                    "front to see them")
    # what was not judged for another reason than the view joins the same line, never a line of its own (§9)
    why = "video cannot measure it in a squat, hinge or lunge (it needs measured 3D spine keypoints)"
    text = not_checked_text(["lateral_shift", "knee_valgus"], "side", {"back_arching": why})
    assert text == ("Not checked from this side view: shift to one side, knees in/out — film from the front to see "
                    f"them; back arching — {why}")
    assert not_checked_text([], "side", {"back_arching": why}) == f"Not checked: back arching — {why}"


def test_notes_and_verdict_in_the_json_summary() -> None:
    r = _report([_rep(1, 0, 2)], notes=["take 2-3 s on the way down"])
    doc = report_to_dict(r)
    assert doc["summary"]["notes"] == ["take 2-3 s on the way down"]
    assert doc["summary"]["verdict"] == verdict(r)
    assert doc["reps"][0]["faults"] == []


def test_guard_drops_impossible_figures() -> None:
    reps = [_rep(1, 0.0, 1.0, partial=True, tempo=Tempo(0.4, 3.0, 0.5, 0.0)), _rep(2, 1.0, 3.0),
            _rep(3, 3.0, 2.5)]
    r = _report(reps, [_finding(3)], lumbar_moment_nm={1: -80.0, 2: 50.0, 3: 10.0},
                lumbar_compression_n={2: 1500.0})
    warnings = enforce_plausible(r)
    assert [x.index for x in r.reps] == [1, 2]
    assert r.findings == []
    assert r.reps[0].tempo_measured is False and r.reps[1].tempo_measured
    assert r.lumbar_moment_nm == {2: 50.0}
    assert len(warnings) == 3
    doc = report_to_dict(r)
    assert doc["reps"][0]["tempo_measured"] is False
    assert all(v is None or v >= 0 for v in (x["lumbar_moment_nm"] for x in doc["reps"]))


def test_rest_pause_of_a_partial_rep_is_not_a_phase_of_it() -> None:
    from backsafe.exercises import get_exercise
    from backsafe.reps.tempo import bound_rest_pauses

    curl = get_exercise("bicep_curl")  # up first: the rest after the rep is its "bottom" pause
    reps = [_rep(1, 0.0, 0.8, partial=True, tempo=Tempo(0.3, 4.0, 0.4, 0.1)),
            _rep(2, 4.8, 7.0, tempo=Tempo(1.0, 5.0, 1.0, 0.2))]
    out = bound_rest_pauses(reps, curl)
    assert out[0].tempo.bottom_s == 0.0
    assert out[1].tempo.bottom_s == 2.2
