"""Score sheets, the Board's criteria and levels, closing a month, and the monthly
ranking (JSON and Excel). The rules are in :mod:`services.ranking`."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response as RawResponse

from api.deps import CurrentUser, Planner, PlannerOrCommune, SessionDep
from api.errors import responses
from api.paging import PAGED, DirectoryPage
from api.routes.schedules import XLSX
from api.schemas.after_meeting import CriteriaIn, LevelsIn, MonthPath, SheetIn
from api.schemas.common import PathId
from models.storage.excel import MIME
from models.storage.scoring import Criterion, Level
from services import ranking
from services.views import ClosedOut, CriteriaOut, LevelOut, RankingOut, SheetOut

router = APIRouter(tags=["ranking"])


@router.get("/scoring/criteria", response_model=CriteriaOut, responses=responses(401))
def read_criteria(_: CurrentUser, session: SessionDep) -> CriteriaOut:
    """Tiêu chí chấm điểm ban tuyên vận (tên, điểm tối đa) do Ban Tuyên giáo đặt."""
    return ranking.criteria(session)


@router.put("/scoring/criteria", response_model=CriteriaOut, responses=responses(401, 403))
def write_criteria(body: CriteriaIn, user: Planner, session: SessionDep) -> CriteriaOut:
    """Đặt lại tiêu chí; phiếu đã chấm giữ tiêu chí lúc chấm."""
    items = [Criterion(c.id, c.name, c.max_points) for c in body.criteria]
    out = ranking.set_criteria(session, user, items)
    session.commit()
    return out


@router.get("/scoring/levels", response_model=list[LevelOut], responses={**responses(401), **PAGED})
def read_levels(_: CurrentUser, session: SessionDep, page: DirectoryPage) -> list[LevelOut]:
    """Các mức xếp loại (tên, điểm tổng thấp nhất), từ cao xuống."""
    return list(page.items(ranking.levels(session)))


@router.put("/scoring/levels", response_model=list[LevelOut], responses=responses(401, 403))
def write_levels(body: LevelsIn, user: Planner, session: SessionDep) -> list[LevelOut]:
    """Đặt các mức xếp loại (tên, điểm tổng thấp nhất)."""
    out = ranking.set_levels(session, user, [Level(v.name, v.min_points) for v in body.levels])
    session.commit()
    return out


@router.get("/months/{month}/sheets", response_model=list[SheetOut], responses={**responses(401, 403), **PAGED})
def list_sheets(month: MonthPath, user: PlannerOrCommune, session: SessionDep, page: DirectoryPage) -> list[SheetOut]:
    """Phiếu chấm điểm của tháng: cán bộ Ban Tuyên giáo xem mọi xã, tài khoản xã xem của mình."""
    return list(page.items(ranking.month_sheets(session, user, month)))


@router.get("/months/{month}/sheets/{commune_id}", response_model=SheetOut, responses=responses(401, 403, 404))
def read_sheet(month: MonthPath, commune_id: PathId, user: PlannerOrCommune, session: SessionDep) -> SheetOut:
    """Phiếu chấm điểm của một xã trong tháng."""
    return ranking.sheet(session, user, month, commune_id)


@router.put("/months/{month}/sheets/{commune_id}", response_model=SheetOut, responses=responses(401, 403, 404, 409))
def write_sheet(month: MonthPath, commune_id: PathId, body: SheetIn, user: Planner, session: SessionDep) -> SheetOut:
    """Nhập hoặc sửa phiếu chấm điểm (cán bộ Ban Tuyên giáo), đến khi tháng được chốt."""
    out = ranking.save_sheet(session, user, month, commune_id, body.scores, body.note)
    session.commit()
    return out


@router.post("/months/{month}/close", response_model=ClosedOut, responses=responses(401, 403, 409))
def close_month(month: MonthPath, user: Planner, session: SessionDep) -> ClosedOut:
    """Chốt điểm tháng: từ đây phiếu chấm điểm không sửa được."""
    out = ranking.close_month(session, user, month)
    session.commit()
    return out


@router.get("/months/{month}/ranking", response_model=RankingOut, responses=responses(401, 403))
def read_ranking(month: MonthPath, user: PlannerOrCommune, session: SessionDep) -> RankingOut:
    """Xếp loại các ban tuyên vận trong tháng (tổng điểm, mức, hạng); tài khoản xã chỉ thấy dòng của mình."""
    return ranking.ranking(session, user, month)


@router.get("/months/{month}/ranking.xlsx", response_class=RawResponse, responses={**XLSX, **responses(401, 403)})
def ranking_workbook(month: MonthPath, user: PlannerOrCommune, session: SessionDep) -> RawResponse:
    """Xếp loại tháng ra Excel."""
    body = ranking.ranking_workbook(session, user, month)
    return RawResponse(
        body, media_type=MIME, headers={"Content-Disposition": f'attachment; filename="xep-loai-{month}.xlsx"'}
    )
