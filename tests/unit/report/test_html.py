"""HTML report: self-contained, all sections present, graceful without video/pose/kinematics, atomic."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from report_synth import make_report

from backsafe.report import html as html_mod
from backsafe.report.html import render_html
from backsafe.report.wording import DISCLAIMER


def _read(p):
    return p.read_text(encoding="utf-8")


def test_full_report_has_every_section(report, synth_clip, tmp_path):
    out = render_html(report, synth_clip, tmp_path / "report.html")
    assert out == tmp_path / "report.html"
    page = _read(out)
    assert "<h1>Back squat: form report</h1>" in page
    for fact in ("side", "2D", "Reps</dt><dd>4<"):
        assert fact in page
    assert "Keep your chest up and proud" in page  # top cue
    assert "2 of 4 reps were clean" in page  # verdict
    # per-rep table: 4 rows, value vs threshold with unit, tempo, lumbar moment
    assert len(re.findall(r"<tr class=\"(clean|faulty)", page)) == 4
    assert "65° vs 45°" in page and "0.5 s vs 1.5 s" in page
    assert "Lumbar moment (N·m)" in page and ">130<" in page
    # plots: primary signal + trunk inclination, as inline SVG images
    assert page.count('<img class="plot" src="data:image/svg+xml;base64,') == 2
    assert 'data-signal="knee_flexion_deg"' in page and 'data-signal="trunk_inclination_deg"' in page
    # key frames: worst frame of each fault + best rep's matching frame
    assert page.count('class="keyframe"') == 2 and page.count('class="keyframe best"') == 2
    assert "Your best rep (rep 1)" in page
    assert DISCLAIMER in page
    assert "@media print" in page
    assert "synthetic data for tests" in page  # warnings


def test_report_is_self_contained(report, synth_clip, tmp_path):
    page = _read(render_html(report, synth_clip, tmp_path / "r.html"))
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", page), "a resource outside the file"
    assert "<script" not in page and "@import" not in page and "url(http" not in page
    assert "http://" not in page.replace("http://www.w3.org", "")


def test_same_report_same_bytes(report, synth_clip, tmp_path):
    """Two renderings of one analysis are one file (the plots' SVG carried a creation date and ids made from object
    addresses), so a report can be compared, cached and checked by its hash."""
    a = render_html(report, synth_clip, tmp_path / "a.html").read_bytes()
    b = render_html(report, synth_clip, tmp_path / "b.html").read_bytes()
    assert a == b
    import base64

    svgs = [base64.b64decode(m) for m in re.findall(rb"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", a)]
    assert svgs and not any(b"<dc:date>" in svg for svg in svgs)


def test_without_video_says_why_and_still_plots(report, tmp_path):
    page = _read(render_html(report, None, tmp_path / "r.html"))
    assert "No key frames: no video was given" in page
    assert page.count("data:image/svg+xml") == 2


def test_without_pose_or_kinematics(report, synth_clip, tmp_path):
    page = _read(render_html(replace(report, pose=None), synth_clip, tmp_path / "a.html"))
    assert "no keypoints to draw" in page
    page = _read(render_html(replace(report, pose=None, kinematics=None), synth_clip, tmp_path / "b.html"))
    assert "No plots: no kinematic time series" in page
    assert "65° vs 45°" in page


def test_unreadable_video_degrades_to_a_note(report, tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a video")
    page = _read(render_html(report, bad, tmp_path / "r.html"))
    assert "No key frames: the clip could not be read" in page


def test_clean_set_and_hold(tmp_path, synth_clip):
    clean = make_report(rounding_rep=None, rushing_rep=None)
    page = _read(render_html(clean, synth_clip, tmp_path / "c.html"))
    assert "All 4 reps were clean" in page and "No fault was seen in any rep" in page
    assert page.count('class="keyframe"') == 4 and "Rep 1 at the bottom: knee flexion" in page
    hold = replace(clean, exercise="plank", reps=[], hold_s=42.0, lumbar_moment_nm={})
    page = _read(render_html(hold, None, tmp_path / "h.html"))
    assert "Hold</dt><dd>42.0 s" in page and "You held the position for 42 s" in page


def test_low_confidence_asks_for_a_better_view(report, tmp_path):
    page = _read(render_html(replace(report, quality="low_confidence"), None, tmp_path / "r.html"))
    assert "side at hip height, about 3 m away" in page


def test_text_is_escaped(report, tmp_path):
    f = replace(report.findings[0], cue="<script>alert(1)</script>")
    page = _read(render_html(replace(report, findings=[f], top_cue="<b>x</b>"), None, tmp_path / "r.html"))
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;x&lt;/b&gt;" in page


def test_comparison_section(report, tmp_path):
    from backsafe.compare import compare_to_reference

    cmp = compare_to_reference(report, make_report(rounding_rep=None, rushing_rep=None))
    page = _read(render_html(report, None, tmp_path / "r.html", comparison=cmp.as_dict()))
    assert "Compared with the reference" in page and "trunk inclination" in page


def test_write_is_atomic(report, tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("previous report", encoding="utf-8")

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(html_mod, "build_html", boom)
    with pytest.raises(RuntimeError):
        render_html(report, None, target)
    assert target.read_text() == "previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    monkeypatch.undo()

    real_replace = html_mod.os.replace
    seen = []

    def spy(src, dst):
        seen.append((src, dst))
        real_replace(src, dst)

    monkeypatch.setattr(html_mod.os, "replace", spy)
    render_html(report, None, target)
    assert len(seen) == 1 and str(seen[0][1]) == str(target) and str(seen[0][0]).startswith(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
