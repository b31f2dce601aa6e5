"""Adapter for optical motion capture: the Plug-in Gait full-body marker set (39 skin markers, Vicon).

Plug-in Gait is the marker set most clinical gait labs use. Its 39 markers sit on the skin, not in the joints,
so the canonical joints are built from them:

* **hip joint centres** from the pelvis markers with the regression of Harrington et al. (2007, J Biomech
  40:595-602), in the pelvis frame (origin mid-ASIS, x anterior, y superior, z to the right; PW = inter-ASIS
  width, PD = mid-ASIS to mid-PSIS depth): x = -0.24 PD - 9.9 mm, y = -0.30 PW - 10.9 mm, z = +/-(0.33 PW + 7.3 mm);
* **knee and ankle centres**: the lateral knee (KNE) and ankle (ANK) markers moved medially by half a typical
  knee width (50 mm) and ankle width (35 mm), perpendicular to the thigh and the shank. Plug-in Gait itself uses
  each person's measured widths; the files here carry none, and the rules compare a person with their own reps;
* **shoulders** = the acromion markers (SHO), **elbows** = ELB, **wrists** = mid-way between WRA and WRB,
  **index** = FIN, **heel** = HEE, **foot index** = TOE;
* **trunk**: ``spine_mid`` = ``spine_chest`` = mid-way between T10 and the sternum (STRN), ``neck`` = mid-way
  between C7 and the clavicle (CLAV), so the thorax runs from ``spine_chest`` to ``neck`` and the segment below
  it from the pelvis centre to ``spine_mid`` (``spine_flexion_deg``, COACHING_RULES §5 R "with spine/thorax
  keypoints"); ``pelvis`` = mid-way between the hip joint centres;
* **head**: ``nose`` = the centre of the four head markers (a head point, as for Kinect), each ear = mid-way
  between that side's front and back head markers.

Files: a (T, 39, 3) npy in the order above (``pig39-npy``), or a C3D file (``c3d``, the format every
motion-capture system exports), whose markers are found by their Plug-in Gait labels (a ``Subject:`` prefix and
letter case do not matter) and whose frame rate and units come from the file itself.

Lab frame: right-handed with z up (Vicon's default), millimetres. The output is the canonical (T, J, 4)
float32 array in metres with y up (``space="world"``): (x, y, z)_lab -> (y, z, x), a cyclic swap that keeps
the frame right-handed. Which horizontal direction the person faces does not matter: kinematics builds its
body frame from the hips. A marker at exactly (0, 0, 0) or not finite is a gap (how Vicon exports one); every
joint built from it is then missing in that frame, with confidence 0.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ..errors import KeypointFormatError
from ._adapters_common import (
    F32,
    MAX_FPS,
    MAX_FRAMES,
    MIN_FPS,
    check_points_array,
    printable,
    world_from_positions,
)

#: Plug-in Gait full-body markers in the order Vicon Nexus exports them (and UI-PRMD stores them)
PIG_MARKERS: tuple[str, ...] = (
    "LFHD", "RFHD", "LBHD", "RBHD", "C7", "T10", "CLAV", "STRN", "RBAK",
    "LSHO", "LUPA", "LELB", "LFRM", "LWRA", "LWRB", "LFIN",
    "RSHO", "RUPA", "RELB", "RFRM", "RWRA", "RWRB", "RFIN",
    "LASI", "RASI", "LPSI", "RPSI",
    "LTHI", "LKNE", "LTIB", "LANK", "LHEE", "LTOE",
    "RTHI", "RKNE", "RTIB", "RANK", "RHEE", "RTOE",
)  # fmt: skip
PIG_N_MARKERS = len(PIG_MARKERS)
_M = {name: i for i, name in enumerate(PIG_MARKERS)}

KNEE_HALF_WIDTH_M = 0.050
ANKLE_HALF_WIDTH_M = 0.035

Vec = npt.NDArray[np.float64]


def _unit(v: Vec) -> Vec:
    with np.errstate(invalid="ignore", divide="ignore"):
        out: Vec = v / np.linalg.norm(v, axis=-1, keepdims=True)
    return out


def _medial(marker: Vec, proximal: Vec, medial_dir: Vec, half_width: float) -> Vec:
    """A lateral marker moved ``half_width`` towards the midline, perpendicular to the segment above it."""
    seg = _unit(marker - proximal)
    d = medial_dir - np.sum(medial_dir * seg, axis=1, keepdims=True) * seg
    out: Vec = marker + _unit(d) * half_width
    return out


def pig_joints(positions_mm: npt.NDArray[Any]) -> dict[str, Vec]:
    """(T, 39, 3) Plug-in Gait markers, lab frame z up, mm -> canonical joint positions, metres, y up."""
    p = np.asarray(positions_mm, dtype=np.float64)
    gap = ~np.all(np.isfinite(p), axis=2) | np.all(p == 0.0, axis=2)
    p = np.where(gap[..., None], np.nan, p)[..., [1, 2, 0]] / 1000.0

    def m(name: str) -> Vec:
        out: Vec = p[:, _M[name]]
        return out

    lasi, rasi = m("LASI"), m("RASI")
    origin = (lasi + rasi) / 2.0
    psis = (m("LPSI") + m("RPSI")) / 2.0
    width = np.linalg.norm(rasi - lasi, axis=1, keepdims=True)
    depth = np.linalg.norm(origin - psis, axis=1, keepdims=True)
    right = _unit(rasi - lasi)
    ant = origin - psis
    ant = _unit(ant - np.sum(ant * right, axis=1, keepdims=True) * right)
    sup = np.cross(right, ant)

    def hip(sign: float) -> Vec:  # Harrington et al. 2007
        out: Vec = (origin + ant * (-0.24 * depth - 0.0099) + sup * (-0.30 * width - 0.0109)
                    + right * sign * (0.33 * width + 0.0073))
        return out

    j: dict[str, Vec] = {"left_hip": hip(-1.0), "right_hip": hip(+1.0)}
    j["pelvis"] = (j["left_hip"] + j["right_hip"]) / 2.0
    j["spine_mid"] = (m("T10") + m("STRN")) / 2.0
    j["spine_chest"] = j["spine_mid"]
    j["neck"] = (m("C7") + m("CLAV")) / 2.0
    j["nose"] = (m("LFHD") + m("RFHD") + m("LBHD") + m("RBHD")) / 4.0
    for side, s, towards_midline in (("left", "L", right), ("right", "R", -right)):
        j[f"{side}_ear"] = (m(f"{s}FHD") + m(f"{s}BHD")) / 2.0
        j[f"{side}_shoulder"] = m(f"{s}SHO")
        j[f"{side}_elbow"] = m(f"{s}ELB")
        j[f"{side}_wrist"] = (m(f"{s}WRA") + m(f"{s}WRB")) / 2.0
        j[f"{side}_index"] = m(f"{s}FIN")
        j[f"{side}_knee"] = _medial(m(f"{s}KNE"), j[f"{side}_hip"], towards_midline, KNEE_HALF_WIDTH_M)
        j[f"{side}_ankle"] = _medial(m(f"{s}ANK"), j[f"{side}_knee"], towards_midline, ANKLE_HALF_WIDTH_M)
        j[f"{side}_heel"] = m(f"{s}HEE")
        j[f"{side}_foot_index"] = m(f"{s}TOE")
    return j


def pig_canonical(positions_mm: npt.NDArray[Any]) -> F32:
    """(T, 39, 3) Plug-in Gait markers in mm -> the canonical (T, J, 4) world array in metres."""
    joints = pig_joints(positions_mm)
    names = list(joints)
    # gaps were found on the markers; a joint centre that lands on the lab origin is a real position
    return world_from_positions(np.stack([joints[n] for n in names], axis=1), dict(enumerate(names)),
                                origin_is_gap=False)


def load_pig39_array(path: Path, arr: npt.NDArray[Any]) -> F32:
    """(T, 39, 3) Plug-in Gait markers in mm (lab frame, z up) -> canonical metres, y up."""
    check_points_array(path, arr, PIG_N_MARKERS, "pig39-npy", "Plug-in Gait markers in mm")
    return pig_canonical(arr)


#: C3D files larger than this are refused before they are read (an hour of 100 Hz full-body capture is ~0.3 GB)
MAX_C3D_BYTES = 1 << 30
MAX_C3D_POINTS = 1000
#: C3D POINT:UNITS -> millimetres per unit
_C3D_UNITS = {"mm": 1.0, "cm": 10.0, "m": 1000.0}


def _c3d_vertical(reader: Any) -> int:
    """The index of the up axis: POINT:Y_SCREEN names it (the axis drawn upwards); Vicon's default is +Z."""
    param = reader.get("POINT:Y_SCREEN")
    text = param.string_value.strip().upper() if param is not None else ""
    return {"+X": 0, "+Y": 1, "+Z": 2}.get(text, 2)


