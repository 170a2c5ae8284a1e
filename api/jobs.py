"""Running solve jobs, behind one :class:`Runner` interface with two kinds of runner.

A job solves a month into a draft (:class:`SolveOrder`), a range of months jointly into
one draft per month (:class:`RangeOrder`: the drafts commit together with the job's end,
so a cancel keeps the best schedule of every month and a retaken job plans the range
again), or runs a what-if scenario
(:class:`services.scenario_runs.ScenarioOrder`, whose answer is a scenario result, never a
schedule version). A job's state lives in its database row (:mod:`models.storage.jobs`):
status, progress (best score and bound so far, written at most every
``progress_interval`` seconds), who runs it and that runner's heartbeat, the cancel
flag, the draft or result it produced, or the error. Any process can therefore read a
job, follow it, or cancel it (:func:`models.storage.jobs.request_cancel`).

* :class:`ThreadRunner`, the embedded default (SQLite: ``make run``, ``phancong serve``
  alone): a bounded executor of threads inside the web process, as before. At start-up
  it runs again the jobs a previous process left unfinished (queued, or running with no
  live holder), and it keeps taking back running jobs whose heartbeat goes stale.
* :class:`QueueRunner` (PostgreSQL): a job is deferred as a procrastinate task carrying
  only the job's id; ``phancong worker`` processes (:mod:`api.worker`) run it. A web
  process never runs, fails or retakes a job; the workers retake a job whose worker's
  heartbeat is stale.

Both run a job through :class:`Executor`: claim the row under a worker name, beat
while solving (each beat reads the cancel flag and stops the solver when it is set, or
when the job was taken from this worker), and finish it guarded by that name, the draft
and the job's link to it in one transaction (so there is never a draft no job points to).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.planning import plan_from_pairs, plan_from_result
from api.settings import Settings
from models.instance import Instance
from models.storage import audit, jobs, schedules
from models.storage.clock import month_label
from models.storage.db import Database
from models.storage.jobs import Lost
from models.storage.schedules import Plan
from models.storage.tables import JobRow, UserRow
from models.storage.types import utcnow
from scenarios import parts, robustness
from scenarios.robustness import Absence
from services import scenario_runs
from services.scenario_runs import ScenarioOrder
from solver import Result, solve
from solver.backends import Progress
from solver.backends.child import remove_stale_folders

log = logging.getLogger("phancong.jobs")

QUEUE = "phancong"
"""The procrastinate queue of every job."""
TASK = "phancong.run_job"
"""The procrastinate task's name: its only argument is our job's id."""


@dataclass(frozen=True)
class SolveOrder:
    """Everything a month's solve needs; rebuilt from the job's row by a worker."""

    job_id: str
    month: str
    instance: Instance
    base_id: int | None
    """The published version the draft will be planned against (None: first plan)."""
    time_limit: float
    changes_first: bool
    user_id: int | None


@dataclass(frozen=True)
class RangeOrder:
    """A range of months planned jointly in one job (one solve of all their meetings);
    one draft per month."""

    job_id: str
    months: tuple[str, ...]
    bases: dict[str, int]
    """Each month's published version when the job was accepted (absent: first plan)."""
    time_limit: float
    """Per month: the joint solve gets this times the months that hold meetings."""
    changes_first: bool
    user_id: int | None


@dataclass(frozen=True)
class Draft:
    """A month's schedule to store as a new draft version of that month."""

    month: str
    plan: Plan
    base_id: int | None


@dataclass(frozen=True)
class ReplanOrder:
    """One part of a fanned-out robustness analysis (:mod:`api.fanout`): re-plan the
    parent's schedule for one absence."""

    job_id: str
    parent_id: str
    absence: Absence
    time_limit: float


COMPARE_PART = "compare_part"
"""The mode of one scenario's part of a fanned-out ``scenario compare`` (:mod:`api.fanout`)."""


