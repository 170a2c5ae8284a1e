"""``phancong serve``: migrate the database, load the sample into an empty one, print a
planner token, and serve the API with uvicorn, in one web process or in ``--workers N``.

SQLite (``phancong.db`` in the working directory) unless ``PHANCONG_DATABASE_URL`` names
another database. On SQLite the solves run in this process (:class:`api.jobs.ThreadRunner`)
and there is one web process; on PostgreSQL they go to the procrastinate queue and
``phancong worker`` runs them, so any number of web processes can share the database.
The start-up work is done once, in the parent; each web process only builds its app.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from typing import Any

import uvicorn
from fastapi import FastAPI

from api.app import create_app
from api.seed import prepare
from api.settings import Settings
from models.storage import migrate
from models.storage.db import Database

#: Seconds an idle kept-alive connection stays open.
KEEP_ALIVE_SECONDS = 5
#: Seconds a web process (`--workers` above 1) has to answer uvicorn's health ping.
HEALTHCHECK_SECONDS = 60
#: Largest request line and headers uvicorn buffers before answering 400. h11, not
#: httptools, parses requests for that reason: uvicorn has no such cap over httptools,
#: which measured no faster on the calendar's requests. The event loop is uvloop where
#: it is installed (uvicorn's "auto").
MAX_HEAD_BYTES = 64 * 1024


class NeedsQueue(Exception):
    """Several web processes need the queue (PostgreSQL): threads cannot be shared."""


def run(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    settings = Settings()
    if "public_url" not in settings.model_fields_set:
        settings = settings.model_copy(update={"public_url": f"http://{host}:{port}"})
    database = Database.connect(settings.database_url)
    queued = settings.job_runner == "queue" or (settings.job_runner == "auto" and database.backend == "postgresql")
    if workers > 1 and not queued:
        database.dispose()
        raise NeedsQueue(
            "nhiều tiến trình web cần PostgreSQL (PHANCONG_DATABASE_URL) và phancong worker; "
            "với SQLite các lượt giải chạy trong một tiến trình duy nhất"
        )
    migrate.upgrade(settings.database_url, engine=database.engine)
    prepared = prepare(database, load_sample=settings.load_sample)
    app = create_app(settings, database)
    # In-process runner: run again the jobs a previous process left (queued, or running
    # with no live holder), then keep taking back those whose heartbeat goes stale. The
    # queue's runner touches nothing: jobs held by live workers are theirs, dead ones are
    # retaken by the workers.
    orphans = app.state.runner.recover()
    where = database.engine.url.render_as_string(hide_password=True)
    print(f"Cơ sở dữ liệu: {where}")
    if prepared.loaded_sample:
        print("Đã nạp dữ liệu mẫu: Thành phố Lào Cai, tháng 3/2024 (17 xã/phường, 45 đại biểu).")
    print(f"Trang web: {settings.public_url}/dang-nhap")
    if prepared.password is not None:
        print(f"Đăng nhập: tên admin, mật khẩu {prepared.password} (hãy đổi ở {settings.public_url}/tai-khoan)")
    else:
        print("Đăng nhập bằng tài khoản đã có; đặt lại mật khẩu: phancong user password admin --password-stdin")
    print(f"Mã truy cập cán bộ Ban Tuyên giáo (planner): {prepared.token}")
    print(f"Thử: curl -H 'Authorization: Bearer {prepared.token}' {settings.public_url}/months/2024-03")
    print(f"Tài liệu API: {settings.public_url}/docs")
    if orphans:
        print(
            f"{orphans} lượt giải dở dang từ lần chạy trước: được giải lại (lượt đã bị hủy thì kết thúc; "
            f"lượt đã gián đoạn {settings.max_retakes + 1} lần thì dừng hẳn)."
        )
    if queued:
        print(f"Các lượt giải vào hàng đợi: chạy phancong worker để giải ({workers} tiến trình web).")
    sys.stdout.flush()
    if workers > 1:
        database.dispose()
        # Each web process builds its app from the environment: hand it the public URL.
        os.environ["PHANCONG_PUBLIC_URL"] = settings.public_url
        uvicorn.run(
            "api.server:web_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            # uvicorn kills a web process that does not answer its health ping within this
            # many seconds; its default (5) is shorter than a process's start-up (importing
            # the app, warming the pool) on a loaded machine, which then restarts them in a
            # loop and never serves (seen under load average 10 on 2 cores).
            timeout_worker_healthcheck=HEALTHCHECK_SECONDS,
            **_served(settings),
        )
        return
    database.warm()
    # Everything built so far lives as long as the process: keep it out of the garbage
    # collector's full passes, whose pauses would otherwise show in the latency tail.
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=host, port=port, **_served(settings))


def _served(settings: Settings) -> dict[str, Any]:
    """uvicorn's options, the same for one web process and for several. The second guard
    beside the app's body timeout (api.limits.BodyTimeout): an idle kept-alive connection
    is closed after a few seconds, and a request's head may not grow without bound while
    it arrives."""
    return {
        "log_level": "info",
        "access_log": settings.access_log,
        "http": "h11",
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
    }


def web_app() -> FastAPI:
    """One of ``--workers N`` web processes: the app on the settings of the environment."""
    settings = Settings()
    database = Database.connect(settings.database_url)
    app = create_app(settings, database)
    database.warm()
    gc.collect()
    gc.freeze()
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m api.server", description="Chạy dịch vụ phancong")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    run(args.host, args.port, args.workers)


if __name__ == "__main__":
    main()
