"""Places that are not communes (planners): the party headquarters ``hq``, an agency's
office; a delegate starts from one (``base``) and roads join them to the communes.

Places and communes share one id space (a road names either), so a place may not take a
commune's id. A place that a delegate starts from or a road leads to is not deleted
(409 naming them): every month's instance would be invalid without it.
"""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy import or_, select

from api.deps import Planner, SessionDep
from api.errors import ApiError, ErrorItem, responses
from api.schemas.common import Deleted, PathId
from api.schemas.roads import PlaceIn, PlaceOut, PlacePatch
from models.storage import audit
from models.storage.tables import CommuneRow, DelegateRow, PlaceRow, RoadRow

router = APIRouter(tags=["places"])
READ = responses(401, 403, 404, 422)
WRITE = responses(401, 403, 404, 409, 413, 422)


def place_out(row: PlaceRow) -> PlaceOut:
    return PlaceOut(id=row.id, name=row.name, lat=row.lat, lon=row.lon)


def get_place(session: SessionDep, place_id: str) -> PlaceRow:
    place = session.get(PlaceRow, place_id)
    if place is None:
        raise ApiError(404, f"Không có địa điểm {place_id}")
    return place


@router.get("/places", response_model=list[PlaceOut], responses=responses(401, 403, 422))
def list_places(_: Planner, session: SessionDep) -> list[PlaceOut]:
    return [place_out(p) for p in session.scalars(select(PlaceRow).order_by(PlaceRow.id))]


@router.post("/places", status_code=status.HTTP_201_CREATED, response_model=PlaceOut, responses=WRITE)
def create_place(body: PlaceIn, planner: Planner, session: SessionDep) -> PlaceOut:
    """Thêm địa điểm (trụ sở, cơ quan) làm nơi xuất phát của đại biểu."""
    if session.get(PlaceRow, body.id) is not None:
        raise ApiError(409, f"Đã có địa điểm mã {body.id}")
    if session.get(CommuneRow, body.id) is not None:
        raise ApiError(409, f"Mã {body.id} đã dùng cho một xã/phường")
    place = PlaceRow(**body.model_dump())
    session.add(place)
    audit.record(session, planner, "place.create", "place", body.id, body.model_dump(mode="json"))
    session.commit()
    return place_out(place)


@router.get("/places/{place_id}", response_model=PlaceOut, responses=READ)
def read_place(place_id: PathId, _: Planner, session: SessionDep) -> PlaceOut:
    return place_out(get_place(session, place_id))


@router.patch("/places/{place_id}", response_model=PlaceOut, responses=WRITE)
def update_place(place_id: PathId, body: PlacePatch, planner: Planner, session: SessionDep) -> PlaceOut:
    place = get_place(session, place_id)
    changes = body.model_dump(exclude_unset=True)
    for field, value in changes.items():
        setattr(place, field, value)
    audit.record(session, planner, "place.update", "place", place_id, body.model_dump(mode="json", exclude_unset=True))
    session.commit()
    return place_out(place)


@router.delete("/places/{place_id}", response_model=Deleted, responses=WRITE)
def delete_place(place_id: PathId, planner: Planner, session: SessionDep) -> Deleted:
    """Xóa địa điểm không còn là nơi xuất phát của đại biểu nào và không có đường đi nào tới."""
    place = get_place(session, place_id)
    bases = list(session.scalars(select(DelegateRow.id).where(DelegateRow.base == place_id).order_by(DelegateRow.id)))
    roads = list(
        session.scalars(select(RoadRow).where(or_(RoadRow.a == place_id, RoadRow.b == place_id)).order_by(RoadRow.id))
    )
    if bases or roads:
        items = [
            ErrorItem(path=f"/delegates/{d}", value=place_id, message="nơi xuất phát (base) của đại biểu này")
            for d in bases
        ]
        items += [
            ErrorItem(path=f"/roads/{r.id}", value=place_id, message="đường đi nối tới địa điểm này") for r in roads
        ]
        parts = []
        if bases:
            parts.append(f"là nơi xuất phát của đại biểu {', '.join(bases)} (hãy đổi base)")
        if roads:
            parts.append(f"nằm trên {len(roads)} đường đi (hãy xóa các đường đi đó)")
        raise ApiError(409, f"Không xóa được địa điểm {place_id}: {'; '.join(parts)}", items)
    session.delete(place)
    audit.record(session, planner, "place.delete", "place", place_id)
    session.commit()
    return Deleted(deleted=place_id)
