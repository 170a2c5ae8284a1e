"""Delegates' calendars: their own as JSON, and an iCalendar feed at a secret, revocable
URL (``/calendar/{token}.ics``) that a phone subscribes to without any other login.

A delegate account sees only its own calendar (another delegate's: 403). The feed token
is a separate secret from the account's bearer token; rotating or revoking it (the
delegate or a planner), or deactivating the delegate's account, makes the URL answer 404.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response as RawResponse
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.orm import Session

from api.calendars import BuiltCalendars
from api.deps import Credentials, CurrentUser, DelegateUser, Planner, SessionDep, SettingsDep, unauthenticated
from api.errors import ApiError, responses
from api.ics import PENDING, feed
from api.schemas.common import Deleted, PathId
from api.schemas.people import CalendarEventOut, CalendarOut, FeedOut
from models.reasons import pattern
from models.storage import audit, users
from models.storage.calendar import around, delegate_events, delegate_name, feed_owner
from models.storage.clock import local
from models.storage.db import Database
from services.access import only_delegate

router = APIRouter(tags=["calendar"])
ICS_MIME = "text/calendar; charset=utf-8"


def calendar_of(session: Session, delegate_id: str, name: str | None = None) -> CalendarOut:
    """The delegate's calendar; ``name`` when the caller read it already."""
    name = name if name is not None else delegate_name(session, delegate_id)
    if name is None:
        raise ApiError(404, f"Không có đại biểu {delegate_id}")
    events = [
        CalendarEventOut(
            uid=e.uid,
            sequence=e.sequence,
            meeting=e.meeting_id,
            commune=e.commune_id,
            commune_name=e.location,
            start=local(e.starts_at),
            end=local(e.ends_at),
            summary=e.summary,
            location=e.location,
            description=e.description,
            team=e.team_id,
            team_name=e.team_name,
            published_at=local(e.published_at),
            status=e.status,
            pending=PENDING if e.pending else None,
        )
        for e in delegate_events(session, delegate_id)
    ]
    return CalendarOut(delegate=delegate_id, name=name, events=events)


@router.get("/me/calendar", response_model=CalendarOut, responses=responses(401, 403))
async def my_calendar(request: Request, credentials: Credentials) -> Response:
    """Lịch của chính đại biểu (theo các lịch đã công bố)."""
    # The hot path of the JSON calendar: the account and its calendar are read in one
    # session and one worker-thread hop (CurrentUser would take a second of each), with
    # the same checks; the body is a CalendarOut, serialised once.
    state = request.app.state
    body = await run_in_threadpool(_calendar_json, state.database, state.calendars, credentials)
    return Response(body, media_type="application/json")


def _calendar_json(
    database: Database, kept: BuiltCalendars[Any], credentials: HTTPAuthorizationCredentials | None
) -> bytes:
    with database.reader() as session:
        # The account, its delegate's name and the calendar stamp in one query: the
        # request mostly waits on round trips to the database (profiled), so a calendar
        # still current is answered with that one.
        found = None if credentials is None else users.authenticate_named(session, credentials.credentials)
        if found is None:
            raise unauthenticated(credentials)
        user, name, generation = found
        delegate_id = only_delegate(user)
        body: bytes = kept.get_or_build(
            ("json", delegate_id),
            generation,
            lambda: calendar_of(session, delegate_id, name).model_dump_json().encode(),
            len,
        )
        return body


@router.get("/delegates/{delegate_id}/calendar", response_model=CalendarOut, responses=responses(401, 403, 404, 422))
def delegate_calendar(delegate_id: PathId, user: CurrentUser, session: SessionDep) -> CalendarOut:
    """Lịch của một đại biểu: cán bộ Ban Tuyên giáo xem của mọi người, đại biểu chỉ xem của mình."""
    if user.role != "planner" and not (user.role == "delegate" and user.delegate_id == delegate_id):
        raise ApiError(403, "Chỉ xem được lịch của chính mình")
    return calendar_of(session, delegate_id)


def _feed_out(settings: SettingsDep, token: str) -> FeedOut:
    url = f"{settings.public_url.rstrip('/')}/calendar/{token}.ics"
    # webcal://: an iPhone subscribes to it (an http .ics link only imports a one-off copy).
    return FeedOut(url=url, webcal=re.sub(r"^https?://", "webcal://", url))


@router.post(
    "/me/calendar-feed", status_code=status.HTTP_201_CREATED, response_model=FeedOut, responses=responses(401, 403)
)
def rotate_my_feed(user: DelegateUser, session: SessionDep, settings: SettingsDep) -> FeedOut:
    """Cấp địa chỉ lịch bí mật mới; địa chỉ cũ ngừng hoạt động."""
    assert user.delegate_id is not None
    token = users.rotate_feed(session, user.delegate_id)
    audit.record(session, user, "feed.rotate", "delegate", user.delegate_id)
    session.commit()
    return _feed_out(settings, token)


@router.delete("/me/calendar-feed", response_model=Deleted, responses=responses(401, 403, 404))
def revoke_my_feed(user: DelegateUser, session: SessionDep) -> Deleted:
    """Thu hồi địa chỉ lịch bí mật."""
    assert user.delegate_id is not None
    if not users.revoke_feed(session, user.delegate_id):
        raise ApiError(404, "Chưa có địa chỉ lịch nào")
    audit.record(session, user, "feed.revoke", "delegate", user.delegate_id)
    session.commit()
    return Deleted(deleted="calendar-feed")


