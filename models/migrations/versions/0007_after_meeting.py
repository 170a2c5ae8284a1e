"""The loop after the meeting: reports and the teams they say were visited, score
sheets, closed months, flags by month with the answers to flag proposals, the year's
plan themes.

Revision ID: 0007
Revises: 0002
Create Date: 2026-12-02 07:07:22.206058

Flags become monthly: each month that already has a published schedule gets, for every
commune, a ``migrated`` row with the commune's flag of today, the flag that month was
planned with, so that changing a commune's default later never rewrites a month already
planned. The commune's own ``flag`` stays as the default of months without a row.
Downgrading drops the monthly rows (the defaults were never changed).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_themes",
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("theme", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_plan_themes")),
    )
    with op.batch_alter_table("plan_themes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_themes_year"), ["year"], unique=False)

    op.create_table(
        "closed_months",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["users.id"], name=op.f("fk_closed_months_closed_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_closed_months")),
    )
    op.create_table(
        "commune_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("flag", sa.SmallInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("proposal", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("source IN ('planner', 'proposal', 'migrated')", name=op.f("ck_commune_flags_source")),
        sa.CheckConstraint("flag IN (0, 1, 2)", name=op.f("ck_commune_flags_flag")),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["communes.id"], name=op.f("fk_commune_flags_commune_id_communes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_commune_flags_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commune_flags")),
    )
    with op.batch_alter_table("commune_flags", schema=None) as batch_op:
        batch_op.create_index("ix_commune_flags_month_commune", ["month", "commune_id"], unique=False)
    op.execute(
        "INSERT INTO commune_flags (commune_id, month, flag, reason, source, created_at) "
        "SELECT c.id, p.month, c.flag, c.flag_reason, 'migrated', p.published_at "
        "FROM communes c CROSS JOIN published_months p"
    )

    op.create_table(
        "flag_decisions",
        sa.Column("proposal", sa.String(length=100), nullable=False),
        sa.Column("commune_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("flag", sa.SmallInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("decision IN ('confirmed', 'dismissed')", name=op.f("ck_flag_decisions_decision")),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["communes.id"], name=op.f("fk_flag_decisions_commune_id_communes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_flag_decisions_decided_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("proposal", name=op.f("pk_flag_decisions")),
    )
    with op.batch_alter_table("flag_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flag_decisions_month"), ["month"], unique=False)

    op.create_table(
        "meeting_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=64), nullable=False),
        sa.Column("delegate_id", sa.String(length=64), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=False),
        sa.Column("substitute_id", sa.String(length=64), nullable=True),
        sa.Column("visits_stated", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["delegate_id"], ["delegates.id"], name=op.f("fk_meeting_reports_delegate_id_delegates"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_meeting_reports_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["substitute_id"],
            ["delegates.id"],
            name=op.f("fk_meeting_reports_substitute_id_delegates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_meeting_reports_updated_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_reports")),
        sa.UniqueConstraint("meeting_id", "delegate_id", name="uq_meeting_reports_pair"),
    )
    with op.batch_alter_table("meeting_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_reports_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "report_visits",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["meeting_reports.id"],
            name=op.f("fk_report_visits_report_id_meeting_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_report_visits_team_id_teams")),
        sa.PrimaryKeyConstraint("report_id", "team_id", name=op.f("pk_report_visits")),
    )
    with op.batch_alter_table("report_visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_visits_team_id"), ["team_id"], unique=False)

    op.create_table(
        "score_sheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("commune_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("max_total", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["communes.id"], name=op.f("fk_score_sheets_commune_id_communes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["meeting_reports.id"],
            name=op.f("fk_score_sheets_report_id_meeting_reports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_score_sheets_updated_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_sheets")),
        sa.UniqueConstraint("commune_id", "month", name="uq_score_sheets_commune_month"),
    )
    with op.batch_alter_table("score_sheets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_score_sheets_month"), ["month"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("score_sheets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_score_sheets_month"))

    op.drop_table("score_sheets")
    with op.batch_alter_table("report_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_visits_team_id"))

    op.drop_table("report_visits")
    with op.batch_alter_table("meeting_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_reports_meeting_id"))

    op.drop_table("meeting_reports")
    with op.batch_alter_table("flag_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flag_decisions_month"))

    op.drop_table("flag_decisions")
    with op.batch_alter_table("commune_flags", schema=None) as batch_op:
        batch_op.drop_index("ix_commune_flags_month_commune")

    op.drop_table("commune_flags")
    op.drop_table("closed_months")
    with op.batch_alter_table("plan_themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_themes_year"))

    op.drop_table("plan_themes")
