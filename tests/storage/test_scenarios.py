"""Scenarios as rows: their changes kept as written, revisions, results kept with the
scenario and removed with it, and jobs outliving the scenario they ran."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from models.storage import importer, jobs, users
from models.storage import scenarios as store
from models.storage.db import Database
from models.storage.tables import JobRow, ScenarioResultRow, ScenarioRow, UserRow

CHANGES: list[dict[str, Any]] = [
    {"kind": "delegate_away", "delegate": "d1", "from": "2025-11-04", "to": "2025-11-05", "reason": "Nghỉ ốm"},
    {"kind": "commune_flag", "commune": "c3", "flag": 2, "reason": "Tranh chấp đất đai, khiếu kiện đông người"},
    {
        "kind": "meeting_added",
        "meeting": {"id": "m10", "commune": "c1", "start": "2025-11-20T08:00", "theme": "Chuyên đề “Dân vận khéo”"},
    },
]


@pytest.fixture
def tiny(database: Database, tiny_document: dict[str, Any]) -> Database:
    """The tiny example imported, with a planner."""
    with database.transaction() as session:
        importer.import_document(session, tiny_document)
        users.create_user(session, "Cán bộ Ban Tuyên giáo", "planner")
    return database


def _first_user(database: Database) -> int:
    with database.reader() as session:
        found = session.scalar(select(UserRow.id).order_by(UserRow.id))
    assert found is not None
    return found


def _result(scenario_id: int, job_id: str | None, revision: int = 1) -> ScenarioResultRow:
    return ScenarioResultRow(
        scenario_id=scenario_id,
        job_id=job_id,
        revision=revision,
        mode="weighted",
        changes=CHANGES,
        base_source="solved",
        solver_status="optimal",
        score_total=42,
        terms={"changes": 2},
        weights={"changes": 20},
        rotation_months=3,
        bound=42,
        seconds=0.01,
        changes_proved=True,
        diff=[{"meeting": "m1", "reason": "Đ/c Nguyễn Văn Kiên nghỉ ốm 04/11 → thay bằng Đ/c Lò Văn Sơn"}],
    )


def test_changes_are_stored_exactly_as_written(tiny: Database) -> None:
    """The changes list reads back equal, Vietnamese text, nesting and key order included."""
    with tiny.transaction() as session:
        scenario_id = store.create(session, name="Tổng hợp", month="2025-11", changes=CHANGES).id
    with tiny.reader() as session:
        row = session.get(ScenarioRow, scenario_id)
        assert row is not None
        assert row.changes == CHANGES
        assert [list(c) for c in row.changes] == [list(c) for c in CHANGES]
        assert (row.revision, row.mode, row.base_id) == (1, "weighted", None)


def test_a_new_question_is_a_new_revision(tiny: Database) -> None:
    """New changes or a new mode bump the revision (and the ETag); a new name or description
    does not, but changes the ETag."""
    with tiny.transaction() as session:
        scenario = store.create(session, name="A", month="2025-11", changes=CHANGES[:1])
        first = store.etag(scenario)
        store.update(session, scenario, {"name": "B"})
        renamed = store.etag(scenario)
        store.update(session, scenario, {"description": "Đổi tên"})
        assert scenario.revision == 1
        assert len({first, renamed, store.etag(scenario)}) == 3
        store.update(session, scenario, {"changes": CHANGES[:1]})
        assert scenario.revision == 1
        store.update(session, scenario, {"changes": CHANGES})
        assert scenario.revision == 2
        store.update(session, scenario, {"mode": "changes_first"})
        assert scenario.revision == 3
        assert store.etag(scenario) != first


def test_deleting_a_scenario_removes_its_results_and_keeps_its_jobs(tiny: Database) -> None:
    """The scenario's results go with it; its finished job stays, no longer linked."""
    planner = _first_user(tiny)
    with tiny.transaction() as session:
        scenario = store.create(session, name="A", month="2025-11", changes=CHANGES)
        job = jobs.create(session, planner, "2025-11", 1.0, scenario_id=scenario.id, mode="weighted")
        store.save_result(session, _result(scenario.id, job.id))
        store.save_result(session, _result(scenario.id, None))
        scenario_id, job_id = scenario.id, job.id
    with tiny.reader() as session:
        assert [r.job_id for r in store.results(session, scenario_id)] == [None, job_id]
        latest = store.latest_result(session, scenario_id)
        assert latest is not None
        assert latest.job_id is None
    with tiny.transaction() as session:
        scenario = session.get(ScenarioRow, scenario_id)
        assert scenario is not None
        store.delete(session, scenario)
    with tiny.reader() as session:
        assert session.scalars(select(ScenarioResultRow)).all() == []
        kept = session.get(JobRow, job_id)
        assert kept is not None
        assert kept.scenario_id is None


def test_a_result_for_a_deleted_scenario_is_not_stored(tiny: Database) -> None:
    """A run that ends after its scenario was deleted stores nothing."""
    with tiny.transaction() as session:
        scenario = store.create(session, name="A", month="2025-11", changes=[])
        scenario_id = scenario.id
        store.delete(session, scenario)
    with tiny.transaction() as session:
        assert store.save_result(session, _result(scenario_id, None)) is None
    with tiny.reader() as session:
        assert session.scalars(select(ScenarioResultRow)).all() == []


def test_active_jobs_are_the_scenarios_queued_and_running_runs(tiny: Database) -> None:
    """A solve of the same month and a finished run are not the scenario's active runs."""
    planner = _first_user(tiny)
    with tiny.transaction() as session:
        scenario = store.create(session, name="A", month="2025-11", changes=[])
        running = jobs.create(session, planner, "2025-11", 1.0, scenario_id=scenario.id, mode="fresh")
        jobs.start(session, running.id)
        done = jobs.create(session, planner, "2025-11", 1.0, scenario_id=scenario.id, mode="fresh")
        jobs.start(session, done.id)
        jobs.finish(session, done.id, "done")
        jobs.create(session, planner, "2025-11", 1.0)
        assert [j.id for j in store.active_jobs(session, scenario.id)] == [running.id]
