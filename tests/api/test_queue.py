"""Jobs on the procrastinate queue, on the local PostgreSQL, with real worker processes
(:mod:`tests.api.queue_worker`) and two app instances standing for two web processes.

Every wait is a poll of the job's row with a generous timeout, never a sleep taken as an
assertion: a slow machine makes the tests slower, not red. Solves are of the tiny month;
a worker holds its answer open (``hold``) so that a test can act mid-solve.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from api.app import create_app
from api.jobs import ThreadRunner
from api.settings import Settings
from models.storage.db import Database
from models.storage.tables import JobRow, ScheduleRow
from tests.api.processes import FULL_PRIORITY, Started, own_database, poll
from tests.api.world import World, build_world
from tests.storage.databases import ADMIN_URL, wipe

pytestmark = pytest.mark.skipif(ADMIN_URL == "skip", reason="PHANCONG_TEST_POSTGRES_URL=skip")

HEARTBEAT, STALE = 0.2, 1.5
MONTH = "2025-11"


@pytest.fixture(scope="module")
def queue_url() -> Iterator[str]:
    """A database of its own: worker processes connect to it by URL."""
    yield from own_database("phancong_queue")


@pytest.fixture
def qdb(queue_url: str) -> Iterator[Database]:
    database = Database.connect(queue_url)
    wipe(database)
    with database.transaction() as session:
        session.execute(text("DELETE FROM procrastinate_events"))
        session.execute(text("DELETE FROM procrastinate_jobs"))
    yield database
    database.dispose()


@pytest.fixture
def qsettings(queue_url: str) -> Settings:
    return Settings(
        database_url=queue_url,
        load_sample=False,
        job_runner="queue",
        max_solve_seconds=10,
        default_solve_seconds=5,
        progress_interval=0.05,
        sse_poll_seconds=0.05,
        heartbeat_seconds=HEARTBEAT,
        stale_seconds=STALE,
        public_url="http://testserver",
    )


@pytest.fixture
def world(qdb: Database, tiny_document: dict[str, Any]) -> World:
    return build_world(qdb, tiny_document, extras=False)


class Workers(Started):
    """Worker processes started by a test, all ended at its end."""

    def __init__(self, url: str, logs: Path) -> None:
        super().__init__(logs)
        self.url = url

    def start(self, hold: float = 0.0) -> subprocess.Popen[bytes]:
        env = {
            "PHANCONG_DATABASE_URL": self.url,
            "PHANCONG_HEARTBEAT_SECONDS": str(HEARTBEAT),
            "PHANCONG_STALE_SECONDS": str(STALE),
            "PHANCONG_WORKER_POLL_SECONDS": "0.2",
            "PHANCONG_PROGRESS_INTERVAL": "0.05",
            "PHANCONG_SOLVER_THREADS": "1",
            "PHANCONG_TEST_HOLD": str(hold),
            **FULL_PRIORITY,
        }
        return self.launch([sys.executable, "-m", "tests.api.queue_worker"], env, "worker")


@pytest.fixture
def workers(queue_url: str, tmp_path: Path) -> Iterator[Workers]:
    """Worker processes; their logs are printed at teardown (pytest shows them on a failure)."""
    started = Workers(queue_url, tmp_path)
    yield started
    started.close()
    print(started.output())


def _client(settings: Settings) -> Iterator[TestClient]:
    database = Database.connect(settings.database_url)
    with TestClient(create_app(settings, database)) as client:
        yield client
    database.dispose()


@pytest.fixture
def web1(qsettings: Settings) -> Iterator[TestClient]:
    """The web process that accepts the job."""
    yield from _client(qsettings)


@pytest.fixture
def web2(qsettings: Settings) -> Iterator[TestClient]:
    """Another web process on the same database."""
    yield from _client(qsettings)


def job_row(database: Database, job_id: str) -> JobRow:
    with database.reader() as session:
        row = session.get(JobRow, job_id)
        assert row is not None
        return row


def when(database: Database, job_id: str, check: Callable[[JobRow], bool], what: str, timeout: float = 60) -> JobRow:
    def read() -> JobRow | None:
        row = job_row(database, job_id)
        return row if check(row) else None

    return poll(read, what, timeout)


def running_on(database: Database, job_id: str, process: subprocess.Popen[bytes]) -> JobRow:
    """The job, once the worker ``process`` runs it."""
    return when(
        database,
        job_id,
        lambda r: r.status == "running" and (r.worker or "").endswith(f":{process.pid}"),
        f"job running on worker {process.pid}",
    )


def start_solve(client: TestClient, world: World) -> str:
    response = client.post("/solves", json={"month": MONTH, "time_limit": 5}, headers=world.auth("planner"))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def drafts(database: Database) -> list[tuple[int, str | None]]:
    with database.reader() as session:
        return [(s.id, s.job_id) for s in session.scalars(select(ScheduleRow).where(ScheduleRow.month == MONTH))]


def assert_one_draft_no_orphan(database: Database, job: JobRow) -> None:
    """The job's draft is the month's only one, and every draft has a job pointing at it."""
    assert drafts(database) == [(job.schedule_id, job.id)]
    with database.reader() as session:
        linked = set(session.scalars(select(JobRow.schedule_id).where(JobRow.schedule_id.is_not(None))))
    assert {schedule_id for schedule_id, _ in drafts(database)} <= linked


def events(client: TestClient, world: World, job_id: str) -> list[tuple[str, dict[str, Any]]]:
    with client.stream("GET", f"/jobs/{job_id}/events", headers=world.auth("planner")) as stream:
        body = "".join(stream.iter_text())
    found = []
    for block in body.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines:
            found.append((lines["event"], json.loads(lines["data"])))
    return found


# -- the tests ------------------------------------------------------------------------------


def test_a_job_goes_through_a_worker_process(
    web1: TestClient, web2: TestClient, world: World, qdb: Database, workers: Workers
) -> None:
    """Accepted by one web process, solved by a worker process, followed by events from
    another web process: the draft is the worker's, linked to the job."""
    worker = workers.start()
    job_id = start_solve(web1, world)
    found = events(web2, world, job_id)
    assert found[-1][0] == "end"
    assert (found[-1][1]["status"], found[-1][1]["best_score"]) == ("done", 32)
    job = job_row(qdb, job_id)
    assert (job.worker or "").endswith(f":{worker.pid}")
    assert (job.attempts, job.queue_job_id is not None) == (0, True)
    assert web1.get(f"/schedules/{job.schedule_id}", headers=world.auth("planner")).json()["status"] == "draft"
    assert_one_draft_no_orphan(qdb, job)


