"""Solving a month: ``POST /solves`` makes a job; the job is polled or followed by
server-sent events; its result is a draft schedule.

Checks before a job exists (so a refused request starts nothing, :mod:`services.jobs`):
the month's instance must validate (422), fit the size caps (413), and the user must have
fewer than ``max_concurrent_solves`` unfinished jobs (429). An ``Idempotency-Key`` makes a
retry return the job the first request made.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response, status
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from api.deps import DatabaseDep, Planner, RunnerDep, SessionDep, SettingsDep
from api.errors import responses
from api.paging import PAGED, RecentPage
from api.present import job_out
from api.schemas.common import Month
from api.schemas.jobs import JobOut, SolveIn
from models.storage import jobs as job_store
from models.storage.tables import JobRow
from services import jobs

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
    """Lập lịch cho một tháng (month), hoặc cùng lúc cho các tháng from đến to (tối đa 12, một
    lượt giải chung, mỗi tháng có hội nghị một bản nháp): trả về lượt giải (job) để theo dõi."""
    months = jobs.solve_months(body.month, body.from_, body.to)
    seconds, first = body.time_limit, body.changes_first
    if body.month is not None:
        started = jobs.start_solve(
            session,
            planner,
            settings,
            runner,
            body.month,
            seconds=seconds,
            changes_first=first,
            idempotency_key=idempotency_key,
        )
    else:
        started = jobs.start_range(
            session,
            planner,
            settings,
            runner,
            months,
            seconds=seconds,
            changes_first=first,
            idempotency_key=idempotency_key,
        )
    return started_out(started, response)


def started_out(started: jobs.Started, response: Response) -> JobOut:
    """The job, with where to follow it and whether the idempotency key replayed it."""
    response.headers["Location"] = f"/jobs/{started.job.id}"
    if started.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return job_out(started.job)


JobId = Annotated[str, Path(min_length=1, max_length=32)]


@router.get("/jobs", response_model=list[JobOut], responses={**responses(401, 403, 422), **PAGED})
def list_jobs(
    _: Planner, session: SessionDep, page: RecentPage, month: Annotated[Month | None, Query()] = None
) -> list[JobOut]:
    """Các lượt giải, mới nhất trước; các lượt cũ hơn ở các trang sau (offset)."""
    query = select(JobRow).order_by(JobRow.created_at.desc(), JobRow.id.desc())
    if month is not None:
        query = query.where(JobRow.month == month)
    return [job_out(j) for j in page.rows(session, query)]


@router.get("/jobs/{job_id}", response_model=JobOut, responses=responses(401, 403, 404, 422))
def read_job(job_id: JobId, _: Planner, session: SessionDep) -> JobOut:
    """Trạng thái và tiến độ (điểm tốt nhất, cận dưới) của lượt giải."""
    return job_out(jobs.get_job(session, job_id))


@router.post(
    "/jobs/{job_id}/cancel",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobOut,
    responses=responses(401, 403, 404, 409, 422),
)
def cancel_job(job_id: JobId, planner: Planner, session: SessionDep, runner: RunnerDep) -> JobOut:
    """Dừng lượt giải; lịch tốt nhất đến lúc đó vẫn được lưu thành bản nháp."""
    return job_out(jobs.cancel(session, planner, runner, job_id))


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
    jobs.get_job(session, job_id)
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
            finished = job.status in job_store.FINISHED
            if data != last:
                last = data
                yield _event("end" if finished else "progress", data)
            if finished or time.monotonic() > deadline:
                return
            await asyncio.sleep(settings.sse_poll_seconds)

    return EventStream(stream(), headers={"Cache-Control": "no-cache"})


def _event(name: str, data: str) -> str:
    return f"event: {name}\ndata: {data}\n\n"
