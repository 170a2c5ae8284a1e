"""The in-process runner after a crash: a job a killed server left queued or running runs
again at once when the server starts again (however soon), never stays ``running`` with
no process solving it; a running job whose heartbeat goes stale while the server is up
is taken back too. A job that keeps bringing the server down, or whose cancel was asked,
ends with a message in Vietnamese instead.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.app import create_app
from api.jobs import ThreadRunner
from api.settings import Settings
from models.storage import jobs
from models.storage.db import Database
from models.storage.tables import JobRow, UserRow
from models.storage.types import utcnow
from tests.api.processes import poll
from tests.api.world import World, build_world

MONTH = "2025-11"


@pytest.fixture
def fresh(database: Database, tiny_document: dict[str, Any]) -> World:
    return build_world(database, tiny_document, extras=False)


@pytest.fixture
def dead_pid() -> int:
    """The id of a process of this machine that has ended."""
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(ended.stdout)


@pytest.fixture
def live_pid() -> Iterator[int]:
    """The id of a live process of this machine (another server, say)."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield process.pid
    process.kill()
    process.wait(30)


def _holder(pid: int, host: str | None = None) -> str:
    return f"{host or socket.gethostname()[:40]}:{pid}:thread"


def _left(
    database: Database, holder: str | None, *, attempts: int = 0, beat_ago: float = 0.0, cancel: bool = False
) -> str:
    """A job of the month as a killed process left it: running under ``holder`` (queued when None)."""
    with database.transaction() as session:
        planner = session.scalar(select(UserRow).where(UserRow.role == "planner"))
        assert planner is not None
        job = jobs.create(session, planner.id, MONTH, 5.0)
        if holder is not None:
            assert jobs.claim(session, job.id, holder)
            beat = utcnow() - dt.timedelta(seconds=beat_ago)
            session.execute(
                update(JobRow)
                .where(JobRow.id == job.id)
                .values(attempts=attempts, heartbeat_at=beat, cancel_requested=cancel)
            )
        return job.id


def _row(database: Database, job_id: str) -> JobRow:
    with database.reader() as session:
        row = session.get(JobRow, job_id)
        assert row is not None
        return row


def test_a_job_running_when_the_server_was_killed_runs_again_at_a_quick_restart(
    app: FastAPI, client: TestClient, fresh: World, database: Database, dead_pid: int
) -> None:
    """Restarted seconds after a ``kill -9``: the job's last heartbeat is still fresh, but
    the process that beat is gone. The job runs again here and ends done; the planner can
    solve again (no 429 from a job nobody runs)."""
    job_id = _left(database, _holder(dead_pid))
    assert app.state.runner.recover() == 1
    app.state.runner.wait(job_id, 60)
    job = _row(database, job_id)
    assert (job.status, job.best_score, job.attempts, job.error) == ("done", 32, 1, None)
    assert job.schedule_id is not None
    again = client.post("/solves", json={"month": MONTH}, headers=fresh.auth("planner"))
    assert again.status_code == 201, again.text


def test_a_job_queued_when_the_server_stopped_runs_at_start(app: FastAPI, fresh: World, database: Database) -> None:
    job_id = _left(database, None)
    assert app.state.runner.recover() == 1
    app.state.runner.wait(job_id, 60)
    job = _row(database, job_id)
    assert (job.status, job.attempts) == ("done", 0)


def test_a_job_left_by_this_process_id_in_an_earlier_life_runs_again(
    app: FastAPI, fresh: World, database: Database
) -> None:
    """In a container the restarted server often gets the same process id: the job its
    earlier life held is still an orphan."""
    job_id = _left(database, _holder(os.getpid()))
    assert app.state.runner.recover() == 1
    app.state.runner.wait(job_id, 60)
    assert _row(database, job_id).status == "done"


