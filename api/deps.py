"""Dependencies of the routes: settings, the database session, the current user and roles.

``SessionDep`` opens a reading session for GET/HEAD and a writing one otherwise (on
SQLite a writer takes the write lock at BEGIN, so concurrent writers queue instead of
failing). Routes that write call ``session.commit()`` themselves, before answering, so a
response never claims a change that was not committed. ``CurrentUser`` is read in a
session of its own, so the route's session is opened only by routes that need it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.deliveries import Deliverer
from api.errors import ApiError
from api.jobs import Runner
from api.settings import Settings
from models.storage.db import Database
from models.storage.tables import UserRow
from models.storage.users import authenticate
from services import access
from services.access import only_delegate

_READING = frozenset({"GET", "HEAD", "OPTIONS"})
bearer = HTTPBearer(auto_error=False, description="Mã truy cập (token) do cán bộ Ban Tuyên giáo cấp")


# Dependencies that do no I/O are ``async``: FastAPI runs a plain ``def`` dependency in
# a worker thread, and each such hop costs more than the check itself.
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def get_runner(request: Request) -> Runner:
    runner: Runner = request.app.state.runner
    return runner


def get_session(request: Request) -> Iterator[Session]:
    database: Database = request.app.state.database
    factory = database.reader if request.method in _READING else database.writer
    with factory() as session:
        yield session


async def get_deliverer(request: Request) -> Deliverer:
    deliverer: Deliverer = request.app.state.deliverer
    return deliverer


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
RunnerDep = Annotated[Runner, Depends(get_runner)]
DelivererDep = Annotated[Deliverer, Depends(get_deliverer)]
SessionDep = Annotated[Session, Depends(get_session)]

UNAUTHENTICATED = {"WWW-Authenticate": "Bearer"}


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def current_user(request: Request, credentials: Credentials) -> UserRow:
    """The account holding the bearer token (401 otherwise).

    Looked up in its own short reading session, in one worker-thread hop: the user's
    row is read-only here, and every request pays for this lookup.
    """
    return await run_in_threadpool(_authenticate, request.app.state.database, credentials)


def _authenticate(database: Database, credentials: HTTPAuthorizationCredentials | None) -> UserRow:
    with database.reader() as session:
        return user_of(session, credentials)  # detached on close, its columns loaded


def user_of(session: Session, credentials: HTTPAuthorizationCredentials | None) -> UserRow:
    """The account of these credentials, read in ``session``; 401 when there is none."""
    user = None if credentials is None else authenticate(session, credentials.credentials)
    if user is None:
        raise unauthenticated(credentials)
    return user


def unauthenticated(credentials: HTTPAuthorizationCredentials | None) -> ApiError:
    """The 401 of a request without a token, or with one that holds no active account."""
    if credentials is None:
        return ApiError(
            401, "Chưa xác thực: gửi mã truy cập trong tiêu đề Authorization: Bearer …", headers=UNAUTHENTICATED
        )
    return ApiError(401, "Mã truy cập không đúng hoặc đã bị thu hồi", headers=UNAUTHENTICATED)


CurrentUser = Annotated[UserRow, Depends(current_user)]


async def require_planner(user: CurrentUser) -> UserRow:
    return access.require_planner(user)


async def require_delegate(user: CurrentUser) -> UserRow:
    only_delegate(user)
    return user


async def require_planner_or_commune(user: CurrentUser) -> UserRow:
    return access.require_planner_or_commune(user)


Planner = Annotated[UserRow, Depends(require_planner)]
DelegateUser = Annotated[UserRow, Depends(require_delegate)]
PlannerOrCommune = Annotated[UserRow, Depends(require_planner_or_commune)]
