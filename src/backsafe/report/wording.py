"""Words shared by the HTML report, the annotated video and the terminal summary (COACHING_RULES.md §9).

Positive targets, no fear words; praise clean reps; the disclaimer verbatim.
"""

from __future__ import annotations

from ..faults.summary import PRIORITY

from ..model import Finding, Report

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


def rep_fault_score(report: Report, rep_index: int) -> tuple[int, int]:
    """(number of faults, summed severity) of one rep; lower is better."""
    fs = report.findings_for(rep_index)
    return len(fs), sum(SEVERITY_RANK.get(f.severity, 1) for f in fs)


def verdict(report: Report) -> str:
    """One or two plain-language sentences about the whole set."""
    n_reps = len(report.reps)
    parts: list[str] = []
    if n_reps == 0:
        if report.hold_s is not None:
            held = f"You held the position for {report.hold_s:.0f} s"
            if report.findings:
                main = sorted(report.findings, key=finding_sort_key)[0]
                parts.append(f"{held}. The main thing to work on: {fault_label(main.code)}.")
            else:
                parts.append(f"{held} with no back-straining faults seen. Nice work.")
        elif report.findings:
            parts.append("No full repetition was found; see the findings below.")
        else:
            parts.append("No repetition was found in this clip.")
    else:
        faulty = sorted({f.rep for f in report.findings})
        clean = [r.index for r in report.reps if r.index not in faulty]
        if not report.findings:
            which = {1: "The rep was", 2: "Both reps were"}.get(n_reps, f"All {n_reps} reps were")
            parts.append(f"{which} clean: no back-straining faults seen. Nice work.")
        else:
            main = sorted(report.findings, key=finding_sort_key)[0]
            main_reps = sorted({f.rep for f in report.findings if f.code == main.code})
            reps_text = ", ".join(str(r) for r in main_reps)
            plural = "s" if len(main_reps) > 1 else ""
            lead = (
                f"{len(clean)} of {n_reps} reps were clean."
                if clean
                else f"Each of the {n_reps} reps has something to work on."
            )
            parts.append(f"{lead} The main thing to work on: {fault_label(main.code)} (rep{plural} {reps_text}).")
    if report.quality == "low_confidence":
        parts.append(LOW_CONFIDENCE_TIP)
    return " ".join(parts)


def tempo_text(eccentric_s: float, bottom_s: float, concentric_s: float, top_s: float) -> str:
    """``2.1-0.3-1.4-0.5`` (seconds per phase, eccentric-bottom-concentric-top)."""
    return "-".join(f"{v:.1f}" for v in (eccentric_s, bottom_s, concentric_s, top_s))
