"""Communes register and move their own meetings; after publication a change asks the
planners for a re-plan and never touches the published schedule."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import pytest
from fastapi.testclient import TestClient

from models.storage import clock
from models.storage.db import Database
from tests.api.helpers import solve, solve_and_publish
from tests.api.world import World, build_world
from tests.storage.helpers import row_counts


@pytest.fixture(autouse=True)
def before_november(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is 1 November 2025: the tiny month's meetings (4 and 6 November) are still to
    come, so a commune may still move them."""
    monkeypatch.setattr(clock, "today", lambda: dt.date(2025, 11, 1))


@pytest.fixture
def fresh(database: Database, tiny_document: dict[str, Any]) -> World:
    """The tiny example with accounts, and no schedule yet."""
    return build_world(database, tiny_document, extras=False)


def test_commune_registers_its_own_meeting_once_a_month(client: TestClient, fresh: World) -> None:
    """The commune account registers without naming itself; a second registration for the
    same month is 409 (move the first instead)."""
    auth = fresh.auth("commune")
    first = client.post("/meetings", json={"start": "2025-12-03T08:00", "theme": "Chuyển đổi số"}, headers=auth)
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["id"], body["commune"], body["month"]) == ("202512-c1", "c1", "2025-12")
    assert body["start"] == "2025-12-03T08:00:00+07:00"
    second = client.post("/meetings", json={"start": "2025-12-10T08:00"}, headers=auth)
    assert second.status_code == 409
    own = client.get("/meetings?month=2025-12", headers=auth).json()
    assert [m["id"] for m in own] == ["202512-c1"]


def test_commune_cannot_move_a_meeting_into_a_month_that_has_one(client: TestClient, fresh: World) -> None:
    """The commune's December meeting moved into November, where m1 already is: 409 and
    the meeting stays in December; moving it within December is allowed, and a planner
    (who is not bound by the commune's rule) may make the move."""
    auth = fresh.auth("commune")
    december = client.post("/meetings", json={"start": "2025-12-03T08:00"}, headers=auth).json()["id"]
    refused = client.patch(f"/meetings/{december}", json={"start": "2025-11-20T08:00"}, headers=auth)
    assert refused.status_code == 409, refused.text
    assert "2025-11" in refused.json()["detail"]
    assert client.get(f"/meetings/{december}", headers=auth).json()["month"] == "2025-12"
    assert [m["id"] for m in client.get("/meetings?month=2025-11", headers=auth).json()] == ["m1"]
    within = client.patch(f"/meetings/{december}", json={"start": "2025-12-10T08:00"}, headers=auth)
    assert within.status_code == 200, within.text
    planner = client.patch(f"/meetings/{december}", json={"start": "2025-11-20T08:00"}, headers=fresh.auth("planner"))
    assert planner.status_code == 200, planner.text


def test_commune_sees_only_its_own_meetings(client: TestClient, fresh: World) -> None:
    """The list holds c1's meeting alone; another commune's meeting is 404."""
    listed = client.get("/meetings", headers=fresh.auth("commune")).json()
    assert {m["commune"] for m in listed} == {"c1"}
    assert client.get("/meetings/m2", headers=fresh.auth("commune")).status_code == 404


def test_commune_cannot_learn_that_another_communes_meeting_exists(
    client: TestClient, fresh: World, database: Database
) -> None:
    """A commune naming its meeting after another commune's (m2) gets the very answer it
    gets for an unused id: a refusal that names neither, and nothing is registered."""
    auth = fresh.auth("commune")
    before = row_counts(database)
    taken = client.post("/meetings", json={"id": "m2", "start": "2025-12-03T08:00"}, headers=auth)
    unused = client.post("/meetings", json={"id": "m77", "start": "2025-12-03T08:00"}, headers=auth)
    assert taken.status_code == unused.status_code == 403
    assert taken.json() == unused.json()
    assert "m2" not in taken.text
    assert row_counts(database) == before
    assert client.post("/meetings", json={"start": "2025-12-03T08:00"}, headers=auth).status_code == 201
    planner = client.post(
        "/meetings", json={"id": "m2", "commune": "c1", "start": "2025-12-03T08:00"}, headers=fresh.auth("planner")
    )
    assert planner.status_code == 409


