"""The planner's workspace in a real browser (chromium via Playwright, SQLite): sign in,
generate the month with its live progress bar, try a change the rules refuse (the rule
and its fact are shown), make one they accept (the score change is shown before saving),
publish with the confirmation. Screenshots go to ``out/screenshots/`` to be looked at."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.api.world import World
from tests.web.test_browser import DESK, PHONE, _shot, _sign_in, backend, chromium, live

__all__ = ["backend", "chromium", "live"]
pytestmark = pytest.mark.browser
MONTH = "2025-11"


def test_planner_generates_edits_and_publishes(chromium: Any, live: str) -> None:
    context = chromium.new_context(viewport=DESK, locale="vi-VN")
    page = context.new_page()
    _sign_in(page, live, "canbo")
    page.goto(f"{live}/thang/{MONTH}")
    _shot(page, "ban-lam-viec-thang")

    # Generate: a short solve of the tiny month, followed by its progress bar.
    page.get_by_label("Thời gian giải tối đa (giây)").fill("2")
    with page.expect_navigation():
        page.get_by_role("button", name="Lập lịch").click()
    assert re.search(r"/thang/2025-11/lap-lich/\w+$", page.url), page.url
    page.locator("progress#thanh-tien-do").wait_for(state="attached")
    _shot(page, "lap-lich-tien-do", may_leave=True)
    page.get_by_role("heading", name="Kết quả").wait_for(timeout=20_000)  # the script reloads at the end
    verdict = page.locator(".ws-verdict").inner_text()
    assert "tối ưu" in verdict
    assert "Chênh lệch số buổi giữa đại biểu" in page.locator("main").inner_text()
    _shot(page, "lap-lich-ket-qua")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"Xem bản nháp \d+")).click()
    assert "Đang xem: bản nháp 3" in page.locator(".status").inner_text()

    # One seat: a refused change shows its rule and fact; an accepted one its score change.
    with page.expect_navigation():
        page.locator('a[href*="/hoi-nghi/m3"]').click()
    replace = page.get_by_role("link", name="Thay người này")
    if replace.count():
        with page.expect_navigation():
            replace.first.click()
    blocked = page.locator("tr.blocked").first
    reason = blocked.locator(".blocker").first.inner_text()
    assert re.match(r"H[1-7] ", reason), reason
    with page.expect_navigation():
        blocked.get_by_role("button", name=re.compile("^Chọn")).click()
    refusal = page.locator("#e-form").inner_text()
    assert refusal.startswith("Không thực hiện được"), refusal
    assert re.search(r"H[1-7]", refusal), refusal
    _shot(page, "doi-nguoi-bi-tu-choi")
    with page.expect_navigation():
        page.locator("tr.allowed").first.get_by_role("button", name=re.compile("^Chọn")).click()
    preview = page.locator(".ws-preview").inner_text()
    assert "điểm" in preview, preview
    assert "→" in preview, preview
    _shot(page, "doi-nguoi-xem-truoc")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu thay đổi").click()
    assert "Đã lưu: điểm" in page.locator(".ok").inner_text()

    # Publish, after the confirmation.
    page.goto(f"{live}/thang/{MONTH}")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"Công bố bản nháp \d+")).click()
    _shot(page, "cong-bo-xac-nhan")
    page.get_by_label(re.compile("Tôi đã xem lại")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Công bố", exact=True).click()
    assert "Đã công bố bản lịch" in page.locator(".ok").inner_text()
    assert "Lịch đang hiệu lực: bản 3" in page.locator(".status").inner_text()
    _shot(page, "cong-bo-xong")
    for path, name in (("ban?truoc=1&sau=3", "cac-ban-lich"), ("can-bang", "can-bang"), ("do-vung", "do-vung")):
        page.goto(f"{live}/thang/{MONTH}/{path}")
        assert page.locator("h1").count() == 1
        _shot(page, name)
    context.close()


def test_the_progress_bar_follows_the_job_events(chromium: Any, live: str, world: World) -> None:
    """A job that has not finished (December's, queued in the world): the script opens the
    page's event stream and shows the job's state, with no policy refusing it."""
    context = chromium.new_context(viewport=DESK, locale="vi-VN")
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security" in message.text else None)
    page.on("response", lambda r: refused.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
    _sign_in(page, live, "canbo")
    page.goto(f"{live}/thang/2025-12/lap-lich/{world.ids['queued_job']}")
    page.locator('#tien-do[data-live="1"]').wait_for(state="attached", timeout=10_000)
    assert page.locator('[data-k="status_label"]').inner_text() == "đang chờ"
    assert page.get_by_role("button", name=re.compile("^Dừng")).is_visible()
    assert refused == []
    _shot(page, "lap-lich-dang-cho")
    context.close()


def test_the_workspace_reads_on_a_phone(chromium: Any, live: str) -> None:
    context = chromium.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    _sign_in(page, live, "canbo")
    for path, name in (("", "ban-lam-viec-dien-thoai"), ("/hoi-nghi/m4?ban=2", "doi-nguoi-dien-thoai")):
        page.goto(f"{live}/thang/{MONTH}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        _shot(page, name)
    page.goto(f"{live}/thang/{MONTH}/can-bang")
    _shot(page, "can-bang-dien-thoai")
    context.close()
