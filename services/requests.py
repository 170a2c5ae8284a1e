"""Change requests after publication: a commune asks to move or cancel its meeting, an
assigned delegate says "không dự được"; the Board (planners) approves or rejects.

The version in force is what holds: a request changes nothing it shows (the meeting,
the published schedule, every calendar) until approved; meanwhile they show the meeting
as published with :data:`PENDING`. Approving one or several requests of a month applies
them to the data (the meeting moves, is cancelled, or the delegate is excluded from it)
and starts a fewest-changes re-plan of the month (``changes_first``) against the version
in force; its draft lists every changed meeting before → after with its reason
(:mod:`services.amendments`), and publishing it makes it the version in force. A
rejection keeps its reason, which the requester sees.

An answer locks its requests before reading their state, so that two answers sent at
once (two web processes) apply a request once and the later one is refused as answered.
A delegate's absence from a meeting they have reported is refused when asked and when
approved: what happened there is the report's to say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from api.settings import Settings
from models.errors import Issue
from models.storage import audit, clock, schedules
from models.storage.clock import local, month_of
from models.storage.tables import (
    AssignmentRow,
    ChangeRequestRow,
    MeetingReportRow,
    MeetingRow,
    PinRow,
    PublishedMonthRow,
    ScheduleRow,
    UserRow,
)
from models.storage.types import utcnow
from services import jobs
from services.access import only_delegate, require_planner
from services.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError

PENDING = "đang chờ Ban duyệt"
#: A change the Board has made (approved, or entered itself) that no published version holds yet.
AWAITING = "Ban đã duyệt thay đổi, chờ công bố lịch điều chỉnh"
KINDS = {"move": "dời lịch", "cancel": "hủy hội nghị", "absent": "không dự được"}
STATES = {"pending": PENDING, "approved": "đã duyệt", "rejected": "không duyệt"}


def is_published(session: Session, month: str) -> bool:
    """Has ``month`` a version in force?"""
    return session.get(PublishedMonthRow, month) is not None


def pending_meetings(session: Session, meeting_ids: Sequence[str]) -> set[str]:
    """The meetings among ``meeting_ids`` with a request waiting for the Board."""
    if not meeting_ids:
        return set()
    rows = session.scalars(
        select(ChangeRequestRow.meeting_id).where(
            ChangeRequestRow.meeting_id.in_(list(meeting_ids)), ChangeRequestRow.state == "pending"
        )
    )
    return set(rows)


@dataclass(frozen=True)
class Standing:
    """A meeting as the version in force shows it: its start, and why it may soon differ."""

    start: dt.datetime
    end: dt.datetime
    label: str | None
    """:data:`PENDING`, :data:`AWAITING` or None."""


def standing(session: Session, meetings: Sequence[MeetingRow]) -> dict[str, Standing]:
    """Per meeting, what the version in force says of it.

    A meeting in the version in force keeps the time published with it until a new version
    is published, even once the Board has approved a move (the data the next plan reads has
    the new time): every view shows what the delegates were told, and says that a change is
    waiting (:data:`PENDING` for a request, :data:`AWAITING` once approved).
    """
    ids = [m.id for m in meetings]
    if not ids:
        return {}
    waiting = pending_meetings(session, ids)
    published = {
        meeting_id: (start, end)
        for meeting_id, start, end in session.execute(
            select(AssignmentRow.meeting_id, func.min(AssignmentRow.starts_at), func.min(AssignmentRow.ends_at))
            .join(PublishedMonthRow, PublishedMonthRow.schedule_id == AssignmentRow.schedule_id)
            .where(AssignmentRow.meeting_id.in_(ids))
            .group_by(AssignmentRow.meeting_id)
        )
    }
    approved_since = set(
        session.scalars(
            select(ChangeRequestRow.meeting_id)
            .join(PublishedMonthRow, PublishedMonthRow.month == ChangeRequestRow.month)
            .where(
                ChangeRequestRow.meeting_id.in_(ids),
                ChangeRequestRow.state == "approved",
                ChangeRequestRow.decided_at > PublishedMonthRow.published_at,
            )
        )
    )
    out = {}
    for meeting in meetings:
        now_end = meeting.starts_at + dt.timedelta(minutes=meeting.minutes)
        start, end = published.get(meeting.id, (None, None))
        start, end = start or meeting.starts_at, end or now_end
        changed = meeting.id in published and (
            meeting.cancelled_at is not None or (start, end) != (meeting.starts_at, now_end)
        )
        label = PENDING if meeting.id in waiting else AWAITING if changed or meeting.id in approved_since else None
        out[meeting.id] = Standing(start, end, label)
    return out


def _before(meeting: MeetingRow) -> dict[str, object]:
    return {"start": meeting.starts_at.astimezone(dt.UTC).isoformat(), "minutes": meeting.minutes}


def _no_twin(session: Session, meeting_id: str, kind: str, delegate_id: str | None) -> None:
    query = select(ChangeRequestRow.id).where(
        ChangeRequestRow.meeting_id == meeting_id, ChangeRequestRow.state == "pending"
    )
    if kind == "absent":
        query = query.where(ChangeRequestRow.kind == "absent", ChangeRequestRow.delegate_id == delegate_id)
    else:
        query = query.where(ChangeRequestRow.kind.in_(("move", "cancel")))
    twin = session.scalar(query)
    if twin is not None:
        raise Conflict(f"Đã có yêu cầu số {twin} cho hội nghị {meeting_id} {PENDING}; hãy đợi Ban trả lời")


def ask_move(
    session: Session,
    user: UserRow,
    meeting: MeetingRow,
    starts_at: dt.datetime | None,
    minutes: int | None,
    cancel: bool,
    reason: str | None,
) -> ChangeRequestRow:
    """A commune's move or cancellation of its published meeting, as a request (committed).

    The caller (:func:`services.meetings.change`) has checked that the account may see
    the meeting and that its month is published.
    """
    if user.role != "commune":
        raise Forbidden("Chỉ tài khoản xã/phường gửi yêu cầu dời/hủy hội nghị của xã mình")
    if not cancel and starts_at is None and minutes is None:
        raise Invalid("Yêu cầu dời lịch cần giờ mới hoặc thời lượng mới", [Issue("$.start", None, "thiếu")])
    _no_twin(session, meeting.id, "move", None)
    if starts_at is not None and month_of(starts_at) != meeting.month:
        raise Invalid(
            "Chỉ dời trong tháng đã công bố; sang tháng khác hãy hủy rồi đăng ký lại",
            [Issue("$.start", local(starts_at).isoformat(), f"không thuộc tháng {meeting.month}")],
        )
    row = ChangeRequestRow(
        kind="cancel" if cancel else "move",
        state="pending",
        meeting_id=meeting.id,
        month=meeting.month,
        commune_id=meeting.commune_id,
        starts_at=None if cancel else starts_at,
        minutes=None if cancel else minutes,
        before=_before(meeting),
        reason=reason,
        requested_by=user.id,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    audit.record(session, user, f"request.{row.kind}", "request", row.id, {"meeting": meeting.id, "reason": reason})
    session.commit()
    return row


def ask_absence(session: Session, user: UserRow, meeting_id: str, reason: str) -> ChangeRequestRow:
    """A delegate's "không dự được" for one of their published meetings still to come (committed).

    From the meeting's day on, what happened is the report's to say (a substitute, or
    nobody: :mod:`services.reports`); an absence approved then would take off the seat a
    report already speaks for, and leave its score sheet to someone who cannot see it.
    """
    delegate_id = only_delegate(user)
    meeting = session.get(MeetingRow, meeting_id)
    in_force = None if meeting is None else schedules.current(session, meeting.month)
    assigned = in_force is not None and session.scalar(
        select(
            exists().where(
                AssignmentRow.schedule_id == in_force.id,
                AssignmentRow.meeting_id == meeting_id,
                AssignmentRow.delegate_id == delegate_id,
            )
        )
    )
    if meeting is None or not assigned:
        # Not said apart: a delegate learns nothing of meetings they are not sent to.
        raise NotFound(f"Bạn không có hội nghị {meeting_id} trong lịch đã công bố")
    _not_yet_held(session, meeting, delegate_id)
    if not reason.strip():
        raise Invalid("Cần ghi lý do không dự được", [Issue("$.reason", reason, "không được để trống")])
    _no_twin(session, meeting_id, "absent", delegate_id)
    row = ChangeRequestRow(
        kind="absent",
        state="pending",
        meeting_id=meeting_id,
        month=meeting.month,
        commune_id=meeting.commune_id,
        delegate_id=delegate_id,
        before=_before(meeting),
        reason=reason,
        requested_by=user.id,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    audit.record(session, user, "request.absent", "request", row.id, {"meeting": meeting_id, "reason": reason})
    session.commit()
    return row


def has_reported(session: Session, meeting_id: str, delegate_id: str) -> bool:
    """Has the delegate reported the meeting? Then an absence is no longer the Board's to
    approve: what happened is the report's to say."""
    return bool(
        session.scalar(
            select(
                exists().where(MeetingReportRow.meeting_id == meeting_id, MeetingReportRow.delegate_id == delegate_id)
            )
        )
    )


