"""Solve jobs run by a bounded executor inside the server process.

A job solves a month into a draft (:class:`SolveOrder`) or runs a what-if scenario
(:class:`services.scenario_runs.ScenarioOrder`, whose answer is a scenario result, never a
schedule version). A job's state lives in its database row (:mod:`models.storage.jobs`):
status, progress (best score and bound so far, written at most every
``progress_interval`` seconds), the draft or result it produced, or the error. The only
thing held in memory is each running job's stop event, which is how a job is cancelled
(the solver then returns the best schedule found so far). At start-up, jobs a previous
process left unfinished are marked failed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from api.planning import plan_from_result
from api.settings import Settings
from models.instance import Instance
from models.storage import audit, jobs, schedules
from models.storage.db import Database
from models.storage.tables import UserRow
from services import scenario_runs
from services.scenario_runs import ScenarioOrder
from solver import Result, solve
from solver.backends import Progress

log = logging.getLogger("phancong.jobs")


@dataclass(frozen=True)
class SolveOrder:
    """Everything a job needs, fixed when it is accepted."""

    job_id: str
    month: str
    instance: Instance
    base_id: int | None
    """The published version the draft will be planned against (None: first plan)."""
    time_limit: float
    changes_first: bool
    user_id: int | None


class JobRunner:
    """Runs at most ``settings.solve_executors`` solves at once; the rest wait in order."""

    def __init__(self, database: Database, settings: Settings, solve_function: Callable[..., Result] = solve) -> None:
        self.database = database
        self.settings = settings
        self._solve_function = solve_function  # the solver's facade; tests may wrap it
        self._executor = ThreadPoolExecutor(max_workers=settings.solve_executors, thread_name_prefix="phancong-solve")
        self._stops: dict[str, threading.Event] = {}
        self._futures: dict[str, Future[None]] = {}
        self._lock = threading.Lock()

    def recover(self) -> int:
        """Fail the jobs a previous process left queued or running."""
        with self.database.transaction() as session:
            return jobs.fail_orphans(session)

    def submit(self, order: SolveOrder | ScenarioOrder) -> None:
        with self._lock:
            self._stops[order.job_id] = threading.Event()
            self._futures[order.job_id] = self._executor.submit(self._run, order)

    def cancel(self, job_id: str) -> bool:
        """Ask a queued or running job to stop; False when this process does not run it."""
        with self._lock:
            event = self._stops.get(job_id)
        if event is None:
            return False
        event.set()
        return True

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        """Block until the job has finished (tests and the load script use it)."""
        with self._lock:
            future = self._futures.get(job_id)
        if future is not None:
            future.result(timeout)

    def shutdown(self) -> None:
        """Stop every job (each saves its best schedule so far) and wait for them."""
        with self._lock:
            for event in self._stops.values():
                event.set()
        self._executor.shutdown(wait=True, cancel_futures=True)

    # -- in the worker thread -----------------------------------------------------

    def _run(self, order: SolveOrder | ScenarioOrder) -> None:
        stop = self._stops[order.job_id]
        try:
            if stop.is_set() or not self._start(order):
                self._finish_cancelled_before_start(order)
                return
            if isinstance(order, ScenarioOrder):
                scenario_runs.run(self.database, self.settings, order, stop, self._progress(order.job_id))
            else:
                self._solve(order, stop)
        except Exception as error:  # a job must end with a status, whatever went wrong
            log.exception("job %s failed", order.job_id)
            with self.database.transaction() as session:
                jobs.finish(session, order.job_id, "failed", error=f"Lỗi khi giải: {type(error).__name__}: {error}")
        finally:
            with self._lock:
                self._stops.pop(order.job_id, None)
                self._futures.pop(order.job_id, None)

    def _start(self, order: SolveOrder | ScenarioOrder) -> bool:
        with self.database.transaction() as session:
            return jobs.start(session, order.job_id)

    def _finish_cancelled_before_start(self, order: SolveOrder | ScenarioOrder) -> None:
        with self.database.transaction() as session:
            jobs.cancel_queued(session, order.job_id)

    def _progress(self, job_id: str) -> Callable[[Progress], None]:
        """A callback storing the solver's progress in the job's row, at most once per interval."""
        throttle = _Throttle(self.settings.progress_interval)

        def on_progress(progress: Progress) -> None:
            if throttle.due():
                with self.database.transaction() as session:
                    jobs.progress(session, job_id, progress.seconds, progress.objective, progress.bound)

        return on_progress

    def _solve(self, order: SolveOrder, stop: threading.Event) -> None:
        on_progress = self._progress(order.job_id)
        hint = [(p.meeting, p.delegate) for p in order.instance.reference] or None
        result = self._solve_function(
            order.instance,
            time_limit=order.time_limit,
            workers=self.settings.solver_threads,
            hint=hint,
            on_progress=on_progress,
            stop=stop,
            priority=("changes",) if order.changes_first and order.instance.reference else (),
        )
        status = "cancelled" if stop.is_set() else "done"
        if result.status == "infeasible" or result.report is None:
            with self.database.transaction() as session:
                message = "Không lập được lịch: " + " ".join(result.problems)
                jobs.finish(session, order.job_id, "failed", result_status="infeasible", error=message)
            return
        plan = plan_from_result(result)
        for attempt in range(3):
            try:
                with self.database.transaction() as session:
                    draft = schedules.create_draft(session, order.month, plan, order.base_id, order.user_id)
                    jobs.finish(
                        session,
                        order.job_id,
                        status,
                        schedule_id=draft.id,
                        result_status=result.status,
                        best=result.report.total,
                        bound=result.bound,
                        seconds=round(result.seconds, 3),
                    )
                    user = session.get(UserRow, order.user_id) if order.user_id is not None else None
                    detail = {"job": order.job_id, "score": plan.total, "status": result.status}
                    audit.record(session, user, "schedule.solve", "schedule", draft.id, detail)
                return
            except IntegrityError:
                # Another job of the same month took this version number meanwhile: take the next.
                if attempt == 2:
                    raise


class _Throttle:
    """True at most once per ``interval`` seconds (thread-safe: solver threads call it)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last = float("-inf")
        self._lock = threading.Lock()

    def due(self) -> bool:
        now = time.monotonic()
        with self._lock:
            if now - self._last < self.interval:
                return False
            self._last = now
            return True
