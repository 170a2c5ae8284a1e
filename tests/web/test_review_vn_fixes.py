"""Fixes of the Vietnamese-user review (/tmp/review-vn.md A1, A3, A9, C4, D1, D4) over HTTP:

* A1: every month field (``/danh-muc``, ``/kich-ban``, ``/xep-hang`` for planners and
  communes, ``/bao-cao``, ``/de-xuat-muc``) shows MM/YYYY, takes MM/YYYY and YYYY-MM (old
  links keep working), and answers a value that is no month with the page and a message
  beside the field (422), not a 404;
* A3: a commune's cancellation refused by the services (a meeting already held) says why;
* A9: the flag is "mức quan tâm" on every page, never "cờ";
* C4: a moment reads "08:31 ngày 08/12/2026" on every page;
* D1: publishing from the page queues the same notifications as the API's publish;
* D4: the outbox page shows each message's body and a Vietnamese last error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from models.storage import schedules
from models.storage.db import Database
from models.storage.schedules import Plan
from models.storage.tables import CommuneRow, DelegateRow, OutboxRow, UserRow
from models.storage.types import utcnow
from tests.api.world import World, build_world
from tests.storage.databases import wipe
from tests.web.conftest import csrf_of, give_passwords

Browser = Callable[..., TestClient]

#: The pages with a month field, and a word of each page's own text.
MONTH_PAGES = {
    "/danh-muc": "Xã/phường và tổ tuyên vận",
    "/kich-ban": "Kịch bản “nếu… thì…” tháng",
    "/xep-hang": "Xếp loại Ban tuyên vận tháng",
    "/bao-cao": "Đã báo cáo:",
    "/de-xuat-muc": "Đề xuất mức quan tâm tháng",
}
PLACEHOLDER = 'placeholder="tháng/năm, ví dụ 12/2026"'


def _field_value(html: str) -> str:
    found = re.search(r'<input id="f-thang" name="thang" value="([^"]*)"', html)
    assert found, "no month field on the page"
    return found.group(1)


# -- A1 ---------------------------------------------------------------------------------


def test_the_month_reading_is_one_helper() -> None:
    from web.loopkit import month_query, parse_month  # here: the page tests run without it

    assert parse_month("11/2025") == parse_month("2025-11") == parse_month(" 11/2025 ") == "2025-11"
    assert parse_month("3/2026") == parse_month("03.2026") == "2026-03"
    for bad in ("13/2025", "2025-13", "11/25", "tháng 11", ""):
        assert parse_month(bad) is None, bad
    asked = month_query("13/2025", "2026-12")
    assert (asked.month, asked.typed, asked.status) == ("2026-12", "13/2025", 422)
    assert asked.error == "Tháng không đúng: “13/2025”; nhập tháng/năm, ví dụ 12/2026"
    assert month_query(None, "2026-12").context() == {"month": "2026-12", "month_typed": "", "month_error": None}


@pytest.mark.parametrize("path", list(MONTH_PAGES))
def test_month_fields_show_and_take_mm_yyyy(world: World, browser_of: Browser, path: str) -> None:
    planner = browser_of("canbo")
    month = "12/2025" if path == "/de-xuat-muc" else "11/2025"
    iso = f"{month[3:]}-{month[:2]}"
    for asked in (month, iso):  # the Vietnamese form, and the links and bookmarks of before
        page = planner.get(path, params={"thang": asked})
        assert page.status_code == 200, (asked, page.text)
        assert MONTH_PAGES[path] in page.text
        assert _field_value(page.text) == month
        assert PLACEHOLDER in page.text
        assert "YYYY-MM" not in page.text
    bare = planner.get(path)
    assert re.fullmatch(r"\d\d/\d{4}", _field_value(bare.text)), _field_value(bare.text)


@pytest.mark.parametrize("path", list(MONTH_PAGES))
def test_a_bad_month_is_said_beside_the_field(world: World, browser_of: Browser, path: str) -> None:
    page = browser_of("canbo").get(path, params={"thang": "13/2025"})
    assert page.status_code == 422, page.text
    assert MONTH_PAGES[path] in page.text  # the page itself, not the error page
    assert _field_value(page.text) == "13/2025"  # what was typed stays to be corrected
    assert 'aria-invalid="true" aria-describedby="e-thang"' in page.text
    said = "Tháng không đúng: “13/2025”; nhập tháng/năm, ví dụ 12/2026"
    assert f'<p class="error" id="e-thang" role="alert">{said}</p>' in page.text
    assert "địa chỉ dạng" not in page.text


def test_a_commune_ranking_takes_mm_yyyy(world: World, browser_of: Browser) -> None:
    commune = browser_of("coclieu")
    page = commune.get("/xep-hang?thang=11/2025")
    assert page.status_code == 200
    assert "Xếp loại Ban tuyên vận tháng 11/2025" in page.text
    assert _field_value(page.text) == "11/2025"
    bad = commune.get("/xep-hang?thang=11-20255")
    assert bad.status_code == 422
    assert 'id="e-thang"' in bad.text


def test_the_year_page_still_takes_its_months(world: World, browser_of: Browser) -> None:
    planner = browser_of("canbo")
    page = planner.get("/nam/2025")
    form = {"csrf": csrf_of(page.text), "tu": "13/2025", "den": "2025-12", "giay": "1"}
    refused = planner.post("/nam/2025/lap-lich", data=form)
    assert refused.status_code == 422
    assert "Tháng không đúng: “13/2025”; nhập tháng/năm, ví dụ 01/2025" in refused.text


# -- A3 ---------------------------------------------------------------------------------


def test_a_refused_cancellation_says_why(world: World, browser_of: Browser, database: Database) -> None:
    # Today the world's November 2025 meetings are past: the services refuse (409).
    commune = browser_of("coclieu")
    csrf = csrf_of(commune.get("/").text)
    refused = commune.post("/hoi-nghi/m1/huy", data={"csrf": csrf, "reason": "Xã có lũ", "xac_nhan": "1"})
    assert refused.status_code == 409
    said = r'<p class="error" role="alert">Hội nghị [^<]*đã diễn ra ngày 04/11/2025: không còn dời hay hủy được'
    assert re.search(said, refused.text), refused.text


# -- A9 ---------------------------------------------------------------------------------


def test_the_flag_is_called_muc_quan_tam(world: World, browser_of: Browser) -> None:
    planner = browser_of("canbo")
    proposals = planner.get("/de-xuat-muc?thang=12/2025").text
    assert "<h1>Đề xuất mức quan tâm tháng 12/2025</h1>" in proposals
    assert '<a href="/de-xuat-muc">Mức quan tâm</a>' in proposals
    month = planner.get("/thang/2025-11").text
    assert re.search(r"\d+ xã/phường cần quan tâm\.", month)
    report = browser_of("kien").get("/bao-cao/m1").text
    assert "Vấn đề cần quan tâm (đề xuất mức quan tâm tháng sau)" in report
    commune_month = browser_of("coclieu").get("/thang/2025-11").text
    for html in (proposals, month, report, commune_month):
        assert not re.search(r"\bcờ\b", html)


# -- C4 ---------------------------------------------------------------------------------


def test_a_moment_reads_one_way() -> None:
    from web.templating import moment_vn

    moment = dt.datetime(2026, 12, 8, 1, 31, tzinfo=dt.UTC)  # 08:31 in Việt Nam
    assert moment_vn(moment) == "08:31 ngày 08/12/2026"
    assert moment_vn(None) == ""


MOMENT = re.compile(r"\d\d:\d\d ngày \d\d/\d\d/\d{4}")
DATE_THEN_TIME = re.compile(r"\d\d/\d\d/\d{4},? \d\d:\d\d(?!–)")
TIME_THEN_DATE = re.compile(r"\d\d:\d\d \d\d/\d\d/\d{4}")


def test_every_page_writes_a_moment_time_first(world: World, browser_of: Browser) -> None:
    planner = browser_of("canbo")
    pages = {
        "/thang/2025-11/ban": planner.get("/thang/2025-11/ban").text,
        "/yeu-cau": planner.get("/yeu-cau").text,
        "/": planner.get("/").text,
    }
    for path, html in pages.items():
        assert MOMENT.search(html), path
        assert not DATE_THEN_TIME.search(html), (path, DATE_THEN_TIME.search(html))
        assert not TIME_THEN_DATE.search(html), (path, TIME_THEN_DATE.search(html))


# -- D1 ---------------------------------------------------------------------------------


def _december_draft(database: Database) -> tuple[int, str]:
    """A first version of December (m9, c1's, with d1) and the contacts of d1 and c1: its
    publication has people to tell."""
    with database.transaction() as session:
        d1 = session.get(DelegateRow, "d1")
        c1 = session.get(CommuneRow, "c1")
        assert d1 is not None
        assert c1 is not None
        d1.email, d1.zalo_user_id, d1.channels = "kien@example.vn", "84901234567", ["email", "zalo"]
        c1.email, c1.channels = "coclu@example.vn", ["email"]
        planner = session.scalar(select(UserRow).where(UserRow.username == "canbo"))
        assert planner is not None
        draft = schedules.create_draft(session, "2025-12", Plan(pairs=[("m9", "d1")], total=0), None, planner.id)
        return draft.id, schedules.etag(draft)


def _outbox(database: Database) -> list[tuple[Any, ...]]:
    """What was queued, without what differs between two databases (ids, times, attempts)."""
    with database.reader() as session:
        rows = session.scalars(select(OutboxRow))
        found = [
            (r.recipient_kind, r.recipient_id, r.recipient_name, r.channel, r.address, r.subject, r.body) for r in rows
        ]
    return sorted(found)


def test_a_page_publication_notifies_as_the_api_does(
    world: World, browser_of: Browser, database: Database, tiny_document: dict[str, Any], password_hash: str
) -> None:
    draft, etag = _december_draft(database)
    planner = browser_of("canbo")
    page = planner.get(f"/thang/2025-12/ban/{draft}/cong-bo")
    form = {"csrf": csrf_of(page.text), "etag": etag, "xac_nhan": "1"}
    done = planner.post(f"/thang/2025-12/ban/{draft}/cong-bo", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    by_page = _outbox(database)

    # The same world again, published through POST /schedules/{id}/publish.
    wipe(database)
    again = build_world(database, tiny_document)
    give_passwords(database, password_hash)
    draft, etag = _december_draft(database)
    api = browser_of()
    answer = api.post(f"/schedules/{draft}/publish", headers={**again.auth("planner"), "If-Match": etag})
    assert answer.status_code == 200, answer.text
    by_api = _outbox(database)

    assert by_api, "the API's publication queued nothing: the comparison would prove nothing"
    assert {(r[0], r[1], r[3]) for r in by_api} >= {("delegate", "d1", "email"), ("commune", "c1", "email")}
    assert by_page == by_api


# -- D4 ---------------------------------------------------------------------------------


def _message(state: str, error: str | None, n: int) -> OutboxRow:
    return OutboxRow(
        message_id=f"msg-{n}",
        recipient_kind="delegate",
        recipient_id="d1",
        recipient_name="Nguyễn Văn Kiên",
        channel="email",
        address="kien@example.vn",
        subject=f"Lịch phân công số {n}",
        body=f"Kính gửi đồng chí Nguyễn Văn Kiên,\nNội dung thư số {n}: ngày 02/12/2025 lúc 08:00.",
        payload={},
        state=state,
        attempts=1,
        next_attempt_at=utcnow(),
        last_error=error,
    )


def test_the_outbox_shows_bodies_and_errors_in_vietnamese(
    world: World, browser_of: Browser, database: Database
) -> None:
    with database.transaction() as session:
        session.add(_message("failed", "SMTP: [Errno 111] Connection refused", 1))
        session.add(_message("pending", "Chưa cấu hình máy chủ thư (PHANCONG_SMTP_HOST)", 2))
        session.add(_message("sent", None, 3))
    html = browser_of("canbo").get("/thong-bao").text
    for n in (1, 2, 3):
        assert re.search(
            rf"Lịch phân công số {n}<details class=\"outbox-body\"><summary>Xem nội dung</summary>"
            rf"<div class=\"body-text\">Kính gửi đồng chí Nguyễn Văn Kiên,\nNội dung thư số {n}:",
            html,
        ), n
    assert "Không gửi được qua máy chủ thư: máy nhận từ chối kết nối" in html
    assert "<td>Chưa cấu hình máy chủ thư (PHANCONG_SMTP_HOST)</td>" in html  # a waiting one's error too


def test_delivery_errors_read_in_vietnamese() -> None:
    from web.inbox import delivery_error_vn

    assert delivery_error_vn(None) == ""
    assert delivery_error_vn("HTTP 500 từ https://zalo.example/x") == (
        "Máy nhận https://zalo.example/x trả lời lỗi (mã HTTP 500)"
    )
    assert delivery_error_vn("https://hook.example: timed out").startswith(
        "Không gửi được qua máy nhận: quá thời gian chờ trả lời"
    )
    assert delivery_error_vn("Zalo từ chối: bad token") == "Zalo từ chối: bad token"
