"""The planner's year over HTTP (in-process, SQLite and PostgreSQL): the grid and the
loads render and filter, a range of months is planned from the page with progress to a
draft per month, bad input is said beside its field and starts nothing, and delegates
and communes get the planner pages' refusal at every address."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from models.storage.db import Database
from models.storage.tables import JobRow
from tests.api.world import MONTH, World
from tests.web.conftest import csrf_of

Browser = Callable[..., TestClient]


def _jobs(database: Database) -> int:
    with database.reader() as session:
        return int(session.scalar(select(func.count()).select_from(JobRow)) or 0)


def test_the_year_shows_who_goes_where_and_each_load(world: World, browser_of: Browser) -> None:
    """The grid names the delegates of November's version in force and each delegate's year."""
    planner = browser_of("canbo")
    response = planner.get("/nam/2025")
    assert response.status_code == 200, response.text[:2000]
    html = response.text
    assert "Lịch cả năm 2025" in html
    assert "Đã công bố bản 1" in html
    assert f'href="/thang/2025-11?ban={world.ids["draft"]}">có bản nháp mới hơn</a>' in html
    assert "Chưa lập lịch" in html  # December's meeting
    assert "Nguyễn Văn Kiên" in html
    assert "Xã Trống" in html
    assert '<svg class="chart year-chart"' in html
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert re.search(r"\d{4}-\d{2}-\d{2}", html.split("<main")[1]) is None  # dd/mm/yyyy only
    assert 'href="/thang/2025-11"' in html
    assert 'href="/nam/2025"' in planner.get("/").text  # from the planner's home
    assert 'href="/nam/2025"' in planner.get(f"/thang/{MONTH}").text  # and the month's nav


def test_the_year_filters_and_says_a_bad_filter_beside_it(world: World, browser_of: Browser) -> None:
    planner = browser_of("canbo")
    narrowed = planner.get("/nam/2025?cap=1").text
    assert "Xã Trống" not in narrowed  # no tier-1 delegate goes there
    wrong = planner.get("/nam/2025?coquan=Kh%C3%B4ng+c%C3%B3&cap=x")
    assert wrong.status_code == 422
    assert 'id="e-cap"' in wrong.text, wrong.text.split("<main")[1][:1500]
    assert planner.get("/nam/2025?la=1").status_code == 422
    assert planner.get("/nam/abcd").status_code == 404


@pytest.mark.parametrize(
    ("sent", "field", "words"),
    [
        ({"tu": "13/2025", "den": "12/2025"}, "tu", "Tháng không đúng"),
        ({"tu": "11/2025", "den": "2025-13"}, "den", "Tháng không đúng"),
        ({"tu": "11/2025", "den": "03/2025"}, "den", "ở trước tháng đầu"),
        ({"tu": "01/2025", "den": "02/2026"}, "den", "tối đa 12 tháng"),
        ({"tu": "11/2025", "den": "12/2025", "giay": "0"}, "giay", "số giây"),
    ],
)
def test_a_bad_range_is_said_beside_its_field_and_starts_nothing(
    world: World, browser_of: Browser, database: Database, sent: dict[str, str], field: str, words: str
) -> None:
    planner = browser_of("canbo")
    page = planner.get("/nam/2025")
    before = _jobs(database)
    response = planner.post("/nam/2025/lap-lich", data={"csrf": csrf_of(page.text), **sent})
    assert response.status_code == 422
    assert f'id="e-{field}"' in response.text
    beside = re.search(rf'<p class="error" id="e-{field}" role="alert">([^<]+)</p>', response.text)
    assert beside is not None
    assert words in beside.group(1)
    assert _jobs(database) == before


def test_a_range_is_planned_with_progress_to_a_draft_per_month(
    world: World, browser_of: Browser, database: Database
) -> None:
    """November and December planned jointly: the events end, and each month's draft is linked."""
    planner = browser_of("canbo")
    page = planner.get("/nam/2025")
    data = {"csrf": csrf_of(page.text), "tu": "11/2025", "den": "12/2025", "giay": "2"}
    started = planner.post("/nam/2025/lap-lich", data=data, follow_redirects=False)
    assert started.status_code == 303, started.text
    job_page = started.headers["location"]
    assert job_page.startswith("/nam/2025/lap-lich/")
    with planner.stream("GET", f"{job_page}/su-kien") as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        body = "".join(events.iter_text())
    assert "event: end" in body
    deadline = time.monotonic() + 20
    while "Bản nháp từng tháng" not in (html := planner.get(job_page).text):
        assert time.monotonic() < deadline, html[-3000:]
        time.sleep(0.1)
    links = re.findall(r'href="/thang/(2025-1[12])\?ban=(\d+)"', html)
    assert [m for m, _ in links] == ["2025-11", "2025-12"]
    assert "Đã lập 2/2 tháng" in html
    # "xong" is not the whole answer: the joint score is proved optimal, or its gap is given.
    verdict = re.search(r'<dd class="ws-verdict" data-k="proof_label">([^<]+)</dd>', html)
    assert verdict is not None, html.split("<main")[1][:3000]
    assert verdict.group(1) == "đã chứng minh tối ưu" or "cách cận dưới" in verdict.group(1)
    # The job belongs to 2025: under another year it is not found (it was shown there).
    assert planner.get(job_page.replace("/nam/2025/", "/nam/2030/")).status_code == 404
    assert planner.get(job_page.replace("/nam/2025/", "/nam/2024/") + "/su-kien").status_code == 404
    year = planner.get("/nam/2025").text
    assert "Bản nháp" in year  # December now shows its draft
    assert planner.get("/nam/2025/lap-lich/khong-co").status_code == 404


