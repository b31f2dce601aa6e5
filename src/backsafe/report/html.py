"""The HTML report: one self-contained file that opens offline and prints well.

Everything is inline: the stylesheet (``assets/report.css``), the plots (matplotlib SVG as ``data:`` images) and
the key frames (JPEG as ``data:`` images). No script, no font, no request leaves the file. The file is written
atomically (a temporary file in the same folder, then ``os.replace``), so a half-written report never exists.
"""

from __future__ import annotations

import base64
import html
import os
import tempfile
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from ..errors import BacksafeError
from ..model import Finding, Rep, ReportData
from .keyframes import KeyFrame, RepFrame, extract_key_frames, extract_rep_frames, people_frame
from .plots import Plot, primary_signal_name, signal_plots
from .wording import (
    DISCLAIMER,
    fault_label,
    finding_sort_key,
    form_checked,
    format_value,
    lumbar_moment_note,
    no_fault_frames_text,
    people_text,
    rep_cell_text,
    report_notes,
    signal_label,
    verdict,
    warnings_without_notes,
)

__all__ = ["render_html", "build_html", "write_text_atomic"]


def _esc(x: object) -> str:
    return html.escape(str(x), quote=True)


def _asset(name: str) -> str:
    return resources.files("backsafe.report").joinpath(name).read_text(encoding="utf-8")


