"""Accounts after the black-box review: no planner takes over another (the first ``admin``
too), the change of password is throttled like the sign-in, trivial passwords are refused
everywhere one is set, a locked account gets no link, the sign-in brings the user back
to where they were, and the CSRF refusal says what happened."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from models.storage import users
from models.storage.db import Database
from models.storage.tables import ActivationRow, UserRow
from services import accounts
from services.accounts import FAILURE_LIMIT, password_problem
from tests.api.world import World
from tests.web.conftest import PASSWORD, csrf_of, sign_in
from web.session import COOKIE

Browser = Callable[..., TestClient]


def _ids(database: Database) -> dict[str, int]:
    with database.reader() as session:
        return {u.username: u.id for u in session.scalars(select(UserRow)) if u.username}


def _activations(database: Database) -> int:
    with database.reader() as session:
        return session.scalar(select(func.count()).select_from(ActivationRow)) or 0


def _hash(database: Database, username: str) -> str | None:
    with database.reader() as session:
        return session.scalar(select(UserRow.password_hash).where(UserRow.username == username))


@pytest.fixture
def plan2(world: World, database: Database, password_hash: str) -> str:
    """A second planner (the world's "Cán bộ khác") with a sign-in name, a password and a
    token: ``canbo`` plays the first administrator. Returns plan2's API token."""
    with database.transaction() as session:
        other = session.scalar(select(UserRow).where(UserRow.name == "Cán bộ khác"))
        assert other is not None
        other.username = "plan2"
        other.password_hash = password_hash
        return users.rotate_token(session, other)


# -- 1. no planner resets another planner ---------------------------------------------


def test_a_planner_gets_no_reset_link_for_another_planner(plan2: str, browser_of: Browser, database: Database) -> None:
    ids = _ids(database)
    admin = browser_of("canbo")
    thief = browser_of("plan2")
    page = thief.get("/nguoi-dung")
    assert page.status_code == 200
    assert f'action="/nguoi-dung/{ids["kien"]}/kich-hoat"' in page.text  # a delegate: yes
    for planner in ("canbo", "plan2"):
        assert f'action="/nguoi-dung/{ids[planner]}/kich-hoat"' not in page.text, planner
    assert "phancong user password" in page.text
    before = _activations(database)
    refused = thief.post(f"/nguoi-dung/{ids['canbo']}/kich-hoat", data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "Không được cấp liên kết đặt lại mật khẩu cho tài khoản cán bộ Ban Tuyên giáo khác" in refused.text
    own = thief.post(f"/nguoi-dung/{ids['plan2']}/kich-hoat", data={"csrf": csrf_of(page.text)})
    assert own.status_code == 403  # one's own password is changed at /tai-khoan, with the current one
    assert _activations(database) == before
    assert admin.get("/").status_code == 200  # the administrator is still signed in
    made = thief.post(f"/nguoi-dung/{ids['kien']}/kich-hoat", data={"csrf": csrf_of(page.text)})
    assert made.status_code == 200
    assert "/kich-hoat/" in made.text


def test_a_planner_makes_no_planner_account_on_the_page(plan2: str, browser_of: Browser, database: Database) -> None:
    browser = browser_of("plan2")
    csrf = csrf_of(browser.get("/nguoi-dung").text)
    refused = browser.post("/nguoi-dung", data={"csrf": csrf, "username": "canbo3", "role": "planner"})
    assert refused.status_code == 403
    assert "cán bộ Ban Tuyên giáo chỉ tạo tài khoản đại biểu hoặc xã/phường" in refused.text  # beside the role
    assert "canbo3" not in _ids(database)


def test_a_planner_takes_no_token_of_another_planner(
    plan2: str, world: World, client: TestClient, database: Database
) -> None:
    ids = _ids(database)
    thief = {"Authorization": f"Bearer {plan2}"}
    refused = client.post(f"/users/{ids['canbo']}/token", headers=thief)
    assert refused.status_code == 403
    assert set(refused.json()) == {"detail", "errors"}
    assert "tài khoản cán bộ Ban Tuyên giáo khác" in refused.json()["detail"]
    assert client.get("/me", headers=world.auth("planner")).status_code == 200  # canbo's token still works
    assert client.post(f"/users/{ids['kien']}/token", headers=thief).status_code == 201
    assert client.post(f"/users/{ids['plan2']}/token", headers=thief).status_code == 201  # one's own, as /me/token


def test_a_planner_locks_no_planner_account(plan2: str, world: World, client: TestClient, database: Database) -> None:
    """Locking shuts an account out (its tokens revoked): a planner may do it to a delegate
    or a commune, not to another planner (the administrator's), nor to himself; locking
    twice changes nothing."""
    ids = _ids(database)
    thief = {"Authorization": f"Bearer {plan2}"}
    refused = client.delete(f"/users/{ids['canbo']}", headers=thief)
    assert refused.status_code == 403
    assert "Không được khóa tài khoản cán bộ Ban Tuyên giáo khác" in refused.json()["detail"]
    assert client.get("/me", headers=world.auth("planner")).status_code == 200  # canbo still works
    own = client.delete(f"/users/{ids['plan2']}", headers=thief)
    assert own.status_code == 409
    assert own.json()["errors"][0]["path"] == "user"
    assert client.delete("/users/999999", headers=thief).status_code == 404
    kien = client.post(f"/users/{ids['kien']}/token", headers=thief).json()["token"]
    locked = client.delete(f"/users/{ids['kien']}", headers=thief)
    assert (locked.status_code, locked.json()["active"]) == (200, False)
    assert client.get("/me", headers={"Authorization": f"Bearer {kien}"}).status_code == 401
    again = client.delete(f"/users/{ids['kien']}", headers=thief)
    assert (again.status_code, again.json()["active"]) == (200, False)
    with database.reader() as session:
        planners = session.scalars(select(UserRow).where(UserRow.role == "planner"))
        assert all(p.active for p in planners)


# -- 8. no link for a locked account -------------------------------------------------------


def test_a_locked_account_gets_no_link_nor_token(
    world: World, browser_of: Browser, client: TestClient, database: Database
) -> None:
    ids = _ids(database)
    with database.transaction() as session:
        kien = session.get(UserRow, ids["kien"])
        assert kien is not None
        kien.active = False
    planner = browser_of("canbo")
    before = _activations(database)
    refused = planner.post(f"/nguoi-dung/{ids['kien']}/kich-hoat", data={"csrf": csrf_of(planner.get("/").text)})
    assert refused.status_code == 409
    assert "Tài khoản kien đã bị khóa" in refused.text
    assert _activations(database) == before
    api = client.post(f"/users/{ids['kien']}/token", headers=world.auth("planner"))
    assert api.status_code == 409
    assert "đã bị khóa" in api.json()["detail"]


# -- 2. the change of password is throttled ------------------------------------------------


def test_wrong_current_passwords_lock_the_change_form(world: World, browser_of: Browser, database: Database) -> None:
    browser = browser_of("thuha")
    csrf = csrf_of(browser.get("/tai-khoan").text)
    new = "mat-khau-moi-7"

    def change(current: str) -> object:
        return browser.post("/tai-khoan", data={"csrf": csrf, "current": current, "new": new, "confirm": new})

    before = _hash(database, "thuha")
    for _ in range(FAILURE_LIMIT - 1):
        assert change("sai-mat-khau").status_code == 422  # type: ignore[attr-defined]
    locked = change("sai-mat-khau")
    assert locked.status_code == 429  # type: ignore[attr-defined]
    assert "thử lại sau 15 phút" in locked.text  # type: ignore[attr-defined]
    assert 'id="e-current"' in locked.text  # type: ignore[attr-defined]
    assert int(locked.headers["Retry-After"]) > 800  # type: ignore[attr-defined]
    right = change(PASSWORD)  # even the right one, while locked
    assert right.status_code == 429  # type: ignore[attr-defined]
    assert _hash(database, "thuha") == before
    assert sign_in(browser_of(), "thuha").status_code == 429  # the sign-in's own lock: one count


# -- 3. trivial passwords ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("kien2024!", "không được chứa tên đăng nhập"),
        ("KIEN-mat-khau", "không được chứa tên đăng nhập"),
        ("aaaaaaaaaa", "không được chỉ lặp lại một ký tự"),
        ("12345678", "không được chỉ có chữ số"),
        ("0912345678", "không được chỉ có chữ số"),
        ("Password1", "quá phổ biến"),
        ("matkhau123", "quá phổ biến"),
    ],
)
def test_trivial_passwords_are_refused(password: str, why: str) -> None:
    problem = password_problem(password, "kien")
    assert problem is not None
    assert why in problem


