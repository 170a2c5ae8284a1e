"""Reports of published meetings: who may report, what a report may say, and the history
the next month's solve is given from them (tiny world, November 2025 published)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from models.storage.db import Database
from models.storage.tables import AuditRow, MeetingReportRow, ReportVisitRow, ScoreSheetRow
from tests.api.loop_steps import add_meeting, count, history, republish, scores
from tests.api.world import OPTIMUM, World

VISITS = {("m1", "d1"): "c1-t2", ("m2", "d1"): "c2-t1", ("m3", "d2"): "c3-t1", ("m3", "d5"): "c3-t2"}


def _publish_with_visits(database: Database) -> None:
    republish(database, "2025-11", OPTIMUM, VISITS)


def test_smallest_report_is_attended_true(client: TestClient, world: World) -> None:
    """``{"attended": true}`` is a whole report: the delegate's seat shows it, nothing else is asked."""
    response = client.post("/meetings/m1/report", json={"attended": True}, headers=world.auth("delegate"))
    assert response.status_code == 200, response.text
    seat = response.json()["seats"][0]
    assert seat["delegate"] == "d1"
    assert seat["report"]["attended"] is True
    assert seat["report"]["visits"] is None  # not said: the suggested team still counts


def test_a_delegate_reports_only_their_own_seat(client: TestClient, world: World) -> None:
    """The assigned delegate cannot report for a co-delegate, and the refusal names ``$.delegate``."""
    response = client.post(
        "/meetings/m1/report", json={"attended": True, "delegate": "d2"}, headers=world.auth("delegate")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "$.delegate"


def test_a_delegate_not_assigned_is_refused(client: TestClient, world: World, database: Database) -> None:
    """d2's account on m1 (d1's meeting) gets 403 and nothing is stored."""
    response = client.post("/meetings/m1/report", json={"attended": True}, headers=world.auth("other_delegate"))
    assert response.status_code == 403
    assert count(database, MeetingReportRow) == 0


def test_a_planner_reports_for_anyone_and_names_the_seat(client: TestClient, world: World) -> None:
    """m3 has two seats: a planner must say whose report it is, then may enter it."""
    planner = world.auth("planner")
    missing = client.post("/meetings/m3/report", json={"attended": True}, headers=planner)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["path"] == "$.delegate"
    done = client.post("/meetings/m3/report", json={"attended": False, "delegate": "d5"}, headers=planner)
    assert done.status_code == 200, done.text
    seats = {s["delegate"]: s["report"] for s in done.json()["seats"]}
    assert seats["d2"] is None
    assert seats["d5"]["attended"] is False


def test_a_correction_replaces_the_report(client: TestClient, world: World, database: Database) -> None:
    """Reporting again replaces the report in place (one row), and the audit log keeps both."""
    auth = world.auth("delegate")
    client.post("/meetings/m1/report", json={"attended": True, "visits": ["c1-t1"]}, headers=auth)
    again = client.post("/meetings/m1/report", json={"attended": True, "visits": ["c1-t3", "c1-t2"]}, headers=auth)
    assert again.status_code == 200, again.text
    assert [v["id"] for v in again.json()["seats"][0]["report"]["visits"]] == ["c1-t2", "c1-t3"]
    assert count(database, MeetingReportRow) == 1
    assert count(database, ReportVisitRow) == 2
    with database.reader() as session:
        assert session.query(AuditRow).filter(AuditRow.action == "meeting.report").count() == 2


def test_a_future_meeting_cannot_be_reported(client: TestClient, world: World, database: Database) -> None:
    """A published meeting whose day has not come (local time) is refused naming the meeting; nothing is written."""
    add_meeting(database, "m-sau", "c1", dt.datetime(2099, 1, 5, 1, 0, tzinfo=dt.UTC))
    republish(database, "2099-01", [("m-sau", "d1")], {})
    response = client.post("/meetings/m-sau/report", json={"attended": True}, headers=world.auth("delegate"))
    assert response.status_code == 409
    assert response.json()["errors"][0] == {
        "path": "path.meeting_id",
        "value": "m-sau",
        "message": response.json()["errors"][0]["message"],
        "sheet": None,
        "row": None,
    }
    assert "05/01/2099" in response.json()["detail"]
    assert count(database, MeetingReportRow) == 0


def test_an_unpublished_meeting_cannot_be_reported(client: TestClient, world: World, database: Database) -> None:
    """December's m9 is in no published schedule: 409 naming the meeting."""
    response = client.post("/meetings/m9/report", json={"attended": True}, headers=world.auth("planner"))
    assert response.status_code == 409
    assert response.json()["errors"][0]["path"] == "path.meeting_id"


def test_a_team_of_another_commune_is_refused(client: TestClient, world: World, database: Database) -> None:
    """m1 is Cốc Lếu's: a Hợp Thành team in the visits gets a 422 naming ``$.visits[1]``; nothing is written."""
    body = {"attended": True, "visits": ["c1-t1", "c2-t1"], "scores": scores(80)}
    response = client.post("/meetings/m1/report", json=body, headers=world.auth("delegate"))
    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]] == ["$.visits[1]"]
    assert response.json()["errors"][0]["value"] == "c2-t1"
    assert count(database, MeetingReportRow) == 0
    assert count(database, ScoreSheetRow) == 2  # the world's two November sheets, untouched


