"""Text the databases would not store alike (a NUL, another control character, a lone
surrogate) is refused with the same 422 on SQLite and PostgreSQL, wherever it is sent:
a body, a path, a query, a header or an imported file; free text keeps tabs and line breaks."""

from __future__ import annotations

import copy
import json
import types
import typing
from typing import Annotated, Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

import api.app  # noqa: F401  (defines every request body model)
from api.schemas.common import Strict
from models.storage.db import Database
from tests.api.world import World
from tests.storage.helpers import row_counts

NUL = "a\x00b"

#: (method, path, body, where the error points). Each body is valid but for the NUL.
BODIES = [
    ("POST", "/communes", {"id": "c10", "name": NUL}, "$.name"),
    ("POST", "/communes", {"id": "c\x0010", "name": "Xã Mới"}, "$.id"),
    ("PATCH", "/communes/c1", {"flag_reason": NUL}, "$.flag_reason"),
    ("POST", "/communes/c1/teams", {"id": "c1-t9", "name": NUL}, "$.name"),
    ("PATCH", "/teams/c1-t1", {"name": NUL}, "$.name"),
    ("POST", "/delegates", {"id": "d9", "name": NUL, "tier": 4, "agency": "Ban Tuyên giáo"}, "$.name"),
    ("PATCH", "/delegates/d3", {"agency": NUL}, "$.agency"),
    ("POST", "/delegates/d3/leave", {"from": "2025-12-01", "to": "2025-12-02", "reason": NUL}, "$.reason"),
    ("POST", "/meetings", {"commune": "c1", "start": "2026-01-06T08:00", "theme": NUL}, "$.theme"),
    ("PATCH", "/meetings/m1", {"theme": NUL}, "$.theme"),
    ("POST", "/users", {"name": NUL, "role": "planner"}, "$.name"),
    ("POST", "/schedules/{draft}/edits", {"changes": [{"meeting": "m1", "add": "d\x004"}]}, "$.changes[0].add"),
]


@pytest.mark.parametrize(("method", "path", "body", "where"), BODIES, ids=[f"{m} {p} {w}" for m, p, _, w in BODIES])
def test_nul_in_a_body_is_422_naming_the_field(
    client: TestClient, world: World, database: Database, method: str, path: str, body: dict[str, Any], where: str
) -> None:
    """A NUL in any text field of a body: 422 naming the field and the value, nothing written."""
    before = row_counts(database)
    response = client.request(method, path.format(**world.ids), json=body, headers=world.auth("planner"))
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [e["path"] for e in errors] == [where]
    assert "\x00" in str(errors[0]["value"])
    assert "U+0000" in errors[0]["message"]
    assert row_counts(database) == before


#: (path, extra headers, the error's location and value).
PARAMETERS = [
    ("/communes/c%00z", {}, "path.commune_id", "c\x00z"),
    ("/meetings/m%00", {}, "path.meeting_id", "m\x00"),
    ("/delegates/d%00/calendar", {}, "path.delegate_id", "d\x00"),
    ("/jobs/ab%00c", {}, "path.job_id", "ab\x00c"),
    ("/calendar/ab%00c.ics", {}, "path.token", "ab\x00c"),
    ("/audit?entity=a%00b", {}, "query.entity", NUL),
    ("/schedules/{draft}", {"If-Match": '"a\x1fb"'}, "header.If-Match", '"a\x1fb"'),
]


@pytest.mark.parametrize(("path", "headers", "where", "value"), PARAMETERS, ids=[p[0] for p in PARAMETERS])
def test_control_character_in_a_parameter_is_422(
    client: TestClient, world: World, path: str, headers: dict[str, str], where: str, value: str
) -> None:
    """A control character in a path, query or header value: 422 naming where and what."""
    method = "DELETE" if "If-Match" in headers else "GET"
    response = client.request(method, path.format(**world.ids), headers={**world.auth("planner"), **headers})
    assert response.status_code == 422, response.text
    assert [(e["path"], e["value"]) for e in response.json()["errors"]] == [(where, value)]


def test_nul_in_an_idempotency_key_starts_no_solve(client: TestClient, world: World, database: Database) -> None:
    """A NUL in the Idempotency-Key header: 422 naming the header, and no job is made."""
    before = row_counts(database)
    response = client.post(
        "/solves", json={"month": "2025-11"}, headers={**world.auth("planner"), "Idempotency-Key": NUL}
    )
    assert response.status_code == 422
    assert [(e["path"], e["value"]) for e in response.json()["errors"]] == [("header.Idempotency-Key", NUL)]
    assert row_counts(database) == before


