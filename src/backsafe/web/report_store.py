"""Storing an analysed set as the person's report, the same way for an upload (web/jobs.py) and a live set
(web/live_service.py): files written into a staging folder and moved in whole, then the database row; a failure at
either step leaves neither behind (no half-written report)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..model import ReportData
from . import crud
from .storage import Storage


def new_report_folder(storage: Storage, files_key: str) -> tuple[str, Path, Path]:
    """(report id, its final folder, the staging folder beside it, created)."""
    rid = crud.new_id()
    final = storage.report_dir(files_key, rid)
    tmp = final.with_name(final.name + ".partial")
    tmp.mkdir(parents=True, exist_ok=True)
    return rid, final, tmp


@contextmanager
def removed_on_failure(folder: Path) -> Iterator[None]:
    """Run the block; on any failure (or cancellation) remove ``folder`` and re-raise."""
    try:
        yield
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def row_fields(report: ReportData, exercise: str) -> dict[str, Any]:
    """The report row's summary columns, from the report's JSON contract."""
    from ..report.json_report import report_to_dict

    doc = report_to_dict(report)
    summary = doc.get("summary") or {}
    return {"exercise": str(doc.get("exercise") or exercise), "view": doc.get("view"),
            "rep_count": int(doc.get("rep_count") or 0), "faults": summary.get("faults") or {},
            "top_cue": summary.get("top_cue") or None, "quality": summary.get("quality")}
