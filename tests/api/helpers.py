"""Steps shared by API tests: solve a month, publish a draft, open a delegate's feed."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.world import World


def solve(client: TestClient, world: World, month: str = "2025-11", **body: Any) -> dict[str, Any]:
    """Solve ``month`` as the planner and return the finished job."""
    response = client.post("/solves", json={"month": month, "time_limit": 5, **body}, headers=world.auth("planner"))
    assert response.status_code == 201, response.text
    job = response.json()
    client.app.state.runner.wait(job["id"], 60)  # type: ignore[attr-defined]
    finished = client.get(f"/jobs/{job['id']}", headers=world.auth("planner")).json()
    assert finished["status"] == "done", finished
    return dict(finished)


def schedule(client: TestClient, world: World, schedule_id: int) -> tuple[dict[str, Any], str]:
    response = client.get(f"/schedules/{schedule_id}", headers=world.auth("planner"))
    assert response.status_code == 200, response.text
    return response.json(), response.headers["ETag"]


def publish(client: TestClient, world: World, schedule_id: int) -> dict[str, Any]:
    _, etag = schedule(client, world, schedule_id)
    response = client.post(f"/schedules/{schedule_id}/publish", headers={**world.auth("planner"), "If-Match": etag})
    assert response.status_code == 200, response.text
    return dict(response.json())


def solve_and_publish(client: TestClient, world: World, month: str = "2025-11") -> dict[str, Any]:
    return publish(client, world, solve(client, world, month)["schedule_id"])


def feed_url(client: TestClient, world: World, role: str = "delegate") -> str:
    """A fresh secret calendar URL of the account's delegate (path only)."""
    response = client.post("/me/calendar-feed", headers=world.auth(role))
    assert response.status_code == 201, response.text
    return str(response.json()["url"]).removeprefix("http://testserver")


def planner_feed(client: TestClient, world: World, delegate_id: str) -> str:
    response = client.post(f"/delegates/{delegate_id}/calendar-feed", headers=world.auth("planner"))
    assert response.status_code == 201, response.text
    return str(response.json()["url"]).removeprefix("http://testserver")
