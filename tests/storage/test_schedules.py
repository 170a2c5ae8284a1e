"""Schedule versions: publication freezes calendar events with stable UIDs and SEQUENCE
numbers, never changes a published version, and is safe under concurrency."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from models.storage import importer, mapping, schedules
from models.storage.db import Database
from models.storage.schedules import Plan, PublishError
from models.storage.tables import AssignmentRow, MeetingRow, ScheduleRow


def publish_plan(
    database: Database, month: str, pairs: list[tuple[str, str]], teams: dict[Any, str] | None = None
) -> int:
    """Create a draft of ``pairs`` planned against the version in force and publish it."""
    with database.transaction() as session:
        base = schedules.current(session, month)
        draft = schedules.create_draft(
            session, month, Plan(pairs=pairs, visits=teams or {}), base.id if base else None, None
        )
        schedules.publish(session, draft.id, draft.revision, None)
        return draft.id


def _events(database: Database, schedule_id: int) -> dict[tuple[str, str], AssignmentRow]:
    with database.reader() as session:
        rows = session.scalars(select(AssignmentRow).where(AssignmentRow.schedule_id == schedule_id))
        return {(r.meeting_id, r.delegate_id): r for r in rows}


@pytest.fixture
def tiny(database: Database, tiny_document: dict[str, Any]) -> Database:
    """The tiny example imported (meetings m1–m4 in November 2025)."""
    with database.transaction() as session:
        importer.import_document(session, tiny_document)
    return database


def test_publication_freezes_each_event(tiny: Database) -> None:
    """Each published assignment gets its UID, SEQUENCE 0, a UTC stamp and its local times."""
    first = publish_plan(tiny, "2025-11", [("m1", "d4"), ("m2", "d3")], {("m1", "d4"): "c1-t3"})
    events = _events(tiny, first)
    m1 = events["m1", "d4"]
    assert m1.uid == "m1.d4@phancong.tuyenvan"
    assert m1.sequence == 0
    assert m1.stamped_at is not None
    assert m1.stamped_at.utcoffset() is not None
    assert m1.starts_at is not None
    assert m1.starts_at.isoformat() == "2025-11-04T01:00:00+00:00"
    assert m1.summary == "Dự hội nghị tuyên vận Phường Cốc Lếu"
    assert m1.description is not None
    assert "Tổ tuyên vận tổ dân phố số 3" in m1.description
    assert events["m2", "d3"].description is not None
    assert "đột xuất" not in (events["m2", "d3"].description or "")


def test_republish_bumps_sequence_only_for_changed_events(tiny: Database) -> None:
    """After a meeting moves, a republish keeps every UID, bumps SEQUENCE of that meeting's
    event only, and leaves the earlier published version exactly as it was."""
    first = publish_plan(tiny, "2025-11", [("m1", "d4"), ("m2", "d3"), ("m4", "d5")])
    before = {k: (r.uid, r.sequence, r.starts_at, r.stamped_at) for k, r in _events(tiny, first).items()}
    with tiny.transaction() as session:
        meeting = session.get(MeetingRow, "m2")
        assert meeting is not None
        meeting.starts_at = meeting.starts_at.replace(hour=meeting.starts_at.hour + 1)
    second = publish_plan(tiny, "2025-11", [("m1", "d4"), ("m2", "d3"), ("m4", "d5")])
    after = _events(tiny, second)
    assert {k: r.uid for k, r in after.items()} == {k: v[0] for k, v in before.items()}
    assert after["m2", "d3"].sequence == 1
    assert (after["m1", "d4"].sequence, after["m4", "d5"].sequence) == (0, 0)
    assert after["m1", "d4"].stamped_at == before["m1", "d4"][3]
    assert {k: (r.uid, r.sequence, r.starts_at, r.stamped_at) for k, r in _events(tiny, first).items()} == before


def test_restored_assignment_never_reuses_an_old_sequence(tiny: Database) -> None:
    """An assignment dropped and later restored comes back above every SEQUENCE it had,
    including the one its CANCELLED event was shown with meanwhile (0, then 1 cancelled, then 2)."""
    publish_plan(tiny, "2025-11", [("m1", "d4")])
    publish_plan(tiny, "2025-11", [("m1", "d3")])
    third = publish_plan(tiny, "2025-11", [("m1", "d4")])
    assert _events(tiny, third)["m1", "d4"].sequence == 2


def test_published_schedule_feeds_the_next_month_history(tiny: Database) -> None:
    """A published month is history (attendances and visits) for the months after it, and
    the reference of its own month when re-planned."""
    publish_plan(tiny, "2025-11", [("m1", "d4")], {("m1", "d4"): "c1-t3"})
    with tiny.reader() as session:
        december = mapping.month_document(session, "2025-12")
        november = mapping.month_document(session, "2025-11")
    assert {"date": "2025-11-04", "commune": "c1", "delegate": "d4"} in december["history"]["attendances"]
    assert {"date": "2025-11-04", "team": "c1-t3"} in december["history"]["visits"]
    assert november["reference"] == [{"meeting": "m1", "delegate": "d4"}]
    assert {"date": "2025-11-04", "commune": "c1", "delegate": "d4"} not in november["history"]["attendances"]


def test_stale_revision_and_stale_base_are_refused(tiny: Database) -> None:
    """Publishing with an old revision is 412; publishing a draft planned before another
    publication is 409; a published version cannot be published again."""
    with tiny.transaction() as session:
        old = schedules.create_draft(session, "2025-11", Plan(pairs=[("m1", "d4")]), None, None)
        other = schedules.create_draft(session, "2025-11", Plan(pairs=[("m1", "d3")]), None, None)
    with pytest.raises(PublishError) as caught, tiny.transaction() as session:
        schedules.publish(session, old.id, old.revision + 1, None)
    assert caught.value.status == 412
    with tiny.transaction() as session:
        schedules.publish(session, other.id, other.revision, None)
    with pytest.raises(PublishError) as caught, tiny.transaction() as session:
        schedules.publish(session, old.id, old.revision, None)
    assert caught.value.status == 409
    with tiny.reader() as session:
        assert session.get(ScheduleRow, old.id).status == "draft"  # type: ignore[union-attr]


def test_concurrent_publishes_of_one_revision_let_exactly_one_through(tiny: Database) -> None:
    """Two threads publish the same draft at the same revision: one succeeds, the other is refused."""
    with tiny.transaction() as session:
        draft = schedules.create_draft(session, "2025-11", Plan(pairs=[("m1", "d4"), ("m2", "d3")]), None, None)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def attempt() -> None:
        barrier.wait()
        try:
            with tiny.transaction() as session:
                schedules.publish(session, draft.id, draft.revision, None)
            outcomes.append("ok")
        except PublishError as error:
            outcomes.append(error.status)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes, key=str) == [412, "ok"]
    with tiny.reader() as session:
        versions = schedules.versions(session, "2025-11")
        assert [(s.status, s.revision) for s in versions] == [("published", 2)]
        assert schedules.current(session, "2025-11").id == draft.id  # type: ignore[union-attr]
