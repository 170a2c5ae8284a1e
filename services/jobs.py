"""Starting, reading and cancelling jobs: month solves, range solves and scenario runs.

A range solve (:func:`start_range`, ``POST /solves`` with ``from``/``to``) is one job
planning up to :data:`MAX_RANGE` months jointly (one solve of all their meetings,
:func:`services.months.load_range`), then one draft per month; its months and each
month's published version are kept in the job's ``payload``, the months it plans and its
drafts in its ``answer`` (JSON columns the job already has: no migration).

Every start goes through :func:`start`, so the checks made before a job exists (so that
a refused request starts nothing) are written once, with the account's starts one at a
time (its row locked): an idempotency key already used by this account answers with that
earlier job, whatever the cap (refused when it was used for another request); the
account must have fewer than ``max_concurrent_solves`` unfinished jobs
(:class:`~services.errors.TooMany`); the month to solve must hold meetings
(:class:`~services.errors.Invalid`) and fit the size caps
(:class:`~services.errors.TooLarge`). The job is committed before it is handed to the
runner, so a runner never sees a job the database does not hold.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.jobs import RangeOrder, SolveOrder
from api.settings import Settings
from models.errors import Issue
from models.instance import Instance
from models.storage import audit, jobs, schedules
from models.storage.clock import month_label
from models.storage.tables import JobRow, UserRow
from services.access import require_planner
from services.errors import Conflict, Invalid, NotFound, TooLarge, TooMany
from services.months import load_month, months_between
from services.scenario_runs import ScenarioOrder

Order = SolveOrder | RangeOrder | ScenarioOrder
RETRY_AFTER = 5
"""Seconds a refused account is told to wait before asking again."""


class Runner(Protocol):
    """What runs the jobs (:class:`api.jobs.Runner`: threads here, or the queue)."""

    def submit(self, order: Order) -> None: ...

    def cancel(self, job_id: str) -> bool: ...


@dataclass(frozen=True)
class Started:
    job: JobRow
    replayed: bool
    """True when the idempotency key answered with the job an earlier request made."""


@dataclass(frozen=True)
class Ready:
    """A request that passed its own checks: the month it will solve, how to record its
    job (create the row and audit it, uncommitted), and its order for the runner."""

    instance: Instance
    empty: str
    """Why a month without meetings is refused, in the request's words."""
    record: Callable[[], JobRow]
    order: Callable[[JobRow], Order]
    empty_issues: tuple[Issue, ...] = ()
    """The fields that asked for the empty months, said beside them."""


def time_limit(asked: float | None, settings: Settings) -> float:
    # Cut to the server's cap rather than refused: a client's "as long as you may" keeps
    # working when the cap is lowered, and the job's time_limit says what it got. The
    # pages, whose field states the cap, refuse more beside it (web.workspace.form_seconds).
    """The seconds a job gets: what was asked (or the default), at most the cap."""
    return min(asked or settings.default_solve_seconds, settings.max_solve_seconds)


def start(
    session: Session,
    planner: UserRow,
    settings: Settings,
    runner: Runner,
    idempotency_key: str | None,
    same: Callable[[JobRow], bool],
    mismatch: str,
    ready: Callable[[], Ready],
) -> Started:
    """Start a job (committed, then submitted) after the checks every job start makes.

    ``same`` tells whether an earlier job of the key answers this request; ``mismatch``
    says why not; ``ready`` makes the request's own checks and is called only once the
    account has a free slot.
    """
    require_planner(planner)
    lock_account(session, planner.id)
    # The key is looked up under the lock, before the cap: a retry sent while its first
    # request was still starting waited for that request's commit above and now finds its
    # job, which the cap would otherwise count against it (429 instead of the job).
    if idempotency_key is not None:
        earlier = jobs.by_key(session, planner.id, idempotency_key)
        if earlier is not None:
            return _replay(earlier, same, mismatch)
    take_solve_slot(session, planner.id, settings)
    request = ready()
    if not request.instance.meetings:
        raise Invalid(request.empty, request.empty_issues)
    check_size(request.instance, settings)
    try:
        job = request.record()
        session.commit()
    except IntegrityError:
        # The same key raced in from a parallel retry: answer with that request's job.
        session.rollback()
        earlier = jobs.by_key(session, planner.id, idempotency_key or "")
        if earlier is None:
            raise
        return _replay(earlier, same, mismatch)
    runner.submit(request.order(job))
    return Started(job, replayed=False)