def test_a_fair_password_passes() -> None:
    assert password_problem(PASSWORD, "kien") is None
    assert password_problem("Hội-nghị tuyên vận 2024", "kien") is None


def test_every_form_that_sets_a_password_refuses_a_trivial_one(
    world: World, browser_of: Browser, database: Database
) -> None:
    browser = browser_of("kien")
    csrf = csrf_of(browser.get("/tai-khoan").text)
    for weak in ("12345678", "kien-2024-moi", "password"):
        refused = browser.post("/tai-khoan", data={"csrf": csrf, "current": PASSWORD, "new": weak, "confirm": weak})
        assert refused.status_code == 422, weak
        assert 'id="e-new"' in refused.text
    planner = browser_of("canbo")
    made = planner.post(
        "/nguoi-dung",
        data={
            "csrf": csrf_of(planner.get("/nguoi-dung").text),
            "username": "lovanson",
            "role": "delegate",
            "delegate": "d3",
        },
    )
    link = re.search(r'href="http://testserver(/kich-hoat/[^"]+)"', made.text)
    assert link is not None
    newcomer = browser_of()
    form = newcomer.get(link.group(1))
    refused = newcomer.post(link.group(1), data={"csrf": csrf_of(form.text), "new": "11111111", "confirm": "11111111"})
    assert refused.status_code == 422
    assert "không được chỉ lặp lại một ký tự" in refused.text
    with database.reader() as session:
        user = accounts.get_by_username(session, "lovanson")
        assert user.password_hash is None


