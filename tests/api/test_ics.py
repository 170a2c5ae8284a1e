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
