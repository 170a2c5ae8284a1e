"""Requests after publication from the pages, found missing by driving them in a browser:
a delegate's "không dự được", a commune's cancellation and the reason of its move, the
amendment notice's downloads, the pending mark on the planner's month, the re-plan's
state in Vietnamese, and two refusals of the accounts' forms said properly. Every refusal
is checked to write nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from models.storage import clock, jobs, schedules
from models.storage.db import Database
from models.storage.tables import ChangeRequestRow, MeetingRow, ScheduleRow, UserRow
from services import overview
from tests.api.world import World
from tests.storage.helpers import row_counts
from tests.web.conftest import csrf_of

Browser = Callable[..., TestClient]
#: Before the world's November meetings (4 and 6 November 2025): they are still to come.
BEFORE_NOVEMBER = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)


@pytest.fixture
def early(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages as seen on 1 November 2025: the delegate's November meetings are coming
    (and may still be said "không dự được": services.requests reads the local day)."""
    monkeypatch.setattr(overview, "utcnow", lambda: BEFORE_NOVEMBER)
    monkeypatch.setattr(clock, "today", lambda: BEFORE_NOVEMBER.date())


def _requests(database: Database) -> list[tuple[str, str, str | None, str | None]]:
    with database.reader() as session:
        rows = session.scalars(select(ChangeRequestRow).order_by(ChangeRequestRow.id))
        return [(r.kind, r.meeting_id, r.delegate_id, r.reason) for r in rows]


def _no_world_request(database: Database) -> None:
    with database.transaction() as session:
        session.execute(delete(ChangeRequestRow))  # the world's pending move of m1


# -- 1. a delegate's "không dự được" ---------------------------------------------------------


def test_a_delegate_says_they_cannot_attend(world: World, browser_of: Browser, database: Database, early: None) -> None:
    _no_world_request(database)
    browser = browser_of("kien")
    home = browser.get("/")
    assert 'action="/hoi-nghi/m1/khong-du"' in home.text
    assert 'action="/hoi-nghi/m2/khong-du"' in home.text
    csrf = csrf_of(home.text)
    before = row_counts(database)

    empty = browser.post("/hoi-nghi/m1/khong-du", data={"csrf": csrf, "reason": "   "})
    assert empty.status_code == 422
    assert 'id="e-reason-m1"' in empty.text
    assert "Hãy ghi lý do không dự được" in empty.text
    assert row_counts(database) == before

    done = browser.post("/hoi-nghi/m1/khong-du", data={"csrf": csrf, "reason": "Đi công tác Hà Nội"})
    assert done.status_code == 200, done.text
    assert "đang chờ Ban duyệt" in done.text
    assert "Đã báo Ban không dự được hội nghị Phường Cốc Lếu ngày 04/11/2025" in done.text
    assert _requests(database) == [("absent", "m1", "d1", "Đi công tác Hà Nội")]
    # The meeting says it waits, and offers the form no more; m2 still does.
    page = browser.get("/").text
    assert "Bạn đã báo không dự được, đang chờ Ban duyệt" in page
    assert 'action="/hoi-nghi/m1/khong-du"' not in page
    assert 'action="/hoi-nghi/m2/khong-du"' in page

    twice = browser.post("/hoi-nghi/m1/khong-du", data={"csrf": csrf, "reason": "Lần nữa"})
    assert twice.status_code == 409
    assert "hãy đợi Ban trả lời" in twice.text
    assert len(_requests(database)) == 1


def test_a_delegate_says_it_from_the_month_page_and_keeps_what_was_typed(
    world: World, browser_of: Browser, database: Database, early: None
) -> None:
    _no_world_request(database)
    browser = browser_of("kien")
    month = browser.get("/thang/2025-11")
    assert 'name="thang" value="2025-11"' in month.text
    csrf = csrf_of(month.text)
    too_long = "x" * 2001
    refused = browser.post("/hoi-nghi/m2/khong-du", data={"csrf": csrf, "reason": too_long, "thang": "2025-11"})
    assert refused.status_code == 422
    assert "Hội nghị của tôi tháng" in refused.text  # back on the month page
    assert 'id="e-reason-m2"' in refused.text
    assert too_long in refused.text
    assert _requests(database) == []
    done = browser.post("/hoi-nghi/m2/khong-du", data={"csrf": csrf, "reason": "Ốm", "thang": "2025-11"})
    assert done.status_code == 200
    assert "Hội nghị của tôi tháng" in done.text
    assert "đang chờ Ban duyệt" in done.text


