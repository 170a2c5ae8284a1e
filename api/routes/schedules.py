"""Schedules (planners): read a version with its per-term score and empty seats, edit a
draft by hand, publish it, copy a version into a new draft, export it.

Publishing needs ``If-Match`` with the draft's ETag (428 without, 412 when stale; the
header follows RFC 7232, see :mod:`api.etags`), and
checks the draft against the hard rules on today's data (409 when one is broken). An
edit may send ``If-Match`` too; each change is checked against the hard rules and the
answer shows how the score moves.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response, status
from fastapi.responses import Response as RawResponse
from sqlalchemy import select

from api import etags, exports
from api.deps import Planner, SessionDep
from api.errors import ApiError, ErrorItem, responses
from api.month_input import load_month
from api.planning import Change, apply_changes, plan_from_pairs, score_delta
from api.present import schedule_out, schedule_summary
from api.schemas.common import Deleted, IntId, Month
from api.schemas.schedules import EditIn, EditOut, ScheduleOut, ScheduleSummary, ScoreOut
from models.solution import Solution
from models.storage import audit, schedules
from models.storage.excel import MIME
from models.storage.schedules import PublishError
from models.storage.tables import ScheduleRow
from solver import score

router = APIRouter(tags=["schedules"])
IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=200, description="ETag của lịch")]
XLSX: dict[int | str, dict[str, Any]] = {
    200: {"description": "Tệp Excel", "content": {MIME: {"schema": {"type": "string", "format": "binary"}}}}
}


def get_schedule(session: SessionDep, schedule_id: int) -> ScheduleRow:
    schedule = session.get(ScheduleRow, schedule_id)
    if schedule is None:
        raise ApiError(404, f"Không có lịch {schedule_id}")
    return schedule


def check_etag(schedule: ScheduleRow, if_match: str | None, required: bool) -> int:
    """The revision the client saw; 428 when required and missing, 412 when ``If-Match``
    does not hold (RFC 7232: ``*``, or one strong tag equal to the current ETag), 422
    when it is not an If-Match value at all."""
    if if_match is None:
        if required:
            raise ApiError(428, "Cần tiêu đề If-Match với ETag của lịch (lấy từ GET /schedules/{id})")
        return schedule.revision
    current = schedules.etag(schedule)
    try:
        holds = etags.if_match(if_match, current)
    except etags.MalformedIfMatch:
        message = 'cần * hoặc danh sách ETag trong dấu ngoặc kép, cách nhau bởi dấu phẩy (ví dụ "s1-r2")'
        raise ApiError(
            422,
            "Tiêu đề If-Match không đúng cú pháp",
            [ErrorItem(path="header.If-Match", value=if_match, message=message)],
        ) from None
    if not holds:
        weak = " (ETag yếu W/… không bao giờ khớp: If-Match so sánh mạnh)" if "W/" in if_match else ""
        raise ApiError(412, f"ETag {if_match} không khớp{weak}; lịch hiện là {current}: hãy tải lại")
    return schedule.revision


@router.get("/schedules", response_model=list[ScheduleSummary], responses=responses(401, 403, 422))
def list_schedules(
    _: Planner, session: SessionDep, month: Annotated[Month | None, Query(description="YYYY-MM")] = None
) -> list[ScheduleSummary]:
    query = select(ScheduleRow).order_by(ScheduleRow.month, ScheduleRow.version)
    if month is not None:
        query = query.where(ScheduleRow.month == month)
    return [schedule_summary(session, s) for s in session.scalars(query)]


@router.get("/schedules/{schedule_id}", response_model=ScheduleOut, responses=responses(401, 403, 404, 422))
def read_schedule(schedule_id: IntId, _: Planner, session: SessionDep, response: Response) -> ScheduleOut:
    """Một bản lịch: phân công, điểm theo từng tiêu chí, chỗ trống và lý do. Tiêu đề ETag dùng để công bố."""
    schedule = get_schedule(session, schedule_id)
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
    schedule = get_schedule(session, schedule_id)
    check_etag(schedule, if_match, required=False)
    if schedule.status != "draft":
        raise ApiError(409, "Chỉ sửa được bản nháp; hãy sao chép bản đã công bố thành bản nháp mới")
    _, instance = load_month(session, schedule.month)
    changes = [Change(c.meeting, c.remove, c.add) for c in body.changes]
    edit = apply_changes(instance, schedules.pairs_of(session, schedule.id), changes)
    if edit.problems:
        items = [
            ErrorItem(
                path="$.changes" if p.index is None else f"$.changes[{p.index}].{p.field}",
                value=p.value,
                message=p.message,
            )
            for p in edit.problems
        ]
        raise ApiError(422, f"Không sửa được: {len(items)} vấn đề", items)
    if not body.dry_run:
        schedules.replace_plan(session, schedule, plan_from_pairs(instance, edit.pairs, edit.after))
        detail = {"changes": [c.model_dump() for c in body.changes], "score": edit.after.total}
        audit.record(session, planner, "schedule.edit", "schedule", schedule.id, detail)
        session.commit()
    response.headers["ETag"] = schedules.etag(schedule)
    delta = score_delta(edit.before, edit.after)
    return EditOut(
        applied=not body.dry_run,
        before=ScoreOut(total=edit.before.total, terms=edit.before.terms),
        after=ScoreOut(total=edit.after.total, terms=edit.after.terms),
        delta=delta,
        total_delta=edit.after.total - edit.before.total,
        schedule=schedule_out(session, schedule),
    )


@router.post(
    "/schedules/{schedule_id}/publish",
    response_model=ScheduleOut,
    responses=responses(401, 403, 404, 409, 412, 422, 428),
)
def publish_schedule(
    schedule_id: IntId, planner: Planner, session: SessionDep, response: Response, if_match: IfMatch = None
) -> ScheduleOut:
    """Công bố bản nháp (cần If-Match). Bản đã công bố không bao giờ bị sửa; thay đổi là bản mới."""
    schedule = get_schedule(session, schedule_id)
    seen = check_etag(schedule, if_match, required=True)
    if schedule.status != "draft":
        raise ApiError(409, "Lịch này đã được công bố")
    _, instance = load_month(session, schedule.month)
    broken = score(instance, schedules.pairs_of(session, schedule.id)).violations
    if broken:
        items = [
            ErrorItem(
                path="$.assignments",
                value={"meeting": v.meeting, "delegate": v.delegate},
                message=f"{v.rule}: {v.message}",
            )
            for v in broken
        ]
        raise ApiError(409, "Lịch vi phạm quy tắc bắt buộc với dữ liệu hiện tại; hãy sửa hoặc lập lại", items)
    try:
        published = schedules.publish(session, schedule.id, seen, planner.id)
        audit.record(session, planner, "schedule.publish", "schedule", schedule.id, {"month": schedule.month})
        session.commit()
    except PublishError as error:
        session.rollback()
        raise ApiError(error.status, error.message) from None
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
    draft = schedules.copy_to_draft(session, get_schedule(session, schedule_id), planner.id)
    audit.record(session, planner, "schedule.copy", "schedule", draft.id, {"from": schedule_id})
    session.commit()
    response.headers["ETag"] = schedules.etag(draft)
    response.headers["Location"] = f"/schedules/{draft.id}"
    return schedule_out(session, draft)


@router.delete("/schedules/{schedule_id}", response_model=Deleted, responses=responses(401, 403, 404, 409, 412, 422))
def delete_draft(schedule_id: IntId, planner: Planner, session: SessionDep, if_match: IfMatch = None) -> Deleted:
    """Xóa bản nháp (bản đã công bố không xóa được)."""
    schedule = get_schedule(session, schedule_id)
    check_etag(schedule, if_match, required=False)
    try:
        schedules.discard(session, schedule)
    except PublishError as error:
        raise ApiError(error.status, error.message) from None
    audit.record(session, planner, "schedule.delete", "schedule", schedule_id)
    session.commit()
    return Deleted(deleted=str(schedule_id))


@router.get("/schedules/{schedule_id}/solution.json", response_model=Solution, responses=responses(401, 403, 404, 422))
def export_solution(schedule_id: IntId, _: Planner, session: SessionDep) -> Solution:
    """Xuất bản lịch theo định dạng phancong-solution/1."""
    return exports.solution(session, get_schedule(session, schedule_id))


@router.get(
    "/schedules/{schedule_id}/workbook.xlsx",
    response_class=RawResponse,
    responses={**XLSX, **responses(401, 403, 404, 422)},
)
def export_workbook(schedule_id: IntId, _: Planner, session: SessionDep) -> RawResponse:
    """Xuất bản lịch ra Excel (thông báo phân công)."""
    schedule = get_schedule(session, schedule_id)
    name = f"phan-cong-{schedule.month}-v{schedule.version}.xlsx"
    return RawResponse(
        exports.workbook(session, schedule),
        media_type=MIME,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
