"""Importing an instance: everything or nothing, every bad row listed, and the month read
back from the database is the instance that was imported."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from models.errors import InputError
from models.io import instance_from_document
from models.storage import importer, mapping
from models.storage.db import Database
from models.storage.tables import AttendanceRow, CommuneRow, PlaceRow, ReplanNoticeRow
from tests.storage.helpers import edited, row_counts


def _import(database: Database, document: dict[str, Any]) -> importer.ImportSummary:
    with database.transaction() as session:
        return importer.import_document(session, document)


def test_sample_month_reads_back_as_the_imported_instance(database: Database, sample_document: dict[str, Any]) -> None:
    """Every part of the Lào Cai sample survives the database: same communes, delegates,
    meetings, roads, history and pins as the file."""
    summary = _import(database, sample_document)
    assert (summary.communes, summary.delegates, summary.meetings, summary.teams) == (17, 45, 17, 230)
    original = instance_from_document(sample_document)
    with database.reader() as session:
        stored = mapping.month_instance(session, "2024-03")
    assert stored.communes == original.communes
    assert stored.meetings == original.meetings
    assert stored.roads == original.roads
    assert set(stored.places) == set(original.places)
    assert set(stored.history.attendances) == set(original.history.attendances)
    assert set(stored.history.visits) == set(original.history.visits)
    # Pins are constraints: their order means nothing, and the database keeps them sorted.
    assert (set(stored.pinned), set(stored.forbidden)) == (set(original.pinned), set(original.forbidden))
    for ours, theirs in zip(stored.delegates, original.delegates, strict=True):
        assert ours.model_copy(update={"unavailable": ()}) == theirs.model_copy(update={"unavailable": ()})
        assert set(ours.unavailable) == set(theirs.unavailable)


def test_importing_twice_adds_no_duplicate_history(database: Database, tiny_document: dict[str, Any]) -> None:
    """A second import of the same file replaces rows by id and adds no history twice."""
    _import(database, tiny_document)
    before = row_counts(database)
    second = _import(database, tiny_document)
    assert second.attendances == 0
    assert row_counts(database) == before


def test_one_bad_row_writes_nothing_and_every_bad_row_is_listed(
    database: Database, tiny_document: dict[str, Any]
) -> None:
    """Two bad rows in different parts: the error names both paths, and no table gains a row."""
    bad = edited(tiny_document, (("meetings", 2, "commune"), "c99"), (("delegates", 4, "tier"), 7))
    empty = row_counts(database)
    with pytest.raises(InputError) as caught:
        _import(database, bad)
    paths = {issue.path for issue in caught.value.issues}
    assert {"$.meetings[2].commune", "$.delegates[4].tier"} <= paths
    assert row_counts(database) == empty


def test_clash_with_stored_rows_writes_nothing(database: Database, tiny_document: dict[str, Any]) -> None:
    """A place whose id is a stored commune's id is refused, and the rest of the file is not written."""
    _import(database, tiny_document)
    before = row_counts(database)
    clash = {
        "format": "phancong-instance/1",
        "places": [{"id": "c2", "name": "Trùng mã xã đã có"}],
        "communes": [{"id": "c1", "name": "Tên đã đổi"}],
        "delegates": [{"id": "d9", "name": "Người mới", "tier": 4, "agency": "Ban Tuyên giáo"}],
        "meetings": [],
    }
    with pytest.raises(InputError) as caught:
        _import(database, clash)
    assert [(issue.path, issue.value) for issue in caught.value.issues] == [("$.places[0].id", "c2")]
    assert row_counts(database) == before
    with database.reader() as session:
        assert session.get(PlaceRow, "c2") is None


def test_overlong_ids_are_reported_not_truncated(database: Database, tiny_document: dict[str, Any]) -> None:
    """An id longer than its column is an input issue, not a database error."""
    long_id = "m" * 65
    bad = edited(tiny_document, (("meetings", 0, "id"), long_id))
    with pytest.raises(InputError) as caught:
        _import(database, bad)
    assert [(i.path, i.value) for i in caught.value.issues] == [("$.meetings[0].id", long_id)]


def test_every_check_reports_at_once(database: Database, tiny_document: dict[str, Any]) -> None:
    """A bad tier (format), a 65-character meeting id (column size), a meeting in 2101
    (planned years) and a place taking a stored commune's id (namespace) are all listed
    in one error, and nothing is written."""
    _import(database, tiny_document)
    before = row_counts(database)
    long_id = "m" * 65
    bad = edited(
        tiny_document,
        (("delegates", 0, "tier"), 9),
        (("meetings", 0, "id"), long_id),
        (("meetings", 1, "start"), "2101-01-05T08:00"),
        (("places", 0, "id"), "c9"),
    )
    with database.transaction() as session:
        session.add(CommuneRow(id="c9", name="Xã đã có"))
    before["communes"] += 1
    with pytest.raises(InputError) as caught:
        _import(database, bad)
    found = {(i.path, i.value) for i in caught.value.issues}
    assert {
        ("$.delegates[0].tier", 9),
        ("$.meetings[0].id", long_id),
        ("$.meetings[1].start", "2101-01-05T08:00"),
        ("$.places[0].id", "c9"),
    } <= found
    assert row_counts(database) == before


def test_history_is_kept_across_imports(database: Database, tiny_document: dict[str, Any]) -> None:
    """An import adds new history rows next to the stored ones."""
    _import(database, tiny_document)
    more = edited(
        tiny_document, (("history", "attendances"), [{"date": "2025-08-01", "commune": "c2", "delegate": "d4"}])
    )
    summary = _import(database, more)
    assert summary.attendances == 1
    with database.reader() as session:
        assert len(list(session.scalars(select(AttendanceRow)))) == 7


def test_moving_a_meeting_of_a_published_month_by_import_asks_for_a_replan(
    database: Database, tiny_document: dict[str, Any]
) -> None:
    """Re-importing a published month with a meeting moved leaves a re-plan notice on that month."""
    from tests.storage.test_schedules import publish_plan

    _import(database, tiny_document)
    publish_plan(database, "2025-11", [("m1", "d4")])
    moved = edited(tiny_document, (("meetings", 0, "start"), "2025-11-05T08:00"))
    summary = _import(database, moved)
    assert summary.replan_months == ["2025-11"]
    with database.reader() as session:
        notices = list(session.scalars(select(ReplanNoticeRow)))
    assert [n.meeting_id for n in notices] == ["m1"]
    assert "05/11/2025" in notices[0].reason
