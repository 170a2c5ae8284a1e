"""The year's statistics (planners), as JSON and as Excel (:mod:`services.statistics`)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response as RawResponse

from api.deps import Planner, SessionDep
from api.errors import responses
from api.routes.schedules import XLSX
from api.schemas.after_meeting import YearQuery
from models.storage.excel import MIME
from services import statistics
from services.statistics import StatisticsOut

router = APIRouter(tags=["statistics"])


@router.get("/statistics", response_model=StatisticsOut, responses=responses(401, 403))
def read_statistics(year: YearQuery, user: Planner, session: SessionDep) -> StatisticsOut:
    """Thống kê năm: lượt dự theo đại biểu, cấp, cơ quan; địa bàn cần quan tâm; tổ tuyên vận; xếp loại."""
    return statistics.year_statistics(session, user, year)


@router.get("/statistics.xlsx", response_class=RawResponse, responses={**XLSX, **responses(401, 403)})
def statistics_workbook(year: YearQuery, user: Planner, session: SessionDep) -> RawResponse:
    """Thống kê năm ra Excel."""
    body = statistics.statistics_workbook(session, user, year)
    return RawResponse(
        body, media_type=MIME, headers={"Content-Disposition": f'attachment; filename="thong-ke-{year}.xlsx"'}
    )