def _replay(job: JobRow, same: Callable[[JobRow], bool], mismatch: str) -> Started:
    if not same(job):
        raise Conflict(mismatch)
    return Started(job, replayed=True)


def lock_account(session: Session, user_id: int) -> None:
    """Take this user's job starts one at a time until the transaction ends (PostgreSQL
    row lock; SQLite's writer lock already does): a start reads the keys and the
    unfinished jobs the starts before it committed."""
    session.execute(select(UserRow.id).where(UserRow.id == user_id).with_for_update())


def take_solve_slot(session: Session, user_id: int, settings: Settings) -> None:
    """Refuse a user who already has the most solves running or waiting (the account
    locked by :func:`lock_account`)."""
    if jobs.active_count(session, user_id) >= settings.max_concurrent_solves:
        raise TooMany(
            f"Đã có {settings.max_concurrent_solves} lượt giải đang chạy hoặc chờ; hãy đợi hoặc dừng bớt",
            retry_after=RETRY_AFTER,
        )


def check_size(instance: Instance, settings: Settings) -> None:
    """Refuse a month larger than the service solves."""
    if len(instance.meetings) > settings.max_meetings or len(instance.delegates) > settings.max_delegates:
        raise TooLarge(
            f"Bài toán quá lớn: {len(instance.meetings)} hội nghị, {len(instance.delegates)} đại biểu "
            f"(tối đa {settings.max_meetings} và {settings.max_delegates})"
        )


def start_solve(
    session: Session,
    planner: UserRow,
    settings: Settings,
    runner: Runner,
    month: str,
    *,
    seconds: float | None = None,
    changes_first: bool = False,
    idempotency_key: str | None = None,
) -> Started:
    """Solve ``month`` into a new draft, planned against the version in force (if any)."""
    limit = time_limit(seconds, settings)

    def same(job: JobRow) -> bool:
        return job.month == month and job.changes_first == changes_first and job.time_limit == limit

    def ready() -> Ready:
        _, instance = load_month(session, month)
        base = schedules.current(session, month)
        base_id = base.id if base else None

        def record() -> JobRow:
            job = jobs.create(session, planner.id, month, limit, changes_first, idempotency_key, base_id=base_id)
            audit.record(session, planner, "solve.start", "job", job.id, {"month": month, "time_limit": limit})
            return job

        def order(job: JobRow) -> SolveOrder:
            return SolveOrder(job.id, month, instance, base_id, limit, changes_first, planner.id)

        return Ready(instance, f"Tháng {month} chưa có hội nghị nào được đăng ký", record, order)

    mismatch = "Idempotency-Key này đã dùng cho một yêu cầu khác (tháng hoặc tham số khác)"
    return start(session, planner, settings, runner, idempotency_key, same, mismatch, ready)


MAX_RANGE = 12
"""The most months one range solve plans (a year)."""


