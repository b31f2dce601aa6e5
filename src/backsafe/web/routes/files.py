"""File answers shared by the pages and the API: the report document, the annotated clip, a kept original."""

from __future__ import annotations

from fastapi.responses import FileResponse

from ..deps import CurrentUser
from ..services import expire_if_due, readable_report, report_file
from ..storage import Storage
from ...db.engine import Database

__all__ = ["report_file_response", "REPORT_DOC_CSP"]

# the embedded report is self-contained (inline CSS, data: images, no script): allow exactly that
REPORT_DOC_CSP = ("default-src 'none'; img-src data: 'self'; style-src 'unsafe-inline'; media-src 'self'; "
                  "frame-ancestors 'self'; base-uri 'none'; form-action 'none'")
_MEDIA = {"html": "text/html; charset=utf-8", "json": "application/json", "video": "video/mp4",
          "original": "application/octet-stream"}


def report_file_response(db: Database, storage: Storage, user: CurrentUser, report_id: str, kind: str) -> FileResponse:
    with db.session() as s:
        rep, _owner, files_key = readable_report(s, user, report_id)
    if expire_if_due(db, storage, files_key, rep):  # past the keep date: the pictures go before anything is sent
        with db.session() as s:
            rep, _owner, files_key = readable_report(s, user, report_id)
    path = report_file(storage, files_key, rep, kind)
    headers = {"Cache-Control": "private, no-store"}
    if kind == "html":
        headers["Content-Security-Policy"] = REPORT_DOC_CSP
    filename = None
    if kind == "original":
        filename = f"backsafe-{rep.exercise}-{rep.created_at:%Y%m%d}-original.video"
    elif kind == "video":
        filename = None
    return FileResponse(path, media_type=_MEDIA[kind], headers=headers, filename=filename,
                        content_disposition_type="attachment" if kind == "original" else "inline")
