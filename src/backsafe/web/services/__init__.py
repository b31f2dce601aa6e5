"""What the pages and the JSON API both do: accounts, uploads, access to reports, the log, the dashboard.

Routes stay thin: they parse, call one of these, and render or serialise the answer.
"""

from __future__ import annotations

from .accounts import change_password, delete_account, log_in, sign_up
from .uploads import VIEWS, cancel_job, job_out, own_reference, save_upload
from .reports import delete_report, drop_report_media, expire_if_due, readable_report, report_file, report_out
from .log import (
    delete_log_entry,
    edit_log_entry,
    exercise_name,
    get_log_entry,
    log_entry,
    log_rows,
    logbook,
    own_log_entry,
    person_text,
    report_exercise,
)
from .person import (
    checkin,
    checkin_message,
    clearance_for,
    clearances_list,
    dashboard_data,
    explain_rules,
    outcomes_out,
    profile_out,
    record_outcome,
    set_profile,
    share_with,
    shared_person,
    unshare,
    upload_load_kg,
)

__all__ = [
    "VIEWS", "cancel_job", "change_password", "checkin",
    "checkin_message", "clearance_for", "clearances_list", "dashboard_data", "delete_account", "delete_log_entry",
    "delete_report", "drop_report_media", "edit_log_entry", "exercise_name", "expire_if_due", "explain_rules",
    "get_log_entry", "job_out", "log_entry", "log_in", "log_rows", "logbook", "outcomes_out", "own_log_entry",
    "own_reference", "person_text", "profile_out", "readable_report", "record_outcome", "report_exercise",
    "report_file", "report_out", "save_upload", "set_profile", "share_with", "shared_person", "sign_up",
    "unshare", "upload_load_kg",
]
