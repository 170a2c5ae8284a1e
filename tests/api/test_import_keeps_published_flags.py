"""An import replaces the communes' default flags, and the months already published keep
the flag they were planned with, as when a planner edits a commune (issue 11): through
`POST /imports/instance` and `POST /imports/workbook` alike.

Tiny world: November 2025 published (c1 flag 0, c2 flag 1 "Có đơn thư phản ánh kéo dài",
c3 flag 2); December holds c1's m9, here drafted and not published.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from models.storage import schedules
from models.storage.db import Database
from models.storage.excel import MIME, instance_workbook
from models.storage.schedules import Plan
from models.storage.tables import UserRow
from tests.api.world import World

OLD_REASON = "Có đơn thư phản ánh kéo dài"


def _draft_december(database: Database) -> None:
    with database.transaction() as session:
        planner = session.scalar(select(UserRow.id).where(UserRow.role == "planner"))
        schedules.create_draft(session, "2025-12", Plan(pairs=[("m9", "d1")]), None, planner)


def _send(client: TestClient, world: World, route: str, document: dict[str, Any]) -> None:
    headers = world.auth("planner")
    if route == "workbook":
        data = instance_workbook(document)
        response = client.post("/imports/workbook", content=data, headers={**headers, "Content-Type": MIME})
    else:
        response = client.post("/imports/instance", json=document, headers=headers)
    assert response.status_code == 200, response.text


def _flags(client: TestClient, world: World, month: str) -> dict[str, tuple[int, str | None, str]]:
    found = client.get(f"/flags?month={month}", headers=world.auth("planner")).json()
    return {f["commune"]: (f["flag"], f["reason"], f["source"]) for f in found}


def _history(client: TestClient, world: World, commune: str) -> list[tuple[str, int, str | None]]:
    found = client.get(f"/communes/{commune}/flags", headers=world.auth("planner")).json()
    return [(h["month"], h["flag"], h["reason"]) for h in found]


@pytest.mark.parametrize("route", ["instance", "workbook"])
def test_an_import_keeps_the_flags_of_the_published_months(
    client: TestClient, world: World, database: Database, tiny_document: dict[str, Any], route: str
) -> None:
    """The file sets c2 to 0 (no reason) and c1 to 2: November keeps c2 at 1 with its reason
    and c1 at 0, each as its own month flag; December follows the new defaults and its draft
    needs a re-plan (m9 of c1 now asks more); c3, unchanged, records nothing."""
    _draft_december(database)
    document = copy.deepcopy(tiny_document)
    communes = {c["id"]: c for c in document["communes"]}
    communes["c2"]["flag"] = 0
    communes["c2"].pop("flag_reason", None)
    communes["c1"]["flag"], communes["c1"]["flag_reason"] = 2, "Khiếu kiện đông người"
    _send(client, world, route, document)

    november = _flags(client, world, "2025-11")
    assert november["c2"][:2] == (1, OLD_REASON)
    assert november["c1"][:2] == (0, None)
    december = _flags(client, world, "2025-12")
    assert december["c2"] == (0, None, "default")
    assert december["c1"] == (2, "Khiếu kiện đông người", "default")
    assert _history(client, world, "c2") == [("2025-11", 1, OLD_REASON)]
    assert _history(client, world, "c1") == [("2025-11", 0, None)]
    assert _history(client, world, "c3") == []
    planner = world.auth("planner")
    assert client.get("/months/2025-12", headers=planner).json()["needs_replan"] is True
    assert client.get("/months/2025-11", headers=planner).json()["needs_replan"] is False

    # The same file again changes no default: nothing more is recorded.
    _send(client, world, route, document)
    assert _history(client, world, "c2") == [("2025-11", 1, OLD_REASON)]
