"""Score sheets, the Board's criteria and levels, closing a month, and the ranking (JSON
and Excel); a commune sees only its own (tiny world: November sheets c1 = 80, c2 = 40)."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from models.storage.db import Database
from models.storage.tables import ScoreSheetRow
from tests.api.loop_steps import count, scores
from tests.api.world import World


def test_default_criteria_total_100(client: TestClient, world: World) -> None:
    """With nothing set, the five default criteria of docs/scoring.md add up to 100."""
    found = client.get("/scoring/criteria", headers=world.auth("commune")).json()
    assert [c["id"] for c in found["criteria"]] == ["to-chuc", "noi-dung", "nam-tinh-hinh", "to-tuyen-van", "ket-qua"]
    assert found["max_total"] == 100
    levels = client.get("/scoring/levels", headers=world.auth("delegate")).json()
    assert [(v["name"], v["min_points"]) for v in levels] == [
        ("Xuất sắc", 90),
        ("Tốt", 75),
        ("Đạt", 50),
        ("Chưa đạt", 0),
    ]


def test_board_set_criteria_score_new_sheets_and_old_ones_keep_theirs(client: TestClient, world: World) -> None:
    """New criteria apply to the next sheet; November's sheets still show the criteria they were scored on."""
    planner = world.auth("planner")
    body = {
        "criteria": [{"id": "a", "name": "Tổ chức", "max_points": 40}, {"id": "b", "name": "Kết quả", "max_points": 60}]
    }
    assert client.put("/scoring/criteria", json=body, headers=planner).status_code == 200
    saved = client.put("/months/2025-12/sheets/c1", json={"scores": {"a": 30, "b": 55}}, headers=planner)
    assert saved.status_code == 200, saved.text
    assert (saved.json()["total"], saved.json()["max_total"], saved.json()["level"]) == (85, 100, "Tốt")
    old = client.get("/months/2025-11/sheets/c1", headers=planner).json()
    assert len(old["items"]) == 5


def test_duplicate_criteria_and_levels_are_refused(client: TestClient, world: World) -> None:
    """A criterion id twice, a level threshold twice, levels not reaching down to 0: each named."""
    planner = world.auth("planner")
    twice = {"criteria": [{"id": "a", "name": "X", "max_points": 50}, {"id": "a", "name": "Y", "max_points": 50}]}
    response = client.put("/scoring/criteria", json=twice, headers=planner)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "$.criteria[1].id"
    no_floor = {"levels": [{"name": "Tốt", "min_points": 75}, {"name": "Đạt", "min_points": 50}]}
    response = client.put("/scoring/levels", json=no_floor, headers=planner)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "$.levels"
    same = {"levels": [{"name": "Tốt", "min_points": 0}, {"name": "Đạt", "min_points": 0}]}
    response = client.put("/scoring/levels", json=same, headers=planner)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "$.levels[1].min_points"


def test_sheet_checks_name_the_criterion(client: TestClient, world: World, database: Database) -> None:
    """Above the maximum, negative, unknown or missing: one item per criterion, nothing written."""
    bad = {**scores(80), "ket-qua": 26, "to-chuc": -1, "them": 3}
    del bad["noi-dung"]
    response = client.put("/months/2025-11/sheets/c1", json={"scores": bad}, headers=world.auth("planner"))
    assert response.status_code == 422
    assert sorted(e["path"] for e in response.json()["errors"]) == [
        "$.scores.ket-qua",
        "$.scores.noi-dung",
        "$.scores.them",
        "$.scores.to-chuc",
    ]
    with database.reader() as session:
        assert session.query(ScoreSheetRow).filter_by(commune_id="c1").one().total == 80