@pytest.mark.parametrize("username", ["kien", "coclieu"])
def test_other_roles_are_refused(world: World, browser_of: Browser, database: Database, username: str) -> None:
    """A delegate and a commune get 403 at every year address, and start nothing."""
    job = world.ids["done_job"]
    other = browser_of(username)
    for path in ("/nam/2025", "/nam/2025?cap=1", f"/nam/2025/lap-lich/{job}", f"/nam/2025/lap-lich/{job}/su-kien"):
        assert other.get(path).status_code == 403, path
    csrf = csrf_of(other.get("/").text)
    before = _jobs(database)
    for path in ("/nam/2025/lap-lich", f"/nam/2025/lap-lich/{job}/dung"):
        refused = other.post(path, data={"csrf": csrf, "tu": "11/2025", "den": "12/2025"})
        assert refused.status_code == 403, path
    assert _jobs(database) == before
    assert 'href="/nam/' not in other.get("/").text


def test_the_form_says_the_apis_time_limit_and_refuses_above_it(
    world: World, browser_of: Browser, database: Database, app: FastAPI
) -> None:
    """The hint, the message and the check say one rule: 1 to the server's cap per month;
    one second more is refused beside the field (it was silently cut), naming the value."""
    cap = int(app.state.settings.max_solve_seconds)
    planner = browser_of("canbo")
    page = planner.get("/nam/2025")
    assert f"từ 1 đến {cap} giây mỗi tháng" in page.text
    assert "lập cùng lúc" in page.text
    assert "lần lượt" not in page.text
    before = _jobs(database)
    data = {"csrf": csrf_of(page.text), "tu": "11/2025", "den": "12/2025", "giay": str(cap + 1)}
    response = planner.post("/nam/2025/lap-lich", data=data)
    assert response.status_code == 422
    beside = re.search(r'<p class="error" id="e-giay" role="alert">([^<]+)</p>', response.text)
    assert beside is not None
    assert f"tối đa {cap} giây" in beside.group(1)
    assert str(cap + 1) in beside.group(1)
    assert _jobs(database) == before


def test_an_empty_range_is_said_beside_its_field_as_mm_yyyy(
    world: World, browser_of: Browser, database: Database
) -> None:
    planner = browser_of("canbo")
    page = planner.get("/nam/2025")
    before = _jobs(database)
    data = {"csrf": csrf_of(page.text), "tu": "01/2025", "den": "03/2025"}
    response = planner.post("/nam/2025/lap-lich", data=data)
    assert response.status_code == 422
    beside = re.search(r'<p class="error" id="e-tu" role="alert">([^<]+)</p>', response.text)
    assert beside is not None, response.text.split("<main")[1][:2000]
    assert beside.group(1) == "Các tháng 01/2025 đến 03/2025 chưa có hội nghị nào được đăng ký"
    assert 'id="e-form"' not in response.text
    assert _jobs(database) == before


def test_an_empty_year_says_so_in_one_line(world: World, browser_of: Browser) -> None:
    """No meetings in 2030: one line pointing to where meetings are registered, not a grid of
    dashes, a chart of zero bars and a table of zeros."""
    html = browser_of("canbo").get("/nam/2030").text
    main = html.split("<main")[1]
    assert "Năm 2030 chưa có hội nghị nào được đăng ký" in main
    assert 'href="/danh-muc?thang=2030-01#hoi-nghi"' in main
    assert "year-grid" not in main
    assert "year-chart" not in main
    assert "year-load" not in main
    assert 'action="/nam/2030/lap-lich"' in main  # the form stays, for when meetings come
