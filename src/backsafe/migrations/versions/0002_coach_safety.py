"""Coach safety: the person's profile (unit, body mass, sex, tempo, equipment), sleep at check-in, clinician
clearances and weekly outcome measures (COACHING_RULES.md §1 State, §4 units and outcome measures, §8 sleep).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

SQLite: ``users`` only gains columns (``ALTER TABLE ADD COLUMN``, never a table copy: copying ``users`` would
fire the ON DELETE CASCADE of every log table); ``checkins`` is copied by batch mode (which keeps its named CHECK
constraints) to add one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_USER_COLUMNS = ("unit", "body_mass_kg", "sex", "default_tempo", "equipment_json")


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    # §4 units: loads stored in kg, shown in the person's unit; NULL = not chosen yet (shown in kg until the person
    # chooses, or types their first load with a unit).
    op.add_column("users", sa.Column("unit", sa.String(2), nullable=True))
    op.add_column("users", sa.Column("body_mass_kg", sa.Float(), nullable=True))
    op.add_column("users", sa.Column("sex", sa.String(6), nullable=True))
    op.add_column("users", sa.Column("default_tempo", sa.String(16), nullable=True))
    op.add_column("users", sa.Column("equipment_json", sa.Text(), nullable=True))

    # §8 sleep: hours slept the night before a check-in.
    with op.batch_alter_table("checkins") as b:
        b.add_column(sa.Column("sleep_hours", sa.Float(), nullable=True))
        b.create_check_constraint("ck_checkins_sleep",
                                  "sleep_hours IS NULL OR (sleep_hours >= 0 AND sleep_hours <= 24)")

    # §1 State: a clearance is stored once, with its date and the flags it covers.
    op.create_table(
        "clearances",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("flags_json", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_clearances_user_id", "clearances", ["user_id"])

    # §4 Outcome measures: weekly pain NRS and PSFS activity scores, 0-10.
    op.create_table(
        "outcome_measures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("activity", sa.String(200), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.CheckConstraint("kind IN ('pain_nrs', 'psfs')", name="ck_outcomes_kind"),
        sa.CheckConstraint("score >= 0 AND score <= 10", name="ck_outcomes_score"),
        sa.CheckConstraint("(kind = 'psfs') = (activity IS NOT NULL)", name="ck_outcomes_activity"),
    )
    op.create_index("ix_outcome_measures_user_id", "outcome_measures", ["user_id"])
    op.create_index("uq_outcomes_nrs", "outcome_measures", ["user_id", "date"], unique=True,
                    sqlite_where=sa.text("kind = 'pain_nrs'"), postgresql_where=sa.text("kind = 'pain_nrs'"))
    op.create_index("uq_outcomes_psfs", "outcome_measures", ["user_id", "date", "activity"], unique=True,
                    sqlite_where=sa.text("kind = 'psfs'"), postgresql_where=sa.text("kind = 'psfs'"))


def downgrade() -> None:
    for index in ("uq_outcomes_psfs", "uq_outcomes_nrs", "ix_outcome_measures_user_id"):
        op.drop_index(index, table_name="outcome_measures")
    op.drop_table("outcome_measures")
    op.drop_index("ix_clearances_user_id", table_name="clearances")
    op.drop_table("clearances")
    with op.batch_alter_table("checkins") as b:
        b.drop_constraint("ck_checkins_sleep", type_="check")
        b.drop_column("sleep_hours")
    for col in reversed(_USER_COLUMNS):
        if _is_sqlite():
            # ALTER TABLE DROP COLUMN (SQLite ≥ 3.35) instead of a batch copy of users, whose DROP would cascade.
            op.execute(sa.text(f"ALTER TABLE users DROP COLUMN {col}"))
        else:
            op.drop_column("users", col)
