"""Jobs on a durable queue: who runs a job, its heartbeat, its retakes, the cancel flag,
the parts of a fanned-out job; the draft's job; on PostgreSQL, procrastinate's own tables
and functions.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-02 12:40:00.000000

Procrastinate's schema is applied here, from the ``schema.sql`` of the pinned release
(``procrastinate==3.10.0`` in constraints.txt), and only on PostgreSQL: SQLite runs its
jobs in the server process and has no queue. Doing it in our migration rather than with
``procrastinate schema --apply`` means one command (``phancong`` migrates at start, or
``python -m models.storage.migrate upgrade``) brings a database to a state where web
processes and workers can start, in one transaction with our own columns; moving to a
later procrastinate release is then a new migration of ours that runs that release's
files from ``procrastinate/sql/migrations``. Downgrading drops every procrastinate object
(its pending jobs with them: the jobs table of ours still says what each job was).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("base_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("worker", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("cancel_requested", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("queue_job_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("parent_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("payload", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("answer", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_jobs_parent_id"), ["parent_id"], unique=False)
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job_id", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_schedules_job_id"), ["job_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        # Sent as one script through the driver's own connection (in this migration's
        # transaction): several statements and plpgsql bodies, no parameters to substitute.
        op.get_bind().connection.driver_connection.execute(SchemaManager.get_schema())  # type: ignore[union-attr]


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            DO $$
            DECLARE item record;
            BEGIN
                FOR item IN SELECT tablename FROM pg_tables
                            WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate%' LOOP
                    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.tablename);
                END LOOP;
                FOR item IN SELECT p.oid::regprocedure AS signature FROM pg_proc p
                            JOIN pg_namespace n ON n.oid = p.pronamespace
                            WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%' LOOP
                    EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', item.signature);
                END LOOP;
                FOR item IN SELECT t.typname FROM pg_type t
                            JOIN pg_namespace n ON n.oid = t.typnamespace
                            WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%'
                              AND t.typtype IN ('e', 'c') LOOP
                    EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', item.typname);
                END LOOP;
            END $$;
            """
        )
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedules_job_id"))
        batch_op.drop_column("job_id")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_parent_id"))
        batch_op.drop_column("answer")
        batch_op.drop_column("payload")
        batch_op.drop_column("parent_id")
        batch_op.drop_column("queue_job_id")
        batch_op.drop_column("cancel_requested")
        batch_op.drop_column("attempts")
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("worker")
        batch_op.drop_column("base_id")
