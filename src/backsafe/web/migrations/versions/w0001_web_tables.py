"""Web tables: accounts, sessions, API tokens, jobs, reports, shares.

Revision ID: w0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "w0001"
down_revision = None
branch_labels = None
depends_on = None


def _user_fk(col: str = "user_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([col], ["users.id"], ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "web_accounts",
        sa.Column("user_id", sa.Integer(), primary_key=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("files_key", sa.String(32), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(), nullable=False),
        _user_fk(),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False, index=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        _user_fk(),
    )
    op.create_table(
        "web_api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False, index=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        _user_fk(),
    )
    op.create_table(
        "web_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("public_id", sa.String(32), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("exercise", sa.String(64), nullable=False),
        sa.Column("view", sa.String(16), nullable=True),
        sa.Column("load_kg", sa.Float(), nullable=True),
        sa.Column("tempo", sa.String(32), nullable=True),
        sa.Column("keep_video", sa.Boolean(), nullable=False),
        sa.Column("upload_label", sa.String(120), nullable=False),
        sa.Column("upload_file", sa.String(64), nullable=True),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("report_public_id", sa.String(32), nullable=True),
        _user_fk(),
    )
    op.create_table(
        "web_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("public_id", sa.String(32), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), nullable=False, index=True),
        sa.Column("job_public_id", sa.String(32), nullable=True),
        sa.Column("exercise", sa.String(64), nullable=False),
        sa.Column("view", sa.String(16), nullable=True),
        sa.Column("rep_count", sa.Integer(), nullable=False),
        sa.Column("faults_json", sa.Text(), nullable=False),
        sa.Column("top_cue", sa.Text(), nullable=True),
        sa.Column("quality", sa.String(32), nullable=True),
        sa.Column("folder", sa.String(64), nullable=False),
        sa.Column("has_annotated", sa.Boolean(), nullable=False),
        sa.Column("has_original", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _user_fk(),
    )
    op.create_table(
        "web_shares",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner_id", sa.Integer(), nullable=False, index=True),
        sa.Column("coach_id", sa.Integer(), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _user_fk("owner_id"),
        _user_fk("coach_id"),
        sa.UniqueConstraint("owner_id", "coach_id", name="uq_web_shares_pair"),
    )


def downgrade() -> None:
    for name in ("web_shares", "web_reports", "web_jobs", "web_api_tokens", "web_sessions", "web_accounts"):
        op.drop_table(name)
