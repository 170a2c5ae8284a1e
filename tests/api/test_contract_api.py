"""Issue 15 as probed, at the JSON API on both databases: values outside the contract are
refused at the door naming the field, a row stored before the contract never stops a
month, lists are paged, and a body that does not arrive answers 408."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from models.storage.db import Database
from models.storage.tables import AuditRow, CommuneRow, JobRow, LeaveRow
from tests.api.helpers import solve
from tests.api.world import World, build_world


@pytest.fixture
def fresh(database: Database, tiny_document: dict[str, Any]) -> World:
    """The tiny example with accounts, and no schedule yet."""
    return build_world(database, tiny_document, extras=False)


def _errors(response: Any) -> list[tuple[str, Any]]:
    assert response.status_code == 422, response.text
    return [(e["path"], e["value"]) for e in response.json()["errors"]]


def test_leave_to_9999_is_refused_naming_the_field(client: TestClient, fresh: World) -> None:
    """`POST /delegates/d2/leave` to 9999-12-31 is 422 on `$.to`, with the contract's years."""
    response = client.post(
        "/delegates/d2/leave", json={"from": "2024-06-01", "to": "9999-12-31"}, headers=fresh.auth("planner")
    )
    assert _errors(response) == [("$.to", "9999-12-31")]
    assert "2000–2099" in response.json()["errors"][0]["message"]


def test_leave_stored_before_the_contract_does_not_stop_the_month(
    client: TestClient, fresh: World, database: Database
) -> None:
    """A leave row to 9999-12-31 already in the database is read to 2099-12-31: the month
    still solves, and the delegate is kept away from its meetings."""
    with database.transaction() as session:
        session.add(LeaveRow(delegate_id="d2", starts_on=dt.date(2024, 6, 1), ends_on=dt.date(9999, 12, 31)))
        session.add(LeaveRow(delegate_id="d3", starts_on=dt.date(1990, 1, 1), ends_on=dt.date(1991, 1, 1)))
    job = solve(client, fresh, "2025-11")
    assert job["status"] == "done", job
    schedule = client.get(f"/schedules/{job['schedule_id']}", headers=fresh.auth("planner")).json()
    assert all(a["delegate"] != "d2" for a in schedule["assignments"])


def test_a_look_alike_id_stored_before_the_contract_does_not_stop_the_month(
    client: TestClient, fresh: World, database: Database
) -> None:
    """A commune `c1\u200b` and a theme with U+FFFF already in the database (written before
    the contract) leave the month solvable: stored rows are not checked for characters again."""
    with database.transaction() as session:
        session.add(CommuneRow(id="c1\u200b", name="Phường Cốc Lếu\u200b", flag=0, flag_reason="x\uffff"))
    job = solve(client, fresh, "2025-11")
    assert job["status"] == "done", job


def test_a_noncharacter_in_a_theme_is_refused(client: TestClient, fresh: World) -> None:
    """`PATCH /meetings/m1 {"theme": "Chủ đề \\uffff"}` is 422 naming `$.theme`."""
    response = client.patch("/meetings/m1", json={"theme": "Chủ đề \uffff"}, headers=fresh.auth("planner"))
    assert _errors(response) == [("$.theme", "Chủ đề \uffff")]
    assert "U+FFFF" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": "c1\u200b", "name": "Xã Mới"}, "id"),
        ({"id": "c5", "name": "Xã \u202eMới"}, "name"),
        ({"id": "\ufeffc5", "name": "Xã Mới"}, "id"),
        ({"id": "c5", "name": "Xã\u2066 Mới"}, "name"),
    ],
    ids=["zero-width id", "bidi override in a name", "BOM id", "bidi isolate in a name"],
)
def test_invisible_characters_in_ids_and_names_are_refused(
    client: TestClient, fresh: World, body: dict[str, str], field: str
) -> None:
    """A look-alike id or name (zero-width, bidirectional control, U+FEFF) is 422 naming the field."""
    response = client.post("/communes", json=body, headers=fresh.auth("planner"))
    assert _errors(response) == [(f"$.{field}", body[field])]


def test_a_look_alike_id_in_a_path_is_refused(client: TestClient, fresh: World) -> None:
    """A path id with a zero-width space is 422 before any route reads it."""
    response = client.get("/communes/c1\u200b", headers=fresh.auth("planner"))
    assert _errors(response) == [("path.commune_id", "c1\u200b")]


