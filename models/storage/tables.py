"""The database tables (SQLAlchemy 2 declarative), one class per table.

The directory (places, communes, teams, roads, delegates with their leave and the
communes they are in charge of), the registered meetings, history, the schedules of each
month with their assignments and visits, users with their tokens, what-if scenarios and
their results, solve jobs and the audit log. Row classes end in ``Row`` so they are never
confused with the frozen domain objects of :mod:`models.instance`.

A schedule is a version of one month's plan: a ``draft`` may be edited; a ``published``
version is never modified in place (a change is a new version), and ``published_months``
points at the version currently in force. Moments are :class:`UTCDateTime` (aware, UTC);
calendar days are plain dates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from models.storage.types import UTCDateTime, utcnow

ID = String(64)
NAME = String(200)
MONTH = String(7)  # "YYYY-MM", the local calendar month of a meeting

# Explicit constraint names: Alembic needs them to drop constraints, identically on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# -- the directory ------------------------------------------------------------------


class PlaceRow(Base):
    """A place that is not a commune (the party headquarters, an agency): a delegate's base."""

    __tablename__ = "places"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str | None] = mapped_column(NAME)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)


class CommuneRow(Base):
    __tablename__ = "communes"
    __table_args__ = (CheckConstraint("flag IN (0, 1, 2)", name="flag"),)
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(NAME)
    kind: Mapped[str | None] = mapped_column(String(10))
    district: Mapped[str | None] = mapped_column(String(100))
    """"huyện Bát Xát", "thành phố Lào Cai"; none where the province has no district level."""
    flag: Mapped[int] = mapped_column(SmallInteger, default=0)
    flag_reason: Mapped[str | None] = mapped_column(Text)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    zalo_user_id: Mapped[str | None] = mapped_column(String(64))
    channels: Mapped[list[str] | None] = mapped_column(JSON)
    """The channels this person chose for notices: ``email``, ``zalo``, ``webhook``."""

    teams: Mapped[list[TeamRow]] = relationship(
        back_populates="commune", order_by="TeamRow.id", cascade="all, delete-orphan", passive_deletes=True
    )


class TeamRow(Base):
    """A village-level tổ tuyên vận, the target of unannounced visits."""

    __tablename__ = "teams"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    commune_id: Mapped[str] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(NAME)

    commune: Mapped[CommuneRow] = relationship(back_populates="teams")


