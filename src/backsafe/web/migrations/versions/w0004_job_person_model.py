"""web_jobs.person and web_jobs.model: who to analyse when several people are in frame, and the pose model size,
as chosen at upload (optional).

Revision ID: w0004
Revises: w0003
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "w0004"
down_revision = "w0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable, no default: NULL is the default choice (auto, full), so jobs queued before this run as they would
    # have. Batch mode, as w0002: ADD COLUMN on both databases; dropping them on SQLite copies the table
    with op.batch_alter_table("web_jobs") as batch:
        batch.add_column(sa.Column("person", sa.String(32), nullable=True))
        batch.add_column(sa.Column("model", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("web_jobs") as batch:
        batch.drop_column("model")
        batch.drop_column("person")
