"""The inbox in a real browser (SQLite): a planner ticks the world's pending request,
approves it, follows the re-plan to its changes; the notifications page; screenshots to
``out/screenshots/``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.test_browser import DESK, _shot, _sign_in, backend, chromium, live

__all__ = ["backend", "chromium", "live"]
pytestmark = pytest.mark.browser


def test_planner_approves_from_the_inbox(chromium: Any, live: str) -> None:
    context = chromium.new_context(viewport=DESK, locale="vi-VN")
    page = context.new_page()
    _sign_in(page, live, "canbo")
    with page.expect_navigation():
        page.get_by_role("link", name="Mở hộp yêu cầu để duyệt hoặc không duyệt").click()
    assert page.get_by_role("heading", name="Yêu cầu thay đổi chờ Ban duyệt").is_visible()
    _shot(page, "yeu-cau")
    page.get_by_role("button", name="Không duyệt").click()  # empty reason: said beside the field
    page.wait_for_selector(".error")
    assert "Cần ghi lý do" in page.locator("#e-reason-1").inner_text()
    _shot(page, "yeu-cau-loi")
    page.get_by_label("Chọn yêu cầu số 1").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Duyệt các yêu cầu đã chọn").click()
    assert "/yeu-cau/lap-lai/" in page.url
    for _ in range(60):
        if page.get_by_text("Các hội nghị thay đổi").count():
            break
        page.wait_for_timeout(500)
        page.reload()
    assert page.get_by_text("Các hội nghị thay đổi").is_visible()
    _shot(page, "yeu-cau-lap-lai")
    page.goto(f"{live}/thong-bao")
    _shot(page, "thong-bao")
    context.close()