class RoadRow(Base):
    """An undirected road between two places or communes (ids share one namespace)."""

    __tablename__ = "roads"
    __table_args__ = (CheckConstraint("minutes > 0", name="minutes"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    a: Mapped[str] = mapped_column(ID)
    b: Mapped[str] = mapped_column(ID)
    minutes: Mapped[float] = mapped_column(Float)


class DelegateRow(Base):
    __tablename__ = "delegates"
    __table_args__ = (
        CheckConstraint("tier BETWEEN 1 AND 4", name="tier"),
        CheckConstraint("max_per_month >= 0", name="max_per_month"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(NAME)
    title: Mapped[str | None] = mapped_column(NAME)
    tier: Mapped[int] = mapped_column(SmallInteger)
    agency: Mapped[str] = mapped_column(NAME)
    max_per_month: Mapped[int] = mapped_column(Integer, default=4)
    base: Mapped[str] = mapped_column(ID, default="hq")
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(30))
    zalo_user_id: Mapped[str | None] = mapped_column(String(64))
    channels: Mapped[list[str] | None] = mapped_column(JSON)
    """The channels this person chose for notices: ``email``, ``zalo``, ``webhook``."""

    charges: Mapped[list[ChargeRow]] = relationship(
        order_by="ChargeRow.position", cascade="all, delete-orphan", passive_deletes=True
    )
    leave: Mapped[list[LeaveRow]] = relationship(
        order_by="(LeaveRow.starts_on, LeaveRow.id)", cascade="all, delete-orphan", passive_deletes=True
    )


class ChargeRow(Base):
    """A commune a delegate is in charge of day to day (phụ trách): cross-assignment rule H7."""

    __tablename__ = "delegate_charges"
    delegate_id: Mapped[str] = mapped_column(ForeignKey("delegates.id", ondelete="CASCADE"), primary_key=True)
    commune_id: Mapped[str] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class LeaveRow(Base):
    """An inclusive range of days a delegate cannot attend (rule H3)."""

    __tablename__ = "leave"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="range"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delegate_id: Mapped[str] = mapped_column(ForeignKey("delegates.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)


# -- meetings and history -----------------------------------------------------------


class MeetingRow(Base):
    """A commune's registered monthly meeting (đăng ký lịch hội nghị)."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("minutes >= 1", name="minutes"),
        CheckConstraint("required IS NULL OR required >= 1", name="required"),
        CheckConstraint("senior_tier IS NULL OR senior_tier BETWEEN 1 AND 3", name="senior_tier"),
        Index("ix_meetings_month_starts_at", "month", "starts_at"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    commune_id: Mapped[str] = mapped_column(ForeignKey("communes.id"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    month: Mapped[str] = mapped_column(MONTH)
    minutes: Mapped[int] = mapped_column(Integer, default=180)
    required: Mapped[int | None] = mapped_column(Integer)
    senior_tier: Mapped[int | None] = mapped_column(SmallInteger)
    # The format tells "no senior needed" (an explicit null) from "the flag decides" (absent).
    senior_tier_set: Mapped[bool] = mapped_column(Boolean, default=False)
    theme: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    """Set when the Board approved its cancellation: it stays for the versions that hold
    it, and leaves every month plan made after."""

    commune: Mapped[CommuneRow] = relationship()


class PinRow(Base):
    """A pinned (must hold) or forbidden (must not) meeting–delegate pair (rule H6)."""

    __tablename__ = "pins"
    __table_args__ = (CheckConstraint("kind IN ('pinned', 'forbidden')", name="kind"),)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    delegate_id: Mapped[str] = mapped_column(ForeignKey("delegates.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)


class AttendanceRow(Base):
    """A past attendance imported from before the service (published months are added live)."""

    __tablename__ = "attendance_history"
    __table_args__ = (UniqueConstraint("attended_on", "commune_id", "delegate_id", name="uq_attendance_history_row"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attended_on: Mapped[dt.date] = mapped_column(Date, index=True)
    commune_id: Mapped[str] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    delegate_id: Mapped[str] = mapped_column(ForeignKey("delegates.id", ondelete="CASCADE"), index=True)


class PastVisitRow(Base):
    """A past unannounced visit to a team, imported."""

    __tablename__ = "visit_history"
    __table_args__ = (UniqueConstraint("visited_on", "team_id", name="uq_visit_history_row"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visited_on: Mapped[dt.date] = mapped_column(Date)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)


class ConfigRow(Base):
    """Instance-wide values: the plan's name and the rule options and weights (JSON)."""

    __tablename__ = "config"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


# -- users --------------------------------------------------------------------------


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('planner', 'delegate', 'commune')", name="role"),
        CheckConstraint("(role = 'delegate') = (delegate_id IS NOT NULL)", name="delegate_link"),
        CheckConstraint("(role = 'commune') = (commune_id IS NOT NULL)", name="commune_link"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(NAME)
    role: Mapped[str] = mapped_column(String(10))
    delegate_id: Mapped[str | None] = mapped_column(ForeignKey("delegates.id", ondelete="CASCADE"), index=True)
    commune_id: Mapped[str | None] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    """The sign-in name of the pages (lower case); None: an account that uses tokens only."""
    password_hash: Mapped[str | None] = mapped_column(String(200))
    """argon2id (argon2-cffi's encoded form); None: no password yet (a first-sign-in link)."""


class WebSessionRow(Base):
    """A signed-in browser: the SHA-256 of its cookie, and the CSRF token its forms carry."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class SignInFailureRow(Base):
    """Failed sign-ins of one user name from one address, to lock it after repeated failures."""

    __tablename__ = "sign_in_failures"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ActivationRow(Base):
    """A one-use first-sign-in link (``/kich-hoat/{token}``): sets the account's password."""

    __tablename__ = "activations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ApiTokenRow(Base):
    """A bearer token of a user; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class CalendarFeedRow(Base):
    """The secret of a delegate's subscription URL ``/calendar/{token}.ics``; hashed like tokens."""

    __tablename__ = "calendar_feeds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delegate_id: Mapped[str] = mapped_column(ForeignKey("delegates.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class CalendarStampRow(Base):
    """One row (id 1): a number raised by a trigger on every write to a table the
    delegates' calendars are read from (migration 0014), so that a web process can keep
    the calendars it built and tell with one read whether each is still current."""

    __tablename__ = "calendar_stamp"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger)


# -- schedules ----------------------------------------------------------------------


class ScheduleRow(Base):
    """One version of a month's plan, with the score the independent scorer gave it."""

    __tablename__ = "schedules"
    __table_args__ = (
        UniqueConstraint("month", "version", name="uq_schedules_month_version"),
        CheckConstraint("status IN ('draft', 'published')", name="status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(MONTH, index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    """Bumped on every change of a draft; the ETag is built from it."""
    base_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id"))
    """The published version this draft was planned against (its ``reference``)."""
    solver_status: Mapped[str] = mapped_column(String(12))
    score_total: Mapped[int] = mapped_column(BigInteger)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON)
    bound: Mapped[int | None] = mapped_column(BigInteger)
    solve_seconds: Mapped[float | None] = mapped_column(Float)
    gaps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    job_id: Mapped[str | None] = mapped_column(String(32), index=True)
    """The solve job that made this draft, if one did (a retaken job discards its unlinked drafts)."""

    assignments: Mapped[list[AssignmentRow]] = relationship(
        back_populates="schedule", cascade="all, delete-orphan", passive_deletes=True
    )


class PublishedMonthRow(Base):
    """Which published version of a month is in force (moved by each publication)."""

    __tablename__ = "published_months"
    month: Mapped[str] = mapped_column(MONTH, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id"), index=True)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class AssignmentRow(Base):
    """A delegate assigned to a meeting in one schedule version.

    At publication the calendar event is frozen into the row (times, texts, UID, SEQUENCE,
    DTSTAMP), and the delegate's name and title as printed, so that a published version,
    its feed, its notice and its workbook never change afterwards.
    """

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("schedule_id", "meeting_id", "delegate_id", name="uq_assignments_pair"),
        Index("ix_assignments_delegate_schedule", "delegate_id", "schedule_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    delegate_id: Mapped[str] = mapped_column(ForeignKey("delegates.id", ondelete="CASCADE"))
    team_id: Mapped[str | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    """The suggested team for the unannounced visit (the ``visits`` of the solution)."""
    uid: Mapped[str | None] = mapped_column(String(200))
    sequence: Mapped[int | None] = mapped_column(Integer)
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    stamped_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    starts_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    summary: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    delegate_name: Mapped[str | None] = mapped_column(Text)
    delegate_title: Mapped[str | None] = mapped_column(Text)
    """The title as the notice prints it (:func:`models.documents.content.attendee_title`);
    both empty on rows published before they were kept: the current ones are printed."""

    schedule: Mapped[ScheduleRow] = relationship(back_populates="assignments")


class ReplanNoticeRow(Base):
    """A change after publication (a meeting registered, moved or removed) that the
    published schedule does not reflect yet; planners see these until they re-plan."""

    __tablename__ = "replan_notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[str] = mapped_column(ID)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


# -- scenarios ----------------------------------------------------------------------

MODES_CHECK = "mode IN ('weighted', 'changes_first', 'fresh')"


class ScenarioRow(Base):
    """A what-if on a month: the month's stored data with an ordered list of changes.

    ``changes`` is the YAML ``changes`` list of a scenario file, as JSON. ``base_id`` is
    the published version in force when the scenario was made (None: none was): every
    run keeps it as much as the mode asks and is compared with it. Changing the
    changes or the mode bumps ``revision``; each result records the revision it ran.
    """

    __tablename__ = "scenarios"
    __table_args__ = (CheckConstraint(MODES_CHECK, name="mode"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(NAME)
    description: Mapped[str | None] = mapped_column(Text)
    month: Mapped[str] = mapped_column(MONTH, index=True)
    base_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id"))
    mode: Mapped[str] = mapped_column(String(16), default="weighted")
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ScenarioResultRow(Base):
    """What one run of a scenario gave, frozen when it finished.

    Everything shown later is stored here, names included: a scenario may add delegates
    and meetings the directory does not have, and the directory may change after the
    run, while the result must keep saying what that run found.
    """

    __tablename__ = "scenario_results"
    __table_args__ = (
        CheckConstraint(MODES_CHECK, name="mode"),
        CheckConstraint("base_source IN ('published', 'solved')", name="base_source"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), index=True)
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"), unique=True)
    revision: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(16))
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """The changes this run applied (the scenario's may have changed since)."""
    base_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id"))
    """The published version compared with; None when the base month was solved for the run."""
    base_source: Mapped[str] = mapped_column(String(12))
    solver_status: Mapped[str] = mapped_column(String(12))
    score_total: Mapped[int | None] = mapped_column(BigInteger)
    terms: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Count per score term (empty when there is no schedule)."""
    weights: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Weight per term in the scenario's month (a change may set one)."""
    rotation_months: Mapped[int] = mapped_column(Integer)
    bound: Mapped[int | None] = mapped_column(BigInteger)
    seconds: Mapped[float] = mapped_column(Float)
    changes_proved: Mapped[bool] = mapped_column(Boolean, default=False)
    assignments: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """The scenario's schedule: one object per pair, with names and the suggested team."""
    gaps: Mapped[list[Any]] = mapped_column(JSON, default=list)
    diff: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """Meetings whose delegates differ from the base, before → after, with the reason."""
    notes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    problems: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """Why there is no schedule at all (status infeasible)."""
    described: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """Each change said in Vietnamese, as the run understood it."""
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    base_figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The comparison's figures of this schedule and of the base schedule."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


# -- jobs and audit -----------------------------------------------------------------


class JobRow(Base):
    """A solve of one month, or a run of a scenario (``scenario_id`` set): queued → running
    → done | failed | cancelled. A scenario's run never makes a schedule version: its
    answer is a :class:`ScenarioResultRow`."""

    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("user_id", "idempotency_key", name="uq_jobs_idempotency"),
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed', 'cancelled')", name="status"),
        Index("ix_jobs_user_status", "user_id", "status"),
    )
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    month: Mapped[str] = mapped_column(MONTH)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    time_limit: Mapped[float] = mapped_column(Float)
    changes_first: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    progress_seconds: Mapped[float | None] = mapped_column(Float)
    best_score: Mapped[int | None] = mapped_column(BigInteger)
    bound: Mapped[int | None] = mapped_column(BigInteger)
    result_status: Mapped[str | None] = mapped_column(String(12))
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id", ondelete="SET NULL"))
    error: Mapped[str | None] = mapped_column(Text)
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id", ondelete="SET NULL"), index=True)
    mode: Mapped[str | None] = mapped_column(String(16))
    """A scenario run's mode (weighted, changes_first or fresh); None for a solve."""
    base_id: Mapped[int | None] = mapped_column(Integer)
    """A solve's published version when it was accepted (its draft is planned against it)."""
    worker: Mapped[str | None] = mapped_column(String(64))
    """Who runs it now (``host:pid``); None while queued."""
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    """Refreshed by the running worker; a stale one means the worker died and the job is retaken."""
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """How many times the job was taken up again after its worker died."""
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    """Set by any web process; the worker running the job sees it and stops the solve."""
    queue_job_id: Mapped[int | None] = mapped_column(BigInteger)
    """The procrastinate job carrying it (PostgreSQL only)."""
    parent_id: Mapped[str | None] = mapped_column(String(32), index=True)
    """A part of a fanned-out job (mode ``replan``: one re-plan of a robustness analysis)."""
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """A fanned-out job's input: the parent's month and schedule, a part's absence."""
    answer: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """A part's answer, read by whoever gathers the parts."""


class AuditRow(Base):
    """Who changed what, when. Kept even when the user is gone (the name is copied)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    user_name: Mapped[str | None] = mapped_column(NAME)
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# -- after the meeting --------------------------------------------------------------


class MeetingReportRow(Base):
    """What an assigned delegate reports of a published meeting: went or not, who went
    instead, the teams visited unannounced, a note, a problem that needs attention.

    One per (meeting, assigned delegate); a correction replaces it in place (the audit
    log keeps what it said before). ``visits_stated`` tells "the teams visited were these
    (maybe none)" from "not said", where the suggested team still counts as visited.
    """

    __tablename__ = "meeting_reports"
    __table_args__ = (UniqueConstraint("meeting_id", "delegate_id", name="uq_meeting_reports_pair"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    delegate_id: Mapped[str] = mapped_column(ForeignKey("delegates.id", ondelete="CASCADE"))
    attended: Mapped[bool] = mapped_column(Boolean)
    substitute_id: Mapped[str | None] = mapped_column(ForeignKey("delegates.id", ondelete="SET NULL"))
    """Who went instead, when the assigned delegate did not."""
    visits_stated: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    problem: Mapped[str | None] = mapped_column(Text)
    """A problem the meeting raised that needs attention (proposes a flag for the next month)."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    visits: Mapped[list[ReportVisitRow]] = relationship(
        order_by="ReportVisitRow.team_id", cascade="all, delete-orphan", passive_deletes=True
    )


class ReportVisitRow(Base):
    """A team a report says was visited unannounced after the meeting."""

    __tablename__ = "report_visits"
    report_id: Mapped[int] = mapped_column(ForeignKey("meeting_reports.id", ondelete="CASCADE"), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), primary_key=True, index=True)


class ScoreSheetRow(Base):
    """The month's score sheet of a commune's board (chấm điểm): one per commune and month.

    ``items`` copies each criterion's name and maximum as they were when scored, so a
    later change of the Board's criteria never rewrites a past sheet.
    """

    __tablename__ = "score_sheets"
    __table_args__ = (UniqueConstraint("commune_id", "month", name="uq_score_sheets_commune_month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_id: Mapped[str] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(MONTH, index=True)
    items: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """``{criterion, name, max_points, points}`` per criterion."""
    total: Mapped[float] = mapped_column(Float)
    max_total: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_reports.id", ondelete="SET NULL"))
    """The report the sheet came with (None: entered by a planner)."""
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ClosedMonthRow(Base):
    """A month whose score sheets are final (its ranking is the one on record)."""

    __tablename__ = "closed_months"
    month: Mapped[str] = mapped_column(MONTH, primary_key=True)
    closed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    levels: Mapped[list[Any] | None] = mapped_column(JSON)
    """The levels in force at closing (``{name, min_points}`` each): the month is ranked
    on them ever after, whatever the Board sets later. None: the current levels."""


class CommuneFlagRow(Base):
    """A commune's flag for one month; every setting is a new row, so the history stays.

    The flag in force for (commune, month) is the latest row of that pair; a month with
    no row follows the commune's own ``flag`` (its default).
    """

    __tablename__ = "commune_flags"
    __table_args__ = (
        CheckConstraint("flag IN (0, 1, 2)", name="flag"),
        CheckConstraint("source IN ('planner', 'proposal', 'migrated')", name="source"),
        Index("ix_commune_flags_month_commune", "month", "commune_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    commune_id: Mapped[str] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(MONTH)
    flag: Mapped[int] = mapped_column(SmallInteger)
    reason: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10), default="planner")
    proposal: Mapped[str | None] = mapped_column(String(100))
    """The flag proposal this row confirmed."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class FlagDecisionRow(Base):
    """A planner's answer to a flag proposal (proposals themselves are read from the results)."""

    __tablename__ = "flag_decisions"
    __table_args__ = (CheckConstraint("decision IN ('confirmed', 'dismissed')", name="decision"),)
    proposal: Mapped[str] = mapped_column(String(100), primary_key=True)
    commune_id: Mapped[str] = mapped_column(ForeignKey("communes.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(MONTH, index=True)
    decision: Mapped[str] = mapped_column(String(10))
    flag: Mapped[int | None] = mapped_column(SmallInteger)
    reason: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class PlanThemeRow(Base):
    """A theme of the year's tuyên vận plan: of a quarter (``YYYY-Qn``) or a month (``YYYY-MM``)."""

    __tablename__ = "plan_themes"
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    theme: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


# -- after publication: change requests and notifications ---------------------------


class ChangeRequestRow(Base):
    """A change to a published meeting asked by its commune (``move``, ``cancel``) or by an
    assigned delegate (``absent``: "không dự được"); the Board approves or rejects it.

    Until approved nothing changes: the version in force, the calendars and the
    meeting keep what was published, shown with "đang chờ Ban duyệt".
    """

    __tablename__ = "change_requests"
    __table_args__ = (
        CheckConstraint("kind IN ('move', 'cancel', 'absent')", name="kind"),
        CheckConstraint("state IN ('pending', 'approved', 'rejected')", name="state"),
        Index("ix_change_requests_month_state", "month", "state"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    month: Mapped[str] = mapped_column(MONTH)
    commune_id: Mapped[str] = mapped_column(ID)
    delegate_id: Mapped[str | None] = mapped_column(ID)
    """The delegate who cannot attend (``absent``)."""
    delegate: Mapped[DelegateRow | None] = relationship(
        primaryjoin="foreign(ChangeRequestRow.delegate_id) == DelegateRow.id", viewonly=True
    )
    starts_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    """The start asked for (``move``)."""
    minutes: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The meeting as published when asked: ``{start, minutes}`` (ISO, UTC)."""
    reason: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)
    """Why it was rejected, shown to the requester."""
    job_id: Mapped[str | None] = mapped_column(String(32))
    """The re-plan its approval started."""


class OutboxRow(Base):
    """One message to one person on one channel, written in the publication's transaction.

    ``message_id`` is its idempotency key (sent with it on every channel): a delivery
    retried after a crash carries the same key, and a row once ``sent`` is never sent
    again. ``pending`` → ``sending`` (claimed, with a lease) → ``sent`` | back to
    ``pending`` with a later ``next_attempt_at`` | ``failed`` after the last attempt.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed')", name="state"),
        CheckConstraint("channel IN ('email', 'zalo', 'webhook')", name="channel"),
        Index("ix_outbox_state_next", "state", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id", ondelete="SET NULL"), index=True)
    recipient_kind: Mapped[str] = mapped_column(String(10))
    recipient_id: Mapped[str] = mapped_column(ID)
    recipient_name: Mapped[str] = mapped_column(NAME)
    channel: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