def test_a_past_meeting_offers_no_absence_form(world: World, browser_of: Browser) -> None:
    # Today the world's November 2025 meetings are past.
    assert "/khong-du" not in browser_of("kien").get("/").text


def test_absence_refusals(world: World, browser_of: Browser, database: Database, early: None) -> None:
    kien, thuha, commune, planner = browser_of("kien"), browser_of("thuha"), browser_of("coclieu"), browser_of("canbo")
    before = row_counts(database)
    csrf = csrf_of(kien.get("/").text)
    # m3 is d2's meeting, not d1's: as if it did not exist.
    other = kien.post("/hoi-nghi/m3/khong-du", data={"csrf": csrf, "reason": "Bận"})
    assert other.status_code == 404
    assert "Bạn không có hội nghị m3 trong lịch đã công bố" in other.text
    assert (
        thuha.post("/hoi-nghi/m1/khong-du", data={"csrf": csrf_of(thuha.get("/").text), "reason": "Bận"}).status_code
        == 404
    )
    assert kien.post("/hoi-nghi/nothing/khong-du", data={"csrf": csrf, "reason": "Bận"}).status_code == 404
    for browser in (commune, planner):
        refused = browser.post("/hoi-nghi/m1/khong-du", data={"csrf": csrf_of(browser.get("/").text), "reason": "Bận"})
        assert refused.status_code == 404
    assert kien.post("/hoi-nghi/m1/khong-du", data={"reason": "Bận"}).status_code == 403  # no CSRF token
    anonymous = browser_of().post("/hoi-nghi/m1/khong-du", data={"reason": "Bận"}, follow_redirects=False)
    assert anonymous.status_code in (303, 401, 403)
    assert row_counts(database) == before


# -- 2. a commune's cancellation, and the reason of its move --------------------------------


def test_a_commune_move_carries_its_reason(world: World, browser_of: Browser, database: Database, early: None) -> None:
    _no_world_request(database)
    browser = browser_of("coclieu")
    home = browser.get("/")
    assert 'name="reason"' in home.text
    form = {"csrf": csrf_of(home.text), "date": "05/11/2025", "time": "08:00", "minutes": "180", "meeting": "m1"}
    done = browser.post("/hoi-nghi", data={**form, "reason": "Trùng lịch tiếp xúc cử tri"})
    assert done.status_code == 200, done.text
    assert _requests(database) == [("move", "m1", None, "Trùng lịch tiếp xúc cử tri")]
    inbox = browser_of("canbo").get("/yeu-cau").text
    assert "Trùng lịch tiếp xúc cử tri" in inbox


def test_a_commune_asks_to_cancel_a_published_meeting(
    world: World, browser_of: Browser, database: Database, early: None
) -> None:
    _no_world_request(database)
    browser = browser_of("coclieu")
    home = browser.get("/")
    assert 'action="/hoi-nghi/m1/huy"' in home.text
    csrf = csrf_of(home.text)
    before = row_counts(database)
    refused = browser.post("/hoi-nghi/m1/huy", data={"csrf": csrf, "reason": ""})
    assert refused.status_code == 422
    assert 'id="e-huy-m1"' in refused.text
    assert "Hãy ghi lý do hủy" in refused.text
    assert row_counts(database) == before
    done = browser.post("/hoi-nghi/m1/huy", data={"csrf": csrf, "reason": "Xã có lũ"})
    assert done.status_code == 200, done.text
    assert "Đã gửi yêu cầu hủy hội nghị ngày 04/11/2025" in done.text
    assert "đang chờ Ban duyệt" in done.text
    assert _requests(database) == [("cancel", "m1", None, "Xã có lũ")]
    with database.reader() as session:
        meeting = session.get(MeetingRow, "m1")
        assert meeting is not None
        assert meeting.cancelled_at is None
    again = browser.post("/hoi-nghi/m1/huy", data={"csrf": csrf, "reason": "Lần nữa"})
    assert again.status_code == 409
    assert "hãy đợi Ban trả lời" in again.text
    assert len(_requests(database)) == 1


def test_a_commune_cancels_an_unpublished_meeting_once_confirmed(
    world: World, browser_of: Browser, database: Database, early: None
) -> None:
    browser = browser_of("coclieu")
    home = browser.get("/")
    assert 'action="/hoi-nghi/m9/huy"' in home.text  # December: not published
    csrf = csrf_of(home.text)
    before = row_counts(database)
    unconfirmed = browser.post("/hoi-nghi/m9/huy", data={"csrf": csrf})
    assert unconfirmed.status_code == 422
    assert 'id="e-x-huy-m9"' in unconfirmed.text
    assert row_counts(database) == before
    done = browser.post("/hoi-nghi/m9/huy", data={"csrf": csrf, "xac_nhan": "1"})
    assert done.status_code == 200, done.text
    assert "Đã hủy hội nghị ngày 02/12/2025" in done.text
    with database.reader() as session:
        assert session.get(MeetingRow, "m9") is None


