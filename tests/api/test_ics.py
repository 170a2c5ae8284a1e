"""The iCalendar feed, parsed back with ``icalendar``: every RFC 5545 point the service
promises, stability across republication, and revocable secret URLs."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from models.storage import clock
from models.storage.db import Database
from tests.api.helpers import feed_url, planner_feed, schedule, solve, solve_and_publish
from tests.api.world import World, build_world


@pytest.fixture
def fresh(database: Database, tiny_document: dict[str, Any]) -> World:
    """The tiny example with accounts, and no schedule yet."""
    return build_world(database, tiny_document, extras=False)


def _events(client: TestClient, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    calendar = Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_feed_meets_rfc5545(client: TestClient, fresh: World) -> None:
    """Content type, CRLF lines of at most 75 octets, VERSION/PRODID, no METHOD, a
    VTIMEZONE for Asia/Ho_Chi_Minh, and per event a stable UID, SEQUENCE, UTC DTSTAMP,
    local DTSTART/DTEND with TZID, Vietnamese SUMMARY and LOCATION (NFC)."""
    published = solve_and_publish(client, fresh)
    mine = [a for a in published["assignments"] if a["delegate"] == "d1"]
    assert mine, "the optimum sends d1 somewhere"
    response = client.get(feed_url(client, fresh))
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    raw = response.content
    assert raw.endswith(b"\r\n")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")
    calendar = Calendar.from_ical(raw)
    assert str(calendar["VERSION"]) == "2.0"
    assert "PRODID" in calendar
    assert "METHOD" not in calendar
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Asia/Ho_Chi_Minh"]
    events = calendar.walk("VEVENT")
    assert sorted(str(e["UID"]) for e in events) == sorted(f"{a['meeting']}.d1@phancong.tuyenvan" for a in mine)
    for event, assignment in zip(
        sorted(events, key=lambda e: str(e["UID"])), sorted(mine, key=lambda a: a["meeting"]), strict=True
    ):
        assert int(event["SEQUENCE"]) == 0
        assert event["DTSTAMP"].dt.utcoffset() == dt.timedelta(0)
        assert re.search(rb"DTSTAMP:\d{8}T\d{6}Z", raw)
        start = event["DTSTART"]
        assert start.params["TZID"] == "Asia/Ho_Chi_Minh"
        assert start.dt == dt.datetime.fromisoformat(assignment["start"])
        assert event["DTEND"].dt > start.dt
        summary, location = str(event["SUMMARY"]), str(event["LOCATION"])
        assert summary == f"Dự hội nghị tuyên vận {assignment['commune_name']}"
        assert location == assignment["commune_name"]
        assert unicodedata.is_normalized("NFC", summary + location + str(event["DESCRIPTION"]))
        if assignment["team_name"]:
            assert assignment["team_name"] in str(event["DESCRIPTION"])


def test_visit_team_is_seen_only_by_its_delegate(client: TestClient, fresh: World) -> None:
    """The suggested team is in its delegate's feed, not in another delegate's feed nor in
    what the commune sees of its meeting."""
    published = solve_and_publish(client, fresh)
    teams = {a["team_name"] for a in published["assignments"] if a["delegate"] == "d1" and a["team_name"]}
    assert teams
    own = client.get(feed_url(client, fresh)).text
    other = client.get(feed_url(client, fresh, "other_delegate")).text
    assert all(team in own.replace("\r\n ", "") for team in teams)
    assert not any(team in other.replace("\r\n ", "") for team in teams)
    seen_by_commune = client.get("/meetings?month=2025-11", headers=fresh.auth("commune")).text
    assert not any(team in seen_by_commune for team in teams)
    assert "team" not in seen_by_commune


def test_republish_keeps_uids_and_bumps_sequence_only_for_the_changed_event(client: TestClient, fresh: World) -> None:
    """A meeting moves after publication; the republished schedule keeps every UID, and
    only the moved meeting's events get SEQUENCE 1 and the new time."""
    published = solve_and_publish(client, fresh)
    urls = {d: planner_feed(client, fresh, d) for d in ("d1", "d2", "d3", "d4", "d5")}
    before = {d: _events(client, url) for d, url in urls.items()}
    moved = client.patch("/meetings/m2", json={"start": "2025-11-05T14:00"}, headers=fresh.auth("planner"))
    assert moved.status_code == 200, moved.text
    copy = client.post(f"/schedules/{published['id']}/copy", headers=fresh.auth("planner"))
    assert copy.status_code == 201, copy.text
    _, etag = schedule(client, fresh, copy.json()["id"])
    again = client.post(f"/schedules/{copy.json()['id']}/publish", headers={**fresh.auth("planner"), "If-Match": etag})
    assert again.status_code == 200, again.text
    after = {d: _events(client, url) for d, url in urls.items()}
    for delegate in urls:
        assert set(after[delegate]) == set(before[delegate])
        for uid, event in after[delegate].items():
            changed = uid.startswith("m2.")
            assert int(event["SEQUENCE"]) == int(before[delegate][uid]["SEQUENCE"]) + (1 if changed else 0)
            if changed:
                assert event["DTSTART"].dt == dt.datetime.fromisoformat("2025-11-05T14:00:00+07:00")
            else:
                assert event["DTSTAMP"].dt == before[delegate][uid]["DTSTAMP"].dt


