"""The year's statistics from what happened (tiny world: imported September–October
history, November published; m1's d1 sent d4 instead, m3's d2 did not go)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from models.storage import clock
from models.storage.db import Database
from models.storage.tables import PastVisitRow
from tests.api.world import World


def _report(client: TestClient, world: World) -> None:
    planner = world.auth("planner")
    body = {"attended": False, "substitute": "d4", "visits": ["c1-t2"]}
    assert client.post("/meetings/m1/report", json=body, headers=world.auth("delegate")).status_code == 200
    assert (
        client.post("/meetings/m3/report", json={"attended": False, "delegate": "d2"}, headers=planner).status_code
        == 200
    )


def _statistics(client: TestClient, world: World) -> dict[str, Any]:
    _report(client, world)
    response = client.get("/statistics?year=2025", headers=world.auth("planner"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_attendances_per_delegate_tier_and_agency_by_month(client: TestClient, world: World) -> None:
    """Reported absences are not counted, the substitute is, unreported seats are; imported history too."""
    found = _statistics(client, world)
    per_delegate = {d["delegate"]: (d["by_month"][8:11], d["total"]) for d in found["delegates"]}
    assert per_delegate == {
        "d1": ([0, 0, 1], 1),  # m2 (unreported); m1 reported absent
        "d2": ([0, 1, 0], 1),  # October imported; m3 reported absent
        "d3": ([0, 2, 1], 3),
        "d4": ([0, 2, 1], 3),  # November as m1's substitute
        "d5": ([1, 0, 1], 2),
        "d8": ([0, 0, 0], 0),  # never sent, still listed
    }
    tiers = {t["key"]: t["by_month"][8:11] for t in found["tiers"]}
    assert tiers == {"1": [0, 0, 1], "2": [0, 1, 0], "3": [0, 2, 1], "4": [1, 2, 2]}
    agencies = {a["key"]: a["total"] for a in found["agencies"]}
    assert agencies == {"Ban Dân vận": 3, "Ban Tuyên giáo": 4, "MTTQ": 2, "Thường trực": 1}


def test_flagged_meetings_attended_by_a_leader(client: TestClient, world: World) -> None:
    """November's flagged communes are c2 (d1 went) and c3 (only the tier-4 d5 went): 2 meetings, 1 with a leader."""
    november = next(f for f in _statistics(client, world)["flagged"] if f["month"] == "2025-11")
    assert (november["meetings"], november["with_leader"]) == (2, 1)


def test_teams_visited_and_teams_not_visited_for_six_months(client: TestClient, world: World) -> None:
    """7 teams; 3 visited in 2025 (two imported, one reported); 4 never visited by the year's end."""
    teams = _statistics(client, world)["teams"]
    assert (teams["total"], teams["visited"], teams["as_of"]) == (7, 3, "2025-12-31")
    assert [t["team"] for t in teams["not_visited_6_months"]] == ["c1-t3", "c2-t1", "c2-t2", "c3-t1"]
    assert all(t["last_visit"] is None for t in teams["not_visited_6_months"])


def test_communes_no_standing_committee_member_attended(client: TestClient, world: World) -> None:
    """Tier ≤ 2 went to c2 (d1, November) and c3 (d2, October) only."""
    found = _statistics(client, world)["no_standing_committee"]
    assert [c["commune"] for c in found] == ["c1", "c4", "c9"]


def test_each_boards_ranking_over_the_year(client: TestClient, world: World) -> None:
    """November's sheets rank c1 first (80) and c2 second (40); other months are empty."""
    boards = {b["commune"]: b["months"] for b in _statistics(client, world)["rankings"]}
    assert (boards["c1"][10]["rank"], boards["c1"][10]["total"]) == (1, 80)
    assert (boards["c2"][10]["rank"], boards["c2"][10]["level"]) == (2, "Chưa đạt")
    assert boards["c1"][9] == {"month": "2025-10", "total": None, "level": None, "rank": None}


def test_the_statistics_workbook(client: TestClient, world: World) -> None:
    """One sheet per table, Vietnamese headers, counts as number cells."""
    _report(client, world)
    response = client.get("/statistics.xlsx?year=2025", headers=world.auth("planner"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["Đại biểu", "Theo cấp", "Theo cơ quan"]
    delegates = book["Đại biểu"]
    assert [c.value for c in delegates[1]][:4] == ["Đại biểu", "Cấp", "Cơ quan", "T1"]
    rows = {r[0].value: r for r in delegates.iter_rows(min_row=2)}
    assert rows["Lò Văn Sơn"][-1].value == 3
    assert rows["Lò Văn Sơn"][-1].data_type == "n"
    assert [r[0] for r in book["Chưa có Thường vụ dự"].iter_rows(min_row=2, values_only=True)] == [
        "Phường Cốc Lếu",
        "Phường Kim Tân",
        "Xã Trống",
    ]


def test_meetings_not_held_yet_are_not_counted(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On 05/11/2025 only m1 and m2 (04/11, both d1's) have taken place: m3 and m4 (06/11)
    count for nobody yet, in the JSON and the workbook alike, and of the flagged communes'
    meetings only c2's has been held."""
    monkeypatch.setattr(clock, "today", lambda: dt.date(2025, 11, 5))
    planner = world.auth("planner")
    found = client.get("/statistics?year=2025", headers=planner).json()
    november = {d["delegate"]: d["by_month"][10] for d in found["delegates"]}
    assert november == {"d1": 2, "d2": 0, "d3": 0, "d4": 0, "d5": 0, "d8": 0}
    assert {t["key"]: t["by_month"][10] for t in found["tiers"]} == {"1": 2, "2": 0, "3": 0, "4": 0}
    flagged = next(f for f in found["flagged"] if f["month"] == "2025-11")
    assert (flagged["meetings"], flagged["with_leader"]) == (1, 1)
    assert found["teams"]["as_of"] == "2025-11-05"

    book = load_workbook(io.BytesIO(client.get("/statistics.xlsx?year=2025", headers=planner).content))
    november_column = 3 + 11  # Đại biểu, Cấp, Cơ quan, then T1…T12
    cells = {r[0]: r[november_column - 1] for r in book["Đại biểu"].iter_rows(min_row=2, values_only=True)}
    assert cells["Nguyễn Văn Kiên"] == 2
    assert sum(v for k, v in cells.items() if k != "Nguyễn Văn Kiên") == 0


def test_dates_and_months_in_the_workbook_are_date_cells(client: TestClient, world: World, database: Database) -> None:
    """ "Lần dự gần nhất" is a date cell shown dd/mm/yyyy (a team never visited says so in
    words); the flagged communes' months are date cells shown mm/yyyy."""
    with database.transaction() as session:
        session.add(PastVisitRow(visited_on=dt.date(2023, 3, 10), team_id="c2-t1"))
    book = load_workbook(io.BytesIO(client.get("/statistics.xlsx?year=2025", headers=world.auth("planner")).content))
    quiet = {r[1].value: r[2] for r in book["Tổ chưa dự 6 tháng"].iter_rows(min_row=2)}
    visited = quiet["Tổ tuyên vận thôn Làng Mới"]
    assert (visited.value, visited.data_type, visited.number_format) == (dt.datetime(2023, 3, 10), "d", "dd/mm/yyyy")
    assert quiet["Tổ tuyên vận thôn Sơn Lầu"].value == "chưa dự lần nào"
    month = book["Địa bàn cần quan tâm"]["A12"]
    assert (month.value, month.data_type, month.number_format) == (dt.datetime(2025, 11, 1), "d", "mm/yyyy")
