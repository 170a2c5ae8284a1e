"""Solve jobs as rows: created queued, run by a runner (a thread of the web process on
SQLite, a worker process on PostgreSQL), finished with a link to the draft they produced
(a scenario's run makes no draft: its result points at the job). A job is the only record
of a solve: its state, its progress, who runs it and that runner's heartbeat, and whether
a cancel was asked, all live in its row, so that any process can read or cancel it.

A job held by a worker (``worker`` set) is written only under that worker's name: every
update from the worker is guarded by ``worker = :me``, so a worker found dead and replaced
(:func:`retake_stale`) cannot finish a job that is now someone else's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from models.storage.tables import JobRow, ScheduleRow
from models.storage.types import utcnow

ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled")


class Lost(Exception):
    """The job is no longer this worker's (it was retaken): whatever it wrote is rolled back."""


def create(
    session: Session,
    user_id: int | None,
    month: str,
    time_limit: float,
    changes_first: bool = False,
    idempotency_key: str | None = None,
    scenario_id: int | None = None,
    mode: str | None = None,
    base_id: int | None = None,
    payload: dict[str, object] | None = None,
) -> JobRow:
    """A queued job: a solve of ``month``, or a run of the scenario ``scenario_id`` in ``mode``."""
    job = JobRow(
        id=uuid.uuid4().hex,
        user_id=user_id,
        month=month,
        status="queued",
        time_limit=time_limit,
        changes_first=changes_first,
        idempotency_key=idempotency_key,
        scenario_id=scenario_id,
        mode=mode,
        base_id=base_id,
        payload=payload,
        attempts=0,
        cancel_requested=False,
    )
    session.add(job)
    session.flush()
    return job


def by_key(session: Session, user_id: int, key: str) -> JobRow | None:
    return session.scalar(select(JobRow).where(JobRow.user_id == user_id, JobRow.idempotency_key == key))


def active_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).where(JobRow.user_id == user_id, JobRow.status.in_(ACTIVE))) or 0


