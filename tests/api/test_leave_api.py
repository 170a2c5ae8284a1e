"""A delegate's leave is created, corrected and deleted by planners, with the same checks
each way (a period runs forwards, text in NFC), and a period extended over a published
assignment asks for a re-plan."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from fastapi.testclient import TestClient

from models.storage.db import Database
from tests.api.helpers import solve_and_publish
from tests.api.world import World, build_world
from tests.storage.helpers import row_counts


@pytest.fixture
def fresh(database: Database, tiny_document: dict[str, Any]) -> World:
    """The tiny example with accounts, and no schedule yet."""
    return build_world(database, tiny_document, extras=False)


def _leave(client: TestClient, world: World, delegate: str, **body: Any) -> dict[str, Any]:
    response = client.post(f"/delegates/{delegate}/leave", json=body, headers=world.auth("planner"))
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_leave_is_corrected_field_by_field(client: TestClient, fresh: World) -> None:
    """A PATCH changes only what it sends, keeps the period's id, stores text in NFC, and
    the delegate shows the corrected period; null clears the reason."""
    leave = _leave(client, fresh, "d3", **{"from": "2025-12-01", "to": "2025-12-02", "reason": "Học"})
    planner = fresh.auth("planner")
    reason = unicodedata.normalize("NFD", "Đi học lớp chính trị")
    moved = client.patch(
        f"/delegates/d3/leave/{leave['id']}", json={"to": "2025-12-05", "reason": reason}, headers=planner
    )
    assert moved.status_code == 200, moved.text
    expected = {"id": leave["id"], "from": "2025-12-01", "to": "2025-12-05", "reason": "Đi học lớp chính trị"}
    assert moved.json() == expected
    assert expected in client.get("/delegates/d3", headers=planner).json()["unavailable"]
    cleared = client.patch(f"/delegates/d3/leave/{leave['id']}", json={"reason": None}, headers=planner)
    assert cleared.json() == {**expected, "reason": None}


@pytest.mark.parametrize(
    "body",
    [{"to": "2025-11-30"}, {"from": "2025-12-03"}, {"from": "2025-12-05", "to": "2025-12-04"}],
    ids=["to before the stored from", "from after the stored to", "to before from"],
)
def test_correction_that_runs_backwards_is_422_and_changes_nothing(
    client: TestClient, fresh: World, database: Database, body: dict[str, str]
) -> None:
    """A correction whose period would end before it starts, alone or with the stored
    dates, is refused as a new period would be (422 with the same message), and the
    period is left as it was."""
    leave = _leave(client, fresh, "d3", **{"from": "2025-12-01", "to": "2025-12-02"})
    before = row_counts(database)
    planner = fresh.auth("planner")
    response = client.patch(f"/delegates/d3/leave/{leave['id']}", json=body, headers=planner)
    assert response.status_code == 422, response.text
    as_new = client.post("/delegates/d3/leave", json={"from": "2025-12-05", "to": "2025-12-04"}, headers=planner)
    assert [e["message"] for e in response.json()["errors"]] == [e["message"] for e in as_new.json()["errors"]]
    assert [e["path"] for e in response.json()["errors"]] == ["$"]
    assert row_counts(database) == before
    periods = client.get("/delegates/d3", headers=planner).json()["unavailable"]
    assert {"id": leave["id"], "from": "2025-12-01", "to": "2025-12-02", "reason": None} in periods


def test_correction_is_refused_when_it_does_not_fit(client: TestClient, fresh: World) -> None:
    """An unknown field or a null date is 422; another delegate's period is 404."""
    leave = _leave(client, fresh, "d3", **{"from": "2025-12-01", "to": "2025-12-02"})
    planner = fresh.auth("planner")
    url = f"/delegates/d3/leave/{leave['id']}"
    unknown = client.patch(url, json={"until": "2025-12-03"}, headers=planner)
    assert [e["path"] for e in unknown.json()["errors"]] == ["$.until"]
    assert client.patch(url, json={"from": None}, headers=planner).status_code == 422
    assert (
        client.patch(f"/delegates/d2/leave/{leave['id']}", json={"to": "2025-12-03"}, headers=planner).status_code
        == 404
    )


def test_leave_extended_over_a_published_assignment_asks_for_a_replan(client: TestClient, fresh: World) -> None:
    """A period moved onto the day of a published assignment leaves a re-plan notice for
    that meeting; a correction of the reason alone leaves none."""
    published = solve_and_publish(client, fresh)
    first = published["assignments"][0]
    day = first["start"][:10]
    leave = _leave(client, fresh, first["delegate"], **{"from": "2025-12-20", "to": "2025-12-21"})
    planner = fresh.auth("planner")
    url = f"/delegates/{first['delegate']}/leave/{leave['id']}"
    assert client.patch(url, json={"reason": "Họp"}, headers=planner).status_code == 200
    assert client.get("/months/2025-11", headers=planner).json()["needs_replan"] is False
    assert client.patch(url, json={"from": day}, headers=planner).status_code == 200
    month = client.get("/months/2025-11", headers=planner).json()
    assert month["needs_replan"] is True
    assert first["meeting"] in {n["meeting"] for n in month["notices"]}
