"""Benchmark of the planner's month (``python -m bench.month_page``).

Seeds a generated month (``--communes`` communes, ``--delegates`` delegates, one month by
default: the province of DOMAIN.md) into the database named by ``--database-url`` (by
default a temporary SQLite file), solves and publishes it, copies it into a draft, and
then measures, ``--repeat`` times each after a warm-up:

* building the view model (:func:`services.workspace.month_view`) in a fresh session;
* ``GET /months/{month}/workspace`` through the app in process (server time: routing,
  authentication, the service, JSON encoding; no network);
* ranking the candidates of one meeting (:func:`services.candidates.rank`).

It reports p50 and p95 in milliseconds (wall and CPU time) with the machine and its load. The database must be empty, or
``--reset`` drops its tables first. It measures; it asserts nothing (the target is
≤ 300 ms at p95 for the page, docs/performance.md).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import exists, select

from api.app import create_app
from api.settings import Settings
from bench.report import machine_line
from models.io import instance_from_document
from models.storage import importer, migrate, schedules, users
from models.storage.db import Database
from models.storage.mapping import month_instance
from models.storage.tables import CommuneRow, MeetingRow, UserRow
from scenarios.generator import generate
from services import candidates, workspace


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='phancong-page-')) / 'page.db'}"
    database = Database.connect(url)
    print(machine_line())
    print(f"Cơ sở dữ liệu: {database.engine.url.render_as_string(hide_password=True)} ({database.backend})")
    started = time.perf_counter()
    month, token = seed(database, args)
    print(f"Dữ liệu sẵn sàng sau {time.perf_counter() - started:.1f} s (tháng {month})", flush=True)

    def build() -> None:
        with database.reader() as session:
            planner = session.scalars(select(UserRow).where(UserRow.role == "planner")).one()
            workspace.month_view(session, planner, month)

    app = create_app(Settings(load_sample=False, database_url=url), database)
    # As api.server does before serving: what lives as long as the process is kept out of
    # the collector's full passes (the seeding's objects would otherwise be scanned in them).
    gc.collect()
    gc.freeze()
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {token}"}

        def get() -> None:
            response = client.get(f"/months/{month}/workspace", headers=headers)
            assert response.status_code == 200, response.text

        size = len(client.get(f"/months/{month}/workspace", headers=headers).content)
        with database.reader() as session:
            meeting = session.scalars(select(MeetingRow.id).where(MeetingRow.month == month)).first()
            draft = schedules.versions(session, month)[-1].id

        def rank() -> None:
            with database.reader() as session:
                planner = session.scalars(select(UserRow).where(UserRow.role == "planner")).one()
                candidates.rank(session, planner, month, str(meeting), schedule_id=draft)

        rows = [
            ("dựng mô hình tháng (services.workspace.month_view)", _measure(build, args.repeat)),
            (f"GET /months/{month}/workspace ({size / 1024:.0f} KB JSON)", _measure(get, args.repeat)),
            ("xếp hạng ứng viên một hội nghị (services.candidates.rank)", _measure(rank, max(5, args.repeat // 5))),
        ]
    app.state.runner.shutdown()
    print(f"Tải máy (1 phút): {os.getloadavg()[0]:.1f}")
    for name, (p50, p95, cpu50, cpu95) in rows:
        print(f"  {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms (CPU p50 {cpu50:.1f} ms, p95 {cpu95:.1f} ms)")
    database.dispose()
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.month_page", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--reset", action="store_true", help="drop the database's tables first (destroys its data)")
    parser.add_argument("--communes", type=int, default=168)
    parser.add_argument("--delegates", type=int, default=300)
    parser.add_argument("--months", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--solve-seconds", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=50, help="measurements of each")
    args = parser.parse_args(argv)
    if args.repeat < 2:
        parser.error("--repeat must be at least 2")
    return args


def seed(database: Database, args: argparse.Namespace) -> tuple[str, str]:
    """Import a generated month, solve and publish it, copy it into a draft; the month and a
    planner's token."""
    from api.planning import plan_from_result
    from solver import solve

    if args.reset:
        migrate.downgrade(str(database.engine.url), engine=database.engine)
    migrate.upgrade(str(database.engine.url), engine=database.engine)
    with database.reader() as session:
        if session.scalar(select(exists().where(CommuneRow.id.is_not(None)))):
            raise SystemExit("Cơ sở dữ liệu đã có dữ liệu: dùng --reset (xóa hết) hoặc một cơ sở dữ liệu trống.")
    document = generate(communes=args.communes, delegates=args.delegates, months=args.months, seed=args.seed)
    with database.transaction() as session:
        importer.import_instance(session, instance_from_document(document))
    month = min(m["start"][:7] for m in document["meetings"])
    with database.reader() as session:
        instance = month_instance(session, month)
    result = solve(instance, time_limit=args.solve_seconds)
    with database.transaction() as session:
        published = schedules.create_draft(session, month, plan_from_result(result), None, None)
        schedules.publish(session, published.id, published.revision, None)
        schedules.copy_to_draft(session, published, None)
        _, token = users.create_user(session, "Cán bộ đo hiệu năng", "planner")
    print(f"  tháng {month}: {len(result.assignments)} phân công, điểm {result.total} ({result.status})")
    return month, token


def _measure(action: Callable[[], None], repeat: int) -> tuple[float, float, float, float]:
    """p50 and p95 in milliseconds of ``repeat`` runs after five warm-up runs: wall time,
    then this process's CPU time (all its threads), which other work on a shared machine
    disturbs less (a PostgreSQL server's own CPU is not in it)."""
    for _ in range(5):
        action()
    walls, cpus = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return (*_p50_p95(walls), *_p50_p95(cpus))


def _p50_p95(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


if __name__ == "__main__":
    raise SystemExit(main())