def test_cancellation_refusals(world: World, browser_of: Browser, database: Database) -> None:
    commune, delegate, planner = browser_of("coclieu"), browser_of("kien"), browser_of("canbo")
    before = row_counts(database)
    csrf = csrf_of(commune.get("/").text)
    other = commune.post("/hoi-nghi/m2/huy", data={"csrf": csrf, "reason": "Bận", "xac_nhan": "1"})
    assert other.status_code == 404  # c2's meeting: as if it did not exist
    assert "Không có hội nghị m2" in other.text
    for browser in (delegate, planner):
        data = {"csrf": csrf_of(browser.get("/").text), "reason": "Bận", "xac_nhan": "1"}
        assert browser.post("/hoi-nghi/m9/huy", data=data).status_code == 404
    assert commune.post("/hoi-nghi/m9/huy", data={"xac_nhan": "1"}).status_code == 403  # no CSRF token
    assert row_counts(database) == before


# -- 3. the amendment notice --------------------------------------------------------------


def _publish_the_draft(database: Database, world: World) -> None:
    """Publish the world's draft (version 2, planned against version 1)."""
    with database.transaction() as session:
        planner = session.scalar(select(UserRow).where(UserRow.role == "planner"))
        draft = session.get(ScheduleRow, world.ids["draft"])
        assert planner is not None
        assert draft is not None
        schedules.publish(session, draft.id, draft.revision, planner.id)


def test_the_planner_downloads_the_amendment_notice(world: World, browser_of: Browser, database: Database) -> None:
    planner = browser_of("canbo")
    assert "/dieu-chinh/" not in planner.get("/thang/2025-11").text  # only a first version yet
    _publish_the_draft(database, world)
    for page in ("/thang/2025-11", "/thang/2025-11/ban", f"/thang/2025-11/ban/{world.ids['draft']}/cong-bo"):
        html = planner.get(page).text
        assert 'href="/thang/2025-11/dieu-chinh/2.docx"' in html, page
        assert 'href="/thang/2025-11/dieu-chinh/2.pdf"' in html, page
        assert "/dieu-chinh/1." not in html, page
    docx = planner.get("/thang/2025-11/dieu-chinh/2.docx")
    assert docx.status_code == 200
    assert docx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "thong-bao-dieu-chinh-2025-11-ban-2.docx" in docx.headers["content-disposition"]
    assert docx.content[:2] == b"PK"
    pdf = planner.get("/thang/2025-11/dieu-chinh/2.pdf")
    assert pdf.status_code == 200
    assert pdf.content[:4] == b"%PDF"


