"""Import through the API: one bad row and nothing is written; every bad row is listed."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from models.storage.db import Database
from models.storage.excel import MIME, instance_workbook
from tests.api.world import World, build_world
from tests.storage.helpers import edited, row_counts


def _planner(database: Database, tiny_document: dict[str, Any]) -> World:
    minimal = {**tiny_document, "meetings": [], "history": {}}
    return build_world(database, minimal, extras=False)


def test_json_import_with_bad_rows_writes_nothing(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    """Two bad rows: 422 naming both (path and value), and no table changed."""
    world = _planner(database, tiny_document)
    before = row_counts(database)
    bad = edited(tiny_document, (("meetings", 1, "commune"), "c99"), (("delegates", 0, "tier"), 9))
    response = client.post("/imports/instance", json=bad, headers=world.auth("planner"))
    assert response.status_code == 422
    errors = {(e["path"], e["value"]) for e in response.json()["errors"]}
    assert {("$.meetings[1].commune", "c99"), ("$.delegates[0].tier", 9)} <= errors
    assert row_counts(database) == before


def test_json_import_lists_format_and_storage_issues_together(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    """A bad delegate tier and a 65-character meeting id: 422 naming both, nothing written."""
    world = _planner(database, tiny_document)
    before = row_counts(database)
    long_id = "m" * 65
    bad = edited(tiny_document, (("delegates", 0, "tier"), 9), (("meetings", 0, "id"), long_id))
    response = client.post("/imports/instance", json=bad, headers=world.auth("planner"))
    assert response.status_code == 422
    errors = {(e["path"], e["value"]) for e in response.json()["errors"]}
    assert {("$.delegates[0].tier", 9), ("$.meetings[0].id", long_id)} <= errors
    assert row_counts(database) == before


def test_json_import_writes_everything(client: TestClient, database: Database, tiny_document: dict[str, Any]) -> None:
    """A good file is imported whole: the answer counts the rows and the month lists the meetings."""
    world = _planner(database, tiny_document)
    response = client.post("/imports/instance", json=tiny_document, headers=world.auth("planner"))
    assert response.status_code == 200, response.text
    assert (response.json()["meetings"], response.json()["attendances"]) == (4, 6)
    assert client.get("/months/2025-11", headers=world.auth("planner")).json()["meetings"] == 4


def test_workbook_import_with_a_bad_row_names_sheet_and_row(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    """A workbook with one bad meeting row: 422 with its sheet and row, nothing written."""
    world = _planner(database, tiny_document)
    book = load_workbook(io.BytesIO(instance_workbook(tiny_document)))
    book["Hội nghị"]["B4"] = "c99"
    data = io.BytesIO()
    book.save(data)
    before = row_counts(database)
    response = client.post(
        "/imports/workbook", content=data.getvalue(), headers={**world.auth("planner"), "Content-Type": MIME}
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["sheet"], error["row"], error["value"]) == ("Hội nghị", 4, "c99")
    assert error["message"].startswith("trang 'Hội nghị', dòng 4, cột 'Mã xã'")
    assert row_counts(database) == before


def test_garbage_workbook_is_422(client: TestClient, database: Database, tiny_document: dict[str, Any]) -> None:
    """Bytes that are not a workbook are an input error, not a crash."""
    world = _planner(database, tiny_document)
    response = client.post(
        "/imports/workbook", content=b"not a workbook", headers={**world.auth("planner"), "Content-Type": MIME}
    )
    assert response.status_code == 422
