"""Range solves (issue 12): ``POST /solves`` with ``from``/``to`` plans the months jointly
in one job (one solve of all their meetings), then one draft per month, each scored on its
own after the drafts before it."""

from __future__ import annotations

import copy
import threading
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from api.jobs import JobRunner
from api.settings import Settings
from models.storage.db import Database
from models.storage.tables import JobRow, ScheduleRow
from solver import solve as solver_solve
from tests.api import test_queue
from tests.api.test_queue import Workers
from tests.api.world import World, build_world
from tests.storage.databases import ADMIN_URL

# The queue's database and worker processes (tests/api/test_queue.py), for the one test on real workers.
queue_url, qdb, qsettings, workers = test_queue.queue_url, test_queue.qdb, test_queue.qsettings, test_queue.workers


def _three_months(document: dict[str, Any]) -> dict[str, Any]:
    """The tiny example with its November meetings repeated in December and January."""
    out = copy.deepcopy(document)
    for month in ("2025-12", "2026-01"):
        for meeting in document["meetings"]:
            again = dict(meeting, id=f"{meeting['id']}-{month}", start=month + meeting["start"][7:])
            out["meetings"].append(again)
    return out


@pytest.fixture
def months(database: Database, tiny_document: dict[str, Any]) -> World:
    return build_world(database, _three_months(tiny_document), extras=False)


def _count(database: Database, table: Any) -> int:
    with database.reader() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_a_range_makes_one_job_and_one_draft_per_month(client: TestClient, months: World) -> None:
    """Three months in one job; the job lists a draft of each month, in order."""
    body = {"from": "2025-11", "to": "2026-01", "time_limit": 1}
    response = client.post("/solves", json=body, headers=months.auth("planner"))
    assert response.status_code == 201, response.text
    job = response.json()
    assert job["months"] == ["2025-11", "2025-12", "2026-01"]
    client.app.state.runner.wait(job["id"], 60)  # type: ignore[attr-defined]
    done = client.get(f"/jobs/{job['id']}", headers=months.auth("planner")).json()
    assert done["status"] == "done", done
    assert done["planning"] is None
    assert len(done["schedule_ids"]) == 3
    assert done["schedule_id"] == done["schedule_ids"][-1]
    got = [client.get(f"/schedules/{i}", headers=months.auth("planner")).json() for i in done["schedule_ids"]]
    assert [(s["month"], s["status"]) for s in got] == [
        ("2025-11", "draft"),
        ("2025-12", "draft"),
        ("2026-01", "draft"),
    ]
    # The job's figures are the joint solve's: its score over the range and its bound.
    assert done["best_score"] is not None
    assert done["bound"] is not None
    assert done["bound"] <= done["best_score"]


def test_the_range_is_one_solve_of_every_month(app: FastAPI, client: TestClient, months: World) -> None:
    """The solver sees the three months' meetings at once, for three months' time; each
    month's draft holds that month's meetings only and the score the scorer gives it
    after the drafts before it."""
    seen: list[tuple[Any, float]] = []

    def spy(instance: Any, **options: Any) -> Any:
        seen.append((instance, options["time_limit"]))
        return solver_solve(instance, **options)

    app.state.runner = JobRunner(app.state.database, app.state.settings, solve_function=spy)
    body = {"from": "2025-11", "to": "2026-01", "time_limit": 2}
    job = client.post("/solves", json=body, headers=months.auth("planner")).json()
    app.state.runner.wait(job["id"], 60)
    done = client.get(f"/jobs/{job['id']}", headers=months.auth("planner")).json()
    assert done["status"] == "done", done
    assert len(seen) == 1
    instance, limit = seen[0]
    assert {m.start.strftime("%Y-%m") for m in instance.meetings} == {"2025-11", "2025-12", "2026-01"}
    assert limit == 6
    from models.storage.schedules import Plan
    from services.months import load_rolling_month
    from solver import score

    earlier: list[Any] = []
    with app.state.database.reader() as session:
        for schedule_id, month in zip(done["schedule_ids"], ["2025-11", "2025-12", "2026-01"], strict=True):
            stored = client.get(f"/schedules/{schedule_id}", headers=months.auth("planner")).json()
            pairs = [(a["meeting"], a["delegate"]) for a in stored["assignments"]]
            _, alone = load_rolling_month(session, month, earlier)
            assert {m for m, _ in pairs} <= {m.id for m in alone.meetings}
            assert stored["score_total"] == score(alone, pairs).total
            plan = Plan(pairs=pairs)
            earlier.append((alone, plan.pairs, plan.visits))
    app.state.runner.shutdown()


