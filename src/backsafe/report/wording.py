"""Words shared by the HTML report, the annotated video and the terminal summary (COACHING_RULES.md §9).

Positive targets, no fear words; praise clean reps; the disclaimer verbatim.
"""

from __future__ import annotations

from ..faults.summary import PRIORITY

from ..model import Finding, ReportData

DISCLAIMER = (
    "backsafe gives general exercise guidance, not medical advice, diagnosis or treatment. If pain is severe, "
    "worsening or unexplained, or you have numbness, weakness, or bladder or bowel changes, stop and seek medical "
    "care. Check with a clinician first if you have a health condition or recent injury."
)

LOW_CONFIDENCE_TIP = (
    "The keypoints were hard to see in this clip: film from the side at hip height, about 3 m away, "
    "with your whole body in frame."
)

#: plain names of the fault codes of DESIGN.md
FAULT_LABELS: dict[str, str] = {
    "back_rounding": "back rounding",
    "back_arching": "back arching",
    "hips_piked": "hips piked",
    "lateral_shift": "shift to one side",
    "knee_valgus": "knees caving in",
    "knee_varus": "knees bowing out",
    "hip_rotation": "hips rotating",
    "rushing": "rushing",
    "jumping": "jumping",
    "partial_range": "partial range",
    "load_far_from_body": "load far from the body",
}

#: §9 priority (J > R under load > D > S/P > K > A > T); lower is more important: one table, the summary's
FAULT_PRIORITY = PRIORITY

SEVERITY_RANK: dict[str, int] = {"mild": 1, "moderate": 2, "severe": 3}

PHASES: tuple[str, ...] = ("eccentric", "bottom", "concentric", "top")

#: readable names of kinematic series (fallback: the name without unit suffix, underscores as spaces)
SIGNAL_LABELS: dict[str, str] = {
    "trunk_inclination_deg": "trunk inclination",
    "hip_flexion_deg": "hip flexion",
    "knee_flexion_deg": "knee flexion",
    "elbow_flexion_deg": "elbow flexion",
    "shoulder_elevation_deg": "shoulder elevation",
    "body_line_deg": "body line",
    "fppa_left_deg": "left knee FPPA",
    "fppa_right_deg": "right knee FPPA",
    "lateral_offset_hipw": "lateral hip offset",
    "pelvis_tilt_deg": "pelvis tilt",
    "load_lever_m": "load lever arm",
}

UNIT_SUFFIXES: dict[str, str] = {"_deg": "deg", "_hipw": "hip widths", "_m": "m", "_s": "s", "_nm": "N·m"}


def fault_label(code: str) -> str:
    return FAULT_LABELS.get(code, code.replace("_", " "))


def signal_label(name: str) -> str:
    if name in SIGNAL_LABELS:
        return SIGNAL_LABELS[name]
    base = name
    for suffix in UNIT_SUFFIXES:
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    side = ""
    for s in ("_left", "_right"):
        if base.endswith(s):
            side, base = s[1:] + " ", base[: -len(s)]
    return side + SIGNAL_LABELS.get(base + "_deg", base.replace("_", " "))


def signal_unit(name: str, units: dict[str, str] | None = None) -> str:
    if units and name in units:
        return units[name]
    for suffix, unit in UNIT_SUFFIXES.items():
        if name.endswith(suffix):
            return unit
    return ""


def format_value(value: float, unit: str) -> str:
    """``31°``, ``0.8 s``, ``0.18 hip widths``."""
    if unit in ("deg", "°"):
        return f"{value:.0f}°"
    if unit in ("s", "m", "hip widths", "hipw", "fraction", ""):
        text = f"{value:.2f}".rstrip("0").rstrip(".") if abs(value) < 10 else f"{value:.1f}"
        unit_text = {"hipw": "hip widths", "fraction": "of full range"}.get(unit, unit)
        return f"{text} {unit_text}".strip()
    return f"{value:.1f} {unit}"


def finding_sort_key(f: Finding) -> tuple[int, int, int]:
    return (FAULT_PRIORITY.get(f.code, 9), -SEVERITY_RANK.get(f.severity, 0), f.rep)


def rep_fault_score(report: ReportData, rep_index: int) -> tuple[int, int]:
    """(number of faults, summed severity) of one rep; lower is better."""
    fs = report.findings_for(rep_index)
    return len(fs), sum(SEVERITY_RANK.get(f.severity, 1) for f in fs)