def test_move_after_publication_flags_a_replan_and_keeps_the_published_version(
    client: TestClient, fresh: World
) -> None:
    """The Board moves a published meeting: the move is stored, the planners see that the
    month needs a re-plan, and the published schedule (and its export, and the meeting as
    shown) is unchanged until a new version is published. (A
    commune's move is a request instead: tests/api/test_requests.py.)"""
    solve_and_publish(client, fresh)
    planner = fresh.auth("planner")
    before = client.get("/months/2025-11/solution.json", headers=planner).json()
    moved = client.patch("/meetings/m1", json={"start": "2025-11-07T08:00"}, headers=planner)
    assert moved.status_code == 200, moved.text
    # Stored for the next plan; shown as the version in force has it until one is published.
    assert (moved.json()["start"], moved.json()["pending"]) == (
        "2025-11-04T08:00:00+07:00",
        "Ban đã duyệt thay đổi, chờ công bố lịch điều chỉnh",
    )
    month = client.get("/months/2025-11", headers=planner).json()
    assert month["needs_replan"] is True
    assert [n["meeting"] for n in month["notices"]] == ["m1"]
    assert "07/11/2025" in month["notices"][0]["reason"]
    assert client.get("/months/2025-11/solution.json", headers=planner).json() == before
    in_force = client.get(f"/schedules/{month['in_force']['id']}", headers=planner).json()
    assert in_force["needs_replan"] is True
    assert next(a for a in in_force["assignments"] if a["meeting"] == "m1")["start"] == "2025-11-04T08:00:00+07:00"


def test_a_registration_after_a_draft_marks_the_draft_for_a_replan(client: TestClient, fresh: World) -> None:
    """A month with only a draft: a meeting registered after it is not in the draft, so the
    month needs a re-plan before that draft is published; a draft made after it does not."""
    planner = fresh.auth("planner")
    draft = solve(client, fresh)["schedule_id"]
    assert client.get("/months/2025-11", headers=planner).json()["needs_replan"] is False
    registered = client.post(
        "/meetings", json={"id": "m77", "commune": "c2", "start": "2025-11-12T08:00"}, headers=planner
    )
    assert registered.status_code == 201, registered.text
    month = client.get("/months/2025-11", headers=planner).json()
    assert month["needs_replan"] is True
    assert [n["meeting"] for n in month["notices"]] == ["m77"]
    assert client.get(f"/schedules/{draft}", headers=planner).json()["needs_replan"] is True
    again = solve(client, fresh)["schedule_id"]
    assert client.get(f"/schedules/{again}", headers=planner).json()["needs_replan"] is False
    assert client.get("/months/2025-11", headers=planner).json()["needs_replan"] is False


def test_commune_sees_who_is_coming_but_not_the_visit(client: TestClient, fresh: World) -> None:
    """After publication the commune's meeting lists the delegates coming, without any team."""
    published = solve_and_publish(client, fresh)
    coming = sorted(a["delegate"] for a in published["assignments"] if a["meeting"] == "m1")
    meeting = client.get("/meetings/m1", headers=fresh.auth("commune")).json()
    assert sorted(a["id"] for a in meeting["attendees"]) == coming
    assert "team" not in str(meeting)


def test_text_is_stored_in_nfc(client: TestClient, fresh: World) -> None:
    """A name sent decomposed (NFD) is stored and answered composed (NFC)."""
    name = unicodedata.normalize("NFD", "Phường Phố Mới")
    assert name != unicodedata.normalize("NFC", name)
    response = client.post("/communes", json={"id": "c10", "name": name}, headers=fresh.auth("planner"))
    assert response.status_code == 201
    assert response.json()["name"] == unicodedata.normalize("NFC", name)
    assert client.get("/communes/c10", headers=fresh.auth("planner")).json()["name"] == "Phường Phố Mới"


def test_leave_over_a_published_assignment_flags_a_replan(client: TestClient, fresh: World) -> None:
    """Leave given to a delegate on the day of a published assignment asks for a re-plan."""
    published = solve_and_publish(client, fresh)
    first = published["assignments"][0]
    day = first["start"][:10]
    response = client.post(
        f"/delegates/{first['delegate']}/leave",
        json={"from": day, "to": day, "reason": "Đi công tác"},
        headers=fresh.auth("planner"),
    )
    assert response.status_code == 201
    month = client.get("/months/2025-11", headers=fresh.auth("planner")).json()
    assert month["needs_replan"] is True
    assert first["meeting"] in {n["meeting"] for n in month["notices"]}


def test_audit_log_names_who_changed_what(client: TestClient, fresh: World) -> None:
    """A commune's move is in the audit log with the account's name and the change."""
    client.patch("/meetings/m1", json={"minutes": 150}, headers=fresh.auth("commune"))
    entries = client.get("/audit?entity=meeting&entity_id=m1", headers=fresh.auth("planner")).json()
    assert entries[0]["action"] == "meeting.update"
    assert entries[0]["user_name"] == "Phường Cốc Lếu"
    assert entries[0]["detail"] == {"minutes": 150}
