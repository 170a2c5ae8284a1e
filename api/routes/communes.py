"""Communes and their teams (planners); the rules are in :mod:`services.communes`."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.deps import Planner, SessionDep
from api.errors import responses
from api.paging import PAGED, DirectoryPage
from api.present import commune_out, team_out
from api.schemas.common import Deleted, PathId
from api.schemas.directory import CommuneIn, CommuneOut, CommunePatch, TeamIn, TeamOut, TeamPatch
from models.storage.tables import CommuneRow
from services import communes

router = APIRouter(tags=["communes"])
READ = responses(401, 403, 404, 422)
WRITE = responses(401, 403, 404, 409, 413, 422)


@router.get("/communes", response_model=list[CommuneOut], responses={**responses(401, 403, 422), **PAGED})
def list_communes(_: Planner, session: SessionDep, page: DirectoryPage) -> list[CommuneOut]:
    """Danh sách xã, phường."""
    rows = page.rows(session, select(CommuneRow).options(selectinload(CommuneRow.teams)).order_by(CommuneRow.id))
    return [commune_out(c) for c in rows]


@router.post("/communes", status_code=status.HTTP_201_CREATED, response_model=CommuneOut, responses=WRITE)
def create_commune(body: CommuneIn, planner: Planner, session: SessionDep) -> CommuneOut:
    """Thêm một xã, phường."""
    return commune_out(communes.create(session, planner, body))


@router.get("/communes/{commune_id}", response_model=CommuneOut, responses=READ)
def read_commune(commune_id: PathId, _: Planner, session: SessionDep) -> CommuneOut:
    """Một xã, phường và các tổ, đội của nó."""
    return commune_out(communes.get_commune(session, commune_id))


@router.patch("/communes/{commune_id}", response_model=CommuneOut, responses=WRITE)
def update_commune(commune_id: PathId, body: CommunePatch, planner: Planner, session: SessionDep) -> CommuneOut:
    """Sửa thông tin xã/phường (kể cả mức cần quan tâm ``flag``)."""
    return commune_out(communes.update(session, planner, commune_id, body))


@router.delete("/communes/{commune_id}", response_model=Deleted, responses=WRITE)
def delete_commune(commune_id: PathId, planner: Planner, session: SessionDep) -> Deleted:
    """Xóa xã/phường chưa có hội nghị, lịch sử hay tài khoản, và không còn đại biểu hay
    đường đi nào dẫn tới nó."""
    communes.delete(session, planner, commune_id)
    return Deleted(deleted=commune_id)


@router.get("/communes/{commune_id}/teams", response_model=list[TeamOut], responses={**READ, **PAGED})
def list_teams(commune_id: PathId, _: Planner, session: SessionDep, page: DirectoryPage) -> list[TeamOut]:
    """Các tổ, đội (thôn, bản, tổ dân phố) của một xã, phường."""
    return [team_out(t) for t in page.items(communes.get_commune(session, commune_id).teams)]


@router.post(
    "/communes/{commune_id}/teams", status_code=status.HTTP_201_CREATED, response_model=TeamOut, responses=WRITE
)
def create_team(commune_id: PathId, body: TeamIn, planner: Planner, session: SessionDep) -> TeamOut:
    """Thêm một tổ, đội cho xã, phường."""
    return team_out(communes.create_team(session, planner, commune_id, body))


@router.patch("/teams/{team_id}", response_model=TeamOut, responses=WRITE)
def update_team(team_id: PathId, body: TeamPatch, planner: Planner, session: SessionDep) -> TeamOut:
    """Sửa một tổ, đội."""
    return team_out(communes.update_team(session, planner, team_id, body))


@router.delete("/teams/{team_id}", response_model=Deleted, responses=WRITE)
def delete_team(team_id: PathId, planner: Planner, session: SessionDep) -> Deleted:
    """Xóa một tổ, đội."""
    communes.delete_team(session, planner, team_id)
    return Deleted(deleted=team_id)
