"""Page tests: the API tests' app and world, with a user name and password per account.

The password hash is computed once per session (argon2 is slow on purpose) and given to
every account; each account signs in with :data:`PASSWORD`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from models.storage import accounts
from models.storage.db import Database
from models.storage.tables import UserRow
from tests.api.conftest import app, client, settings
from tests.api.world import World, build_world

__all__ = ["app", "client", "settings"]

PASSWORD = "mat-khau-thu-1"
#: The world's accounts by user name: (role key of :class:`World`, display name).
USERNAMES = {
    "planner": "canbo",
    "delegate": "kien",
    "other_delegate": "thuha",
    "commune": "coclieu",
    "other_commune": "hopthanh",
}
NAMES = {
    "Cán bộ Ban Tuyên giáo": "canbo",
    "Nguyễn Văn Kiên": "kien",
    "Trần Thị Thu Hà": "thuha",
    "Phường Cốc Lếu": "coclieu",
    "Xã Hợp Thành": "hopthanh",
}


@pytest.fixture(scope="session")
def password_hash() -> str:
    return accounts.hash_password(PASSWORD)


def give_passwords(database: Database, password_hash: str) -> None:
    with database.transaction() as session:
        for user in session.scalars(select(UserRow)):
            if user.name in NAMES:
                user.username = NAMES[user.name]
                user.password_hash = password_hash


@pytest.fixture
def world(database: Database, tiny_document: dict[str, Any], password_hash: str) -> World:
    """The API tests' world (published November 2025), every account with a password."""
    built = build_world(database, tiny_document)
    give_passwords(database, password_hash)
    return built


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    page = client.get("/dang-nhap")
    assert page.status_code == 200, page.text
    return client.post(
        "/dang-nhap",
        data={"csrf": csrf_of(page.text), "username": username, "password": password, "next": "/"},
        follow_redirects=False,
    )


@pytest.fixture
def browser_of(app: FastAPI) -> Iterator[Any]:
    """``browser_of(username)``: a fresh client (cookie jar) signed in as that account."""
    opened: list[TestClient] = []

    def make(username: str | None = None) -> TestClient:
        browser = TestClient(app)
        opened.append(browser)
        if username is not None:
            response = sign_in(browser, username)
            assert response.status_code == 303, response.text
        return browser

    yield make
    for browser in opened:
        browser.close()
