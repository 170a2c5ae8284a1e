"""``phancong worker``: run solve jobs from the procrastinate queue, on PostgreSQL.

Workers also deliver the notification outbox (task ``phancong.deliver``, one attempt per
job, a retry deferred at the backoff: :mod:`api.deliveries`).

A worker process lowers its own CPU priority first (``PHANCONG_WORKER_NICE``, default 10:
:func:`lower_priority`), so that web processes on the same machine win the cores over a
solve. It runs one job at a time (a solve is CPU-bound: ``--concurrency N`` starts
N such processes under a supervisor that forwards signals to them). The procrastinate
task carries only our job's id; the job's row says everything else
(:func:`api.jobs.order_of`) and keeps its state, as with the in-process runner.

Crash safety, all through the jobs table:

* the worker running a job refreshes its ``heartbeat_at`` every ``heartbeat_seconds``
  (each beat also reads the cancel flag, set by whichever web process got the cancel);
* every worker sweeps every few seconds for running jobs whose heartbeat is older than
  ``stale_seconds`` (their worker was killed, or its machine lost): each is put back in
  the queue, with a new procrastinate job in the same transaction, at most
  ``max_retakes`` times, then failed with a message in Vietnamese
  (:func:`models.storage.jobs.retake_stale`);
* a worker that receives SIGTERM (or SIGINT) stops its solve early: the solver returns
  the best schedule found so far, which is saved as the job's draft (the job ends
  ``done``), and the process exits once it is written.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from procrastinate import App, JobContext, PsycopgConnector, manager
from procrastinate import jobs as procrastinate_jobs
from procrastinate import worker as procrastinate_worker
from procrastinate.exceptions import ConnectorException
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from api import deliveries
from api.deliveries import DELIVER_TASK
from api.jobs import QUEUE, TASK, Executor, Stop, defer, worker_name
from api.settings import Settings
from models.storage import jobs, migrate
from models.storage.db import Database, database_url
from models.storage.types import utcnow
from solver import Result, solve
from solver.backends.child import remove_stale_folders

log = logging.getLogger("phancong.worker")


class NotPostgres(Exception):
    """Workers need the shared PostgreSQL database: SQLite runs its jobs in the server."""


class NotMigrated(Exception):
    """The database is not at this release's migration: the worker does not migrate it
    (``phancong serve`` or ``python -m models.storage.migrate upgrade`` does, once)."""


REFUSED = 2
"""Exit code of a worker refused at start (the database, the settings): started again as
it is, it would be refused again."""


def conninfo(url: str | None) -> str:
    """The libpq URL procrastinate's psycopg pool takes, from our SQLAlchemy URL."""
    return make_url(database_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)


