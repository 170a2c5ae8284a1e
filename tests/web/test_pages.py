"""The pages over HTTP (in-process): sign-in, sessions, CSRF, throttling, what each role
sees and may do, escaping, error pages. Every refusal is checked to write nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from api.seed import prepare
from models.storage import clock
from models.storage.db import Database
from models.storage.tables import ChangeRequestRow, CommuneRow, DelegateRow, MeetingRow, UserRow, WebSessionRow
from services import overview, workspace
from services.accounts import FAILURE_LIMIT
from services.errors import Forbidden, NotFound
from tests.api.world import World
from tests.web.conftest import PASSWORD, csrf_of, sign_in
from web.session import COOKIE

Browser = Callable[..., TestClient]


def _meetings(database: Database) -> list[tuple[str, str, str]]:
    with database.reader() as session:
        rows = session.execute(select(MeetingRow.id, MeetingRow.commune_id, MeetingRow.starts_at))
        return sorted((a, b, c.isoformat()) for a, b, c in rows)


def test_pages_need_a_session(world: World, browser_of: Browser) -> None:
    anonymous = browser_of()
    for path in ("/", "/thang/2025-11", "/tai-khoan", "/nguoi-dung"):
        response = anonymous.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/dang-nhap")
    assert (
        anonymous.get("/thang/2025-11", follow_redirects=False).headers["location"] == "/dang-nhap?next=/thang/2025-11"
    )


def test_sign_in_sets_a_strict_cookie_and_goes_home(world: World, browser_of: Browser) -> None:
    browser = browser_of()
    response = sign_in(browser, "canbo")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert f"{COOKIE}=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP, no PHANCONG_SECURE_COOKIES
    home = browser.get("/")
    assert home.status_code == 200
    assert "Các tháng có hội nghị" in home.text
    assert 'href="/thang/2025-11"' in home.text


def test_secure_cookie_over_https_or_when_asked(world: World, app: FastAPI) -> None:
    with TestClient(app, base_url="https://testserver") as https:
        assert "Secure" in sign_in(https, "canbo").headers["set-cookie"]
    app.state.settings = app.state.settings.model_copy(update={"secure_cookies": True})
    with TestClient(app) as plain:
        # Behind a proxy that ends TLS: every cookie this app sets is Secure.
        assert "Secure" in plain.get("/dang-nhap").headers["set-cookie"]


def test_wrong_password_is_said_beside_the_field(world: World, browser_of: Browser) -> None:
    browser = browser_of()
    response = sign_in(browser, "canbo", "sai-mat-khau")
    assert response.status_code == 422
    assert 'id="e-password"' in response.text
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.text
    assert 'value="canbo"' in response.text
    assert COOKIE not in response.headers.get("set-cookie", "")
    unknown = sign_in(browser, "khong-co-ai", "sai-mat-khau")
    assert unknown.status_code == 422
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in unknown.text  # the same words: no hint a name exists


def test_forms_without_their_csrf_token_are_refused(world: World, browser_of: Browser, database: Database) -> None:
    anonymous = browser_of()
    anonymous.get("/dang-nhap")
    refused = anonymous.post("/dang-nhap", data={"username": "canbo", "password": PASSWORD})
    assert refused.status_code == 403
    assert "CSRF" in refused.text
    assert refused.headers["content-type"].startswith("text/html")
    commune = browser_of("coclieu")
    before = _meetings(database)
    for data in ({}, {"csrf": "gia-mao"}):
        body = {**data, "date": "2026-01-12", "time": "08:00", "minutes": "180"}
        assert commune.post("/hoi-nghi", data=body).status_code == 403
    assert _meetings(database) == before
    assert commune.post("/dang-xuat", data={"csrf": "gia-mao"}).status_code == 403
    assert commune.get("/").status_code == 200  # still signed in
    planner = browser_of("canbo")
    assert planner.post("/nguoi-dung", data={"username": "moi", "role": "commune", "commune": "c3"}).status_code == 403
    assert (
        planner.post("/tai-khoan", data={"current": PASSWORD, "new": "x" * 10, "confirm": "x" * 10}).status_code == 403
    )
    assert sign_in(browser_of(), "canbo").status_code == 303  # the password did not change


def test_sign_out_kills_the_session_cookie(world: World, browser_of: Browser, app: FastAPI) -> None:
    browser = browser_of("kien")
    old = browser.cookies[COOKIE]
    page = browser.get("/")
    response = browser.post("/dang-xuat", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/dang-nhap"
    with TestClient(app, cookies={COOKIE: old}) as replay:
        assert replay.get("/", follow_redirects=False).status_code == 303


def test_password_change_kills_every_session(world: World, browser_of: Browser, app: FastAPI) -> None:
    here, elsewhere = browser_of("thuha"), browser_of("thuha")
    old_here, old_elsewhere = here.cookies[COOKIE], elsewhere.cookies[COOKIE]
    form = here.get("/tai-khoan")
    wrong = here.post(
        "/tai-khoan", data={"csrf": csrf_of(form.text), "current": "sai", "new": "ngan", "confirm": "ngan"}
    )
    assert wrong.status_code == 422
    assert 'id="e-current"' in wrong.text
    assert 'id="e-new"' in wrong.text
    new = "mat-khau-moi-2"
    done = here.post("/tai-khoan", data={"csrf": csrf_of(form.text), "current": PASSWORD, "new": new, "confirm": new})
    assert done.status_code == 200
    assert "Đã đổi mật khẩu" in done.text  # this browser goes on, with a new cookie
    assert here.cookies[COOKIE] != old_here
    for old in (old_here, old_elsewhere):
        with TestClient(app, cookies={COOKIE: old}) as replay:
            assert replay.get("/", follow_redirects=False).status_code == 303
    assert sign_in(browser_of(), "thuha").status_code == 422
    assert sign_in(browser_of(), "thuha", new).status_code == 303


def test_repeated_failures_lock_the_name_from_this_address(world: World, browser_of: Browser) -> None:
    browser = browser_of()
    for _ in range(FAILURE_LIMIT - 1):
        assert sign_in(browser, "kien", "sai-mat-khau").status_code == 422
    locked = sign_in(browser, "kien", "sai-mat-khau")
    assert locked.status_code == 429
    assert "thử lại sau 15 phút" in locked.text
    assert int(locked.headers["Retry-After"]) > 800
    again = sign_in(browser, "kien")  # even the right password, while locked
    assert again.status_code == 429
    assert COOKIE not in again.headers.get("set-cookie", "")
    assert sign_in(browser, "thuha").status_code == 303  # another name is not locked


def test_a_script_in_a_name_is_shown_as_text(world: World, browser_of: Browser, database: Database) -> None:
    evil = "<script>alert(1)</script>"
    with database.transaction() as session:
        commune = session.get(CommuneRow, "c1")
        delegate = session.get(DelegateRow, "d1")
        assert commune is not None
        assert delegate is not None
        commune.name = evil
        delegate.name = evil
        for user in session.scalars(select(UserRow).where(UserRow.username.in_(["kien", "coclieu"]))):
            user.name = evil
    pages = [("canbo", "/thang/2025-11"), ("kien", "/"), ("coclieu", "/"), ("coclieu", "/thang/2025-11")]
    for username, path in pages:
        html = browser_of(username).get(path).text
        assert evil not in html, (username, path)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, (username, path)


def test_the_planner_sees_the_whole_month(world: World, browser_of: Browser) -> None:
    html = browser_of("canbo").get("/thang/2025-11").text
    assert "Lịch đang hiệu lực: bản 1" in html
    for meeting_day in ("04/11/2025", "06/11/2025"):
        assert meeting_day in html
    assert re.search(r"\d{4}-\d{2}-\d{2}", html.split("<main")[1]) is None  # no ISO dates shown
    assert "Nguyễn Văn Kiên" in html


def test_a_delegate_sees_only_their_own_meetings(world: World, browser_of: Browser) -> None:
    mine = browser_of("kien").get("/").text
    other = browser_of("thuha").get("/").text
    assert "Lịch dự hội nghị của tôi" in mine
    # The optimum: d1 at m1 and m2 (c1, c2), d2 at m3 (c3) only.
    assert "Cốc Lếu" in mine
    assert "Cốc Lếu" not in other
    assert browser_of("kien").get("/thang/2025-11").status_code == 200


def test_a_delegate_gets_the_calendar_link_and_qr(world: World, browser_of: Browser) -> None:
    browser = browser_of("kien")
    page = browser.get("/")
    assert "<svg" not in page.text
    response = browser.post("/lich/dia-chi", data={"csrf": csrf_of(page.text)})
    assert response.status_code == 200
    assert "<svg" in response.text
    url = re.search(r'href="http://testserver(/calendar/[^"]+\.ics)"', response.text)
    assert url is not None
    feed = browser.get(url.group(1))
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")


def test_a_commune_sees_only_its_own_meetings(world: World, browser_of: Browser) -> None:
    html = browser_of("coclieu").get("/thang/2025-11").text
    own = browser_of("hopthanh").get("/thang/2025-11").text
    assert "Phường Cốc Lếu" in html
    assert "Xã Hợp Thành" not in html
    assert "Phường Cốc Lếu" not in own
    assert "Cờ" not in html  # flags and empty seats are for planners


def test_a_commune_registers_then_moves_its_meeting(
    world: World, browser_of: Browser, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "today", lambda: dt.date(2025, 12, 1))  # January 2026 is still to come
    browser = browser_of("coclieu")
    page = browser.get("/")
    form = {
        "csrf": csrf_of(page.text),
        "date": "2026-01-12",
        "time": "08:00",
        "minutes": "180",
        "theme": "Chuyển đổi số",
    }
    done = browser.post("/hoi-nghi", data=form)
    assert done.status_code == 200
    assert "Đã đăng ký hội nghị ngày 12/01/2026 lúc 08:00" in done.text
    moved = browser.post("/hoi-nghi", data={**form, "date": "2026-01-15"})
    assert "Đã dời hội nghị sang ngày 15/01/2026" in moved.text
    january = [m for m in _meetings(database) if m[0].startswith("202601")]
    assert january == [("202601-c1", "c1", "2026-01-15T01:00:00+00:00")]


def test_the_planners_page_has_the_inbox_and_what_was_sent(world: World, browser_of: Browser) -> None:
    """The planner's home lists the pending requests (the world's move of m1, with its
    reason) and counts the notifications sent, waiting and failed."""
    home = browser_of("canbo").get("/")
    assert home.status_code == 200
    assert "Yêu cầu thay đổi đang chờ Ban duyệt" in home.text
    assert "Trùng lịch tiếp xúc cử tri" in home.text
    assert "Đã gửi: 0 · Đang chờ gửi: 0 · Gửi lỗi: 0" in home.text


def test_a_commune_moving_a_published_meeting_sends_a_request(
    world: World, browser_of: Browser, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a published month the form sends the move to the Board as a request; the meeting
    keeps its published time until approved."""
    monkeypatch.setattr(clock, "today", lambda: dt.date(2025, 11, 1))  # m1 (4 November) is still to come
    with database.transaction() as session:
        session.execute(delete(ChangeRequestRow))  # the world's own pending request on m1
    browser = browser_of("coclieu")
    form = {"csrf": csrf_of(browser.get("/").text), "date": "2025-11-05", "time": "08:00", "minutes": "180"}
    done = browser.post("/hoi-nghi", data={**form, "theme": "", "meeting": "m1"})
    assert done.status_code == 200, done.text
    assert "đang chờ Ban duyệt" in done.text
    assert ("m1", "c1", "2025-11-04T01:00:00+00:00") in _meetings(database)