def test_a_long_value_is_echoed_cut(client: TestClient, fresh: World) -> None:
    """A refused field's value comes back as its first thousand characters and its length,
    not whole (a megabyte sent came back as a megabyte)."""
    sent = "x" * 1_000_000
    response = client.post(
        "/delegates/d2/leave",
        json={"from": "2024-06-01", "to": "2024-06-02", "ghi": sent},
        headers=fresh.auth("planner"),
    )
    assert response.status_code == 422
    assert len(response.content) < 5_000
    [(path, value)] = _errors(response)
    assert path == "$.ghi"
    assert value == "x" * 1000 + "… (1000000 ký tự)"
    short = client.post(
        "/delegates/d2/leave", json={"from": "2024-06-01", "to": "9999-12-31"}, headers=fresh.auth("planner")
    )
    assert _errors(short) == [("$.to", "9999-12-31")]


def test_the_openapi_shows_the_contract(client: TestClient) -> None:
    """The schemas carry the patterns (invisible characters refused) and the years of dates."""
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    leave = schemas["LeaveIn"]["properties"]
    assert leave["to"]["pattern"].startswith("^20")
    commune_id = schemas["CommuneIn"]["properties"]["id"]
    assert "\\u200b" in commune_id["pattern"]
    assert "\\ufeff" in commune_id["pattern"]
    assert commune_id["maxLength"] == 64


def test_directory_lists_are_paged_with_total_and_links(client: TestClient, fresh: World) -> None:
    """`/communes?limit=1&offset=1` answers the second commune, the total, and next/prev links;
    without parameters the whole list comes as before."""
    planner = fresh.auth("planner")
    whole = client.get("/communes", headers=planner)
    assert [c["id"] for c in whole.json()] == ["c1", "c2", "c3", "c4"]
    assert whole.headers["X-Total-Count"] == "4"
    assert "link" not in whole.headers
    page = client.get("/communes", params={"limit": 1, "offset": 1}, headers=planner)
    assert [c["id"] for c in page.json()] == ["c2"]
    assert page.headers["X-Total-Count"] == "4"
    links = page.headers["Link"]
    assert 'offset=2>; rel="next"' in links
    assert 'offset=0>; rel="prev"' in links
    for path in ("/delegates", "/meetings", "/places", "/roads", "/users", "/audit", "/jobs"):
        response = client.get(path, params={"limit": 1}, headers=planner)
        assert response.status_code == 200, (path, response.text)
        assert len(response.json()) <= 1, path
        assert "X-Total-Count" in response.headers, path
    too_many = client.get("/communes", params={"limit": 1001}, headers=planner)
    assert [path for path, _ in _errors(too_many)] == ["query.limit"]


