"""[2/6] leftovers: the HTML, text and JSON summaries speak with one voice (§9) — the key-frame section never says
"every rep was clean" when form was not judged; tempo notes and the back's outline status are notes, not faults; a
floor exercise gets no standing L5/S1 moment."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from report_synth import make_report
from rich.console import Console

from backsafe.exercises import get_exercise
from backsafe.report.html import render_html
from backsafe.report.json_report import report_to_dict, validate_report_dict
from backsafe.report.text import print_summary
from backsafe.report.wording import no_fault_frames_text, outline_note, report_notes, verdict

OUTLINE_WARNING = ("The back's outline could not be traced: the person's outline was not found on those frames. Back "
                   "rounding was judged from the trunk angle (the shoulder-hip line), which cannot see the back bend.")


def _text(report) -> str:  # type: ignore[no-untyped-def]
    console = Console(record=True, width=160, force_terminal=False, color_system=None)
    print_summary(report, console, [])
    return console.export_text()


def test_nothing_checked_is_not_called_clean_anywhere(tmp_path: Path, synth_clip: Path) -> None:
    clean = make_report(rounding_rep=None, rushing_rep=None)
    unchecked = replace(clean, exercise="lateral_raise", not_checked=list(get_exercise("lateral_raise").faults))
    page = (render_html(unchecked, synth_clip, tmp_path / "u.html")).read_text(encoding="utf-8")
    assert "clean" not in verdict(unchecked)
    assert "every rep was clean" not in page and "form was not checked" in page
    assert ">not checked<" in page and 'class="verdict unchecked"' in page
    text = _text(unchecked)
    assert "not checked" in text and " clean" not in text
    assert report_to_dict(unchecked)["summary"]["verdict"] == verdict(unchecked)


def test_clean_set_with_a_load_warning_keeps_one_voice(tmp_path: Path) -> None:
    clean = make_report(rounding_rep=None, rushing_rep=None)
    loaded = replace(clean, lumbar_compression_n={r.index: 4400.0 for r in clean.reps},
                     warnings=["estimated static L5/S1 compression peaks at 4.4 kN, above the NIOSH action limit"])
    page = render_html(loaded, None, tmp_path / "l.html").read_text(encoding="utf-8")
    assert "every rep was clean" not in page
    assert no_fault_frames_text(loaded) in page and "the load is high for your back: 4.4 kN" in page


def test_tempo_and_outline_notes_are_notes_not_faults(tmp_path: Path) -> None:
    r = make_report(rounding_rep=None, rushing_rep=None, exercise="deadlift")
    r = replace(r, notes=["a brisk tempo: 1.0 s down; 2-3 s down gives more control"],
                warnings=[OUTLINE_WARNING],
                extra={"back_outline": {"state": "not_traced", "reason": "no_mask", "instead": "trunk_angle"}})
    assert report_notes(r) == [r.notes[0], OUTLINE_WARNING]
    page = render_html(r, None, tmp_path / "n.html").read_text(encoding="utf-8")
    assert page.count("The back&#x27;s outline could not be traced") == 1  # a note, not again among the warnings
    assert "Note: a brisk tempo" in page and "Note: The back&#x27;s outline" in page
    text = _text(r)
    assert "note: The back's outline could not be traced" in text and text.count("outline could not be") == 1
    doc = report_to_dict(r)
    assert doc["summary"]["notes"] == report_notes(r) and doc["summary"]["faults"] == {}


def test_outline_note_from_the_status_alone() -> None:
    r = make_report(rounding_rep=None, rushing_rep=None, exercise="deadlift")
    partly = replace(r, warnings=[], extra={"back_outline": {
        "state": "partly", "reps_not_traced": [{"rep": 2, "reason": "broken"}, {"rep": 3, "reason": "upright"}],
        "instead": "trunk_angle"}})
    note = outline_note(partly)
    assert note is not None and note.startswith("The back's outline could not be traced (rep 2: the outline along")
    assert "rep 3" not in note and "reason" not in note
    assert outline_note(replace(r, warnings=[], extra={"back_outline": {"state": "traced"}})) is None
    upright = {"back_outline": {"state": "not_traced", "reason": "upright", "instead": "trunk_angle"}}
    assert outline_note(replace(r, warnings=[], extra=upright)) is None  # an upright set: status in the JSON only


def test_floor_exercise_has_no_standing_moment(tmp_path: Path) -> None:
    from backsafe.faults.lumbar import FLOOR_NOT_ESTIMATED, standing_model_applies

    for ex in ("plank", "push_up", "glute_bridge", "bird_dog", "side_plank"):
        assert not standing_model_applies(ex)
    assert standing_model_applies("deadlift") and standing_model_applies("squat")
    r = replace(make_report(rounding_rep=None, rushing_rep=None), exercise="push_up", lumbar_moment_nm={},
                top_cue="Keep a steady, even rhythm.")
    doc = report_to_dict(r)
    validate_report_dict(doc)
    assert all(x["lumbar_moment_nm"] is None and x["lumbar_moment_note"] == FLOOR_NOT_ESTIMATED for x in doc["reps"])
    page = render_html(r, None, tmp_path / "p.html").read_text(encoding="utf-8")
    assert "Lumbar moment: not estimated for floor exercises" in page
    assert "L5/S1 moment: not estimated for floor exercises" in _text(r)
    squat = report_to_dict(make_report(rounding_rep=None, rushing_rep=None))
    assert all("lumbar_moment_note" not in x for x in squat["reps"])


def test_lumbar_rule_returns_nothing_for_a_floor_exercise() -> None:
    from backsafe.faults.base import FaultContext
    from backsafe.faults.lumbar import lumbar_load

    r = make_report(rounding_rep=None, rushing_rep=None)
    assert r.kinematics is not None
    ctx = FaultContext.__new__(FaultContext)  # only the fields lumbar_load reads before its early return
    object.__setattr__(ctx, "ex", get_exercise("plank"))
    object.__setattr__(ctx, "reps", r.reps)
    out = lumbar_load(ctx)
    assert out.moment_nm == {} and out.compression_n == {} and out.warnings == []
