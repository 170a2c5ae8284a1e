"""Load test of the delegates' calendar endpoints (``python -m api.loadtest``).

Builds a province-sized database (generated: ``--communes`` communes, ``--delegates``
delegates, ``--months`` months each solved and published), gives every delegate an
account and a calendar feed, starts the real server (``api.server``, uvicorn) on the
loopback interface, and sends an open-loop stream of requests at ``--rate`` requests per
second: first the JSON calendar (``GET /me/calendar`` with each delegate's token), then
the iCalendar feed (``GET /calendar/{token}.ics``), each for ``--seconds`` seconds.

Latency is measured from the moment a request was *due*, not from when it was sent, so
a server (or client) falling behind shows in the numbers instead of slowing the load.
Everything is bounded in time and stays on 127.0.0.1. The database named by
``--database-url`` must be empty, or ``--reset`` drops its tables first; by default a
temporary SQLite file is used.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Coroutine
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import exists, select

from models.io import instance_from_document
from models.storage import importer, migrate, schedules, users
from models.storage.db import Database
from models.storage.mapping import month_instance
from models.storage.tables import CommuneRow, DelegateRow, JobRow, ScheduleRow
from scenarios.generator import generate

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class EndpointLoad:
    endpoint: str
    target_rate: float
    seconds: float
    sent: int
    ok: int
    errors: int
    achieved_rate: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    server_cpu: float | None = None
    """Share of one core the server process used during the measurement (Linux only)."""
    machine_cpu: float | None = None
    """Share of all cores busy on the machine during the measurement: everything else
    (other work on a shared machine) shows here and not in ``server_cpu``."""


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    started = time.monotonic()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='phancong-load-')) / 'load.db'}"
    print(f"Cơ sở dữ liệu: {Database.connect(url).engine.url.render_as_string(hide_password=True)}", flush=True)
    tokens = build(url, args)
    print(f"Dữ liệu sẵn sàng sau {time.monotonic() - started:.1f} s", flush=True)
    port = args.port or _free_port()
    server = _serve(url, port, args.workers)
    solving = None
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base, server)
        if args.with_solve:
            solving = _Solving(url, args)
        load_before = os.getloadavg()[0]
        outcomes = _run_loop(_measure(base, tokens, args, server.pid))
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(30)
        if solving is not None:
            print(f"Giải cùng lúc: {solving.close()}", flush=True)
    report(outcomes, url, args, (load_before, load_after))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(o) for o in outcomes], indent=1), encoding="utf-8")
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m api.loadtest", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--reset", action="store_true", help="drop the database's tables first (destroys its data)")
    parser.add_argument("--communes", type=int, default=168)
    parser.add_argument("--delegates", type=int, default=300)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--solve-seconds", type=float, default=20.0, help="time limit of each month's solve")
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=15.0, help="duration of each endpoint's run")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring")
    parser.add_argument("--connections", type=int, default=32, help="client connections (keep-alive)")
    parser.add_argument(
        "--workers", type=int, default=1, help="web processes (above 1: PostgreSQL; server CPU is then the parent's)"
    )
    parser.add_argument(
        "--with-solve",
        action="store_true",
        help="PostgreSQL: a phancong worker solves the first month (re-planned) during the whole measurement",
    )
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=None,
        help="with --with-solve: the worker's PHANCONG_WORKER_NICE (default: the worker's own setting)",
    )
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.seconds <= 0 or args.seconds > 600:
        parser.error("--rate must be positive and --seconds in (0, 600]")
    return args


# -- the data -----------------------------------------------------------------------


@dataclass(frozen=True)
class Tokens:
    bearer: list[str]
    """One account token per delegate (JSON calendar)."""
    feeds: list[str]
    """One feed secret per delegate (iCalendar)."""


def build(url: str, args: argparse.Namespace) -> Tokens:
    """Generate, import, solve and publish the months; one account and feed per delegate."""
    database = Database.connect(url)
    if args.reset:
        migrate.downgrade(url, engine=database.engine)
    migrate.upgrade(url, engine=database.engine)
    with database.reader() as session:
        if session.scalar(select(exists().where(CommuneRow.id.is_not(None)))):
            raise SystemExit("Cơ sở dữ liệu đã có dữ liệu: dùng --reset (xóa hết) hoặc một cơ sở dữ liệu trống.")
    document = generate(communes=args.communes, delegates=args.delegates, months=args.months, seed=args.seed)
    with database.transaction() as session:
        importer.import_instance(session, instance_from_document(document))
    months = sorted({m["start"][:7] for m in document["meetings"]})
    for month in months:
        _plan_and_publish(database, month, args.solve_seconds)
    with database.transaction() as session:
        bearer, feeds = [], []
        for (delegate_id,) in session.execute(select(DelegateRow.id).order_by(DelegateRow.id)):
            bearer.append(users.create_user(session, f"Đại biểu {delegate_id}", "delegate", delegate_id=delegate_id)[1])
            feeds.append(users.rotate_feed(session, delegate_id))
    _settle(database)
    database.dispose()
    return Tokens(bearer, feeds)


def _settle(database: Database) -> None:
    """Statistics and a checkpoint after the bulk load, as a database in service has them:
    otherwise PostgreSQL's autovacuum and checkpointer do that work during the measurement."""
    raw = database.engine.raw_connection()  # outside any transaction: both need that
    try:
        cursor = raw.cursor()
        if database.backend == "postgresql":
            raw.driver_connection.autocommit = True  # type: ignore[union-attr]
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.invalidate()  # its session settings were changed: do not return it to the pool


