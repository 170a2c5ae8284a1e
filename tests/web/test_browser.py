"""The pages in a real browser: Debian's chromium driven by Playwright, against the app
served by uvicorn on a loopback port (SQLite; the HTTP tests cover PostgreSQL).

Flows: a delegate signs in on a phone-sized screen and sees their meetings and the QR
code of their calendar; a commune registers its meeting; a planner sees the month. Each
page's screenshot is written to ``out/screenshots/`` (ignored by git) to be looked at.

Without /usr/bin/chromium these tests are skipped, except in CI (``CI`` set), where
they fail: there, ``.ci/run`` installs chromium first, so its absence is a fault.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from tests.api.world import World
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
PHONE = {"width": 360, "height": 780}
DESK = {"width": 1280, "height": 900}


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture
def backend() -> str:
    """SQLite only: a browser flow is about the pages, not the database."""
    return "sqlite"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        message = "Debian's chromium is missing (/usr/bin/chromium): apt-get install -y chromium chromium-driver"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        # --no-sandbox: the tests run as root, where chromium's sandbox cannot start.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live(app: FastAPI, world: World) -> Iterator[str]:
    """The app served on a loopback port; its base URL."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    app.state.settings = app.state.settings.model_copy(update={"public_url": base})
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield base
    server.should_exit = True
    thread.join(10)


