"""Solve jobs: creation, idempotency, caps (429, 413), progress by polling and by
server-sent events, cancellation, recovery after a restart."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from api.jobs import JobRunner
from api.settings import Settings
from models.storage import jobs
from models.storage.db import Database
from models.storage.tables import JobRow, UserRow
from solver import solve as solver_solve
from tests.api.helpers import solve
from tests.api.world import World, build_world


@pytest.fixture
def fresh(database: Database, tiny_document: dict[str, Any]) -> World:
    """The tiny example with accounts, and no job yet."""
    return build_world(database, tiny_document, extras=False)


def _jobs(database: Database) -> int:
    with database.reader() as session:
        return session.scalar(select(func.count()).select_from(JobRow)) or 0


def test_solve_returns_a_job_whose_result_is_a_draft(client: TestClient, fresh: World) -> None:
    """201 with the job's id and its Location; the finished job links the draft and its score."""
    response = client.post("/solves", json={"month": "2025-11"}, headers=fresh.auth("planner"))
    assert response.status_code == 201
    job = response.json()
    assert response.headers["Location"] == f"/jobs/{job['id']}"
    assert job["status"] in ("queued", "running", "done")
    client.app.state.runner.wait(job["id"], 60)  # type: ignore[attr-defined]
    done = client.get(f"/jobs/{job['id']}", headers=fresh.auth("planner")).json()
    assert (done["status"], done["result_status"], done["best_score"]) == ("done", "optimal", 32)
    assert client.get(f"/schedules/{done['schedule_id']}", headers=fresh.auth("planner")).json()["status"] == "draft"