def _not_yet_held(session: Session, meeting: MeetingRow, delegate_id: str) -> None:
    """Refuse an absence for a meeting the delegate has reported, or whose day has come
    (the day reports open: the complement of the reports' "chưa diễn ra")."""
    day = local(meeting.starts_at).date()
    if has_reported(session, meeting.id, delegate_id):
        raise Conflict(
            f"Bạn đã báo cáo hội nghị {meeting.id} ngày {day:%d/%m/%Y}; muốn sửa (không dự, người đi thay) "
            f"hãy sửa báo cáo tại /bao-cao/{meeting.id}",
            [Issue("path.meeting_id", meeting.id, "đã báo cáo hội nghị này")],
        )
    today = clock.today()
    if day <= today:
        when = "diễn ra hôm nay," if day == today else "đã diễn ra"
        raise Conflict(
            f"Hội nghị {meeting.id} {when} ngày {day:%d/%m/%Y}: không còn gửi yêu cầu không dự được; "
            f"hãy báo cáo hội nghị (không dự, người đi thay nếu có) tại /bao-cao/{meeting.id}",
            [Issue("path.meeting_id", meeting.id, f"hội nghị ngày {day:%d/%m/%Y}, hôm nay {today:%d/%m/%Y}")],
        )


def visible(session: Session, user: UserRow) -> list[ChangeRequestRow]:
    """Planners: every request; a commune: its commune's moves and cancellations (a
    delegate's "không dự được" and its reason are between the delegate and the Board);
    anyone else: their own."""
    query = select(ChangeRequestRow).order_by(ChangeRequestRow.id)
    if user.role == "commune":
        query = query.where(ChangeRequestRow.commune_id == user.commune_id, ChangeRequestRow.kind != "absent")
    elif user.role != "planner":
        query = query.where(ChangeRequestRow.requested_by == user.id)
    return list(session.scalars(query))