@dataclass(frozen=True)
class ComparePartOrder:
    """One scenario of a fanned-out comparison: solve the changed month its payload holds
    (:func:`scenarios.parts.run_part`)."""

    job_id: str
    payload: dict[str, Any]
    time_limit: float


Order = SolveOrder | RangeOrder | ScenarioOrder | ReplanOrder | ComparePartOrder
Reason = Literal["cancel", "shutdown", "lost"]


class Stop(threading.Event):
    """The solver's stop event, with why it was set: a cancel ends the job ``cancelled``;
    a worker shutting down saves the best schedule and ends it ``done``; a job taken from
    this worker (found dead while it was only slow) writes nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.reason: Reason | None = None

    def stop(self, reason: Reason) -> None:
        if self.reason is None:
            self.reason = reason
        self.set()


def _labels(months: Sequence[str]) -> str:
    """``11/2025, 12/2025``: months as the planner reads them."""
    return ", ".join(month_label(m) for m in months)


class Gone(Exception):
    """What the job was to run no longer exists (a scenario deleted while its run waited)."""


class Runner(Protocol):
    """What runs the jobs; :mod:`services.jobs` only submits and cancels."""

    def submit(self, order: Order) -> None: ...

    def cancel(self, job_id: str) -> bool: ...

    def recover(self) -> int: ...

    def wait(self, job_id: str, timeout: float | None = None) -> None: ...

    def shutdown(self) -> None: ...


def worker_name(kind: str = "") -> str:
    """``host:pid`` (with a kind): unique among the live processes on one database."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}{kind}"


def make_runner(database: Database, settings: Settings) -> Runner:
    """The queue on PostgreSQL, threads in this process on SQLite (``job_runner`` may force either)."""
    kind = settings.job_runner
    if kind == "auto":
        kind = "queue" if database.backend == "postgresql" else "thread"
    if kind == "queue":
        return QueueRunner(database, settings)
    return ThreadRunner(database, settings)


# -- running one job, in whichever process ---------------------------------------------


