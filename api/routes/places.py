"""Places that are not communes (planners): the party headquarters ``hq``, an agency's
office; a delegate starts from one (``base``) and roads join them to the communes.

Places and communes share one id space (a road names either), so a place may not take a
commune's id. A place that a delegate starts from or a road leads to is not deleted
(409 naming them): every month's instance would be invalid without it. The rules are in
:mod:`services.places`.
"""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy import select

from api.deps import Planner, SessionDep
from api.errors import responses
from api.paging import PAGED, DirectoryPage
from api.schemas.common import Deleted, PathId
from api.schemas.roads import PlaceIn, PlaceOut, PlacePatch
from models.storage.tables import PlaceRow
from services import places

router = APIRouter(tags=["places"])
READ = responses(401, 403, 404, 422)
WRITE = responses(401, 403, 404, 409, 413, 422)


def place_out(row: PlaceRow) -> PlaceOut:
    return PlaceOut(id=row.id, name=row.name, lat=row.lat, lon=row.lon)


@router.get("/places", response_model=list[PlaceOut], responses={**responses(401, 403, 422), **PAGED})
def list_places(_: Planner, session: SessionDep, page: DirectoryPage) -> list[PlaceOut]:
    """Danh sách địa điểm (trụ sở cơ quan, nơi đi từ đó đến hội nghị)."""
    return [place_out(p) for p in page.rows(session, select(PlaceRow).order_by(PlaceRow.id))]


@router.post("/places", status_code=status.HTTP_201_CREATED, response_model=PlaceOut, responses=WRITE)
def create_place(body: PlaceIn, planner: Planner, session: SessionDep) -> PlaceOut:
    """Thêm địa điểm (trụ sở, cơ quan) làm nơi xuất phát của đại biểu."""
    return place_out(places.create(session, planner, body))


@router.get("/places/{place_id}", response_model=PlaceOut, responses=READ)
def read_place(place_id: PathId, _: Planner, session: SessionDep) -> PlaceOut:
    """Một địa điểm."""
    return place_out(places.get_place(session, place_id))


@router.patch("/places/{place_id}", response_model=PlaceOut, responses=WRITE)
def update_place(place_id: PathId, body: PlacePatch, planner: Planner, session: SessionDep) -> PlaceOut:
    """Sửa một địa điểm."""
    return place_out(places.update(session, planner, place_id, body))


@router.delete("/places/{place_id}", response_model=Deleted, responses=WRITE)
def delete_place(place_id: PathId, planner: Planner, session: SessionDep) -> Deleted:
    """Xóa địa điểm không còn là nơi xuất phát của đại biểu nào và không có đường đi nào tới."""
    places.delete(session, planner, place_id)
    return Deleted(deleted=place_id)
