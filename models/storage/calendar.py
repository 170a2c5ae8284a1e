"""A delegate's calendar: their assignments in every month's published schedule in force,
as frozen at publication. Drafts never appear; a dropped assignment simply is not there.

This is the hot path of the service (phones poll their feed), so it is one indexed
query over plain columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from models.documents.content import address
from models.documents.notice import SETTINGS_KEY
from models.storage.stamp import GENERATION
from models.storage.tables import (
    AssignmentRow,
    CalendarFeedRow,
    ChangeRequestRow,
    CommuneRow,
    ConfigRow,
    DelegateRow,
    MeetingRow,
    PublishedMonthRow,
    ScheduleRow,
    TeamRow,
)
from models.storage.users import hash_token


@dataclass(frozen=True)
class Event:
    uid: str
    sequence: int
    stamped_at: dt.datetime
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    location: str
    description: str
    meeting_id: str
    commune_id: str
    team_id: str | None
    team_name: str | None
    published_at: dt.datetime
    status: str = "CONFIRMED"
    """``CANCELLED``: the assignment was in an earlier published version of a month in force
    and is not in the version in force (phones then remove it instead of keeping it)."""
    pending: bool = False
    """The meeting has a change request waiting for the Board (the event stays as published)."""


# The queries below run on every calendar request, so they are Core statements over the
# tables, built once: the ORM costs about four times as much per query here.
_A, _M, _P, _T = (AssignmentRow.__table__.c, MeetingRow.__table__.c, PublishedMonthRow.__table__.c, TeamRow.__table__.c)
_D, _F = DelegateRow.__table__.c, CalendarFeedRow.__table__.c
_S, _R = ScheduleRow.__table__.c, ChangeRequestRow.__table__.c

_OWNER = (
    select(_D.id, _D.name, GENERATION)
    .select_from(DelegateRow.__table__.join(CalendarFeedRow.__table__, _F.delegate_id == _D.id))
    .where(_F.token_hash == bindparam("token_hash"), _F.revoked_at.is_(None))
)
_NAME = select(_D.name).where(_D.id == bindparam("delegate_id"))
_EVENTS = (
    select(
        _A.uid,
        _A.sequence,
        _A.stamped_at,
        _A.starts_at,
        _A.ends_at,
        _A.summary,
        _A.location,
        _A.description,
        _A.meeting_id,
        _M.commune_id,
        _A.team_id,
        _T.name.label("team_name"),
        _P.published_at,
        # In the same statement (an indexed probe per event) rather than a query of its own:
        # each round trip to the database is what a calendar request mostly waits for.
        exists().where(_R.meeting_id == _A.meeting_id, _R.state == "pending").label("pending"),
    )
    .select_from(
        AssignmentRow.__table__.join(PublishedMonthRow.__table__, _P.schedule_id == _A.schedule_id)
        .join(MeetingRow.__table__, _M.id == _A.meeting_id)
        .outerjoin(TeamRow.__table__, _T.id == _A.team_id)
    )
    .where(_A.delegate_id == bindparam("delegate_id"))
    .order_by(_A.starts_at, _A.meeting_id)
)


class FeedOwner(NamedTuple):
    delegate_id: str
    name: str
    generation: int | None
    """The calendar stamp read in the same statement (:mod:`models.storage.stamp`)."""


def feed_owner(session: Session, token: str) -> FeedOwner | None:
    """The delegate of the unrevoked feed token ``token``, and the calendar stamp, in one query."""
    row = session.connection().execute(_OWNER, {"token_hash": hash_token(token)}).first()
    return None if row is None else FeedOwner(row[0], row[1], row[2])


def delegate_name(session: Session, delegate_id: str) -> str | None:
    return session.connection().execute(_NAME, {"delegate_id": delegate_id}).scalar()


# The delegate's assignments in the earlier published versions of each month in force.
_EARLIER = (
    select(
        _A.uid,
        _A.sequence,
        _A.starts_at,
        _A.ends_at,
        _A.summary,
        _A.location,
        _A.description,
        _A.meeting_id,
        _M.commune_id,
        _P.published_at,
        _P.schedule_id.label("in_force"),
    )
    .select_from(
        AssignmentRow.__table__.join(ScheduleRow.__table__, _S.id == _A.schedule_id)
        .join(PublishedMonthRow.__table__, _P.month == _S.month)
        .join(MeetingRow.__table__, _M.id == _A.meeting_id)
    )
    .where(_A.delegate_id == bindparam("delegate_id"), _S.status == "published", _S.id != _P.schedule_id)
)


def delegate_events(session: Session, delegate_id: str) -> list[Event]:
    """The delegate's events in force, and a cancelled one per assignment taken from them."""
    connection = session.connection()
    rows = connection.execute(_EVENTS, {"delegate_id": delegate_id})
    # Published rows have every frozen field set.
    events = [Event(**row._mapping) for row in rows]
    kept = {e.uid for e in events}
    dropped: dict[str, Event] = {}
    for row in connection.execute(_EARLIER, {"delegate_id": delegate_id}):
        if row.uid in kept or row.uid is None:
            continue
        known = dropped.get(row.uid)
        if known is not None and known.sequence > row.sequence:
            continue
        # One above the last SEQUENCE it had, stamped when the version dropping it was published.
        dropped[row.uid] = Event(
            uid=row.uid,
            sequence=row.sequence,
            stamped_at=row.published_at,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            summary=f"ĐÃ HỦY: {row.summary}",
            location=row.location,
            description=row.description,
            meeting_id=row.meeting_id,
            commune_id=row.commune_id,
            team_id=None,
            team_name=None,
            published_at=row.published_at,
            status="CANCELLED",
        )
    cancelled = [replace(e, sequence=e.sequence + 1) for e in dropped.values()]
    return sorted([*events, *cancelled], key=lambda e: (e.starts_at, e.meeting_id))