class Executor:
    """Runs one job under the name ``worker``: claim, beat, solve, finish."""

    def __init__(
        self, database: Database, settings: Settings, worker: str, solve_function: Callable[..., Result] = solve
    ) -> None:
        self.database = database
        self.settings = settings
        self.worker = worker
        self._solve_function = solve_function  # the solver's facade; tests may wrap it

    def run(self, job_id: str, stop: Stop, order: Order | None = None, queue_job_id: int | None = None) -> None:
        """Run the job if it is still queued; ``order`` given by an in-process runner, else
        rebuilt from the row. Always leaves the job ended, or held by no one (retaken)."""
        with self.database.transaction() as session:
            claimed = jobs.claim(session, job_id, self.worker, queue_job_id)
        if not claimed:
            return  # cancelled before it started, or another worker runs it
        beat = _Heartbeat(self.database, job_id, self.worker, stop, self.settings.heartbeat_seconds)
        try:
            if order is None:
                with self.database.reader() as session:
                    order = order_of(session, job_id)
            if isinstance(order, ReplanOrder):
                self._replan(order, stop)
            elif isinstance(order, ComparePartOrder):
                self._compare_part(order, stop)
            elif isinstance(order, RangeOrder):
                self._solve_range(order, stop)
            elif isinstance(order, ScenarioOrder):
                progress = self._progress(job_id)
                scenario_runs.run(self.database, self.settings, order, stop, progress, worker=self.worker)
            else:
                self._solve(order, stop)
        except Lost:
            log.warning("job %s was taken from %s; its answer is dropped", job_id, self.worker)
        except Gone as error:
            with self.database.transaction() as session:
                jobs.finish(session, job_id, "cancelled", error=str(error), worker=self.worker)
        except Exception as error:  # a job must end with a status, whatever went wrong
            log.exception("job %s failed", job_id)
            message = getattr(error, "detail", None) or f"{type(error).__name__}: {error}"
            with self.database.transaction() as session:
                jobs.finish(session, job_id, "failed", error=f"Lỗi khi giải: {message}", worker=self.worker)
        finally:
            beat.close()

    def _progress(self, job_id: str) -> Callable[[Progress], None]:
        """A callback storing the solver's progress in the job's row, at most once per interval."""
        throttle = _Throttle(self.settings.progress_interval)

        def on_progress(progress: Progress) -> None:
            if throttle.due():
                with self.database.transaction() as session:
                    jobs.progress(
                        session, job_id, progress.seconds, progress.objective, progress.bound, worker=self.worker
                    )

        return on_progress

    def _solve(self, order: SolveOrder, stop: Stop) -> None:
        result = self._run_solver(order, stop)
        status = "cancelled" if stop.reason == "cancel" else "done"
        if result.status == "infeasible" or result.report is None:
            with self.database.transaction() as session:
                message = "Không lập được lịch: " + " ".join(result.problems)
                finished = jobs.finish(
                    session, order.job_id, "failed", result_status="infeasible", error=message, worker=self.worker
                )
            if not finished:
                raise Lost(order.job_id)
            return
        report = result.report

        def link(session: Session, draft_id: int) -> bool:
            return jobs.finish(
                session,
                order.job_id,
                status,
                schedule_id=draft_id,
                result_status=result.status,
                best=report.total,
                bound=result.bound,
                seconds=round(result.seconds, 3),
                worker=self.worker,
            )

        self._save_draft(order, result, plan_from_result(result), link)

    def _run_solver(self, order: SolveOrder, stop: Stop) -> Result:
        """The month's solve, with its progress stored; a job taken from this worker meanwhile raises :class:`Lost`."""
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
        if stop.reason == "lost":
            raise Lost(order.job_id)
        return result

    def _save_draft(self, order: SolveOrder, result: Result, plan: Plan, link: Callable[[Session, int], bool]) -> int:
        """Store the month's draft and, in the same transaction, the job's link to it (``link``)."""
        made = [Draft(order.month, plan, order.base_id)]
        return self._save_drafts(order.job_id, order.user_id, made, result.status, lambda s, ids: link(s, ids[0]))[0]

    def _save_drafts(
        self,
        job_id: str,
        user_id: int | None,
        made: list[Draft],
        status: str,
        link: Callable[[Session, list[int]], bool],
    ) -> list[int]:
        """Store the drafts and, in the same transaction, the job's link to them (``link``)."""
        for attempt in range(3):
            try:
                with self.database.transaction() as session:
                    # The drafts and the job's link to them commit together, or none does.
                    user = session.get(UserRow, user_id) if user_id is not None else None
                    ids = []
                    for draft in made:
                        row = schedules.create_draft(session, draft.month, draft.plan, draft.base_id, user_id, job_id)
                        detail = {
                            "job": job_id,
                            "score": draft.plan.total,
                            "status": draft.plan.solver_status,
                            # What an undo back to this schedule restores (services.schedules.undo).
                            "bound": draft.plan.bound,
                        }
                        if draft.plan.solver_status != status:
                            detail["joint_status"] = status  # a range's joint solve: not this draft's own
                        audit.record(session, user, "schedule.solve", "schedule", row.id, detail)
                        ids.append(row.id)
                    if not link(session, ids):
                        raise Lost(job_id)  # rolls the drafts back
                return ids
            except IntegrityError:
                # Another job of the same month took this version number meanwhile: take the next.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _solve_range(self, order: RangeOrder, stop: Stop) -> None:
        """Plan the range's months jointly, in one solve of all their meetings; then store
        one draft per month, each scored on its own after the drafts before it, together
        with the job's end. A cancel keeps the best schedule so far, for every month; a
        crash leaves no draft (the retaken job plans the range again)."""
        from services.months import load_range, load_rolling_month

        job_id = order.job_id
        with self.database.reader() as session:
            _, instance = load_range(session, list(order.months))
        month_of = {m.id: m.start.strftime("%Y-%m") for m in instance.meetings}
        planned = [month for month in order.months if month in set(month_of.values())]
        if not planned:
            self._end_range(job_id, "failed", f"Các tháng {_labels(order.months)} không còn hội nghị nào để lập lịch")
            return
        with self.database.transaction() as session:
            answer: dict[str, object] = {"planning": planned[0], "planned": planned, "drafts": []}
            if not jobs.range_answer(session, job_id, answer, self.worker):
                raise Lost(job_id)
        limit = order.time_limit * len(planned)
        joint = SolveOrder(job_id, planned[0], instance, None, limit, order.changes_first, order.user_id)
        result = self._run_solver(joint, stop)
        report = result.report
        if result.status == "infeasible" or report is None:
            why = " ".join(result.problems)
            self._end_range(job_id, "failed", f"Không lập được lịch các tháng {_labels(planned)}: {why}")
            return
        pairs_of: dict[str, list[tuple[str, str]]] = {month: [] for month in planned}
        for meeting_id, delegate_id in result.assignments:
            pairs_of[month_of[meeting_id]].append((meeting_id, delegate_id))
        made: list[Draft] = []
        earlier: list[tuple[Instance, list[tuple[str, str]], dict[tuple[str, str], str]]] = []
        with self.database.reader() as session:
            for month in planned:
                _, alone = load_rolling_month(session, month, earlier)
                plan = plan_from_pairs(alone, pairs_of[month])
                if len(planned) == 1 and plan.total == report.total:
                    # The joint solve was this month's own solve (same meetings, history and
                    # score): its status and bound are the month's, as a one-month solve stores.
                    plan.solver_status = result.status
                    plan.bound = result.bound
                # Otherwise the joint status and bound prove the range's score, not this
                # month's own: the draft stays "feasible" (or "partial") with no bound, and
                # its job (``schedules.job_id``) says it was planned jointly.
                plan.seconds = round(result.seconds, 3)
                made.append(Draft(month, plan, order.bases.get(month)))
                earlier.append((alone, plan.pairs, plan.visits))
        status = "cancelled" if stop.reason == "cancel" else "done"

        def link(session: Session, ids: list[int]) -> bool:
            drafts = [{"month": d.month, "schedule_id": i} for d, i in zip(made, ids, strict=True)]
            return jobs.finish(
                session,
                job_id,
                status,
                schedule_id=ids[-1],
                result_status=result.status,
                best=report.total,
                bound=result.bound,
                seconds=round(result.seconds, 3),
                answer={"planning": None, "planned": planned, "drafts": drafts},
                worker=self.worker,
            )

        self._save_drafts(job_id, order.user_id, made, result.status, link)

    def _end_range(self, job_id: str, status: str, error: str) -> None:
        with self.database.transaction() as session:
            finished = jobs.finish(
                session,
                job_id,
                status,
                result_status="infeasible",
                error=error,
                answer={"planning": None, "drafts": []},
                worker=self.worker,
            )
        if not finished:
            raise Lost(job_id)

    def _replan(self, order: ReplanOrder, stop: Stop) -> None:
        instance, pairs = self._parent(order.parent_id)
        answer = robustness.replan(
            instance,
            pairs,
            order.time_limit,
            order.absence,
            workers=self.settings.solver_threads or 1,
            stop=stop,
            on_progress=self._progress(order.job_id),
        )
        self._finish_part(
            order.job_id,
            stop,
            result_status=answer.status,
            seconds=round(answer.seconds, 3),
            answer=robustness.answer_json(answer),
        )

    def _compare_part(self, order: ComparePartOrder, stop: Stop) -> None:
        result = parts.run_part(
            order.payload,
            order.time_limit,
            workers=self.settings.solver_threads,
            stop=stop,
            on_progress=self._progress(order.job_id),
        )
        self._finish_part(
            order.job_id,
            stop,
            result_status=result.status,
            best=result.total,
            bound=result.bound,
            seconds=round(result.seconds, 3),
            answer=parts.result_json(result),
        )

    def _finish_part(self, job_id: str, stop: Stop, **fields: Any) -> None:
        """A fan-out part's answer stored, unless the job was taken from this worker
        meanwhile (then :class:`Lost`, and another worker's answer stands)."""
        if stop.reason == "lost":
            raise Lost(job_id)
        with self.database.transaction() as session:
            status = "cancelled" if stop.reason == "cancel" else "done"
            finished = jobs.finish(session, job_id, status, worker=self.worker, **fields)
        if not finished:
            raise Lost(job_id)

    def _parent(self, parent_id: str) -> tuple[Instance, list[tuple[str, str]]]:
        """The parent's month (with its schedule as reference) and schedule, read and built
        once per process for the parts of one parent, which come in a row."""
        with _PARENTS_LOCK:
            if parent_id not in _PARENTS:
                with self.database.reader() as session:
                    parent = session.get(JobRow, parent_id)
                    if parent is None or parent.payload is None:
                        raise LookupError(f"no parent job {parent_id}")
                    payload = parent.payload
                pairs = [(m, d) for m, d in payload["pairs"]]
                _PARENTS.clear()
                _PARENTS[parent_id] = (robustness.with_reference(payload["document"], pairs), pairs)
            return _PARENTS[parent_id]