def test_on_sqlite_a_job_held_under_another_machine_name_runs_again(
    app: FastAPI, fresh: World, database: Database
) -> None:
    """A SQLite file has one machine's processes: a holder of another name (the host name
    of an earlier container) is gone."""
    if database.backend != "sqlite":
        pytest.skip("on PostgreSQL a process of another machine may live: its heartbeat decides")
    job_id = _left(database, _holder(1, host="container-before"))
    assert app.state.runner.recover() == 1
    app.state.runner.wait(job_id, 60)
    assert _row(database, job_id).status == "done"


def test_a_job_the_server_died_on_too_often_fails_in_vietnamese(
    app: FastAPI, fresh: World, database: Database, dead_pid: int, settings: Settings
) -> None:
    """Run again twice already: a third death ends it (a job that brings the server down
    must not do so for ever under ``Restart=on-failure``)."""
    job_id = _left(database, _holder(dead_pid), attempts=settings.max_retakes)
    assert app.state.runner.recover() == 1
    job = _row(database, job_id)
    assert job.status == "failed"
    assert job.error == "Máy chủ đã khởi động lại khi đang giải 3 lần trong lượt này; lượt giải dừng hẳn, hãy chạy lại"
    assert (job.worker, job.finished_at is not None) == (None, True)


def test_a_job_whose_cancel_was_asked_ends_cancelled(
    app: FastAPI, fresh: World, database: Database, dead_pid: int
) -> None:
    job_id = _left(database, _holder(dead_pid), cancel=True)
    assert app.state.runner.recover() == 1
    job = _row(database, job_id)
    assert job.status == "cancelled"
    assert job.error == "Đã hủy theo yêu cầu; máy chủ khởi động lại trước khi kịp lưu lịch"


def test_a_live_process_keeps_the_job_it_beats_for(
    app: FastAPI, fresh: World, database: Database, live_pid: int
) -> None:
    job_id = _left(database, _holder(live_pid))
    assert app.state.runner.recover() == 0
    job = _row(database, job_id)
    assert (job.status, job.worker) == ("running", _holder(live_pid))


def test_a_running_job_whose_heartbeat_goes_stale_is_taken_back_while_the_server_runs(
    database: Database, settings: Settings, fresh: World, live_pid: int
) -> None:
    """Left alone at start (its holder lived and beat), then silent past the stale window:
    the running server's sweep takes it back and runs it."""
    quick = settings.model_copy(update={"heartbeat_seconds": 0.1, "stale_seconds": 1.0})
    app = create_app(quick, database)
    try:
        job_id = _left(database, _holder(live_pid))
        assert app.state.runner.recover() == 0
        # The holder stops beating (paused, or its beats fail): nothing else changes.
        done = poll(lambda: _row(database, job_id).status == "done", "the stale job run again here", 60)
        assert done
        assert _row(database, job_id).attempts == 1
    finally:
        app.state.runner.shutdown()


def test_the_sweep_leaves_a_running_job_that_never_beat_alone(app: FastAPI, fresh: World, database: Database) -> None:
    """Running with no heartbeat is not a runner's job (a fan-out's parent, held by the
    process that waits for its parts): only the start-up takes such a job back."""
    with database.transaction() as session:
        planner = session.scalar(select(UserRow).where(UserRow.role == "planner"))
        assert planner is not None
        parent = jobs.create(session, planner.id, MONTH, 5.0)
        jobs.start(session, parent.id)
        session.execute(
            update(JobRow).where(JobRow.id == parent.id).values(started_at=utcnow() - dt.timedelta(hours=1))
        )
    assert len(app.state.runner.sweep()) == 0
    assert _row(database, parent.id).status == "running"


def test_a_runner_dropped_without_a_shutdown_stops_sweeping(database: Database, settings: Settings) -> None:
    """The sweep never outlives its runner (it would run other processes' jobs here)."""
    quick = settings.model_copy(update={"heartbeat_seconds": 0.05, "stale_seconds": 0.2})
    runner = ThreadRunner(database, quick)
    runner.recover()
    sweeper = runner._sweeper
    assert sweeper is not None
    assert sweeper.is_alive()
    del runner
    gc.collect()
    sweeper.join(10)
    assert not sweeper.is_alive()
