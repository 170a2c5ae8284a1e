"""The workspace's JSON routes: the month, candidates, undo, pins, versions, workload,
robustness (the rules are tested in tests/services; here: the HTTP side)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from models.storage.db import Database
from models.storage.tables import DelegateRow
from tests.api.world import MONTH, World


def test_the_month_as_json(client: TestClient, world: World) -> None:
    """The planner's month lists the meetings with their people, local times and filters."""
    response = client.get(f"/months/{MONTH}/workspace", headers=world.auth("planner"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["schedule"]["id"] == world.ids["draft"]
    assert [m["id"] for m in body["meetings"]] == ["m1", "m2", "m3", "m4"]
    assert body["meetings"][0]["start"].endswith("+07:00")
    assert body["weeks"] == [{"value": "2025-W45", "label": "Tuần 45 (03/11–09/11)"}]
    filtered = client.get(f"/months/{MONTH}/workspace?agency=MTTQ", headers=world.auth("planner")).json()
    assert [m["id"] for m in filtered["meetings"]] == ["m3"]


@pytest.mark.parametrize(
    ("query", "path"),
    [("week=45", "query.week"), ("tier=5", "query.tier"), ("agency=Kh%C3%B4ng", "agency"), ("commune=zz", "commune")],
)
def test_a_bad_filter_is_422_naming_it(client: TestClient, world: World, query: str, path: str) -> None:
    response = client.get(f"/months/{MONTH}/workspace?{query}", headers=world.auth("planner"))
    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]] == [path]


