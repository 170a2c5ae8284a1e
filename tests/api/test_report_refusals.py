"""Reports the service refuses because they contradict what else happened that day: one
substitute in two seats of a meeting, a substitute at another meeting they could not also
attend (the solver's rule H4, travel included) or on leave (H3); and a score sheet sent
after the month was closed, said with the month as MM/YYYY and the scores sent. Each
refusal names ``$.substitute`` (or ``$.scores``) and the value, and writes nothing.

The tiny world: November 2025 published; m1 Cốc Lếu 04/11 08:00–11:00 and m2 Hợp Thành
04/11 14:00–16:30 (d1), m3 Tả Phời 06/11 08:00–11:00 (d2, d5), m4 Kim Tân 06/11
14:00–16:30 (d3); d1 on leave on 06/11; Cốc Lếu → Hợp Thành is 40 minutes by road.
"""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select

from models.storage.db import Database
from models.storage.tables import MeetingReportRow, MeetingRow, ScoreSheetRow
from tests.api.loop_steps import add_meeting, count, history, republish, scores
from tests.api.world import OPTIMUM, World

#: Vietnam's offset: the tiny month's wall times are UTC+7.
HANOI = dt.timezone(dt.timedelta(hours=7))


def _meeting(database: Database, meeting_id: str, commune: str, start: dt.datetime, minutes: int) -> None:
    add_meeting(database, meeting_id, commune, start.astimezone(dt.UTC))
    with database.transaction() as session:
        row = session.get(MeetingRow, meeting_id)
        assert row is not None
        row.minutes = minutes


def _reports(database: Database) -> list[tuple[str, str, str | None]]:
    with database.reader() as session:
        rows = session.scalars(select(MeetingReportRow).order_by(MeetingReportRow.meeting_id))
        return [(r.meeting_id, r.delegate_id, r.substitute_id) for r in rows]


def test_one_substitute_fills_one_seat_of_a_meeting(client: TestClient, world: World, database: Database) -> None:
    """d4 goes to m3 instead of d2; the same d4 instead of d5 too is refused naming
    ``$.substitute`` and d4, and d4 counts once in the next month's history. d2's own
    report may be sent again (a correction) with the same substitute."""
    planner = world.auth("planner")
    first = client.post(
        "/meetings/m3/report", json={"attended": False, "delegate": "d2", "substitute": "d4"}, headers=planner
    )
    assert first.status_code == 200, first.text
    second = client.post(
        "/meetings/m3/report", json={"attended": False, "delegate": "d5", "substitute": "d4"}, headers=planner
    )
    assert second.status_code == 422, second.text
    (error,) = second.json()["errors"]
    assert (error["path"], error["value"]) == ("$.substitute", "d4")
    assert "đã đi thay Trần Thị Thu Hà ở hội nghị này" in error["message"]
    assert _reports(database) == [("m3", "d2", "d4")]
    again = client.post(
        "/meetings/m3/report",
        json={"attended": False, "delegate": "d2", "substitute": "d4", "note": "Sửa"},
        headers=planner,
    )
    assert again.status_code == 200, again.text
    november = [a for a in history(database, "2025-12")["attendances"] if a["date"] == "2025-11-06"]
    assert sorted(a["delegate"] for a in november if a["commune"] == "c3") == ["d4", "d5"]


def test_a_substitute_at_an_overlapping_meeting_is_refused(
    client: TestClient, world: World, database: Database
) -> None:
    """d3 sits m-x (Kim Tân, 04/11 09:00–12:00) in the version in force: he cannot have gone
    to m1 (08:00–11:00) instead of d1; the refusal names the other meeting in words."""
    _meeting(database, "m-x", "c4", dt.datetime(2025, 11, 4, 9, 0, tzinfo=HANOI), 180)
    republish(database, "2025-11", [*OPTIMUM, ("m-x", "d3")], {})
    response = client.post(
        "/meetings/m1/report", json={"attended": False, "substitute": "d3"}, headers=world.auth("planner")
    )
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert (error["path"], error["value"]) == ("$.substitute", "d3")
    assert "Phường Kim Tân ngày 04/11/2025 lúc 09:00–12:00" in error["message"]
    assert count(database, MeetingReportRow) == 0


