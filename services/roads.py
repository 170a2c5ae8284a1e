"""Roads (planners): undirected travel times between communes and places.

Once any road exists, every commune that holds a meeting and every delegate's base must
be reached by one (the instance format's rule), so a commune created afterwards needs a
road before its month can be solved. A road joins two different, existing ends (each
fault named at its end), takes a finite positive number of minutes, and is the only road
between its two ends (a second one is refused: change the first one's minutes instead).
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from api.schemas.roads import RoadIn, RoadPatch
from models.errors import Issue
from models.storage import audit
from models.storage.tables import CommuneRow, PlaceRow, RoadRow, UserRow
from services.access import require_planner
from services.errors import Conflict, Invalid, NotFound


def names(session: Session, ids: set[str]) -> dict[str, str | None]:
    """Name of each id among the communes and places (a place may have none)."""
    found: dict[str, str | None] = {}
    for table in (CommuneRow, PlaceRow):
        rows = session.execute(select(table.id, table.name).where(table.id.in_(ids)))
        found |= dict(rows.all())
    return found


def get_road(session: Session, road_id: int) -> RoadRow:
    road = session.get(RoadRow, road_id)
    if road is None:
        raise NotFound(f"Không có đường đi {road_id}")
    return road


def _check(session: Session, a: str, b: str, road_id: int | None = None) -> None:
    """Refuse ends that do not exist or repeat each other, and a second road between them."""
    known = set(names(session, {a, b}))
    problems = [
        Issue(f"$.{end}", value, "không có xã/phường hay địa điểm này")
        for end, value in (("a", a), ("b", b))
        if value not in known
    ]
    if a == b:
        problems.append(Issue("$.b", b, "hai đầu đường đi phải khác nhau"))
    if problems:
        raise Invalid("Đường đi không hợp lệ", problems)
    same_ends = or_(and_(RoadRow.a == a, RoadRow.b == b), and_(RoadRow.a == b, RoadRow.b == a))
    query = select(RoadRow.id).where(same_ends)
    if road_id is not None:
        query = query.where(RoadRow.id != road_id)
    other = session.scalar(query.limit(1))
    if other is not None:
        raise Conflict(f"Đã có đường đi {other} giữa {a} và {b}; hãy sửa thời gian của đường đó (PATCH /roads/{other})")


def create(session: Session, planner: UserRow, body: RoadIn) -> RoadRow:
    """A new road (committed), the same both ways."""
    require_planner(planner)
    _check(session, body.a, body.b)
    road = RoadRow(a=body.a, b=body.b, minutes=body.minutes)
    session.add(road)
    session.flush()
    audit.record(session, planner, "road.create", "road", road.id, body.model_dump(mode="json"))
    session.commit()
    return road


def update(session: Session, planner: UserRow, road_id: int, body: RoadPatch) -> RoadRow:
    """One end or the minutes changed (committed)."""
    require_planner(planner)
    road = get_road(session, road_id)
    a = body.a if body.a is not None else road.a
    b = body.b if body.b is not None else road.b
    _check(session, a, b, road_id)
    road.a, road.b = a, b
    if body.minutes is not None:
        road.minutes = body.minutes
    audit.record(session, planner, "road.update", "road", road_id, body.model_dump(mode="json", exclude_unset=True))
    session.commit()
    return road


def delete(session: Session, planner: UserRow, road_id: int) -> None:
    """Delete a road (committed); a commune reached only by it cannot be planned until another one is added."""
    require_planner(planner)
    road = get_road(session, road_id)
    detail = {"a": road.a, "b": road.b, "minutes": road.minutes}
    session.delete(road)
    audit.record(session, planner, "road.delete", "road", road_id, detail)
    session.commit()
