"""The Report the library returns: the analysis's data (:class:`backsafe.model.ReportData`) with ``to_dict()``, the
JSON contract of DESIGN.md (report/json_report.py). It lives beside the report layer because the serialiser needs the
summary's wording, the fault rules' texts and the back outline, which all build on the model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import ReportData
from .json_report import report_to_dict


@dataclass(slots=True)
class Report(ReportData):
    """Everything the analysis found; ``to_dict()`` gives the JSON contract of DESIGN.md."""

    def to_dict(self) -> dict[str, Any]:
        return report_to_dict(self)