def get(session: Session, user: UserRow, request_id: int) -> ChangeRequestRow:
    row = session.get(ChangeRequestRow, request_id)
    mine = row is not None and (
        user.role == "planner"
        or (user.role == "commune" and row.commune_id == user.commune_id and row.kind != "absent")
        or row.requested_by == user.id
    )
    if row is None or not mine:
        raise NotFound(f"Không có yêu cầu {request_id}")
    return row


@dataclass(frozen=True)
class Approved:
    requests: list[ChangeRequestRow]
    started: jobs.Started
    """The changes_first re-plan of the month."""


def approve(
    session: Session, planner: UserRow, settings: Settings, runner: jobs.Runner, request_ids: Sequence[int]
) -> Approved:
    """Approve pending requests of one month: apply them and start its re-plan (committed
    with the job; nothing is applied when the job cannot start)."""
    require_planner(planner)
    if not request_ids:
        raise Invalid("Chọn ít nhất một yêu cầu để duyệt", [Issue("$.requests", [], "cần ít nhất 1 phần tử")])
    rows = _pending(session, planner, list(dict.fromkeys(request_ids)), "$.requests")
    months = sorted({r.month for r in rows})
    if len(months) > 1:
        raise Invalid(
            "Mỗi lần duyệt các yêu cầu của một tháng (mỗi tháng một lần lập lại lịch)",
            [Issue("$.requests", list(request_ids), f"thuộc các tháng {', '.join(months)}")],
        )
    for row in rows:
        _not_reported(session, row)
    now = utcnow()
    for row in rows:
        _apply(session, row)
        row.state, row.decided_by, row.decided_at = "approved", planner.id, now
    session.flush()
    try:
        started = jobs.start_solve(session, planner, settings, runner, months[0], changes_first=True)
    except ServiceError:
        session.rollback()
        raise
    for row in rows:
        row.job_id = started.job.id
        audit.record(session, planner, "request.approve", "request", row.id, {"job": started.job.id})
    session.commit()
    return Approved(rows, started)


def reject(session: Session, planner: UserRow, request_id: int, reason: str) -> ChangeRequestRow:
    """Reject a pending request with the reason its requester will read (committed)."""
    require_planner(planner)
    [row] = _pending(session, planner, [request_id], "path.request_id")
    if not reason.strip():
        issue = Issue("$.reason", reason, "không được để trống")
        raise Invalid("Cần ghi lý do không duyệt (người gửi sẽ đọc)", [issue])
    row.state, row.decided_by, row.decided_at, row.decision_reason = "rejected", planner.id, utcnow(), reason
    audit.record(session, planner, "request.reject", "request", row.id, {"reason": reason})
    session.commit()
    return row


