"""The month page's server time on a large month (a benchmark, not a timed test).

``python -m bench.pages [--database URL] [--communes 168] [--delegates 300] [--requests 50]``
generates a month (:mod:`scenarios.generator`), plans it with the greedy backend,
publishes it into an empty database (a new SQLite file by default; a PostgreSQL URL
must name an empty database), signs a planner in and asks ``/thang/YYYY-MM`` again and
again through the in-process client. It prints the page's size (raw and gzip) and the
median and 95th percentile of the answer time: the issue asks ≤ 300 ms at p95 and a
first load ≤ 500 KB compressed. For a planner that page is the workspace; the other
workspace pages (one seat's candidates, the balance chart, the versions) are timed after it.
"""

from __future__ import annotations

import argparse
import gzip
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.app import create_app
from api.settings import Settings
from models.io import instance_from_document
from models.storage import accounts, importer, migrate, schedules, users
from models.storage.db import Database
from models.storage.schedules import Plan
from models.storage.tables import UserRow
from scenarios.generator import generate
from solver.facade import solve

PASSWORD = "mat-khau-do-toc-do"


def add_planner(session: Session) -> UserRow:
    """The benchmark's planner account (``do-toc-do``), signed in by :func:`sign_in`."""
    planner, _ = users.create_user(session, "Đo tốc độ", "planner")
    planner.username = "do-toc-do"
    planner.password_hash = accounts.hash_password(PASSWORD)
    return planner


def sign_in(client: TestClient) -> None:
    """The benchmark's planner signed in through the page, as a person would."""
    form = client.get("/dang-nhap").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf is not None
    data = {"csrf": csrf.group(1), "username": "do-toc-do", "password": PASSWORD, "next": "/"}
    assert client.post("/dang-nhap", data=data).status_code == 200


def prepare(database: Database, url: str, communes: int, delegates: int, seed: int) -> str:
    """Load, plan and publish one generated month; its ``YYYY-MM``."""
    migrate.upgrade(url, engine=database.engine)
    document = generate(communes=communes, delegates=delegates, months=1, seed=seed)
    result = solve(instance_from_document(document), backend="greedy", time_limit=30)
    month = str(document["meetings"][0]["start"])[:7]
    gaps = [
        {"meeting": g.meeting, "seats": g.seats, "senior_missing": g.senior_missing, "reason": g.reason}
        for g in result.gaps
    ]
    with database.transaction() as session:
        importer.import_document(session, document)
        planner = add_planner(session)
        plan = Plan(pairs=list(result.assignments), total=result.objective or 0, gaps=gaps)
        draft = schedules.create_draft(session, month, plan, None, planner.id)
        schedules.publish(session, draft.id, draft.revision, planner.id)
    return month


def measure(database: Database, url: str, month: str, requests: int) -> tuple[int, int, list[float]]:
    app = create_app(Settings(load_sample=False, database_url=url), database)
    with TestClient(app) as client:
        sign_in(client)
        client.get(f"/thang/{month}")  # warm
        times = []
        body = b""
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(f"/thang/{month}")
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
            body = response.content
        others = _workspace_paths(body.decode(), month)
        for path in others:
            client.get(path)  # warm
            spent = []
            for _ in range(max(3, requests // 5)):
                started = time.perf_counter()
                answer = client.get(path)
                spent.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, (path, answer.status_code)
            spent.sort()
            print(f"  {path}: trung vị {statistics.median(spent):.1f} ms, p95 {_p95(spent):.1f} ms")
    app.state.runner.shutdown()
    return len(body), len(gzip.compress(body)), sorted(times)


def _workspace_paths(month_page: str, month: str) -> list[str]:
    """The planner's other workspace pages of the month (web/workspace.py), timed too:
    one seat's candidates (every delegate scored), the balance chart, the versions."""
    seat = re.search(r'href="(/thang/[^"]+/hoi-nghi/[^"]+)"', month_page)
    paths = [f"/thang/{month}/can-bang", f"/thang/{month}/ban"]
    return ([seat.group(1).replace("&amp;", "&")] if seat else []) + paths


def _p95(times: list[float]) -> float:
    return times[max(0, round(0.95 * len(times)) - 1)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description="Đo thời gian trang tháng")
    parser.add_argument("--database", help="URL of an empty database (default: a new SQLite file)")
    parser.add_argument("--communes", type=int, default=168)
    parser.add_argument("--delegates", type=int, default=300)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'bench-pages.db'}"
        database = Database.connect(url)
        try:
            month = prepare(database, url, args.communes, args.delegates, args.seed)
            raw, packed, times = measure(database, url, month, args.requests)
        finally:
            database.dispose()
    p95 = _p95(times)
    print(
        f"{database.backend}: /thang/{month}, {args.communes} xã, {args.delegates} đại biểu: "
        f"{raw} B ({packed} B gzip), trung vị {statistics.median(times):.1f} ms, p95 {p95:.1f} ms"
    )


if __name__ == "__main__":
    main()
