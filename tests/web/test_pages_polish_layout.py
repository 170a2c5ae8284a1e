"""Page polish in a real browser (chromium via Playwright, SQLite): on a 390 px phone the
commune reads who is coming without sideways scrolling, the year page does not overflow
the window, and no page asks for a favicon that is not there. Screenshots of the pages
touched, on a phone and on a desk, go to ``out/screenshots/polish-*.png``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.test_browser import _shot, _sign_in, backend, chromium, live

__all__ = ["backend", "chromium", "live"]
pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
NARROW = {"width": 360, "height": 780}
DESK = {"width": 1366, "height": 768}


def _page(chromium: Any, live: str, username: str, viewport: dict[str, int]) -> tuple[Any, Any, list[str]]:
    context = chromium.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    _sign_in(page, live, username)
    return context, page, missing


def _width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.mark.parametrize("viewport", [PHONE, NARROW], ids=["390", "360"])
def test_the_commune_reads_who_is_coming_on_a_phone(chromium: Any, live: str, viewport: dict[str, int]) -> None:
    context, page, missing = _page(chromium, live, "coclieu", viewport)
    page.goto(f"{live}/thang/2025-11")
    table = page.locator("table.month")
    coming = table.get_by_text("Nguyễn Văn Kiên")
    assert coming.is_visible()
    box = coming.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= viewport["width"], box  # on screen, not past the scroll box's edge
    # Said what it is, as the column header said on a desk.
    assert "Đại biểu dự" in page.evaluate(
        "getComputedStyle(document.querySelector('table.month tbody td:last-child'), '::before').content"
    )
    assert _width(page) <= viewport["width"]
    _shot(page, f"polish-xa-thang-{viewport['width']}")
    assert not missing, missing
    context.close()


def test_the_year_does_not_overflow_a_phone(chromium: Any, live: str) -> None:
    context, page, missing = _page(chromium, live, "canbo", PHONE)
    page.goto(f"{live}/nam/2025")
    assert page.locator("table.year-grid").is_visible()
    assert _width(page) <= PHONE["width"]
    # The grid scrolls inside its own box.
    wrap = page.locator(".year-wide")
    assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")
    _shot(page, "polish-nam-390")
    assert not missing, missing
    context.close()


def test_pages_on_a_desk_and_a_phone(chromium: Any, live: str) -> None:
    """The pages this polish touched, at 1366×768 and 390×844, for a person to look at."""
    for viewport, tag in ((DESK, "1366"), (PHONE, "390")):
        context, page, missing = _page(chromium, live, "canbo", viewport)
        for path, name in (
            ("/nam/2025", "nam"),
            ("/danh-muc?thang=2025-11", "danh-muc"),
            ("/kich-ban?thang=2025-11", "kich-ban"),
            ("/xep-hang?thang=2025-11", "xep-hang"),
            ("/thang/2025-11", "thang"),
        ):
            page.goto(f"{live}{path}")
            assert _width(page) <= viewport["width"], path
            _shot(page, f"polish-{name}-{tag}")
        page.goto(f"{live}/bao-cao/m1")
        page.locator("input[name='score_to-chuc']").fill("30")
        page.locator("input[name='score_noi-dung']").fill("abc")
        page.locator("input[name='score_nam-tinh-hinh']").fill("-3")
        with page.expect_navigation():
            page.get_by_role("button", name="Lưu báo cáo").click()
        assert page.locator("#e-score_to-chuc").inner_text().startswith("Cần số từ 0 đến 15")
        assert page.locator("#e-score_noi-dung").is_visible()
        assert page.locator("#e-score_nam-tinh-hinh").is_visible()
        _shot(page, f"polish-bao-cao-loi-{tag}")
        assert not missing, missing
        context.close()
