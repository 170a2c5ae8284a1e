"""Reports of published meetings (the assigned delegate, or a planner for anyone) and the
month's confirmation status (planners). The rules are in :mod:`services.reports`."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentUser, Planner, SessionDep
from api.errors import responses
from api.schemas.after_meeting import MonthPath, ReportIn
from api.schemas.common import PathId
from services import reports
from services.views import MeetingReportOut, MonthReportsOut

router = APIRouter(tags=["reports"])


@router.get("/meetings/{meeting_id}/report", response_model=MeetingReportOut, responses=responses(401, 403, 404))
def read_report(meeting_id: PathId, user: CurrentUser, session: SessionDep) -> MeetingReportOut:
    """Báo cáo hội nghị: từng đại biểu được phân công và báo cáo của họ, phiếu chấm điểm của tháng."""
    return reports.report_of_meeting(session, user, meeting_id)


@router.post("/meetings/{meeting_id}/report", response_model=MeetingReportOut, responses=responses(401, 403, 404, 409))
def submit_report(meeting_id: PathId, body: ReportIn, user: CurrentUser, session: SessionDep) -> MeetingReportOut:
    """Báo cáo (hoặc sửa báo cáo) sau hội nghị: có dự không, ai dự thay, tổ đã dự đột xuất,
    ghi chú, vấn đề cần quan tâm, phiếu chấm điểm. Ngắn nhất: ``{"attended": true}``."""
    entry = reports.ReportEntry(
        attended=body.attended,
        delegate=body.delegate,
        substitute=body.substitute,
        visits=body.visits,
        note=body.note,
        problem=body.problem,
        scores=body.scores,
        sheet_note=body.sheet_note,
    )
    out = reports.submit_report(session, user, meeting_id, entry)
    session.commit()
    return out


@router.get("/months/{month}/reports", response_model=MonthReportsOut, responses=responses(401, 403))
def month_reports(month: MonthPath, user: Planner, session: SessionDep) -> MonthReportsOut:
    """Các phân công đã công bố của tháng và báo cáo của chúng; chưa báo cáo thì vẫn tính là đã dự."""
    return reports.month_reports(session, user, month)
