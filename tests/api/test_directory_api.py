"""The directory keeps no dangling reference: a commune or team that a delegate, a road
or the history still points at is not deleted (409 naming what points at it), and a
delegate's base is a place the roads reach; so every month's instance stays valid and
solvable."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from models.io import instance_from_document
from models.storage.db import Database
from models.storage.tables import CommuneRow, RoadRow
from tests.api.world import World, build_world


@pytest.fixture
def roadless(database: Database, tiny_document: dict[str, Any]) -> World:
    """The tiny example without roads, with accounts, and a commune c10 that nothing uses yet."""
    world = build_world(database, {**tiny_document, "roads": []}, extras=False)
    with database.transaction() as session:
        session.add(CommuneRow(id="c10", name="Xã Mới", flag=0))
    return world


@pytest.fixture
def fresh(database: Database, tiny_document: dict[str, Any]) -> World:
    """The tiny example with accounts, and a commune c10 that nothing uses yet (no road
    leads to it)."""
    world = build_world(database, tiny_document, extras=False)
    with database.transaction() as session:
        session.add(CommuneRow(id="c10", name="Xã Mới", flag=0))
    return world


def _month_is_valid(client: TestClient, world: World) -> None:
    """November's instance, as a solve would read it, passes every check."""
    document = client.get("/months/2025-11/instance.json", headers=world.auth("planner")).json()
    instance_from_document(document)  # raises, naming the dangling reference, if there is one


def test_commune_used_as_a_base_is_not_deleted(client: TestClient, roadless: World) -> None:
    """A delegate starting from c10: deleting c10 is 409 naming the delegate, the month
    stays valid; once the base is changed back, c10 can be deleted."""
    planner = roadless.auth("planner")
    assert client.patch("/delegates/d3", json={"base": "c10"}, headers=planner).status_code == 200
    refused = client.delete("/communes/c10", headers=planner)
    assert refused.status_code == 409, refused.text
    assert "d3" in refused.json()["detail"]
    assert [(e["path"], e["value"]) for e in refused.json()["errors"]] == [("/delegates/d3", "c10")]
    assert client.get("/communes/c10", headers=planner).status_code == 200
    _month_is_valid(client, roadless)
    assert client.patch("/delegates/d3", json={"base": "hq"}, headers=planner).status_code == 200
    assert client.delete("/communes/c10", headers=planner).status_code == 200
    _month_is_valid(client, roadless)


def test_commune_in_someones_charge_is_not_deleted(client: TestClient, roadless: World) -> None:
    """c10 among d2's and d3's communes in charge: deleting it is 409 naming both, and
    their in_charge_of lists are kept whole."""
    planner = roadless.auth("planner")
    for delegate in ("d2", "d3"):
        assert client.patch(f"/delegates/{delegate}", json={"in_charge_of": ["c10"]}, headers=planner).is_success
    refused = client.delete("/communes/c10", headers=planner)
    assert refused.status_code == 409
    assert {e["path"] for e in refused.json()["errors"]} == {"/delegates/d2", "/delegates/d3"}
    assert "d2, d3" in refused.json()["detail"]
    assert client.get("/delegates/d3", headers=planner).json()["in_charge_of"] == ["c10"]


def test_commune_on_a_road_is_not_deleted(client: TestClient, fresh: World, database: Database) -> None:
    """A road leads to c10: deleting c10 is 409 naming the road (a road to nowhere makes
    every month's instance invalid); once the road is deleted, so can c10 be."""
    with database.transaction() as session:
        road = RoadRow(a="hq", b="c10", minutes=15)
        session.add(road)
        session.flush()
        road_id = road.id
    refused = client.delete("/communes/c10", headers=fresh.auth("planner"))
    assert refused.status_code == 409
    assert [(e["path"], e["value"]) for e in refused.json()["errors"]] == [
        (f"/roads/{road_id}", {"a": "hq", "b": "c10", "minutes": 15.0})
    ]
    assert "DELETE /roads" in refused.json()["detail"]
    _month_is_valid(client, fresh)
    assert client.delete(f"/roads/{road_id}", headers=fresh.auth("planner")).status_code == 200
    assert client.delete("/communes/c10", headers=fresh.auth("planner")).status_code == 200


def test_base_off_the_roads_is_refused(client: TestClient, fresh: World, database: Database) -> None:
    """With roads, a base no road leads to (c10) is 422 naming it (it used to be stored,
    and every solve was then refused); once a road leads there it is accepted."""
    planner = fresh.auth("planner")
    refused = client.patch("/delegates/d3", json={"base": "c10"}, headers=planner)
    assert refused.status_code == 422
    assert [(e["path"], e["value"]) for e in refused.json()["errors"]] == [("$.base", "c10")]
    assert client.get("/delegates/d3", headers=planner).json()["base"] == "hq"
    _month_is_valid(client, fresh)
    with database.transaction() as session:
        session.add(RoadRow(a="c3", b="c10", minutes=25))
    assert client.patch("/delegates/d3", json={"base": "c10"}, headers=planner).status_code == 200
    _month_is_valid(client, fresh)


def test_team_in_the_visit_history_is_not_deleted(client: TestClient, fresh: World) -> None:
    """c1-t1 was visited (history): neither the team nor its commune can be deleted."""
    planner = fresh.auth("planner")
    assert client.delete("/teams/c1-t1", headers=planner).status_code == 409
    assert client.delete("/communes/c1", headers=planner).status_code == 409
    assert [t["id"] for t in client.get("/communes/c1/teams", headers=planner).json()] == ["c1-t1", "c1-t2", "c1-t3"]
    _month_is_valid(client, fresh)


def test_default_base_must_exist_once_there_are_roads(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    """With roads and no place "hq", a new delegate left on the default base is 422 naming
    it (it used to be stored, and every solve was then refused)."""
    renamed = json.loads(json.dumps(tiny_document).replace('"hq"', '"ttu"'))
    for delegate in renamed["delegates"]:
        delegate.setdefault("base", "ttu")
    world = build_world(database, renamed, extras=False)
    body = {"id": "d9", "name": "Người Mới", "tier": 4, "agency": "Ban Tuyên giáo"}
    refused = client.post("/delegates", json=body, headers=world.auth("planner"))
    assert refused.status_code == 422, refused.text
    assert [(e["path"], e["value"]) for e in refused.json()["errors"]] == [("$.base", "hq")]
    created = client.post("/delegates", json={**body, "base": "ttu"}, headers=world.auth("planner"))
    assert created.status_code == 201
    _month_is_valid(client, world)
