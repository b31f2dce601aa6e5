"""A user's stored report as the personal reference for a new clip: read from its report.json's per-rep measures
(no video needed). Checked at upload (services.own_reference) and read again when the job runs (jobs.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import InputError
from .storage import Storage

if TYPE_CHECKING:
    from ..faults.reference import PersonalReference

__all__ = ["reference_source", "stored_reference"]


def reference_source(report_id: str) -> str:
    """How a stored report used as a reference is named in the new report's ``reference.sources``."""
    return f"report {report_id}"


def stored_reference(storage: Storage, files_key: str, folder: str, report_id: str, exercise: str, *,
                     missing: str) -> PersonalReference:
    """The personal reference of a user's stored report (its report.json's per-rep measures; no video needed),
    checked at upload (:func:`backsafe.web.services.own_reference`) and read again when the job runs. InputError when its file is gone
    (``missing`` says what to do then) or it cannot serve (another exercise, no rep, an older report)."""
    from ..pipeline import reference_from_report_dict
    from ..report.json_report import read_report_file

    doc = read_report_file(storage.report_dir(files_key, folder) / "report.json")
    if doc is None:
        raise InputError(f"the reference report's file is missing on the server; {missing}")
    return reference_from_report_dict(doc, exercise, source=reference_source(report_id))