def _shot(page: Any, name: str, *, may_leave: bool = False) -> None:
    """A full-page screenshot; with ``may_leave`` a page that reloads itself (a job's progress,
    when the job ends) may go while it is taken: the shot is then skipped, not the test failed."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, timeout=5_000 if may_leave else 30_000)
    except PlaywrightTimeout:
        if not may_leave:
            raise


def _sign_in(page: Any, base: str, username: str) -> None:
    """Sign in with the keyboard alone: type, Tab, type, Enter."""
    page.goto(f"{base}/dang-nhap")
    page.get_by_label("Tên đăng nhập").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/dang-nhap" not in page.url, page.content()


def test_delegate_sees_meetings_and_the_qr_code(chromium: Any, live: str) -> None:
    context = chromium.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live}/dang-nhap")
    _shot(page, "dang-nhap")
    _sign_in(page, live, "kien")
    assert page.get_by_role("heading", name="Lịch dự hội nghị của tôi").is_visible()
    meetings = page.locator(".meeting")
    assert meetings.count() == 2  # d1 attends m1 (Cốc Lếu) and m2 (Hợp Thành) in November 2025
    assert "04/11/2025" in meetings.first.inner_text()
    assert page.get_by_text("Phường Cốc Lếu").is_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Lấy địa chỉ đăng ký lịch").click()
    qr = page.locator(".qr svg")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] <= PHONE["width"]
    link = page.locator(".feed a").get_attribute("href")
    assert link is not None
    assert link.startswith(f"{live}/calendar/")
    # Nothing sticks out sideways on a 360 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "dai-bieu")
    context.close()


def test_commune_registers_its_meeting(chromium: Any, live: str) -> None:
    context = chromium.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    _sign_in(page, live, "coclieu")
    assert page.get_by_role("heading", name="Hội nghị tuyên vận — Phường Cốc Lếu").is_visible()
    page.get_by_label("Ngày họp").fill("31/01/2026")
    page.get_by_label("Giờ bắt đầu").fill("08:00")
    page.get_by_label("Thời lượng (phút)").fill("5")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu hội nghị").click()
    assert page.locator("#e-minutes").inner_text() == "Thời lượng là số phút từ 15 đến 720"
    _shot(page, "xa-phuong-loi")
    page.get_by_label("Thời lượng (phút)").fill("180")
    page.get_by_label("Chủ đề (không bắt buộc)").fill("Chuyển đổi số ở cơ sở")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu hội nghị").click()
    assert "Đã đăng ký hội nghị ngày 31/01/2026 lúc 08:00." in page.locator(".ok").inner_text()
    assert page.get_by_text("Chủ đề: Chuyển đổi số ở cơ sở").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "xa-phuong")
    context.close()


def test_planner_sees_the_month(chromium: Any, live: str) -> None:
    context = chromium.new_context(viewport=DESK, locale="vi-VN")
    page = context.new_page()
    _sign_in(page, live, "canbo")
    _shot(page, "can-bo")
    with page.expect_navigation():
        page.get_by_role("link", name="Tháng 11/2025").click()
    assert page.url == f"{live}/thang/2025-11"
    rows = page.locator("table.month tbody tr.meeting")  # the workspace: day rows between meetings
    assert rows.count() == 4
    assert "Lịch đang hiệu lực: bản 1" in page.locator(".status").inner_text()
    assert "04/11/2025" in rows.first.inner_text()
    _shot(page, "thang")
    page.goto(f"{live}/nguoi-dung")
    _shot(page, "nguoi-dung")
    page.goto(f"{live}/khong-co")
    assert page.get_by_role("heading", name="Không tìm thấy trang").is_visible()
    _shot(page, "loi-404")
    context.close()


def test_planner_creates_an_account_whose_link_signs_in(chromium: Any, live: str) -> None:
    context = chromium.new_context(viewport=DESK, locale="vi-VN")
    page = context.new_page()
    _sign_in(page, live, "canbo")
    page.goto(f"{live}/nguoi-dung")
    page.get_by_label("Tên đăng nhập", exact=True).fill("lovanson")
    page.get_by_label("Vai trò", exact=True).select_option("delegate")
    page.get_by_label("Đại biểu (với vai trò Đại biểu)").select_option("d3")
    with page.expect_navigation():
        page.get_by_role("button", name="Tạo tài khoản và liên kết đăng nhập").click()
    link = page.locator(".feed a").get_attribute("href")
    assert link is not None
    assert link.startswith(f"{live}/kich-hoat/")
    assert page.locator(".qr svg").is_visible()
    _shot(page, "nguoi-dung-lien-ket")
    context.close()
    phone = chromium.new_context(viewport=PHONE, locale="vi-VN")
    page = phone.new_page()
    page.goto(link)
    assert "lovanson" in page.locator("main").inner_text()
    page.get_by_label("Mật khẩu mới", exact=True).fill("mat-khau-rieng-9")
    page.get_by_label("Nhập lại mật khẩu mới").fill("mat-khau-rieng-9")
    _shot(page, "kich-hoat")
    with page.expect_navigation():
        page.get_by_role("button", name="Đặt mật khẩu và đăng nhập").click()
    assert page.get_by_role("heading", name="Lịch dự hội nghị của tôi").is_visible()
    assert "Lò Văn Sơn" in page.locator("main").inner_text()
    phone.close()


def test_planner_sets_a_communes_district_with_the_error_beside_it(chromium: Any, live: str) -> None:
    """The commune's form in the directory: a district too long is said beside the field,
    a good one is saved and shown beside the name; the page fits a phone."""
    context = chromium.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    _sign_in(page, live, "canbo")
    page.goto(f"{live}/danh-muc")
    item = page.locator("#xa-c1")
    item.get_by_text("Sửa tên, loại, huyện").click()
    item.get_by_label("Huyện, thị xã, thành phố thuộc tỉnh").fill("huyện " + "x" * 100)
    with page.expect_navigation():
        item.get_by_role("button", name="Lưu").click()
    assert page.locator("#e-cdistrict-c1").inner_text() == "dài quá 100 ký tự"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "danh-muc-xa-loi")
    item = page.locator("#xa-c1")
    item.get_by_label("Huyện, thị xã, thành phố thuộc tỉnh").fill("thành phố Lào Cai")
    with page.expect_navigation():
        item.get_by_role("button", name="Lưu").click()
    assert "Đã lưu thông tin xã/phường" in page.locator(".ok").inner_text()
    assert "Phường Cốc Lếu, thành phố Lào Cai" in page.locator("#xa-c1").inner_text()
    context.close()
