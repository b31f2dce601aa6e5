"""web_reports.media_until (when a report's annotated video and key frames go) and web_comments (a shared coach's
notes on a person's training).

Revision ID: w0003
Revises: w0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "w0003"
down_revision = "w0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable: reports made before this keep their files until deleted, as they were promised then
    with op.batch_alter_table("web_reports") as batch:
        batch.add_column(sa.Column("media_until", sa.DateTime(), nullable=True))
    op.create_table(
        "web_comments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("report_public_id", sa.String(32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_web_comments_owner_id", "web_comments", ["owner_id"])
    op.create_index("ix_web_comments_author_id", "web_comments", ["author_id"])


def downgrade() -> None:
    op.drop_index("ix_web_comments_author_id", table_name="web_comments")
    op.drop_index("ix_web_comments_owner_id", table_name="web_comments")
    op.drop_table("web_comments")
    with op.batch_alter_table("web_reports") as batch:
        batch.drop_column("media_until")
