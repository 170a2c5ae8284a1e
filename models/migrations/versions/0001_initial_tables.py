"""Initial tables: directory, meetings, history, schedules, users, jobs, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 05:13:37.031766
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sa.String(length=200), nullable=True),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("entity", sa.String(length=30), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_table(
        "communes",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=True),
        sa.Column("flag", sa.SmallInteger(), nullable=False),
        sa.Column("flag_reason", sa.Text(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.CheckConstraint("flag IN (0, 1, 2)", name=op.f("ck_communes_flag")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communes")),
    )
    op.create_table(
        "config",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_config")),
    )
    op.create_table(
        "delegates",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("tier", sa.SmallInteger(), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=False),
        sa.Column("max_per_month", sa.Integer(), nullable=False),
        sa.Column("base", sa.String(length=64), nullable=False),
        sa.CheckConstraint("max_per_month >= 0", name=op.f("ck_delegates_max_per_month")),
        sa.CheckConstraint("tier BETWEEN 1 AND 4", name=op.f("ck_delegates_tier")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegates")),
    )
    op.create_table(
        "places",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
    )
    op.create_table(
        "roads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("a", sa.String(length=64), nullable=False),
        sa.Column("b", sa.String(length=64), nullable=False),
        sa.Column("minutes", sa.Float(), nullable=False),
        sa.CheckConstraint("minutes > 0", name=op.f("ck_roads_minutes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roads")),
    )
    op.create_table(
        "attendance_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attended_on", sa.Date(), nullable=False),
        sa.Column("commune_id", sa.String(length=64), nullable=False),
        sa.Column("delegate_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["communes.id"], name=op.f("fk_attendance_history_commune_id_communes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["delegate_id"],
            ["delegates.id"],
            name=op.f("fk_attendance_history_delegate_id_delegates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_history")),
        sa.UniqueConstraint("attended_on", "commune_id", "delegate_id", name="uq_attendance_history_row"),
    )
    op.create_index(op.f("ix_attendance_history_attended_on"), "attendance_history", ["attended_on"], unique=False)
    op.create_index(op.f("ix_attendance_history_delegate_id"), "attendance_history", ["delegate_id"], unique=False)
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["delegate_id"], ["delegates.id"], name=op.f("fk_calendar_feeds_delegate_id_delegates"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
    )
    op.create_index(op.f("ix_calendar_feeds_delegate_id"), "calendar_feeds", ["delegate_id"], unique=False)
    op.create_table(
        "delegate_charges",
        sa.Column("delegate_id", sa.String(length=64), nullable=False),
        sa.Column("commune_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["communes.id"], name=op.f("fk_delegate_charges_commune_id_communes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["delegate_id"],
            ["delegates.id"],
            name=op.f("fk_delegate_charges_delegate_id_delegates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("delegate_id", "commune_id", name=op.f("pk_delegate_charges")),
    )
    op.create_table(
        "leave",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.String(length=64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_leave_range")),
        sa.ForeignKeyConstraint(
            ["delegate_id"], ["delegates.id"], name=op.f("fk_leave_delegate_id_delegates"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leave")),
    )
    op.create_index(op.f("ix_leave_delegate_id"), "leave", ["delegate_id"], unique=False)
    op.create_table(
        "meetings",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("commune_id", sa.String(length=64), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("required", sa.Integer(), nullable=True),
        sa.Column("senior_tier", sa.SmallInteger(), nullable=True),
        sa.Column("senior_tier_set", sa.Boolean(), nullable=False),
        sa.Column("theme", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("minutes >= 1", name=op.f("ck_meetings_minutes")),
        sa.CheckConstraint("required IS NULL OR required >= 1", name=op.f("ck_meetings_required")),
        sa.CheckConstraint("senior_tier IS NULL OR senior_tier BETWEEN 1 AND 3", name=op.f("ck_meetings_senior_tier")),
        sa.ForeignKeyConstraint(["commune_id"], ["communes.id"], name=op.f("fk_meetings_commune_id_communes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    op.create_index(op.f("ix_meetings_commune_id"), "meetings", ["commune_id"], unique=False)
    op.create_index("ix_meetings_month_starts_at", "meetings", ["month", "starts_at"], unique=False)
    op.create_table(
        "teams",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("commune_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["communes.id"], name=op.f("fk_teams_commune_id_communes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
    )
    op.create_index(op.f("ix_teams_commune_id"), "teams", ["commune_id"], unique=False)
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("delegate_id", sa.String(length=64), nullable=True),
        sa.Column("commune_id", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(role = 'commune') = (commune_id IS NOT NULL)", name=op.f("ck_users_commune_link")),
        sa.CheckConstraint("(role = 'delegate') = (delegate_id IS NOT NULL)", name=op.f("ck_users_delegate_link")),
        sa.CheckConstraint("role IN ('planner', 'delegate', 'commune')", name=op.f("ck_users_role")),
        sa.ForeignKeyConstraint(
            ["commune_id"], ["communes.id"], name=op.f("fk_users_commune_id_communes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["delegate_id"], ["delegates.id"], name=op.f("fk_users_delegate_id_delegates"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_index(op.f("ix_users_commune_id"), "users", ["commune_id"], unique=False)
    op.create_index(op.f("ix_users_delegate_id"), "users", ["delegate_id"], unique=False)
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)
    op.create_table(
        "pins",
        sa.Column("meeting_id", sa.String(length=64), nullable=False),
        sa.Column("delegate_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.CheckConstraint("kind IN ('pinned', 'forbidden')", name=op.f("ck_pins_kind")),
        sa.ForeignKeyConstraint(
            ["delegate_id"], ["delegates.id"], name=op.f("fk_pins_delegate_id_delegates"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_pins_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("meeting_id", "delegate_id", "kind", name=op.f("pk_pins")),
    )
    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("base_id", sa.Integer(), nullable=True),
        sa.Column("solver_status", sa.String(length=12), nullable=False),
        sa.Column("score_total", sa.BigInteger(), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("bound", sa.BigInteger(), nullable=True),
        sa.Column("solve_seconds", sa.Float(), nullable=True),
        sa.Column("gaps", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'published')", name=op.f("ck_schedules_status")),
        sa.ForeignKeyConstraint(["base_id"], ["schedules.id"], name=op.f("fk_schedules_base_id_schedules")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_schedules_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["published_by"], ["users.id"], name=op.f("fk_schedules_published_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedules")),
        sa.UniqueConstraint("month", "version", name="uq_schedules_month_version"),
    )
    op.create_index(op.f("ix_schedules_month"), "schedules", ["month"], unique=False)
    op.create_table(
        "visit_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_visit_history_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_history")),
        sa.UniqueConstraint("visited_on", "team_id", name="uq_visit_history_row"),
    )
    op.create_index(op.f("ix_visit_history_team_id"), "visit_history", ["team_id"], unique=False)
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=64), nullable=False),
        sa.Column("delegate_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=True),
        sa.Column("uid", sa.String(length=200), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("stamped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["delegate_id"], ["delegates.id"], name=op.f("fk_assignments_delegate_id_delegates"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_assignments_meeting_id_meetings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["schedules.id"], name=op.f("fk_assignments_schedule_id_schedules"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_assignments_team_id_teams"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint("schedule_id", "meeting_id", "delegate_id", name="uq_assignments_pair"),
    )
    op.create_index("ix_assignments_delegate_schedule", "assignments", ["delegate_id", "schedule_id"], unique=False)
    op.create_index(op.f("ix_assignments_meeting_id"), "assignments", ["meeting_id"], unique=False)
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("time_limit", sa.Float(), nullable=False),
        sa.Column("changes_first", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("progress_seconds", sa.Float(), nullable=True),
        sa.Column("best_score", sa.BigInteger(), nullable=True),
        sa.Column("bound", sa.BigInteger(), nullable=True),
        sa.Column("result_status", sa.String(length=12), nullable=True),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed', 'cancelled')", name=op.f("ck_jobs_status")
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["schedules.id"], name=op.f("fk_jobs_schedule_id_schedules"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_jobs_user_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("user_id", "idempotency_key", name="uq_jobs_idempotency"),
    )
    op.create_index("ix_jobs_user_status", "jobs", ["user_id", "status"], unique=False)
    op.create_table(
        "published_months",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["schedules.id"], name=op.f("fk_published_months_schedule_id_schedules")
        ),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_published_months")),
    )
    op.create_index(op.f("ix_published_months_schedule_id"), "published_months", ["schedule_id"], unique=False)
    op.create_table(
        "replan_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["schedules.id"], name=op.f("fk_replan_notices_schedule_id_schedules"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_replan_notices_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replan_notices")),
    )
    op.create_index(op.f("ix_replan_notices_schedule_id"), "replan_notices", ["schedule_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_replan_notices_schedule_id"), table_name="replan_notices")
    op.drop_table("replan_notices")
    op.drop_index(op.f("ix_published_months_schedule_id"), table_name="published_months")
    op.drop_table("published_months")
    op.drop_index("ix_jobs_user_status", table_name="jobs")
    op.drop_table("jobs")
    op.drop_index(op.f("ix_assignments_meeting_id"), table_name="assignments")
    op.drop_index("ix_assignments_delegate_schedule", table_name="assignments")
    op.drop_table("assignments")
    op.drop_index(op.f("ix_visit_history_team_id"), table_name="visit_history")
    op.drop_table("visit_history")
    op.drop_index(op.f("ix_schedules_month"), table_name="schedules")
    op.drop_table("schedules")
    op.drop_table("pins")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_index(op.f("ix_users_delegate_id"), table_name="users")
    op.drop_index(op.f("ix_users_commune_id"), table_name="users")
    op.drop_table("users")
    op.drop_index(op.f("ix_teams_commune_id"), table_name="teams")
    op.drop_table("teams")
    op.drop_index("ix_meetings_month_starts_at", table_name="meetings")
    op.drop_index(op.f("ix_meetings_commune_id"), table_name="meetings")
    op.drop_table("meetings")
    op.drop_index(op.f("ix_leave_delegate_id"), table_name="leave")
    op.drop_table("leave")
    op.drop_table("delegate_charges")
    op.drop_index(op.f("ix_calendar_feeds_delegate_id"), table_name="calendar_feeds")
    op.drop_table("calendar_feeds")
    op.drop_index(op.f("ix_attendance_history_delegate_id"), table_name="attendance_history")
    op.drop_index(op.f("ix_attendance_history_attended_on"), table_name="attendance_history")
    op.drop_table("attendance_history")
    op.drop_table("roads")
    op.drop_table("places")
    op.drop_table("delegates")
    op.drop_table("config")
    op.drop_table("communes")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