def test_amendment_refusals(world: World, browser_of: Browser, database: Database) -> None:
    _publish_the_draft(database, world)
    planner = browser_of("canbo")
    first = planner.get("/thang/2025-11/dieu-chinh/1.pdf")
    assert first.status_code == 409
    assert "bản công bố đầu tiên" in first.text
    for path in (
        "/thang/2025-11/dieu-chinh/9.pdf",
        "/thang/2025-11/dieu-chinh/2.txt",
        "/thang/2025-11/dieu-chinh/x.pdf",
    ):
        assert planner.get(path).status_code == 404, path
    for name in ("kien", "coclieu"):
        refused = browser_of(name).get("/thang/2025-11/dieu-chinh/2.pdf")
        assert refused.status_code == 403
        assert "%PDF" not in refused.text
    anonymous = browser_of().get("/thang/2025-11/dieu-chinh/2.pdf", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/dang-nhap")


# -- 4. the pending mark on the planner's month --------------------------------------------


def test_the_planners_month_marks_a_pending_request(world: World, browser_of: Browser, database: Database) -> None:
    html = browser_of("canbo").get("/thang/2025-11").text
    rows = re.findall(r'<tr class="meeting.*?</tr>', html, re.S)
    marked = [row for row in rows if "đang chờ Ban duyệt" in row]
    assert len(marked) == 1  # the world's pending move of m1 (Phường Cốc Lếu)
    assert "Phường Cốc Lếu" in marked[0]


# -- 5. the re-plan's state in Vietnamese ----------------------------------------------------


def _approved_with(database: Database, world: World, status: str) -> str:
    """The world's request, approved with a job left in ``status``; the job's id."""
    with database.transaction() as session:
        planner = session.scalar(select(UserRow).where(UserRow.role == "planner"))
        assert planner is not None
        if status == "done":
            job_id = str(world.ids["done_job"])
        else:
            job_id = jobs.create(session, planner.id, "2025-11", 1.0, changes_first=True).id
            if status != "queued":
                jobs.start(session, job_id)
            if status == "failed":
                jobs.finish(session, job_id, "failed", error="Hết bộ nhớ")
        row = session.get(ChangeRequestRow, world.ids["request"])
        assert row is not None
        row.state, row.job_id = "approved", job_id
    return job_id


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ("running", "Đang lập lại lịch — trạng thái: <strong>đang giải</strong>"),
        ("queued", "trạng thái: <strong>đang chờ</strong>"),
        ("failed", "Lập lại lịch thất bại: Hết bộ nhớ"),
        ("done", "Đã lập lại lịch xong: bản nháp số 2"),
    ],
)
def test_the_replan_page_says_the_jobs_state(
    world: World, browser_of: Browser, database: Database, status: str, said: str
) -> None:
    job_id = _approved_with(database, world, status)
    page = browser_of("canbo").get(f"/yeu-cau/lap-lai/{job_id}")
    assert page.status_code == 200
    assert said in page.text
    assert f"({status})" not in page.text
    for english in ("running", "queued", "failed", "done"):
        assert re.search(rf"\b{english}\b", page.text.split("<main")[1]) is None
    if status == "failed":
        assert "Đang lập lại lịch" not in page.text
    if status == "done":
        assert f'href="/thang/2025-11?ban={world.ids["draft"]}"' in page.text


# -- 6, 7. the accounts' forms --------------------------------------------------------------


def test_a_missing_commune_is_said_with_the_roles_label(world: World, browser_of: Browser, database: Database) -> None:
    browser = browser_of("canbo")
    csrf = csrf_of(browser.get("/nguoi-dung").text)
    before = row_counts(database)
    refused = browser.post("/nguoi-dung", data={"csrf": csrf, "username": "xamoi", "role": "commune", "commune": ""})
    assert refused.status_code == 422
    assert "bắt buộc với vai trò Xã/phường" in refused.text
    assert "vai trò commune" not in refused.text
    assert 'value="xamoi"' in refused.text
    wrong = browser.post("/nguoi-dung", data={"csrf": csrf, "username": "xamoi", "role": "delegate", "commune": "c1"})
    assert "vai trò Xã/phường" in wrong.text
    assert "vai trò Đại biểu" in wrong.text
    assert re.search(r"vai trò (delegate|commune)\b", wrong.text) is None
    assert row_counts(database) == before


def test_the_password_form_says_every_problem_at_once(world: World, browser_of: Browser, database: Database) -> None:
    browser = browser_of("kien")
    csrf = csrf_of(browser.get("/tai-khoan").text)
    before = row_counts(database)
    refused = browser.post("/tai-khoan", data={"csrf": csrf, "current": "sai", "new": "ngan", "confirm": "khac"})
    assert refused.status_code == 422
    for name in ("current", "new", "confirm"):
        assert f'id="e-{name}"' in refused.text, name
    assert "nhập lại không khớp với mật khẩu mới" in refused.text
    # Nothing written but the count of wrong current passwords (the sign-in's throttle).
    after = row_counts(database)
    assert after.pop("sign_in_failures") == before.pop("sign_in_failures") + 1
    assert after == before


def test_an_approved_change_reads_as_approved_on_the_pages(
    world: World, browser_of: Browser, database: Database
) -> None:
    """Once the Board approved the world's move of m1 (not yet published), the commune's home
    page and its month page say the change is approved and waits for the new version, not
    that the commune's request waits for the Board."""
    with database.transaction() as session:
        row = session.get(ChangeRequestRow, world.ids["request"])
        assert row is not None
        row.state, row.decided_at = "approved", dt.datetime.now(dt.UTC)
    awaiting = "Ban đã duyệt thay đổi, chờ công bố lịch điều chỉnh"
    commune = browser_of("coclieu")
    home = commune.get("/").text
    assert f"{awaiting}: lịch vẫn giữ như đã công bố cho đến khi Ban công bố lịch mới." in home
    assert f"Yêu cầu thay đổi của xã {awaiting}" not in home
    month = commune.get("/thang/2025-11").text
    assert awaiting in month
    assert f"Có yêu cầu thay đổi, {awaiting}" not in month
