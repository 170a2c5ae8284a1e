"""The year's plan: themes per quarter and month; a meeting takes its month's theme unless
it has its own, and the notice, the calendars and the instance show it; a published
version keeps the themes it was published with."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import select

from models.storage import schedules
from models.storage.db import Database
from models.storage.schedules import Plan
from models.storage.tables import UserRow
from tests.api.helpers import feed_url
from tests.api.loop_steps import document, republish
from tests.api.world import OPTIMUM, World

Q4 = "Tuyên truyền kỷ niệm Ngày thành lập Mặt trận Tổ quốc Việt Nam"
NOVEMBER = "Ngày hội Đại đoàn kết toàn dân tộc ở khu dân cư"


def _plan(client: TestClient, world: World) -> dict[str, object]:
    body = {"quarters": {"4": Q4}, "months": {"2025-11": NOVEMBER}}
    response = client.put("/plans/2025", json=body, headers=world.auth("planner"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_each_month_resolves_to_its_own_theme_else_its_quarters(client: TestClient, world: World) -> None:
    """November has its own theme, October and December take the fourth quarter's, March none."""
    _plan(client, world)
    resolved = {
        m["month"]: (m["theme"], m["source"])
        for m in client.get("/plans/2025", headers=world.auth("delegate")).json()["resolved"]
    }
    assert resolved["2025-11"] == (NOVEMBER, "month")
    assert resolved["2025-10"] == resolved["2025-12"] == (Q4, "quarter")
    assert resolved["2025-03"] == (None, None)


def test_a_plan_is_replaced_whole(client: TestClient, world: World) -> None:
    """Putting the plan again without November's theme leaves November on the quarter's."""
    _plan(client, world)
    client.put("/plans/2025", json={"quarters": {"4": Q4}}, headers=world.auth("planner"))
    assert client.get("/plans/2025", headers=world.auth("planner")).json()["months"] == {}


def test_bad_periods_are_named(client: TestClient, world: World) -> None:
    """A fifth quarter and a month of another year: both named, and the plan stays as it was."""
    _plan(client, world)
    body = {"quarters": {"5": "Chủ đề"}, "months": {"2026-01": "Chủ đề khác"}}
    response = client.put("/plans/2025", json=body, headers=world.auth("planner"))
    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]] == ["$.quarters.5", "$.months.2026-01"]
    assert client.get("/plans/2025", headers=world.auth("planner")).json()["months"] == {"2025-11": NOVEMBER}


def test_a_meeting_takes_its_months_theme_unless_it_has_its_own(
    client: TestClient, world: World, database: Database
) -> None:
    """m1 shows November's theme; given its own it keeps it; the solver's instance says the same."""
    _plan(client, world)
    planner = world.auth("planner")
    assert client.get("/meetings/m1", headers=planner).json()["theme"] == NOVEMBER
    assert client.get("/meetings/m9", headers=planner).json()["theme"] == Q4
    client.patch("/meetings/m2", json={"theme": "Phòng chống tín dụng đen"}, headers=planner)
    assert client.get("/meetings/m2", headers=planner).json()["theme"] == "Phòng chống tín dụng đen"
    themes = {m["id"]: m.get("theme") for m in document(database, "2025-11")["meetings"]}
    assert themes == {"m1": NOVEMBER, "m2": "Phòng chống tín dụng đen", "m3": NOVEMBER, "m4": NOVEMBER}


def test_the_notice_and_calendars_show_the_theme(client: TestClient, world: World, database: Database) -> None:
    """Published after the plan was set: the notice's Chủ đề column, the JSON calendar and the feed carry it."""
    _plan(client, world)
    schedule_id = republish(database, "2025-11", OPTIMUM, {})
    book = load_workbook(
        io.BytesIO(client.get(f"/schedules/{schedule_id}/workbook.xlsx", headers=world.auth("planner")).content)
    )
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    column = headers.index("Chủ đề")
    assert {row[column] for row in sheet.iter_rows(min_row=2, values_only=True)} == {NOVEMBER}
    events = client.get("/me/calendar", headers=world.auth("delegate")).json()["events"]
    assert events
    assert all(f"Chủ đề: {NOVEMBER}." in e["description"] for e in events)
    feed = Calendar.from_ical(client.get(feed_url(client, world)).content)
    descriptions = [str(e["description"]) for e in feed.walk("VEVENT")]
    assert descriptions
    assert all(NOVEMBER in d for d in descriptions)