def test_removed_assignment_stays_in_the_feed_cancelled(client: TestClient, fresh: World) -> None:
    """After republishing without d1 at m1, d1's feed has that event as STATUS:CANCELLED with
    the same UID and a higher SEQUENCE (phones remove it), and d4's has it confirmed."""
    published = solve_and_publish(client, fresh)
    assert any(a["meeting"] == "m1" and a["delegate"] == "d1" for a in published["assignments"])
    d1, d4 = planner_feed(client, fresh, "d1"), planner_feed(client, fresh, "d4")
    assert "m1.d1@phancong.tuyenvan" in _events(client, d1)
    draft = client.post(f"/schedules/{published['id']}/copy", headers=fresh.auth("planner")).json()
    edit = client.post(
        f"/schedules/{draft['id']}/edits",
        json={"changes": [{"meeting": "m1", "remove": "d1", "add": "d4"}]},
        headers=fresh.auth("planner"),
    )
    assert edit.status_code == 200, edit.text
    _, etag = schedule(client, fresh, draft["id"])
    assert client.post(
        f"/schedules/{draft['id']}/publish", headers={**fresh.auth("planner"), "If-Match": etag}
    ).is_success
    cancelled = _events(client, d1)["m1.d1@phancong.tuyenvan"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) == 1
    taken = _events(client, d4)["m1.d4@phancong.tuyenvan"]
    assert (str(taken["STATUS"]), int(taken["SEQUENCE"])) == ("CONFIRMED", 0)
    mine = client.get("/delegates/d1/calendar", headers=fresh.auth("planner")).json()["events"]
    assert [e["status"] for e in mine if e["meeting"] == "m1"] == ["CANCELLED"]


def test_rotated_and_revoked_urls_stop_working(client: TestClient, fresh: World) -> None:
    """Rotating the secret makes the old URL 404 at once; revoking makes the new one 404 too."""
    solve_and_publish(client, fresh)
    old = feed_url(client, fresh)
    assert client.get(old).status_code == 200
    new = feed_url(client, fresh)
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    assert client.delete("/me/calendar-feed", headers=fresh.auth("delegate")).status_code == 200
    gone = client.get(new)
    assert gone.status_code == 404
    assert "BEGIN:VCALENDAR" not in gone.text


def test_deactivating_a_delegate_account_stops_its_feed(client: TestClient, fresh: World) -> None:
    """The feed URL of a delegate whose account is deactivated answers 404 at once, like
    its bearer token (the URL needs no token, so it must be revoked too)."""
    solve_and_publish(client, fresh)
    url = feed_url(client, fresh)
    assert client.get(url).status_code == 200
    account = client.get("/me", headers=fresh.auth("delegate")).json()["id"]
    assert client.delete(f"/users/{account}", headers=fresh.auth("planner")).status_code == 200
    assert client.get("/me", headers=fresh.auth("delegate")).status_code == 401
    gone = client.get(url)
    assert gone.status_code == 404
    assert "BEGIN:VCALENDAR" not in gone.text