def read_pig_c3d(path: Path) -> tuple[npt.NDArray[np.float64], float]:
    """The 39 Plug-in Gait markers of a C3D file as (T, 39, 3) millimetres with z up, and the frame rate.

    A marker the file does not label is a gap in every frame; a sample with a negative residual (the C3D mark
    of an invalid point) is a gap in that frame. The file must name at least the four pelvis markers, and the
    markers of one subject only (labels ``Subject:LASI``; two prefixes with Plug-in Gait names are refused).
    """
    import c3d  # the c3d package (MIT), a pure-Python reader of the C3D standard

    size = path.stat().st_size
    if size == 0:
        raise KeypointFormatError(f"{path}: the file is empty; expected a C3D motion-capture file")
    if size > MAX_C3D_BYTES:
        raise KeypointFormatError(f"{path}: {size / 2**30:.1f} GB is larger than the 1 GB limit; split the trial")
    try:
        with warnings.catch_warnings(), path.open("rb") as handle:
            warnings.simplefilter("ignore")  # "no analog data" and similar notes of the reader
            reader = c3d.Reader(handle)
            n_points, n_frames, rate = int(reader.point_used), int(reader.frame_count), float(reader.point_rate)
            labels = [str(x).strip() for x in reader.point_labels]
            units_param = reader.get("POINT:UNITS")
            units = units_param.string_value.strip().lower() if units_param is not None else "mm"
            vertical = _c3d_vertical(reader)
            if not 0 < n_points <= MAX_C3D_POINTS or not 0 < n_frames <= MAX_FRAMES:
                raise KeypointFormatError(
                    f"{path}: the C3D header gives {n_points} points and {n_frames} frames; expected 1-"
                    f"{MAX_C3D_POINTS} points and 1-{MAX_FRAMES} frames"
                )
            if not MIN_FPS <= rate <= MAX_FPS:
                raise KeypointFormatError(f"{path}: the C3D point rate is {rate:g} Hz; expected {MIN_FPS:g}-"
                                          f"{MAX_FPS:g}")
            frames = [points for _, points, _ in reader.read_frames()]
    except KeypointFormatError:
        raise
    except Exception as exc:  # noqa: BLE001 - the reader raises a dozen kinds on a damaged file; all mean that
        raise KeypointFormatError(
            f"{path}: not a readable C3D file ({type(exc).__name__}: {printable(str(exc), 80)})"
        ) from exc
    if len(frames) != n_frames or any(f.shape[0] != n_points for f in frames):
        raise KeypointFormatError(f"{path}: the C3D header promises {n_frames} frames of {n_points} points, the "
                                  f"file holds {len(frames)}; is it truncated?")
    if units not in _C3D_UNITS:
        raise KeypointFormatError(f"{path}: C3D point units {printable(units, 20)!r}; expected mm, cm or m")
    points = np.stack(frames).astype(np.float64)  # (T, N, 5): x, y, z, residual, cameras
    xyz = np.where(points[..., 3:4] < 0, np.nan, points[..., :3]) * _C3D_UNITS[units]
    if vertical != 2:  # a cyclic turn keeps the frame right-handed: y up -> (z, x, y), x up -> (y, z, x)
        xyz = xyz[..., [(vertical + 1) % 3, (vertical + 2) % 3, vertical]]
    by_name: dict[str, int] = {}
    subjects: set[str] = set()
    for i, lab in enumerate(labels):
        prefix, _, name = lab.rpartition(":")
        name = name.strip().upper()
        if name in PIG_MARKERS:
            subjects.add(prefix.strip())
            by_name.setdefault(name, i)
    if len(subjects) > 1:  # as with two people in a video: whose set would it be?
        who = ", ".join(printable(x or "(no prefix)", 30) for x in sorted(subjects)[:4])
        raise KeypointFormatError(f"{path}: the C3D holds the Plug-in Gait markers of {len(subjects)} subjects "
                                  f"({who}); export one subject per file")
    out = np.full((len(frames), PIG_N_MARKERS, 3), np.nan)
    for j, name in enumerate(PIG_MARKERS):
        if name in by_name:
            out[:, j] = xyz[:, by_name[name]]
    missing = [m for m in ("LASI", "RASI", "LPSI", "RPSI") if m not in by_name]
    if missing:
        shown = printable(", ".join(labels[:12]) + (", ..." if len(labels) > 12 else ""), 160)
        raise KeypointFormatError(f"{path}: no Plug-in Gait pelvis marker {', '.join(missing)} among the C3D's "
                                  f"labels ({shown}); backsafe reads the Plug-in Gait full-body marker set")
    return out, rate


def load_pig_c3d(path: Path) -> tuple[F32, float]:
    """A C3D file of Plug-in Gait markers -> canonical metres, y up, and its frame rate."""
    markers, rate = read_pig_c3d(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-gap head or foot markers: no check possible
        heads = np.nanmedian(markers[:, [_M[m] for m in ("LFHD", "RFHD", "LBHD", "RBHD")], 2])
        feet = np.nanmedian(markers[:, [_M[m] for m in ("LANK", "RANK", "LHEE", "RHEE")], 2])
    if np.isfinite(heads) and np.isfinite(feet) and heads < feet:
        raise KeypointFormatError(f"{path}: the head markers are below the feet along the C3D's up axis; is "
                                  "POINT:Y_SCREEN set to the lab's vertical axis?")
    return pig_canonical(markers), rate


__all__ = ["MAX_C3D_BYTES", "PIG_MARKERS", "PIG_N_MARKERS", "load_pig39_array", "load_pig_c3d", "pig_canonical",
           "pig_joints", "read_pig_c3d"]
