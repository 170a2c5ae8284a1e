"""Flags from results: proposals for the next month from a Chưa đạt ranking or a report
raising a problem, confirmed or dismissed once; flags by month, their history, and the
month's flag in the solver's instance (tiny world: c2 scored 40 in November)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from models.storage.db import Database
from models.storage.tables import CommuneFlagRow, FlagDecisionRow
from tests.api.loop_steps import count, document, scores
from tests.api.world import World

PROPOSAL = "ranking:2025-12:c2"


def _flag_in_instance(database: Database, month: str, commune: str) -> int:
    return int(next(c["flag"] for c in document(database, month)["communes"] if c["id"] == commune))


def test_a_board_ranked_chua_dat_proposes_a_flag_for_next_month(client: TestClient, world: World) -> None:
    """Hợp Thành's 40 points in November propose flag 1 for December, with the reason."""
    found = client.get("/flag-proposals?month=2025-12", headers=world.auth("planner")).json()
    assert [(p["id"], p["commune"], p["flag"], p["status"]) for p in found] == [(PROPOSAL, "c2", 1, "proposed")]
    assert found[0]["reason"] == "Xếp loại Chưa đạt tháng 11/2025 (40/100 điểm)"
    assert client.get("/flag-proposals?month=2025-11", headers=world.auth("planner")).json() == []


def test_a_report_raising_a_problem_proposes_a_flag(client: TestClient, world: World) -> None:
    """A report on Kim Tân's m4 that raises a problem proposes flag 1 for Kim Tân in December."""
    body = {"attended": True, "delegate": "d3", "problem": "Dư luận về giải phóng mặt bằng"}
    report = client.post("/meetings/m4/report", json=body, headers=world.auth("planner")).json()
    report_id = report["seats"][0]["report"]["id"]
    found = {p["id"]: p for p in client.get("/flag-proposals?month=2025-12", headers=world.auth("planner")).json()}
    assert set(found) == {PROPOSAL, f"report:{report_id}"}
    assert found[f"report:{report_id}"]["commune"] == "c4"
    assert "Dư luận về giải phóng mặt bằng" in found[f"report:{report_id}"]["reason"]


def test_confirming_flags_the_month_and_the_solver_reads_it(
    client: TestClient, world: World, database: Database
) -> None:
    """Confirming sets c2's December flag (not the default, not November); the December instance has it."""
    c2_default = _flag_in_instance(database, "2025-11", "c2")
    assert _flag_in_instance(database, "2025-12", "c4") == 0
    response = client.post(f"/flag-proposals/{PROPOSAL}/confirm", headers=world.auth("planner"))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "confirmed"
    # c2 is flag 1 by default already: the proposal keeps it at 1 (never lowers), and records why.
    assert _flag_in_instance(database, "2025-12", "c2") == max(1, c2_default)
    flags = {f["commune"]: f for f in client.get("/flags?month=2025-12", headers=world.auth("planner")).json()}
    assert flags["c2"]["source"] == "proposal"
    assert flags["c2"]["reason"].startswith("Xếp loại Chưa đạt")
    assert flags["c1"]["source"] == "default"


def test_confirming_with_a_flag_sets_that_flag(client: TestClient, world: World, database: Database) -> None:
    """The planner may confirm with flag 2: December's instance asks two seats and a tier-2 senior for c2."""
    response = client.post(f"/flag-proposals/{PROPOSAL}/confirm", json={"flag": 2}, headers=world.auth("planner"))
    assert response.status_code == 200
    assert _flag_in_instance(database, "2025-12", "c2") == 2
    assert _flag_in_instance(database, "2025-11", "c2") == 1  # November keeps its own


def test_a_proposal_is_decided_once(client: TestClient, world: World, database: Database) -> None:
    """Confirming twice, or dismissing after confirming: 409 naming the proposal; no second flag row."""
    planner = world.auth("planner")
    assert client.post(f"/flag-proposals/{PROPOSAL}/confirm", headers=planner).status_code == 200
    again = client.post(f"/flag-proposals/{PROPOSAL}/confirm", headers=planner)
    assert again.status_code == 409
    assert again.json()["errors"][0]["path"] == "path.proposal_id"
    assert client.post(f"/flag-proposals/{PROPOSAL}/dismiss", headers=planner).status_code == 409
    assert count(database, CommuneFlagRow) == 1
    assert count(database, FlagDecisionRow) == 1