# -- what the feed adds around the frozen events (read at each request, not frozen) ------

_C = CommuneRow.__table__.c
_FELLOWS = (
    select(_A.meeting_id, _D.name)
    .select_from(
        AssignmentRow.__table__.join(PublishedMonthRow.__table__, _P.schedule_id == _A.schedule_id).join(
            DelegateRow.__table__, _D.id == _A.delegate_id
        )
    )
    .where(_A.meeting_id.in_(bindparam("ids", expanding=True)), _A.delegate_id != bindparam("delegate_id"))
    .order_by(_A.meeting_id, _D.name)
)
_COMMUNES = select(_C.id, _C.lat, _C.lon, _C.kind, _C.district).where(_C.id.in_(bindparam("ids", expanding=True)))
# The Board's province is one of the notice's settings (the instance schema has no place for it).
_SETTINGS = select(ConfigRow.value).where(ConfigRow.key == SETTINGS_KEY)
_REQUESTS_CHANGED = select(_R.created_at, _R.decided_at).where(_R.meeting_id.in_(bindparam("ids", expanding=True)))


@dataclass(frozen=True)
class Around:
    """Per feed: the fellow delegates of each meeting in force, each commune's coordinates,
    the last time anything the feed shows changed (for Last-Modified), and what the
    address of each commune adds to its frozen name (its kind and district, the Board's
    province)."""

    fellows: dict[str, tuple[str, ...]]
    geo: dict[str, tuple[float, float]]
    changed_at: dt.datetime | None
    places: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    """Commune id → (kind, district)."""
    province: str = ""

    def location(self, event: Event) -> str:
        """ "Xã Tả Phời, thành phố Lào Cai, tỉnh Lào Cai": the name frozen at publication,
        then what is known of the rest, comma-separated."""
        kind, district = self.places.get(event.commune_id, (None, None))
        return address(event.location, kind, district, self.province)


def around(session: Session, delegate_id: str, events: list[Event]) -> Around:
    connection = session.connection()
    live = sorted({e.meeting_id for e in events if e.status != "CANCELLED"})
    fellows: dict[str, list[str]] = {}
    if live:
        for meeting_id, name in connection.execute(_FELLOWS, {"ids": live, "delegate_id": delegate_id}):
            fellows.setdefault(meeting_id, []).append(name)
    geo: dict[str, tuple[float, float]] = {}
    places: dict[str, tuple[str | None, str | None]] = {}
    province = ""
    communes = sorted({e.commune_id for e in events})
    if communes:
        for commune_id, lat, lon, kind, district in connection.execute(_COMMUNES, {"ids": communes}):
            if lat is not None and lon is not None:
                geo[commune_id] = (float(lat), float(lon))
            places[commune_id] = (kind, district)
        settings = connection.execute(_SETTINGS).scalar()
        if isinstance(settings, dict) and isinstance(settings.get("province"), str):
            province = settings["province"]
    stamps = [e.stamped_at for e in events] + [e.published_at for e in events]
    if events:
        # A request made or answered changes the feed's "đang chờ Ban duyệt" line.
        for created, decided in connection.execute(_REQUESTS_CHANGED, {"ids": sorted({e.meeting_id for e in events})}):
            stamps.extend(s for s in (created, decided) if s is not None)
    changed = max((_utc(s) for s in stamps), default=None)
    return Around({k: tuple(v) for k, v in fellows.items()}, geo, changed, places, province)


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive UTC from Core statements over UTCDateTime columns on some paths.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
