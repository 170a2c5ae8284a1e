"""Communes and their teams (planners)."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, selectinload

from api.deps import Planner, SessionDep
from api.errors import ApiError, ErrorItem, responses
from api.present import commune_out, team_out
from api.schemas.common import Deleted, PathId
from api.schemas.directory import CommuneIn, CommuneOut, CommunePatch, TeamIn, TeamOut, TeamPatch
from models.storage import audit
from models.storage.tables import (
    AssignmentRow,
    AttendanceRow,
    ChargeRow,
    CommuneRow,
    DelegateRow,
    MeetingRow,
    PastVisitRow,
    PlaceRow,
    ReportVisitRow,
    RoadRow,
    TeamRow,
    UserRow,
)

router = APIRouter(tags=["communes"])
READ = responses(401, 403, 404, 422)
WRITE = responses(401, 403, 404, 409, 413, 422)


def get_commune(session: SessionDep, commune_id: str) -> CommuneRow:
    commune = session.get(CommuneRow, commune_id)
    if commune is None:
        raise ApiError(404, f"Không có xã/phường {commune_id}")
    return commune


@router.get("/communes", response_model=list[CommuneOut], responses=responses(401, 403, 422))
def list_communes(_: Planner, session: SessionDep) -> list[CommuneOut]:
    rows = session.scalars(select(CommuneRow).options(selectinload(CommuneRow.teams)).order_by(CommuneRow.id))
    return [commune_out(c) for c in rows]


@router.post("/communes", status_code=status.HTTP_201_CREATED, response_model=CommuneOut, responses=WRITE)
def create_commune(body: CommuneIn, planner: Planner, session: SessionDep) -> CommuneOut:
    if session.get(CommuneRow, body.id) is not None:
        raise ApiError(409, f"Đã có xã/phường mã {body.id}")
    if session.get(PlaceRow, body.id) is not None:
        raise ApiError(409, f"Mã {body.id} đã dùng cho một địa điểm")
    commune = CommuneRow(**body.model_dump())
    session.add(commune)
    audit.record(session, planner, "commune.create", "commune", body.id, body.model_dump(mode="json"))
    session.commit()
    return commune_out(commune)


@router.get("/communes/{commune_id}", response_model=CommuneOut, responses=READ)
def read_commune(commune_id: PathId, _: Planner, session: SessionDep) -> CommuneOut:
    return commune_out(get_commune(session, commune_id))


@router.patch("/communes/{commune_id}", response_model=CommuneOut, responses=WRITE)
def update_commune(commune_id: PathId, body: CommunePatch, planner: Planner, session: SessionDep) -> CommuneOut:
    """Sửa thông tin xã/phường (kể cả mức cần quan tâm ``flag``)."""
    commune = get_commune(session, commune_id)
    changes = body.model_dump(exclude_unset=True)
    for field, value in changes.items():
        setattr(commune, field, value)
    audit.record(
        session, planner, "commune.update", "commune", commune_id, body.model_dump(mode="json", exclude_unset=True)
    )
    session.commit()
    return commune_out(commune)


@router.delete("/communes/{commune_id}", response_model=Deleted, responses=WRITE)
def delete_commune(commune_id: PathId, planner: Planner, session: SessionDep) -> Deleted:
    """Xóa xã/phường chưa có hội nghị, lịch sử hay tài khoản, và không còn đại biểu hay
    đường đi nào dẫn tới nó."""
    commune = get_commune(session, commune_id)
    teams = select(TeamRow.id).where(TeamRow.commune_id == commune_id)
    used = session.scalar(
        select(
            exists().where(MeetingRow.commune_id == commune_id)
            | exists().where(AttendanceRow.commune_id == commune_id)
            | exists().where(PastVisitRow.team_id.in_(teams))
            | exists().where(AssignmentRow.team_id.in_(teams))
            | exists().where(UserRow.commune_id == commune_id)
        )
    )
    if used:
        raise ApiError(409, "Xã/phường đã có hội nghị, lịch sử hoặc tài khoản; không xóa được")
    refusal = references_to(session, commune_id)
    if refusal is not None:
        raise refusal
    session.delete(commune)
    audit.record(session, planner, "commune.delete", "commune", commune_id)
    session.commit()
    return Deleted(deleted=commune_id)


def references_to(session: Session, commune_id: str) -> ApiError | None:
    """A 409 naming what in the directory still points at the commune (a delegate's base
    or charge, a road), or None. Deleting it anyway would leave every month's instance
    invalid, so every solve would be refused until the reference is gone."""
    bases = list(session.scalars(select(DelegateRow.id).where(DelegateRow.base == commune_id).order_by(DelegateRow.id)))
    charges = list(
        session.scalars(
            select(ChargeRow.delegate_id).where(ChargeRow.commune_id == commune_id).order_by(ChargeRow.delegate_id)
        )
    )
    roads = list(
        session.scalars(
            select(RoadRow).where(or_(RoadRow.a == commune_id, RoadRow.b == commune_id)).order_by(RoadRow.id)
        )
    )
    items = [
        ErrorItem(path=f"/delegates/{d}", value=commune_id, message="nơi xuất phát (base) của đại biểu này")
        for d in bases
    ]
    items += [
        ErrorItem(path=f"/delegates/{d}", value=commune_id, message="đại biểu này phụ trách xã/phường (in_charge_of)")
        for d in charges
    ]
    items += [
        ErrorItem(
            path=f"/roads/{r.id}",
            value={"a": r.a, "b": r.b, "minutes": r.minutes},
            message="đường đi nối tới xã/phường",
        )
        for r in roads
    ]
    if not items:
        return None
    parts = []
    if bases:
        parts.append(f"là nơi xuất phát của đại biểu {', '.join(bases)} (hãy đổi base)")
    if charges:
        parts.append(f"được đại biểu {', '.join(charges)} phụ trách (hãy bỏ khỏi in_charge_of)")
    if roads:
        parts.append(f"nằm trên {len(roads)} đường đi (hãy xóa các đường đi đó: DELETE /roads/{{id}})")
    return ApiError(409, f"Không xóa được xã/phường {commune_id}: {'; '.join(parts)}", items)


@router.get("/communes/{commune_id}/teams", response_model=list[TeamOut], responses=READ)
def list_teams(commune_id: PathId, _: Planner, session: SessionDep) -> list[TeamOut]:
    return [team_out(t) for t in get_commune(session, commune_id).teams]


@router.post(
    "/communes/{commune_id}/teams", status_code=status.HTTP_201_CREATED, response_model=TeamOut, responses=WRITE
)
def create_team(commune_id: PathId, body: TeamIn, planner: Planner, session: SessionDep) -> TeamOut:
    get_commune(session, commune_id)
    if session.get(TeamRow, body.id) is not None:
        raise ApiError(409, f"Đã có tổ tuyên vận mã {body.id}")
    team = TeamRow(id=body.id, commune_id=commune_id, name=body.name)
    session.add(team)
    audit.record(session, planner, "team.create", "team", body.id, {"commune": commune_id, "name": body.name})
    session.commit()
    return team_out(team)


def get_team(session: SessionDep, team_id: str) -> TeamRow:
    team = session.get(TeamRow, team_id)
    if team is None:
        raise ApiError(404, f"Không có tổ tuyên vận {team_id}")
    return team


@router.patch("/teams/{team_id}", response_model=TeamOut, responses=WRITE)
def update_team(team_id: PathId, body: TeamPatch, planner: Planner, session: SessionDep) -> TeamOut:
    team = get_team(session, team_id)
    if body.name is not None:
        team.name = body.name
    audit.record(session, planner, "team.update", "team", team_id, body.model_dump(mode="json", exclude_unset=True))
    session.commit()
    return team_out(team)


@router.delete("/teams/{team_id}", response_model=Deleted, responses=WRITE)
def delete_team(team_id: PathId, planner: Planner, session: SessionDep) -> Deleted:
    team = get_team(session, team_id)
    used = session.scalar(
        select(
            exists().where(PastVisitRow.team_id == team_id)
            | exists().where(AssignmentRow.team_id == team_id)
            | exists().where(ReportVisitRow.team_id == team_id)
        )
    )
    if used:
        raise ApiError(409, "Tổ đã có lượt dự đột xuất trong lịch sử hoặc trong lịch; không xóa được")
    session.delete(team)
    audit.record(session, planner, "team.delete", "team", team_id)
    session.commit()
    return Deleted(deleted=team_id)