def test_planner_revokes_a_delegates_feed(client: TestClient, fresh: World) -> None:
    """A planner revokes d1's feed outright: the URL answers 404 and no new one is made;
    revoking again, or for an unknown delegate, is 404."""
    solve_and_publish(client, fresh)
    url = planner_feed(client, fresh, "d1")
    assert client.get(url).status_code == 200
    planner = fresh.auth("planner")
    revoked = client.delete("/delegates/d1/calendar-feed", headers=planner)
    assert revoked.status_code == 200
    assert revoked.json() == {"deleted": "calendar-feed"}
    assert client.get(url).status_code == 404
    assert client.delete("/delegates/d1/calendar-feed", headers=planner).status_code == 404
    assert client.delete("/delegates/d77/calendar-feed", headers=planner).status_code == 404
    entries = client.get("/audit?entity=delegate&entity_id=d1", headers=planner).json()
    assert entries[0]["action"] == "feed.revoke"


def test_unchanged_feed_answers_304_to_its_etag(client: TestClient, fresh: World) -> None:
    """A phone sending back the feed's ETag gets 304 without a body until the feed changes."""
    solve_and_publish(client, fresh)
    url = feed_url(client, fresh)
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_drafts_never_reach_the_feed(client: TestClient, fresh: World) -> None:
    """A solved but unpublished schedule puts nothing in any calendar."""
    solve(client, fresh)
    events = Calendar.from_ical(client.get(feed_url(client, fresh)).content).walk("VEVENT")
    assert events == []
    assert client.get("/me/calendar", headers=fresh.auth("delegate")).json()["events"] == []


# -- what subscribing phones need -------------------------------------------------------


def _since(value: str) -> dt.datetime:
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(value)


def _place_c1(database: Database) -> None:
    from models.storage.tables import CommuneRow

    with database.transaction() as session:
        commune = session.get(CommuneRow, "c1")
        assert commune is not None
        commune.lat, commune.lon = 22.4856, 103.9707


def test_feed_has_geo_fellows_and_a_reminder_that_can_be_turned_off(
    client: TestClient, fresh: World, database: Database
) -> None:
    """GEO from the commune's coordinates (none without them), the other delegates of the
    meeting in DESCRIPTION, a VALARM one day before; ``?nhac=0`` drops it; ``?nhac=2`` is 422."""
    _place_c1(database)
    published = solve_and_publish(client, fresh)
    url = feed_url(client, fresh)
    events = _events(client, url)
    mine = {a["meeting"] for a in published["assignments"] if a["delegate"] == "d1"}
    names = {a["delegate"]: a["delegate_name"] for a in published["assignments"] if "delegate_name" in a}
    for uid, event in events.items():
        meeting = uid.split(".", 1)[0]
        assert meeting in mine
        commune = next(a["commune"] for a in published["assignments"] if a["meeting"] == meeting)
        if commune == "c1":
            assert (event["GEO"].latitude, event["GEO"].longitude) == (22.4856, 103.9707)
        else:
            assert "GEO" not in event
        others = [a["delegate"] for a in published["assignments"] if a["meeting"] == meeting and a["delegate"] != "d1"]
        description = str(event["DESCRIPTION"])
        if others:
            assert "Cùng dự:" in description
            for other in others:
                if other in names:
                    assert names[other] in description
        else:
            assert "Cùng dự:" not in description
        alarms = event.walk("VALARM")
        assert len(alarms) == 1
        assert alarms[0]["TRIGGER"].dt == -dt.timedelta(days=1)
        assert str(alarms[0]["ACTION"]) == "DISPLAY"
    quiet = client.get(url + "?nhac=0")
    assert quiet.status_code == 200
    assert b"BEGIN:VALARM" not in quiet.content
    assert b"BEGIN:VEVENT" in quiet.content
    bad = client.get(url + "?nhac=2")
    assert bad.status_code == 422
    assert "nhac" in bad.text


