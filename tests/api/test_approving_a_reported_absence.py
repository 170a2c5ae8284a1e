"""A delegate's "không dự được" sent before the meeting, still pending when he reports
the meeting: the Board can no longer approve it (he would be replaced while the commune's
score sheet stays his). The approval is a 409 naming the request, in Vietnamese with the
day as dd/mm/yyyy, and applies nothing, not even the other requests approved with it; the
way out is to decline it.

The tiny world: November 2025 published, d1 on m1 and m2 (both 04/11/2025), c1's request
to move m1 pending.
"""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from models.storage import clock
from models.storage.db import Database
from models.storage.tables import ChangeRequestRow, JobRow, MeetingRow, PinRow
from tests.api.world import World


def _reported_after_asking(client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch) -> int:
    """d1 says "không dự được" for m2 on 01/11, then reports m2 (attended) on 04/11; the request's id."""
    monkeypatch.setattr(clock, "today", lambda: dt.date(2025, 11, 1))
    asked = client.post("/meetings/m2/absence", json={"reason": "Ốm"}, headers=world.auth("delegate"))
    assert asked.status_code == 202, asked.text
    monkeypatch.setattr(clock, "today", lambda: dt.date(2025, 11, 4))
    reported = client.post("/meetings/m2/report", json={"attended": True}, headers=world.auth("delegate"))
    assert reported.status_code == 200, reported.text
    return int(asked.json()["id"])


def _untouched(database: Database, *request_ids: int) -> None:
    """The requests still pending, no pin, no re-plan, m1 where it was published."""
    with database.reader() as session:
        states = set(session.scalars(select(ChangeRequestRow.state).where(ChangeRequestRow.id.in_(request_ids))))
        assert states == {"pending"}
        assert session.scalar(select(func.count()).select_from(PinRow).where(PinRow.kind == "forbidden")) == 0
        assert session.scalar(select(func.count()).select_from(JobRow).where(JobRow.changes_first.is_(True))) == 0
        m1 = session.get(MeetingRow, "m1")
        assert m1 is not None
        assert m1.starts_at == dt.datetime(2025, 11, 4, 1, 0, tzinfo=dt.UTC)


def _refused(response: httpx.Response, request_id: int) -> None:
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["detail"].startswith(
        f"Không duyệt được yêu cầu {request_id}: đại biểu Nguyễn Văn Kiên đã báo cáo hội nghị m2 ngày 04/11/2025;"
    )
    assert "hãy không duyệt yêu cầu này" in body["detail"]
    assert [(e["path"], e["value"]) for e in body["errors"]] == [("$.requests", request_id)]


def test_approving_an_absence_the_delegate_has_since_reported_is_409(
    client: TestClient, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """409 naming the request and the day; nothing applied; declining it still works."""
    absence = _reported_after_asking(client, world, monkeypatch)
    _refused(client.post(f"/requests/{absence}/approve", json={}, headers=world.auth("planner")), absence)
    _untouched(database, absence)
    declined = client.post(
        f"/requests/{absence}/reject", json={"reason": "Đã báo cáo có dự"}, headers=world.auth("planner")
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["state"] == "rejected"


def test_approved_with_another_request_nothing_is_applied(
    client: TestClient, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """c1's move of m1 approved together with the reported absence: the same 409, and the
    move is not applied either."""
    absence = _reported_after_asking(client, world, monkeypatch)
    move = world.ids["request"]
    response = client.post(f"/requests/{move}/approve", json={"also": [absence]}, headers=world.auth("planner"))
    _refused(response, absence)
    _untouched(database, move, absence)


def test_an_absence_not_reported_is_still_approved(
    client: TestClient, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """d1's absence for m2, and no report of m2 (his report of m1 is another meeting's): 202."""
    monkeypatch.setattr(clock, "today", lambda: dt.date(2025, 11, 1))
    asked = client.post("/meetings/m2/absence", json={"reason": "Ốm"}, headers=world.auth("delegate"))
    assert asked.status_code == 202, asked.text
    monkeypatch.setattr(clock, "today", lambda: dt.date(2025, 11, 4))
    reported = client.post("/meetings/m1/report", json={"attended": True}, headers=world.auth("delegate"))
    assert reported.status_code == 200, reported.text
    approved = client.post(f"/requests/{asked.json()['id']}/approve", json={}, headers=world.auth("planner"))
    assert approved.status_code == 202, approved.text
    client.app.state.runner.wait(approved.json()["job"]["id"], 60)  # type: ignore[attr-defined]