def test_visits_when_nobody_went_and_unknown_teams_are_refused(client: TestClient, world: World) -> None:
    """Nobody went (absent, no substitute) yet teams visited; an unknown team; a team twice: each named."""
    auth = world.auth("delegate")
    nobody = client.post("/meetings/m1/report", json={"attended": False, "visits": ["c1-t1"]}, headers=auth)
    assert nobody.status_code == 422
    assert nobody.json()["errors"][0]["path"] == "$.visits"
    unknown = client.post("/meetings/m1/report", json={"attended": True, "visits": ["c1-t9"]}, headers=auth)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["path"] == "$.visits[0]"
    twice = client.post("/meetings/m1/report", json={"attended": True, "visits": ["c1-t1", "c1-t1"]}, headers=auth)
    assert twice.status_code == 422
    assert twice.json()["errors"][0]["path"] == "$.visits[1]"


def test_substitute_rules(client: TestClient, world: World) -> None:
    """A substitute only when the delegate did not go, must exist, and must not hold a seat of the meeting."""
    auth = world.auth("planner")
    went = client.post("/meetings/m1/report", json={"attended": True, "substitute": "d4"}, headers=auth)
    assert went.status_code == 422
    assert went.json()["errors"][0]["path"] == "$.substitute"
    unknown = client.post("/meetings/m1/report", json={"attended": False, "substitute": "d99"}, headers=auth)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["value"] == "d99"
    seated = client.post(
        "/meetings/m3/report", json={"attended": False, "delegate": "d2", "substitute": "d5"}, headers=auth
    )
    assert seated.status_code == 422
    assert seated.json()["errors"][0]["path"] == "$.substitute"


def test_points_above_a_maximum_write_nothing(client: TestClient, world: World, database: Database) -> None:
    """30 points on a 25-point criterion: 422 naming ``$.scores.ket-qua``; neither report nor sheet written."""
    body = {"attended": True, "scores": {**scores(80), "ket-qua": 30}}
    response = client.post("/meetings/m1/report", json=body, headers=world.auth("delegate"))
    assert response.status_code == 422
    assert [(e["path"], e["value"]) for e in response.json()["errors"]] == [("$.scores.ket-qua", 30)]
    assert count(database, MeetingReportRow) == 0
    with database.reader() as session:
        sheet = session.query(ScoreSheetRow).filter_by(commune_id="c1", month="2025-11").one()
        assert sheet.total == 80.0


def test_a_report_carries_the_boards_sheet(client: TestClient, world: World) -> None:
    """Scores sent with the report become the commune's sheet of the month, linked to the report."""
    body = {"attended": True, "scores": scores(92), "sheet_note": "Hội nghị chất lượng"}
    response = client.post("/meetings/m1/report", json=body, headers=world.auth("delegate"))
    assert response.status_code == 200, response.text
    sheet = response.json()["sheet"]
    assert sheet["total"] == 92
    assert sheet["level"] == "Xuất sắc"
    assert sheet["note"] == "Hội nghị chất lượng"
    assert sheet["report"] == response.json()["seats"][0]["report"]["id"]


def test_the_month_shows_which_assignments_are_unconfirmed(client: TestClient, world: World) -> None:
    """Before any report all five November seats are unconfirmed; after two reports, three are."""
    auth = world.auth("planner")
    before = client.get("/months/2025-11/reports", headers=auth).json()
    assert (before["unconfirmed"], before["confirmed"]) == (5, 0)
    client.post("/meetings/m1/report", json={"attended": True}, headers=world.auth("delegate"))
    client.post("/meetings/m4/report", json={"attended": False, "substitute": "d4"}, headers=auth)
    after = client.get("/months/2025-11/reports", headers=auth).json()
    assert (after["unconfirmed"], after["confirmed"]) == (3, 2)
    status = {(s["meeting"], s["delegate"]): (s["status"], s["attended_by"]) for s in after["seats"]}
    assert status[("m1", "d1")] == ("attended", "d1")
    assert status[("m4", "d3")] == ("substituted", "d4")
    assert status[("m2", "d1")] == ("unconfirmed", "d1")


def test_history_follows_the_reports(client: TestClient, world: World, database: Database) -> None:
    """December's instance: an unreported seat counts with its suggested team; an absence is no
    attendance and no visit; a substitute is credited; the teams reported replace the suggestion."""
    _publish_with_visits(database)
    auth = world.auth("planner")
    client.post("/meetings/m1/report", json={"attended": True, "visits": ["c1-t3"]}, headers=world.auth("delegate"))
    client.post("/meetings/m3/report", json={"attended": False, "delegate": "d2"}, headers=auth)
    client.post("/meetings/m3/report", json={"attended": False, "delegate": "d5", "substitute": "d4"}, headers=auth)
    found = history(database, "2025-12")
    november = {(a["commune"], a["delegate"]) for a in found["attendances"] if a["date"].startswith("2025-11")}
    assert november == {("c1", "d1"), ("c2", "d1"), ("c3", "d4"), ("c4", "d3")}
    visits = {v["team"] for v in found["visits"] if v["date"].startswith("2025-11")}
    # m1: c1-t3 reported instead of the suggested c1-t2; m2 unreported: c2-t1; m3: d2 absent (no
    # visit), d5's substitute went without saying which team (the suggested c3-t2 counts).
    assert visits == {"c1-t3", "c2-t1", "c3-t2"}


def test_who_may_read_a_report(client: TestClient, world: World) -> None:
    """The planner sees every seat; the assigned delegate only their own; another delegate is refused."""
    client.post("/meetings/m3/report", json={"attended": True, "delegate": "d2"}, headers=world.auth("planner"))
    assert len(client.get("/meetings/m3/report", headers=world.auth("planner")).json()["seats"]) == 2
    own = client.get("/meetings/m3/report", headers=world.auth("other_delegate")).json()
    assert [s["delegate"] for s in own["seats"]] == ["d2"]
    assert client.get("/meetings/m3/report", headers=world.auth("delegate")).status_code == 403