def start(session: Session, job_id: str) -> bool:
    """Mark a queued job running; False when it is no longer queued (cancelled meanwhile)."""
    now = utcnow()
    result = session.execute(
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.status == "queued")
        .values(status="running", started_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def progress(
    session: Session, job_id: str, seconds: float, best: int | None, bound: int | None, worker: str | None = None
) -> None:
    query = update(JobRow).where(JobRow.id == job_id, JobRow.status == "running")
    if worker is not None:
        query = query.where(JobRow.worker == worker)
    session.execute(
        query.values(progress_seconds=seconds, best_score=best, bound=bound, updated_at=utcnow()).execution_options(
            synchronize_session=False
        )
    )


def finish(
    session: Session,
    job_id: str,
    status: str,
    *,
    schedule_id: int | None = None,
    result_status: str | None = None,
    best: int | None = None,
    bound: int | None = None,
    seconds: float | None = None,
    error: str | None = None,
    worker: str | None = None,
    answer: dict[str, object] | None = None,
) -> bool:
    """End an active job; with ``worker``, only while that worker still holds it.
    False when nothing was ended (the job had ended, or was retaken from this worker)."""
    now = utcnow()
    values: dict[str, object] = {"status": status, "finished_at": now, "updated_at": now}
    values |= {"schedule_id": schedule_id, "result_status": result_status, "error": error}
    if answer is not None:
        values["answer"] = answer
    if best is not None:
        values["best_score"] = best
    if bound is not None:
        values["bound"] = bound
    if seconds is not None:
        values["progress_seconds"] = seconds
    query = update(JobRow).where(JobRow.id == job_id, JobRow.status.in_(ACTIVE))
    if worker is not None:
        query = query.where(JobRow.worker == worker)
    result = session.execute(query.values(**values).execution_options(synchronize_session=False))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def range_answer(session: Session, job_id: str, answer: dict[str, object], worker: str) -> bool:
    """Record a range solve's state (the month it plans, the drafts made) while ``worker`` holds it."""
    result = session.execute(
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.status == "running", JobRow.worker == worker)
        .values(answer=answer, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def cancel_queued(session: Session, job_id: str) -> bool:
    """Cancel a job that has not started; False when it already runs or ended."""
    now = utcnow()
    result = session.execute(
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.status == "queued")
        .values(status="cancelled", finished_at=now, updated_at=now, error="Đã hủy trước khi chạy")
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def claim(session: Session, job_id: str, worker: str, queue_job_id: int | None = None) -> bool:
    """Mark a queued job running under ``worker`` with a fresh heartbeat; False when it is
    no longer queued (cancelled, finished, or taken by another worker)."""
    now = utcnow()
    result = session.execute(
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.status == "queued")
        .values(
            status="running",
            worker=worker,
            heartbeat_at=now,
            started_at=func.coalesce(JobRow.started_at, now),
            updated_at=now,
            queue_job_id=queue_job_id,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def heartbeat(session: Session, job_id: str, worker: str) -> bool | None:
    """Refresh the heartbeat of a job ``worker`` runs; the job's cancel flag, or None when
    the worker no longer holds the job (it was retaken, or ended)."""
    row = session.execute(
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.worker == worker, JobRow.status == "running")
        .values(heartbeat_at=utcnow())
        .returning(JobRow.cancel_requested)
        .execution_options(synchronize_session=False)
    ).first()
    return None if row is None else bool(row[0])


def request_cancel(session: Session, job_id: str) -> bool:
    """Raise the cancel flag of a running job (whichever process runs it sees it)."""
    result = session.execute(
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.status == "running")
        .values(cancel_requested=True, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Retaken:
    """What :func:`retake_stale` did: jobs put back in the queue, jobs failed for good."""

    queued: list[JobRow]
    failed: list[str]


GIVEN_UP = "Máy giải đã dừng đột ngột {n} lần khi đang chạy lượt này; lượt giải dừng hẳn, hãy chạy lại"


def retake_stale(session: Session, stale_before: dt.datetime, max_retakes: int) -> Retaken:
    """Running jobs whose worker's heartbeat is older than ``stale_before``: the worker
    died. Each goes back to the queue (``attempts`` + 1), or, when it was already retaken
    ``max_retakes`` times, fails with a message in Vietnamese. Drafts a dead worker wrote
    for the job but never linked to it are deleted (none should exist: a draft and its
    link are written in one transaction; this keeps that promise if the rule is broken).

    Rows are locked with ``SKIP LOCKED`` on PostgreSQL, so two workers sweeping at once
    never retake the same job twice.
    """
    query = (
        select(JobRow)
        .where(JobRow.status == "running", JobRow.heartbeat_at.is_not(None), JobRow.heartbeat_at < stale_before)
        .order_by(JobRow.created_at)
        .with_for_update(skip_locked=True)
    )
    queued: list[JobRow] = []
    failed: list[str] = []
    now = utcnow()
    for job in session.scalars(query).all():
        linked = select(JobRow.schedule_id).where(JobRow.schedule_id.is_not(None)).scalar_subquery()
        session.execute(
            delete(ScheduleRow)
            .where(ScheduleRow.job_id == job.id, ScheduleRow.status == "draft", ScheduleRow.id.not_in(linked))
            .execution_options(synchronize_session=False)
        )
        if job.attempts >= max_retakes:
            job.status, job.finished_at, job.updated_at = "failed", now, now
            job.error = GIVEN_UP.format(n=job.attempts + 1)
            failed.append(job.id)
        else:
            job.status, job.attempts, job.updated_at = "queued", job.attempts + 1, now
            queued.append(job)
        job.worker, job.heartbeat_at = None, None
    session.flush()
    return Retaken(queued, failed)


RESTARTED = "Máy chủ đã khởi động lại khi đang giải"
RESTARTED_TOO_OFTEN = RESTARTED + " {n} lần trong lượt này; lượt giải dừng hẳn, hãy chạy lại"
CANCELLED_BY_RESTART = "Đã hủy theo yêu cầu; máy chủ khởi động lại trước khi kịp lưu lịch"


@dataclass(frozen=True)
class TakenBack:
    """What :func:`take_back` did: jobs to run again (oldest first), jobs ended for good."""

    queued: list[str]
    failed: list[str]
    cancelled: list[str]

    def __len__(self) -> int:
        return len(self.queued) + len(self.failed) + len(self.cancelled)


def take_back(
    session: Session,
    orphan: Callable[[JobRow], bool],
    max_retakes: int,
    *,
    queued: bool,
) -> TakenBack:
    """For the in-process runner: the active jobs no live runner holds (``orphan`` tells,
    from the row) go back to the queue, to be run again by the caller; with ``queued``
    the queued jobs are taken too (at start-up: the queue was in the memory of a process
    now gone). A job that was running counts a retake (``attempts`` + 1) and after
    ``max_retakes`` fails with a message in Vietnamese, so that a job that brings the
    server down cannot do so forever; one whose cancel was asked ends ``cancelled``.
    Drafts written for the job but linked to nothing are deleted, as in :func:`retake_stale`.

    Rows are locked (``SKIP LOCKED`` on PostgreSQL; SQLite's write transaction holds the
    writer lock), so a job that ends meanwhile is not taken back.
    """
    states = ACTIVE if queued else ("running",)
    query = (
        select(JobRow).where(JobRow.status.in_(states)).order_by(JobRow.created_at).with_for_update(skip_locked=True)
    )
    taken = TakenBack([], [], [])
    now = utcnow()
    for job in session.scalars(query).all():
        if job.status == "running" and not orphan(job):
            continue
        linked = select(JobRow.schedule_id).where(JobRow.schedule_id.is_not(None)).scalar_subquery()
        session.execute(
            delete(ScheduleRow)
            .where(ScheduleRow.job_id == job.id, ScheduleRow.status == "draft", ScheduleRow.id.not_in(linked))
            .execution_options(synchronize_session=False)
        )
        if job.cancel_requested:
            job.status, job.finished_at, job.error = "cancelled", now, CANCELLED_BY_RESTART
            taken.cancelled.append(job.id)
        elif job.status == "running" and job.attempts >= max_retakes:
            job.status, job.finished_at = "failed", now
            job.error = RESTARTED_TOO_OFTEN.format(n=job.attempts + 1)
            taken.failed.append(job.id)
        else:
            if job.status == "running":
                job.attempts += 1
            job.status = "queued"
            taken.queued.append(job.id)
        job.worker, job.heartbeat_at, job.updated_at = None, None, now
    session.flush()
    return taken
