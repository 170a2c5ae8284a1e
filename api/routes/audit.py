"""The audit log, newest first (planners)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from api.deps import Planner, SessionDep
from api.errors import responses
from api.paging import PAGED, RecentPage
from api.schemas.people import AuditOut
from models.storage.clock import local
from models.storage.tables import AuditRow

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=list[AuditOut], responses={**responses(401, 403, 422), **PAGED})
def read_audit(
    _: Planner,
    session: SessionDep,
    page: RecentPage,
    entity: Annotated[str | None, Query(max_length=30, description="commune, delegate, meeting, schedule…")] = None,
    entity_id: Annotated[str | None, Query(max_length=100)] = None,
) -> list[AuditOut]:
    """Ai đã thay đổi gì, khi nào (mới nhất trước; trang: limit, offset)."""
    query = select(AuditRow).order_by(AuditRow.id.desc())
    if entity is not None:
        query = query.where(AuditRow.entity == entity)
    if entity_id is not None:
        query = query.where(AuditRow.entity_id == entity_id)
    rows = page.rows(session, query)
    return [
        AuditOut(
            id=r.id,
            at=local(r.at),
            user_id=r.user_id,
            user_name=r.user_name,
            action=r.action,
            entity=r.entity,
            entity_id=r.entity_id,
            detail=r.detail,
        )
        for r in rows
    ]