def test_bad_text_in_an_imported_file_is_listed_with_every_other_issue(
    client: TestClient, world: World, database: Database, tiny_document: dict[str, Any]
) -> None:
    """A NUL in a commune's name, a lone surrogate in the file's name and a bad tier are
    all listed at once, and nothing is written."""
    before = row_counts(database)
    document = copy.deepcopy(tiny_document)
    document["communes"][0]["name"] = NUL
    document["delegates"][0]["tier"] = 9
    text = json.dumps(document, ensure_ascii=False).replace('"name": "tiny"', '"name": "ti\\ud800ny"')
    response = client.post(
        "/imports/instance",
        content=text.encode(),
        headers={**world.auth("planner"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    found = {(e["path"], e["value"]) for e in response.json()["errors"]}
    assert {("$.communes[0].name", NUL), ("$.name", "ti\\ud800ny"), ("$.delegates[0].tier", 9)} <= found
    assert row_counts(database) == before


def test_lone_surrogate_in_a_body_is_422_not_500(client: TestClient, world: World) -> None:
    """A name holding half a surrogate pair is refused with its escape, not a server error."""
    response = client.post(
        "/communes",
        content=b'{"id": "c10", "name": "a\\ud800b"}',
        headers={**world.auth("planner"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert [(e["path"], e["value"]) for e in response.json()["errors"]] == [("$.name", "a\\ud800b")]


def test_free_text_keeps_tabs_and_line_breaks_but_names_do_not(client: TestClient, world: World) -> None:
    """A theme with a line break and a tab is stored as sent; a name with a tab inside is
    422, while a name's surrounding spaces and line breaks are only trimmed."""
    theme = "Dòng 1\r\nDòng 2\tcột"
    created = client.post(
        "/meetings", json={"commune": "c2", "start": "2026-01-06T08:00", "theme": theme}, headers=world.auth("planner")
    )
    assert created.status_code == 201, created.text
    assert client.get(f"/meetings/{created.json()['id']}", headers=world.auth("planner")).json()["theme"] == theme
    tabbed = client.post("/communes", json={"id": "c10", "name": "Xã\tMới"}, headers=world.auth("planner"))
    assert tabbed.status_code == 422
    assert "U+0009" in tabbed.json()["errors"][0]["message"]
    trimmed = client.post("/communes", json={"id": "c10", "name": " Xã Mới\n"}, headers=world.auth("planner"))
    assert trimmed.status_code == 201
    assert trimmed.json()["name"] == "Xã Mới"


def _bare(annotation: Any) -> Any:
    return typing.get_args(annotation)[0] if typing.get_origin(annotation) is Annotated else annotation


def _shapes(annotation: Any) -> list[Any]:
    """The types a field takes (each member of an optional or union type)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [_bare(a) for a in typing.get_args(annotation)]
    return [_bare(annotation)]


def _text_fields(model: type[BaseModel]) -> list[tuple[str, Any]]:
    """Each field of ``model`` that holds text, with a value of its shape holding a NUL."""
    out = []
    for name, field in model.model_fields.items():
        shapes = _shapes(field.annotation)
        if str in shapes:
            out.append((field.alias or name, NUL))
        elif any(typing.get_origin(s) is list and [_bare(a) for a in typing.get_args(s)] == [str] for s in shapes):
            out.append((field.alias or name, [NUL]))
    return out


def _request_models() -> list[type[Strict]]:
    """Every request body model that has a text field."""
    found, todo = [], list(Strict.__subclasses__())
    while todo:
        model = todo.pop()
        found.append(model)
        todo.extend(model.__subclasses__())
    return sorted((m for m in found if _text_fields(m)), key=lambda m: m.__name__)


@pytest.mark.parametrize("model", _request_models(), ids=lambda m: m.__name__)
def test_no_request_body_field_takes_a_nul(model: type[Strict]) -> None:
    """Every text field of every request body refuses a NUL (a field added later too)."""
    for name, value in _text_fields(model):
        with pytest.raises(ValidationError) as caught:
            model.model_validate({name: value})
        refusals = [e for e in caught.value.errors() if e["loc"][:1] == (name,) and e["type"] != "missing"]
        assert refusals, (model.__name__, name)
