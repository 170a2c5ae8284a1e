"""The planner's year page's server time on a province's year (a benchmark, not a test).

``python -m bench.year_page [--database URL] [--communes 168] [--delegates 300]
[--requests 30] [--published 6]`` generates a year (:mod:`scenarios.generator`, twelve
months from January), plans each month with the greedy backend, publishes the first
``--published`` months and leaves the others as drafts (so the page reads both), into
an empty database (a new SQLite file by default; a PostgreSQL URL must name an empty
database), signs a planner in and asks ``/nam/YYYY`` again and again through the
in-process client, as :mod:`bench.pages` does for the month. It prints the page's size
(raw and gzip), the median and 95th percentile of the answer time, and the machine's
load average before measuring (the numbers are wall time on a shared machine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import gzip
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from bench.pages import _p95, add_planner, sign_in
from models.io import instance_from_document
from models.storage import importer, migrate, schedules
from models.storage.db import Database
from models.storage.schedules import Plan
from scenarios.generator import generate
from solver.facade import solve


def _month_document(document: dict[str, Any], month: str) -> dict[str, Any]:
    """The year's document cut to one month's meetings (and the pins and bans of those)."""
    meetings = [m for m in document["meetings"] if str(m["start"])[:7] == month]
    ids = {m["id"] for m in meetings}
    cut = {**document, "meetings": meetings}
    for key in ("pinned", "forbidden"):
        if key in document:
            cut[key] = [p for p in document[key] if p["meeting"] in ids]
    return cut


def prepare(database: Database, url: str, communes: int, delegates: int, seed: int, published: int) -> int:
    """Load a generated year, plan each month (greedy) and publish the first ones; its year."""
    migrate.upgrade(url, engine=database.engine)
    year = 2026
    document = generate(communes=communes, delegates=delegates, months=12, seed=seed, start=dt.date(year, 1, 1))
    months = sorted({str(m["start"])[:7] for m in document["meetings"]})
    with database.transaction() as session:
        importer.import_document(session, document)
        planner_id = add_planner(session).id
    for k, month in enumerate(months):
        result = solve(instance_from_document(_month_document(document, month)), backend="greedy", time_limit=30)
        gaps = [
            {"meeting": g.meeting, "seats": g.seats, "senior_missing": g.senior_missing, "reason": g.reason}
            for g in result.gaps
        ]
        with database.transaction() as session:
            plan = Plan(pairs=list(result.assignments), total=result.objective or 0, gaps=gaps)
            draft = schedules.create_draft(session, month, plan, None, planner_id)
            if k < published:
                schedules.publish(session, draft.id, draft.revision, planner_id)
    return year


def measure(database: Database, url: str, year: int, requests: int) -> tuple[int, int, list[float]]:
    app = create_app(Settings(load_sample=False, database_url=url), database)
    with TestClient(app) as client:
        sign_in(client)
        gc.collect()
        gc.freeze()  # as api.server does at start-up: the seeding's objects are not rescanned
        for _ in range(3):
            client.get(f"/nam/{year}")  # warm
        times = []
        body = b""
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(f"/nam/{year}")
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
            body = response.content
    app.state.runner.shutdown()
    return len(body), len(gzip.compress(body)), sorted(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.year_page", description="Đo thời gian trang cả năm")
    parser.add_argument("--database", help="URL of an empty database (default: a new SQLite file)")
    parser.add_argument("--communes", type=int, default=168)
    parser.add_argument("--delegates", type=int, default=300)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--published", type=int, default=6, help="months published (the rest stay drafts)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'bench-year.db'}"
        database = Database.connect(url)
        try:
            year = prepare(database, url, args.communes, args.delegates, args.seed, args.published)
            load = os.getloadavg()[0]
            raw, packed, times = measure(database, url, year, args.requests)
        finally:
            database.dispose()
    print(
        f"{database.backend}: /nam/{year}, {args.communes} xã × 12 tháng, {args.delegates} đại biểu, "
        f"{args.published} tháng đã công bố: {raw} B ({packed} B gzip), trung vị {statistics.median(times):.1f} ms, "
        f"p95 {_p95(times):.1f} ms (tải máy 1 phút trước khi đo: {load:.2f})"
    )


if __name__ == "__main__":
    main()
