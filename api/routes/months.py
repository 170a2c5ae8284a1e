"""A month at a glance (planners): its versions, the one in force, whether it needs a
re-plan; the published schedule exported; the month's solver instance (JSON or Excel)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import Response as RawResponse
from sqlalchemy import func, select

from api import exports
from api.deps import Planner, SessionDep
from api.errors import ApiError, responses
from api.present import schedule_summary
from api.routes.schedules import XLSX
from api.schemas.schedules import MonthOut, NoticeOut
from models.solution import Solution
from models.storage import schedules
from models.storage.clock import MONTH_PATTERN, local
from models.storage.excel import MIME, instance_workbook
from models.storage.mapping import month_document
from models.storage.tables import MeetingRow, ScheduleRow
from services.months import replan_notices

router = APIRouter(tags=["months"])
MonthPath = Annotated[str, Path(pattern=MONTH_PATTERN, examples=["2024-03"])]


def in_force(session: SessionDep, month: str) -> ScheduleRow:
    schedule = schedules.current(session, month)
    if schedule is None:
        raise ApiError(404, f"Tháng {month} chưa có lịch công bố")
    return schedule


@router.get("/months/{month}", response_model=MonthOut, responses=responses(401, 403, 422))
def read_month(_: Planner, session: SessionDep, month: MonthPath) -> MonthOut:
    """Tình hình một tháng: các bản lịch, bản đang hiệu lực, có cần lập lại không."""
    current = schedules.current(session, month)
    notices = replan_notices(session, month)
    count = session.scalar(select(func.count()).where(MeetingRow.month == month)) or 0
    return MonthOut(
        month=month,
        meetings=count,
        in_force=schedule_summary(session, current) if current else None,
        versions=[schedule_summary(session, s) for s in schedules.versions(session, month)],
        needs_replan=bool(notices),
        notices=[
            NoticeOut(id=n.id, meeting=n.meeting_id, reason=n.reason, created_at=local(n.created_at)) for n in notices
        ],
    )


@router.get("/months/{month}/solution.json", response_model=Solution, responses=responses(401, 403, 404, 422))
def export_month(_: Planner, session: SessionDep, month: MonthPath) -> Solution:
    """Lịch đang hiệu lực của tháng, định dạng phancong-solution/1."""
    return exports.solution(session, in_force(session, month))


@router.get(
    "/months/{month}/workbook.xlsx", response_class=RawResponse, responses={**XLSX, **responses(401, 403, 404, 422)}
)
def export_month_workbook(_: Planner, session: SessionDep, month: MonthPath) -> RawResponse:
    """Lịch đang hiệu lực của tháng, dạng Excel."""
    schedule = in_force(session, month)
    return RawResponse(
        exports.workbook(session, schedule),
        media_type=MIME,
        headers={"Content-Disposition": f'attachment; filename="phan-cong-{month}.xlsx"'},
    )


@router.get("/months/{month}/instance.json", response_model=dict[str, Any], responses=responses(401, 403, 422))
def month_instance_json(_: Planner, session: SessionDep, month: MonthPath) -> dict[str, Any]:
    """Bài toán của tháng (phancong-instance/1) như bộ giải sẽ thấy: để thử với dòng lệnh."""
    return month_document(session, month)


@router.get("/months/{month}/instance.xlsx", response_class=RawResponse, responses={**XLSX, **responses(401, 403, 422)})
def month_instance_workbook(_: Planner, session: SessionDep, month: MonthPath) -> RawResponse:
    """Bài toán của tháng dạng Excel: cũng là mẫu để nhập (POST /imports/workbook)."""
    return RawResponse(
        instance_workbook(month_document(session, month)),
        media_type=MIME,
        headers={"Content-Disposition": f'attachment; filename="bai-toan-{month}.xlsx"'},
    )