def test_candidates_then_the_change_then_undo(client: TestClient, world: World) -> None:
    """The candidate's delta is what the edit reports; undo (with the new ETag) restores the score."""
    auth = world.auth("planner")
    ranked = client.get(f"/months/{MONTH}/meetings/m3/candidates?replace=d5", headers=auth).json()
    d1 = next(c for c in ranked["candidates"] if c["delegate"] == "d1")
    assert not d1["allowed"]
    assert {b["fact"] for b in d1["blockers"]} == {"nghỉ 06/11–06/11 (Dự hội nghị Tỉnh ủy)", "phụ trách Xã Tả Phời"}
    best = next(c for c in ranked["candidates"] if c["allowed"])
    change = {"changes": [{"meeting": "m3", "remove": "d5", "add": best["delegate"]}]}
    edited = client.post(
        f"/schedules/{world.ids['draft']}/edits", json=change, headers={**auth, "If-Match": ranked["etag"]}
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["total_delta"] == best["total_delta"]
    stale = client.post(f"/schedules/{world.ids['draft']}/undo", headers={**auth, "If-Match": ranked["etag"]})
    assert stale.status_code == 412
    undone = client.post(f"/schedules/{world.ids['draft']}/undo", headers={**auth, "If-Match": edited.headers["ETag"]})
    assert undone.status_code == 200, undone.text
    assert undone.json()["total_delta"] == -best["total_delta"]
    assert undone.json()["after"]["total"] == ranked["score_total"]
    again = client.post(f"/schedules/{world.ids['draft']}/undo", headers=auth)
    assert again.status_code == 409


def test_pins_through_the_api(client: TestClient, world: World) -> None:
    """A refused pin is 409 with its fact; a ban is set, shown in the month, and lifted."""
    auth = world.auth("planner")
    refused = client.put("/meetings/m3/pins/d1", json={"kind": "pinned"}, headers=auth)
    assert refused.status_code == 409
    assert "nghỉ 06/11–06/11" in refused.json()["detail"]
    assert client.put("/meetings/m1/pins/d4", json={"kind": "forbidden"}, headers=auth).json()["kind"] == "forbidden"
    month = client.get(f"/months/{MONTH}/workspace", headers=auth).json()
    assert month["meetings"][0]["forbidden"] == [{"delegate": "d4", "name": "Phạm Ngọc Lan"}]
    assert client.delete("/meetings/m1/pins/d4", headers=auth).json()["kind"] is None
    assert client.get("/meetings/m1/pins", headers=auth).json() == []
    bad = client.put("/meetings/m1/pins/d4", json={"kind": "ghim"}, headers=auth)
    assert bad.status_code == 422


def test_a_pin_no_schedule_could_keep_is_refused(client: TestClient, world: World, database: Database) -> None:
    """A pin beyond the delegate's month (``max_per_month``, 0 for one who attends none) or
    beyond the meeting's seats would leave every solve of the month infeasible: 409 with
    the fact, and nothing pinned."""
    auth = world.auth("planner")
    with database.transaction() as session:
        for delegate, most in (("d3", 0), ("d4", 1)):
            row = session.get(DelegateRow, delegate)
            assert row is not None
            row.max_per_month = most
    none = client.put("/meetings/m1/pins/d3", json={"kind": "pinned"}, headers=auth)
    assert none.status_code == 409
    assert "đã đủ số buổi tối đa trong tháng (0 buổi)" in none.json()["detail"]
    assert none.json()["errors"][0]["path"] == "delegate"
    assert client.put("/meetings/m1/pins/d4", json={"kind": "pinned"}, headers=auth).status_code == 200
    second = client.put("/meetings/m4/pins/d4", json={"kind": "pinned"}, headers=auth)
    assert second.status_code == 409
    assert "(1 buổi)" in second.json()["detail"]
    full = client.put("/meetings/m1/pins/d5", json={"kind": "pinned"}, headers=auth)
    assert full.status_code == 409
    assert "hội nghị cần 1 người và đã ghim Phạm Ngọc Lan" in full.json()["detail"]
    assert client.get("/meetings/m4/pins", headers=auth).json() == []
    assert [p["delegate"] for p in client.get("/meetings/m1/pins", headers=auth).json()] == ["d4"]


def test_versions_and_diff(client: TestClient, world: World) -> None:
    """The history lists both versions; the diff after an edit names the meeting changed."""
    auth = world.auth("planner")
    history = client.get(f"/months/{MONTH}/versions", headers=auth).json()
    assert [v["status"] for v in history["versions"]] == ["published", "draft"]
    change = {"changes": [{"meeting": "m1", "remove": "d1", "add": "d4"}]}
    assert client.post(f"/schedules/{world.ids['draft']}/edits", json=change, headers=auth).status_code == 200
    diff = client.get(
        f"/months/{MONTH}/versions/diff?from={world.ids['published']}&to={world.ids['draft']}", headers=auth
    ).json()
    assert [c["meeting"] for c in diff["changed"]] == ["m1"]
    missing = client.get(f"/months/{MONTH}/versions/diff?from={world.ids['published']}", headers=auth)
    assert missing.status_code == 422


def test_workload_and_robustness(client: TestClient, world: World) -> None:
    """The workload sums to the version's assignments; robustness lists each seat of the version in force."""
    auth = world.auth("planner")
    load = client.get(f"/months/{MONTH}/workload", headers=auth).json()
    assert sum(g["month_total"] for g in load["groups"]) == load["assignments"] == 5
    robust = client.get(f"/months/{MONTH}/robustness", headers=auth).json()
    assert len(robust["seats"]) == 5
    assert robust["absences"] is None
    assert client.get("/months/2025-12/robustness", headers=auth).status_code == 404


@pytest.mark.parametrize("role", ["delegate", "commune"])
def test_delegates_and_communes_are_refused(client: TestClient, world: World, role: str) -> None:
    """Every workspace route answers 403 to a delegate or a commune, with an error body only."""
    for path in (
        f"/months/{MONTH}/workspace",
        f"/months/{MONTH}/meetings/m1/candidates",
        f"/months/{MONTH}/versions",
        f"/months/{MONTH}/workload",
        f"/months/{MONTH}/robustness",
    ):
        response = client.get(path, headers=world.auth(role))
        assert response.status_code == 403, path
        assert set(response.json()) == {"detail", "errors"}
    assert client.post(f"/schedules/{world.ids['draft']}/undo", headers=world.auth(role)).status_code == 403