@router.post(
    "/delegates/{delegate_id}/calendar-feed",
    status_code=status.HTTP_201_CREATED,
    response_model=FeedOut,
    responses=responses(401, 403, 404, 422),
)
def rotate_feed(delegate_id: PathId, planner: Planner, session: SessionDep, settings: SettingsDep) -> FeedOut:
    """Cán bộ Ban Tuyên giáo cấp (lại) địa chỉ lịch cho một đại biểu."""
    if delegate_name(session, delegate_id) is None:
        raise ApiError(404, f"Không có đại biểu {delegate_id}")
    token = users.rotate_feed(session, delegate_id)
    audit.record(session, planner, "feed.rotate", "delegate", delegate_id)
    session.commit()
    return _feed_out(settings, token)


@router.delete(
    "/delegates/{delegate_id}/calendar-feed", response_model=Deleted, responses=responses(401, 403, 404, 422)
)
def revoke_feed(delegate_id: PathId, planner: Planner, session: SessionDep) -> Deleted:
    """Cán bộ Ban Tuyên giáo thu hồi địa chỉ lịch bí mật của một đại biểu (không cấp địa chỉ mới)."""
    if delegate_name(session, delegate_id) is None:
        raise ApiError(404, f"Không có đại biểu {delegate_id}")
    if not users.revoke_feed(session, delegate_id):
        raise ApiError(404, f"Đại biểu {delegate_id} chưa có địa chỉ lịch nào")
    audit.record(session, planner, "feed.revoke", "delegate", delegate_id)
    session.commit()
    return Deleted(deleted="calendar-feed")


FEED_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Lịch iCalendar", "content": {"text/calendar": {"schema": {"type": "string"}}}},
    304: {"description": "Không đổi (If-None-Match hoặc If-Modified-Since)"},
    **responses(404, 422),
}
#: ``?nhac=0`` turns the reminder off. In the URL rather than a stored preference: the
#: choice is per subscription (a phone with reminders, a desk calendar without), needs no
#: account or sign-in on the phone, and no new column.
Reminder = Annotated[
    str,
    Query(
        pattern=pattern("^[01]$", "chỉ nhận 1 (nhắc) hoặc 0 (không nhắc)"),
        description="1: nhắc trước 1 ngày (mặc định); 0: không nhắc",
    ),
]


@router.get(
    "/calendar/{token}.ics", response_class=RawResponse, openapi_extra={"x-any-query": True}, responses=FEED_RESPONSES
)
async def calendar_feed(
    request: Request,
    token: Annotated[str, Path(min_length=1, max_length=100)],
    nhac: Reminder = "1",
    if_none_match: Annotated[str | None, Header(alias="If-None-Match", max_length=200)] = None,
    if_modified_since: Annotated[str | None, Header(alias="If-Modified-Since", max_length=100)] = None,
) -> RawResponse:
    """Lịch iCalendar của đại biểu tại địa chỉ bí mật (không cần đăng nhập)."""
    return await _answer(request, token, nhac, if_none_match, if_modified_since, head=False)


@router.head("/calendar/{token}.ics", response_class=RawResponse, include_in_schema=False)
async def calendar_feed_head(
    request: Request,
    token: Annotated[str, Path(min_length=1, max_length=100)],
    nhac: Reminder = "1",
    if_none_match: Annotated[str | None, Header(alias="If-None-Match", max_length=200)] = None,
    if_modified_since: Annotated[str | None, Header(alias="If-Modified-Since", max_length=100)] = None,
) -> RawResponse:
    """The GET's headers without its body (some calendar apps probe with HEAD)."""
    return await _answer(request, token, nhac, if_none_match, if_modified_since, head=True)


def _since(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None  # RFC 9110: an invalid date is ignored
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed


def _fresh(tag: str, changed: dt.datetime | None, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """RFC 9110 §13.1: If-None-Match (weak comparison) wins; If-Modified-Since only without it."""
    if if_none_match is not None:
        opaque = tag.removeprefix("W/")
        seen = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in seen or opaque in seen
    since = _since(if_modified_since)
    return since is not None and changed is not None and changed.replace(microsecond=0) <= since


async def _answer(
    request: Request, token: str, nhac: str, if_none_match: str | None, if_modified_since: str | None, head: bool
) -> RawResponse:
    # The hot path (phones poll it): one worker-thread hop for all the database work.
    state = request.app.state
    found = await run_in_threadpool(_feed_body, state.database, state.calendars, token, nhac == "1")
    if found is None:
        raise ApiError(404, "Địa chỉ lịch không tồn tại hoặc đã bị thu hồi")
    body, changed = found
    # Weak: the same events may be serialised byte-differently by another icalendar release.
    tag = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": tag, "Cache-Control": "private, max-age=300"}
    if changed is not None:
        headers["Last-Modified"] = format_datetime(changed.astimezone(dt.UTC), usegmt=True)
    if _fresh(tag, changed, if_none_match, if_modified_since):
        return RawResponse(status_code=304, headers=headers)
    if head:
        return RawResponse(status_code=200, media_type=ICS_MIME, headers={**headers, "Content-Length": str(len(body))})
    return RawResponse(body, media_type=ICS_MIME, headers=headers)


def _feed_body(
    database: Database, kept: BuiltCalendars[Any], token: str, alarm: bool
) -> tuple[bytes, dt.datetime | None] | None:
    with database.reader() as session:
        owner = feed_owner(session, token)
        if owner is None:
            return None

        def build() -> tuple[bytes, dt.datetime | None]:
            events = delegate_events(session, owner.delegate_id)
            near = around(session, owner.delegate_id, events)
            return feed(owner.name, events, near, alarm), near.changed_at

        found: tuple[bytes, dt.datetime | None] = kept.get_or_build(
            ("ics", owner.delegate_id, alarm), owner.generation, build, lambda f: len(f[0])
        )
        return found