_PARENTS: dict[str, tuple[Instance, list[tuple[str, str]]]] = {}
_PARENTS_LOCK = threading.Lock()


def order_of(session: Session, job_id: str) -> Order:
    """A job's order rebuilt from its row and the data as they are now: a solve's month
    (against the published version recorded when it was accepted), or a scenario's run."""
    from services.months import load_month
    from services.scenario_runs import as_mode, prepare
    from services.scenarios import load_changes

    job = session.get(JobRow, job_id)
    if job is None:
        raise LookupError(f"no job {job_id}")
    if job.parent_id is not None:
        if job.payload is None:
            raise LookupError(f"job {job_id} has no payload")
        if job.mode == COMPARE_PART:
            return ComparePartOrder(job.id, job.payload, job.time_limit)
        return ReplanOrder(job.id, job.parent_id, robustness.absence_of(job.payload["absence"]), job.time_limit)
    if job.scenario_id is None and job.payload is not None and "months" in job.payload:
        bases = {str(m): int(b) for m, b in job.payload.get("bases", {}).items()}
        months = tuple(str(m) for m in job.payload["months"])
        return RangeOrder(job.id, months, bases, job.time_limit, job.changes_first, job.user_id)
    if job.scenario_id is None:
        _, instance = load_month(session, job.month)
        return SolveOrder(job.id, job.month, instance, job.base_id, job.time_limit, job.changes_first, job.user_id)
    from models.storage.tables import ScenarioRow

    scenario = session.get(ScenarioRow, job.scenario_id)
    if scenario is None:
        raise Gone("Kịch bản đã bị xóa trước khi chạy")
    mode = as_mode(job.mode or scenario.mode)
    prepared = prepare(session, scenario.month, scenario.base_id, load_changes(scenario.changes), mode)
    return ScenarioOrder(
        job.id,
        scenario.id,
        scenario.revision,
        scenario.name,
        list(scenario.changes),
        prepared,
        job.time_limit,
        job.user_id,
    )


