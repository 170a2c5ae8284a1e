"""What-if scenarios and their results; a job may be a scenario's run.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:52:51.795318

Order matters on SQLite, where batch mode rebuilds ``jobs``: the table it will point at
(``scenarios``) is made first, and the one pointing at it (``scenario_results``) after,
so that no rebuilt table is referenced while it is dropped and renamed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MODES = "mode IN ('weighted', 'changes_first', 'fresh')"


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("base_id", sa.Integer(), nullable=True),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(MODES, name=op.f("ck_scenarios_mode")),
        sa.ForeignKeyConstraint(["base_id"], ["schedules.id"], name=op.f("fk_scenarios_base_id_schedules")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_scenarios_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenarios")),
    )
    with op.batch_alter_table("scenarios", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scenarios_month"), ["month"], unique=False)

    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scenario_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("mode", sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f("ix_jobs_scenario_id"), ["scenario_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_jobs_scenario_id_scenarios"), "scenarios", ["scenario_id"], ["id"], ondelete="SET NULL"
        )

    op.create_table(
        "scenario_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=32), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("base_id", sa.Integer(), nullable=True),
        sa.Column("base_source", sa.String(length=12), nullable=False),
        sa.Column("solver_status", sa.String(length=12), nullable=False),
        sa.Column("score_total", sa.BigInteger(), nullable=True),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("rotation_months", sa.Integer(), nullable=False),
        sa.Column("bound", sa.BigInteger(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("changes_proved", sa.Boolean(), nullable=False),
        sa.Column("assignments", sa.JSON(), nullable=False),
        sa.Column("gaps", sa.JSON(), nullable=False),
        sa.Column("diff", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("described", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("base_figures", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("base_source IN ('published', 'solved')", name=op.f("ck_scenario_results_base_source")),
        sa.CheckConstraint(MODES, name=op.f("ck_scenario_results_mode")),
        sa.ForeignKeyConstraint(["base_id"], ["schedules.id"], name=op.f("fk_scenario_results_base_id_schedules")),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_scenario_results_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["scenarios.id"],
            name=op.f("fk_scenario_results_scenario_id_scenarios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario_results")),
        sa.UniqueConstraint("job_id", name=op.f("uq_scenario_results_job_id")),
    )
    with op.batch_alter_table("scenario_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scenario_results_scenario_id"), ["scenario_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scenario_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scenario_results_scenario_id"))
    op.drop_table("scenario_results")

    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_jobs_scenario_id_scenarios"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_jobs_scenario_id"))
        batch_op.drop_column("mode")
        batch_op.drop_column("scenario_id")

    with op.batch_alter_table("scenarios", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scenarios_month"))
    op.drop_table("scenarios")
