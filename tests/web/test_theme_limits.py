"""The year plan's page refuses a theme longer than the contract allows (review D5):
the message names the quarter or month beside its group, nothing is written; the service
(which the page calls without the API's schema) is the check."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from models.contract import THEME_MAX, theme_refused
from models.storage.db import Database
from models.storage.tables import PlanThemeRow, UserRow
from services import themes
from services.errors import Invalid
from tests.api.world import World
from tests.web.conftest import csrf_of

Browser = Callable[..., TestClient]


def _stored(database: Database) -> dict[str, str]:
    with database.reader() as session:
        return {row.period: row.theme for row in session.scalars(select(PlanThemeRow))}


def test_the_page_refuses_a_theme_of_600_characters(world: World, browser_of: Browser, database: Database) -> None:
    planner = browser_of("canbo")
    page = planner.get("/chu-de?nam=2026")
    before = _stored(database)
    form = {"csrf": csrf_of(page.text), "q1": "Chuyển đổi số", "q2": "x" * 600, "m3": "y" * (THEME_MAX + 1)}
    refused = planner.post("/chu-de/2026", data=form, follow_redirects=False)
    assert refused.status_code == 422, refused.text
    assert f'id="e-quarters" role="alert">Chủ đề quý 2: dài quá {THEME_MAX} ký tự' in refused.text
    assert f'id="e-months" role="alert">Chủ đề tháng 03/2026: dài quá {THEME_MAX} ký tự' in refused.text
    assert _stored(database) == before
    done = planner.post("/chu-de/2026", data={**form, "q2": "x" * THEME_MAX, "m3": ""}, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert _stored(database)["2026-Q2"] == "x" * THEME_MAX


def test_the_service_checks_what_the_page_sends(world: World, database: Database) -> None:
    """Characters the API's schema refuses are refused by the service too."""
    with database.writer() as session:
        user = session.scalars(select(UserRow).where(UserRow.role == "planner")).first()
        assert user is not None
        with pytest.raises(Invalid) as caught:
            themes.set_year_plan(session, user, 2026, {"1": "Tết\x01"}, {"2026-02": "z" * (THEME_MAX + 1)})
    assert [(i.path, i.message) for i in caught.value.issues] == [
        ("$.quarters.1", "Chủ đề quý 1: có ký tự điều khiển U+0001 không được phép"),
        ("$.months.2026-02", f"Chủ đề tháng 02/2026: dài quá {THEME_MAX} ký tự"),
    ]


@pytest.mark.parametrize(
    ("text", "said"),
    [("Chuyển đổi số", None), ("x" * THEME_MAX, None), ("x" * (THEME_MAX + 1), f"dài quá {THEME_MAX} ký tự")],
)
def test_the_contract_says_what_a_theme_may_be(text: str, said: str | None) -> None:
    assert theme_refused(text) == said
    assert theme_refused("  ") == "không được để trống"
