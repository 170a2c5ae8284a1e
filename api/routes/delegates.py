"""Delegates, the communes they are in charge of, and their leave (planners); the rules
are in :mod:`services.delegates`."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.deps import Planner, SessionDep
from api.errors import responses
from api.paging import PAGED, DirectoryPage
from api.present import delegate_out
from api.schemas.common import Deleted, IntId, PathId
from api.schemas.directory import DelegateIn, DelegateOut, DelegatePatch, LeaveIn, LeaveOut, LeavePatch
from models.storage.tables import DelegateRow, LeaveRow
from services import delegates

router = APIRouter(tags=["delegates"])
READ = responses(401, 403, 404, 422)
WRITE = responses(401, 403, 404, 409, 413, 422)


def leave_out(period: LeaveRow) -> LeaveOut:
    return LeaveOut(id=period.id, from_=period.starts_on, to=period.ends_on, reason=period.reason)


@router.get("/delegates", response_model=list[DelegateOut], responses={**responses(401, 403, 422), **PAGED})
def list_delegates(_: Planner, session: SessionDep, page: DirectoryPage) -> list[DelegateOut]:
    """Danh sách đại biểu."""
    rows = page.rows(
        session,
        select(DelegateRow)
        .options(selectinload(DelegateRow.charges), selectinload(DelegateRow.leave))
        .order_by(DelegateRow.id),
    )
    return [delegate_out(d) for d in rows]


@router.post("/delegates", status_code=status.HTTP_201_CREATED, response_model=DelegateOut, responses=WRITE)
def create_delegate(body: DelegateIn, planner: Planner, session: SessionDep) -> DelegateOut:
    """Thêm một đại biểu."""
    return delegate_out(delegates.create(session, planner, body))


@router.get("/delegates/{delegate_id}", response_model=DelegateOut, responses=READ)
def read_delegate(delegate_id: PathId, _: Planner, session: SessionDep) -> DelegateOut:
    """Một đại biểu và các ngày nghỉ, vắng của họ."""
    return delegate_out(delegates.get_delegate(session, delegate_id))


@router.patch("/delegates/{delegate_id}", response_model=DelegateOut, responses=WRITE)
def update_delegate(delegate_id: PathId, body: DelegatePatch, planner: Planner, session: SessionDep) -> DelegateOut:
    """Sửa thông tin một đại biểu."""
    return delegate_out(delegates.update(session, planner, delegate_id, body))


@router.delete("/delegates/{delegate_id}", response_model=Deleted, responses=WRITE)
def delete_delegate(delegate_id: PathId, planner: Planner, session: SessionDep) -> Deleted:
    """Xóa đại biểu chưa từng được phân công, chưa có lịch sử và không có tài khoản."""
    delegates.delete(session, planner, delegate_id)
    return Deleted(deleted=delegate_id)


@router.post(
    "/delegates/{delegate_id}/leave", status_code=status.HTTP_201_CREATED, response_model=LeaveOut, responses=WRITE
)
def add_leave(delegate_id: PathId, body: LeaveIn, planner: Planner, session: SessionDep) -> LeaveOut:
    """Thêm ngày nghỉ; nếu trùng lịch đã công bố thì lịch đó được đánh dấu cần lập lại."""
    return leave_out(delegates.add_leave(session, planner, delegate_id, body))


@router.patch("/delegates/{delegate_id}/leave/{leave_id}", response_model=LeaveOut, responses=WRITE)
def update_leave(
    delegate_id: PathId, leave_id: IntId, body: LeavePatch, planner: Planner, session: SessionDep
) -> LeaveOut:
    """Sửa kỳ nghỉ (chỉ các trường gửi lên); nếu những ngày nghỉ mới trùng lịch đã công bố
    thì lịch đó được đánh dấu cần lập lại."""
    return leave_out(delegates.update_leave(session, planner, delegate_id, leave_id, body))


@router.delete("/delegates/{delegate_id}/leave/{leave_id}", response_model=Deleted, responses=WRITE)
def delete_leave(delegate_id: PathId, leave_id: IntId, planner: Planner, session: SessionDep) -> Deleted:
    """Xóa một đợt nghỉ, vắng của đại biểu."""
    delegates.delete_leave(session, planner, delegate_id, leave_id)
    return Deleted(deleted=str(leave_id))