def solve_months(month: str | None, first: str | None, last: str | None) -> list[str]:
    """The months a ``POST /solves`` asks for: ``month``, or ``from`` to ``to`` (inclusive,
    at most :data:`MAX_RANGE`); :class:`~services.errors.Invalid` naming the field otherwise."""

    def refuse(field: str, value: object, message: str) -> Invalid:
        return Invalid(f"{field}: {message}", [Issue(path=f"$.{field}", value=value, message=message)])

    if month is not None:
        if first is not None or last is not None:
            field = "from" if first is not None else "to"
            raise refuse(field, first or last, "chỉ gửi month, hoặc from và to, không gửi cả hai")
        return [month]
    if first is None and last is None:
        raise refuse("month", None, "thiếu tháng: gửi month, hoặc from và to")
    if first is None or last is None:
        field = "to" if last is None else "from"
        raise refuse(field, None, "khoảng tháng cần cả from và to")
    months = months_between(first, last)
    if not months:
        raise refuse("to", last, f"tháng cuối {last} ở trước tháng đầu {first}")
    if len(months) > MAX_RANGE:
        raise refuse("to", last, f"khoảng {len(months)} tháng; tối đa {MAX_RANGE} tháng một lượt")
    return months


def start_range(
    session: Session,
    planner: UserRow,
    settings: Settings,
    runner: Runner,
    months: list[str],
    *,
    seconds: float | None = None,
    changes_first: bool = False,
    idempotency_key: str | None = None,
) -> Started:
    """Plan ``months`` jointly in one job; one draft per month (a month without meetings
    is left out). ``seconds`` is per month: the joint solve gets it times the months."""
    limit = time_limit(seconds, settings)

    def same(job: JobRow) -> bool:
        months_of = (job.payload or {}).get("months")
        return months_of == months and job.changes_first == changes_first and job.time_limit == limit

    def ready() -> Ready:
        largest = None
        bases: dict[str, int] = {}
        for month in months:
            _, instance = load_month(session, month)
            check_size(instance, settings)
            if largest is None or len(instance.meetings) > len(largest.meetings):
                largest = instance
            base = schedules.current(session, month)
            if base is not None:
                bases[month] = base.id
        assert largest is not None  # months is never empty

        def record() -> JobRow:
            payload: dict[str, object] = {"months": months, "bases": bases}
            job = jobs.create(session, planner.id, months[0], limit, changes_first, idempotency_key, payload=payload)
            detail = {"months": months, "time_limit": limit}
            audit.record(session, planner, "solve.start", "job", job.id, detail)
            return job

        def order(job: JobRow) -> RangeOrder:
            return RangeOrder(job.id, tuple(months), bases, limit, changes_first, planner.id)

        # In the months' Vietnamese form (MM/YYYY), naming the fields that asked for them.
        span = month_label(months[0]) + (f" đến {month_label(months[-1])}" if len(months) > 1 else "")
        said = f"tháng {span} chưa có hội nghị nào được đăng ký"
        empty = ("Các " if len(months) > 1 else "") + said
        empty = empty[0].upper() + empty[1:]
        issues = (
            Issue(path="$.from", value=months[0], message=said),
            Issue(path="$.to", value=months[-1], message=said),
        )
        return Ready(largest, empty, record, order, issues)

    mismatch = "Idempotency-Key này đã dùng cho một yêu cầu khác (tháng hoặc tham số khác)"
    return start(session, planner, settings, runner, idempotency_key, same, mismatch, ready)


def get_job(session: Session, job_id: str) -> JobRow:
    job = session.get(JobRow, job_id)
    if job is None:
        raise NotFound(f"Không có lượt giải {job_id}")
    return job


def cancel(session: Session, planner: UserRow, runner: Runner, job_id: str) -> JobRow:
    """Stop a job (committed); a solve stopped keeps its best schedule so far as a draft."""
    require_planner(planner)
    job = get_job(session, job_id)
    if job.status not in jobs.ACTIVE:
        raise Conflict(f"Lượt giải đã kết thúc ({job.status})")
    if not jobs.cancel_queued(session, job_id):
        # The flag reaches the job wherever it runs (its worker's next heartbeat reads it);
        # an in-process runner also stops it at once.
        jobs.request_cancel(session, job_id)
        runner.cancel(job_id)
    audit.record(session, planner, "solve.cancel", "job", job_id)
    session.commit()
    session.refresh(job)
    return job
