"""Terminal summary and key-frame selection/drawing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from report_synth import make_report
from rich.console import Console

from backsafe.report.keyframes import (
    angle_geometry,
    draw_angle,
    extract_key_frames,
    matching_frame,
    read_frames,
    select_findings,
    threshold_is_absolute,
    worst_frame,
)
from backsafe.report.text import print_summary


def _summary(report, written=()):
    console = Console(record=True, width=120, color_system="truecolor", force_terminal=True)
    print_summary(report, console, list(written))
    return console.export_text(clear=False), console.export_text(styles=True)


def test_summary_table_cue_and_files(report):
    text, styled = _summary(report, [Path("out/report.json"), Path("out/report.html")])
    for needle in ("Back squat", "4 reps", "Rep", "Down", "clean", "back rounding", "65° vs 45°", "rushing",
                   "Top cue: Keep your chest up and proud", "out/report.html", "not medical advice", "L5/S1"):
        assert needle in text, needle
    assert "\x1b[" in styled  # coloured on a terminal


def test_summary_of_a_hold_and_no_colour_off_tty():
    hold = replace(make_report(rounding_rep=None, rushing_rep=None), exercise="plank", reps=[], hold_s=30.0)
    console = Console(record=True, width=100, force_terminal=False)
    print_summary(hold, console, [])
    text = console.export_text()
    assert "hold 30.0 s" in text and "You held the position for 30 s" in text


def test_worst_frame_and_threshold_kind(report):
    rounding, rushing = report.findings
    trunk = report.kinematics["trunk_inclination_deg"]
    wf = worst_frame(report, rounding)
    assert trunk[wf] == trunk[rounding.frames[0] : rounding.frames[1]].max()
    assert threshold_is_absolute(report, rounding)  # degrees of trunk inclination
    assert not threshold_is_absolute(report, rushing)  # seconds, on a knee-angle plot
    a, b = rushing.frames
    assert a <= worst_frame(report, rushing) < b


def test_matching_frame_keeps_phase_and_position(report):
    r2, r1 = report.reps[1], report.reps[0]
    a, b = r2.phase_frames["concentric"]
    f = a + (b - a) // 2
    m = matching_frame(f, r2, r1)
    a1, b1 = r1.phase_frames["concentric"]
    assert a1 <= m < b1 and abs((m - a1) / (b1 - a1) - 0.5) < 0.1


def test_select_findings_one_per_code_most_important_first(report):
    extra = replace(report.findings[0], rep=4, value=50.0)
    fs = select_findings(replace(report, findings=[*report.findings, extra]))
    assert [f.code for f in fs] == ["back_rounding", "rushing"] and fs[0].value > 60


def test_angle_geometry_and_drawing(report):
    assert angle_geometry("fppa_left_deg") == ("vertex", ("left_hip", "left_knee", "left_ankle"))
    assert angle_geometry("trunk_inclination_deg")[0] == "vertical"
    assert angle_geometry("unknown_thing") is None
    img = np.zeros((240, 320, 3), np.uint8)
    pts = report.pose.data[100].astype(float)
    for sig in ("knee_flexion_deg", "hip_flexion_deg", "trunk_inclination_deg", "lateral_offset_hipw"):
        before = img.sum()
        assert draw_angle(img, pts, sig, sig)
        assert img.sum() > before


def test_extract_key_frames(report, synth_clip):
    kfs = extract_key_frames(report, synth_clip)
    assert [k.finding.code for k in kfs] == ["back_rounding", "rushing"]
    for k in kfs:
        assert k.image_jpeg[:2] == b"\xff\xd8" and k.best_image_jpeg[:2] == b"\xff\xd8"
        assert k.best_rep in (1, 4) and k.phase in ("eccentric", "bottom", "concentric", "top")
    assert extract_key_frames(replace(report, findings=[]), synth_clip) == []
    assert extract_key_frames(replace(report, pose=None), synth_clip) == []


def test_seeking_reads_the_same_frames_as_decoding(report, synth_clip):
    wanted = {5, 140, 260, 287}
    seq = read_frames(synth_clip, wanted, 720)  # by decoded-frame index, from the start
    seek = read_frames(synth_clip, wanted, 720, report.pose.timestamps_s)
    assert sorted(seek) == sorted(wanted)
    for k in wanted:
        np.testing.assert_array_equal(seek[k], seq[k])
