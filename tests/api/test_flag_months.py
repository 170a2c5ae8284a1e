"""A flag belongs to its month (issue 11): changing a commune's default leaves the months
already published as they were planned, and a flag change that alters what a planned
month's meeting asks marks that month as needing a re-plan, said as a flag change.

Tiny world: November 2025 published (c2 flag 1 by default, c4 flag 0 with d3, tier 3, on
m4) with a draft on top of it; December holds c1's m9, unplanned.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from models.storage import schedules
from models.storage.db import Database
from models.storage.schedules import Plan
from models.storage.tables import MeetingRow, UserRow
from services.workspace import FLAG_CHANGED, NOT_IN_VERSION
from tests.api.loop_steps import document
from tests.api.world import World

PROPOSAL = "ranking:2025-12:c2"


def _flags(client: TestClient, world: World, month: str) -> dict[str, dict[str, Any]]:
    return {f["commune"]: f for f in client.get(f"/flags?month={month}", headers=world.auth("planner")).json()}


def _flagged(client: TestClient, world: World, month: str) -> tuple[int, int]:
    found = client.get(f"/statistics?year={month[:4]}", headers=world.auth("planner")).json()["flagged"]
    item = next(f for f in found if f["month"] == month)
    return item["meetings"], item["with_leader"]


def _cell(client: TestClient, world: World, month: str, meeting: str, schedule: int | None = None) -> dict[str, Any]:
    query = "" if schedule is None else f"?schedule={schedule}"
    view = client.get(f"/months/{month}/workspace{query}", headers=world.auth("planner")).json()
    return dict(next(m for m in view["meetings"] if m["id"] == meeting))


def _month(client: TestClient, world: World, month: str) -> dict[str, Any]:
    return dict(client.get(f"/months/{month}", headers=world.auth("planner")).json())


def _plan_december(database: Database, publish: bool) -> int:
    """A December version sending d1 to c1's m9 and to a new meeting m10 of c2 (published or a draft)."""
    with database.transaction() as session:
        session.add(
            MeetingRow(
                id="m10",
                commune_id="c2",
                starts_at=dt.datetime(2025, 12, 3, 1, 0, tzinfo=dt.UTC),
                month="2025-12",
                minutes=180,
                senior_tier_set=False,
            )
        )
        session.flush()
        planner = session.scalar(select(UserRow.id).where(UserRow.role == "planner"))
        draft = schedules.create_draft(session, "2025-12", Plan(pairs=[("m9", "d1"), ("m10", "d1")]), None, planner)
        if publish:
            schedules.publish(session, draft.id, draft.revision, planner)
        return draft.id


def test_changing_the_default_keeps_the_published_months(client: TestClient, world: World, database: Database) -> None:
    """c2 (flag 1) set to 0: November, published at flag 1, keeps flag 1 with its reason in
    /flags, the statistics, the instance and c2's flag list; December follows the new default,
    and the old reason, which was flag 1's, is gone with it."""
    planner = world.auth("planner")
    before = _flagged(client, world, "2025-11")
    response = client.patch("/communes/c2", json={"flag": 0}, headers=planner)
    assert response.status_code == 200, response.text
    assert (response.json()["flag"], response.json()["flag_reason"]) == (0, None)
    assert _flagged(client, world, "2025-11") == before
    november = _flags(client, world, "2025-11")["c2"]
    assert (november["flag"], november["flag_label"], november["reason"]) == (
        1,
        "Cần quan tâm",
        "Có đơn thư phản ánh kéo dài",
    )
    december = _flags(client, world, "2025-12")["c2"]
    assert (december["flag"], december["reason"], december["source"]) == (0, None, "default")
    history = client.get("/communes/c2/flags", headers=planner).json()
    assert [(h["month"], h["flag"], h["reason"]) for h in history] == [("2025-11", 1, "Có đơn thư phản ánh kéo dài")]
    assert next(c for c in document(database, "2025-11")["communes"] if c["id"] == "c2")["flag"] == 1
    assert _month(client, world, "2025-11")["needs_replan"] is False  # November asks what it asked

    # A second change records nothing more: November has its own flag now.
    client.patch("/communes/c2", json={"flag": 2, "flag_reason": "Khiếu kiện"}, headers=planner)
    assert len(client.get("/communes/c2/flags", headers=planner).json()) == 1
    assert _flags(client, world, "2025-11")["c2"]["flag"] == 1


