"""Where the web app keeps files. Every name is made by the server; nothing the person sends becomes a path.

::

    DATA_DIR/users/<files_key>/uploads/<job id>.video          the clip until analysed (kept only if asked)
    DATA_DIR/users/<files_key>/reports/<report id>/report.json
                                                  report.html
                                                  annotated.mp4   (when it could be made)
                                                  original.video  (only when "keep the video" was ticked)
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

__all__ = ["Storage", "safe_label"]

_ID = re.compile(r"^[a-f0-9]{16,32}$")


def _checked(part: str) -> str:
    if not _ID.match(part):
        raise ValueError(f"not a server-generated id: {part!r}")
    return part


def safe_label(name: str | None) -> str:
    """The uploaded file's base name, for display only (never used as a path)."""
    base = (name or "clip").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable() and c not in "<>\"'`")
    return base[:120] or "clip"


class Storage:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()

    def user_dir(self, files_key: str) -> Path:
        return self.root / "users" / _checked(files_key)

    def upload_path(self, files_key: str, job_id: str) -> Path:
        d = self.user_dir(files_key) / "uploads"
        d.mkdir(parents=True, exist_ok=True)
        return d / f"{_checked(job_id)}.video"

    def report_dir(self, files_key: str, report_id: str) -> Path:
        return self.user_dir(files_key) / "reports" / _checked(report_id)

    def delete_user(self, files_key: str) -> None:
        d = self.user_dir(files_key)
        if d.exists():
            shutil.rmtree(d)

    def delete_report(self, files_key: str, report_id: str) -> None:
        d = self.report_dir(files_key, report_id)
        if d.exists():
            shutil.rmtree(d)
