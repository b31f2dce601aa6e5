"""Per-frame export (``analyze --format csv``): one row per analysed frame with its time, every keypoint and every
measured angle or distance, the unit of each column in its header (``knee_flexion_deg [deg]``).

For a physio or a researcher who wants the curves behind the report (Sports2D writes TRC/MOT and CSV for the same
reason). The JSON report stays the contract; this file is a convenience, read back with any CSV reader. Keypoints
are the cleaned ones the analysis used (pixels, y down, for video; metres, y up, for measured 3D).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..model import ReportData

__all__ = ["write_frames_csv"]


def _cell(v: float) -> str:
    return "" if not math.isfinite(v) else f"{v:.6g}"


def write_frames_csv(report: ReportData, path: Path) -> Path:
    """Write the per-frame table of ``report`` (which must carry its kinematics and pose) to ``path``."""
    kin, pose = report.kinematics, report.pose
    if kin is None or pose is None:
        raise InputError("the per-frame CSV needs the analysis' keypoints and angles (a report read back from "
                         "report.json has neither)")
    n = kin.timestamps_s.shape[0]
    if pose.data.shape[0] != n:
        raise InputError(f"per-frame CSV: {pose.data.shape[0]} keypoint frames but {n} angle frames")
    length = "px" if pose.space == "image" else "m"
    names = sorted(kin.series)
    header = ["frame", "time [s]"]
    header += [f"{j}_{axis} [{length if axis != 'conf' else '0-1'}]" for j in pose.joints
               for axis in ("x", "y", "z", "conf")]
    header += [f"{name} [{kin.units.get(name, '')}]" for name in names]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        data = np.asarray(pose.data, dtype=np.float64)
        series = [np.asarray(kin.series[name], dtype=np.float64) for name in names]
        for i in range(n):
            row = [str(i), _cell(float(kin.timestamps_s[i]))]
            row += [_cell(float(v)) for v in data[i].reshape(-1)]
            row += [_cell(float(s[i])) for s in series]
            w.writerow(row)
    return path