def test_later_months_know_the_drafts_before_them(database: Database, months: World) -> None:
    """December's draft is scored with November's draft as its history."""
    from models.storage.schedules import Plan
    from services.months import load_month, load_rolling_month

    with database.reader() as session:
        _, november = load_month(session, "2025-11")
        _, alone = load_rolling_month(session, "2025-12", [])
        pairs = [("m1", "d1")]
        plan = Plan(pairs=pairs, visits={}, solver_status="feasible", total=0, terms={})
        _, after = load_rolling_month(session, "2025-12", [(november, plan.pairs, plan.visits)])
    assert len(after.history.attendances) == len(alone.history.attendances) + 1
    assert any(a.delegate == "d1" and a.commune == "c1" for a in after.history.attendances)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"from": "2025-11"}, "to"),
        ({"to": "2025-12"}, "from"),
        ({"from": "2025-12", "to": "2025-11"}, "to"),
        ({"from": "2025-01", "to": "2026-01"}, "to"),
        ({"month": "2025-11", "from": "2025-11", "to": "2025-12"}, "from"),
        ({}, "month"),
        ({"from": "2025-13", "to": "2026-01"}, "from"),
    ],
)
def test_a_bad_range_is_refused_naming_the_field(
    client: TestClient, months: World, database: Database, body: dict[str, str], field: str
) -> None:
    response = client.post("/solves", json=body, headers=months.auth("planner"))
    assert response.status_code == 422, response.text
    # Paths as every other refusal writes them (JSONPath from the body's root).
    assert response.json()["errors"][0]["path"] == f"$.{field}"
    assert _count(database, JobRow) == 0


@pytest.mark.parametrize("who", ["delegate", "commune"])
def test_only_planners_plan_a_range(client: TestClient, months: World, database: Database, who: str) -> None:
    body = {"from": "2025-11", "to": "2025-12", "time_limit": 1}
    assert client.post("/solves", json=body, headers=months.auth(who)).status_code == 403
    assert _count(database, JobRow) == 0
    assert _count(database, ScheduleRow) == 0


def test_cancel_keeps_the_best_schedule_of_every_month(app: FastAPI, client: TestClient, months: World) -> None:
    """A cancel during the joint solve ends the job `cancelled` with a draft of each month
    (the best schedule found so far); progress named the range's first month."""
    started = threading.Event()
    seen: list[str | None] = []

    def slow_solve(instance: Any, **options: Any) -> Any:
        started.set()
        assert options["stop"].wait(30), "the cancel never reached the solver"
        return solver_solve(instance, **options)

    app.state.runner = JobRunner(app.state.database, app.state.settings, solve_function=slow_solve)
    body = {"from": "2025-11", "to": "2026-01", "time_limit": 1}
    job = client.post("/solves", json=body, headers=months.auth("planner")).json()
    assert started.wait(30)
    seen.append(client.get(f"/jobs/{job['id']}", headers=months.auth("planner")).json()["planning"])
    assert client.post(f"/jobs/{job['id']}/cancel", headers=months.auth("planner")).status_code == 202
    app.state.runner.wait(job["id"], 60)
    ended = client.get(f"/jobs/{job['id']}", headers=months.auth("planner")).json()
    assert seen == ["2025-11"]
    assert ended["status"] == "cancelled"
    assert len(ended["schedule_ids"]) == 3
    assert ended["planning"] is None
    app.state.runner.shutdown()


def test_a_job_taken_away_stores_no_draft(app: FastAPI, client: TestClient, months: World, database: Database) -> None:
    """When the job is no longer this worker's as it ends (retaken elsewhere), none of the
    range's drafts is stored: they commit with the job's end or not at all."""

    def taken(instance: Any, **options: Any) -> Any:
        result = solver_solve(instance, **options)
        with database.transaction() as session:
            row = session.scalar(select(JobRow).where(JobRow.status == "running"))
            assert row is not None
            row.worker = "another-worker"  # what a retake does to the row
        return result

    app.state.runner = JobRunner(app.state.database, app.state.settings, solve_function=taken)
    body = {"from": "2025-11", "to": "2026-01", "time_limit": 1}
    job = client.post("/solves", json=body, headers=months.auth("planner")).json()
    app.state.runner.wait(job["id"], 60)
    assert _count(database, ScheduleRow) == 0
    with database.reader() as session:
        row = session.get(JobRow, job["id"])
        assert row is not None
        assert (row.status, row.worker) == ("running", "another-worker")
    app.state.runner.shutdown()


