"""Who is asking comes before what was asked: a request that would be refused for its
account (401 anonymous, 403 a role the route does not serve) is refused so even when its
query or body is also wrong, never answered 422 with a hint of what to fix.

The app-wide input checks (unknown query parameters, control characters) settle the
route's authentication and declared role first (``api.limits.authorize_first``); FastAPI
itself resolves a route's dependencies (``CurrentUser``, ``Planner``…) before its body.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_authorization import MATRIX, _fill
from tests.api.world import World

ANONYMOUS = [pytest.param(row, id=f"{row['method']} {row['path']}") for row in MATRIX if row["anonymous"] == 401]
#: Query strings the app-wide checks refuse: a parameter no route declares, a NUL.
BAD_QUERIES = ("khong_co=1", "month=%00")


def _with_query(path: str, query: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}{query}"


@pytest.mark.parametrize("row", ANONYMOUS)
def test_anonymous_is_401_whatever_the_query(client: TestClient, world: World, row: dict[str, Any]) -> None:
    """Every row of the authorization matrix that answers an anonymous caller 401."""
    path = str(_fill(row["path"], world.ids))
    for query in BAD_QUERIES:
        response = client.request(row["method"], _with_query(path, query), json=_fill(row.get("body"), world.ids))
        assert response.status_code == 401, (query, response.text[:300])
        assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/statistics?month=2024-03", None),
        ("GET", "/statistics.xlsx?month=2024-03", None),
        ("GET", "/flags?year=2024", None),
        ("GET", "/flag-proposals?year=2024", None),
        ("PUT", "/scoring/criteria", {}),
        ("PUT", "/scoring/levels", {}),
        ("PUT", "/months/2024-03/sheets/c002", {}),
        ("PUT", "/communes/c002/flags/2024-03", {}),
        ("POST", "/users?khong_co=1", {"name": "x", "role": "planner", "khong_co": 1}),
    ],
)
def test_the_anonymous_requests_of_the_review_are_401(
    client: TestClient, world: World, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = client.request(method, path, json=body)
    assert response.status_code == 401, response.text[:300]
    assert response.json()["detail"].startswith("Chưa xác thực")


@pytest.mark.parametrize("role", ["delegate", "commune"])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/users", None),
        ("GET", "/communes", None),
        ("POST", "/users", {"name": "x", "role": "planner", "khong_co": 1}),
        ("DELETE", "/users/1", None),
    ],
)
def test_a_declared_role_is_403_whatever_the_query(
    client: TestClient, world: World, role: str, method: str, path: str, body: dict[str, Any] | None
) -> None:
    """Routes that declare ``Planner`` refuse another role before any input check."""
    for query in BAD_QUERIES:
        response = client.request(method, _with_query(path, query), json=body, headers=world.auth(role))
        assert response.status_code == 403, (query, response.text[:300])


@pytest.mark.parametrize("role", ["delegate", "commune"])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/statistics?month=2024-03", None),
        ("GET", "/statistics.xlsx?month=2024-03", None),
        ("GET", "/flags?year=2024", None),
        ("GET", "/flag-proposals?year=2024", None),
        ("PUT", "/scoring/criteria", {}),
        ("PUT", "/scoring/criteria", "criteria"),
        ("PUT", "/scoring/levels", {}),
        ("PUT", "/months/2024-03/sheets/c002", {}),
        ("PUT", "/communes/c002/flags/2024-03", {}),
    ],
)
def test_another_roles_wrong_input_is_403(
    client: TestClient, world: World, role: str, method: str, path: str, body: Any
) -> None:
    """The review's requests as a delegate and a commune: ``{}``, or the body of
    ``GET /scoring/criteria`` (its extra fields), to a planner's route is told it may not."""
    if body == "criteria":
        body = client.get("/scoring/criteria", headers=world.auth("planner")).json()
    response = client.request(method, path, json=body, headers=world.auth(role))
    assert response.status_code == 403, response.text[:300]


@pytest.mark.parametrize("role", ["delegate", "commune"])
def test_a_planners_route_refuses_in_words(client: TestClient, world: World, role: str) -> None:
    """The refusal names the Board's staff in Vietnamese, not the role's code."""
    response = client.get("/users", headers=world.auth(role))
    assert response.status_code == 403
    assert response.json()["detail"] == "Chỉ cán bộ Ban Tuyên giáo được làm việc này"
