"""Schedules (planners): read a version with its per-term score and empty seats, edit a
draft by hand (and undo the latest edit), publish it, copy a version into a new draft, export it.

The rules are in :mod:`services.schedules`. Publishing needs ``If-Match`` with the draft's
ETag (428 without, 412 when stale; the header follows RFC 7232, see :mod:`services.etags`), and
checks the draft against the hard rules on today's data (409 when one is broken). An
edit may send ``If-Match`` too; each change is checked against the hard rules and the
answer shows how the score moves.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response, status
from fastapi.responses import Response as RawResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import exports
from api.deps import DelivererDep, Planner, SessionDep, SettingsDep
from api.errors import responses
from api.paging import PAGED, DirectoryPage
from api.planning import Change, score_delta
from api.present import schedule_out, schedule_summary
from api.schemas.common import Deleted, IntId, Month
from api.schemas.schedules import EditIn, EditOut, ScheduleOut, ScheduleSummary, ScoreOut
from models.solution import Solution
from models.storage import schedules
from models.storage.excel import MIME
from models.storage.tables import ScheduleRow
from services import schedules as service

router = APIRouter(tags=["schedules"])
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=200, description="ETag của lịch")]
XLSX: dict[int | str, dict[str, Any]] = {
    200: {"description": "Tệp Excel", "content": {MIME: {"schema": {"type": "string", "format": "binary"}}}}
}


@router.get("/schedules", response_model=list[ScheduleSummary], responses={**responses(401, 403, 422), **PAGED})
def list_schedules(
    _: Planner,
    session: SessionDep,
    page: DirectoryPage,
    month: Annotated[Month | None, Query(description="YYYY-MM")] = None,
) -> list[ScheduleSummary]:
    """Các bản lịch (bản nháp và bản đã công bố), lọc theo tháng."""
    query = select(ScheduleRow).order_by(ScheduleRow.month, ScheduleRow.version)
    if month is not None:
        query = query.where(ScheduleRow.month == month)
    return [schedule_summary(session, s) for s in page.rows(session, query)]


@router.get("/schedules/{schedule_id}", response_model=ScheduleOut, responses=responses(401, 403, 404, 422))
def read_schedule(schedule_id: IntId, _: Planner, session: SessionDep, response: Response) -> ScheduleOut:
    """Một bản lịch: phân công, điểm theo từng tiêu chí, chỗ trống và lý do. Tiêu đề ETag dùng để công bố."""
    schedule = service.get_schedule(session, schedule_id)
    response.headers["ETag"] = schedules.etag(schedule)
    return schedule_out(session, schedule)


@router.post(
    "/schedules/{schedule_id}/edits", response_model=EditOut, responses=responses(401, 403, 404, 409, 412, 413, 422)
)
def edit_schedule(
    schedule_id: IntId,
    body: EditIn,
    planner: Planner,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> EditOut:
    """Sửa tay bản nháp: mỗi thay đổi được kiểm tra theo các quy tắc bắt buộc; trả về điểm trước và sau."""
    changes = [Change(c.meeting, c.remove, c.add) for c in body.changes]
    edited = service.edit(session, planner, schedule_id, changes, dry_run=body.dry_run, if_match=if_match)
    return edit_out(session, edited, response)


@router.post("/schedules/{schedule_id}/undo", response_model=EditOut, responses=responses(401, 403, 404, 409, 412, 422))
def undo_edit(
    schedule_id: IntId, planner: Planner, session: SessionDep, response: Response, if_match: IfMatch = None
) -> EditOut:
    """Hoàn tác lần sửa gần nhất của bản nháp (trở lại phân công của lần sửa trước); trả về điểm trước và sau."""
    return edit_out(session, service.undo(session, planner, schedule_id, if_match), response)


def edit_out(session: Session, edited: service.Edited, response: Response) -> EditOut:
    response.headers["ETag"] = schedules.etag(edited.schedule)
    before, after = edited.edit.before, edited.edit.after
    return EditOut(
        applied=edited.applied,
        before=ScoreOut(total=before.total, terms=before.terms),
        after=ScoreOut(total=after.total, terms=after.terms),
        delta=score_delta(before, after),
        total_delta=after.total - before.total,
        schedule=schedule_out(session, edited.schedule),
    )


@router.post(
    "/schedules/{schedule_id}/publish",
    response_model=ScheduleOut,
    responses=responses(401, 403, 404, 409, 412, 422, 428),
)
def publish_schedule(
    schedule_id: IntId,
    planner: Planner,
    session: SessionDep,
    response: Response,
    deliverer: DelivererDep,
    settings: SettingsDep,
    if_match: IfMatch = None,
) -> ScheduleOut:
    """Công bố bản nháp (cần If-Match). Bản đã công bố không bao giờ bị sửa; thay đổi là bản mới.
    Người có lịch mới, dời hoặc hủy được báo qua các kênh họ chọn."""
    webhook = settings.webhook_url is not None
    published = service.publish(session, planner, schedule_id, if_match, outbox=deliverer, webhook=webhook)
    response.headers["ETag"] = schedules.etag(published)
    return schedule_out(session, published)


@router.post(
    "/schedules/{schedule_id}/copy",
    status_code=status.HTTP_201_CREATED,
    response_model=ScheduleOut,
    responses=responses(401, 403, 404, 422),
)
def copy_schedule(schedule_id: IntId, planner: Planner, session: SessionDep, response: Response) -> ScheduleOut:
    """Tạo bản nháp mới từ một bản lịch (thường là bản đã công bố) để sửa tay."""
    draft = service.copy(session, planner, schedule_id)
    response.headers["ETag"] = schedules.etag(draft)
    response.headers["Location"] = f"/schedules/{draft.id}"
    return schedule_out(session, draft)


@router.delete("/schedules/{schedule_id}", response_model=Deleted, responses=responses(401, 403, 404, 409, 412, 422))
def delete_draft(schedule_id: IntId, planner: Planner, session: SessionDep, if_match: IfMatch = None) -> Deleted:
    """Xóa bản nháp (bản đã công bố không xóa được)."""
    service.discard(session, planner, schedule_id, if_match)
    return Deleted(deleted=str(schedule_id))


@router.get("/schedules/{schedule_id}/solution.json", response_model=Solution, responses=responses(401, 403, 404, 422))
def export_solution(schedule_id: IntId, _: Planner, session: SessionDep) -> Solution:
    """Xuất bản lịch theo định dạng phancong-solution/1."""
    return exports.solution(session, service.get_schedule(session, schedule_id))


@router.get(
    "/schedules/{schedule_id}/workbook.xlsx",
    response_class=RawResponse,
    responses={**XLSX, **responses(401, 403, 404, 422)},
)
def export_workbook(schedule_id: IntId, _: Planner, session: SessionDep) -> RawResponse:
    """Xuất bản lịch ra Excel (thông báo phân công)."""
    schedule = service.get_schedule(session, schedule_id)
    name = f"phan-cong-{schedule.month}-v{schedule.version}.xlsx"
    return RawResponse(
        exports.workbook(session, schedule),
        media_type=MIME,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
