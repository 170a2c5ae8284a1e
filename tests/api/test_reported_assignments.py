"""A delegate who has reported on a meeting stays on it: an edit of a draft that takes them
off, and the publication of a version without them, are refused (the report, its visits and
the history the next month is planned with would vanish otherwise). Tiny world: November
2025 published, d1 at m1 (Phường Cốc Lếu, 04/11/2025)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from models.storage import schedules
from models.storage.db import Database
from models.storage.schedules import Plan
from models.storage.tables import UserRow
from tests.api.loop_steps import history
from tests.api.world import OPTIMUM, World

SAID = "Nguyễn Văn Kiên (d1) đã báo cáo hội nghị của Phường Cốc Lếu ngày 04/11/2025"


def _report(client: TestClient, world: World) -> None:
    response = client.post(
        "/meetings/m1/report", json={"attended": True, "visits": ["c1-t3"]}, headers=world.auth("delegate")
    )
    assert response.status_code == 200, response.text


def _report_is_kept(client: TestClient, world: World, database: Database) -> None:
    planner = world.auth("planner")
    seats = client.get("/months/2025-11/reports", headers=planner).json()["seats"]
    assert {(s["meeting"], s["delegate"]): s["status"] for s in seats}[("m1", "d1")] == "attended"
    report = {s["delegate"]: s["report"] for s in client.get("/meetings/m1/report", headers=planner).json()["seats"]}
    assert [v["id"] for v in report["d1"]["visits"]] == ["c1-t3"]
    found = history(database, "2025-12")
    assert ("c1", "d1") in {(a["commune"], a["delegate"]) for a in found["attendances"]}
    assert "c1-t3" in {v["team"] for v in found["visits"]}


def test_an_edit_that_takes_a_reported_delegate_off_is_refused(
    client: TestClient, world: World, database: Database
) -> None:
    """d1 reported on m1: replacing d1 there in a copy of the published version is 422 naming
    the change and d1, dry run or not; the draft keeps its ETag and the report stays."""
    _report(client, world)
    planner = world.auth("planner")
    copied = client.post(f"/schedules/{world.ids['published']}/copy", headers=planner)
    assert copied.status_code == 201, copied.text
    draft, etag = copied.json()["id"], copied.headers["ETag"]
    change = {"meeting": "m2", "remove": "d1", "add": "d4"}
    taken_off = {"meeting": "m1", "remove": "d1", "add": "d4"}
    for dry_run in (True, False):
        response = client.post(
            f"/schedules/{draft}/edits", json={"changes": [change, taken_off], "dry_run": dry_run}, headers=planner
        )
        assert response.status_code == 422, response.text
        errors = response.json()["errors"]
        refusal = [e for e in errors if e["path"] == "$.changes[1].remove"]
        assert refusal, errors
        assert refusal[0]["value"] == "d1"
        assert SAID in refusal[0]["message"]
        assert not [e for e in errors if e["path"].startswith("$.changes[0]")]
    after = client.get(f"/schedules/{draft}", headers=planner)
    assert after.headers["ETag"] == etag
    assert ("m1", "d1") in {(a["meeting"], a["delegate"]) for a in after.json()["assignments"]}
    _report_is_kept(client, world, database)


def test_publishing_a_version_without_a_reported_delegate_is_refused(
    client: TestClient, world: World, database: Database
) -> None:
    """A draft (as a solve makes one) that no longer sends d1 to m1 is 409 naming
    ``$.assignments`` with m1 and d1; the version in force stays, with the report. A version
    that keeps d1 at m1 is published."""
    _report(client, world)
    with database.transaction() as session:
        planner_row = session.scalar(select(UserRow).where(UserRow.role == "planner").order_by(UserRow.id))
        assert planner_row is not None
        gap = {"meeting": "m1", "seats": 1, "senior_missing": False, "reason": "Không còn ai rảnh"}
        plan = Plan(pairs=[p for p in OPTIMUM if p != ("m1", "d1")], gaps=[gap])
        draft = schedules.create_draft(session, "2025-11", plan, world.ids["published"], planner_row.id)
        dropping, etag = draft.id, schedules.etag(draft)
    planner = world.auth("planner")
    response = client.post(f"/schedules/{dropping}/publish", headers={**planner, "If-Match": etag})
    assert response.status_code == 409, response.text
    errors = response.json()["errors"]
    assert [(e["path"], e["value"]) for e in errors] == [("$.assignments", {"meeting": "m1", "delegate": "d1"})]
    assert SAID in errors[0]["message"]
    month = client.get("/months/2025-11", headers=planner).json()
    assert month["in_force"]["id"] == world.ids["published"]
    _report_is_kept(client, world, database)
    kept = client.post(
        f"/schedules/{world.ids['draft']}/publish", headers={**planner, "If-Match": world.ids["draft_etag"]}
    )
    assert kept.status_code == 200, kept.text
    _report_is_kept(client, world, database)