def test_sheets_are_editable_until_the_month_is_closed(client: TestClient, world: World, database: Database) -> None:
    """A planner corrects a sheet; after closing, both a correction and a report's sheet get 409; closing twice too."""
    planner = world.auth("planner")
    assert client.put("/months/2025-11/sheets/c1", json={"scores": scores(70)}, headers=planner).status_code == 200
    assert client.post("/months/2025-11/close", headers=planner).status_code == 200
    late = client.put("/months/2025-11/sheets/c1", json={"scores": scores(95)}, headers=planner)
    assert late.status_code == 409
    assert late.json()["errors"][0]["path"] == "path.month"
    report = client.post(
        "/meetings/m1/report", json={"attended": True, "scores": scores(95)}, headers=world.auth("delegate")
    )
    assert report.status_code == 409
    assert report.json()["errors"][0]["path"] == "$.scores"
    assert client.post("/months/2025-11/close", headers=planner).status_code == 409
    assert client.get("/months/2025-11/sheets/c1", headers=planner).json()["total"] == 70
    assert client.get("/months/2025-11/ranking", headers=planner).json()["closed"] is True


def test_a_sheet_for_a_commune_that_does_not_exist(client: TestClient, world: World, database: Database) -> None:
    """A sheet of an unknown commune is 404 and writes nothing."""
    response = client.put("/months/2025-11/sheets/c77", json={"scores": scores(60)}, headers=world.auth("planner"))
    assert response.status_code == 404
    assert count(database, ScoreSheetRow) == 2


def test_the_ranking_orders_every_board_and_ties_share_a_rank(client: TestClient, world: World) -> None:
    """c3 ties with c1 at 80: both rank 1, c2 is 3rd; c4 and the empty c9, unscored, come last without a rank."""
    planner = world.auth("planner")
    client.put("/months/2025-11/sheets/c3", json={"scores": scores(80)}, headers=planner)
    ranking = client.get("/months/2025-11/ranking", headers=planner).json()
    rows = [(r["commune"], r["total"], r["level"], r["rank"]) for r in ranking["rows"]]
    assert rows == [
        ("c1", 80, "Tốt", 1),
        ("c3", 80, "Tốt", 1),
        ("c2", 40, "Chưa đạt", 3),
        ("c4", None, None, None),
        ("c9", None, None, None),
    ]


def test_a_commune_sees_its_own_ranking_and_sheets_only(client: TestClient, world: World) -> None:
    """Cốc Lếu's account: its own row with its rank among all, its own sheet; Hợp Thành's sheet refused."""
    commune = world.auth("commune")
    client.put("/months/2025-11/sheets/c3", json={"scores": scores(90)}, headers=world.auth("planner"))
    ranking = client.get("/months/2025-11/ranking", headers=commune).json()
    assert [(r["commune"], r["rank"]) for r in ranking["rows"]] == [("c1", 2)]
    assert [s["commune"] for s in client.get("/months/2025-11/sheets", headers=commune).json()] == ["c1"]
    assert client.get("/months/2025-11/sheets/c2", headers=commune).status_code == 403
    book = load_workbook(io.BytesIO(client.get("/months/2025-11/ranking.xlsx", headers=commune).content))
    assert [row[1] for row in book.active.iter_rows(min_row=2, values_only=True)] == ["Phường Cốc Lếu"]


def test_the_ranking_workbook_has_vietnamese_headers_and_numbers(client: TestClient, world: World) -> None:
    """The XLSX: Hạng, the board, each criterion, Tổng điểm, Xếp loại; totals and points are number cells."""
    response = client.get("/months/2025-11/ranking.xlsx", headers=world.auth("planner"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in sheet[1]]
    assert headers[:2] == ["Hạng", "Ban tuyên vận xã/phường"]
    assert headers[-2:] == ["Tổng điểm", "Xếp loại"]
    first = list(sheet[2])
    assert first[0].value == 1
    assert first[0].data_type == "n"
    assert first[-2].value == 80
    assert first[-2].data_type == "n"
    assert first[2].value == 12
    assert first[2].data_type == "n"
    assert first[-1].value == "Tốt"
