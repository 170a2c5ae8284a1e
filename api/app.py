"""The FastAPI application: routers, error handlers, limits, and the job runner.

``create_app`` builds an app around a database (one is opened from the settings when
none is given); nothing here runs migrations, loads data or runs again the jobs a previous
process left unfinished: that is the job of :mod:`api.server`, once per process. The job
runner (:func:`api.jobs.make_runner`: threads here on SQLite, the procrastinate queue on
PostgreSQL) is made with the app, so that an app used without its lifespan (an in-process
test client) still runs solves; the lifespan stops the runner at shutdown.

``/docs`` (Swagger UI) and ``/redoc`` load their scripts and styles from this server
(fastapi-offline's copies, under ``/static-offline-docs``), never from a CDN: the service
must work on a network without the internet, and run no script from elsewhere.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi_offline import FastAPIOffline

import web
from api import errors, openapi
from api.calendars import BuiltCalendars
from api.characters import reject_control_characters
from api.deliveries import make_deliverer
from api.jobs import Runner, make_runner
from api.limits import BodyLimit, BodyTimeout, reject_unknown_query
from api.routes import (
    audit,
    calendar,
    communes,
    delegates,
    documents,
    flags,
    health,
    imports,
    meetings,
    months,
    places,
    ranking,
    reports,
    requests,
    roads,
    scenarios,
    schedules,
    solves,
    statistics,
    themes,
    users,
    workspace,
)
from api.settings import Settings
from models.storage.db import Database

DESCRIPTION = """\
Phân công đại biểu dự, chỉ đạo hội nghị tuyên vận — dịch vụ web.

* **Cán bộ Ban Tuyên giáo** (`planner`): danh mục xã, tổ, địa điểm, đường đi, đại biểu, hội nghị; nhập tệp;
  lập lịch (`POST /solves`), sửa tay, công bố (`If-Match`), xuất JSON/Excel; kịch bản giả định
  (`/scenarios`: tạo, chạy, so sánh — không bao giờ đụng tới lịch đã công bố).
* **Xã/phường** (`commune`): đăng ký, dời hội nghị của xã mình; xem ai sẽ đến.
* **Đại biểu** (`delegate`): lịch của mình (JSON) và địa chỉ lịch iCalendar bí mật.

Xác thực: `Authorization: Bearer <mã>`. Lỗi luôn là JSON `{detail, errors[]}` bằng tiếng Việt.
"""


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or Settings()
    database = database or Database.connect(settings.database_url)
    runner: Runner = make_runner(database, settings)
    deliverer = make_deliverer(database, settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        deliverer.start()  # sweeps the messages a previous process left undelivered
        yield
        runner.shutdown()
        deliverer.shutdown()

    app = FastAPIOffline(
        title="phancong",
        version="1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(reject_unknown_query), Depends(reject_control_characters)],
        favicon_url="/static/favicon.svg",
        # No "validate this document" badge fetched from swagger.io.
        swagger_ui_parameters={"validatorUrl": None},
    )
    app.state.settings = settings
    app.state.database = database
    app.state.runner = runner
    app.state.deliverer = deliverer
    app.state.calendars = BuiltCalendars()
    errors.install(app)
    openapi.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    # Outermost: the clock of a body starts before anything else reads it.
    app.add_middleware(BodyTimeout, seconds=settings.body_timeout_seconds)
    # Matching walks the routes in order (twice per request in this FastAPI), so the
    # paths phones poll come first: measured, the walk to the calendar's place in the
    # list cost a fifth of a feed request's CPU.
    routers = (
        health,
        calendar,
        users,
        communes,
        places,
        roads,
        delegates,
        meetings,
        imports,
        solves,
        schedules,
        scenarios,
        months,
        audit,
        reports,
        ranking,
        flags,
        statistics,
        themes,
        documents,
        workspace,
        requests,
    )
    for module in routers:
        app.include_router(module.router)
    web.install(app)  # the pages, after the API's routes and error handlers (it wraps them)
    return app
