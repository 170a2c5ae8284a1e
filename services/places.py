"""Places that are not communes (planners): the party headquarters ``hq``, an agency's
office; a delegate starts from one (``base``) and roads join them to the communes.

Places and communes share one id space (a road names either), so a place may not take a
commune's id. A place that a delegate starts from or a road leads to is not deleted (the
refusal names them): every month's instance would be invalid without it.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.schemas.roads import PlaceIn, PlacePatch
from models.errors import Issue
from models.storage import audit
from models.storage.tables import CommuneRow, DelegateRow, PlaceRow, RoadRow, UserRow
from services.access import require_planner
from services.errors import Conflict, NotFound


def get_place(session: Session, place_id: str) -> PlaceRow:
    place = session.get(PlaceRow, place_id)
    if place is None:
        raise NotFound(f"Không có địa điểm {place_id}")
    return place


def create(session: Session, planner: UserRow, body: PlaceIn) -> PlaceRow:
    """A new place (committed); its id may be neither a place's nor a commune's."""
    require_planner(planner)
    if session.get(PlaceRow, body.id) is not None:
        raise Conflict(f"Đã có địa điểm mã {body.id}")
    if session.get(CommuneRow, body.id) is not None:
        raise Conflict(f"Mã {body.id} đã dùng cho một xã/phường")
    place = PlaceRow(**body.model_dump())
    session.add(place)
    audit.record(session, planner, "place.create", "place", body.id, body.model_dump(mode="json"))
    session.commit()
    return place


def update(session: Session, planner: UserRow, place_id: str, body: PlacePatch) -> PlaceRow:
    require_planner(planner)
    place = get_place(session, place_id)
    for field, value in body.model_dump(exclude_unset=True).items():
        setattr(place, field, value)
    audit.record(session, planner, "place.update", "place", place_id, body.model_dump(mode="json", exclude_unset=True))
    session.commit()
    return place


def delete(session: Session, planner: UserRow, place_id: str) -> None:
    """Delete a place no delegate starts from and no road leads to (committed)."""
    require_planner(planner)
    place = get_place(session, place_id)
    bases = list(session.scalars(select(DelegateRow.id).where(DelegateRow.base == place_id).order_by(DelegateRow.id)))
    roads = list(
        session.scalars(select(RoadRow).where(or_(RoadRow.a == place_id, RoadRow.b == place_id)).order_by(RoadRow.id))
    )
    if bases or roads:
        items = [Issue(f"/delegates/{d}", place_id, "nơi xuất phát (base) của đại biểu này") for d in bases]
        items += [Issue(f"/roads/{r.id}", place_id, "đường đi nối tới địa điểm này") for r in roads]
        parts = []
        if bases:
            parts.append(f"là nơi xuất phát của đại biểu {', '.join(bases)} (hãy đổi base)")
        if roads:
            parts.append(f"nằm trên {len(roads)} đường đi (hãy xóa các đường đi đó)")
        raise Conflict(f"Không xóa được địa điểm {place_id}: {'; '.join(parts)}", items)
    session.delete(place)
    audit.record(session, planner, "place.delete", "place", place_id)
    session.commit()