def test_commune_form_errors_are_beside_their_fields(world: World, browser_of: Browser, database: Database) -> None:
    browser = browser_of("coclieu")
    csrf = csrf_of(browser.get("/").text)
    before = _meetings(database)
    bad = browser.post("/hoi-nghi", data={"csrf": csrf, "date": "31/02/2026", "time": "25:00", "minutes": "5"})
    assert bad.status_code == 422
    for name in ("date", "time", "minutes"):
        assert f'id="e-{name}"' in bad.text
    assert 'value="31/02/2026"' in bad.text  # what was typed stays in the field
    assert _meetings(database) == before


def test_refusals_by_role(world: World, browser_of: Browser, database: Database) -> None:
    before = _meetings(database)
    delegate, commune, planner = browser_of("kien"), browser_of("coclieu"), browser_of("canbo")
    for browser in (delegate, commune):
        refused = browser.get("/nguoi-dung")
        assert refused.status_code == 403
        assert "Không có quyền" in refused.text
    csrf = csrf_of(commune.get("/").text)
    # Another commune's meeting (m2 is c2's): as if it did not exist.
    other = commune.post("/hoi-nghi", data={"csrf": csrf, "date": "2025-11-20", "time": "08:00", "meeting": "m2"})
    assert other.status_code == 404
    assert "Không có hội nghị m2" in other.text
    assert (
        delegate.post("/hoi-nghi", data={"csrf": csrf_of(delegate.get("/").text), "date": "2026-01-12"}).status_code
        == 404
    )
    assert planner.post("/lich/dia-chi", data={"csrf": csrf_of(planner.get("/").text)}).status_code == 404
    assert _meetings(database) == before


