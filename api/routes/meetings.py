"""Meetings: planners manage all of them; a commune account registers and moves its own.

The rules are :mod:`services.meetings`; a commune account's listing holds only its own
commune's meetings, and another commune's meeting is answered 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.deps import Planner, PlannerOrCommune, SessionDep
from api.errors import responses
from api.paging import PAGED, DirectoryPage
from api.present import meeting_out, meetings_out
from api.routes.requests import request_out
from api.schemas.common import Deleted, Month, PathId
from api.schemas.meetings import MeetingIn, MeetingOut, MeetingPatch
from api.schemas.requests import RequestOut
from models.storage.tables import ChangeRequestRow, MeetingRow
from services import meetings

router = APIRouter(tags=["meetings"])
READ = responses(401, 403, 404, 422)
WRITE = responses(401, 403, 404, 409, 413, 422)


@router.get("/meetings", response_model=list[MeetingOut], responses={**responses(401, 403, 422), **PAGED})
def list_meetings(
    user: PlannerOrCommune,
    session: SessionDep,
    page: DirectoryPage,
    month: Annotated[Month | None, Query(description="YYYY-MM; bỏ trống: mọi tháng")] = None,
) -> list[MeetingOut]:
    """Danh sách hội nghị (lọc theo tháng, xã)."""
    query = select(MeetingRow).options(selectinload(MeetingRow.commune)).order_by(MeetingRow.starts_at, MeetingRow.id)
    if month is not None:
        query = query.where(MeetingRow.month == month)
    if user.role == "commune":
        query = query.where(MeetingRow.commune_id == user.commune_id)
    return meetings_out(session, page.rows(session, query))


@router.post("/meetings", status_code=status.HTTP_201_CREATED, response_model=MeetingOut, responses=WRITE)
def register_meeting(body: MeetingIn, user: PlannerOrCommune, session: SessionDep) -> MeetingOut:
    """Đăng ký hội nghị. Tài khoản xã chỉ đăng ký cho xã mình, mỗi tháng một hội nghị; mã
    hội nghị do hệ thống đặt."""
    return meeting_out(session, meetings.register(session, user, body))


@router.get("/meetings/{meeting_id}", response_model=MeetingOut, responses=READ)
def read_meeting(meeting_id: PathId, user: PlannerOrCommune, session: SessionDep) -> MeetingOut:
    """Một hội nghị."""
    return meeting_out(session, meetings.visible_meeting(session, user, meeting_id))


@router.patch(
    "/meetings/{meeting_id}",
    response_model=MeetingOut | Deleted,
    responses={**WRITE, 202: {"model": RequestOut, "description": "Đã gửi yêu cầu, đang chờ Ban duyệt"}},
)
def move_meeting(
    meeting_id: PathId, body: MeetingPatch, user: PlannerOrCommune, session: SessionDep
) -> MeetingOut | JSONResponse:
    """Dời, hủy hoặc sửa hội nghị. Khi tháng đã công bố, tài khoản xã dời/hủy thì thành yêu
    cầu (202) chờ Ban duyệt, lịch đang hiệu lực giữ nguyên; trước khi công bố thì áp dụng ngay
    (hủy khi chưa công bố: xóa hội nghị, trả về ``{"deleted": id}``)."""
    changed = meetings.change(session, user, meeting_id, body)
    if isinstance(changed, ChangeRequestRow):
        return JSONResponse(request_out(changed).model_dump(mode="json"), status_code=status.HTTP_202_ACCEPTED)
    if changed is None:
        return JSONResponse(Deleted(deleted=meeting_id).model_dump(mode="json"))
    return meeting_out(session, changed)


@router.delete("/meetings/{meeting_id}", response_model=Deleted, responses=WRITE)
def delete_meeting(meeting_id: PathId, planner: Planner, session: SessionDep) -> Deleted:
    """Xóa hội nghị chưa có trong lịch đã công bố (bản nháp có nó thì bỏ phân công đó)."""
    meetings.delete(session, planner, meeting_id)
    return Deleted(deleted=meeting_id)