def test_feed_answers_head_and_conditional_requests(
    client: TestClient, fresh: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HEAD: the GET's headers, no body; a weak ETag; If-None-Match (weak or strong form,
    or ``*``) and If-Modified-Since at or after Last-Modified → 304; older → 200; a
    new publication changes both."""
    monkeypatch.setattr(clock, "today", lambda: dt.date(2025, 11, 1))  # the commune's move is before the day
    solve_and_publish(client, fresh)
    url = feed_url(client, fresh)
    full = client.get(url)
    tag, modified = full.headers["ETag"], full.headers["Last-Modified"]
    assert tag.startswith('W/"')
    assert modified.endswith(" GMT")
    head = client.head(url)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["ETag"] == tag
    assert head.headers["Last-Modified"] == modified
    assert head.headers["content-type"] == "text/calendar; charset=utf-8"
    assert int(head.headers["content-length"]) == len(full.content)
    assert client.head("/calendar/nothing.ics").status_code == 404
    for match in (tag, tag.removeprefix("W/"), f'"x", {tag}', "*"):
        again = client.get(url, headers={"If-None-Match": match})
        assert again.status_code == 304, match
        assert again.content == b""
        assert again.headers["ETag"] == tag
    assert client.head(url, headers={"If-None-Match": tag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": 'W/"other"'}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    later = "Fri, 01 Jan 2100 00:00:00 GMT"
    assert client.get(url, headers={"If-Modified-Since": later}).status_code == 304
    older = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get(url, headers={"If-Modified-Since": older}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": "not a date"}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
    both = client.get(url, headers={"If-None-Match": 'W/"other"', "If-Modified-Since": later})
    assert both.status_code == 200
    # The reminder's choice is another body: another tag.
    assert client.get(url + "?nhac=0").headers["ETag"] != tag
    # A change request made on a meeting changes the feed ("đang chờ Ban duyệt"): not 304.
    asked = client.patch("/meetings/m1", json={"start": "2025-11-05T08:00"}, headers=fresh.auth("commune"))
    assert asked.status_code == 202, asked.text
    if "m1.d1@phancong.tuyenvan" in _events(client, url):
        assert client.get(url, headers={"If-None-Match": tag}).status_code == 200
        assert _since(client.get(url).headers["Last-Modified"]) >= _since(modified)


def test_fellow_delegates_of_the_meeting_are_in_the_description(
    client: TestClient, fresh: World, database: Database
) -> None:
    """A meeting in force with a second delegate: each one's feed names the other, not itself."""
    from sqlalchemy import select

    from models.storage.tables import AssignmentRow, PublishedMonthRow

    solve_and_publish(client, fresh)
    with database.transaction() as session:
        in_force = session.scalar(select(PublishedMonthRow.schedule_id).where(PublishedMonthRow.month == "2025-11"))
        mine = session.scalars(
            select(AssignmentRow).where(AssignmentRow.schedule_id == in_force, AssignmentRow.delegate_id == "d1")
        ).first()
        assert mine is not None
        taken = set(
            session.scalars(
                select(AssignmentRow.delegate_id).where(
                    AssignmentRow.schedule_id == in_force, AssignmentRow.meeting_id == mine.meeting_id
                )
            )
        )
        other = next(d for d in ("d3", "d4", "d5", "d2") if d not in taken)
        session.add(
            AssignmentRow(
                schedule_id=in_force,
                meeting_id=mine.meeting_id,
                delegate_id=other,
                uid=f"{mine.meeting_id}.{other}@phancong.tuyenvan",
                sequence=0,
                fingerprint=mine.fingerprint,
                stamped_at=mine.stamped_at,
                starts_at=mine.starts_at,
                ends_at=mine.ends_at,
                summary=mine.summary,
                location=mine.location,
                description=mine.description,
            )
        )
        meeting = mine.meeting_id
    names = {"d2": "Trần Thị Thu Hà", "d3": "Lò Văn Sơn", "d4": "Phạm Ngọc Lan", "d5": "Hoàng Minh Đức"}
    description = str(_events(client, feed_url(client, fresh))[f"{meeting}.d1@phancong.tuyenvan"]["DESCRIPTION"])
    assert "Cùng dự: " in description
    assert names[other] in description
    assert "Nguyễn Văn Kiên" not in description


