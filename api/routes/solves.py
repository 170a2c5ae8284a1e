"""Solving a month: ``POST /solves`` makes a job; the job is polled or followed by
server-sent events; its result is a draft schedule.

Checks before a job exists (so a refused request starts nothing): the month's instance
must validate (422), fit the size caps (413), and the user must have fewer than
``max_concurrent_solves`` unfinished jobs (429). An ``Idempotency-Key`` makes a retry
return the job the first request made.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response, status
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.deps import DatabaseDep, Planner, RunnerDep, SessionDep, SettingsDep
from api.errors import ApiError, responses
from api.jobs import SolveOrder
from api.month_input import load_month
from api.present import job_out
from api.schemas.common import Month
from api.schemas.jobs import JobOut, SolveIn
from api.settings import Settings
from models.instance import Instance
from models.storage import audit, jobs, schedules
from models.storage.tables import JobRow, UserRow

router = APIRouter(tags=["solves"])


class EventStream(StreamingResponse):
    """A ``text/event-stream`` response (named for the OpenAPI document)."""

    media_type = "text/event-stream"


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Gửi lại cùng khóa thì nhận lại cùng lượt giải, không chạy thêm",
    ),
]


@router.post(
    "/solves",
    status_code=status.HTTP_201_CREATED,
    response_model=JobOut,
    responses=responses(401, 403, 409, 413, 422, 429),
)
def start_solve(
    body: SolveIn,
    planner: Planner,
    session: SessionDep,
    settings: SettingsDep,
    runner: RunnerDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> JobOut:
    """Lập lịch cho một tháng: trả về lượt giải (job) để theo dõi."""
    time_limit = min(body.time_limit or settings.default_solve_seconds, settings.max_solve_seconds)
    if idempotency_key is not None:
        earlier = jobs.by_key(session, planner.id, idempotency_key)
        if earlier is not None:
            return _replay(earlier, body, time_limit, response)
    take_solve_slot(session, planner.id, settings)
    _, instance = load_month(session, body.month)
    if not instance.meetings:
        raise ApiError(422, f"Tháng {body.month} chưa có hội nghị nào được đăng ký")
    check_size(instance, settings)
    base = schedules.current(session, body.month)
    try:
        job = jobs.create(session, planner.id, body.month, time_limit, body.changes_first, idempotency_key)
        audit.record(session, planner, "solve.start", "job", job.id, {"month": body.month, "time_limit": time_limit})
        session.commit()
    except IntegrityError:
        # The same key raced in from a parallel retry: answer with that request's job.
        session.rollback()
        earlier = jobs.by_key(session, planner.id, idempotency_key or "")
        if earlier is None:
            raise
        return _replay(earlier, body, time_limit, response)
    order = SolveOrder(
        job.id, body.month, instance, base.id if base else None, time_limit, body.changes_first, planner.id
    )
    runner.submit(order)
    response.headers["Location"] = f"/jobs/{job.id}"
    return job_out(job)


def _replay(job: JobRow, body: SolveIn, time_limit: float, response: Response) -> JobOut:
    if job.month != body.month or job.changes_first != body.changes_first or job.time_limit != time_limit:
        raise ApiError(409, "Idempotency-Key này đã dùng cho một yêu cầu khác (tháng hoặc tham số khác)")
    response.headers["Location"] = f"/jobs/{job.id}"
    response.headers["Idempotent-Replayed"] = "true"
    return job_out(job)


def _job(session: SessionDep, job_id: str) -> JobRow:
    job = session.get(JobRow, job_id)
    if job is None:
        raise ApiError(404, f"Không có lượt giải {job_id}")
    return job


JobId = Annotated[str, Path(min_length=1, max_length=32)]


@router.get("/jobs", response_model=list[JobOut], responses=responses(401, 403, 422))
def list_jobs(_: Planner, session: SessionDep, month: Annotated[Month | None, Query()] = None) -> list[JobOut]:
    query = select(JobRow).order_by(JobRow.created_at.desc()).limit(100)
    if month is not None:
        query = query.where(JobRow.month == month)
    return [job_out(j) for j in session.scalars(query)]


@router.get("/jobs/{job_id}", response_model=JobOut, responses=responses(401, 403, 404, 422))
def read_job(job_id: JobId, _: Planner, session: SessionDep) -> JobOut:
    """Trạng thái và tiến độ (điểm tốt nhất, cận dưới) của lượt giải."""
    return job_out(_job(session, job_id))


@router.post(
    "/jobs/{job_id}/cancel",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobOut,
    responses=responses(401, 403, 404, 409, 422),
)
def cancel_job(job_id: JobId, planner: Planner, session: SessionDep, runner: RunnerDep) -> JobOut:
    """Dừng lượt giải; lịch tốt nhất đến lúc đó vẫn được lưu thành bản nháp."""
    job = _job(session, job_id)
    if job.status not in jobs.ACTIVE:
        raise ApiError(409, f"Lượt giải đã kết thúc ({job.status})")
    if not jobs.cancel_queued(session, job_id):
        runner.cancel(job_id)
    audit.record(session, planner, "solve.cancel", "job", job_id)
    session.commit()
    session.refresh(job)
    return job_out(job)


@router.get(
    "/jobs/{job_id}/events",
    response_class=EventStream,
    responses={
        200: {
            "description": "Luồng sự kiện: `progress` khi tiến độ đổi, `end` khi kết thúc (dữ liệu: JobOut)",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **responses(401, 403, 404, 422),
    },
)
def follow_job(
    job_id: JobId, _: Planner, session: SessionDep, database: DatabaseDep, settings: SettingsDep
) -> EventStream:
    """Theo dõi lượt giải bằng server-sent events."""
    _job(session, job_id)
    session.close()

    def snapshot() -> JobOut | None:
        with database.reader() as reader:
            row = reader.get(JobRow, job_id)
            return None if row is None else job_out(row)

    async def stream() -> AsyncIterator[str]:
        last = None
        deadline = time.monotonic() + settings.sse_max_seconds
        yield "retry: 2000\n\n"
        while True:
            job = await asyncio.to_thread(snapshot)
            if job is None:
                return
            data = job.model_dump_json()
            finished = job.status in jobs.FINISHED
            if data != last:
                last = data
                yield _event("end" if finished else "progress", data)
            if finished or time.monotonic() > deadline:
                return
            await asyncio.sleep(settings.sse_poll_seconds)

    return EventStream(stream(), headers={"Cache-Control": "no-cache"})


def _event(name: str, data: str) -> str:
    return f"event: {name}\ndata: {data}\n\n"


def take_solve_slot(session: Session, user_id: int, settings: Settings) -> None:
    """Refuse (429) a user who already has the most solves running or waiting."""
    # Serialise this user's solve requests (PostgreSQL row lock; SQLite's writer lock already does).
    session.execute(select(UserRow.id).where(UserRow.id == user_id).with_for_update())
    if jobs.active_count(session, user_id) >= settings.max_concurrent_solves:
        raise ApiError(
            429,
            f"Đã có {settings.max_concurrent_solves} lượt giải đang chạy hoặc chờ; hãy đợi hoặc dừng bớt",
            headers={"Retry-After": "5"},
        )


def check_size(instance: Instance, settings: Settings) -> None:
    """Refuse (413) a month larger than the service solves."""
    if len(instance.meetings) > settings.max_meetings or len(instance.delegates) > settings.max_delegates:
        raise ApiError(
            413,
            f"Bài toán quá lớn: {len(instance.meetings)} hội nghị, {len(instance.delegates)} đại biểu "
            f"(tối đa {settings.max_meetings} và {settings.max_delegates})",
        )