def _plan_and_publish(database: Database, month: str, seconds: float) -> None:
    from api.planning import plan_from_result
    from solver import solve

    with database.reader() as session:
        instance = month_instance(session, month)
    result = solve(instance, time_limit=seconds)
    with database.transaction() as session:
        draft = schedules.create_draft(session, month, plan_from_result(result), None, None)
        schedules.publish(session, draft.id, draft.revision, None)
    print(f"  tháng {month}: {len(result.assignments)} phân công, điểm {result.total} ({result.status})", flush=True)


# -- the server ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(url: str, port: int, workers: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PHANCONG_DATABASE_URL": url, "PHANCONG_LOAD_SAMPLE": "false"}
    command = [sys.executable, "-m", "api.server", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    log = tempfile.NamedTemporaryFile("w", prefix="phancong-load-server-", suffix=".log", delete=False)  # noqa: SIM115
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True)


class _Solving:
    """A ``phancong worker`` process kept solving for the whole measurement: a re-plan of the
    first month is queued, and another as soon as one ends (a solve that proves its optimum
    early would otherwise leave the load alone with idle cores). Samples, five times a
    second, whether a solve is running, so the report says how much of the time one was."""

    def __init__(self, url: str, args: argparse.Namespace) -> None:
        self.database = Database.connect(url)
        if self.database.backend != "postgresql":
            raise SystemExit("--with-solve cần PostgreSQL (hàng đợi lượt giải)")
        with self.database.reader() as session:
            self.month = min(session.scalars(select(ScheduleRow.month)))
        self.seconds = 2 * (args.warmup + args.seconds) + 10
        env = {**os.environ, "PHANCONG_DATABASE_URL": url}
        if args.worker_nice is not None:
            env["PHANCONG_WORKER_NICE"] = str(args.worker_nice)
        log = tempfile.NamedTemporaryFile("w", prefix="phancong-load-worker-", suffix=".log", delete=False)  # noqa: SIM115
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "api.worker"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log, text=True
        )
        self.job_id = self._queue()
        self.solves, self.samples, self.running = 1, 0, 0
        self._closed = threading.Event()
        deadline = time.monotonic() + 60
        while self._state() == "queued":
            if time.monotonic() > deadline or self.worker.poll() is not None:
                raise SystemExit("máy giải không nhận lượt giải (xem nhật ký phancong-load-worker-*.log)")
            time.sleep(0.2)
        self._thread = threading.Thread(target=self._keep, name="loadtest-solving", daemon=True)
        self._thread.start()

    def _queue(self) -> str:
        from api.jobs import defer
        from models.storage import jobs

        with self.database.transaction() as session:
            job = jobs.create(session, None, self.month, self.seconds)
            defer(session, job.id)
            return job.id

    def _state(self) -> str:
        with self.database.reader() as session:
            job = session.get(JobRow, self.job_id)
            return "?" if job is None else job.status

    def _keep(self) -> None:
        while not self._closed.wait(0.2):
            state = self._state()
            self.samples += 1
            self.running += state == "running"
            if state not in ("queued", "running"):
                self.job_id, self.solves = self._queue(), self.solves + 1

    def close(self) -> str:
        self._closed.set()
        self._thread.join(5)
        self.worker.terminate()  # SIGTERM: its solve saves its best and it exits
        self.worker.wait(60)
        self.database.dispose()
        share = 100 * self.running / max(1, self.samples)
        return f"{self.solves} lượt giải liên tiếp; có lượt đang giải trong {share:.0f} % thời gian đo"