def _unfolded(raw: bytes) -> str:
    """The feed's text with RFC 5545 line folding undone."""
    return raw.decode().replace("\r\n ", "")


def test_location_is_an_address_with_the_district_and_the_province(client: TestClient, fresh: World) -> None:
    """Without a district or a province LOCATION is the commune's name; with them it is
    "Phường Cốc Lếu, thành phố Lào Cai, tỉnh Lào Cai" (its commas escaped as RFC 5545
    TEXT asks), read at each request; what is missing is left out; the kind is written
    in front of a name that lacks it."""
    published = solve_and_publish(client, fresh)
    mine = {a["meeting"]: a["commune"] for a in published["assignments"] if a["delegate"] == "d1"}
    url = planner_feed(client, fresh, "d1")
    planner = fresh.auth("planner")
    meeting, commune = next(iter(sorted(mine.items())))
    uid = f"{meeting}.d1@phancong.tuyenvan"
    name = client.get(f"/communes/{commune}", headers=planner).json()["name"]
    assert str(_events(client, url)[uid]["LOCATION"]) == name
    district = "thành phố Lào Cai"
    patched = client.patch(f"/communes/{commune}", json={"district": f"  {district} "}, headers=planner)
    assert patched.status_code == 200, patched.text
    assert patched.json()["district"] == district
    assert str(_events(client, url)[uid]["LOCATION"]) == f"{name}, {district}"
    settings = client.put("/settings/notice", json={"province": "tỉnh Lào Cai"}, headers=planner)
    assert settings.status_code == 200, settings.text
    raw = client.get(url).content
    address = f"{name}, {district}, tỉnh Lào Cai"
    assert str(_events(client, url)[uid]["LOCATION"]) == address
    assert f"LOCATION:{address.replace(',', chr(92) + ',')}\r\n" in _unfolded(raw)
    assert unicodedata.is_normalized("NFC", _unfolded(raw))
    cleared = client.patch(f"/communes/{commune}", json={"district": None}, headers=planner)
    assert (cleared.status_code, cleared.json()["district"]) == (200, None)
    assert str(_events(client, url)[uid]["LOCATION"]) == f"{name}, tỉnh Lào Cai"
    assert client.put("/settings/notice", json={"province": ""}, headers=planner).status_code == 200
    assert str(_events(client, url)[uid]["LOCATION"]) == name


def test_a_bad_district_or_province_is_refused_naming_the_field(client: TestClient, fresh: World) -> None:
    """Too long, or nothing but spaces once given: 422 naming ``district`` or ``province``;
    nothing is written."""
    planner = fresh.auth("planner")
    for bad in ("x" * 101, "   "):
        refused = client.patch("/communes/c1", json={"district": bad}, headers=planner)
        assert refused.status_code == 422, refused.text
        assert [e["path"] for e in refused.json()["errors"]] == ["$.district"]
        created = client.post("/communes", json={"id": "c70", "name": "Xã Mới", "district": bad}, headers=planner)
        assert created.status_code == 422, created.text
        assert [e["path"] for e in created.json()["errors"]] == ["$.district"]
    assert client.get("/communes/c1", headers=planner).json()["district"] is None
    assert client.get("/communes/c70", headers=planner).status_code == 404
    for bad in ("x" * 201, "  "):
        refused = client.put("/settings/notice", json={"province": bad}, headers=planner)
        assert refused.status_code == 422, refused.text
        assert [e["path"] for e in refused.json()["errors"]] == ["$.province"]
    assert client.get("/settings/notice", headers=planner).json()["province"] == ""


def test_the_api_hands_the_feed_out_as_a_webcal_link_too(client: TestClient, fresh: World) -> None:
    """The same secret address as ``webcal://`` (what an iPhone subscribes to), from the
    delegate's own rotation and the planner's."""
    for response in (
        client.post("/me/calendar-feed", headers=fresh.auth("delegate")),
        client.post("/delegates/d1/calendar-feed", headers=fresh.auth("planner")),
    ):
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["url"].startswith("http://testserver/calendar/")
        assert body["webcal"] == "webcal://" + body["url"].removeprefix("http://")
