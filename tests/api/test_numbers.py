"""Numbers JSON does not have (NaN, Infinity), which Python's JSON reader takes anyway, are
refused with a 422 naming where they are, in request bodies and in imported files."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from models.storage.db import Database
from tests.api.world import World
from tests.storage.helpers import row_counts

JSON = {"Content-Type": "application/json"}
FINITE = "phải là số hữu hạn"


@pytest.mark.parametrize(
    ("path", "body", "where", "value"),
    [
        ("/communes", '{"id": "c10", "name": "Xã Mới", "lat": NaN}', "$.lat", "NaN"),
        ("/communes", '{"id": "c10", "name": "Xã Mới", "lon": -Infinity}', "$.lon", "-Infinity"),
        ("/solves", '{"month": "2025-11", "time_limit": Infinity}', "$.time_limit", "Infinity"),
    ],
    ids=["lat NaN", "lon -Infinity", "time_limit Infinity"],
)
def test_non_finite_number_in_a_body_is_422(
    client: TestClient, world: World, database: Database, path: str, body: str, where: str, value: str
) -> None:
    """A NaN or an infinity in a body: 422 naming the field, the value as it was sent, nothing written."""
    before = row_counts(database)
    response = client.post(path, content=body.encode(), headers={**world.auth("planner"), **JSON})
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert (error["path"], error["value"]) == (where, value)
    assert error["message"].startswith(FINITE)
    assert row_counts(database) == before


def test_non_finite_numbers_in_an_imported_file_are_422_and_nothing_is_stored(
    client: TestClient, world: World, database: Database, tiny_document: dict[str, Any]
) -> None:
    """A raw ``"lat": NaN`` and a road of ``Infinity`` minutes: 422 naming both paths, and
    nothing is stored (a NaN used to be stored and read back as null)."""
    document = json.loads(json.dumps(tiny_document))
    document["communes"][1]["lat"] = float("nan")
    document["roads"][0]["minutes"] = float("inf")
    text = json.dumps(document, ensure_ascii=False)
    assert '"lat": NaN' in text
    before = row_counts(database)
    response = client.post("/imports/instance", content=text.encode(), headers={**world.auth("planner"), **JSON})
    assert response.status_code == 422, response.text
    found = {(e["path"], e["value"]) for e in response.json()["errors"]}
    assert found == {("$.communes[1].lat", "NaN"), ("$.roads[0].minutes", "Infinity")}
    assert all(e["message"].startswith(FINITE) for e in response.json()["errors"])
    assert row_counts(database) == before