class _Heartbeat:
    """A thread refreshing the job's heartbeat every ``interval`` seconds; each beat reads
    the cancel flag (any web process may have set it) and stops the solver when it is
    set, or when the job is no longer this worker's."""

    def __init__(self, database: Database, job_id: str, worker: str, stop: Stop, interval: float) -> None:
        self.database, self.job_id, self.worker, self.stop, self.interval = database, job_id, worker, stop, interval
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"phancong-beat-{job_id[:8]}", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._closed.wait(self.interval):
            try:
                with self.database.transaction() as session:
                    flag = jobs.heartbeat(session, self.job_id, self.worker)
            except Exception:  # a missed beat is retried; only a long silence retakes the job
                log.exception("heartbeat of job %s", self.job_id)
                continue
            if flag is None:
                self.stop.stop("lost")
            elif flag:
                self.stop.stop("cancel")

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=self.interval + 5)


# -- the embedded default: threads in the web process ------------------------------------


class ThreadRunner:
    """Runs at most ``settings.solve_executors`` solves at once in this process; the rest wait in order.

    :meth:`recover` (the server calls it once, at start-up) takes back the jobs a previous
    process left and runs them again, then keeps sweeping every few seconds for running
    jobs whose heartbeat went stale, until :meth:`shutdown`.
    """

    def __init__(self, database: Database, settings: Settings, solve_function: Callable[..., Result] = solve) -> None:
        self.database = database
        self.settings = settings
        self.executor = Executor(database, settings, worker_name(":thread"), solve_function)
        self._pool = ThreadPoolExecutor(max_workers=settings.solve_executors, thread_name_prefix="phancong-solve")
        self._stops: dict[str, Stop] = {}
        self._futures: dict[str, Future[None]] = {}
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._sweeper: threading.Thread | None = None

    def recover(self) -> int:
        """Take back the jobs no live process holds and run them again here; the number taken back.

        Queued jobs waited in the memory of a process now gone. A running job is an orphan
        when its heartbeat is stale (or it never beat), or when its holder was a process of
        this machine that is gone (or had this process's id: an earlier life of it, after a
        restart in a container); on SQLite also when its holder ran on another machine (a
        SQLite file has one machine's processes: the name changed with a new container).
        So a ``kill -9`` and a restart within seconds run the job again at once, without
        waiting for its heartbeat to go stale; only a job another live process of this
        machine still beats for is left to it. Stale solver folders of dead processes are
        removed here too.
        """
        remove_stale_folders()
        with self._lock:
            mine = set(self._futures)
        stale = utcnow() - dt.timedelta(seconds=self.settings.stale_seconds)
        one_machine = self.database.backend == "sqlite"

        def orphan(job: JobRow) -> bool:
            if job.id in mine:
                return False
            alive = holder_alive(job.worker)
            fresh = job.heartbeat_at is not None and job.heartbeat_at >= stale
            return alive is False or not fresh or (alive is None and one_machine)

        taken = self._take_back(orphan, queued=True)
        if self._sweeper is None:
            # Often enough that an orphaned job waits about ``stale_seconds`` more, no more.
            interval = max(self.settings.heartbeat_seconds, self.settings.stale_seconds / 4)
            arguments = (weakref.ref(self), self._closed, interval)
            self._sweeper = threading.Thread(target=_sweep, args=arguments, name="phancong-job-sweep", daemon=True)
            self._sweeper.start()
        return len(taken)

    def sweep(self) -> jobs.TakenBack:
        """Take back the beating jobs this process does not run whose heartbeat went stale
        (or whose holder, another process of this machine, is gone), and run them again
        here. A running job that never beat is not a runner's (a fan-out's parent job)."""
        with self._lock:
            mine = set(self._futures)  # read before the rows: a job claimed later beats fresh
        stale = utcnow() - dt.timedelta(seconds=self.settings.stale_seconds)

        def orphan(job: JobRow) -> bool:
            if job.id in mine or job.heartbeat_at is None:
                return False
            if job.heartbeat_at < stale:
                return True
            return job.worker != self.executor.worker and holder_alive(job.worker) is False

        return self._take_back(orphan, queued=False)

    def _take_back(self, orphan: Callable[[JobRow], bool], *, queued: bool) -> jobs.TakenBack:
        with self.database.transaction() as session:
            taken = jobs.take_back(session, orphan, self.settings.max_retakes, queued=queued)
        for job_id in taken.queued:
            log.warning("job %s taken back from a process that is gone: it runs again here", job_id)
            self._submit(job_id, None)
        for job_id in taken.failed:
            log.error(
                "job %s failed: the server stopped %d times while solving it", job_id, self.settings.max_retakes + 1
            )
        for job_id in taken.cancelled:
            log.warning("job %s cancelled: its cancel was asked before the server stopped", job_id)
        return taken

    def submit(self, order: Order) -> None:
        self._submit(order.job_id, order)

    def _submit(self, job_id: str, order: Order | None) -> None:
        """Run the job in the pool: with its ``order``, or (taken back) with the order rebuilt from its row."""
        with self._lock:
            self._stops[job_id] = Stop()
            self._futures[job_id] = self._pool.submit(self._run, job_id, order)

    def cancel(self, job_id: str) -> bool:
        """Stop a job this process runs at once (the flag in its row would, a beat later)."""
        with self._lock:
            stop = self._stops.get(job_id)
        if stop is None:
            return False
        stop.stop("cancel")
        return True

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        """Block until the job has finished (tests and the load script use it)."""
        with self._lock:
            future = self._futures.get(job_id)
        if future is not None:
            future.result(timeout)

    def shutdown(self) -> None:
        """Stop every job (each saves its best schedule so far) and wait for them; those
        that had not started stay queued, for the next start to run."""
        self._closed.set()
        with self._lock:
            for stop in self._stops.values():
                stop.stop("shutdown")
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self, job_id: str, order: Order | None) -> None:
        stop = self._stops[job_id]
        try:
            if stop.is_set():
                with self.database.transaction() as session:
                    jobs.cancel_queued(session, job_id)
                return
            self.executor.run(job_id, stop, order)
        finally:
            with self._lock:
                self._stops.pop(job_id, None)
                self._futures.pop(job_id, None)