def test_every_list_in_the_openapi_is_paged(client: TestClient) -> None:
    """Each GET that answers a JSON array takes ``limit`` and ``offset`` and documents the total,
    so a list added without paging fails here."""
    spec = client.get("/openapi.json").json()
    unpaged = []
    for path, operations in spec["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        ok = get.get("responses", {}).get("200", {})
        schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
        if schema.get("type") != "array":
            continue
        names = {p["name"] for p in get.get("parameters", [])}
        if not {"limit", "offset"} <= names or "X-Total-Count" not in ok.get("headers", {}):
            unpaged.append(path)
    assert unpaged == []


def test_the_other_lists_answer_a_page_with_the_total(client: TestClient, fresh: World) -> None:
    """The lists paged after the directory: schedules, scenarios, requests, notifications, the
    levels, teams and flags each answer one row with ``limit=1`` and the total."""
    planner = fresh.auth("planner")
    solve(client, fresh)
    for path, params in (
        ("/schedules", {}),
        ("/scenarios", {}),
        ("/requests", {}),
        ("/notifications", {}),
        ("/scoring/levels", {}),
        ("/communes/c1/teams", {}),
        ("/communes/c1/flags", {}),
        ("/flags", {"month": "2025-11"}),
        ("/flag-proposals", {"month": "2025-11"}),
        ("/months/2025-11/sheets", {}),
    ):
        response = client.get(path, params={**params, "limit": 1}, headers=planner)
        assert response.status_code == 200, (path, response.text)
        total = int(response.headers["X-Total-Count"])
        assert len(response.json()) == min(1, total), path
        if total > 1:
            assert 'rel="next"' in response.headers["Link"], path
    levels = client.get("/scoring/levels", params={"limit": 2, "offset": 1}, headers=planner)
    whole = client.get("/scoring/levels", headers=planner).json()
    assert levels.json() == whole[1:3]


def test_older_jobs_are_reachable(client: TestClient, fresh: World, database: Database) -> None:
    """Of 130 jobs, `/jobs` shows the newest 100 and says 130; `offset=100` reaches the 30 oldest."""
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    with database.transaction() as session:
        for i in range(130):
            at = start + dt.timedelta(minutes=i)
            session.add(
                JobRow(id=f"job{i:03d}", month="2025-11", status="done", time_limit=1.0, created_at=at, updated_at=at)
            )
    planner = fresh.auth("planner")
    first = client.get("/jobs", headers=planner)
    assert len(first.json()) == 100
    assert first.headers["X-Total-Count"] == "130"
    assert first.json()[0]["id"] == "job129"
    assert 'rel="next"' in first.headers["Link"]
    rest = client.get("/jobs", params={"offset": 100}, headers=planner)
    assert [j["id"] for j in rest.json()] == [f"job{i:03d}" for i in range(29, -1, -1)]
    assert 'rel="prev"' in rest.headers["Link"]
    assert 'rel="next"' not in rest.headers["Link"]


def test_the_audit_log_is_paged(client: TestClient, fresh: World, database: Database) -> None:
    """The audit log's total counts every row; its pages do not overlap."""
    with database.transaction() as session:
        for i in range(5):
            session.add(AuditRow(user_name="x", action="update", entity="commune", entity_id=f"c{i}", detail={}))
    planner = fresh.auth("planner")
    total = int(client.get("/audit", headers=planner).headers["X-Total-Count"])
    assert total >= 5
    one = client.get("/audit", params={"limit": 2}, headers=planner).json()
    two = client.get("/audit", params={"limit": 2, "offset": 2}, headers=planner).json()
    assert len(one) == len(two) == 2
    assert {r["id"] for r in one}.isdisjoint({r["id"] for r in two})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live(database: Database, settings: Settings) -> Iterator[int]:
    """The app under a real uvicorn on a free loopback port, with a 1 s body timeout."""
    app = create_app(settings.model_copy(update={"body_timeout_seconds": 1.0}), database)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield port
    server.should_exit = True
    thread.join(10)
    app.state.runner.shutdown()


def test_a_body_that_does_not_arrive_answers_408_and_closes(live: int, fresh: World) -> None:
    """A request that announces 100 bytes and sends 10 gets a JSON 408 within the timeout
    and its connection is closed; a whole body on a new connection is still answered."""
    token = fresh.tokens["planner"]
    head = (
        "POST /communes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: 100\r\n\r\n"
    )
    began = time.monotonic()
    with socket.create_connection(("127.0.0.1", live), timeout=10) as connection:
        connection.sendall(head.encode() + b'{"id": "c')
        received = b""
        while True:
            chunk = connection.recv(4096)
            if not chunk:
                break
            received += chunk
    took = time.monotonic() - began
    assert received.startswith(b"HTTP/1.1 408"), received[:200]
    assert b"application/json" in received
    assert 0.9 <= took < 5, took
    body = b'{"id": "c9", "name": "X\xc3\xa3 M\xe1\xbb\x9bi"}'
    whole = head.replace("Content-Length: 100", f"Content-Length: {len(body)}").encode() + body
    with socket.create_connection(("127.0.0.1", live), timeout=10) as connection:
        connection.sendall(whole)
        answer = connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 201"), answer[:200]


def test_a_page_link_of_a_vietnamese_path_is_ascii(client: TestClient, fresh: World) -> None:
    """A path id may be Vietnamese; the ``Link`` header (Latin-1 only) carries it percent-encoded."""
    planner = fresh.auth("planner")
    response = client.get("/communes/c1/teams", params={"offset": 1, "limit": 1}, headers=planner)
    assert response.status_code == 200, response.text
    odd = client.get("/meetings/Đồng-Ā/pins", params={"offset": 1}, headers=planner)
    assert odd.status_code < 500, odd.text
    for link in (response.headers.get("Link", ""), odd.headers.get("Link", "")):
        assert link.isascii(), link