def _wait_ready(base: str, server: subprocess.Popen[str]) -> None:
    # Generous: on a loaded machine, several web processes importing the app take a while.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("máy chủ dừng khi khởi động (xem nhật ký phancong-load-server-*.log trong thư mục tạm)")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("máy chủ không sẵn sàng sau 180 s")


# -- the load -----------------------------------------------------------------------


class _Connections:
    """A minimal HTTP/1.1 keep-alive client over asyncio streams, for GETs only.

    The load generator shares the machine with the server; a full client library spends
    several times more CPU per request than the server under test, so this one does the
    least that HTTP needs: write the request, read the status line, the headers and
    ``Content-Length`` bytes of body.
    """

    def __init__(self, host: str, port: int, size: int) -> None:
        self.host, self.port, self.size = host, port, size
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
        self.opened = 0

    async def get(self, path: str, headers: dict[str, str]) -> int:
        if self.idle.empty() and self.opened < self.size:
            self.opened += 1
            connection = await asyncio.open_connection(self.host, self.port)
        else:
            connection = await self.idle.get()
        reader, writer = connection
        lines = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}", *(f"{k}: {v}" for k, v in headers.items())]
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
            if length is None:
                raise RuntimeError("response without Content-Length")
            await reader.readexactly(int(length.group(1)))
        except BaseException:
            # A request that failed or timed out leaves its stream mid-response: drop the
            # connection so that a new one takes its place. Kept, it was lost to the pool,
            # and once all were lost every later request failed (an overloaded run showed
            # 100 % errors on the second endpoint for that reason alone).
            writer.close()
            self.opened -= 1
            raise
        self.idle.put_nowait(connection)
        return status

    async def close(self) -> None:
        while not self.idle.empty():
            _, writer = self.idle.get_nowait()
            writer.close()


async def _measure(base: str, tokens: Tokens, args: argparse.Namespace, server_pid: int) -> list[EndpointLoad]:
    host, port = base.removeprefix("http://").split(":")
    client = _Connections(host, int(port), args.connections)
    try:
        json_requests = [("/me/calendar", {"Authorization": f"Bearer {t}"}) for t in tokens.bearer]
        ics_requests: list[tuple[str, dict[str, str]]] = [(f"/calendar/{t}.ics", {}) for t in tokens.feeds]
        outcomes = []
        for name, requests in (("JSON /me/calendar", json_requests), ("ICS /calendar/{token}.ics", ics_requests)):
            await _run(client, requests, args.rate, args.warmup)
            before = _cpu(server_pid)
            outcome = _summary(name, args, *await _run(client, requests, args.rate, args.seconds))
            outcome.server_cpu, outcome.machine_cpu = _cpu_use(before, _cpu(server_pid))
            outcomes.append(outcome)
            print(f"  {name}: xong", flush=True)
        return outcomes
    finally:
        await client.close()


