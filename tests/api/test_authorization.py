"""The authorization matrix (``authz_matrix.yaml``): one test per endpoint × role cell."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from models.storage import clock
from models.storage.db import Database
from models.storage.excel import MIME, instance_workbook
from tests.api.world import ROLES, World, build_world
from tests.conftest import EXAMPLES
from tests.storage.databases import WIPES, Migrated, wipe

MATRIX = yaml.safe_load((Path(__file__).parent / "authz_matrix.yaml").read_text(encoding="utf-8"))
CELLS = [pytest.param(row, role, id=f"{row['method']} {row['path']} as {role}") for row in MATRIX for role in ROLES]


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def test_matrix_covers_every_operation(client: TestClient) -> None:
    """Every operation of the OpenAPI document has at least one row in the matrix."""
    spec = client.get("/openapi.json").json()
    documented = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}
    rows = {(row["method"], re.sub(r"\{[^}]+\}", "X", row["path"].split("?")[0])) for row in MATRIX}
    missing = {
        (method, path)
        for method, path in documented
        if not any(m == method and re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", path), p) for m, p in rows)
    }
    assert missing == set()


_CACHE: dict[str, tuple[int, World]] = {}


def _world(migrated: Migrated, backend: str, document: dict[str, Any]) -> tuple[Database, World]:
    """The matrix world, rebuilt only when needed.

    Most cells change nothing (a refusal is rolled back, a read writes nothing), so the
    world is kept between them; it is rebuilt after a cell that may have changed it (a
    successful write), or when another test has wiped the database since.
    """
    database = migrated.get(backend)
    cached = _CACHE.get(backend)
    if cached is None or cached[0] != WIPES.get(backend, 0):
        wipe(database)
        _CACHE[backend] = (WIPES[backend], build_world(database, document))
    return database, _CACHE[backend][1]


@pytest.fixture(scope="module")
def clients(migrated: Migrated) -> Iterator[dict[str, TestClient]]:
    """One app and client per backend for the whole matrix (an app's first requests are
    slow while FastAPI prepares its routes; the matrix would pay that in every cell)."""
    opened: dict[str, TestClient] = {}
    yield opened
    for client in opened.values():
        client.__exit__(None, None, None)
        client.app.state.runner.shutdown()  # type: ignore[attr-defined]


@pytest.mark.parametrize(("row", "role"), CELLS)
def test_authorization_cell(
    migrated: Migrated,
    clients: dict[str, TestClient],
    backend: str,
    settings: Settings,
    tiny_document: dict[str, Any],
    row: dict[str, Any],
    role: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """This role gets exactly the status the matrix says at this endpoint."""
    if row["path"].endswith("/absence") or (row["method"], role) == ("PATCH", "commune"):
        # "Không dự được", a commune's move or cancellation, is asked before the meeting's
        # day (4 November 2025); from it on, the delegate reports instead.
        monkeypatch.setattr(clock, "today", lambda: dt.date(2025, 11, 1))
    database, world = _world(migrated, backend, tiny_document)
    if backend not in clients:
        clients[backend] = TestClient(create_app(settings, database)).__enter__()
    client = clients[backend]
    headers = {**world.auth(role), **_fill(row.get("headers", {}), world.ids)}
    kwargs: dict[str, Any] = {"headers": headers}
    if "body" in row:
        kwargs["json"] = _fill(row["body"], world.ids)
    if "body_file" in row:
        kwargs["json"] = json.loads((Path(EXAMPLES) / f"{row['body_file']}.instance.json").read_text(encoding="utf-8"))
    if "workbook" in row:
        document = json.loads((Path(EXAMPLES) / f"{row['workbook']}.instance.json").read_text(encoding="utf-8"))
        kwargs["content"] = instance_workbook(document)
        headers["Content-Type"] = MIME
    response = client.request(row["method"], _fill(row["path"], world.ids), **kwargs)
    if row["method"] != "GET" and response.status_code < 300:
        _CACHE.pop(backend, None)
        if row["path"] == "/solves" or row["path"].endswith("/runs"):
            client.app.state.runner.wait(response.json()["id"], 60)  # type: ignore[attr-defined]
        if row["path"].endswith("/approve"):  # the approval's re-plan, before the world is rebuilt
            client.app.state.runner.wait(response.json()["job"]["id"], 60)  # type: ignore[attr-defined]
    assert response.status_code == row[role], response.text[:500]
    if response.status_code in (401, 403, 404):
        assert set(response.json()) == {"detail", "errors"}  # an error body and no data
