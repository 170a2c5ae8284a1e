"""The planner's month page after a flag change (issue 11): the month says it needs a
re-plan (the version in force, or a month only drafted) and the meeting's gap says the
commune's flag changed after the version was made."""

from __future__ import annotations

import html as markup
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from models.storage.db import Database
from models.storage.tables import UserRow
from services import flags
from services.workspace import FLAG_CHANGED
from tests.api.test_flag_months import _plan_december
from tests.api.world import MONTH, World

Browser = Callable[..., TestClient]


def _set_flag(database: Database, commune: str, month: str, flag: int) -> None:
    with database.transaction() as session:
        planner = session.scalar(select(UserRow).where(UserRow.role == "planner").order_by(UserRow.id))
        assert planner is not None
        flags.set_month_flag(session, planner, commune, month, flag, "Khiếu kiện")


def test_a_published_month_whose_flag_changed(world: World, browser_of: Browser, database: Database) -> None:
    _set_flag(database, "c4", MONTH, 2)
    page = markup.unescape(browser_of("canbo").get(f"/thang/{MONTH}").text)
    assert "Lịch đang hiệu lực cần lập lại (có thay đổi sau khi công bố)." in page
    assert FLAG_CHANGED in page


def test_a_drafted_month_whose_flag_changed(world: World, browser_of: Browser, database: Database) -> None:
    _plan_december(database, publish=False)
    _set_flag(database, "c1", "2025-12", 2)
    page = markup.unescape(browser_of("canbo").get("/thang/2025-12").text)
    assert "Bản nháp cần lập lại (có thay đổi sau khi lập)." in page
    assert "Lịch đang hiệu lực cần lập lại" not in page
    assert FLAG_CHANGED in page
