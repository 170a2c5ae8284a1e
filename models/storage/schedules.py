"""Schedule versions of a month: drafts from solves or copies, edits, publication.

A draft may be changed (each change bumps its ``revision``, from which the ETag comes, by
a compare-and-swap on the revision it was read in, :func:`replace_plan`).
Publishing freezes each assignment's calendar event (with the meeting's theme), and the
delegate's name and title as the notice prints them, into its row (a meeting with nobody
sent keeps its theme in the version's gaps) and moves the month's
pointer (``published_months``) to the new version; the previous published version is
left exactly as it was. Publication is optimistic and safe under concurrency: the draft
is switched by ``UPDATE … WHERE revision = :seen AND status = 'draft'``, so of two
publishes that saw the same revision exactly one changes a row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from models.documents.content import attendee_title
from models.storage.events import event_content, frozen_theme, uid_for
from models.storage.tables import (
    AssignmentRow,
    CommuneRow,
    DelegateRow,
    MeetingRow,
    PublishedMonthRow,
    ReplanNoticeRow,
    ScheduleRow,
    TeamRow,
)
from models.storage.themes import meeting_themes
from models.storage.types import utcnow

Pair = tuple[str, str]


@dataclass
class Plan:
    """What a solve or an edit produced, as the scorer judged it."""

    pairs: list[Pair]
    visits: dict[Pair, str] = field(default_factory=dict)
    """(meeting, delegate) → the suggested team for the unannounced visit."""
    solver_status: str = "feasible"
    total: int = 0
    terms: dict[str, int] = field(default_factory=dict)
    bound: int | None = None
    seconds: float | None = None
    gaps: list[dict[str, Any]] = field(default_factory=list)
    """``{meeting, seats, senior_missing, reason}`` per meeting with empty seats; publication
    adds the meeting's ``theme`` as published (:func:`themes_of`)."""


