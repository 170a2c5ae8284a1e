"""Delegates' calendars: their own as JSON, and an iCalendar feed at a secret, revocable
URL (``/calendar/{token}.ics``) that a phone subscribes to without any other login.

A delegate account sees only its own calendar (another delegate's: 403). The feed token
is a separate secret from the account's bearer token; rotating or revoking it (the
delegate or a planner), or deactivating the delegate's account, makes the URL answer 404.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Header, Path, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response as RawResponse
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.orm import Session

from api.deps import Credentials, CurrentUser, DelegateUser, Planner, SessionDep, SettingsDep, user_of
from api.errors import ApiError, responses
from api.ics import PENDING, feed
from api.schemas.common import Deleted, PathId
from api.schemas.people import CalendarEventOut, CalendarOut, FeedOut
from models.storage import audit, users
from models.storage.calendar import delegate_events, delegate_name, feed_owner
from models.storage.clock import local
from models.storage.db import Database
from services.access import only_delegate

router = APIRouter(tags=["calendar"])
ICS_MIME = "text/calendar; charset=utf-8"


def calendar_of(session: Session, delegate_id: str) -> CalendarOut:
    name = delegate_name(session, delegate_id)
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
    body = await run_in_threadpool(_calendar_json, request.app.state.database, credentials)
    return Response(body, media_type="application/json")


def _calendar_json(database: Database, credentials: HTTPAuthorizationCredentials | None) -> bytes:
    with database.reader() as session:
        delegate_id = only_delegate(user_of(session, credentials))
        return calendar_of(session, delegate_id).model_dump_json().encode()


@router.get("/delegates/{delegate_id}/calendar", response_model=CalendarOut, responses=responses(401, 403, 404, 422))
def delegate_calendar(delegate_id: PathId, user: CurrentUser, session: SessionDep) -> CalendarOut:
    """Lịch của một đại biểu: cán bộ Ban Tuyên giáo xem của mọi người, đại biểu chỉ xem của mình."""
    if user.role != "planner" and not (user.role == "delegate" and user.delegate_id == delegate_id):
        raise ApiError(403, "Chỉ xem được lịch của chính mình")
    return calendar_of(session, delegate_id)


def _feed_url(settings: SettingsDep, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}/calendar/{token}.ics"


@router.post(
    "/me/calendar-feed", status_code=status.HTTP_201_CREATED, response_model=FeedOut, responses=responses(401, 403)
)
def rotate_my_feed(user: DelegateUser, session: SessionDep, settings: SettingsDep) -> FeedOut:
    """Cấp địa chỉ lịch bí mật mới; địa chỉ cũ ngừng hoạt động."""
    assert user.delegate_id is not None
    token = users.rotate_feed(session, user.delegate_id)
    audit.record(session, user, "feed.rotate", "delegate", user.delegate_id)
    session.commit()
    return FeedOut(url=_feed_url(settings, token))


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
    return FeedOut(url=_feed_url(settings, token))


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


@router.get(
    "/calendar/{token}.ics",
    response_class=RawResponse,
    openapi_extra={"x-any-query": True},
    responses={
        200: {"description": "Lịch iCalendar", "content": {"text/calendar": {"schema": {"type": "string"}}}},
        304: {"description": "Không đổi (If-None-Match)"},
        **responses(404),
    },
)
async def calendar_feed(
    request: Request,
    token: Annotated[str, Path(min_length=1, max_length=100)],
    if_none_match: Annotated[str | None, Header(alias="If-None-Match", max_length=200)] = None,
) -> RawResponse:
    """Lịch iCalendar của đại biểu tại địa chỉ bí mật (không cần đăng nhập)."""
    # The hot path (phones poll it): one worker-thread hop for all the database work.
    body = await run_in_threadpool(_feed_body, request.app.state.database, token)
    if body is None:
        raise ApiError(404, "Địa chỉ lịch không tồn tại hoặc đã bị thu hồi")
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": tag, "Cache-Control": "private, max-age=300"}
    if if_none_match is not None and tag in [t.strip() for t in if_none_match.split(",")]:
        return RawResponse(status_code=304, headers=headers)
    return RawResponse(body, media_type=ICS_MIME, headers=headers)


def _feed_body(database: Database, token: str) -> bytes | None:
    with database.reader() as session:
        owner = feed_owner(session, token)
        if owner is None:
            return None
        return feed(owner[1], delegate_events(session, owner[0]))