def test_cancel_from_another_web_process_stops_the_job_and_keeps_its_best(
    web1: TestClient, web2: TestClient, world: World, qdb: Database, workers: Workers
) -> None:
    """The cancel reaches the worker through the job's flag, whichever web process got it."""
    worker = workers.start(hold=60)
    job_id = start_solve(web1, world)
    running_on(qdb, job_id, worker)
    response = web2.post(f"/jobs/{job_id}/cancel", headers=world.auth("planner"))
    assert response.status_code == 202, response.text
    job = when(qdb, job_id, lambda r: r.status == "cancelled", "job cancelled")
    assert (job.schedule_id is not None, job.best_score) == (True, 32)
    assert_one_draft_no_orphan(qdb, job)
    assert worker.poll() is None, "the worker goes on after a cancel"


def test_sigkill_mid_solve_another_worker_retakes_the_job(
    web1: TestClient, world: World, qdb: Database, workers: Workers
) -> None:
    """A worker killed mid-solve: another takes the job up once its heartbeat is stale and
    finishes it; one draft, none orphaned (an unlinked one is discarded); the dead worker's
    queue job is failed."""
    first = workers.start(hold=60)
    job_id = start_solve(web1, world)
    before = running_on(qdb, job_id, first)
    with qdb.transaction() as session:
        # A draft made for the job but never linked to it (the one-transaction write makes
        # none): the retake discards it.
        session.add(
            ScheduleRow(month=MONTH, version=9, solver_status="feasible", score_total=0, terms={}, job_id=job_id)
        )
    first.kill()
    first.wait(30)
    second = workers.start()
    job = when(qdb, job_id, lambda r: r.status == "done", "job done by the second worker", timeout=90)
    assert (job.worker or "").endswith(f":{second.pid}")
    assert job.attempts == 1
    assert_one_draft_no_orphan(qdb, job)
    with qdb.reader() as session:
        status = session.execute(
            text("SELECT status::text FROM procrastinate_jobs WHERE id = :id"), {"id": before.queue_job_id}
        ).scalar()
    assert status == "failed"


def test_a_third_crash_fails_the_job_in_vietnamese(
    web1: TestClient, world: World, qdb: Database, workers: Workers
) -> None:
    """Taken up again twice, the job's third dead worker fails it, saying so; no draft."""
    job_id = start_solve(web1, world)
    for attempt in range(3):
        worker = workers.start(hold=60)
        job = running_on(qdb, job_id, worker)
        assert job.attempts == attempt
        worker.kill()
        worker.wait(30)
    workers.start(hold=60)
    job = when(qdb, job_id, lambda r: r.status == "failed", "job failed after the third crash", timeout=90)
    assert job.error == "Máy giải đã dừng đột ngột 3 lần khi đang chạy lượt này; lượt giải dừng hẳn, hãy chạy lại"
    assert (job.schedule_id, drafts(qdb)) == (None, [])


