"""Initial training-log schema: users, sessions, entries, reports, check-ins, triage.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("wake_time", sa.String(5), nullable=True),
        sa.Column("age_years", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("name", name="uq_users_name"),
    )
    op.create_table(
        "training_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("warmup", sa.Boolean(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.UniqueConstraint("user_id", "date", name="uq_training_sessions_user_date"),
    )
    op.create_index("ix_training_sessions_user_id", "training_sessions", ["user_id"])
    op.create_table(
        "exercise_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "session_id", sa.Integer(), sa.ForeignKey("training_sessions.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("exercise", sa.String(64), nullable=False),
        sa.Column("load_kg", sa.Float(), nullable=False),
        sa.Column("sets", sa.Integer(), nullable=False),
        sa.Column("reps", sa.Integer(), nullable=False),
        sa.Column("rpe", sa.Float(), nullable=True),
        sa.Column("pain_before", sa.Integer(), nullable=True),
        sa.Column("pain_during", sa.Integer(), nullable=True),
        sa.Column("pain_after", sa.Integer(), nullable=True),
        sa.Column("warmup", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("load_kg >= 0 AND load_kg <= 500", name="ck_entries_load"),
        sa.CheckConstraint("sets >= 1 AND sets <= 20", name="ck_entries_sets"),
        sa.CheckConstraint("reps >= 1 AND reps <= 300", name="ck_entries_reps"),
        sa.CheckConstraint("rpe IS NULL OR (rpe >= 1 AND rpe <= 10)", name="ck_entries_rpe"),
        sa.CheckConstraint("pain_before IS NULL OR (pain_before >= 0 AND pain_before <= 10)", name="ck_entries_pb"),
        sa.CheckConstraint("pain_during IS NULL OR (pain_during >= 0 AND pain_during <= 10)", name="ck_entries_pd"),
        sa.CheckConstraint("pain_after IS NULL OR (pain_after >= 0 AND pain_after <= 10)", name="ck_entries_pa"),
    )
    op.create_index("ix_exercise_entries_user_id", "exercise_entries", ["user_id"])
    op.create_index("ix_exercise_entries_session_id", "exercise_entries", ["session_id"])
    op.create_table(
        "analysis_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "entry_id", sa.Integer(), sa.ForeignKey("exercise_entries.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("rep_count", sa.Integer(), nullable=True),
        sa.Column("faults_json", sa.Text(), nullable=False),
    )
    op.create_index("ix_analysis_reports_user_id", "analysis_reports", ["user_id"])
    op.create_index("ix_analysis_reports_entry_id", "analysis_reports", ["entry_id"])
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("pain", sa.Integer(), nullable=False),
        sa.UniqueConstraint("user_id", "date", name="uq_checkins_user_date"),
        sa.CheckConstraint("pain >= 0 AND pain <= 10", name="ck_checkins_pain"),
    )
    op.create_index("ix_checkins_user_id", "checkins", ["user_id"])
    op.create_table(
        "triage_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("answers_json", sa.Text(), nullable=False),
    )
    op.create_index("ix_triage_records_user_id", "triage_records", ["user_id"])


def downgrade() -> None:
    for index, table in (
        ("ix_triage_records_user_id", "triage_records"),
        ("ix_checkins_user_id", "checkins"),
        ("ix_analysis_reports_entry_id", "analysis_reports"),
        ("ix_analysis_reports_user_id", "analysis_reports"),
        ("ix_exercise_entries_session_id", "exercise_entries"),
        ("ix_exercise_entries_user_id", "exercise_entries"),
        ("ix_training_sessions_user_id", "training_sessions"),
    ):
        op.drop_index(index, table_name=table)
    for table in ("triage_records", "checkins", "analysis_reports", "exercise_entries", "training_sessions", "users"):
        op.drop_table(table)