#: plain names of what a view could not check, said once together (§9); valgus and varus are one thing to a person
NOT_CHECKED_LABELS: dict[str, str] = {
    "knee_valgus": "knees in/out",
    "knee_varus": "knees in/out",
    "lateral_shift": "shift to one side",
    "hip_rotation": "hip rotation",
    "back_rounding": "back rounding",
    "back_arching": "back arching",
    "hips_piked": "hips piked",
    "load_far_from_body": "load distance",
}
#: the view that sees each code (COACHING_RULES §5 "View" column)
FRONT_CODES = frozenset({"knee_valgus", "knee_varus", "lateral_shift", "hip_rotation"})


def not_checked_text(codes: list[str], view: str, other: dict[str, str] | None = None) -> str:
    """One sentence for everything that was not checked (§9: said once): what the view could not see, "Not
    checked from this side view: knees in/out, hip rotation, shift to one side — film from the front to see
    them", and what could not be judged for another reason (``other``: code → why), "back arching — video
    cannot measure it …"."""
    groups: dict[str, list[str]] = {}
    for code in codes:
        where = "front" if code in FRONT_CODES else "side"
        label = NOT_CHECKED_LABELS.get(code, fault_label(code))
        if label not in groups.setdefault(where, []):
            groups[where].append(label)
    parts = [f"{', '.join(labels)} — film from the {where} to see {'it' if len(labels) == 1 else 'them'}"
             for where, labels in groups.items()]
    parts += [f"{NOT_CHECKED_LABELS.get(code, fault_label(code))} — {why}" for code, why in (other or {}).items()
              if code not in codes]
    this = f"this {view} view" if view in ("side", "front", "oblique") else "this view"
    return (f"Not checked from {this}: " if groups else "Not checked: ") + "; ".join(parts)


def _peak_compression(report: ReportData) -> float:
    vals = [v for v in report.lumbar_compression_n.values() if v == v]
    return max(vals, default=0.0)


def set_cue(findings: list[Finding], compression_n: dict[int, float], *, checked_any: bool = True,
            exercise_checks: bool = True, view_for: str = "side") -> str | None:
    """The top cue when the fault priority has none to give, in the summary's voice (§9); None = keep the faults'.

    A clean set with a high estimated compression: lighten or bring the load closer (not "keep moving exactly like
    this"). Nothing checked: no praise for form nobody judged."""
    from ..faults.lumbar import ACTION_LIMIT_N

    if findings:
        return None
    if not exercise_checks:
        return "Keep a steady, even rhythm."
    if not checked_any:
        return f"Film from the {view_for} to have your form checked."
    peak = max((v for v in compression_n.values() if v == v), default=0.0)
    if peak > ACTION_LIMIT_N:
        return "Good form: lighten the load or hold it closer to your body."
    return None


def _reps_text(n_full: int, n_partial: int) -> str:
    text = f"{n_full} rep{'s' if n_full != 1 else ''}"
    return text + (f" (+{n_partial} partial)" if n_partial else "")


def _checked_codes(report: ReportData) -> list[str]:
    """The exercise's fault codes this clip judged (none at low confidence)."""
    if report.quality == "low_confidence":
        return []
    try:
        from ..exercises import get_exercise

        codes = list(get_exercise(report.exercise).faults)
    except Exception:  # an unknown id: what the findings show was checked
        codes = sorted({f.code for f in report.findings})
    return [c for c in codes if c not in report.not_checked]


def form_checked(report: ReportData) -> bool:
    """Whether any of the exercise's form faults was judged on this clip (the verdict's "clean" needs it)."""
    return bool(report.findings) or bool(_checked_codes(report))


def _unchecked_why(report: ReportData) -> str:
    """Why no form fault was judged, in plain words (the verdict's and the key frames' reason, one wording)."""
    try:
        from ..exercises import get_exercise

        checks_any = bool(get_exercise(report.exercise).faults)
    except Exception:
        checks_any = True
    if report.quality == "low_confidence":
        return "the keypoints were too unclear to judge form"
    if not checks_any:
        return "no form fault is checked for this exercise"
    return f"none of this exercise's form faults can be seen from a {report.view} view"


def rep_cell_text(report: ReportData) -> str:
    """What a rep row without faults says: "clean" only when form was judged (§9: no praise for unjudged form)."""
    return "clean" if form_checked(report) else "not checked"


