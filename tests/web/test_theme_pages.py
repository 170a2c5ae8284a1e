"""The year plan's themes on the pages: the delegate's and the commune's pages, and the
planner's list of meetings, show each meeting's theme as it resolves (its own, else its
month's, else its quarter's), a published meeting's as it was published (as the
delegate's calendar has it)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from models.storage.db import Database
from tests.api.loop_steps import republish
from tests.api.world import OPTIMUM, World

Browser = Callable[..., TestClient]

Q4 = "Tuyên truyền Đại hội Đảng các cấp"
NOVEMBER = "Kỷ niệm 80 năm Cách mạng tháng Tám"


def _plan(browser: TestClient, world: World, quarters: dict[str, str], months: dict[str, str]) -> None:
    response = browser.put("/plans/2025", json={"quarters": quarters, "months": months}, headers=world.auth("planner"))
    assert response.status_code == 200, response.text


def _card(theme: str) -> str:
    return f"<dt>Chủ đề</dt><dd>{theme}</dd>"


def test_the_delegates_and_the_communes_pages_show_the_plans_theme(
    world: World, browser_of: Browser, database: Database
) -> None:
    """November published after the plan got its themes: d1's home, month and reports pages
    and c1's page show November's theme; c1's December meeting (m9, not planned yet) the
    fourth quarter's."""
    _plan(browser_of(), world, {"4": Q4}, {"2025-11": NOVEMBER})
    republish(database, "2025-11", OPTIMUM, {})
    kien = browser_of("kien")
    home = kien.get("/").text
    assert _card(NOVEMBER) in home
    assert _card("Chưa có") not in home
    month = kien.get("/thang/2025-11").text
    assert _card(NOVEMBER) in month
    assert _card("Chưa có") not in month
    assert f"— {NOVEMBER}" in kien.get("/bao-cao").text
    commune = browser_of("coclieu").get("/").text
    assert f"Chủ đề: {NOVEMBER}" in commune
    assert f"Chủ đề: {Q4}" in commune
    assert "Chủ đề: Chưa có" not in commune


def test_a_published_meeting_keeps_the_theme_it_was_published_with(
    world: World, browser_of: Browser, database: Database
) -> None:
    """After publication the plan and m1's own theme change: d1's page and c1's page keep
    November's theme for the published meetings, as d1's calendar does; the unplanned
    December meeting follows the plan of today."""
    planner = browser_of()
    _plan(planner, world, {"4": Q4}, {"2025-11": NOVEMBER})
    republish(database, "2025-11", OPTIMUM, {})
    _plan(planner, world, {"4": "Chủ đề quý mới"}, {})
    assert planner.patch("/meetings/m1", json={"theme": "Chủ đề riêng"}, headers=world.auth("planner")).is_success
    events = planner.get("/me/calendar", headers=world.auth("delegate")).json()["events"]
    assert all(f"Chủ đề: {NOVEMBER}." in e["description"] for e in events)
    home = browser_of("kien").get("/").text
    assert _card(NOVEMBER) in home
    assert "Chủ đề riêng" not in home
    commune = browser_of("coclieu").get("/").text
    assert f"Chủ đề: {NOVEMBER}" in commune
    assert "Chủ đề: Chủ đề quý mới" in commune
    assert "Chủ đề riêng" not in commune


def test_the_directory_lists_each_meetings_resolved_theme(world: World, browser_of: Browser) -> None:
    """The planner's list of November's meetings: m2 with its own theme, the others with the month's."""
    planner = browser_of()
    _plan(planner, world, {"4": Q4}, {"2025-11": NOVEMBER})
    assert planner.patch("/meetings/m2", json={"theme": "Chủ đề riêng"}, headers=world.auth("planner")).is_success
    page = browser_of("canbo").get("/danh-muc?thang=2025-11").text
    assert page.count(f"<td>{NOVEMBER}</td>") == 3
    assert page.count("<td>Chủ đề riêng</td>") == 1