async def _run(
    client: _Connections, requests: list[tuple[str, dict[str, str]]], rate: float, seconds: float
) -> tuple[list[float], int, float]:
    """Send ``rate`` requests per second for ``seconds`` (open loop); latencies in seconds."""
    rng = random.Random(7)
    count = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter() + 0.05

    async def one(due: float, path: str, headers: dict[str, str]) -> None:
        nonlocal errors
        try:
            ok = await asyncio.wait_for(client.get(path, headers), 10) == 200
        except (TimeoutError, OSError, asyncio.IncompleteReadError, RuntimeError, ValueError):
            ok = False
        if ok:
            latencies.append(time.perf_counter() - due)
        else:
            errors += 1

    # Each request is started when it is due, by one loop: creating all of them at once
    # (as this did) made the client busy for the first tenth of a second of every run,
    # and the requests due then were counted late: a tail that was the client's own.
    tasks = []
    for i in range(count):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due, *rng.choice(requests))))
    await asyncio.gather(*tasks)
    return latencies, errors, time.perf_counter() - start


def _run_loop(main: Coroutine[Any, Any, list[EndpointLoad]]) -> list[EndpointLoad]:
    """On uvloop where it is installed (as the server runs): the client shares the cores
    with the server, and asyncio's own loop costs it about twice the CPU per request."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def _cpu(pid: int) -> tuple[float, float, float, float] | None:
    """(process CPU seconds, machine busy jiffies, machine total jiffies, wall time); None off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        process = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        ticks = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    idle = ticks[3] + ticks[4]
    return process, sum(ticks) - idle, sum(ticks), time.monotonic()


def _cpu_use(
    before: tuple[float, float, float, float] | None, after: tuple[float, float, float, float] | None
) -> tuple[float | None, float | None]:
    if before is None or after is None:
        return None, None
    wall = after[3] - before[3]
    server = round(100 * (after[0] - before[0]) / wall, 1)
    machine = round(100 * (after[1] - before[1]) / max(1, after[2] - before[2]), 1)
    return server, machine


def _summary(name: str, args: argparse.Namespace, latencies: list[float], errors: int, elapsed: float) -> EndpointLoad:
    ms = sorted(1000 * x for x in latencies) or [float("nan")]

    def pct(p: float) -> float:
        return round(ms[min(len(ms) - 1, int(p / 100 * len(ms)))], 2)

    return EndpointLoad(
        endpoint=name,
        target_rate=args.rate,
        seconds=round(elapsed, 2),
        sent=len(latencies) + errors,
        ok=len(latencies),
        errors=errors,
        achieved_rate=round((len(latencies) + errors) / elapsed, 1),
        p50_ms=round(statistics.median(ms), 2),
        p90_ms=pct(90),
        p99_ms=pct(99),
        max_ms=round(ms[-1], 2),
    )


def report(outcomes: list[EndpointLoad], url: str, args: argparse.Namespace, load: tuple[float, float]) -> None:
    backend = re.sub(r"\+.*", "", url.split(":", 1)[0])
    print()
    print(
        f"Máy: {platform.node()} · {platform.processor() or platform.machine()} · {os.cpu_count()} lõi · "
        f"Python {platform.python_version()} · CSDL {backend} · tải máy (1 phút) trước / sau khi đo: "
        f"{load[0]:.2f} / {load[1]:.2f}"
    )
    print(
        f"Dữ liệu: {args.communes} xã, {args.delegates} đại biểu, {args.months} tháng đã công bố; "
        f"tải {args.rate:g} yêu cầu/s trong {args.seconds:g} s mỗi loại (sau {args.warmup:g} s khởi động)"
    )
    print()
    print(
        "| endpoint | target req/s | achieved req/s | ok | errors | p50 ms | p90 ms | p99 ms | max ms "
        "| server CPU % (1 core) | machine CPU % (all cores) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for o in outcomes:
        print(
            f"| {o.endpoint} | {o.target_rate:g} | {o.achieved_rate} | {o.ok} | {o.errors} | "
            f"{o.p50_ms} | {o.p90_ms} | {o.p99_ms} | {o.max_ms} | {o.server_cpu} | {o.machine_cpu} |"
        )


if __name__ == "__main__":
    raise SystemExit(main())
