"""A month field in a real browser (see tests/web/test_browser.py): the planner types the
month as Vietnamese writes it, 11/2025, and gets it; a slip (13/2025) stays in the box
with its message beside it, on a desk and on a phone. Screenshots in ``out/screenshots/``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.test_browser import DESK, PHONE, _shot, _sign_in, backend, chromium, live

__all__ = ["backend", "chromium", "live"]

pytestmark = pytest.mark.browser


def test_a_month_field_takes_mm_yyyy_and_says_a_slip_beside_it(chromium: Any, live: str) -> None:
    for viewport, name in ((DESK, "thang-sai-xep-hang"), (PHONE, "thang-sai-xep-hang-360")):
        page = chromium.new_context(viewport=viewport, locale="vi-VN").new_page()
        _sign_in(page, live, "canbo")
        page.goto(f"{live}/xep-hang")
        field = page.get_by_label("Tháng")
        assert field.get_attribute("placeholder") == "tháng/năm, ví dụ 12/2026"
        field.fill("11/2025")
        with page.expect_navigation():
            page.get_by_role("button", name="Xem").click()
        assert page.get_by_role("heading", name="Xếp loại Ban tuyên vận tháng 11/2025").is_visible()
        assert page.get_by_label("Tháng").input_value() == "11/2025"
        page.get_by_label("Tháng").fill("13/2025")
        with page.expect_navigation():
            page.get_by_role("button", name="Xem").click()
        error = page.locator("#e-thang")
        assert error.is_visible()
        assert error.inner_text() == "Tháng không đúng: “13/2025”; nhập tháng/năm, ví dụ 12/2026"
        assert page.get_by_label("Tháng").input_value() == "13/2025"
        assert page.get_by_label("Tháng").get_attribute("aria-invalid") == "true"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], width
        _shot(page, name)
        page.context.close()