def test_a_worker_rebuilds_the_range_from_the_row(database: Database, months: World) -> None:
    """The queue's workers get only the job's id: the row gives back the whole range."""
    from api.jobs import RangeOrder, order_of
    from models.storage import jobs

    with database.transaction() as session:
        row = jobs.create(session, None, "2025-11", 1.0, payload={"months": ["2025-11", "2025-12"], "bases": {}})
        job_id = row.id
    with database.reader() as session:
        order = order_of(session, job_id)
    assert isinstance(order, RangeOrder)
    assert order.months == ("2025-11", "2025-12")


@pytest.mark.skipif(ADMIN_URL == "skip", reason="PHANCONG_TEST_POSTGRES_URL=skip")
def test_a_range_goes_through_a_worker_process(
    qdb: Database,
    qsettings: Settings,
    workers: Workers,
    tiny_document: dict[str, Any],
) -> None:
    """On the queue a worker gets only the job's id and plans the same range, month by month."""
    world = build_world(qdb, _three_months(tiny_document), extras=False)
    workers.start()
    with TestClient(create_app(qsettings, qdb)) as web:
        body = {"from": "2025-11", "to": "2025-12", "time_limit": 1}
        response = web.post("/solves", json=body, headers=world.auth("planner"))
        assert response.status_code == 201, response.text
        web.app.state.runner.wait(response.json()["id"], 60)  # type: ignore[attr-defined]
        done = web.get(f"/jobs/{response.json()['id']}", headers=world.auth("planner")).json()
    assert done["status"] == "done", done
    assert len(done["schedule_ids"]) == 2


def test_the_joint_instance_keeps_each_months_flag_and_the_history_before_it(database: Database, months: World) -> None:
    """A commune flagged 2 for December only: its December meetings carry two seats and a
    tier-2 senior in the joint instance, November's and January's do not; the history is
    what came before November (the range's own months are re-planned, not history)."""
    from models.storage import flags
    from services.months import load_month, load_range

    with database.transaction() as session:
        flags.set_flag(session, "c1", "2025-12", 2, "Có đơn thư", "planner", None)
    with database.reader() as session:
        _, joint = load_range(session, ["2025-11", "2025-12", "2026-01"])
        _, november = load_month(session, "2025-11")
        _, december = load_month(session, "2025-12")
    assert len(joint.meetings) == 3 * len(november.meetings)
    assert joint.history == november.history
    assert joint.commune("c1").flag == november.commune("c1").flag
    for meeting in joint.meetings:
        if meeting.commune != "c1":
            continue
        month = meeting.start.strftime("%Y-%m")
        expected = december if month == "2025-12" else november
        same = next(m for m in expected.meetings if m.commune == "c1" and m.start.day == meeting.start.day)
        assert joint.required(meeting) == expected.required(same), month
        assert joint.senior_tier(meeting) == expected.senior_tier(same), month
    assert any(joint.senior_tier(m) == 2 for m in joint.meetings if m.commune == "c1")


def _solved(client: TestClient, world: World, body: dict[str, Any]) -> dict[str, Any]:
    """Start a solve and wait for its end: the finished job."""
    response = client.post("/solves", json=body, headers=world.auth("planner"))
    assert response.status_code == 201, response.text
    job_id = response.json()["id"]
    client.app.state.runner.wait(job_id, 60)  # type: ignore[attr-defined]
    done = client.get(f"/jobs/{job_id}", headers=world.auth("planner")).json()
    assert done["status"] == "done", done
    return dict(done)


def test_a_months_draft_of_a_range_is_not_called_proved_without_a_bound(client: TestClient, months: World) -> None:
    """The joint solve proves the range's score, not each month's own: every draft keeps its
    own status (never "optimal" without a bound) and names the joint plan, its job, status and
    bound, in the draft, the month's versions and the schedules list alike."""
    done = _solved(client, months, {"from": "2025-11", "to": "2026-01", "time_limit": 2})
    auth = months.auth("planner")
    for entry in done["drafts"]:
        draft = client.get(f"/schedules/{entry['schedule_id']}", headers=auth).json()
        assert draft["bound"] is None
        assert draft["solver_status"] in ("feasible", "partial"), draft["solver_status"]
        assert "đã chứng minh" not in draft["status_label"] or "chưa" in draft["status_label"]
        joint = draft["joint"]
        assert joint["job"] == done["id"]
        assert joint["months"] == ["2025-11", "2025-12", "2026-01"]
        assert (joint["status"], joint["score"], joint["bound"]) == (
            done["result_status"],
            done["best_score"],
            done["bound"],
        )
        assert "lập cùng lúc các tháng 11/2025 đến 01/2026" in joint["note"]
        assert done["id"] in joint["note"]
        versions = client.get(f"/months/{entry['month']}", headers=auth).json()["versions"]
        listed = next(v for v in versions if v["id"] == entry["schedule_id"])
        assert (listed["solver_status"], listed["bound"], listed["joint"]["job"]) == (
            draft["solver_status"],
            None,
            done["id"],
        )
    listed = client.get("/schedules", headers=auth).json()
    assert all(s["joint"]["job"] == done["id"] for s in listed if s["id"] in done["schedule_ids"])


