"""A closed month's results stay as they were at closing, and a sheet keeps the criteria it
was scored on (tiny world: November 2025 sheets c1 = 80, c2 = 40 on the default criteria).

After closing, new levels or new criteria of the Board change nothing of the month: not
the levels of its ranking, sheets and statistics, nor the columns and points of its
export. An open month's sheet is corrected on its own criteria, and its export keeps the
points of sheets scored on older criteria beside those on the new ones.
"""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from models.storage.db import Database
from models.storage.scoring import DEFAULT_CRITERIA
from models.storage.tables import ScoreSheetRow
from tests.api.loop_steps import scores
from tests.api.world import World

DEFAULT_NAMES = [c.name for c in DEFAULT_CRITERIA]
#: Stricter levels than the defaults: c1's 80 would be "Đạt", no longer "Tốt".
STRICT = {
    "levels": [
        {"name": "Xuất sắc", "min_points": 96},
        {"name": "Tốt", "min_points": 85},
        {"name": "Đạt", "min_points": 50},
        {"name": "Chưa đạt", "min_points": 0},
    ]
}
NEW_CRITERIA = {
    "criteria": [{"id": "a", "name": "Tổ chức", "max_points": 40}, {"id": "b", "name": "Kết quả", "max_points": 60}]
}


def _book(client: TestClient, world: World, month: str) -> list[list[Any]]:
    response = client.get(f"/months/{month}/ranking.xlsx", headers=world.auth("planner"))
    assert response.status_code == 200, response.text
    return [list(row) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]


def test_a_closed_month_keeps_the_levels_in_force_at_closing(client: TestClient, world: World) -> None:
    """Closed with the default levels, November stays ranked on them after the Board sets
    stricter ones: ranking, its levels, the sheets and the year's statistics; an open month
    is ranked on the new levels."""
    planner = world.auth("planner")
    assert client.post("/months/2025-11/close", headers=planner).status_code == 200
    assert client.put("/scoring/levels", json=STRICT, headers=planner).status_code == 200

    ranking = client.get("/months/2025-11/ranking", headers=planner).json()
    assert ranking["closed"] is True
    assert [(r["commune"], r["level"]) for r in ranking["rows"][:2]] == [("c1", "Tốt"), ("c2", "Chưa đạt")]
    assert [(v["name"], v["min_points"]) for v in ranking["levels"]] == [
        ("Xuất sắc", 90),
        ("Tốt", 75),
        ("Đạt", 50),
        ("Chưa đạt", 0),
    ]
    assert client.get("/months/2025-11/sheets/c1", headers=planner).json()["level"] == "Tốt"
    assert [s["level"] for s in client.get("/months/2025-11/sheets", headers=planner).json()] == ["Tốt", "Chưa đạt"]
    boards = {
        b["commune"]: b["months"] for b in client.get("/statistics?year=2025", headers=planner).json()["rankings"]
    }
    assert boards["c1"][10]["level"] == "Tốt"
    assert _book(client, world, "2025-11")[1][-1] == "Tốt"

    # December is open: its sheet is ranked on the levels in force.
    saved = client.put("/months/2025-12/sheets/c1", json={"scores": scores(80)}, headers=planner)
    assert saved.status_code == 200, saved.text
    assert saved.json()["level"] == "Đạt"
    assert client.get("/months/2025-12/ranking", headers=planner).json()["levels"][0]["min_points"] == 96


def test_a_closed_months_export_keeps_the_criteria_its_sheets_were_scored_on(client: TestClient, world: World) -> None:
    """After new criteria, November's workbook still has the five criteria its sheets were
    scored on, in their order, with each board's points; none of the new criteria."""
    planner = world.auth("planner")
    assert client.post("/months/2025-11/close", headers=planner).status_code == 200
    assert client.put("/scoring/criteria", json=NEW_CRITERIA, headers=planner).status_code == 200

    rows = _book(client, world, "2025-11")
    assert rows[0] == ["Hạng", "Ban tuyên vận xã/phường", *DEFAULT_NAMES, "Tổng điểm", "Xếp loại"]
    assert rows[1] == [1, "Phường Cốc Lếu", 12, 16, 16, 16, 20, 80, "Tốt"]
    assert rows[2] == [2, "Xã Hợp Thành", 6, 8, 8, 8, 10, 40, "Chưa đạt"]


def test_an_open_months_export_has_the_points_of_old_and_new_criteria(client: TestClient, world: World) -> None:
    """December: c1 scored on the default criteria, then the Board sets new ones and c2 is
    scored on them. The workbook has the old criteria then the new, each board's points
    under its own criteria, nothing lost."""
    planner = world.auth("planner")
    assert client.put("/months/2025-12/sheets/c1", json={"scores": scores(80)}, headers=planner).status_code == 200
    assert client.put("/scoring/criteria", json=NEW_CRITERIA, headers=planner).status_code == 200
    c2 = client.put("/months/2025-12/sheets/c2", json={"scores": {"a": 30, "b": 40}}, headers=planner)
    assert c2.status_code == 200, c2.text

    rows = _book(client, world, "2025-12")
    assert rows[0] == ["Hạng", "Ban tuyên vận xã/phường", *DEFAULT_NAMES, "Tổ chức", "Kết quả", "Tổng điểm", "Xếp loại"]
    assert rows[1] == [1, "Phường Cốc Lếu", 12, 16, 16, 16, 20, None, None, 80, "Tốt"]
    assert rows[2] == [2, "Xã Hợp Thành", None, None, None, None, None, 30, 40, 70, "Đạt"]


def test_an_existing_sheet_is_corrected_on_its_own_criteria(
    client: TestClient, world: World, database: Database
) -> None:
    """After new criteria, November's c1 sheet (open month) is corrected on the five
    criteria it was scored on, and refused on the new ones; a new sheet takes the new ones."""
    planner = world.auth("planner")
    assert client.put("/scoring/criteria", json=NEW_CRITERIA, headers=planner).status_code == 200

    corrected = client.put("/months/2025-11/sheets/c1", json={"scores": scores(90)}, headers=planner)
    assert corrected.status_code == 200, corrected.text
    assert [i["criterion"] for i in corrected.json()["items"]] == [c.id for c in DEFAULT_CRITERIA]
    assert (corrected.json()["total"], corrected.json()["max_total"]) == (90, 100)

    on_new = client.put("/months/2025-11/sheets/c1", json={"scores": {"a": 30, "b": 40}}, headers=planner)
    assert on_new.status_code == 422
    errors = {e["path"]: e for e in on_new.json()["errors"]}
    assert errors["$.scores.a"]["value"] == 30
    assert "to-chuc" in errors["$.scores.a"]["message"]
    with database.reader() as session:
        assert session.query(ScoreSheetRow).filter_by(commune_id="c1", month="2025-11").one().total == 90

    fresh = client.put("/months/2025-11/sheets/c3", json={"scores": scores(70)}, headers=planner)
    assert fresh.status_code == 422
    assert "$.scores.to-chuc" in {e["path"] for e in fresh.json()["errors"]}
    fresh = client.put("/months/2025-11/sheets/c3", json={"scores": {"a": 30, "b": 40}}, headers=planner)
    assert fresh.status_code == 200, fresh.text
