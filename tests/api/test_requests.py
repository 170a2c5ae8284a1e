"""Change requests after publication: a commune's move or cancellation and a delegate's
"không dự được" wait for the Board (the version in force unchanged everywhere), an
approval re-plans with fewest changes into a draft listing before → after, publishing
makes it the version in force (feeds with a higher SEQUENCE or CANCELLED), a rejection's
reason reaches the requester, and refusals say why."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from models.storage import clock
from models.storage.db import Database
from tests.api.helpers import planner_feed, publish, solve_and_publish
from tests.api.world import World, build_world

PENDING = "đang chờ Ban duyệt"
M1_UTC = "2025-11-04T08:00:00+07:00"


@pytest.fixture
def fresh(database: Database, tiny_document: dict[str, Any]) -> World:
    """The tiny example with accounts, and no schedule yet."""
    return build_world(database, tiny_document, extras=False)


@pytest.fixture(autouse=True)
def before_november(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is 1 November 2025: the tiny month's meetings (4 and 6 November) are still to
    come, so a commune may still move or cancel them and a delegate may still say "không
    dự được" (from a meeting's day, they report)."""
    monkeypatch.setattr(clock, "today", lambda: dt.date(2025, 11, 1))


def _feed(client: TestClient, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return {str(e["UID"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def _ask_move(client: TestClient, world: World, start: str = "2025-11-05T08:00") -> dict[str, Any]:
    body = {"start": start, "reason": "Trùng lễ hội"}
    response = client.patch("/meetings/m1", json=body, headers=world.auth("commune"))
    assert response.status_code == 202, response.text
    return dict(response.json())


def _approve(client: TestClient, world: World, request_id: int) -> dict[str, Any]:
    response = client.post(f"/requests/{request_id}/approve", headers=world.auth("planner"))
    assert response.status_code == 202, response.text
    job = response.json()["job"]
    client.app.state.runner.wait(job["id"], 60)  # type: ignore[attr-defined]
    finished = client.get(f"/jobs/{job['id']}", headers=world.auth("planner")).json()
    assert finished["status"] == "done", finished
    return dict(finished)


def test_a_communes_move_after_publication_waits_and_changes_nothing(client: TestClient, fresh: World) -> None:
    """202 with the request; the meeting, the published schedule, the delegate's JSON and ICS
    calendars keep the published time, each saying "đang chờ Ban duyệt"; asking twice is 409."""
    published = solve_and_publish(client, fresh)
    feed = planner_feed(client, fresh, "d1")
    asked = _ask_move(client, fresh)
    assert (asked["kind"], asked["state"], asked["state_label"]) == ("move", "pending", PENDING)
    assert asked["before_start"] == M1_UTC
    meeting = client.get("/meetings/m1", headers=fresh.auth("commune")).json()
    assert (meeting["start"], meeting["pending"]) == (M1_UTC, PENDING)
    shown = client.get(f"/schedules/{published['id']}", headers=fresh.auth("planner")).json()
    assert {(a["start"], a["pending"]) for a in shown["assignments"] if a["meeting"] == "m1"} == {(M1_UTC, PENDING)}
    events = client.get("/delegates/d1/calendar", headers=fresh.auth("planner")).json()["events"]
    assert [(e["start"], e["pending"]) for e in events if e["meeting"] == "m1"] == [(M1_UTC, PENDING)]
    event = _feed(client, feed)["m1.d1@phancong.tuyenvan"]
    assert PENDING in str(event["DESCRIPTION"])
    assert int(event["SEQUENCE"]) == 0
    assert event["DTSTART"].dt.isoformat() == M1_UTC
    twice = client.patch("/meetings/m1", json={"start": "2025-11-07T08:00"}, headers=fresh.auth("commune"))
    assert twice.status_code == 409
    assert "đang chờ" in twice.json()["detail"]


def test_before_publication_a_communes_move_applies_at_once(client: TestClient, fresh: World) -> None:
    """No month published: the PATCH answers 200 with the moved meeting, no request is made."""
    moved = client.patch("/meetings/m1", json={"start": "2025-11-05T08:00"}, headers=fresh.auth("commune"))
    assert moved.status_code == 200, moved.text
    assert moved.json()["start"] == "2025-11-05T08:00:00+07:00"
    assert client.get("/requests", headers=fresh.auth("planner")).json() == []


@pytest.mark.parametrize("published", [False, True])
def test_a_commune_moves_or_cancels_only_a_meeting_still_to_come(
    client: TestClient, fresh: World, monkeypatch: pytest.MonkeyPatch, published: bool
) -> None:
    """From the meeting's day (4 November) on, a commune's move or cancellation is refused,
    as a request too; a meeting to come is not moved into the past. The Board may still
    correct a meeting."""
    if published:
        solve_and_publish(client, fresh)
    commune, planner = fresh.auth("commune"), fresh.auth("planner")
    monkeypatch.setattr(clock, "today", lambda: dt.date(2025, 11, 3))
    past = client.patch("/meetings/m1", json={"start": "2025-11-02T08:00"}, headers=commune)
    assert past.status_code == 422
    assert past.json()["errors"][0] == {
        **past.json()["errors"][0],
        "path": "$.start",
        "value": "2025-11-02T08:00:00",
    }
    assert "ngày đã qua (02/11/2025; hôm nay 03/11/2025)" in past.json()["detail"]
    for day in (dt.date(2025, 11, 4), dt.date(2025, 11, 20)):
        monkeypatch.setattr(clock, "today", lambda day=day: day)
        for body in ({"start": "2025-11-25T08:00"}, {"cancel": True, "reason": "Mưa bão"}):
            refused = client.patch("/meetings/m1", json=body, headers=commune)
            assert refused.status_code == 409, (day, body)
            assert refused.json()["errors"][0]["path"] == "path.meeting_id"
            when = "diễn ra hôm nay" if day.day == 4 else "đã diễn ra"
            assert f"Hội nghị m1 {when} ngày 04/11/2025: không còn dời hay hủy được" in refused.json()["detail"]
    assert client.get("/requests", headers=planner).json() == []
    assert client.get("/meetings/m1", headers=planner).json()["start"] == "2025-11-04T08:00:00+07:00"
    fixed = client.patch("/meetings/m1", json={"start": "2025-11-05T08:00"}, headers=planner)
    assert fixed.status_code == 200, fixed.text


def test_refusals_name_the_reason(client: TestClient, fresh: World) -> None:
    """Another commune's meeting is 404, a commune cannot approve (403), a delegate cannot say
    "không dự được" for a meeting they are not sent to (404), nor before publication,
    a move out of the published month is 422, and only the requester's side sees a request."""
    assert client.post("/meetings/m1/absence", json={"reason": "Ốm"}, headers=fresh.auth("delegate")).status_code == 404
    solve_and_publish(client, fresh)
    other = client.patch("/meetings/m1", json={"start": "2025-11-05T08:00"}, headers=fresh.auth("other_commune"))
    assert other.status_code == 404
    away = client.patch("/meetings/m1", json={"start": "2025-12-05T08:00"}, headers=fresh.auth("commune"))
    assert away.status_code == 422
    assert away.json()["errors"][0]["path"] == "$.start"
    asked = _ask_move(client, fresh)
    refused = client.post(f"/requests/{asked['id']}/approve", headers=fresh.auth("commune"))
    assert refused.status_code == 403
    rejected = client.post(f"/requests/{asked['id']}/reject", json={"reason": "x"}, headers=fresh.auth("commune"))
    assert rejected.status_code == 403
    assert [r["id"] for r in client.get("/requests", headers=fresh.auth("commune")).json()] == [asked["id"]]
    assert client.get("/requests", headers=fresh.auth("other_commune")).json() == []
    assert client.get(f"/requests/{asked['id']}", headers=fresh.auth("other_commune")).status_code == 404
    not_mine = client.post("/meetings/m3/absence", json={"reason": "Ốm"}, headers=fresh.auth("delegate"))
    assert not_mine.status_code == 404
    assert client.post("/meetings/m1/absence", json={"reason": "Ốm"}, headers=fresh.auth("commune")).status_code == 403


def test_a_rejection_keeps_the_version_and_tells_its_reason(client: TestClient, fresh: World) -> None:
    """A rejected request shows its reason to the commune; the meeting is no longer pending."""
    solve_and_publish(client, fresh)
    asked = _ask_move(client, fresh)
    empty = client.post(f"/requests/{asked['id']}/reject", json={"reason": ""}, headers=fresh.auth("planner"))
    assert empty.status_code == 422
    said = "Đã thông báo toàn tỉnh, không dời được"
    done = client.post(f"/requests/{asked['id']}/reject", json={"reason": said}, headers=fresh.auth("planner"))
    assert done.status_code == 200, done.text
    seen = client.get(f"/requests/{asked['id']}", headers=fresh.auth("commune")).json()
    assert (seen["state"], seen["decision_reason"]) == ("rejected", said)
    meeting = client.get("/meetings/m1", headers=fresh.auth("commune")).json()
    assert (meeting["start"], meeting["pending"]) == (M1_UTC, None)
    again = client.post(f"/requests/{asked['id']}/approve", headers=fresh.auth("planner"))
    assert again.status_code == 409


def test_approve_replans_and_publishing_puts_the_new_version_in_force(client: TestClient, fresh: World) -> None:
    """Approval → a changes_first draft listing m1 moved before → after with the request's
    reason → publish → the feed shows the new time with SEQUENCE 1, the amendment notice
    lists only m1, as JSON, DOCX and PDF."""
    published = solve_and_publish(client, fresh)
    feed = planner_feed(client, fresh, "d1")
    asked = _ask_move(client, fresh)
    job = _approve(client, fresh, asked["id"])
    changes = client.get(f"/schedules/{job['schedule_id']}/changes", headers=fresh.auth("planner")).json()
    assert changes["base_version"] == published["version"]
    moved = [c for c in changes["changes"] if c["meeting"] == "m1"]
    assert len(moved) == 1
    assert moved[0]["change"] == "moved"
    assert (moved[0]["before_start"], moved[0]["after_start"]) == (M1_UTC, "2025-11-05T08:00:00+07:00")
    assert any("Trùng lễ hội" in r and f"số {asked['id']}" in r for r in moved[0]["reasons"])
    assert client.get(f"/requests/{asked['id']}", headers=fresh.auth("commune")).json()["state"] == "approved"
    new = publish(client, fresh, job["schedule_id"])
    event = _feed(client, feed)["m1.d1@phancong.tuyenvan"]
    assert event["DTSTART"].dt.isoformat() == "2025-11-05T08:00:00+07:00"
    assert int(event["SEQUENCE"]) == 1
    assert str(event["STATUS"]) == "CONFIRMED"
    amendment = client.get(f"/months/2025-11/amendments/{new['version']}", headers=fresh.auth("planner")).json()
    assert [c["meeting"] for c in amendment["changes"]] == [c["meeting"] for c in changes["changes"]]
    docx = client.get(f"/months/2025-11/amendments/{new['version']}.docx", headers=fresh.auth("planner"))
    assert docx.status_code == 200
    assert docx.content[:2] == b"PK"
    with zipfile.ZipFile(io.BytesIO(docx.content)) as document:
        xml = document.read("word/document.xml").decode()
    assert "Điều chỉnh phân công dự, chỉ đạo hội nghị tuyên vận tháng 11 năm 2025" in xml
    assert "trước đây 08h00 ngày 04/11/2025" in xml
    pdf = client.get(f"/months/2025-11/amendments/{new['version']}.pdf", headers=fresh.auth("planner"))
    assert pdf.status_code == 200
    assert pdf.content[:5] == b"%PDF-"
    first = client.get(f"/months/2025-11/amendments/{published['version']}.pdf", headers=fresh.auth("planner"))
    assert first.status_code == 409


def test_a_delegates_absence_approved_takes_them_off_and_their_feed_cancels_it(
    client: TestClient, fresh: World, before_november: None
) -> None:
    """d1 says "không dự được" for m1 → approved → re-planned without d1 at m1 → published:
    d1's feed keeps m1 as STATUS:CANCELLED with a higher SEQUENCE."""
    published = solve_and_publish(client, fresh)
    assert any(a["meeting"] == "m1" and a["delegate"] == "d1" for a in published["assignments"])
    feed = planner_feed(client, fresh, "d1")
    empty = client.post("/meetings/m1/absence", json={"reason": ""}, headers=fresh.auth("delegate"))
    assert empty.status_code == 422
    asked = client.post("/meetings/m1/absence", json={"reason": "Đi công tác Hà Nội"}, headers=fresh.auth("delegate"))
    assert asked.status_code == 202, asked.text
    assert asked.json()["kind"] == "absent"
    assert asked.json()["delegate"] == "d1"
    assert [r["id"] for r in client.get("/requests", headers=fresh.auth("delegate")).json()] == [asked.json()["id"]]
    job = _approve(client, fresh, asked.json()["id"])
    changes = client.get(f"/schedules/{job['schedule_id']}/changes", headers=fresh.auth("planner")).json()["changes"]
    m1 = next(c for c in changes if c["meeting"] == "m1")
    assert "d1" in m1["before_delegates"]
    assert "d1" not in m1["after_delegates"]
    publish(client, fresh, job["schedule_id"])
    event = _feed(client, feed)["m1.d1@phancong.tuyenvan"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1


def test_a_delegates_absence_is_between_the_delegate_and_the_board(
    client: TestClient, fresh: World, before_november: None
) -> None:
    """The commune of the meeting does not see a delegate's "không dự được" (nor its reason);
    the re-plan's reason names the delegate by name, not by id."""
    solve_and_publish(client, fresh)
    asked = client.post("/meetings/m1/absence", json={"reason": "Đi khám bệnh"}, headers=fresh.auth("delegate"))
    assert asked.status_code == 202, asked.text
    assert client.get("/requests", headers=fresh.auth("commune")).json() == []
    assert client.get(f"/requests/{asked.json()['id']}", headers=fresh.auth("commune")).status_code == 404
    job = _approve(client, fresh, asked.json()["id"])
    changes = client.get(f"/schedules/{job['schedule_id']}/changes", headers=fresh.auth("planner")).json()["changes"]
    name = client.get("/delegates/d1", headers=fresh.auth("planner")).json()["name"]
    assert any(f"Đại biểu {name} không dự được: Đi khám bệnh" in r for c in changes for r in c["reasons"])


def test_a_cancellation_approved_removes_the_meeting_from_the_new_version(client: TestClient, fresh: World) -> None:
    """A commune's cancellation is a request; approved and published, m1 is gone from the
    version in force and listed as cancelled."""
    solve_and_publish(client, fresh)
    asked = client.patch("/meetings/m1", json={"cancel": True, "reason": "Mưa lũ"}, headers=fresh.auth("commune"))
    assert asked.status_code == 202, asked.text
    assert asked.json()["kind"] == "cancel"
    job = _approve(client, fresh, asked.json()["id"])
    changes = client.get(f"/schedules/{job['schedule_id']}/changes", headers=fresh.auth("planner")).json()["changes"]
    assert [c["change"] for c in changes if c["meeting"] == "m1"] == ["cancelled"]
    new = publish(client, fresh, job["schedule_id"])
    assert all(a["meeting"] != "m1" for a in new["assignments"])


def test_a_cancelled_meeting_stays_cancelled_and_the_commune_registers_anew(client: TestClient, fresh: World) -> None:
    """Once its cancellation is approved, m1 says so and cannot be moved back to life (it
    would come back with nobody sent: 409, by the commune as by a planner); the commune
    registers the month's meeting anew instead, under a new id."""
    solve_and_publish(client, fresh)
    asked = client.patch("/meetings/m1", json={"cancel": True, "reason": "Mưa lũ"}, headers=fresh.auth("commune"))
    assert asked.status_code == 202, asked.text
    _approve(client, fresh, asked.json()["id"])
    assert client.get("/meetings/m1", headers=fresh.auth("commune")).json()["cancelled"] is True
    body = {"start": "2025-11-20T08:00", "reason": "Tổ chức lại"}
    for role in ("commune", "planner"):
        revived = client.patch("/meetings/m1", json=body, headers=fresh.auth(role))
        assert revived.status_code == 409, revived.text
        assert "đã hủy" in revived.json()["detail"]
    anew = client.post("/meetings", json={"start": "2025-11-20T08:00"}, headers=fresh.auth("commune"))
    assert anew.status_code == 201, anew.text
    assert (anew.json()["id"] != "m1", anew.json()["cancelled"]) == (True, False)


@pytest.mark.parametrize("role", ["commune", "planner"])
def test_a_cancellation_sent_with_a_move_is_refused_not_half_done(client: TestClient, fresh: World, role: str) -> None:
    """ "cancel" with a new start is 422 naming the start; nothing is asked or changed."""
    solve_and_publish(client, fresh)
    both = {"cancel": True, "start": "2025-11-05T08:00", "reason": "x"}
    refused = client.patch("/meetings/m1", json=both, headers=fresh.auth(role))
    assert refused.status_code == 422, refused.text
    assert [(e["path"], e["value"]) for e in refused.json()["errors"]] == [("$.start", "2025-11-05T08:00:00")]
    assert client.get("/requests", headers=fresh.auth("planner")).json() == []
    meeting = client.get("/meetings/m1", headers=fresh.auth("planner")).json()
    assert (meeting["start"], meeting["cancelled"]) == (M1_UTC, False)


def test_the_patch_of_a_meeting_documents_both_of_its_answers(client: TestClient) -> None:
    """200 is the meeting, or {"deleted": id} for a cancellation before publication."""
    schema = client.get("/openapi.json").json()
    answer = schema["paths"]["/meetings/{meeting_id}"]["patch"]["responses"]["200"]["content"]["application/json"]
    shown = {ref["$ref"].rsplit("/", 1)[-1] for ref in answer["schema"]["anyOf"]}
    assert shown == {"MeetingOut", "Deleted"}


AWAITING = "Ban đã duyệt thay đổi, chờ công bố lịch điều chỉnh"
M1_MOVED = "2025-11-05T08:00:00+07:00"


def test_an_approved_move_shows_the_published_time_until_its_version_is_published(
    client: TestClient, fresh: World
) -> None:
    """Between the approval and the publication of its re-plan, the commune's view keeps the
    time the delegates were told (as their calendars do), saying that a change waits; once
    published, every view has the new time and nothing waits."""
    solve_and_publish(client, fresh)
    job = _approve(client, fresh, _ask_move(client, fresh)["id"])
    for role in ("commune", "planner"):
        meeting = client.get("/meetings/m1", headers=fresh.auth(role)).json()
        assert (meeting["start"], meeting["pending"]) == (M1_UTC, AWAITING), role
    events = client.get("/delegates/d1/calendar", headers=fresh.auth("delegate")).json()["events"]
    assert [e["start"] for e in events if e["meeting"] == "m1"] == [M1_UTC]
    publish(client, fresh, job["schedule_id"])
    meeting = client.get("/meetings/m1", headers=fresh.auth("commune")).json()
    assert (meeting["start"], meeting["pending"]) == (M1_MOVED, None)


def test_a_planners_move_of_a_published_meeting_waits_for_the_next_version(client: TestClient, fresh: World) -> None:
    """The Board moves a published meeting itself: the data moves (the next plan reads it),
    the views keep the published time with the waiting mark, as after an approval."""
    solve_and_publish(client, fresh)
    moved = client.patch("/meetings/m1", json={"start": "2025-11-05T08:00"}, headers=fresh.auth("planner"))
    assert moved.status_code == 200, moved.text
    assert (moved.json()["start"], moved.json()["pending"]) == (M1_UTC, AWAITING)
    commune = client.get("/meetings", headers=fresh.auth("commune")).json()
    assert [(m["start"], m["pending"]) for m in commune if m["id"] == "m1"] == [(M1_UTC, AWAITING)]


def test_a_replan_lists_the_reasons_of_an_earlier_unpublished_replan(client: TestClient, fresh: World) -> None:
    """A move approved, its draft left unpublished, then a cancellation approved: the second
    draft (against the same version in force) gives each change its own request's reason."""
    published = solve_and_publish(client, fresh)
    move = _ask_move(client, fresh)
    _approve(client, fresh, move["id"])
    other = sorted({a["meeting"] for a in published["assignments"]} - {"m1"})[0]
    cancel = client.patch(
        f"/meetings/{other}", json={"cancel": True, "reason": "Mưa lũ"}, headers=fresh.auth("planner")
    )
    assert cancel.status_code == 200, cancel.text
    replan = client.post("/solves", json={"month": "2025-11", "changes_first": True}, headers=fresh.auth("planner"))
    assert replan.status_code == 201, replan.text
    client.app.state.runner.wait(replan.json()["id"], 60)  # type: ignore[attr-defined]
    job = client.get(f"/jobs/{replan.json()['id']}", headers=fresh.auth("planner")).json()
    changes = client.get(f"/schedules/{job['schedule_id']}/changes", headers=fresh.auth("planner")).json()["changes"]
    reasons = {c["meeting"]: (c["change"], " ".join(c["reasons"])) for c in changes}
    assert reasons["m1"][0] == "moved"
    assert f"số {move['id']}" in reasons["m1"][1]
    assert reasons[other] == ("cancelled", "Hội nghị đã hủy")


def test_several_requests_are_approved_in_one_replan(client: TestClient, fresh: World, before_november: None) -> None:
    """A commune's move and a delegate's absence approved together make one re-plan job whose
    draft lists both meetings with their own reasons; an unknown id in ``also`` is 404 and
    applies nothing."""
    published = solve_and_publish(client, fresh)
    mine = sorted({a["meeting"] for a in published["assignments"] if a["delegate"] == "d1"} - {"m1"})
    assert mine, "the optimum sends d1 to a second meeting"
    move = _ask_move(client, fresh)
    absence = client.post(
        f"/meetings/{mine[0]}/absence", json={"reason": "Họp Tỉnh ủy"}, headers=fresh.auth("delegate")
    )
    assert absence.status_code == 202, absence.text
    unknown = client.post(f"/requests/{move['id']}/approve", json={"also": [9999]}, headers=fresh.auth("planner"))
    assert unknown.status_code == 404
    assert client.get(f"/requests/{move['id']}", headers=fresh.auth("planner")).json()["state"] == "pending"
    response = client.post(
        f"/requests/{move['id']}/approve", json={"also": [absence.json()["id"]]}, headers=fresh.auth("planner")
    )
    assert response.status_code == 202, response.text
    approved = response.json()
    assert {r["state"] for r in approved["requests"]} == {"approved"}
    assert {r["job"] for r in approved["requests"]} == {approved["job"]["id"]}
    client.app.state.runner.wait(approved["job"]["id"], 60)  # type: ignore[attr-defined]
    job = client.get(f"/jobs/{approved['job']['id']}", headers=fresh.auth("planner")).json()
    changes = client.get(f"/schedules/{job['schedule_id']}/changes", headers=fresh.auth("planner")).json()["changes"]
    reasons = {c["meeting"]: " ".join(c["reasons"]) for c in changes}
    assert "Trùng lễ hội" in reasons["m1"]
    assert "Họp Tỉnh ủy" in reasons[mine[0]]
