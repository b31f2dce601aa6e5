"""Reports: who may read one, its files, dropping its pictures when asked or due, deleting it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from sqlalchemy.orm import Session
from ...db.engine import Database
from .. import crud
from ..deps import CurrentUser, readable_owner
from ..errors import NotFound
from ..models import WebReport
from ..schemas import ReportOut
from ..storage import Storage
from .uploads import _is_public_id


def readable_report(s: Session, user: CurrentUser, public_id: str) -> tuple[WebReport, str, str]:
    """(report, owner name, owner files key) if ``user`` may read it; else NotFound (never says which)."""
    if not _is_public_id(public_id):
        raise NotFound("report not found")
    rep = crud.find_report(s, public_id)
    if rep is None or not readable_owner(s, user, rep.user_id):
        raise NotFound("report not found")
    acc = crud.get_account(s, rep.user_id)
    if acc is None:
        raise NotFound("report not found")
    return rep, acc[0].name, acc[1].files_key


def report_out(rep: WebReport, owner: str, doc: dict[str, Any] | None = None) -> ReportOut:
    return ReportOut(id=rep.public_id, owner=owner, exercise=rep.exercise, view=rep.view, rep_count=rep.rep_count,
                     faults=json.loads(rep.faults_json), top_cue=rep.top_cue, quality=rep.quality,
                     created_at=rep.created_at, has_annotated_video=rep.has_annotated, kept_original=rep.has_original,
                     report=doc)


REPORT_FILES = {"json": "report.json", "html": "report.html", "video": "annotated.mp4", "original": "original.video"}


def report_file(storage: Storage, files_key: str, rep: WebReport, kind: str) -> Path:
    name = REPORT_FILES[kind]
    if kind == "video" and not rep.has_annotated or kind == "original" and not rep.has_original:
        raise NotFound("no such file for this report")
    p = storage.report_dir(files_key, rep.folder) / name
    if not p.is_file():
        raise NotFound("the report's file is missing")
    return p


def drop_report_media(db: Database, storage: Storage, user: CurrentUser, public_id: str) -> None:
    """The person drops the annotated video and key frames of one of their own reports now."""
    from ..jobs import drop_media

    with db.session() as s:
        rep = crud.get_report(s, user.id, public_id) if _is_public_id(public_id) else None
        if rep is None:
            raise NotFound("report not found")
        folder = rep.folder
    drop_media(db, storage, user.files_key, folder, public_id)


def expire_if_due(db: Database, storage: Storage, files_key: str, rep: WebReport) -> bool:
    """Drop the report's pictures now when their keep date passed (the runner's sweep may not have come yet)."""
    from ..jobs import drop_media

    if rep.media_until is not None and rep.media_until <= crud.utcnow():
        drop_media(db, storage, files_key, rep.folder, rep.public_id)
        return True
    return False


def delete_report(db: Database, storage: Storage, user: CurrentUser, public_id: str) -> None:
    with db.session() as s:
        rep = crud.get_report(s, user.id, public_id)
        if rep is None:
            raise NotFound("report not found")
        folder = rep.folder
        s.delete(rep)
    storage.delete_report(user.files_key, folder)