def no_fault_frames_text(report: ReportData) -> str:
    """The key-frame section of a report without findings, in the verdict's voice: it says why there are no fault
    frames, and never "every rep was clean" when form was not judged (the verdict gives the clean count, the load
    and the notes; this does not repeat them)."""
    if not form_checked(report):
        return f"No fault frames to show: form was not checked ({_unchecked_why(report)})."
    if not report.reps:
        return "No fault was seen, so there are no fault frames to show."
    return "No fault was seen in any rep, so there are no fault frames to show."


def lumbar_moment_note(report: ReportData) -> str | None:
    """"not estimated for floor exercises" where the standing L5/S1 model does not apply (faults/lumbar.py),
    said in place of a figure; None elsewhere (a missing figure there has its own warning)."""
    from ..faults.lumbar import FLOOR_NOT_ESTIMATED, standing_model_applies

    if report.reps and not standing_model_applies(report.exercise):
        return FLOOR_NOT_ESTIMATED
    return None


OUTLINE_PREFIX = "The back's outline"


def outline_note(report: ReportData) -> str | None:
    """Why the back's outline could not be traced (``extra["back_outline"]``), in plain words, or None.

    The pipeline's own sentence when it gave one (in the warnings); otherwise one built from the status's reason
    codes. Nothing for a traced outline, for a view where back rounding is not judged at all (the not-checked
    sentence says that), or for a set that never leaned forward enough to trace (an upright squat or lunge: the
    expected case, its status stays in the JSON)."""
    for w in report.warnings:
        if w.startswith(OUTLINE_PREFIX):
            return w
    status = report.extra.get("back_outline")
    if not isinstance(status, dict) or status.get("state") not in ("not_traced", "partly", "off"):
        return None
    from ..kinematics.back_contour import INSTEAD, WHY

    instead = f" Back rounding was judged from {INSTEAD}." if status.get("instead") == "trunk_angle" else ""
    reason = status.get("reason")
    if status.get("state") in ("not_traced", "off") and reason in WHY and reason not in ("view", "upright"):
        verb = "was not traced" if reason in ("off", "no_video", "facing") else "could not be traced"
        return f"{OUTLINE_PREFIX} {verb}: {WHY[str(reason)]}.{instead}"
    missing = [(int(x["rep"]), str(x["reason"])) for x in status.get("reps_not_traced", [])
               if isinstance(x, dict) and x.get("reason") in WHY and x.get("reason") not in ("view", "upright")]
    if not missing:
        return None
    by_reason: dict[str, list[int]] = {}
    for rep, why in missing:
        by_reason.setdefault(why, []).append(rep)
    parts = "; ".join(
        f"rep{'s' if len(rs) > 1 else ''} {', '.join(str(r) for r in rs)}: {WHY[why]}" for why, rs in by_reason.items())
    return f"{OUTLINE_PREFIX} could not be traced ({parts}).{instead}"


def report_notes(report: ReportData) -> list[str]:
    """The notes a person reads beside the verdict — not faults: the tempo notes of §7 (``report.notes``) and why
    the back's outline could not be traced. The text, HTML and JSON summaries all list these."""
    notes = list(dict.fromkeys(report.notes))
    outline = outline_note(report)
    if outline and outline not in notes:
        notes.append(outline)
    return notes


def warnings_without_notes(report: ReportData) -> list[str]:
    """The warnings a person reads, less those already said as notes (said once, §9)."""
    notes = set(report_notes(report))
    return [w for w in dict.fromkeys(report.warnings) if w not in notes]


def _said(report: ReportData, parts: list[str]) -> str:
    """The verdict's sentences as one text, the low-confidence tip last when the pose was unsure."""
    if report.quality == "low_confidence":
        parts.append(LOW_CONFIDENCE_TIP)
    return " ".join(parts)