def test_dismissing_writes_no_flag(client: TestClient, world: World, database: Database) -> None:
    """A dismissed proposal stays listed as dismissed and leaves the flags alone."""
    planner = world.auth("planner")
    response = client.post(
        f"/flag-proposals/{PROPOSAL}/dismiss", json={"reason": "Đã có đoàn kiểm tra"}, headers=planner
    )
    assert response.status_code == 200
    assert response.json()["status"] == "dismissed"
    assert count(database, CommuneFlagRow) == 0
    assert client.get("/flag-proposals?month=2025-12", headers=planner).json()[0]["status"] == "dismissed"


def test_an_answered_proposal_stays_when_the_result_changes(client: TestClient, world: World) -> None:
    """c2's sheet corrected to 60 after the confirmation: the proposal is still listed, confirmed."""
    planner = world.auth("planner")
    client.post(f"/flag-proposals/{PROPOSAL}/confirm", headers=planner)
    client.put("/months/2025-11/sheets/c2", json={"scores": scores(60)}, headers=planner)
    found = client.get("/flag-proposals?month=2025-12", headers=planner).json()
    assert [(p["id"], p["status"]) for p in found] == [(PROPOSAL, "confirmed")]


def test_a_corrected_result_withdraws_an_open_proposal(client: TestClient, world: World) -> None:
    """c2 corrected to 60 before any answer: nothing is proposed, and confirming it is 404."""
    planner = world.auth("planner")
    client.put("/months/2025-11/sheets/c2", json={"scores": scores(60)}, headers=planner)
    assert client.get("/flag-proposals?month=2025-12", headers=planner).json() == []
    assert client.post(f"/flag-proposals/{PROPOSAL}/confirm", headers=planner).status_code == 404


def test_unknown_proposals_and_a_dismissal_with_a_flag(client: TestClient, world: World) -> None:
    """Ids that name no proposal are 404; a dismissal carrying a flag is 422 naming ``$.flag``."""
    planner = world.auth("planner")
    for bad in ("ranking:2025-12:c1", "report:999", "nothing", "ranking:x:c2"):
        assert client.post(f"/flag-proposals/{bad}/confirm", headers=planner).status_code == 404, bad
    assert client.post(f"/flag-proposals/{PROPOSAL}/dismiss", json={"flag": 1}, headers=planner).status_code == 422


def test_month_flags_keep_their_history(client: TestClient, world: World, database: Database) -> None:
    """Two settings of c1's December flag: the latest is in force, both stay in the history, the default stays."""
    planner = world.auth("planner")
    client.put("/communes/c1/flags/2025-12", json={"flag": 2, "reason": "Khiếu kiện đông người"}, headers=planner)
    client.put("/communes/c1/flags/2025-12", json={"flag": 1, "reason": "Đã ổn định một phần"}, headers=planner)
    assert _flag_in_instance(database, "2025-12", "c1") == 1
    assert _flag_in_instance(database, "2026-01", "c1") == 0
    history = client.get("/communes/c1/flags", headers=planner).json()
    assert [(h["month"], h["flag"], h["source"]) for h in history] == [
        ("2025-12", 2, "planner"),
        ("2025-12", 1, "planner"),
    ]
    assert client.get("/communes/c1", headers=planner).json()["flag"] == 0
    assert client.get("/communes/c77/flags", headers=planner).status_code == 404
    assert client.put("/communes/c77/flags/2025-12", json={"flag": 1}, headers=planner).status_code == 404


def test_the_meeting_shows_the_seats_of_its_months_flag(client: TestClient, world: World) -> None:
    """c1 flagged 2 for December: its December meeting m9 needs two seats; its November m1 still one."""
    planner = world.auth("planner")
    client.put("/communes/c1/flags/2025-12", json={"flag": 2}, headers=planner)
    assert client.get("/meetings/m9", headers=planner).json()["seats"] == 2
    assert client.get("/meetings/m1", headers=planner).json()["seats"] == 1
