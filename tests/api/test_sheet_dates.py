"""A planner's score sheet follows the report's rule: a board is scored once its meeting
has taken place (local time), never for a month still to come (tiny world: c1's December
meeting m9 is on 02/12/2025 at 08:00)."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from models.storage import clock
from models.storage.db import Database
from models.storage.tables import ScoreSheetRow
from tests.api.loop_steps import count, scores
from tests.api.world import World


def test_a_sheet_for_a_month_still_to_come_is_refused(client: TestClient, world: World, database: Database) -> None:
    """December 2099: 409 naming the month, in Vietnamese with today's date; nothing written, nobody ranked."""
    planner = world.auth("planner")
    response = client.put("/months/2099-12/sheets/c1", json={"scores": scores(80)}, headers=planner)
    assert response.status_code == 409
    body = response.json()
    assert "Tháng 12/2099 chưa đến" in body["detail"]
    assert clock.today().strftime("%d/%m/%Y") in body["detail"]
    assert (body["errors"][0]["path"], body["errors"][0]["value"]) == ("path.month", "2099-12")
    assert count(database, ScoreSheetRow) == 2
    rows = client.get("/months/2099-12/ranking", headers=planner).json()["rows"]
    assert all(r["rank"] is None for r in rows)


def test_a_sheet_before_the_communes_meeting_is_refused(
    client: TestClient, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On 01/12/2025 c1's meeting of 02/12 has not happened: 409 naming the commune and the
    meeting's day; from 02/12 the sheet is taken. A commune with no December meeting may be
    scored once the month has come."""
    planner = world.auth("planner")
    monkeypatch.setattr(clock, "today", lambda: dt.date(2025, 12, 1))
    early = client.put("/months/2025-12/sheets/c1", json={"scores": scores(80)}, headers=planner)
    assert early.status_code == 409
    body = early.json()
    assert "02/12/2025 chưa diễn ra" in body["detail"]
    assert (body["errors"][0]["path"], body["errors"][0]["value"]) == ("path.commune_id", "c1")
    assert "hôm nay 01/12/2025" in body["errors"][0]["message"]
    assert count(database, ScoreSheetRow) == 2
    assert client.put("/months/2025-12/sheets/c2", json={"scores": scores(60)}, headers=planner).status_code == 200

    monkeypatch.setattr(clock, "today", lambda: dt.date(2025, 12, 2))
    on_the_day = client.put("/months/2025-12/sheets/c1", json={"scores": scores(80)}, headers=planner)
    assert on_the_day.status_code == 200, on_the_day.text
