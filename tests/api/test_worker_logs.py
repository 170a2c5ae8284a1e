"""What ``phancong worker`` says when something is off: a database not migrated yet (one
line in Vietnamese, a non-zero exit, no traceback; the supervisor does not start such a
worker again and again), and a job taken from a worker that only paused (one clear line,
not an asyncio "Task exception was never retrieved" with procrastinate's traceback).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.settings import Settings
from models.storage.db import Database
from tests.api.processes import ROOT, poll
from tests.api.test_queue import HEARTBEAT, STALE, Workers, running_on, start_solve
from tests.api.world import World, build_world
from tests.storage.databases import ADMIN_URL, drop_postgres, postgres_url, wipe
from tests.storage.databases import worker_name as checkout_worker

pytestmark = pytest.mark.skipif(ADMIN_URL == "skip", reason="PHANCONG_TEST_POSTGRES_URL=skip")

SCRIPT = ROOT / ".venv" / "bin" / "phancong"


@pytest.fixture
def empty_url() -> Iterator[str]:
    """A PostgreSQL database with no table at all: nobody migrated it."""
    name = f"phancong_unmigrated_{checkout_worker()}"
    yield postgres_url(name)
    drop_postgres(name)


def test_a_worker_on_a_database_not_migrated_says_so_in_one_line(empty_url: str) -> None:
    env = {**os.environ, "PHANCONG_DATABASE_URL": empty_url, "PHANCONG_WORKER_NICE": "0"}
    done = subprocess.run([str(SCRIPT), "worker"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "ConnectorException" not in done.stderr + done.stdout
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Lỗi: "), done.stderr
    assert "python -m models.storage.migrate upgrade" in lines[0]


def test_the_supervisor_does_not_restart_a_worker_refused_at_start() -> None:
    """A worker that exits 2 (refused: the database, the settings) would be refused again:
    the supervisor stops and exits 2 instead of starting it again every second."""
    code = (
        "import sys; from api.worker import supervise; "
        "raise SystemExit(supervise(2, [sys.executable, '-c', 'raise SystemExit(2)']))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr


# -- a job taken from a paused worker ----------------------------------------------------------


@pytest.fixture(scope="module")
def logs_url() -> Iterator[str]:
    from tests.api.processes import own_database

    yield from own_database("phancong_worker_logs")


@pytest.fixture
def ldb(logs_url: str) -> Iterator[Database]:
    database = Database.connect(logs_url)
    wipe(database)
    with database.transaction() as session:
        session.execute(text("DELETE FROM procrastinate_events"))
        session.execute(text("DELETE FROM procrastinate_jobs"))
    yield database
    database.dispose()


@pytest.fixture
def web(logs_url: str, ldb: Database) -> Iterator[TestClient]:
    settings = Settings(
        database_url=logs_url,
        load_sample=False,
        job_runner="queue",
        max_solve_seconds=10,
        default_solve_seconds=5,
        heartbeat_seconds=HEARTBEAT,
        stale_seconds=STALE,
        public_url="http://testserver",
    )
    database = Database.connect(logs_url)
    with TestClient(create_app(settings, database)) as client:
        yield client
    database.dispose()


def test_a_paused_worker_that_lost_its_job_logs_one_line_not_a_task_exception(
    web: TestClient, ldb: Database, tiny_document: dict[str, Any], logs_url: str, tmp_path: Path
) -> None:
    world: World = build_world(ldb, tiny_document, extras=False)
    workers = Workers(logs_url, tmp_path)
    try:
        first = workers.start(hold=60)
        job_id = start_solve(web, world)
        running_on(ldb, job_id, first)
        first.send_signal(signal.SIGSTOP)  # a pause past the stale window: the job is retaken
        second = workers.start(hold=60)
        running_on(ldb, job_id, second)
        first.send_signal(signal.SIGCONT)
        log = sorted(tmp_path.glob("0-*.log"))[0]
        poll(lambda: "its answer is dropped" in log.read_text(errors="replace"), "the paused worker's line", 60)
        for process in (first, second):
            process.send_signal(signal.SIGTERM)
            process.wait(60)
        said = log.read_text(errors="replace")
    finally:
        workers.close()
    assert "already closed by the sweep" in said, said
    assert "Task exception was never retrieved" not in said, said
    assert "Traceback" not in said, said