def test_changing_only_the_default_reason_keeps_the_published_reason(client: TestClient, world: World) -> None:
    """c3's default reason rewritten: November still shows the reason it was planned with."""
    planner = world.auth("planner")
    old = _flags(client, world, "2025-11")["c3"]["reason"]
    client.patch("/communes/c3", json={"flag_reason": "Đã giải quyết một phần"}, headers=planner)
    assert _flags(client, world, "2025-11")["c3"]["reason"] == old
    assert _flags(client, world, "2025-12")["c3"]["reason"] == "Đã giải quyết một phần"


def test_a_month_flag_on_a_published_month_needs_a_replan(client: TestClient, world: World) -> None:
    """c4 flagged 2 for November: m4 (d3, tier 3) now asks two seats and a tier-2 senior; the
    month needs a re-plan, and its gap is said as the flag change in the version in force and
    in the draft made before the change."""
    planner = world.auth("planner")
    assert _month(client, world, "2025-11")["needs_replan"] is False
    response = client.put("/communes/c4/flags/2025-11", json={"flag": 2, "reason": "Khiếu kiện"}, headers=planner)
    assert response.status_code == 200, response.text
    month = _month(client, world, "2025-11")
    assert month["needs_replan"] is True
    assert [(n["meeting"], n["reason"]) for n in month["notices"]] == [
        ("m4", "Mức quan tâm của Phường Kim Tân tháng 11/2025 đổi từ Ổn định sang Phức tạp sau khi lập lịch")
    ]
    for schedule in (world.ids["published"], None):  # None: the newest, the draft
        cell = _cell(client, world, "2025-11", "m4", schedule)
        assert (cell["empty"], cell["senior_missing"], cell["gap_reason"]) == (1, True, FLAG_CHANGED)
    assert _cell(client, world, "2025-11", "m3")["gap_reason"] is None


def test_a_flag_that_asks_the_same_needs_no_replan(client: TestClient, world: World) -> None:
    """c2 (flag 1) set to 1 for November with a new reason: m2 asks what it asked; no re-plan."""
    response = client.put(
        "/communes/c2/flags/2025-11", json={"flag": 1, "reason": "Mới"}, headers=world.auth("planner")
    )
    assert response.status_code == 200
    assert _month(client, world, "2025-11")["needs_replan"] is False


def test_confirming_a_proposal_for_a_published_month_needs_a_replan(
    client: TestClient, world: World, database: Database
) -> None:
    """December published with m10 of c2; confirming the proposal at flag 2 marks December."""
    _plan_december(database, publish=True)
    assert _month(client, world, "2025-12")["needs_replan"] is False
    response = client.post(f"/flag-proposals/{PROPOSAL}/confirm", json={"flag": 2}, headers=world.auth("planner"))
    assert response.status_code == 200, response.text
    month = _month(client, world, "2025-12")
    assert month["needs_replan"] is True
    assert [n["meeting"] for n in month["notices"]] == ["m10"]
    cell = _cell(client, world, "2025-12", "m10")
    assert (cell["empty"], cell["gap_reason"]) == (1, FLAG_CHANGED)


def test_a_default_change_marks_a_drafted_month(client: TestClient, world: World, database: Database) -> None:
    """December drafted, not published: c1's default set to 2 reaches December (a re-plan is
    needed, said on m9) and not November, which keeps c1 at flag 0 as published."""
    _plan_december(database, publish=False)
    response = client.patch(
        "/communes/c1", json={"flag": 2, "flag_reason": "Khiếu kiện"}, headers=world.auth("planner")
    )
    assert response.status_code == 200, response.text
    assert _month(client, world, "2025-12")["needs_replan"] is True
    assert _cell(client, world, "2025-12", "m9")["gap_reason"] == FLAG_CHANGED
    assert _month(client, world, "2025-11")["needs_replan"] is False
    assert _flags(client, world, "2025-11")["c1"]["flag"] == 0


def test_a_meeting_registered_after_the_version_is_still_said_so(
    client: TestClient, world: World, database: Database
) -> None:
    """A December meeting the draft does not hold, then a flag change: its gap is the registration's."""
    _plan_december(database, publish=False)
    with database.transaction() as session:
        session.add(
            MeetingRow(
                id="m11",
                commune_id="c1",
                starts_at=dt.datetime(2025, 12, 10, 1, 0, tzinfo=dt.UTC),
                month="2025-12",
                minutes=180,
                senior_tier_set=False,
            )
        )
    client.put("/communes/c1/flags/2025-12", json={"flag": 2}, headers=world.auth("planner"))
    assert _cell(client, world, "2025-12", "m11")["gap_reason"] == NOT_IN_VERSION
    assert _cell(client, world, "2025-12", "m9")["gap_reason"] == FLAG_CHANGED
