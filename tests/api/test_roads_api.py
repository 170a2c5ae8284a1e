"""Places and roads through the API: planner CRUD, validated ends and minutes, no place
deleted while something points at it, and a month whose commune no road reaches is
refused with a 422 that names the commune and says to add a road."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from models.storage.db import Database
from models.storage.tables import DelegateRow, PlaceRow, RoadRow
from tests.api.helpers import solve
from tests.api.world import World, build_world
from tests.storage.helpers import row_counts

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def fresh(database: Database, tiny_document: dict[str, Any]) -> World:
    """The tiny example (six roads) with accounts, and no schedule yet."""
    return build_world(database, tiny_document, extras=False)


def _road_id(database: Database, a: str, b: str) -> int:
    with database.reader() as session:
        found = session.scalar(select(RoadRow.id).where(RoadRow.a == a, RoadRow.b == b))
    assert found is not None
    return found


def test_planner_creates_reads_updates_and_deletes_a_road(client: TestClient, fresh: World) -> None:
    """A road made between a commune and a place is listed with both names, its minutes
    can be changed, and once deleted it is gone (404)."""
    planner = fresh.auth("planner")
    created = client.post("/roads", json={"a": "c1", "b": "mttq", "minutes": 12.5}, headers=planner)
    assert created.status_code == 201, created.text
    road = created.json()
    names = ("Phường Cốc Lếu", "Khối Mặt trận và các đoàn thể")
    assert (road["a_name"], road["b_name"], road["minutes"]) == (*names, 12.5)
    assert client.get(f"/roads/{road['id']}", headers=planner).json() == road
    near = client.get("/roads?end=mttq", headers=planner).json()
    assert {(r["a"], r["b"]) for r in near} == {("mttq", "c4"), ("mttq", "hq"), ("c1", "mttq")}
    changed = client.patch(f"/roads/{road['id']}", json={"minutes": 9}, headers=planner)
    assert changed.status_code == 200
    assert changed.json()["minutes"] == 9
    assert '"minutes":9}' in changed.text  # whole minutes as sent, not 9.0
    assert all(isinstance(r["minutes"], int) for r in near if r["b"] != "mttq")  # stored whole: 10, 20
    assert client.delete(f"/roads/{road['id']}", headers=planner).status_code == 200
    assert client.get(f"/roads/{road['id']}", headers=planner).status_code == 404
    assert len(client.get("/roads", headers=planner).json()) == 6


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"a": "c1", "b": "c99", "minutes": 10}, [("$.b", "c99")]),
        ({"a": "x1", "b": "x2", "minutes": 10}, [("$.a", "x1"), ("$.b", "x2")]),
        ({"a": "c1", "b": "c1", "minutes": 10}, [("$.b", "c1")]),
    ],
    ids=["unknown end", "both unknown", "a loop"],
)
def test_road_joins_two_different_existing_ends(
    client: TestClient, fresh: World, database: Database, body: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    """An end that is neither a commune nor a place, or a road from a place to itself, is
    422 naming each bad end, and nothing is stored."""
    before = row_counts(database)
    response = client.post("/roads", json=body, headers=fresh.auth("planner"))
    assert response.status_code == 422, response.text
    assert [(e["path"], e["value"]) for e in response.json()["errors"]] == errors
    assert row_counts(database) == before


@pytest.mark.parametrize(
    "minutes",
    ["0", "-5", "100001", "NaN", "Infinity", "true", '"15"'],
    ids=["zero", "negative", "too long", "NaN", "Infinity", "a boolean", "text"],
)
def test_road_minutes_are_finite_and_positive(
    client: TestClient, fresh: World, database: Database, minutes: str
) -> None:
    """Minutes that are not a finite number above 0 (and within the format's cap) are 422
    at $.minutes, for a new road and for a change of one; nothing is stored."""
    before = row_counts(database)
    road = _road_id(database, "hq", "c1")
    for method, path, body in (
        ("POST", "/roads", f'{{"a": "c1", "b": "mttq", "minutes": {minutes}}}'),
        ("PATCH", f"/roads/{road}", f'{{"minutes": {minutes}}}'),
    ):
        response = client.request(method, path, content=body.encode(), headers={**fresh.auth("planner"), **JSON})
        assert response.status_code == 422, response.text
        assert [e["path"] for e in response.json()["errors"]] == ["$.minutes"]
    assert row_counts(database) == before
    assert client.get(f"/roads/{road}", headers=fresh.auth("planner")).json()["minutes"] == 10


def test_a_second_road_between_the_same_ends_is_409(client: TestClient, fresh: World, database: Database) -> None:
    """hq–c1 exists: another hq–c1 road, in either direction, or an edit that would make
    one, is 409 naming the road to change instead."""
    planner = fresh.auth("planner")
    existing = _road_id(database, "hq", "c1")
    for body in ({"a": "hq", "b": "c1", "minutes": 5}, {"a": "c1", "b": "hq", "minutes": 5}):
        response = client.post("/roads", json=body, headers=planner)
        assert response.status_code == 409
        assert f"/roads/{existing}" in response.json()["detail"]
    other = _road_id(database, "hq", "c2")
    assert client.patch(f"/roads/{other}", json={"b": "c1"}, headers=planner).status_code == 409
    assert client.get(f"/roads/{other}", headers=planner).json()["b"] == "c2"


def test_commune_without_a_road_is_named_by_the_solve_until_a_road_reaches_it(
    client: TestClient, fresh: World, database: Database
) -> None:
    """A commune created through the API while roads exist, holding a meeting: the month's
    solve is 422 naming the commune, its name and POST /roads, and starts no job; once a
    road reaches it the month solves."""
    planner = fresh.auth("planner")
    assert client.post("/communes", json={"id": "c10", "name": "Xã Mới"}, headers=planner).status_code == 201
    meeting = {"id": "m10", "commune": "c10", "start": "2025-11-12T08:00"}
    assert client.post("/meetings", json=meeting, headers=planner).status_code == 201
    before = row_counts(database)
    refused = client.post("/solves", json={"month": "2025-11", "time_limit": 5}, headers=planner)
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert "Xã Mới" in body["detail"]
    assert "POST /roads" in body["detail"]
    assert [(e["path"], e["value"]) for e in body["errors"]] == [("/communes/c10", "c10")]
    assert "đường đi" in body["errors"][0]["message"]
    assert row_counts(database) == before
    assert client.post("/roads", json={"a": "c10", "b": "hq", "minutes": 15}, headers=planner).status_code == 201
    assert solve(client, fresh)["result_status"] == "optimal"


def test_base_off_the_roads_is_named_by_the_solve(client: TestClient, fresh: World, database: Database) -> None:
    """A delegate whose base no road reaches (stored before roads were checked): the
    solve's 422 names the delegate and says to add a road or change the base."""
    with database.transaction() as session:
        session.add(PlaceRow(id="kho", name="Kho lưu trữ"))
        session.flush()
        delegate = session.get(DelegateRow, "d4")
        assert delegate is not None
        delegate.base = "kho"
    refused = client.post("/solves", json={"month": "2025-11"}, headers=fresh.auth("planner"))
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert (error["path"], error["value"]) == ("/delegates/d4", "kho")
    assert "POST /roads" in error["message"]


def test_a_base_off_the_roads_is_said_once_for_all_its_delegates(
    client: TestClient, fresh: World, database: Database
) -> None:
    """Four delegates starting from one place no road reaches: one item naming the place,
    how many start there and who, in words a page can show (a page listed the same
    sentence once per delegate, and spoke of "base")."""
    with database.transaction() as session:
        session.add(PlaceRow(id="kho", name="Kho lưu trữ"))
        session.flush()
        for delegate_id in ("d1", "d2", "d3", "d4"):
            delegate = session.get(DelegateRow, delegate_id)
            assert delegate is not None
            delegate.base = "kho"
    refused = client.post("/solves", json={"month": "2025-11"}, headers=fresh.auth("planner"))
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert (error["path"], error["value"]) == ("/delegates/d1", "kho")
    assert "nơi xuất phát kho của 4 đại biểu (Nguyễn Văn Kiên, Trần Thị Thu Hà, Lò Văn Sơn, …)" in error["message"]
    assert "trang Danh mục" in error["message"]
    assert "base" not in error["message"]
    assert "trang Danh mục" in refused.json()["detail"]


def test_planner_manages_places(client: TestClient, fresh: World) -> None:
    """A place is created, read, renamed and deleted; its id may not be a commune's."""
    planner = fresh.auth("planner")
    created = client.post("/places", json={"id": "ubmttq", "name": "Ủy ban MTTQ", "lat": 22.48}, headers=planner)
    assert created.status_code == 201, created.text
    assert client.get("/places/ubmttq", headers=planner).json() == {
        "id": "ubmttq",
        "name": "Ủy ban MTTQ",
        "lat": 22.48,
        "lon": None,
    }
    assert client.patch("/places/ubmttq", json={"name": "Trụ sở MTTQ"}, headers=planner).json()["name"] == "Trụ sở MTTQ"
    assert [p["id"] for p in client.get("/places", headers=planner).json()] == ["hq", "mttq", "ubmttq"]
    assert client.post("/places", json={"id": "c1"}, headers=planner).status_code == 409
    assert client.post("/places", json={"id": "hq"}, headers=planner).status_code == 409
    assert client.delete("/places/ubmttq", headers=planner).status_code == 200
    assert client.get("/places/ubmttq", headers=planner).status_code == 404


def test_place_in_use_is_not_deleted(client: TestClient, fresh: World, database: Database) -> None:
    """mttq is d5's base and on two roads: deleting it is 409 naming the delegate and both
    roads, and it stays."""
    refused = client.delete("/places/mttq", headers=fresh.auth("planner"))
    assert refused.status_code == 409
    roads = sorted([_road_id(database, "mttq", "c4"), _road_id(database, "mttq", "hq")])
    assert [e["path"] for e in refused.json()["errors"]] == ["/delegates/d5", *(f"/roads/{r}" for r in roads)]
    assert client.get("/places/mttq", headers=fresh.auth("planner")).status_code == 200
