"""The planner's year in a real browser (chromium via Playwright, SQLite): open the year,
plan November and December jointly from its form, follow the progress, open each month's
draft from the result and see the grid. Screenshots go to ``out/screenshots/``."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.test_browser import DESK, PHONE, _shot, _sign_in, backend, chromium, live

__all__ = ["backend", "chromium", "live"]
pytestmark = pytest.mark.browser


def test_planner_plans_a_range_from_the_year_and_sees_the_grid(chromium: Any, live: str) -> None:
    context = chromium.new_context(viewport=DESK, locale="vi-VN")
    page = context.new_page()
    _sign_in(page, live, "canbo")
    with page.expect_navigation():
        page.get_by_role("link", name="năm 2025").click()
    assert page.url.endswith("/nam/2025"), page.url
    grid = page.locator("table.year-grid")
    assert "Chưa lập lịch" in grid.inner_text()  # December, before the range is planned

    # A bad range is said beside its field.
    page.get_by_label("Từ tháng").fill("11/2025")
    page.get_by_label("Đến tháng").fill("10/2025")
    with page.expect_navigation():
        page.get_by_role("button", name="Lập lịch các tháng").click()
    assert "ở trước tháng đầu" in page.locator("#e-den").inner_text()

    page.get_by_label("Đến tháng").fill("12/2025")
    page.get_by_label("Thời gian giải mỗi tháng (giây)").fill("3")
    with page.expect_navigation():
        page.get_by_role("button", name="Lập lịch các tháng").click()
    assert re.search(r"/nam/2025/lap-lich/\w+$", page.url), page.url
    page.locator("progress#thanh-tien-do").wait_for(state="attached")
    assert re.search(r"Đang lập cùng lúc 2 tháng|Đã lập|Đang chờ", page.locator("#tien-do").inner_text())
    _shot(page, "nam-lap-lich-tien-do", may_leave=True)
    page.get_by_role("heading", name="Bản nháp từng tháng").wait_for(timeout=30_000)  # reloaded at the end
    drafts = page.locator("ul.months a")
    assert drafts.count() == 2
    assert "Tháng 11/2025" in drafts.nth(0).inner_text()
    assert "Tháng 12/2025" in drafts.nth(1).inner_text()
    _shot(page, "nam-lap-lich-ket-qua")

    with page.expect_navigation():
        page.get_by_role("link", name="Xem lịch cả năm 2025").click()
    grid = page.locator("table.year-grid")
    header = grid.locator("thead").inner_text()
    assert "Bản nháp" in header  # December's new draft, marked as such
    assert "Đã công bố bản 1" in header
    assert page.locator("svg.year-chart").count() == 1
    _shot(page, "nam-luoi")
    context.close()


def test_on_a_phone_the_commune_column_stays_while_the_grid_scrolls(chromium: Any, live: str) -> None:
    """At 360 px the year's grid scrolls sideways in its box; the commune's name (and the
    delegate's, in the loads) stays at the box's left edge, over an opaque background."""
    context = chromium.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    _sign_in(page, live, "canbo")
    page.goto(f"{live}/nam/2025")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # only the boxes scroll
    for table in ("year-grid", "year-load"):
        box = page.locator(f".table-wrap:has(table.{table})")
        name = page.locator(f"table.{table} tbody th").first
        left = box.bounding_box()["x"]
        box.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
        assert box.evaluate("el => el.scrollLeft") > 100, table  # it did scroll
        assert abs(name.bounding_box()["x"] - left) <= 2, table
        assert name.evaluate("el => getComputedStyle(el).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    page.locator(".year-wide").evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    page.locator(".year-wide").scroll_into_view_if_needed()
    _shot(page, "nam-dien-thoai-cot-dinh")
    context.close()
