"""Roads (planners): undirected travel times between communes and places.

Once any road exists, every commune that holds a meeting and every delegate's base must
be reached by one (the instance format's rule), so a commune created afterwards needs a
road before its month can be solved. A road joins two different, existing ends (422
naming the end otherwise), takes a finite positive number of minutes, and is the only
road between its two ends (409: change its minutes instead).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from api.deps import Planner, SessionDep
from api.errors import ApiError, ErrorItem, responses
from api.schemas.common import Deleted, Id, IntId
from api.schemas.roads import RoadIn, RoadOut, RoadPatch
from models.storage import audit
from models.storage.tables import CommuneRow, PlaceRow, RoadRow

router = APIRouter(tags=["roads"])
READ = responses(401, 403, 404, 422)
WRITE = responses(401, 403, 404, 409, 413, 422)


def _names(session: Session, ids: set[str]) -> dict[str, str | None]:
    """Name of each id among the communes and places (a place may have none)."""
    found: dict[str, str | None] = dict(
        session.execute(select(CommuneRow.id, CommuneRow.name).where(CommuneRow.id.in_(ids))).tuples().all()
    )
    found |= dict(session.execute(select(PlaceRow.id, PlaceRow.name).where(PlaceRow.id.in_(ids))).tuples().all())
    return found


def roads_out(session: Session, rows: list[RoadRow]) -> list[RoadOut]:
    names = _names(session, {r.a for r in rows} | {r.b for r in rows})
    return [
        RoadOut(id=r.id, a=r.a, a_name=names.get(r.a), b=r.b, b_name=names.get(r.b), minutes=r.minutes) for r in rows
    ]


def get_road(session: Session, road_id: int) -> RoadRow:
    road = session.get(RoadRow, road_id)
    if road is None:
        raise ApiError(404, f"Không có đường đi {road_id}")
    return road


def _check(session: Session, a: str, b: str, road_id: int | None = None) -> None:
    """422 naming each end that does not exist or repeats the other; 409 when another
    road already joins the two."""
    known = set(_names(session, {a, b}))
    problems = [
        ErrorItem(path=f"$.{end}", value=value, message="không có xã/phường hay địa điểm này")
        for end, value in (("a", a), ("b", b))
        if value not in known
    ]
    if a == b:
        problems.append(ErrorItem(path="$.b", value=b, message="hai đầu đường đi phải khác nhau"))
    if problems:
        raise ApiError(422, "Đường đi không hợp lệ", problems)
    same_ends = or_(and_(RoadRow.a == a, RoadRow.b == b), and_(RoadRow.a == b, RoadRow.b == a))
    query = select(RoadRow.id).where(same_ends)
    if road_id is not None:
        query = query.where(RoadRow.id != road_id)
    other = session.scalar(query.limit(1))
    if other is not None:
        raise ApiError(
            409, f"Đã có đường đi {other} giữa {a} và {b}; hãy sửa thời gian của đường đó (PATCH /roads/{other})"
        )


@router.get("/roads", response_model=list[RoadOut], responses=responses(401, 403, 422))
def list_roads(
    _: Planner,
    session: SessionDep,
    end: Annotated[Id | None, Query(description="Chỉ các đường đi có một đầu là mã này")] = None,
) -> list[RoadOut]:
    query = select(RoadRow).order_by(RoadRow.id)
    if end is not None:
        query = query.where(or_(RoadRow.a == end, RoadRow.b == end))
    return roads_out(session, list(session.scalars(query)))


@router.post("/roads", status_code=status.HTTP_201_CREATED, response_model=RoadOut, responses=WRITE)
def create_road(body: RoadIn, planner: Planner, session: SessionDep) -> RoadOut:
    """Thêm đường đi giữa hai xã/phường hoặc địa điểm (hai chiều như nhau)."""
    _check(session, body.a, body.b)
    road = RoadRow(a=body.a, b=body.b, minutes=body.minutes)
    session.add(road)
    session.flush()
    audit.record(session, planner, "road.create", "road", road.id, body.model_dump(mode="json"))
    session.commit()
    return roads_out(session, [road])[0]


@router.get("/roads/{road_id}", response_model=RoadOut, responses=READ)
def read_road(road_id: IntId, _: Planner, session: SessionDep) -> RoadOut:
    return roads_out(session, [get_road(session, road_id)])[0]


@router.patch("/roads/{road_id}", response_model=RoadOut, responses=WRITE)
def update_road(road_id: IntId, body: RoadPatch, planner: Planner, session: SessionDep) -> RoadOut:
    """Sửa một đầu hoặc thời gian đi của đường đi."""
    road = get_road(session, road_id)
    a = body.a if body.a is not None else road.a
    b = body.b if body.b is not None else road.b
    _check(session, a, b, road_id)
    road.a, road.b = a, b
    if body.minutes is not None:
        road.minutes = body.minutes
    audit.record(session, planner, "road.update", "road", road_id, body.model_dump(mode="json", exclude_unset=True))
    session.commit()
    return roads_out(session, [road])[0]


@router.delete("/roads/{road_id}", response_model=Deleted, responses=WRITE)
def delete_road(road_id: IntId, planner: Planner, session: SessionDep) -> Deleted:
    """Xóa đường đi (xã/phường chỉ nối qua đường này sẽ không lập lịch được cho tới khi có đường khác)."""
    road = get_road(session, road_id)
    detail = {"a": road.a, "b": road.b, "minutes": road.minutes}
    session.delete(road)
    audit.record(session, planner, "road.delete", "road", road_id, detail)
    session.commit()
    return Deleted(deleted=str(road_id))
