"""A delegate's calendar: their assignments in every month's published schedule in force,
as frozen at publication. Drafts never appear; a dropped assignment simply is not there.

This is the hot path of the service (phones poll their feed), so it is one indexed
query over plain columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from models.storage.tables import (
    AssignmentRow,
    CalendarFeedRow,
    DelegateRow,
    MeetingRow,
    PublishedMonthRow,
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


# The queries below run on every calendar request, so they are Core statements over the
# tables, built once: the ORM costs about four times as much per query here.
_A, _M, _P, _T = (AssignmentRow.__table__.c, MeetingRow.__table__.c, PublishedMonthRow.__table__.c, TeamRow.__table__.c)
_D, _F = DelegateRow.__table__.c, CalendarFeedRow.__table__.c

_OWNER = (
    select(_D.id, _D.name)
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
    )
    .select_from(
        AssignmentRow.__table__.join(PublishedMonthRow.__table__, _P.schedule_id == _A.schedule_id)
        .join(MeetingRow.__table__, _M.id == _A.meeting_id)
        .outerjoin(TeamRow.__table__, _T.id == _A.team_id)
    )
    .where(_A.delegate_id == bindparam("delegate_id"))
    .order_by(_A.starts_at, _A.meeting_id)
)


def feed_owner(session: Session, token: str) -> tuple[str, str] | None:
    """(delegate id, name) of the unrevoked feed token ``token``, in one query."""
    row = session.connection().execute(_OWNER, {"token_hash": hash_token(token)}).first()
    return None if row is None else (row[0], row[1])


def delegate_name(session: Session, delegate_id: str) -> str | None:
    return session.connection().execute(_NAME, {"delegate_id": delegate_id}).scalar()


def delegate_events(session: Session, delegate_id: str) -> list[Event]:
    rows = session.connection().execute(_EVENTS, {"delegate_id": delegate_id})
    # Published rows have every frozen field set.
    return [Event(**row._mapping) for row in rows]