def test_error_pages_are_vietnamese_html(world: World, browser_of: Browser) -> None:
    browser = browser_of("canbo")
    missing = browser.get("/khong-co-trang-nay", headers={"accept": "text/html"})
    assert missing.status_code == 404
    assert "Không tìm thấy trang" in missing.text
    assert "Đăng xuất" in missing.text  # the signed-in menu stays
    assert browser.get("/thang/2025-13").status_code == 404
    # The JSON API answers as before.
    api = browser.get("/khong-co-trang-nay")
    assert api.headers["content-type"].startswith("application/json")
    assert api.json()["detail"] == "Không tìm thấy"


def test_bearer_tokens_still_work_and_cookies_do_not_open_the_api(world: World, browser_of: Browser) -> None:
    browser = browser_of("canbo")
    assert browser.get("/me").status_code == 401
    assert browser.get("/me", headers=world.auth("planner")).status_code == 200


def test_planner_creates_an_account_with_a_one_use_link(world: World, browser_of: Browser, app: FastAPI) -> None:
    planner = browser_of("canbo")
    csrf = csrf_of(planner.get("/nguoi-dung").text)
    wrong = planner.post("/nguoi-dung", data={"csrf": csrf, "username": "Sai Tên", "role": "delegate"})
    assert wrong.status_code == 422
    assert 'id="e-username"' in wrong.text
    assert "bắt buộc với vai trò Đại biểu" in wrong.text
    made = planner.post(
        "/nguoi-dung", data={"csrf": csrf, "username": "nguoimoi", "role": "delegate", "delegate": "d3"}
    )
    assert made.status_code == 201
    link = re.search(r'href="http://testserver(/kich-hoat/[^"]+)"', made.text)
    assert link is not None
    assert "<svg" in made.text  # to print or photograph
    newcomer = browser_of()
    form = newcomer.get(link.group(1))
    assert form.status_code == 200
    assert "nguoimoi" in form.text
    short = newcomer.post(link.group(1), data={"csrf": csrf_of(form.text), "new": "ngan", "confirm": "ngan"})
    assert short.status_code == 422
    assert 'id="e-new"' in short.text
    new = "mat-khau-rieng-3"
    done = newcomer.post(link.group(1), data={"csrf": csrf_of(form.text), "new": new, "confirm": new})
    assert done.status_code == 200
    assert "Lịch dự hội nghị của tôi" in done.text
    assert newcomer.get(link.group(1)).status_code == 404  # used once
    assert sign_in(browser_of(), "nguoimoi", new).status_code == 303


