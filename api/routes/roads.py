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
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.deps import Planner, SessionDep
from api.errors import responses
from api.paging import PAGED, DirectoryPage
from api.schemas.common import Deleted, Id, IntId
from api.schemas.roads import RoadIn, RoadOut, RoadPatch
from models.storage.tables import RoadRow
from services import roads

router = APIRouter(tags=["roads"])
READ = responses(401, 403, 404, 422)
WRITE = responses(401, 403, 404, 409, 413, 422)


def roads_out(session: Session, rows: list[RoadRow]) -> list[RoadOut]:
    names = roads.names(session, {r.a for r in rows} | {r.b for r in rows})
    return [
        RoadOut(id=r.id, a=r.a, a_name=names.get(r.a), b=r.b, b_name=names.get(r.b), minutes=r.minutes) for r in rows
    ]


@router.get("/roads", response_model=list[RoadOut], responses={**responses(401, 403, 422), **PAGED})
def list_roads(
    _: Planner,
    session: SessionDep,
    page: DirectoryPage,
    end: Annotated[Id | None, Query(description="Chỉ các đường đi có một đầu là mã này")] = None,
) -> list[RoadOut]:
    """Danh sách đường đi giữa các địa điểm (thời gian đi)."""
    query = select(RoadRow).order_by(RoadRow.id)
    if end is not None:
        query = query.where(or_(RoadRow.a == end, RoadRow.b == end))
    return roads_out(session, list(page.rows(session, query)))


@router.post("/roads", status_code=status.HTTP_201_CREATED, response_model=RoadOut, responses=WRITE)
def create_road(body: RoadIn, planner: Planner, session: SessionDep) -> RoadOut:
    """Thêm đường đi giữa hai xã/phường hoặc địa điểm (hai chiều như nhau)."""
    return roads_out(session, [roads.create(session, planner, body)])[0]


@router.get("/roads/{road_id}", response_model=RoadOut, responses=READ)
def read_road(road_id: IntId, _: Planner, session: SessionDep) -> RoadOut:
    """Một đường đi."""
    return roads_out(session, [roads.get_road(session, road_id)])[0]


@router.patch("/roads/{road_id}", response_model=RoadOut, responses=WRITE)
def update_road(road_id: IntId, body: RoadPatch, planner: Planner, session: SessionDep) -> RoadOut:
    """Sửa một đầu hoặc thời gian đi của đường đi."""
    return roads_out(session, [roads.update(session, planner, road_id, body)])[0]


@router.delete("/roads/{road_id}", response_model=Deleted, responses=WRITE)
def delete_road(road_id: IntId, planner: Planner, session: SessionDep) -> Deleted:
    """Xóa đường đi (xã/phường chỉ nối qua đường này sẽ không lập lịch được cho tới khi có đường khác)."""
    roads.delete(session, planner, road_id)
    return Deleted(deleted=str(road_id))