class PublishError(Exception):
    """Why a draft could not be published; ``status`` is the HTTP status that says it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def etag(schedule: ScheduleRow) -> str:
    """Strong ETag of a schedule version in its current revision."""
    return f'"s{schedule.id}-r{schedule.revision}"'


def current(session: Session, month: str) -> ScheduleRow | None:
    """The published version in force for ``month``."""
    pointer = session.get(PublishedMonthRow, month)
    return None if pointer is None else session.get(ScheduleRow, pointer.schedule_id)


def versions(session: Session, month: str) -> list[ScheduleRow]:
    return list(session.scalars(select(ScheduleRow).where(ScheduleRow.month == month).order_by(ScheduleRow.version)))


def pairs_of(session: Session, schedule_id: int) -> list[Pair]:
    rows = session.execute(
        select(AssignmentRow.meeting_id, AssignmentRow.delegate_id)
        .where(AssignmentRow.schedule_id == schedule_id)
        .order_by(AssignmentRow.meeting_id, AssignmentRow.delegate_id)
    )
    return [(m, d) for m, d in rows]


def plan_of(session: Session, schedule: ScheduleRow) -> Plan:
    rows = list(
        session.scalars(
            select(AssignmentRow)
            .where(AssignmentRow.schedule_id == schedule.id)
            .order_by(AssignmentRow.meeting_id, AssignmentRow.delegate_id)
        )
    )
    return Plan(
        pairs=[(r.meeting_id, r.delegate_id) for r in rows],
        visits={(r.meeting_id, r.delegate_id): r.team_id for r in rows if r.team_id is not None},
        solver_status=schedule.solver_status,
        total=schedule.score_total,
        terms=dict(schedule.terms),
        bound=schedule.bound,
        seconds=schedule.solve_seconds,
        gaps=list(schedule.gaps),
    )


def create_draft(
    session: Session, month: str, plan: Plan, base_id: int | None, user_id: int | None, job_id: str | None = None
) -> ScheduleRow:
    """A new draft version of ``month`` (made by the solve ``job_id``, if one made it); the
    caller retries on a version clash (IntegrityError)."""
    version = (session.scalar(select(func.max(ScheduleRow.version)).where(ScheduleRow.month == month)) or 0) + 1
    schedule = ScheduleRow(
        month=month, version=version, status="draft", revision=1, base_id=base_id, created_by=user_id, job_id=job_id
    )
    _score_into(schedule, plan)
    session.add(schedule)
    session.flush()
    _insert_assignments(session, schedule.id, plan)
    session.flush()
    return schedule


def locked(session: Session, schedule_id: int) -> ScheduleRow | None:
    """The schedule read afresh and row-locked to the end of the transaction, for a change
    checked against its revision (``If-Match``): a concurrent change of the same version
    waits here until this one is committed, then reads the revision it made (PostgreSQL;
    on SQLite the writer already holds the whole database from ``BEGIN IMMEDIATE``)."""
    return session.get(ScheduleRow, schedule_id, with_for_update=True, populate_existing=True)


def replace_plan(session: Session, schedule: ScheduleRow, plan: Plan) -> None:
    """Put ``plan`` in a draft and bump its revision (the ETag changes); raises
    :class:`PublishError` (412) when the draft is no longer at the revision it was read in."""
    assert schedule.status == "draft"
    seen = schedule.revision
    # The bump is a compare-and-swap made before any other write, as publication's is: of
    # two changes made on the same revision exactly one moves it, the other writes nothing.
    bumped = session.execute(
        update(ScheduleRow)
        .where(ScheduleRow.id == schedule.id, ScheduleRow.revision == seen, ScheduleRow.status == "draft")
        .values(revision=seen + 1)
        .execution_options(synchronize_session=False)
    )
    if bumped.rowcount != 1:  # type: ignore[attr-defined]
        raise PublishError(412, "Lịch vừa được người khác thay đổi (ETag cũ); hãy tải lại rồi sửa")
    set_committed_value(schedule, "revision", seen + 1)
    for row in list(schedule.assignments):
        session.delete(row)
    session.flush()
    _insert_assignments(session, schedule.id, plan)
    _score_into(schedule, plan)
    schedule.updated_at = utcnow()
    session.flush()
    session.expire(schedule, ["assignments"])


def _score_into(schedule: ScheduleRow, plan: Plan) -> None:
    schedule.solver_status = plan.solver_status
    schedule.score_total = plan.total
    schedule.terms = dict(plan.terms)
    schedule.bound = plan.bound
    schedule.solve_seconds = plan.seconds
    schedule.gaps = list(plan.gaps)


def _insert_assignments(session: Session, schedule_id: int, plan: Plan) -> None:
    for meeting_id, delegate_id in plan.pairs:
        team = plan.visits.get((meeting_id, delegate_id))
        session.add(
            AssignmentRow(schedule_id=schedule_id, meeting_id=meeting_id, delegate_id=delegate_id, team_id=team)
        )


def copy_to_draft(session: Session, schedule: ScheduleRow, user_id: int | None) -> ScheduleRow:
    """A new draft with the same assignments, planned against the version in force."""
    base = current(session, schedule.month)
    return create_draft(session, schedule.month, plan_of(session, schedule), base.id if base else None, user_id)


def discard(session: Session, schedule: ScheduleRow) -> None:
    if schedule.status != "draft":
        raise PublishError(409, "Lịch đã công bố không xóa được; hãy tạo bản nháp mới")
    session.delete(schedule)
    session.flush()


def publish(session: Session, schedule_id: int, seen_revision: int, user_id: int | None) -> ScheduleRow:
    """Publish a draft seen at ``seen_revision``; raises :class:`PublishError` (404/409/412)."""
    schedule = session.get(ScheduleRow, schedule_id)
    if schedule is None:
        raise PublishError(404, "Không có lịch này")
    if schedule.revision != seen_revision:
        raise PublishError(412, "Lịch đã thay đổi từ khi bạn xem (ETag cũ); hãy tải lại rồi công bố")
    if schedule.status != "draft":
        raise PublishError(409, "Lịch này đã được công bố")
    now = utcnow()
    # The compare-and-swap on the revision comes first: a concurrent publish of the same
    # draft waits here on the winner's row lock and then matches no row (412), instead of
    # reading the month pointer the winner just moved and answering 409.
    switched = session.execute(
        update(ScheduleRow)
        .where(ScheduleRow.id == schedule_id, ScheduleRow.revision == seen_revision, ScheduleRow.status == "draft")
        .values(status="published", revision=seen_revision + 1, published_at=now, published_by=user_id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if switched.rowcount != 1:  # type: ignore[attr-defined]
        raise PublishError(412, "Lịch vừa được người khác thay đổi hoặc công bố; hãy tải lại")
    pointer = session.get(PublishedMonthRow, schedule.month, populate_existing=True)
    in_force = pointer.schedule_id if pointer else None
    if in_force != schedule.base_id:
        raise PublishError(
            409, "Đã có bản lịch khác được công bố sau khi lập bản nháp này; hãy lập lại lịch rồi công bố"
        )
    _freeze_events(session, schedule, in_force, now)
    _move_pointer(session, schedule, in_force, now)
    session.flush()
    session.refresh(schedule)
    return schedule


def _freeze_events(session: Session, schedule: ScheduleRow, in_force: int | None, now: dt.datetime) -> None:
    """Write each event's content, UID, SEQUENCE and DTSTAMP, and the delegate's name and
    printed title, into its assignment row.

    SEQUENCE stays when the event is unchanged since the version in force, goes up by
    one when it changed, and continues above any earlier value of that UID (an event
    dropped and later restored must not reuse an old SEQUENCE).
    """
    rows = list(session.scalars(select(AssignmentRow).where(AssignmentRow.schedule_id == schedule.id)))
    meetings = {
        m.id: m for m in session.scalars(select(MeetingRow).where(MeetingRow.id.in_({r.meeting_id for r in rows})))
    }
    communes = {c.id: c for c in session.scalars(select(CommuneRow))}
    teams = {
        t.id: t for t in session.scalars(select(TeamRow).where(TeamRow.id.in_({r.team_id for r in rows if r.team_id})))
    }
    people = {
        d.id: d for d in session.scalars(select(DelegateRow).where(DelegateRow.id.in_({r.delegate_id for r in rows})))
    }
    previous: dict[str, AssignmentRow] = {}
    if in_force is not None:
        rows_in_force = session.scalars(select(AssignmentRow).where(AssignmentRow.schedule_id == in_force))
        previous = {r.uid: r for r in rows_in_force if r.uid is not None}
    highest = dict(
        session.execute(
            select(AssignmentRow.uid, func.max(AssignmentRow.sequence))
            .join(ScheduleRow, ScheduleRow.id == AssignmentRow.schedule_id)
            .where(
                ScheduleRow.month == schedule.month, ScheduleRow.status == "published", ScheduleRow.id != schedule.id
            )
            .group_by(AssignmentRow.uid)
        ).all()
    )
    gapped = {str(g["meeting"]) for g in schedule.gaps} - set(meetings)
    meetings |= {m.id: m for m in session.scalars(select(MeetingRow).where(MeetingRow.id.in_(gapped)))}
    themes = meeting_themes(session, meetings.values())
    # A meeting with nobody sent has no event to carry its theme: the gap keeps it.
    schedule.gaps = [{**g, "theme": themes.get(str(g["meeting"]))} for g in schedule.gaps]
    for row in rows:
        meeting = meetings[row.meeting_id]
        team = teams.get(row.team_id or "")
        content = event_content(meeting, communes[meeting.commune_id], team, themes[meeting.id])
        uid = uid_for(row.meeting_id, row.delegate_id)
        fingerprint = content.fingerprint()
        before = previous.get(uid)
        if before is not None and before.fingerprint == fingerprint:
            row.sequence, row.stamped_at = before.sequence, before.stamped_at
        else:
            last = highest.get(uid)
            # Absent from the version in force, the event was shown CANCELLED at last + 1.
            step = 1 if before is not None or in_force is None else 2
            row.sequence, row.stamped_at = (0 if last is None else last + step), now
        row.uid, row.fingerprint = uid, fingerprint
        row.starts_at, row.ends_at = content.starts_at, content.ends_at
        row.summary, row.location, row.description = content.summary, content.location, content.description
        person = people[row.delegate_id]
        row.delegate_name = person.name
        row.delegate_title = attendee_title(person.title, person.tier, person.agency)


def themes_of(session: Session, schedule: ScheduleRow, meetings: Iterable[MeetingRow]) -> dict[str, str | None]:
    """meeting id → its theme in version ``schedule``: a published version's as it was
    published (what its calendars were given), a draft's as the plan and the meeting say
    today. A meeting a published version kept no theme for (published before themes were
    kept with its gaps) takes today's."""
    rows = list(meetings)
    today = meeting_themes(session, rows)
    if schedule.status != "published":
        return today
    frozen: dict[str, str | None] = {str(g["meeting"]): g["theme"] for g in schedule.gaps if "theme" in g}
    described = session.execute(
        select(AssignmentRow.meeting_id, AssignmentRow.description).where(
            AssignmentRow.schedule_id == schedule.id,
            AssignmentRow.meeting_id.in_(list(today)),
        )
    )
    for meeting_id, description in described:
        if description is not None:
            frozen[meeting_id] = frozen_theme(description)
    return {m: frozen.get(m, theme) for m, theme in today.items()}


def _move_pointer(session: Session, schedule: ScheduleRow, in_force: int | None, now: dt.datetime) -> None:
    if in_force is None:
        try:
            with session.begin_nested():
                session.add(PublishedMonthRow(month=schedule.month, schedule_id=schedule.id, published_at=now))
        except IntegrityError:
            raise PublishError(409, "Một bản lịch khác của tháng này vừa được công bố; hãy lập lại lịch") from None
        return
    moved = session.execute(
        update(PublishedMonthRow)
        .where(PublishedMonthRow.month == schedule.month, PublishedMonthRow.schedule_id == in_force)
        .values(schedule_id=schedule.id, published_at=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise PublishError(409, "Một bản lịch khác của tháng này vừa được công bố; hãy lập lại lịch")


def notices(session: Session, schedule_id: int) -> Sequence[ReplanNoticeRow]:
    return list(
        session.scalars(
            select(ReplanNoticeRow).where(ReplanNoticeRow.schedule_id == schedule_id).order_by(ReplanNoticeRow.id)
        )
    )
