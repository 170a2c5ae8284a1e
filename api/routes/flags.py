"""Flags by month: proposals from the results (confirm or dismiss), the flags in force
for a month, a commune's flag of one month and its history (planners). The rules are in
:mod:`services.flags`."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Planner, SessionDep
from api.errors import responses
from api.paging import PAGED, DirectoryPage
from api.schemas.after_meeting import ConfirmIn, DismissIn, MonthFlagIn, MonthPath, MonthQuery, ProposalPath
from api.schemas.common import PathId
from services import flags
from services.views import FlagHistoryOut, FlagOut, ProposalOut

router = APIRouter(tags=["flags"])


@router.get("/flag-proposals", response_model=list[ProposalOut], responses={**responses(401, 403), **PAGED})
def list_proposals(month: MonthQuery, user: Planner, session: SessionDep, page: DirectoryPage) -> list[ProposalOut]:
    """Đề xuất gắn cờ cho tháng ``month`` từ kết quả tháng trước (xếp loại Chưa đạt, báo cáo nêu vấn đề)."""
    return list(page.items(flags.proposals(session, user, month)))


@router.post(
    "/flag-proposals/{proposal_id}/confirm", response_model=ProposalOut, responses=responses(401, 403, 404, 409)
)
def confirm_proposal(
    proposal_id: ProposalPath, user: Planner, session: SessionDep, body: ConfirmIn | None = None
) -> ProposalOut:
    """Xác nhận đề xuất: gắn cờ cho xã trong tháng đó (mỗi đề xuất chỉ quyết định một lần)."""
    given = body or ConfirmIn()
    out = flags.decide(session, user, proposal_id, "confirmed", given.flag, given.reason)
    session.commit()
    return out


@router.post(
    "/flag-proposals/{proposal_id}/dismiss", response_model=ProposalOut, responses=responses(401, 403, 404, 409)
)
def dismiss_proposal(
    proposal_id: ProposalPath, user: Planner, session: SessionDep, body: DismissIn | None = None
) -> ProposalOut:
    """Bỏ qua đề xuất (không gắn cờ)."""
    out = flags.decide(session, user, proposal_id, "dismissed", None, (body or DismissIn()).reason)
    session.commit()
    return out


@router.get("/flags", response_model=list[FlagOut], responses={**responses(401, 403), **PAGED})
def month_flags(month: MonthQuery, user: Planner, session: SessionDep, page: DirectoryPage) -> list[FlagOut]:
    """Mức quan tâm đang áp dụng cho từng xã trong tháng (bộ giải dùng đúng mức này)."""
    return list(page.items(flags.month_flags(session, user, month)))


@router.put("/communes/{commune_id}/flags/{month}", response_model=FlagOut, responses=responses(401, 403, 404))
def set_month_flag(
    commune_id: PathId, month: MonthPath, body: MonthFlagIn, user: Planner, session: SessionDep
) -> FlagOut:
    """Đặt mức quan tâm của xã cho một tháng (mức mặc định của xã giữ nguyên)."""
    out = flags.set_month_flag(session, user, commune_id, month, body.flag, body.reason)
    session.commit()
    return out


@router.get(
    "/communes/{commune_id}/flags", response_model=list[FlagHistoryOut], responses={**responses(401, 403, 404), **PAGED}
)
def flag_history(commune_id: PathId, user: Planner, session: SessionDep, page: DirectoryPage) -> list[FlagHistoryOut]:
    """Lịch sử gắn cờ của xã theo tháng."""
    return list(page.items(flags.flag_history(session, user, commune_id)))
