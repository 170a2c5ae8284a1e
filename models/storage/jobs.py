"""Solve jobs as rows: created queued, run by the service's executor, finished with a
link to the draft they produced (a scenario's run makes no draft: its result points at
the job). A job is the only record of a solve; nothing about it lives only in memory
except the event that can stop it.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models.storage.tables import JobRow
from models.storage.types import utcnow

ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled")


def create(
    session: Session,
    user_id: int,
    month: str,
    time_limit: float,
    changes_first: bool = False,
    idempotency_key: str | None = None,
    scenario_id: int | None = None,
    mode: str | None = None,
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


def progress(session: Session, job_id: str, seconds: float, best: int | None, bound: int | None) -> None:
    session.execute(
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.status == "running")
        .values(progress_seconds=seconds, best_score=best, bound=bound, updated_at=utcnow())
        .execution_options(synchronize_session=False)
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
) -> None:
    now = utcnow()
    values: dict[str, object] = {"status": status, "finished_at": now, "updated_at": now}
    values |= {"schedule_id": schedule_id, "result_status": result_status, "error": error}
    if best is not None:
        values["best_score"] = best
    if bound is not None:
        values["bound"] = bound
    if seconds is not None:
        values["progress_seconds"] = seconds
    session.execute(
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.status.in_(ACTIVE))
        .values(**values)
        .execution_options(synchronize_session=False)
    )


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


def fail_orphans(session: Session) -> int:
    """Jobs left queued or running by a previous process can never finish: mark them failed."""
    now = utcnow()
    result = session.execute(
        update(JobRow)
        .where(JobRow.status.in_(ACTIVE))
        .values(status="failed", finished_at=now, updated_at=now, error="Máy chủ đã khởi động lại khi đang giải")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
