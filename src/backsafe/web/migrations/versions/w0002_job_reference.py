"""web_jobs.reference_report_id: the person's own earlier report an upload is judged against (optional).

Revision ID: w0002
Revises: w0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "w0002"
down_revision = "w0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable, no default: existing jobs simply have no reference. Batch mode (as env.py renders): an ALTER TABLE
    # ADD COLUMN on both databases; dropping it on SQLite copies the table (its indexes and keys are kept)
    with op.batch_alter_table("web_jobs") as batch:
        batch.add_column(sa.Column("reference_report_id", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("web_jobs") as batch:
        batch.drop_column("reference_report_id")
