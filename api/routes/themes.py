"""The year's tuyên vận plan: themes per quarter and month (:mod:`services.themes`)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentUser, Planner, SessionDep
from api.errors import responses
from api.schemas.after_meeting import YearPath, YearPlanIn
from services import themes
from services.themes import YearPlanOut

router = APIRouter(tags=["themes"])


@router.get("/plans/{year}", response_model=YearPlanOut, responses=responses(401))
def read_plan(year: YearPath, _: CurrentUser, session: SessionDep) -> YearPlanOut:
    """Kế hoạch tuyên vận năm: chủ đề theo quý, theo tháng, và chủ đề áp dụng cho từng tháng."""
    return themes.year_plan(session, year)


@router.put("/plans/{year}", response_model=YearPlanOut, responses=responses(401, 403))
def write_plan(year: YearPath, body: YearPlanIn, user: Planner, session: SessionDep) -> YearPlanOut:
    """Đặt lại kế hoạch năm. Hội nghị chưa có chủ đề riêng lấy chủ đề của tháng."""
    out = themes.set_year_plan(session, user, year, body.quarters, body.months)
    session.commit()
    return out