def verdict(report: ReportData) -> str:
    """One or two plain-language sentences about the whole set, in one voice with the header's rep count, the
    findings, the load estimate and the top cue (COACHING_RULES §9)."""
    from ..faults.lumbar import ACTION_LIMIT_N

    n_reps = len(report.reps)
    parts: list[str] = []
    peak = _peak_compression(report)
    high_load = peak > ACTION_LIMIT_N
    load_text = f"the load is high for your back: {peak / 1000:.1f} kN"
    checked = _checked_codes(report)
    if n_reps and not report.findings and not checked:
        full = [r for r in report.reps if not r.partial]
        counted = _reps_text(len(full), n_reps - len(full))
        parts.append(f"{counted} counted; only reps and tempo were measured: {_unchecked_why(report)}.")
        if high_load:
            parts.append(f"The {load_text}.")
        return _said(report, parts)
    if n_reps and "whole" not in report.reps[0].phase_frames:
        return _rep_verdict(report, high_load, load_text)
    # a hold, or no repetition found
    if n_reps == 0:
        if report.hold_s is not None:
            held = f"You held the position for {report.hold_s:.0f} s"
            if report.findings:
                main = sorted(report.findings, key=finding_sort_key)[0]
                parts.append(f"{held}. The main thing to work on: {fault_label(main.code)}.")
            elif not checked:
                parts.append(f"{held}; its form was not checked from this view.")
            else:
                parts.append(f"{held} with no back-straining faults seen."
                             + (f" Good form; {load_text}." if high_load else " Nice work."))
        elif report.findings:
            parts.append("No full repetition was found; see the findings below.")
        else:
            parts.append("No repetition was found in this clip.")
    else:
        if report.findings:
            main = sorted(report.findings, key=finding_sort_key)[0]
            parts.append(f"No full repetition was found. The main thing to work on: {fault_label(main.code)}.")
        else:
            parts.append("No full repetition was found; no fault was seen in the movement.")
    return _said(report, parts)


def _rep_verdict(report: ReportData, high_load: bool, load_text: str) -> str:
    """The verdict of a set of reps: counts as the header gives them (full reps, then partial ones)."""
    full = [r for r in report.reps if not r.partial]
    partial = [r for r in report.reps if r.partial]
    faulty = {f.rep for f in report.findings}
    n = len(full)
    parts: list[str] = []
    clean_full = [r for r in full if r.index not in faulty]
    faulty_partial = [r for r in partial if r.index in faulty]
    if not report.findings:
        if n:
            which = {1: "The rep was", 2: "Both reps were"}.get(n, f"All {n} reps were")
            also = ""
            if partial:
                also = " (and the partial one)" if len(partial) == 1 else f" (and the {len(partial)} partial ones)"
            lead = f"{which} clean{also}: no back-straining faults seen."
        else:
            lead = (f"Only {len(partial)} partial rep{'s' if len(partial) > 1 else ''} found, with no "
                    "back-straining faults seen.")
        parts.append(lead)
        parts.append(f"Good form; {load_text}." if high_load else "Nice work.")
    else:
        main = sorted(report.findings, key=finding_sort_key)[0]
        main_reps = sorted({f.rep for f in report.findings if f.code == main.code})
        reps_text = ", ".join(str(r) for r in main_reps)
        plural = "s" if len(main_reps) > 1 else ""
        if n and len(clean_full) == n:
            lead = (f"All {n} full reps were clean; the partial rep{'s' if len(faulty_partial) > 1 else ''} "
                    f"{'show' if len(faulty_partial) > 1 else 'shows'} something to work on.")
        elif clean_full:
            lead = f"{len(clean_full)} of {n} reps were clean."
        elif n:
            lead = f"Each of the {n} reps has something to work on." if n > 1 else "The rep has something to work on."
        else:
            lead = "No full rep was found."
        parts.append(f"{lead} The main thing to work on: {fault_label(main.code)} (rep{plural} {reps_text}).")
        if high_load:
            parts.append(f"Also, {load_text}.")
    return _said(report, parts)


def people_text(report: ReportData) -> str | None:
    """Who was analysed when several people were in frame (report.extra["people"], pose/tracking.py), in one
    sentence; None when the clip held one person."""
    people = report.extra.get("people")
    if not isinstance(people, dict) or not isinstance(people.get("seen"), int):
        return None
    cands = [c for c in people.get("candidates", []) if isinstance(c, dict)]
    chosen = next((c for c in cands if c.get("track") == people.get("analysed")), None)
    later = ""
    if chosen is not None and isinstance(chosen.get("first_s"), (int, float)) and cands:
        start = min(float(c.get("first_s", 0.0)) for c in cands)
        if float(chosen["first_s"]) > start + 0.5:
            later = f"; they came into view at {float(chosen['first_s']):.1f} s"
    return f"{people['seen']} people were in frame; analysed: {people.get('why', 'one of them')}{later}."


def tempo_text(eccentric_s: float, bottom_s: float, concentric_s: float, top_s: float) -> str:
    """``2.1-0.3-1.4-0.5`` (seconds per phase, eccentric-bottom-concentric-top)."""
    return "-".join(f"{v:.1f}" for v in (eccentric_s, bottom_s, concentric_s, top_s))
