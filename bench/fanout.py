"""Wall time of the two fan-outs over the job queue, with 1 and 2 workers (``python -m bench.fanout``).

Self-contained: creates a PostgreSQL database of its own on the server of ``--admin-url``
(migrated, with procrastinate's schema), generates a month (``--communes``,
``--delegates``), solves its base schedule once, writes it and ``--scenarios`` what-if
files (each: one assigned delegate away on one of their days) into a temporary folder,
then for each worker count starts that many ``phancong worker`` processes (one solver
thread each) and times, ``--repeat`` times each:

* ``robustness``: :func:`scenarios.robustness.analyse` with the re-plans fanned out
  (:func:`api.fanout.robustness_on_queue`), what ``phancong scenario robustness --queue`` runs;
* ``compare``: :func:`api.fanout.compare_on_queue` over the scenario files, what
  ``phancong scenario compare --queue`` runs (bases read once, before the clock starts).

It prints each run, the median per fan-out and worker count, and the machine's load
average at the start and at the end; the database and the folder are removed at the end,
whatever happens. Only the loopback PostgreSQL server is touched.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import yaml
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    load_start = os.getloadavg()
    print(f"Tải máy lúc bắt đầu (1/5/15 phút): {_load(load_start)} · {os.cpu_count()} lõi · {platform.node()}")
    with _database(args.admin_url) as url, tempfile.TemporaryDirectory(prefix="phancong-bench-fanout-") as folder:
        case = _case(Path(folder), args)
        print(
            f"Bài toán: {args.communes} xã, {args.delegates} đại biểu; {case.replans} lần giải lại (độ vững), "
            f"{len(case.files)} kịch bản (so sánh); giới hạn {args.time_limit:g} s mỗi phần",
            flush=True,
        )
        times: dict[tuple[str, int], list[float]] = {}
        for count in args.workers:
            with _workers(url, count):
                for rep in range(1, args.repeat + 1):
                    for name, run in (("robustness", case.robustness), ("compare", case.compare)):
                        seconds = run(url)
                        times.setdefault((name, count), []).append(seconds)
                        print(f"  {name:10} · {count} máy giải · lần {rep}: {seconds:.2f} s", flush=True)
    load_end = os.getloadavg()
    print()
    print("| fan-out | workers | median wall s | runs s |")
    print("|---|---:|---:|---|")
    for (name, count), values in times.items():
        runs = ", ".join(f"{v:.2f}" for v in values)
        print(f"| {name} | {count} | {statistics.median(values):.2f} | {runs} |")
    print()
    print(f"Tải máy lúc bắt đầu / kết thúc (1/5/15 phút): {_load(load_start)} / {_load(load_end)}")
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("PHANCONG_TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test"),
        help="a PostgreSQL database to connect to while creating and dropping the benchmark's own",
    )
    parser.add_argument("--communes", type=int, default=30)
    parser.add_argument("--delegates", type=int, default=60)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--scenarios", type=int, default=8, help="what-if files compared")
    parser.add_argument("--time-limit", type=float, default=3.0, help="seconds per re-plan or scenario")
    parser.add_argument("--days", action="store_true", help="robustness: each assigned day too (more parts)")
    parser.add_argument("--workers", type=lambda v: [int(x) for x in v.split(",")], default=[1, 2])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if args.repeat < 1 or min(args.workers) < 1 or args.scenarios < 1:
        parser.error("--repeat, --workers and --scenarios must be positive")
    return args


def _load(values: tuple[float, float, float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


# -- the database and the workers --------------------------------------------------------


@contextmanager
def _database(admin_url: str) -> Iterator[str]:
    """A fresh, migrated database of its own, dropped at the end."""
    from models.storage import migrate

    admin = make_url(admin_url)
    conninfo = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"phancong_bench_fanout_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        url = admin.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
        migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _workers(url: str, count: int) -> Iterator[None]:
    """``count`` worker processes, one solver thread each, stopped (SIGTERM) at the end."""
    # Full priority: no web process runs here, and the fan-out itself is what is timed.
    env = {**os.environ, "PHANCONG_DATABASE_URL": url, "PHANCONG_SOLVER_THREADS": "1", "PHANCONG_WORKER_NICE": "0"}
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "api.worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(count)
    ]
    try:
        for process in started:  # each says so once it waits for jobs
            assert process.stdout is not None
            if not process.stdout.readline():
                raise SystemExit("một máy giải dừng khi khởi động")
        yield
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.wait(60)


# -- the case ------------------------------------------------------------------------------


class _Case:
    def __init__(self, document: dict[str, Any], pairs: list[tuple[str, str]], files: list[Path], args: Any) -> None:
        from models.io import instance_from_document
        from scenarios.robustness import absences

        self.document, self.pairs, self.files, self.args = document, pairs, files, args
        self.replans = len(absences(instance_from_document(document), pairs, days=args.days))

    def robustness(self, url: str) -> float:
        from api.fanout import robustness_on_queue
        from scenarios.robustness import analyse

        return _timed(
            url,
            lambda database: analyse(
                self.document,
                self.pairs,
                time_limit=self.args.time_limit,
                days=self.args.days,
                solve_all=robustness_on_queue(database, self.document, self.pairs, self.args.time_limit),
            ),
        )

    def compare(self, url: str) -> float:
        from api.fanout import compare_on_queue
        from scenarios.runner import BaseCache
        from scenarios.scenario import load_scenario

        cache = BaseCache()
        scenarios = [load_scenario(f) for f in self.files]
        runs = [(s, cache.get(s, time_limit=self.args.time_limit, workers=1)) for s in scenarios]
        return _timed(url, lambda database: compare_on_queue(database, runs, None, self.args.time_limit))


def _timed(url: str, run: Callable[[Any], object]) -> float:
    from models.storage.db import Database

    database = Database.connect(url)
    try:
        started = time.perf_counter()
        run(database)
        return time.perf_counter() - started
    finally:
        database.dispose()


def _case(folder: Path, args: argparse.Namespace) -> _Case:
    """The generated month, its base schedule solved once, and the what-if files on it."""
    from models.io import instance_from_document, write_solution
    from scenarios.generator import generate
    from solver import solve

    document = generate(communes=args.communes, delegates=args.delegates, months=1, seed=args.seed)
    instance = instance_from_document(document)
    result = solve(instance, time_limit=max(10.0, args.time_limit), workers=1)
    (folder / "base.instance.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    write_solution(result.to_solution(instance), folder / "base.solution.json")
    # The busiest delegates first, each away on the day of their first meeting.
    load: dict[str, list[str]] = {}
    for meeting, delegate in result.assignments:
        load.setdefault(delegate, []).append(meeting)
    busiest = sorted(load, key=lambda d: (-len(load[d]), d))[: args.scenarios]
    files = []
    for i, delegate in enumerate(busiest):
        day = min(instance.meeting(m).day for m in load[delegate]).isoformat()
        away = {"kind": "delegate_away", "delegate": delegate, "from": day, "to": day, "reason": "Nghỉ ốm"}
        scenario = {
            "name": f"Vắng {i + 1}",
            "base": "base.instance.json",
            "published": "base.solution.json",
            "mode": "changes_first",
            "changes": [away],
        }
        path = folder / f"vang-{i + 1}.yaml"
        path.write_text(yaml.safe_dump(scenario, allow_unicode=True, sort_keys=False), encoding="utf-8")
        files.append(path)
    return _Case(document, list(result.assignments), files, args)


if __name__ == "__main__":
    raise SystemExit(main())