def test_sigterm_lets_the_worker_save_its_best_schedule(
    web1: TestClient, world: World, qdb: Database, workers: Workers
) -> None:
    """SIGTERM mid-solve: the solve stops early, its best schedule is the job's draft, the
    job ends done, and the worker exits cleanly."""
    worker = workers.start(hold=60)
    job_id = start_solve(web1, world)
    running_on(qdb, job_id, worker)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(60) == 0
    job = job_row(qdb, job_id)
    assert (job.status, job.best_score) == ("done", 32)
    assert_one_draft_no_orphan(qdb, job)


def test_a_starting_web_process_leaves_a_live_workers_job_alone(
    web1: TestClient, world: World, qdb: Database, workers: Workers, qsettings: Settings
) -> None:
    """A web process that starts (either runner's recovery) does not touch a job whose
    worker beats: it stays running on that worker, which then finishes it."""
    worker = workers.start(hold=60)
    job_id = start_solve(web1, world)
    seen = running_on(qdb, job_id, worker)
    database = Database.connect(qsettings.database_url)
    try:
        starting = create_app(qsettings, database)
        assert starting.state.runner.recover() == 0
        assert ThreadRunner(database, qsettings.model_copy(update={"job_runner": "thread"})).recover() == 0
    finally:
        database.dispose()
    assert seen.heartbeat_at is not None
    beat = seen.heartbeat_at
    later = when(qdb, job_id, lambda r: r.heartbeat_at is not None and r.heartbeat_at > beat, "a later heartbeat")
    assert (later.status, later.worker) == ("running", seen.worker)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(60) == 0
    assert job_row(qdb, job_id).status == "done"


def test_robustness_fans_out_one_job_per_replan_over_the_workers(
    qdb: Database, workers: Workers, tiny_document: dict[str, Any]
) -> None:
    """`scenario robustness --queue`: each re-plan is a job of its own, run by the workers;
    the answers are those of the local process pool, absence by absence."""
    from api.fanout import robustness_on_queue
    from models.io import instance_from_document
    from scenarios.robustness import analyse
    from solver import solve as solver_solve

    pairs = solver_solve(instance_from_document(tiny_document), time_limit=5).assignments
    spread = [workers.start(), workers.start()]
    queued = analyse(tiny_document, pairs, time_limit=5, solve_all=robustness_on_queue(qdb, tiny_document, pairs, 5))
    local = analyse(tiny_document, pairs, time_limit=5, processes=1)

    def costs(report: Any) -> list[tuple[str, int, int, list[int]]]:
        return [(c.delegate, c.month.changes, c.month.unfilled, [d.changes for d in c.days]) for c in report.delegates]

    assert costs(queued) == costs(local)
    with qdb.reader() as session:
        parts = session.scalars(select(JobRow).where(JobRow.mode == "replan")).all()
        parent = session.scalars(select(JobRow).where(JobRow.mode == "robustness")).one()
    total = sum(1 + len(c.days) for c in local.delegates)
    assert (len(parts), parent.status) == (total, "done")
    assert {p.status for p in parts} == {"done"}
    assert {p.parent_id for p in parts} == {parent.id}
    ran = {(p.worker or "").rsplit(":", 1)[-1] for p in parts}
    assert ran <= {str(w.pid) for w in spread}


