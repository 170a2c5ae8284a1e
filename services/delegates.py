"""Delegates, the communes they are in charge of, and their leave (planners).

A delegate's base must be a place or commune on the roads, and each commune in charge
must exist. Leave added (or extended) over a date on which the delegate is in a published
schedule marks that schedule as needing a re-plan; a delegate in a schedule, the history
or an account is not deleted.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from api.schemas.directory import BACKWARDS, DelegateIn, DelegatePatch, LeaveIn, LeavePatch
from models.errors import Issue
from models.storage import audit
from models.storage.clock import local
from models.storage.tables import (
    AssignmentRow,
    AttendanceRow,
    ChargeRow,
    CommuneRow,
    DelegateRow,
    LeaveRow,
    PlaceRow,
    PublishedMonthRow,
    ReplanNoticeRow,
    RoadRow,
    UserRow,
)
from services.access import require_planner
from services.errors import Conflict, Invalid, NotFound


def get_delegate(session: Session, delegate_id: str) -> DelegateRow:
    delegate = session.get(DelegateRow, delegate_id)
    if delegate is None:
        raise NotFound(f"Không có đại biểu {delegate_id}")
    return delegate


def _check_links(session: Session, in_charge_of: list[str] | None, base: str | None) -> None:
    problems = []
    if in_charge_of:
        known = set(session.scalars(select(CommuneRow.id).where(CommuneRow.id.in_(in_charge_of))))
        problems += [
            Issue(f"$.in_charge_of[{i}]", c, "không có xã/phường này")
            for i, c in enumerate(in_charge_of)
            if c not in known
        ]
        if len(set(in_charge_of)) != len(in_charge_of):
            problems.append(Issue("$.in_charge_of", in_charge_of, "có mã xã bị lặp"))
    problem = None if base is None else _base_problem(session, base)
    if problem is not None:
        problems.append(Issue("$.base", base, problem))
    if problems:
        raise Invalid("Thông tin đại biểu không hợp lệ", problems)


def _base_problem(session: Session, base: str) -> str | None:
    """Why ``base`` cannot be where a delegate starts from, or None.

    As the instance format has it: once there are roads, the base must be on them (the
    default "hq" too); a base off the roads would make every month's instance invalid.
    """
    roads = session.scalar(select(exists().where(RoadRow.id.is_not(None))))
    if session.get(PlaceRow, base) is None and session.get(CommuneRow, base) is None:
        if base == "hq" and not roads:
            return None
        default = " (nơi xuất phát mặc định, cần có khi đã có đường đi)" if base == "hq" else ""
        return f"không có địa điểm hay xã/phường này{default}"
    if roads and not session.scalar(select(exists().where(or_(RoadRow.a == base, RoadRow.b == base)))):
        return "chưa có đường đi nào tới đây; hãy thêm đường đi trước ở trang Danh mục (/danh-muc; API: POST /roads)"
    return None


def create(session: Session, planner: UserRow, body: DelegateIn) -> DelegateRow:
    """A new delegate with their charges and leave (committed)."""
    require_planner(planner)
    if session.get(DelegateRow, body.id) is not None:
        raise Conflict(f"Đã có đại biểu mã {body.id}")
    _check_links(session, body.in_charge_of, body.base)
    delegate = DelegateRow(
        id=body.id,
        name=body.name,
        title=body.title,
        tier=body.tier,
        agency=body.agency,
        max_per_month=body.max_per_month,
        base=body.base,
    )
    delegate.charges = [ChargeRow(commune_id=c, position=i) for i, c in enumerate(body.in_charge_of)]
    delegate.leave = [LeaveRow(starts_on=p.from_, ends_on=p.to, reason=p.reason) for p in body.unavailable]
    session.add(delegate)
    audit.record(session, planner, "delegate.create", "delegate", body.id, body.model_dump(mode="json", by_alias=True))
    session.commit()
    return delegate


def update(session: Session, planner: UserRow, delegate_id: str, body: DelegatePatch) -> DelegateRow:
    """The fields sent changed (committed); ``in_charge_of`` replaces the whole list."""
    require_planner(planner)
    delegate = get_delegate(session, delegate_id)
    _check_links(session, body.in_charge_of, body.base)
    changes = body.model_dump(exclude_unset=True)
    charges = changes.pop("in_charge_of", None)
    for field, value in changes.items():
        setattr(delegate, field, value)
    if charges is not None:
        delegate.charges.clear()
        session.flush()  # the old rows go before new ones with the same keys arrive
        delegate.charges.extend(ChargeRow(commune_id=c, position=i) for i, c in enumerate(charges))
    audit.record(
        session, planner, "delegate.update", "delegate", delegate_id, body.model_dump(mode="json", exclude_unset=True)
    )
    session.commit()
    return delegate


def delete(session: Session, planner: UserRow, delegate_id: str) -> None:
    """Delete a delegate never assigned, with no history and no account (committed)."""
    require_planner(planner)
    delegate = get_delegate(session, delegate_id)
    used = session.scalar(
        select(
            exists().where(AssignmentRow.delegate_id == delegate_id)
            | exists().where(AttendanceRow.delegate_id == delegate_id)
            | exists().where(UserRow.delegate_id == delegate_id)
        )
    )
    if used:
        raise Conflict("Đại biểu đã có trong lịch, lịch sử hoặc có tài khoản; hãy đặt max_per_month = 0 thay vì xóa")
    session.delete(delegate)
    audit.record(session, planner, "delegate.delete", "delegate", delegate_id)
    session.commit()


def add_leave(session: Session, planner: UserRow, delegate_id: str, body: LeaveIn) -> LeaveRow:
    """A period of leave (committed); a published schedule it clashes with gets a re-plan notice."""
    require_planner(planner)
    delegate = get_delegate(session, delegate_id)
    period = LeaveRow(delegate_id=delegate.id, starts_on=body.from_, ends_on=body.to, reason=body.reason)
    session.add(period)
    session.flush()
    _flag_clashes(session, delegate, period, planner)
    audit.record(session, planner, "leave.create", "delegate", delegate_id, body.model_dump(mode="json", by_alias=True))
    session.commit()
    return period


def _flag_clashes(
    session: Session,
    delegate: DelegateRow,
    period: LeaveRow,
    user: UserRow,
    known: tuple[dt.date, dt.date] | None = None,
) -> None:
    """A re-plan notice for each published assignment of the delegate during ``period``
    (except on the days of ``known``, the period as it was: those were seen already)."""
    found = session.execute(
        select(AssignmentRow.schedule_id, AssignmentRow.meeting_id, AssignmentRow.starts_at)
        .join(PublishedMonthRow, PublishedMonthRow.schedule_id == AssignmentRow.schedule_id)
        .where(AssignmentRow.delegate_id == delegate.id)
    )
    for schedule_id, meeting_id, starts_at in found:
        day = None if starts_at is None else local(starts_at).date()
        if day is None or (known is not None and known[0] <= day <= known[1]):
            continue
        if period.starts_on <= day <= period.ends_on:
            reason = f"Đại biểu {delegate.name} nghỉ từ {period.starts_on:%d/%m/%Y} đến {period.ends_on:%d/%m/%Y}"
            session.add(ReplanNoticeRow(schedule_id=schedule_id, meeting_id=meeting_id, reason=reason, user_id=user.id))


def get_leave(session: Session, delegate_id: str, leave_id: int) -> LeaveRow:
    period = session.get(LeaveRow, leave_id)
    if period is None or period.delegate_id != delegate_id:
        raise NotFound("Không có kỳ nghỉ này của đại biểu")
    return period


def update_leave(session: Session, planner: UserRow, delegate_id: str, leave_id: int, body: LeavePatch) -> LeaveRow:
    """The fields sent changed (committed); days newly on leave that clash with a published
    schedule give it a re-plan notice."""
    require_planner(planner)
    period = get_leave(session, delegate_id, leave_id)
    starts_on = body.from_ if body.given("from_") else period.starts_on
    ends_on = body.to if body.given("to") else period.ends_on
    if ends_on < starts_on:
        # As a new period with these dates would be answered (LeaveIn).
        value = {"from": starts_on.isoformat(), "to": ends_on.isoformat()}
        raise Invalid("Dữ liệu gửi lên không hợp lệ (1 lỗi)", [Issue("$", value, BACKWARDS)])
    known = (period.starts_on, period.ends_on)
    period.starts_on, period.ends_on = starts_on, ends_on
    if body.given("reason"):
        period.reason = body.reason
    session.flush()
    _flag_clashes(session, get_delegate(session, delegate_id), period, planner, known)
    detail = {"leave": leave_id, **body.model_dump(mode="json", by_alias=True, exclude_unset=True)}
    audit.record(session, planner, "leave.update", "delegate", delegate_id, detail)
    session.commit()
    return period


def delete_leave(session: Session, planner: UserRow, delegate_id: str, leave_id: int) -> None:
    require_planner(planner)
    period = get_leave(session, delegate_id, leave_id)
    session.delete(period)
    audit.record(session, planner, "leave.delete", "delegate", delegate_id, {"leave": leave_id})
    session.commit()