def _sweep(runner: weakref.ref[ThreadRunner], closed: threading.Event, interval: float) -> None:
    """The runner's sweep every ``interval`` seconds until it shuts down, or is dropped
    without a shutdown (a weak reference: the sweep never outlives its runner)."""
    while not closed.wait(interval):
        live = runner()
        if live is None:
            return
        try:
            live.sweep()
        except Exception:  # the next sweep tries again
            log.exception("sweep of the jobs")
        del live


def holder_alive(worker: str | None) -> bool | None:
    """Whether the process a job's ``worker`` name (``host:pid…``, :func:`worker_name`)
    names is alive: None when it ran on another machine (or the name is not one of ours);
    False for this process's own id (an earlier life of it: a process never asks of itself)."""
    host, _, rest = (worker or "").partition(":")
    pid = rest.split(":", 1)[0]
    if host != socket.gethostname()[:40] or not pid.isdigit():
        return None
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    return True


JobRunner = ThreadRunner
"""The name of the in-process runner before the queue existed."""


# -- PostgreSQL: procrastinate --------------------------------------------------------------


def defer(session: Session, job_id: str) -> int:
    """Put a procrastinate job carrying ``job_id`` in the queue, in ``session``'s transaction.

    Through procrastinate's own SQL function (the one its ``defer`` calls), so that putting a
    retaken job back in the queue commits with its row; the pinned release has it.
    """
    args = json.dumps({"job_id": job_id})
    query = text(
        "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL, CAST(:args AS jsonb), "
        "NULL)::procrastinate_job_to_defer_v1]))"
    )
    return int(session.execute(query, {"queue": QUEUE, "task": TASK, "args": args}).scalar_one())


class QueueRunner:
    """Defers each job to procrastinate; ``phancong worker`` processes run them."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings

    def recover(self) -> int:
        """Nothing: a web process never touches a job (workers retake those of dead workers)."""
        return 0

    def submit(self, order: Order) -> None:
        with self.database.transaction() as session:
            defer(session, order.job_id)

    def cancel(self, job_id: str) -> bool:
        """The flag in the job's row (set by :func:`services.jobs.cancel`) is the cancel: the
        worker's next beat sees it. Nothing runs here."""
        return False

    def wait(self, job_id: str, timeout: float | None = None) -> None:
        """Poll the row until the job has ended (tests and scripts)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self.database.reader() as session:
                job = session.get(JobRow, job_id)
                if job is None or job.status in jobs.FINISHED:
                    return
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {job.status}")
            time.sleep(0.1)

    def shutdown(self) -> None:
        """Nothing to stop in a web process."""


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
