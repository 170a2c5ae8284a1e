"""The what-if and after-meeting pages in a real browser (see tests/web/test_browser.py):
a planner makes a scenario, runs it and compares it side by side with the world's one; a
delegate files the report of a past meeting on a phone-sized screen. Screenshots go to
``out/screenshots/`` to be looked at."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.test_browser import DESK, PHONE, _shot, _sign_in, backend, chromium, live

__all__ = ["backend", "chromium", "live"]

pytestmark = pytest.mark.browser


def test_a_planner_compares_two_scenarios_side_by_side(chromium: Any, live: str) -> None:
    context = chromium.new_context(viewport=DESK, locale="vi-VN")
    page = context.new_page()
    _sign_in(page, live, "canbo")
    page.goto(f"{live}/kich-ban?thang=2025-11")
    page.get_by_label("Tên kịch bản").fill("Xã c4 phức tạp")
    page.get_by_label("Thay đổi").select_option("commune_flag")
    page.get_by_label("Xã/phường", exact=True).select_option("c4")
    page.get_by_label("Mức mới").select_option("2")
    page.get_by_label("Lý do").fill("Khiếu kiện đông người")
    _shot(page, "kich-ban-tao")
    with page.expect_navigation():
        page.get_by_role("button", name="Tạo kịch bản").click()
    assert page.get_by_role("heading", name="Kịch bản: Xã c4 phức tạp").is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Chạy kịch bản").click()
    # The page reloads itself every 2 s while the run is queued or running.
    page.get_by_text("Kết quả #").first.wait_for(timeout=60_000)
    _shot(page, "kich-ban-ket-qua")
    page.goto(f"{live}/kich-ban?thang=2025-11")
    for box in page.get_by_label("So sánh").all():
        box.check()
    with page.expect_navigation():
        page.get_by_role("button", name="So sánh các kịch bản đã chọn").click()
    table = page.locator("table.compare")
    assert table.is_visible()
    header = table.locator("thead").inner_text()
    assert "Bí thư nghỉ ốm" in header
    assert "Xã c4 phức tạp" in header
    _shot(page, "kich-ban-so-sanh")
    phone = chromium.new_context(viewport=PHONE, locale="vi-VN").new_page()
    _sign_in(phone, live, "canbo")
    phone.goto(page.url)
    _shot(phone, "kich-ban-so-sanh-360")


def test_a_delegate_files_a_report(chromium: Any, live: str) -> None:
    context = chromium.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    _sign_in(page, live, "kien")
    page.goto(f"{live}/bao-cao")
    _shot(page, "bao-cao-danh-sach")
    with page.expect_navigation():
        page.get_by_role("link", name="Báo cáo hội nghị này").first.click()
    page.get_by_label("Đã dự").check()
    page.get_by_label("Ghi chú").fill("Hội nghị đông đủ, bà con đồng thuận")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu báo cáo").click()
    assert page.get_by_text("Đã lưu báo cáo.").is_visible()
    assert page.get_by_label("Ghi chú").input_value() == "Hội nghị đông đủ, bà con đồng thuận"
    _shot(page, "bao-cao-da-luu")


def test_the_planners_loop_pages_fit_a_phone(chromium: Any, live: str) -> None:
    """Each page at 360 px: nothing wider than the screen but the tables' own scroll box."""
    page = chromium.new_context(viewport=PHONE, locale="vi-VN").new_page()
    _sign_in(page, live, "canbo")
    for path, name in (
        ("/danh-muc?thang=2025-11", "danh-muc-360"),
        ("/xep-hang?thang=2025-11", "xep-hang-360"),
        ("/de-xuat-muc?thang=2025-12", "de-xuat-muc-360"),
        ("/thong-ke?nam=2025", "thong-ke-360"),
        ("/chu-de?nam=2025", "chu-de-360"),
        ("/bao-cao?thang=2025-11", "bao-cao-thang-360"),
    ):
        page.goto(f"{live}{path}")
        assert page.locator("h1").is_visible(), path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
        _shot(page, name)


def test_choosing_nobody_went_unticks_and_disables_the_visits(chromium: Any, live: str) -> None:
    """ "Không dự" with nobody instead: the visit boxes are unticked and disabled (the form never
    sends what the server refuses); "Đã dự" again gives back what was ticked; saved as shown."""
    page = chromium.new_context(viewport=PHONE, locale="vi-VN").new_page()
    _sign_in(page, live, "kien")
    page.goto(f"{live}/bao-cao/m1")
    page.locator("form[data-report][data-ready='1']").wait_for()
    box = page.get_by_label("Tổ tuyên vận tổ dân phố số 1")
    box.check()
    page.get_by_role("radio", name="Không dự").check()
    assert box.is_disabled()
    assert not box.is_checked()
    assert page.get_by_text("Không ai dự hội nghị thì không có lượt dự đột xuất.").is_visible()
    _shot(page, "bao-cao-khong-du")
    page.get_by_label("Đã dự").check()
    assert box.is_enabled()
    assert box.is_checked()
    page.get_by_role("radio", name="Không dự").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu báo cáo").click()
    assert page.get_by_text("Đã lưu báo cáo.").is_visible()
    assert page.get_by_text("không dự, không ai đi thay").is_visible()