def test_serve_gives_admin_a_password_once(database: Database, browser_of: Browser) -> None:
    first = prepare(database, load_sample=False)
    assert first.password is not None
    assert prepare(database, load_sample=False).password is None
    assert sign_in(browser_of(), "admin", first.password).status_code == 303
    with database.reader() as session:
        assert session.scalar(select(WebSessionRow.id)) is not None


def test_an_unexpected_fault_is_a_vietnamese_page(world: World, app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("hỏng")

    monkeypatch.setattr(overview, "month_view", broken)
    monkeypatch.setattr(workspace, "month_view", broken)  # the planner's month is the workspace
    with TestClient(app, raise_server_exceptions=False) as browser:
        assert sign_in(browser, "canbo").status_code == 303
        response = browser.get("/thang/2025-11")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "Lỗi máy chủ" in response.text
    assert "hỏng" not in response.text  # no trace of the fault shown


def test_the_overview_keeps_to_the_matrix(world: World, database: Database) -> None:
    """The filters under the pages: a delegate reads only their own meetings, a commune
    only its own commune's; the other roles are refused."""
    with database.reader() as session:
        by_name = {u.username: u for u in session.scalars(select(UserRow)) if u.username}
        with pytest.raises(Forbidden):
            overview.delegate_meetings(session, by_name["kien"], "d2")
        with pytest.raises(Forbidden):
            overview.delegate_meetings(session, by_name["coclieu"], "d1")
        assert overview.delegate_meetings(session, by_name["canbo"], "d2").delegate == "d2"
        with pytest.raises(Forbidden):
            overview.month_view(session, by_name["kien"], "2025-11")
        own = overview.month_view(session, by_name["coclieu"], "2025-11")
        assert {m.commune for m in own.meetings} == {"c1"}
        assert {m.commune for m in overview.month_view(session, by_name["canbo"], "2025-11").meetings} == {
            "c1",
            "c2",
            "c3",
            "c4",
        }
        with pytest.raises(NotFound):
            overview.commune_meetings(session, by_name["canbo"])


def test_the_planner_narrows_the_month(world: World, browser_of: Browser) -> None:
    """The planner's filters are the workspace's (web/workspace.py): commune, ISO week, agency, tier."""
    planner = browser_of("canbo")
    communes = re.compile(r"<td><strong>(Phường [^<]+|Xã [^<]+)</strong>")

    def shown(query: str) -> list[str]:
        response = planner.get(f"/thang/2025-11{query}")
        assert response.status_code == 200, response.text
        return communes.findall(response.text)

    assert len(shown("")) == 4
    assert shown("?xa=c2") == ["Xã Hợp Thành"]
    assert len(shown("?tuan=2025-W45")) == 4  # 4 and 6 November
    assert shown("?tuan=2025-W46") == []
    assert "Không có hội nghị nào khớp bộ lọc" in planner.get("/thang/2025-11?tuan=2025-W46").text
    assert planner.get("/thang/2025-11?la=1").status_code == 422  # an unknown parameter is said, not ignored


@pytest.mark.parametrize(
    "target", ["//elsewhere.example", "/\t/elsewhere.example", "https://elsewhere.example", "/\\x"]
)
def test_sign_in_never_sends_elsewhere(world: World, browser_of: Browser, target: str) -> None:
    browser = browser_of()
    page = browser.get("/dang-nhap")
    data = {"csrf": csrf_of(page.text), "username": "canbo", "password": PASSWORD, "next": target}
    response = browser.post("/dang-nhap", data=data, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


@pytest.mark.parametrize("path", ["/", "/thang/2025-11", "/danh-muc"])
def test_a_pages_title_ends_with_the_products_name_in_words(world: World, browser_of: Browser, path: str) -> None:
    """The tab says what the page is, then the product's Vietnamese name once (not its
    package's name)."""
    page = browser_of("canbo").get(path)
    title = page.text.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.endswith("Phân công đại biểu")
    assert title.count("Phân công đại biểu") == 1
    assert "phancong" not in title