# -- 6. back to where one was -----------------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["/thang/2025-11?tuan=2025-W45", "/xep-hang?thang=2025-11", "/kich-ban/so-sanh?id=1&id=2"]
)
def test_the_sign_in_keeps_the_query(world: World, browser_of: Browser, target: str) -> None:
    browser = browser_of()
    response = browser.get(target, follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/dang-nhap?next=/")
    page = browser.get(location)
    assert page.status_code == 200
    signed = browser.post(
        "/dang-nhap",
        data={"csrf": csrf_of(page.text), "username": "canbo", "password": PASSWORD, "next": _next_field(page.text)},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == target


def _next_field(html: str) -> str:
    found = re.search(r'name="next" value="([^"]*)"', html)
    assert found is not None
    return found.group(1).replace("&amp;", "&")


def test_a_form_from_an_ended_session_comes_back_to_its_page(world: World, browser_of: Browser) -> None:
    browser = browser_of()
    form = {"csrf": "x", "date": "2026-01-12", "time": "08:00"}
    same_site = browser.post(
        "/hoi-nghi",
        data=form,
        headers={"referer": "http://testserver/thang/2025-11?tuan=2025-W45"},
        follow_redirects=False,
    )
    assert same_site.status_code == 303
    assert same_site.headers["location"] == "/dang-nhap?next=/thang/2025-11%3Ftuan%3D2025-W45"
    for headers in ({"referer": "http://elsewhere.example/thang/2025-11"}, {}):
        response = browser.post("/hoi-nghi", data=form, headers=headers, follow_redirects=False)
        assert response.headers["location"] == "/dang-nhap", headers  # never the form's own address (405)


# -- 7. the CSRF refusal's headline --------------------------------------------------------------


def test_a_refused_form_says_it_expired(world: World, browser_of: Browser) -> None:
    browser = browser_of("kien")
    refused = browser.post(
        "/tai-khoan", data={"current": PASSWORD, "new": "mat-khau-moi-8", "confirm": "mat-khau-moi-8"}
    )
    assert refused.status_code == 403
    assert "<h1>Biểu mẫu đã hết hạn</h1>" in refused.text
    assert "Không có quyền xem trang này" not in refused.text
    assert "CSRF" in refused.text
    assert COOKIE in browser.cookies  # still signed in
