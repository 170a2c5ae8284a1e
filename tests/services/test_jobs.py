"""Starting jobs: the checks month solves and scenario runs share (services.jobs)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.jobs import SolveOrder
from api.settings import Settings
from models.storage.tables import JobRow
from services import jobs, scenarios
from services.errors import Conflict, Invalid, TooLarge, TooMany
from services.scenario_runs import ScenarioOrder
from tests.api.world import MONTH, World
from tests.services.conftest import Recorder, account


def _jobs(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(JobRow)) or 0


def test_a_solve_is_committed_then_submitted(session: Session, settings: Settings, runner: Recorder) -> None:
    """A month's solve makes one job, planned against the published version, and one order for it."""
    started = jobs.start_solve(session, account(session, "planner"), settings, runner, MONTH, seconds=3)
    assert not started.replayed
    assert len(runner.orders) == 1
    order = runner.orders[0]
    assert isinstance(order, SolveOrder)
    assert (order.job_id, order.month, order.time_limit) == (started.job.id, MONTH, 3)
    assert order.base_id is not None


def test_the_same_key_returns_the_same_job(session: Session, settings: Settings, runner: Recorder) -> None:
    """A retry with the same idempotency key answers with the first job and starts nothing more."""
    planner = account(session, "planner")
    first = jobs.start_solve(session, planner, settings, runner, MONTH, idempotency_key="k1")
    again = jobs.start_solve(session, planner, settings, runner, MONTH, idempotency_key="k1")
    assert (again.job.id, again.replayed) == (first.job.id, True)
    assert len(runner.orders) == 1


def test_a_key_reused_for_another_request_is_refused(session: Session, settings: Settings, runner: Recorder) -> None:
    """The same key with another time limit is a different request: refused."""
    planner = account(session, "planner")
    jobs.start_solve(session, planner, settings, runner, MONTH, seconds=2, idempotency_key="k1")
    with pytest.raises(Conflict, match="Idempotency-Key"):
        jobs.start_solve(session, planner, settings, runner, MONTH, seconds=4, idempotency_key="k1")


def test_one_unfinished_job_at_a_time(session: Session, settings: Settings, runner: Recorder) -> None:
    """A second solve while the first is unfinished is refused, saying when to ask again."""
    planner = account(session, "planner")
    jobs.start_solve(session, planner, settings, runner, MONTH)
    with pytest.raises(TooMany) as refused:
        jobs.start_solve(session, planner, settings, runner, MONTH)
    assert refused.value.retry_after > 0
    assert len(runner.orders) == 1


def test_a_month_too_large_starts_nothing(session: Session, runner: Recorder) -> None:
    """A month with more meetings than the cap is refused before any job exists."""
    small = Settings(load_sample=False, max_meetings=2)
    before = _jobs(session)
    with pytest.raises(TooLarge):
        jobs.start_solve(session, account(session, "planner"), small, runner, MONTH)
    session.rollback()
    assert (_jobs(session), runner.orders) == (before, [])


def test_a_month_without_meetings_is_invalid(session: Session, settings: Settings, runner: Recorder) -> None:
    """A month nobody registered a meeting in is refused."""
    with pytest.raises(Invalid, match="chưa có hội nghị"):
        jobs.start_solve(session, account(session, "planner"), settings, runner, "2026-03")


def test_a_scenario_run_shares_the_checks(session: Session, settings: Settings, runner: Recorder, world: World) -> None:
    """A scenario run is idempotent by key and counts against the same slot as solves."""
    planner = account(session, "planner")
    first = scenarios.run(session, planner, settings, runner, world.ids["scenario"], idempotency_key="r1")
    again = scenarios.run(session, planner, settings, runner, world.ids["scenario"], idempotency_key="r1")
    assert (again.job.id, again.replayed) == (first.job.id, True)
    assert [type(o) for o in runner.orders] == [ScenarioOrder]
    with pytest.raises(TooMany):
        jobs.start_solve(session, planner, settings, runner, MONTH)


def test_a_finished_job_is_not_cancelled(session: Session, runner: Recorder, world: World) -> None:
    """Cancelling the world's finished job is refused; nothing is asked of the runner."""
    with pytest.raises(Conflict, match="đã kết thúc"):
        jobs.cancel(session, account(session, "planner"), runner, world.ids["done_job"])
    assert runner.cancelled == []