def test_a_one_month_range_stores_its_bound_like_a_month_solve(client: TestClient, months: World) -> None:
    """A range of one month is that month's own solve: the draft has the status, bound and
    score a ``{"month": …}`` solve gives, and no joint plan."""
    ranged = _solved(client, months, {"from": "2025-12", "to": "2025-12", "time_limit": 2})
    single = _solved(client, months, {"month": "2025-12", "time_limit": 2})
    auth = months.auth("planner")
    one = client.get(f"/schedules/{ranged['schedule_ids'][0]}", headers=auth).json()
    other = client.get(f"/schedules/{single['schedule_id']}", headers=auth).json()
    assert one["bound"] is not None
    assert one["bound"] == ranged["bound"]
    assert one["solver_status"] == ranged["result_status"]
    assert one["joint"] is None
    assert (one["solver_status"], one["status_label"], one["bound"], one["score_total"]) == (
        other["solver_status"],
        other["status_label"],
        other["bound"],
        other["score_total"],
    )
    if one["solver_status"] == "optimal":
        assert one["bound"] == one["score_total"]


def test_the_drafts_name_their_month_when_a_month_has_no_meetings(
    client: TestClient, world: World, app: FastAPI
) -> None:
    """October has no meetings, November has: ``months`` lists both, ``schedule_ids`` one
    draft, and ``drafts`` says it is November's (zipping the two lists would say October)."""
    done = _solved(client, world, {"from": "2025-10", "to": "2025-11", "time_limit": 1})
    assert done["months"] == ["2025-10", "2025-11"]
    assert len(done["schedule_ids"]) == 1
    assert done["drafts"] == [{"month": "2025-11", "schedule_id": done["schedule_ids"][0]}]
    draft = client.get(f"/schedules/{done['schedule_ids'][0]}", headers=world.auth("planner")).json()
    assert draft["month"] == "2025-11"
    # The descriptions say so too: months are the asked ones, drafts pair a draft with its month.
    props = client.get("/openapi.json").json()["components"]["schemas"]["JobOut"]["properties"]
    assert "kể cả tháng không có hội nghị" in props["months"]["description"]
    assert "mỗi tháng một bản, theo thứ tự" not in props["schedule_ids"]["description"]
    assert "drafts" in props["schedule_ids"]["description"]
    assert "drafts" in props


def test_an_empty_range_is_refused_naming_its_months_and_fields(
    client: TestClient, months: World, database: Database
) -> None:
    """No meetings in the range: 422 saying the months as MM/YYYY, with ``$.from`` and ``$.to``."""
    response = client.post("/solves", json={"from": "2027-01", "to": "2027-03"}, headers=months.auth("planner"))
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["detail"] == "Các tháng 01/2027 đến 03/2027 chưa có hội nghị nào được đăng ký"
    assert [(e["path"], e["value"]) for e in body["errors"]] == [("$.from", "2027-01"), ("$.to", "2027-03")]
    assert _count(database, JobRow) == 0


def test_a_range_time_limit_above_the_cap_gets_the_cap(client: TestClient, months: World, app: FastAPI) -> None:
    """Seconds per month above the server's cap get the cap, as a month's solve does; the
    job says what it got."""
    cap = app.state.settings.max_solve_seconds
    body = {"from": "2025-11", "to": "2025-12", "time_limit": cap + 1}
    started = client.post("/solves", json=body, headers=months.auth("planner"))
    assert started.status_code == 201, started.text
    assert started.json()["time_limit"] == cap
    client.app.state.runner.wait(started.json()["id"], 60)  # type: ignore[attr-defined]


def test_the_solve_summary_says_the_range_is_planned_jointly(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/solves"]["post"]
    words = (operation.get("summary", "") + " " + operation.get("description", "")).lower()
    assert "cùng lúc" in words
    assert "lần lượt" not in words