def test_idempotency_key_makes_a_retry_return_the_same_job(
    client: TestClient, fresh: World, database: Database
) -> None:
    """The same request with the same key gives the same job and starts no second solve;
    the key reused for another month is a conflict."""
    headers = {**fresh.auth("planner"), "Idempotency-Key": "thang-11-lan-1"}
    first = client.post("/solves", json={"month": "2025-11"}, headers=headers)
    client.app.state.runner.wait(first.json()["id"], 60)  # type: ignore[attr-defined]
    again = client.post("/solves", json={"month": "2025-11"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _jobs(database) == 1
    other = client.post("/solves", json={"month": "2025-12"}, headers=headers)
    assert other.status_code == 409
    assert _jobs(database) == 1


def test_concurrent_solves_per_user_are_capped(client: TestClient, fresh: World, database: Database) -> None:
    """With one unfinished job, a second solve by the same planner is 429 and creates nothing."""
    with database.transaction() as session:
        planner = session.scalar(select(UserRow).where(UserRow.role == "planner"))
        assert planner is not None
        jobs.create(session, planner.id, "2025-11", 5.0)
    response = client.post("/solves", json={"month": "2025-11"}, headers=fresh.auth("planner"))
    assert response.status_code == 429
    assert response.headers["Retry-After"]
    assert _jobs(database) == 1


def test_oversized_month_is_413_and_starts_nothing(database: Database, fresh: World) -> None:
    """A month with more meetings than the cap is refused before any job exists."""
    app = create_app(Settings(load_sample=False, max_meetings=3), database)
    with TestClient(app) as client:
        response = client.post("/solves", json={"month": "2025-11"}, headers=fresh.auth("planner"))
    app.state.runner.shutdown()
    assert response.status_code == 413
    assert "4 hội nghị" in response.json()["detail"]
    assert _jobs(database) == 0


def test_oversized_body_is_413(database: Database, fresh: World) -> None:
    """A request body over the byte cap is refused with a JSON 413 before it is read."""
    app = create_app(Settings(load_sample=False, max_body_bytes=2048), database)
    with TestClient(app) as client:
        response = client.post("/communes", json={"id": "c10", "name": "x" * 4000}, headers=fresh.auth("planner"))
    app.state.runner.shutdown()
    assert response.status_code == 413
    assert response.json()["detail"].startswith("Dữ liệu gửi lên quá lớn")


def test_month_without_meetings_is_422(client: TestClient, fresh: World, database: Database) -> None:
    """Nothing to plan: 422 and no job."""
    response = client.post("/solves", json={"month": "2026-02"}, headers=fresh.auth("planner"))
    assert response.status_code == 422
    assert _jobs(database) == 0


def test_time_limit_is_capped_by_the_settings(client: TestClient, fresh: World, app: FastAPI) -> None:
    """Asking for an hour gets the configured maximum, and the job says so."""
    job = client.post("/solves", json={"month": "2025-11", "time_limit": 3600}, headers=fresh.auth("planner")).json()
    assert job["time_limit"] == app.state.settings.max_solve_seconds


def test_unknown_field_is_422_not_ignored(client: TestClient, fresh: World, database: Database) -> None:
    """A misspelt option is refused, naming it, and starts nothing."""
    response = client.post("/solves", json={"month": "2025-11", "timelimit": 5}, headers=fresh.auth("planner"))
    assert response.status_code == 422
    assert [(e["path"], e["value"]) for e in response.json()["errors"]] == [("$.timelimit", 5)]
    assert _jobs(database) == 0


def test_event_stream_ends_with_the_finished_job(client: TestClient, fresh: World) -> None:
    """The event stream of a job ends with an `end` event carrying the finished job."""
    job = solve(client, fresh)
    with client.stream("GET", f"/jobs/{job['id']}/events", headers=fresh.auth("planner")) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        text = "".join(stream.iter_text())
    events = [block for block in text.split("\n\n") if block.startswith("event:")]
    assert events
    name, data = events[-1].split("\n", 1)
    assert name == "event: end"
    assert json.loads(data.removeprefix("data: "))["schedule_id"] == job["schedule_id"]


def test_event_stream_reports_progress_while_running(
    client: TestClient, fresh: World, database: Database, app: FastAPI
) -> None:
    """Followed from the start, a solve streams its state until `end` (progress when it
    takes long enough to report)."""
    response = client.post("/solves", json={"month": "2025-11"}, headers=fresh.auth("planner"))
    job_id = response.json()["id"]
    with client.stream("GET", f"/jobs/{job_id}/events", headers=fresh.auth("planner")) as stream:
        text = "".join(stream.iter_text())
    names = [line for line in text.splitlines() if line.startswith("event:")]
    assert names[-1] == "event: end"
    assert all(name in ("event: progress", "event: end") for name in names)


def _events(text: str) -> list[tuple[str, dict[str, Any]]]:
    """(name, job) of each server-sent event of a job's stream."""
    out = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            out.append((fields["event"], json.loads(fields["data"])))
    return out


def test_progress_events_carry_consistent_scores_and_bounds(app: FastAPI, client: TestClient, fresh: World) -> None:
    """Followed from the start, the progress events carry the best score and the bound so
    far: a bound never above the best score, the best only improving and the bound only
    rising, both within the final result; the `end` event is the job as stored, and the
    draft it made has that score."""

    def paced(instance: Any, **options: Any) -> Any:
        report = options["on_progress"]

        def slowly(progress: Any) -> None:
            # Longer than the stored progress interval and the stream's poll, so that each
            # report reaches the database and the stream sees it.
            time.sleep(0.3)
            report(progress)

        return solver_solve(instance, **{**options, "on_progress": slowly})

    app.state.runner = JobRunner(app.state.database, app.state.settings, solve_function=paced)
    job_id = client.post("/solves", json={"month": "2025-11"}, headers=fresh.auth("planner")).json()["id"]
    with client.stream("GET", f"/jobs/{job_id}/events", headers=fresh.auth("planner")) as stream:
        events = _events("".join(stream.iter_text()))
    app.state.runner.shutdown()
    (last, final), progress = events[-1], [job for name, job in events[:-1] if name == "progress"]
    assert last == "end"
    assert [name for name, _ in events[:-1]] == ["progress"] * len(progress)
    assert final == client.get(f"/jobs/{job_id}", headers=fresh.auth("planner")).json()
    assert (final["status"], final["best_score"], final["bound"]) == ("done", 32, 32)
    scored = [job for job in progress if job["best_score"] is not None]
    assert scored, "no progress event carried a best score"
    for job in [*progress, final]:
        if job["best_score"] is not None and job["bound"] is not None:
            assert job["bound"] <= job["best_score"], job
    bests = [job["best_score"] for job in [*scored, final]]
    bounds = [job["bound"] for job in [*progress, final] if job["bound"] is not None]
    assert bests == sorted(bests, reverse=True)
    assert bounds == sorted(bounds)
    assert bounds[-1] <= bests[-1]
    draft = client.get(f"/schedules/{final['schedule_id']}", headers=fresh.auth("planner")).json()
    assert draft["score_total"] == final["best_score"]


def test_cancel_a_queued_job(client: TestClient, fresh: World, database: Database) -> None:
    """A job that has not started is cancelled at once; a finished one cannot be."""
    with database.transaction() as session:
        planner = session.scalar(select(UserRow).where(UserRow.role == "planner"))
        assert planner is not None
        queued = jobs.create(session, planner.id, "2025-11", 5.0)
    response = client.post(f"/jobs/{queued.id}/cancel", headers=fresh.auth("planner"))
    assert response.status_code == 202
    assert response.json()["status"] == "cancelled"
    assert client.post(f"/jobs/{queued.id}/cancel", headers=fresh.auth("planner")).status_code == 409


def test_restart_runs_again_the_jobs_left_unfinished(app: FastAPI, fresh: World, database: Database) -> None:
    """Jobs queued or running when the process died run again at start-up (more cases:
    tests/api/test_restart_recovery.py)."""
    with database.transaction() as session:
        planner = session.scalar(select(UserRow).where(UserRow.role == "planner"))
        assert planner is not None
        left = jobs.create(session, planner.id, "2025-11", 5.0)
        jobs.start(session, left.id)
    assert app.state.runner.recover() == 1
    app.state.runner.wait(left.id, 60)
    with database.reader() as session:
        row = session.get(JobRow, left.id)
        assert row is not None
        assert (row.status, row.attempts, row.error) == ("done", 1, None)


def test_impossible_pin_fails_the_job_with_the_reason(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    """A pin of a delegate on leave makes the month infeasible: the job fails and says why."""
    document = {**tiny_document, "pinned": [{"meeting": "m3", "delegate": "d1"}]}
    world = build_world(database, document, extras=False)
    response = client.post("/solves", json={"month": "2025-11"}, headers=world.auth("planner"))
    client.app.state.runner.wait(response.json()["id"], 60)  # type: ignore[attr-defined]
    job = client.get(f"/jobs/{response.json()['id']}", headers=world.auth("planner")).json()
    assert (job["status"], job["result_status"], job["schedule_id"]) == ("failed", "infeasible", None)
    assert "Nguyễn Văn Kiên" in job["error"]


def test_cancel_a_running_job_keeps_its_best_schedule(app: FastAPI, client: TestClient, fresh: World) -> None:
    """Cancelling a running solve sets the solver's stop event: the job ends `cancelled`
    and the best schedule found so far is still saved as a draft."""
    started = threading.Event()

    def slow_solve(instance: Any, **options: Any) -> Any:
        started.set()
        assert options["stop"].wait(30), "the cancel never reached the solver"
        return solver_solve(instance, **options)

    app.state.runner = JobRunner(app.state.database, app.state.settings, solve_function=slow_solve)
    job = client.post("/solves", json={"month": "2025-11"}, headers=fresh.auth("planner")).json()
    assert started.wait(30)
    assert client.get(f"/jobs/{job['id']}", headers=fresh.auth("planner")).json()["status"] == "running"
    response = client.post(f"/jobs/{job['id']}/cancel", headers=fresh.auth("planner"))
    assert response.status_code == 202
    app.state.runner.wait(job["id"], 60)
    ended = client.get(f"/jobs/{job['id']}", headers=fresh.auth("planner")).json()
    assert ended["status"] == "cancelled"
    assert ended["schedule_id"] is not None
    app.state.runner.shutdown()
