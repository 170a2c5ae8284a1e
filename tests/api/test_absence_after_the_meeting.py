"""A delegate's "không dự được" only for a meeting still to come and not reported: from the
meeting's day on, what happened is the report's to say (an absence approved after a report
would replace the delegate while the commune's score sheet stays his). Each refusal is a
409 naming the meeting, in Vietnamese with the day as dd/mm/yyyy, and writes nothing.

The tiny world: November 2025 published, d1 on m1 and m2 (both 04/11/2025).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from models.storage import clock
from models.storage.db import Database
from models.storage.tables import ChangeRequestRow
from tests.api.loop_steps import count
from tests.api.world import World


def _on(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    monkeypatch.setattr(clock, "today", lambda: day)


def _absence(client: TestClient, world: World, meeting: str) -> tuple[int, dict[str, Any]]:
    response = client.post(f"/meetings/{meeting}/absence", json={"reason": "Ốm"}, headers=world.auth("delegate"))
    return response.status_code, response.json()


def test_a_meeting_to_come_may_be_said(client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """On 03/11/2025 m2 of the next day is still to come: 202."""
    _on(monkeypatch, dt.date(2025, 11, 3))
    status, body = _absence(client, world, "m2")
    assert status == 202, body


def test_a_reported_meeting_is_refused(
    client: TestClient, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """d1 reported m1 (attended, with scores): his "không dự được" for m1 is 409 naming m1."""
    _on(monkeypatch, dt.date(2025, 11, 4))
    reported = client.post("/meetings/m1/report", json={"attended": True}, headers=world.auth("delegate"))
    assert reported.status_code == 200, reported.text
    before = count(database, ChangeRequestRow)
    status, body = _absence(client, world, "m1")
    assert status == 409, body
    assert body["errors"][0]["path"] == "path.meeting_id"
    assert body["errors"][0]["value"] == "m1"
    assert "Bạn đã báo cáo hội nghị m1 ngày 04/11/2025" in body["detail"]
    assert count(database, ChangeRequestRow) == before


def test_a_meeting_whose_day_has_come_is_refused(
    client: TestClient, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """m2 (04/11/2025) on its own day, and any day after: 409 naming m2, nothing written."""
    before = count(database, ChangeRequestRow)
    _on(monkeypatch, dt.date(2025, 11, 4))
    status, body = _absence(client, world, "m2")
    assert status == 409, body
    assert (body["errors"][0]["path"], body["errors"][0]["value"]) == ("path.meeting_id", "m2")
    assert "diễn ra hôm nay, ngày 04/11/2025" in body["detail"]
    monkeypatch.undo()  # the real today: long after November 2025
    status, body = _absence(client, world, "m2")
    assert status == 409, body
    assert "Hội nghị m2 đã diễn ra ngày 04/11/2025" in body["detail"]
    assert count(database, ChangeRequestRow) == before