def _data_uri(mime: str, payload: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


def write_text_atomic(out_path: Path, text: str) -> Path:
    """Write ``text`` atomically (temp file in the same folder + rename): the one implementation in json_report."""
    from .json_report import write_atomic

    return write_atomic(Path(out_path), text)


# --------------------------------------------------------------------------------------------------- sections


def _exercise_name(report: ReportData) -> str:
    try:
        from ..exercises import get_exercise

        return get_exercise(report.exercise).name
    except BacksafeError:
        return report.exercise.replace("_", " ")


def _facts(report: ReportData) -> str:
    items: list[tuple[str, str]] = [("Exercise", _exercise_name(report)), ("View", report.view)]
    items.append(("Keypoints", "3D" if report.dims == "3d" else "2D"))
    if report.reps or report.hold_s is None:
        partial = sum(1 for r in report.reps if r.partial)
        items.append(("Reps", f"{report.rep_count}" + (f" (+{partial} partial)" if partial else "")))
    if report.hold_s is not None:
        items.append(("Hold", f"{report.hold_s:.1f} s"))
    n_faults = len(report.findings)
    items.append(("Faults", str(n_faults) if form_checked(report) else "form not checked"))
    items.append(("Keypoint quality", "good" if report.quality == "ok" else "low"))
    src = report.input.get("path") or report.input.get("file")
    if src:
        items.append(("Clip", Path(str(src)).name))
    if report.input.get("pose_model"):
        items.append(("Pose model", str(report.input["pose_model"])))
    return "".join(f"<div><dt>{_esc(k)}</dt><dd>{_esc(v)}</dd></div>" for k, v in items)


def _fault_html(f: Finding) -> str:
    return (
        f'<span class="fault"><span class="sev {_esc(f.severity)}">{_esc(f.severity)}</span>'
        f"<strong>{_esc(fault_label(f.code))}</strong> {_esc(format_value(f.value, f.unit))} "
        f"vs {_esc(format_value(f.threshold, f.unit))}"
        f' <span class="cuetext">— {_esc(f.cue)}</span></span>'
        if f.cue
        else f'<span class="fault"><span class="sev {_esc(f.severity)}">{_esc(f.severity)}</span>'
        f"<strong>{_esc(fault_label(f.code))}</strong> {_esc(format_value(f.value, f.unit))} "
        f"vs {_esc(format_value(f.threshold, f.unit))}</span>"
    )


def _rep_row(report: ReportData, r: Rep, show_moment: bool) -> str:
    fs = sorted(report.findings_for(r.index), key=finding_sort_key)
    t = r.tempo
    checked = form_checked(report)
    cls = ["faulty" if fs else "clean" if checked else "unchecked"] + (["partial"] if r.partial else [])
    faults = "".join(_fault_html(f) for f in fs) if fs else _esc(rep_cell_text(report))
    cells = [
        f"<td>{r.index}</td>",
        f'<td class="num">{r.start_s:.2f}–{r.end_s:.2f}</td>',
        *((f'<td class="num">{v:.1f}</td>' for v in (t.eccentric_s, t.bottom_s, t.concentric_s, t.top_s))
          if r.tempo_measured else ('<td class="num">–</td>',) * 4),
        f'<td class="faults">{faults}</td>',
    ]
    if show_moment:
        m = report.lumbar_moment_nm.get(r.index)
        cells.append(f'<td class="num">{m:.0f}</td>' if m is not None else '<td class="num">–</td>')
    return f'<tr class="{" ".join(cls)}">' + "".join(cells) + "</tr>"


def _rep_table(report: ReportData) -> str:
    if not report.reps:
        if report.hold_s is not None:
            rows = "".join(f"<li>{_fault_html(f)}</li>" for f in sorted(report.findings, key=finding_sort_key))
            none = "No faults seen during the hold." if form_checked(report) else "Form was not checked during the hold."
            body = f"<ul>{rows}</ul>" if rows else f"<p>{none}</p>"
            return f'<p class="note">A hold of {report.hold_s:.1f} s: no repetitions to list.</p>{body}'
        return '<p class="note">No repetition was found in this clip.</p>'
    show_moment = bool(report.lumbar_moment_nm)
    head = (
        "<tr><th>Rep</th><th>Time (s)</th><th>Down (s)</th><th>Bottom (s)</th><th>Up (s)</th><th>Top (s)</th>"
        "<th>Faults (value vs threshold)</th>" + ("<th>Lumbar moment (N·m)</th>" if show_moment else "") + "</tr>"
    )
    rows = "".join(_rep_row(report, r, show_moment) for r in report.reps)
    floor = lumbar_moment_note(report)
    note = (
        '<p class="meta">Tempo phases: eccentric (down), bottom pause, concentric (up), top pause. '
        + ("Lumbar moment: estimated static L5/S1 moment at the rep's most loaded frame, a screen, not a "
           "measurement." if show_moment else "")
        + (f"Lumbar moment: {_esc(floor)} (the standing model does not hold for a body on the floor)."
           if floor and not show_moment else "")
        + "</p>"
    )
    return f'<table class="reps"><thead>{head}</thead><tbody>{rows}</tbody></table>{note}'


def _plots_html(plots: list[Plot], report: ReportData) -> str:
    if not plots:
        why = "no kinematic time series were kept in this report" if report.kinematics is None else "no signal to plot"
        return f'<p class="note">No plots: {why}.</p>'
    out = []
    for i, p in enumerate(plots):
        uri = _data_uri("image/svg+xml", p.svg.encode("utf-8"))
        out.append(
            f'<figure class="plot" id="plot-{i}" data-signal="{_esc(p.signal)}">'
            f"<h3>{_esc(p.title)}</h3>"
            f'<img class="plot" src="{uri}" alt="{_esc(p.title)}">'
            f"<figcaption>{_esc(p.caption)}</figcaption></figure>"
        )
    return "".join(out)


def _rep_frames_html(report: ReportData, frames: list[RepFrame]) -> str:
    lead = _esc(no_fault_frames_text(report))
    if not frames:
        return f'<p class="note">{lead}</p>'
    figs = "".join(
        f'<figure><img class="keyframe" src="{_data_uri("image/jpeg", f.image_jpeg)}" alt="{_esc(f.caption)}">'
        f"<figcaption>{_esc(f.caption)}.</figcaption></figure>"
        for f in frames
    )
    return (
        f'<p class="note">{lead} For reference, the turnaround of each rep:</p><div class="kf">{figs}</div>'
    )


def _keyframes_html(report: ReportData, video_path: Path | None, key_frames: list[KeyFrame] | list[RepFrame] | None,
                    error: str) -> str:
    if not report.findings and key_frames:
        return _rep_frames_html(report, [k for k in key_frames if isinstance(k, RepFrame)])
    if not report.findings:
        return f'<p class="note">{_esc(no_fault_frames_text(report))}</p>'
    if key_frames is None:
        return f'<p class="note">No key frames: {_esc(error)}.</p>'
    if not key_frames:
        return '<p class="note">No key frames: the frames of the faults could not be read from the clip.</p>'
    out = []
    for k in key_frames:
        if not isinstance(k, KeyFrame):
            continue
        left = (
            f'<figure><img class="keyframe" src="{_data_uri("image/jpeg", k.image_jpeg)}" '
            f'alt="{_esc(k.caption)}"><figcaption>{_esc(k.caption)}. Cue: {_esc(k.finding.cue)}</figcaption></figure>'
        )
        if k.best_image_jpeg is not None and k.best_rep is not None:
            phase = f"the same point of the {k.phase} phase" if k.phase else "the same moment"
            cap = f"Your best rep (rep {k.best_rep}) at {phase}, for comparison"
            right = (
                f'<figure><img class="keyframe best" src="{_data_uri("image/jpeg", k.best_image_jpeg)}" '
                f'alt="{_esc(cap)}"><figcaption>{_esc(cap)}.</figcaption></figure>'
            )
        else:
            right = '<figure><div class="none">No other rep to compare with.</div></figure>'
        out.append(f'<div class="kf" data-code="{_esc(k.finding.code)}"><h3>'
                   f"{_esc(fault_label(k.finding.code).capitalize())}</h3>{left}{right}</div>")
    return "".join(out)


def _comparison_html(comparison: dict[str, Any] | None) -> str:
    if not comparison:
        return ""
    rows = "".join(
        f"<tr><td>{_esc(r['rep'])}</td><td class=\"num\">{float(r['distance']):.2f}</td>"
        f"<td>{_esc(r['phase'])}</td><td>{_esc(signal_label(str(r['signal'])))}</td>"
        f"<td class=\"num\">{float(r['difference']):+.1f} {_esc(r.get('unit', ''))}</td></tr>"
        for r in comparison.get("reps", [])
    )
    return (
        '<section id="comparison"><h2>Compared with the reference</h2>'
        f"<p>{_esc(comparison.get('summary', ''))}</p>"
        "<table><thead><tr><th>Rep</th><th>Distance</th><th>Phase that differs most</th><th>Signal</th>"
        f"<th>Difference (you − reference)</th></tr></thead><tbody>{rows}</tbody></table>"
        '<p class="meta">Distance: mean difference after time alignment (dynamic time warping), in units of the '
        "reference rep's range of each signal; 0 means the same movement.</p></section>"
    )


def _people_html(report: ReportData, video_path: Path | None) -> str:
    """Several people in frame: who was analysed and why, and where each was first seen (issue 20); "" otherwise."""
    text = people_text(report)
    if text is None:
        return ""
    img = ""
    if video_path is not None:
        try:
            jpeg = people_frame(report, Path(video_path))
        except BacksafeError:
            jpeg = None
        if jpeg is not None:
            img = (f'<figure><img alt="the people in frame, the analysed one outlined" '
                   f'src="{_data_uri("image/jpeg", jpeg)}"><figcaption>When the first person came into view: each '
                   "person in view then is boxed, the one analysed in red. Not the right one? Analyse again and "
                   "choose who (--person, or a tap on the upload page).</figcaption></figure>")
    return f'<section id="people">\n  <h2>People in frame</h2>\n  <p>{_esc(text)}</p>\n  {img}\n</section>'


def _warnings_html(report: ReportData, extra: list[str]) -> str:
    items = warnings_without_notes(report) + extra
    if not items:
        return "<p>None.</p>"
    return '<ul class="warnings">' + "".join(f"<li>{_esc(w)}</li>" for w in items) + "</ul>"


def _key_frames_for(report: ReportData, video_path: Path | None) -> tuple[list[KeyFrame] | list[RepFrame] | None, str]:
    if video_path is None:
        return None, "no video was given (keypoint input), so there are no frames to show"
    if report.pose is None:
        return None, "this report carries no keypoints to draw"
    if report.pose.space != "image":
        return None, "the keypoints are 3D world coordinates, not image pixels"
    try:
        if not report.findings:
            return extract_rep_frames(report, Path(video_path), primary_signal_name(report)), ""
        return extract_key_frames(report, Path(video_path)), ""
    except BacksafeError as exc:
        return None, f"the clip could not be read ({exc})"


def build_html(report: ReportData, video_path: Path | None, comparison: dict[str, Any] | None = None) -> str:
    """The report page as a string (see :func:`render_html`)."""
    from .. import __version__

    key_frames, kf_error = _key_frames_for(report, video_path)
    plots = signal_plots(report)
    has_faults = bool(report.findings)
    top_cue = (
        f'<p class="cue">Top cue: <strong>{_esc(report.top_cue)}</strong></p>' if report.top_cue else ""
    )
    notes = report_notes(report)
    if notes:  # not faults (a brisk but controlled tempo §7, the back's outline not traced): notes beside the cue
        top_cue += '<ul class="notes">' + "".join(f"<li>Note: {_esc(n)}</li>" for n in notes) + "</ul>"
    if comparison is None and isinstance(report.extra.get("comparison"), dict):
        comparison = report.extra["comparison"]
    name = _exercise_name(report)
    values = {
        "version": _esc(__version__),
        "title": _esc(f"backsafe report — {name}"),
        "css": _asset("assets/report.css"),
        "heading": _esc(f"{name}: form report"),
        "facts": _facts(report),
        "verdict": _esc(verdict(report)),
        "verdict_class": "faults" if has_faults else "clean" if form_checked(report) else "unchecked",
        "top_cue": top_cue,
        "reps_heading": "Reps" if report.reps else "Hold",
        "rep_table": _rep_table(report),
        "plots": _plots_html(plots, report),
        "keyframes": _keyframes_html(report, video_path, key_frames, kf_error),
        "people": _people_html(report, video_path),
        "comparison": _comparison_html(comparison),
        "warnings": _warnings_html(report, []),
        "disclaimer": _esc(DISCLAIMER),
        "meta": _esc(f"Made by backsafe {__version__}. Thresholds and their sources: `backsafe rules` and the project's docs."),
    }
    return Template(_asset("templates/report.html")).substitute(values)


def render_html(report: ReportData, video_path: Path | None, out_path: Path, *,
                comparison: dict[str, Any] | None = None) -> Path:
    """Write the self-contained HTML report.

    Parameters
    ----------
    report : the analysis; ``report.kinematics`` gives the plots, ``report.pose`` (image pixels) the skeletons.
    video_path : the analysed clip for key frames, or None (keypoint input: the page says there are none).
    out_path : the HTML file to write (atomically).
    comparison : ``Comparison.as_dict()`` of a reference comparison to include (default:
        ``report.extra["comparison"]`` when present).

    Returns
    -------
    Path
        ``out_path``.
    """
    return write_text_atomic(Path(out_path), build_html(report, video_path, comparison))