def test_the_road_between_two_meetings_counts(client: TestClient, world: World, database: Database) -> None:
    """As the solver's H4: d4 at Cốc Lếu until 13:50 cannot reach Hợp Thành (40 minutes) for
    m2 at 14:00, though the two do not overlap on the clock; until 13:00 he can. A substitute
    that d4's own report says did not go to the other meeting is free."""
    _meeting(database, "m-y", "c1", dt.datetime(2025, 11, 4, 13, 0, tzinfo=HANOI), 50)
    republish(database, "2025-11", [*OPTIMUM, ("m-y", "d4")], {})
    planner = world.auth("planner")
    late = client.post("/meetings/m2/report", json={"attended": False, "substitute": "d4"}, headers=planner)
    assert late.status_code == 422, late.text
    (error,) = late.json()["errors"]
    assert (error["path"], error["value"]) == ("$.substitute", "d4")
    assert "Phường Cốc Lếu ngày 04/11/2025 lúc 13:00–13:50" in error["message"]
    assert "kể cả thời gian đi lại" in error["message"]
    # d4 reports that he did not go to m-y: then he was free to go to m2.
    assert client.post("/meetings/m-y/report", json={"attended": False}, headers=planner).status_code == 200
    free = client.post("/meetings/m2/report", json={"attended": False, "substitute": "d4"}, headers=planner)
    assert free.status_code == 200, free.text
    with database.transaction() as session:
        row = session.get(MeetingRow, "m-y")
        assert row is not None
        row.starts_at, row.minutes = dt.datetime(2025, 11, 4, 12, 0, tzinfo=HANOI).astimezone(dt.UTC), 60
    republish(database, "2025-11", [*OPTIMUM, ("m-y", "d5")], {})
    in_time = client.post("/meetings/m2/report", json={"attended": False, "substitute": "d5"}, headers=planner)
    assert in_time.status_code == 200, in_time.text


def test_a_substitute_on_leave_that_day_is_refused(client: TestClient, world: World, database: Database) -> None:
    """d1 is on leave on 06/11 (H3): he cannot have gone to m4 instead of d3."""
    response = client.post(
        "/meetings/m4/report", json={"attended": False, "substitute": "d1"}, headers=world.auth("planner")
    )
    assert response.status_code == 422, response.text
    (error,) = response.json()["errors"]
    assert (error["path"], error["value"]) == ("$.substitute", "d1")
    assert "nghỉ ngày 06/11/2025 (Dự hội nghị Tỉnh ủy)" in error["message"]
    assert count(database, MeetingReportRow) == 0


def test_scores_after_the_month_is_closed_say_the_month_and_the_scores(
    client: TestClient, world: World, database: Database
) -> None:
    """409 with "Tháng 11/2025 đã chốt điểm" and ``$.scores`` valued with the scores sent."""
    planner = world.auth("planner")
    assert client.post("/months/2025-11/close", headers=planner).status_code == 200
    body = {"attended": True, "scores": scores(90)}
    response = client.post("/meetings/m1/report", json=body, headers=world.auth("delegate"))
    assert response.status_code == 409, response.text
    assert response.json()["detail"].startswith("Tháng 11/2025 đã chốt điểm")
    assert "2025-11" not in response.json()["detail"]
    (error,) = response.json()["errors"]
    assert (error["path"], error["value"]) == ("$.scores", body["scores"])
    assert count(database, MeetingReportRow) == 0
    with database.reader() as session:
        sheet = session.scalar(select(ScoreSheetRow).where(ScoreSheetRow.commune_id == "c1"))
        assert sheet is not None
        assert sheet.total == 80.0