def _themes_in(csv_bytes: bytes) -> dict[str, str]:
    """meeting id → the Chủ đề cell of each row of a schedule CSV."""
    rows = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    meeting, theme = rows[0].index("Mã hội nghị"), rows[0].index("Chủ đề")
    return {row[meeting]: row[theme] for row in rows[1:]}


def _workbook_themes(client: TestClient, world: World, schedule_id: int) -> dict[str, str]:
    response = client.get(f"/schedules/{schedule_id}/workbook.xlsx", headers=world.auth("planner"))
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    headers = [c.value for c in sheet[1]]
    meeting, theme = headers.index("Mã hội nghị"), headers.index("Chủ đề")
    return {row[meeting]: row[theme] for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_a_published_version_prints_the_themes_it_was_published_with(
    client: TestClient, world: World, database: Database
) -> None:
    """After publication the quarter's theme and m2's own theme change: the published
    version's CSV and workbook (and the delegate's calendar) keep the themes as published,
    with m4 (nobody sent: a gap) too; a draft copied from it shows today's."""
    _plan(client, world)
    with database.transaction() as session:
        planner = session.scalar(select(UserRow).where(UserRow.role == "planner").order_by(UserRow.id))
        assert planner is not None
        base = schedules.current(session, "2025-11")
        gap = {"meeting": "m4", "seats": 1, "senior_missing": False, "reason": "Không còn ai rảnh"}
        plan = Plan(pairs=[p for p in OPTIMUM if p[0] != "m4"], gaps=[gap])
        draft = schedules.create_draft(session, "2025-11", plan, base.id if base else None, planner.id)
        schedules.publish(session, draft.id, draft.revision, planner.id)
        published = draft.id
    planner_auth = world.auth("planner")
    client.put("/plans/2025", json={"quarters": {"4": "Chủ đề quý mới"}}, headers=planner_auth)
    client.patch("/meetings/m2", json={"theme": "Chủ đề riêng đặt sau"}, headers=planner_auth)
    assert client.get("/meetings/m2", headers=planner_auth).json()["theme"] == "Chủ đề riêng đặt sau"
    as_published = dict.fromkeys(("m1", "m2", "m3", "m4"), NOVEMBER)
    csv_file = client.get("/months/2025-11/schedule.csv", headers=planner_auth)
    assert csv_file.status_code == 200, csv_file.text
    assert _themes_in(csv_file.content) == as_published
    assert _workbook_themes(client, world, published) == as_published
    events = client.get("/me/calendar", headers=world.auth("delegate")).json()["events"]
    assert all(f"Chủ đề: {NOVEMBER}." in e["description"] for e in events)
    copied = client.post(f"/schedules/{published}/copy", headers=planner_auth)
    assert copied.status_code == 201, copied.text
    today = {"m1": "Chủ đề quý mới", "m2": "Chủ đề riêng đặt sau", "m3": "Chủ đề quý mới", "m4": "Chủ đề quý mới"}
    assert _workbook_themes(client, world, copied.json()["id"]) == today


def test_a_version_published_without_a_theme_prints_none(client: TestClient, world: World) -> None:
    """November was published before the plan had themes: its CSV keeps the Chủ đề cells
    empty, as its calendars say no theme."""
    _plan(client, world)
    csv_file = client.get("/months/2025-11/schedule.csv", headers=world.auth("planner"))
    assert set(_themes_in(csv_file.content).values()) == {""}


def test_a_theme_longer_than_the_contracts_limit_is_refused_naming_it(client: TestClient, world: World) -> None:
    """Review D5: a theme is one line of the notice's "Ghi chú" cell, at most THEME_MAX
    characters; a longer one is a 422 naming the quarter or month, and the plan stays."""
    from models.contract import THEME_MAX

    _plan(client, world)
    planner = world.auth("planner")
    body = {"quarters": {"1": "x" * (THEME_MAX + 1)}, "months": {"2025-02": "y" * 600}}
    response = client.put("/plans/2025", json=body, headers=planner)
    assert response.status_code == 422, response.text
    errors = {e["path"]: e["message"] for e in response.json()["errors"]}
    assert errors == {"$.quarters.1": f"dài quá {THEME_MAX} ký tự", "$.months.2025-02": f"dài quá {THEME_MAX} ký tự"}
    assert client.get("/plans/2025", headers=planner).json()["months"] == {"2025-11": NOVEMBER}
    most = {"quarters": {"1": "x" * THEME_MAX}}
    assert client.put("/plans/2025", json=most, headers=planner).status_code == 200
