"""After publication: change requests, the notification outbox, contacts and channels of
delegates and communes, cancelled meetings.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 13:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _contacts() -> list[sa.Column[object]]:
    return [
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("zalo_user_id", sa.String(length=64), nullable=True),
        sa.Column("channels", sa.JSON(), nullable=True),
    ]


def upgrade() -> None:
    for table in ("communes", "delegates"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in _contacts():
                batch_op.add_column(column)
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("meeting_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("commune_id", sa.String(length=64), nullable=False),
        sa.Column("delegate_id", sa.String(length=64), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("job_id", sa.String(length=32), nullable=True),
        sa.CheckConstraint("kind IN ('move', 'cancel', 'absent')", name=op.f("ck_change_requests_kind")),
        sa.CheckConstraint("state IN ('pending', 'approved', 'rejected')", name=op.f("ck_change_requests_state")),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_change_requests_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_change_requests_requested_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_change_requests_decided_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_requests")),
    )
    op.create_index(op.f("ix_change_requests_meeting_id"), "change_requests", ["meeting_id"], unique=False)
    op.create_index("ix_change_requests_month_state", "change_requests", ["month", "state"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("recipient_kind", sa.String(length=10), nullable=False),
        sa.Column("recipient_id", sa.String(length=64), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed')", name=op.f("ck_outbox_state")),
        sa.CheckConstraint("channel IN ('email', 'zalo', 'webhook')", name=op.f("ck_outbox_channel")),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["schedules.id"], name=op.f("fk_outbox_schedule_id_schedules"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_message_id")),
    )
    op.create_index(op.f("ix_outbox_schedule_id"), "outbox", ["schedule_id"], unique=False)
    op.create_index("ix_outbox_state_next", "outbox", ["state", "next_attempt_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_state_next", table_name="outbox")
    op.drop_index(op.f("ix_outbox_schedule_id"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_change_requests_month_state", table_name="change_requests")
    op.drop_index(op.f("ix_change_requests_meeting_id"), table_name="change_requests")
    op.drop_table("change_requests")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("cancelled_at")
    for table in ("delegates", "communes"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in ("channels", "zalo_user_id", "phone", "email"):
                batch_op.drop_column(name)
