"""What-if and after-meeting pages over HTTP: scenarios made, run and compared from the
page; a delegate's report and score sheet; the ranking, flag proposals, statistics and
themes; CSRF and every role's refusal, each refusal writing nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from models.storage.db import Database
from models.storage.tables import JobRow, MeetingReportRow, ScheduleRow
from tests.api.world import World
from tests.storage.helpers import row_counts
from tests.web.conftest import csrf_of

Browser = Callable[..., TestClient]
MONTH = "2025-11"


def _scenario(browser: TestClient, **fields: str) -> TestClient:
    csrf = csrf_of(browser.get(f"/kich-ban?thang={MONTH}").text)
    return browser.post("/kich-ban", data={"csrf": csrf, "month": MONTH, **fields}, follow_redirects=False)


def _run(browser: TestClient, database: Database, scenario_id: int) -> None:
    page = browser.get(f"/kich-ban/{scenario_id}")
    started = browser.post(f"/kich-ban/{scenario_id}/chay", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert started.status_code == 303, started.text
    with database.reader() as session:
        job = session.scalar(select(JobRow).where(JobRow.scenario_id == scenario_id))
        assert job is not None
        job_id = job.id
    browser.app.state.runner.wait(job_id, 60)  # type: ignore[attr-defined]


def test_scenarios_made_run_and_compared(world: World, browser_of: Browser, database: Database) -> None:
    browser = browser_of("canbo")
    away = _scenario(
        browser, name="Bí thư vắng", kind="delegate_away", delegate="d1", **{"from": "04/11/2025"}, reason="Ốm"
    )
    assert away.status_code == 303, away.text
    flagged = _scenario(
        browser, name="Xã c4 phức tạp", kind="commune_flag", commune="c4", flag="2", reason="Khiếu kiện"
    )
    assert flagged.status_code == 303, flagged.text
    ids = [int(r.headers["location"].rsplit("/", 1)[1]) for r in (away, flagged)]
    shown = browser.get(f"/kich-ban/{ids[0]}")
    assert "vắng 04/11" in shown.text
    early = browser.get(f"/kich-ban/so-sanh?id={ids[0]}&id={ids[1]}")
    assert early.status_code == 409
    assert "chưa có kết quả" in early.text
    for scenario_id in ids:
        _run(browser, database, scenario_id)
    table = browser.get(f"/kich-ban/so-sanh?id={ids[0]}&id={ids[1]}")
    assert table.status_code == 200, table.text
    assert "Bí thư vắng" in table.text
    assert "Xã c4 phức tạp" in table.text
    assert 'class="compare"' in table.text
    # The solve's seconds as Vietnamese writes them: "0,03", never "0.03".
    assert re.search(r"<td>\d+,\d\d</td>", table.text)
    assert re.search(r"<td>\d+\.\d\d</td>", table.text) is None


def test_a_bad_scenario_is_said_beside_its_fields(world: World, browser_of: Browser, database: Database) -> None:
    browser = browser_of("canbo")
    before = row_counts(database)
    response = _scenario(browser, name="", kind="delegate_away", delegate="", **{"from": "99/11/2025"})
    assert response.status_code == 422
    assert 'id="e-name"' in response.text
    assert 'id="e-delegate"' in response.text
    assert "Ngày không đúng: “99/11/2025”" in response.text
    unknown = _scenario(browser, name="Ai đó", kind="delegate_away", delegate="d404", **{"from": "04/11/2025"})
    assert unknown.status_code == 422
    assert row_counts(database) == before


def test_a_delegate_files_a_report_with_a_score_sheet(world: World, browser_of: Browser, database: Database) -> None:
    browser = browser_of("kien")
    home = browser.get("/bao-cao")
    assert home.status_code == 200
    assert 'href="/bao-cao/m1"' in home.text
    form = browser.get("/bao-cao/m1")
    assert form.status_code == 200
    assert "Phiếu chấm điểm" in form.text
    csrf = csrf_of(form.text)
    # The sheet as the form shows it (November's, prefilled), as a browser would send it back.
    shown = dict(re.findall(r'name="(score_[^"]+)" inputmode="decimal" value="([^"]*)"', form.text))
    assert shown["score_ket-qua"] == "20"
    too_many = browser.post(
        "/bao-cao/m1", data={"csrf": csrf, "delegate": "d1", "attended": "1", **shown, "score_ket-qua": "30"}
    )
    assert too_many.status_code == 422
    assert re.search(r'id="e-score_ket-qua"', too_many.text)
    with database.reader() as session:
        assert session.scalar(select(MeetingReportRow)) is None
    done = browser.post(
        "/bao-cao/m1",
        data={"csrf": csrf, "delegate": "d1", "attended": "1", "note": "Hội nghị tốt", **shown, "score_ket-qua": "25"},
        follow_redirects=True,
    )
    assert done.status_code == 200, done.text
    assert "Đã lưu báo cáo." in done.text
    with database.reader() as session:
        report = session.scalar(select(MeetingReportRow))
        assert report is not None
        assert report.note == "Hội nghị tốt"
    assert "Tổng hiện tại: 85/100" in done.text


def test_a_delegate_reports_only_their_own_meetings(world: World, browser_of: Browser, database: Database) -> None:
    browser = browser_of("thuha")  # d2 is not on m1
    page = browser.get("/bao-cao/m1")
    assert page.status_code == 403
    csrf = csrf_of(browser.get("/tai-khoan").text)
    before = row_counts(database)
    assert browser.post("/bao-cao/m1", data={"csrf": csrf, "attended": "1"}).status_code == 403
    assert row_counts(database) == before


def test_a_planner_enters_any_report(world: World, browser_of: Browser) -> None:
    browser = browser_of("canbo")
    listing = browser.get(f"/bao-cao?thang={MONTH}")
    assert listing.status_code == 200
    assert "Nhập/sửa" in listing.text
    csrf = csrf_of(browser.get("/bao-cao/m1").text)
    done = browser.post("/bao-cao/m1", data={"csrf": csrf, "delegate": "d1", "attended": "1"}, follow_redirects=False)
    assert done.status_code == 303


def test_ranking_flags_statistics_themes_render(world: World, browser_of: Browser) -> None:
    browser = browser_of("canbo")
    ranking = browser.get(f"/xep-hang?thang={MONTH}")
    assert ranking.status_code == 200
    assert "Xếp loại Ban tuyên vận tháng 11/2025" in ranking.text
    book = browser.get(f"/xep-hang/{MONTH}.xlsx")
    assert book.status_code == 200
    assert book.content[:2] == b"PK"
    assert browser.get("/de-xuat-muc?thang=2025-12").status_code == 200
    stats = browser.get("/thong-ke?nam=2025")
    assert stats.status_code == 200
    assert "<svg" in stats.text
    stats_book = browser.get("/thong-ke/2025.xlsx")
    assert stats_book.status_code == 200
    assert stats_book.content[:2] == b"PK"
    themes = browser.get("/chu-de?nam=2026")
    assert themes.status_code == 200
    saved = browser.post(
        "/chu-de/2026", data={"csrf": csrf_of(themes.text), "q1": "Chuyển đổi số", "m2": "Tết"}, follow_redirects=True
    )
    assert saved.status_code == 200
    assert 'value="Chuyển đổi số"' in saved.text
    assert 'value="Tết"' in saved.text


def test_a_planner_closes_the_months_scoring(world: World, browser_of: Browser) -> None:
    browser = browser_of("canbo")
    page = browser.get(f"/xep-hang?thang={MONTH}")
    assert "Chốt điểm tháng 11/2025" in page.text
    closed = browser.post(f"/xep-hang/{MONTH}/chot", data={"csrf": csrf_of(page.text)}, follow_redirects=True)
    assert closed.status_code == 200
    assert "Tháng đã chốt điểm." in closed.text
    assert "Chốt điểm tháng" not in closed.text


def test_a_commune_sees_only_its_own_ranking_row(world: World, browser_of: Browser) -> None:
    page = browser_of("coclieu").get(f"/xep-hang?thang={MONTH}")
    assert page.status_code == 200
    assert "Phường Cốc Lếu" in page.text or "c1" in page.text
    assert "Xã Hợp Thành" not in page.text
    assert "Phiếu chấm điểm của Phường Cốc Lếu" in page.text
    assert "Tổng: 80/100 — Tốt" in page.text
    title = page.text.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title
    assert "Xếp loại tháng 11/2025" in title


@pytest.mark.parametrize(
    ("username", "paths"),
    [
        (
            "kien",
            [
                "/kich-ban",
                "/xep-hang",
                "/de-xuat-muc",
                "/thong-ke",
                "/chu-de",
                f"/xep-hang/{MONTH}.xlsx",
                "/thong-ke/2025.xlsx",
            ],
        ),
        (
            "coclieu",
            ["/kich-ban", "/de-xuat-muc", "/thong-ke", "/chu-de", "/bao-cao", "/bao-cao/m1", "/thong-ke/2025.xlsx"],
        ),
    ],
)
def test_roles_refused(world: World, browser_of: Browser, database: Database, username: str, paths: list[str]) -> None:
    browser = browser_of(username)
    for path in paths:
        assert browser.get(path).status_code == 403, path
    csrf = csrf_of(browser.get("/tai-khoan").text)
    before = row_counts(database)
    for path, data in (
        (
            "/kich-ban",
            {"name": "x", "month": MONTH, "kind": "commune_flag", "commune": "c1", "flag": "1", "reason": "r"},
        ),
        ("/de-xuat-muc/quyet-dinh", {"proposal": "ranking:c1", "decision": "confirmed", "month": "2025-12"}),
        ("/chu-de/2026", {"q1": "x"}),
        (f"/kich-ban/{world.ids['scenario']}/dung", {}),
        (f"/kich-ban/{world.ids['scenario']}/chay", {}),
        (f"/xep-hang/{MONTH}/chot", {}),
    ):
        assert browser.post(path, data={"csrf": csrf, **data}).status_code == 403, path
    assert row_counts(database) == before


def test_forms_without_csrf_are_refused(world: World, browser_of: Browser, database: Database) -> None:
    browser = browser_of("canbo")
    before = row_counts(database)
    for path, data in (
        (
            "/kich-ban",
            {"name": "x", "month": MONTH, "kind": "commune_flag", "commune": "c1", "flag": "1", "reason": "r"},
        ),
        ("/bao-cao/m1", {"delegate": "d1", "attended": "1"}),
        ("/chu-de/2026", {"q1": "x"}),
        ("/de-xuat-muc/quyet-dinh", {"proposal": "x", "decision": "confirmed"}),
        (f"/xep-hang/{MONTH}/chot", {}),
    ):
        assert browser.post(path, data=data).status_code == 403, path
    assert row_counts(database) == before


def test_adopting_a_scenario_makes_a_draft_and_leaves_the_published_version(
    world: World, browser_of: Browser, database: Database
) -> None:
    browser = browser_of("canbo")
    made = _scenario(browser, name="Xã c4 phức tạp", kind="commune_flag", commune="c4", flag="2", reason="Khiếu kiện")
    scenario_id = int(made.headers["location"].rsplit("/", 1)[1])
    _run(browser, database, scenario_id)
    with database.reader() as session:
        published = session.scalars(select(ScheduleRow).where(ScheduleRow.status == "published")).all()
        before = [(s.id, s.revision) for s in published]
        drafts_before = {s.id for s in session.scalars(select(ScheduleRow).where(ScheduleRow.status == "draft"))}
    page = browser.get(f"/kich-ban/{scenario_id}")
    adopted = browser.post(f"/kich-ban/{scenario_id}/dung", data={"csrf": csrf_of(page.text)}, follow_redirects=True)
    assert adopted.status_code == 200, adopted.text
    assert "Đã tạo bản nháp số" in adopted.text
    with database.reader() as session:
        drafts = session.scalars(select(ScheduleRow).where(ScheduleRow.status == "draft")).all()
        [new] = [s for s in drafts if s.id not in drafts_before]
        assert new.month == MONTH
        assert f"Đã tạo bản nháp số {new.version} của tháng" in adopted.text
        published = session.scalars(select(ScheduleRow).where(ScheduleRow.status == "published")).all()
        assert [(s.id, s.revision) for s in published] == before


def test_a_scenario_with_a_moved_meeting_is_not_adopted(world: World, browser_of: Browser, database: Database) -> None:
    """The draft is of the month as stored: a meeting the scenario moved must be moved in the
    directory first; the refusal names the seat and writes nothing."""
    browser = browser_of("canbo")
    made = _scenario(browser, name="Dời m1", kind="meeting_moved", meeting="m1", date="06/11/2025", time="08:00")
    assert made.status_code == 303, made.text
    scenario_id = int(made.headers["location"].rsplit("/", 1)[1])
    _run(browser, database, scenario_id)
    page = browser.get(f"/kich-ban/{scenario_id}")
    before = row_counts(database)
    refused = browser.post(f"/kich-ban/{scenario_id}/dung", data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 409
    assert "giờ họp khác giờ đã lưu" in refused.text
    assert row_counts(database) == before


def test_a_flag_proposal_is_confirmed_once(world: World, browser_of: Browser) -> None:
    """c2 ranked Chưa đạt in November: December has its proposal; confirmed, it says so, and a
    second answer is refused."""
    browser = browser_of("canbo")
    page = browser.get("/de-xuat-muc?thang=2025-12")
    found = re.search(r'name="proposal" value="([^"]+)"', page.text)
    assert found, page.text
    data = {"csrf": csrf_of(page.text), "proposal": found.group(1), "month": "2025-12", "decision": "confirmed"}
    done = browser.post("/de-xuat-muc/quyet-dinh", data=data, follow_redirects=True)
    assert done.status_code == 200
    assert "Đã xác nhận" in done.text
    again = browser.post("/de-xuat-muc/quyet-dinh", data=data)
    assert again.status_code == 409
    assert "đã được xác nhận" in again.text


def test_a_running_scenario_shows_its_progress(world: World, browser_of: Browser, database: Database) -> None:
    """While a run is going, the page shows elapsed time, best score and bound, and a bar."""
    scenario_id = world.ids["scenario"]
    at = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)
    with database.writer() as session:
        session.add(
            JobRow(
                id="chay-thu",
                month=MONTH,
                status="running",
                time_limit=10.0,
                created_at=at,
                updated_at=at,
                started_at=at,
                scenario_id=scenario_id,
                progress_seconds=4.0,
                best_score=57,
                bound=50,
            )
        )
        session.commit()
    page = browser_of("canbo").get(f"/kich-ban/{scenario_id}")
    assert page.status_code == 200
    assert "4 giây, điểm tốt nhất đến giờ 57, cận dưới 50" in page.text
    assert '<progress max="10.0" value="4.0"' in page.text