def test_an_idempotency_key_retried_on_another_web_process_gives_the_same_job(
    web1: TestClient, web2: TestClient, world: World, qdb: Database
) -> None:
    """The key is in the database: a retry reaching the other web process replays the job."""
    headers = {**world.auth("planner"), "Idempotency-Key": "thang-11"}
    first = web1.post("/solves", json={"month": MONTH}, headers=headers)
    again = web2.post("/solves", json={"month": MONTH}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    with qdb.reader() as session:
        assert len(session.scalars(select(JobRow)).all()) == 1


def test_a_scenario_run_goes_through_a_worker_process(
    web1: TestClient, web2: TestClient, world: World, qdb: Database, workers: Workers
) -> None:
    """A what-if run is a queue job too: the worker rebuilds it from the stored scenario;
    its result (never a draft) is read from the other web process."""
    ill = {"kind": "delegate_away", "delegate": "d1", "from": "2025-11-04", "to": "2025-11-04", "reason": "Nghỉ ốm"}
    body = {"name": "Bí thư nghỉ ốm", "month": MONTH, "changes": [ill]}
    scenario = web1.post("/scenarios", json=body, headers=world.auth("planner"))
    assert scenario.status_code == 201, scenario.text
    workers.start()
    response = web1.post(
        f"/scenarios/{scenario.json()['id']}/runs", json={"time_limit": 5}, headers=world.auth("planner")
    )
    assert response.status_code == 201, response.text
    job = when(qdb, response.json()["id"], lambda r: r.status in ("done", "failed", "cancelled"), "the run ended")
    assert (job.status, job.schedule_id, drafts(qdb)) == ("done", None, [])
    shown = web2.get(f"/scenarios/{scenario.json()['id']}/result", headers=world.auth("planner"))
    assert shown.status_code == 200, shown.text
    assert shown.json()["job_id"] == job.id


ILL = {"kind": "delegate_away", "delegate": "d1", "from": "2025-11-04", "to": "2025-11-04", "reason": "Nghỉ ốm"}
MOVED = {"kind": "meeting_moved", "meeting": "m2", "start": "2025-11-04T08:00"}
CLASH = [MOVED, {"kind": "pin", "meeting": "m1", "delegate": "d3"}, {"kind": "pin", "meeting": "m2", "delegate": "d3"}]


def test_scenario_compare_fans_out_one_job_per_scenario_over_the_workers(
    qdb: Database, workers: Workers, tmp_path: Path, queue_url: str
) -> None:
    """`scenario compare --queue`: each scenario is a job of its own, run by the workers; the
    outcomes are those of the in-process run, scenario by scenario (one without a schedule too)."""
    from typer.testing import CliRunner

    from api.fanout import compare_on_queue
    from cli.scenario import scenario_app
    from scenarios.runner import BaseCache, run_scenario
    from scenarios.scenario import load_scenario
    from tests.scenarios.conftest import make_folder, scenario_writer

    write = scenario_writer(make_folder(tmp_path))
    files = [
        write("yên", []),
        write("ốm", [ILL], mode="changes_first"),
        write("dời", [MOVED], mode="fresh"),
        write("trùng", CLASH),
    ]
    scenarios = [load_scenario(f) for f in files]
    local_cache, queued_cache = BaseCache(), BaseCache()
    local = [run_scenario(s, time_limit=5, workers=1, cache=local_cache) for s in scenarios]
    spread = [workers.start(), workers.start()]
    runs = [(s, queued_cache.get(s, time_limit=5, workers=1)) for s in scenarios]
    queued = compare_on_queue(qdb, runs, None, 5)

    def seen(outcome: Any) -> tuple[Any, ...]:
        report = outcome.result.report
        terms = None if report is None else (report.total, report.terms)
        moved = [(c.meeting, c.before, c.seats) for c in outcome.changes]
        return outcome.name, outcome.mode, outcome.result.status, terms, moved, outcome.result.problems

    assert [seen(o) for o in queued] == [seen(o) for o in local]
    assert [o.result.status for o in queued][-1] == "infeasible"
    assert all(q.instance == o.instance for q, o in zip(queued, local, strict=True))
    with qdb.reader() as session:
        parts = session.scalars(select(JobRow).where(JobRow.mode == "compare_part")).all()
        parent = session.scalars(select(JobRow).where(JobRow.mode == "compare")).one()
    assert (len(parts), parent.status, {p.status for p in parts}) == (4, "done", {"done"})
    assert {p.parent_id for p in parts} == {parent.id}
    assert {(p.worker or "").rsplit(":", 1)[-1] for p in parts} <= {str(w.pid) for w in spread}

    # The command itself: the same table through the queue as in this process.
    cli = CliRunner(env={"COLUMNS": "250", "PHANCONG_DATABASE_URL": queue_url})
    names = [str(f) for f in files[:2]]
    through = cli.invoke(scenario_app, ["compare", *names, "--time-limit", "5", "--workers", "1", "--queue"])
    here = cli.invoke(scenario_app, ["compare", *names, "--time-limit", "5", "--workers", "1"])
    assert (through.exit_code, here.exit_code) == (0, 0), through.output + here.output
    with qdb.reader() as session:
        assert len(session.scalars(select(JobRow).where(JobRow.mode == "compare_part")).all()) == 4 + 2

    def scores(output: str) -> list[str]:
        return [line for line in output.splitlines() if "Tổng điểm" in line or "thay đổi" in line]

    assert scores(through.output) == scores(here.output)
    assert len(scores(here.output)) >= 2, here.output