def _pending(session: Session, planner: UserRow, request_ids: Sequence[int], field: str) -> list[ChangeRequestRow]:
    """The requests, each still pending, locked until the transaction ends (``field``:
    where the refusal says the ids were sent).

    Two answers to one request at the same moment (two web processes) must not both
    apply it (a second pin: a 500): the rows are locked before their state is read, in
    id order so that two overlapping sets of requests never wait on each other; the later
    answer waits for the first to commit, then reads the state it wrote and is refused like
    any retry (409). PostgreSQL locks the rows; SQLite's writer already holds the
    database's write lock from ``BEGIN``, and renders no ``FOR UPDATE``.
    """
    session.scalars(
        select(ChangeRequestRow)
        .where(ChangeRequestRow.id.in_(list(request_ids)))
        .order_by(ChangeRequestRow.id)
        .with_for_update()
        # Rows already in the session (read before the lock) take the committed state.
        .execution_options(populate_existing=True)
    ).all()
    rows = [get(session, planner, request_id) for request_id in request_ids]
    for row in rows:
        if row.state != "pending":
            raise Conflict(
                f"Yêu cầu {row.id} đã được trả lời ({STATES[row.state]})",
                [Issue(field, row.id, f"đã được trả lời ({STATES[row.state]})")],
            )
    return rows


def _not_reported(session: Session, row: ChangeRequestRow) -> None:
    """Refuse to approve a delegate's absence from a meeting they have since reported:
    approved, it would replace them while the commune's score sheet stays theirs."""
    if row.kind != "absent" or row.delegate_id is None or not has_reported(session, row.meeting_id, row.delegate_id):
        return
    meeting = session.get(MeetingRow, row.meeting_id)
    assert meeting is not None  # a request goes with its meeting (cascade)
    day = f"{local(meeting.starts_at):%d/%m/%Y}"
    delegate = row.delegate.name if row.delegate is not None else row.delegate_id
    raise Conflict(
        f"Không duyệt được yêu cầu {row.id}: đại biểu {delegate} đã báo cáo hội nghị {row.meeting_id} "
        f"ngày {day}; hãy không duyệt yêu cầu này (việc đã diễn ra do báo cáo ghi)",
        [Issue("$.requests", row.id, f"đại biểu đã báo cáo hội nghị {row.meeting_id} ngày {day}")],
    )


def _apply(session: Session, row: ChangeRequestRow) -> None:
    """The request's change, on the data the re-plan reads."""
    meeting = session.get(MeetingRow, row.meeting_id)
    if meeting is None:  # pragma: no cover - a request goes with its meeting (cascade)
        raise NotFound(f"Không có hội nghị {row.meeting_id}")
    if row.kind == "move":
        if row.starts_at is not None:
            meeting.starts_at, meeting.month = row.starts_at, month_of(row.starts_at)
        if row.minutes is not None:
            meeting.minutes = row.minutes
        meeting.updated_at = utcnow()
    elif row.kind == "cancel":
        meeting.cancelled_at = utcnow()
    else:
        assert row.delegate_id is not None
        pin = session.get(PinRow, (row.meeting_id, row.delegate_id, "forbidden"))
        if pin is None:
            session.add(PinRow(meeting_id=row.meeting_id, delegate_id=row.delegate_id, kind="forbidden"))
        pinned = session.get(PinRow, (row.meeting_id, row.delegate_id, "pinned"))
        if pinned is not None:
            session.delete(pinned)  # the Board released them: the pin would make the month infeasible


def reasons_since(session: Session, month: str, base: ScheduleRow, draft: ScheduleRow) -> dict[str, list[str]]:
    """Per meeting, why ``draft`` changed it from ``base`` (the version it was planned
    against): every request of ``month`` approved after ``base`` was published and before
    the draft was made, including those of an earlier re-plan that was never published."""
    since = base.published_at or base.created_at
    out: dict[str, list[str]] = {}
    for row in session.scalars(
        select(ChangeRequestRow)
        .where(
            ChangeRequestRow.month == month,
            ChangeRequestRow.state == "approved",
            ChangeRequestRow.decided_at > since,
            ChangeRequestRow.decided_at <= draft.created_at,
        )
        .order_by(ChangeRequestRow.id)
    ):
        out.setdefault(row.meeting_id, []).append(describe(row))
    return out


def describe(row: ChangeRequestRow) -> str:
    """One line saying what was asked and why, in Vietnamese."""
    said = f": {row.reason}" if row.reason else ""
    if row.kind == "absent":
        delegate = row.delegate.name if row.delegate is not None else row.delegate_id
        return f"Đại biểu {delegate} không dự được{said} (yêu cầu số {row.id})"
    if row.kind == "cancel":
        return f"Xã đề nghị hủy hội nghị{said} (yêu cầu số {row.id})"
    when = local(row.starts_at).strftime("%H:%M ngày %d/%m/%Y") if row.starts_at else "giờ cũ"
    return f"Xã đề nghị dời sang {when}{said} (yêu cầu số {row.id})"