class Worker:
    """One worker process: a procrastinate worker running one job at a time, and a sweeper."""

    def __init__(self, settings: Settings, solve_function: Callable[..., Result] = solve) -> None:
        self.settings = settings
        self.database = Database.connect(settings.database_url, pool_size=4, max_overflow=4)
        if self.database.backend != "postgresql":
            self.database.dispose()
            raise NotPostgres(
                "phancong worker cần PostgreSQL (PHANCONG_DATABASE_URL=postgresql://…); "
                "với SQLite, phancong serve tự chạy các lượt giải"
            )
        try:
            check_migrated(self.database)
        except BaseException:
            self.database.dispose()
            raise
        self.name = worker_name()
        self.executor = Executor(self.database, settings, self.name, solve_function)
        self._stops: dict[str, Stop] = {}
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self.app = App(connector=PsycopgConnector(conninfo=conninfo(settings.database_url), min_size=1, max_size=3))
        self.app.job_manager = _JobManager(self.app.connector)
        self.app.task(name=TASK, queue=QUEUE, pass_context=True)(self._task)
        self.app.task(name=DELIVER_TASK, queue=QUEUE)(self._deliver)

    # -- in procrastinate's thread for a sync task --------------------------------------

    def _task(self, context: JobContext, job_id: str) -> None:
        stop = Stop()
        with self._lock:
            self._stops[job_id] = stop
        try:
            self.executor.run(job_id, stop, queue_job_id=context.job.id)
        finally:
            with self._lock:
                self._stops.pop(job_id, None)

    def _deliver(self, outbox_id: int) -> None:
        """A notification's delivery: one attempt, its retry deferred at the backoff."""
        deliveries.run_task(self.database, self.settings, outbox_id)

    # -- the sweeper -----------------------------------------------------------------------

    def sweep(self) -> jobs.Retaken:
        """Retake the running jobs whose worker stopped beating (see the module's docstring)."""
        stale = utcnow() - dt.timedelta(seconds=self.settings.stale_seconds)
        with self.database.transaction() as session:
            retaken = jobs.retake_stale(session, stale, self.settings.max_retakes)
            for job in [*retaken.queued]:
                if job.queue_job_id is not None:
                    # The dead worker's procrastinate job stays as a failed record of the crash.
                    session.execute(
                        text(
                            "SELECT procrastinate_finish_job_v1(id, 'failed', false) FROM procrastinate_jobs "
                            "WHERE id = :id AND status = 'doing'"
                        ),
                        {"id": job.queue_job_id},
                    )
                job.queue_job_id = defer(session, job.id)
        for job in retaken.queued:
            log.warning("job %s retaken (attempt %d): its worker stopped beating", job.id, job.attempts)
        for job_id in retaken.failed:
            log.error("job %s failed: its workers died %d times", job_id, self.settings.max_retakes + 1)
        return retaken

    def _sweep_loop(self) -> None:
        # Often enough that a dead worker's job waits about ``stale_seconds`` more, no more.
        interval = max(self.settings.heartbeat_seconds, self.settings.stale_seconds / 4)
        while not self._closed.wait(interval):
            try:
                self.sweep()
                deliveries.sweep_queue(self.database, self.settings)
            except Exception:  # the next sweep tries again
                log.exception("sweep")

    # -- running -----------------------------------------------------------------------

    def stop_solves(self) -> None:
        """Stop every running solve; each saves its best schedule and ends ``done``."""
        with self._lock:
            for stop in self._stops.values():
                stop.stop("shutdown")

    async def _run(self) -> None:
        async with self.app.open_async():
            worker = procrastinate_worker.Worker(
                app=self.app,
                queues=[QUEUE],
                concurrency=1,
                name=self.name,
                install_signal_handlers=False,
                fetch_job_polling_interval=self.settings.worker_poll_seconds,
                abort_job_polling_interval=self.settings.worker_poll_seconds * 5,
                delete_jobs="successful",
            )
            loop = asyncio.get_running_loop()

            def on_signal() -> None:
                log.info("worker %s stopping: saving the best schedule of its solve", self.name)
                self.stop_solves()
                worker.stop()

            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, on_signal)
            await worker.run()

    def run(self) -> None:
        for folder in remove_stale_folders():
            log.info("removed %s: the solver folder of a process that is gone", folder)
        sweeper = threading.Thread(target=self._sweep_loop, name="phancong-sweep", daemon=True)
        sweeper.start()
        try:
            asyncio.run(self._run())
        finally:
            self._closed.set()
            self.stop_solves()
            self.database.dispose()


def check_migrated(database: Database) -> None:
    """Refuse a database that is not at this release's migration (:class:`NotMigrated`)."""
    current, head = migrate.current_revision(database.engine), migrate.head_revision()
    if current == head:
        return
    upgrade = "python -m models.storage.migrate upgrade"
    if current is None:
        raise NotMigrated(f"cơ sở dữ liệu chưa có bảng của phancong; hãy chạy {upgrade} (hoặc phancong serve) trước")
    raise NotMigrated(
        f"cơ sở dữ liệu ở phiên bản {current}, máy giải này cần phiên bản {head}; "
        f"hãy chạy {upgrade} của bản đang dùng rồi khởi động lại máy giải"
    )


class _JobManager(manager.JobManager):
    """procrastinate's job manager, told that a queue job the sweep already closed is no error.

    A worker that only paused past the stale window loses its job to a retake: the sweep
    marks its procrastinate job failed and defers a new one. When the paused worker wakes,
    it drops its answer (:class:`models.storage.jobs.Lost`), and procrastinate then tries
    to mark the old job done, which its SQL refuses; raised in a task nobody awaits, that
    was an asyncio "Task exception was never retrieved" with a traceback. Here it is one line.
    """

    async def finish_job(
        self, job: procrastinate_jobs.Job, status: procrastinate_jobs.Status, delete_job: bool
    ) -> None:
        try:
            await super().finish_job(job, status, delete_job)
        except ConnectorException as error:
            if 'not in "doing"' not in str(error.__cause__):
                raise
            log.info("queue job %s was already closed by the sweep (its job was retaken): nothing to record", job.id)


def lower_priority(nice: int, idle: bool = False) -> None:
    """Lower this process's CPU priority by ``nice``, before any thread starts (each thread,
    the solver's included, inherits it): a solve uses every core it is given, and a web
    process on the same machine must still answer within milliseconds. The scheduler
    gives a niced solver what the web processes leave, so the solve loses little when they
    are idle. With ``idle``, the process also enters Linux's SCHED_IDLE class: niceness
    only weighs shares, so a web process that wakes may still wait for the solver's time
    slice to end, where an idle-class solver gives the core up at once (measured in
    docs/performance.md). Neither on Windows (no ``os.nice``), the class only on Linux."""
    if nice > 0 and hasattr(os, "nice"):
        os.nice(nice)
    if idle and hasattr(os, "SCHED_IDLE"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except OSError as error:  # a container may refuse it: the niceness still holds
            log.warning("SCHED_IDLE refused (%s); the worker runs niced only", error)


def run(settings: Settings | None = None, solve_function: Callable[..., Result] = solve) -> None:
    """Run one worker process until SIGTERM or SIGINT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its lines on reading the revision say nothing here
    settings = settings or Settings()
    lower_priority(settings.worker_nice, settings.worker_idle)
    worker = Worker(settings, solve_function)
    print(f"Máy giải {worker.name} đang chờ việc (hàng đợi {QUEUE})", flush=True)
    worker.run()


def supervise(concurrency: int, command: list[str] | None = None) -> int:
    """Run ``concurrency`` worker processes; forward SIGTERM/SIGINT to them; start again
    one that died while not asked to stop (its job is retaken by the others meanwhile)."""
    command = command or [sys.executable, "-m", "api.worker"]
    children = [subprocess.Popen(command) for _ in range(concurrency)]
    stopping = threading.Event()

    def forward(signum: int, _frame: Any) -> None:
        stopping.set()
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    code = 0
    while True:
        for index, child in enumerate(children):
            if child.poll() == REFUSED and not stopping.is_set():
                # Refused at start (it said why): another would be refused too. Stop them all.
                code = REFUSED
                forward(signal.SIGTERM, None)
            elif child.poll() is not None and not stopping.is_set():
                log.warning("worker process %d ended (%s); starting another", child.pid, child.returncode)
                time.sleep(1)
                children[index] = subprocess.Popen(command)
        if stopping.is_set() and all(child.poll() is not None for child in children):
            return code
        time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    """Run a worker; a refusal or a database that cannot be reached is one line on
    standard error (its traceback at DEBUG) and a non-zero exit, never a traceback."""
    try:
        run()
    except (NotPostgres, NotMigrated) as error:
        print(f"Lỗi: {error}", file=sys.stderr)
        return REFUSED
    except (ConnectorException, OperationalError) as error:
        log.debug("database error", exc_info=True)
        cause = str(error.__cause__ or getattr(error, "orig", None) or error).strip().splitlines()
        print(f"Lỗi: không dùng được cơ sở dữ liệu: {cause[0] if cause else type(error).__name__}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
