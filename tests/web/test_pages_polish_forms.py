"""Page polish over HTTP: the directory's tier hint and leave rows, the year's bounds, the
pickers in Vietnamese order, the report form's one round of errors with each criterion's
own maximum and the decimal comma, the favicon."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from models.labels import TIER_LABELS
from models.storage.db import Database
from models.storage.tables import CommuneRow, MeetingReportRow, TeamRow
from tests.api.world import World
from tests.storage.helpers import row_counts
from tests.web.conftest import csrf_of

Browser = Callable[..., TestClient]
MONTH = "2025-11"
#: Names code-point order gets wrong: ắ after ì, Đ after every other letter, "10" before "2".
EXTRA_COMMUNES = {
    "px-bm": "Phường Bình Minh",
    "px-bc": "Phường Bắc Cường",
    "px-tn": "Xã Thống Nhất",
    "px-dt": "Xã Đồng Tuyển",
    "px-dtn": "Đoàn Thanh niên",
}


class _Options(HTMLParser):
    """The texts of the options of the <select name=...>, in page order."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.inside = False
        self.texts: list[str] = []
        self.current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "select" and dict(attrs).get("name") == self.name:
            self.inside = True
        elif tag == "option" and self.inside:
            self.current = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.inside:
            self.inside = False
        if tag == "option" and self.current is not None:
            self.texts.append("".join(self.current).strip())
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.current.append(data)


def options(html: str, name: str) -> list[str]:
    parser = _Options(name)
    parser.feed(html)
    return parser.texts


def in_order(texts: list[str], expected: list[str]) -> bool:
    """``expected`` appear in ``texts`` in this order (an option may add its id after the name)."""
    found = [e for t in texts for e in expected if t == e or t.startswith(e + " (")]
    return found == expected


def _add_communes_and_teams(database: Database) -> None:
    with database.transaction() as session:
        for cid, name in EXTRA_COMMUNES.items():
            session.add(CommuneRow(id=cid, name=name, flag=0))
        for tid, name in (("c1-s10", "Tổ số 10"), ("c1-s2", "Tổ số 2"), ("c1-s1", "Tổ số 1")):
            session.add(TeamRow(id=tid, commune_id="c1", name=name))
        session.add(TeamRow(id="px-bm-t1", commune_id="px-bm", name="Tổ Bình Minh 1"))


# -- 3, 4: the directory ---------------------------------------------------------------


def test_the_directory_names_tiers_as_everywhere_and_lists_leave_as_rows(world: World, browser_of: Browser) -> None:
    page = browser_of("canbo").get(f"/danh-muc?thang={MONTH}")
    assert page.status_code == 200
    hint = ", ".join(f"{t} {label}" for t, label in TIER_LABELS.items())
    assert hint in page.text
    assert "Ban Chấp hành" not in page.text
    assert "Báo cáo viên" not in page.text
    # No form inside a paragraph (the browser closes the <p> and breaks the line).
    for paragraph in re.findall(r"<p\b[^>]*>(.*?)</p>", page.text, flags=re.S):
        assert "<form" not in paragraph
    # Each leave its own list item with its own delete button.
    lists = re.findall(r'<ul class="leave-list"[^>]*>(.*?)</ul>', page.text, flags=re.S)
    assert lists, "no leave list"
    items = re.findall(r"<li>(.*?)</li>", lists[0], flags=re.S)
    assert items
    for item in items:
        assert item.count("<form") == 1
        assert re.search(r"\d\d/\d\d/\d{4}–\d\d/\d\d/\d{4}", item)
        assert ">Xóa</button>" in item


# -- 5: the year's bounds --------------------------------------------------------------


@pytest.mark.parametrize("year", ["1999", "1900", "2100", "9999"])
def test_a_year_without_months_is_not_found(world: World, browser_of: Browser, year: str) -> None:
    page = browser_of("canbo").get(f"/nam/{year}")
    assert page.status_code == 404
    assert f"Không có năm {year}" in page.text
    assert "2000–2099" in page.text or year == "9999"  # 9999 is no address of a year at all
    assert 'lang="vi"' in page.text


@pytest.mark.parametrize(
    ("year", "absent", "present"), [("2000", "/nam/1999", "/nam/2001"), ("2099", "/nam/2100", "/nam/2098")]
)
def test_the_years_links_stay_inside_the_years(
    world: World, browser_of: Browser, year: str, absent: str, present: str
) -> None:
    page = browser_of("canbo").get(f"/nam/{year}")
    assert page.status_code == 200
    assert f'href="{absent}"' not in page.text
    assert f'href="{present}"' in page.text
    # A year with no meeting has no grid: its one line links to the year's January in the directory.
    months = re.findall(r'href="/(?:thang/|danh-muc\?thang=)(\d{4})-\d\d', page.text)
    assert months
    assert set(months) == {year}


# -- 6: pickers in Vietnamese order ------------------------------------------------------


#: Đ is the letter after D (not after Z), Ắ a kind of A (before B, I).
EXPECTED = ["Đoàn Thanh niên", "Phường Bắc Cường", "Phường Bình Minh", "Xã Đồng Tuyển", "Xã Tả Phời", "Xã Thống Nhất"]


def test_pickers_are_in_vietnamese_order(world: World, browser_of: Browser, database: Database) -> None:
    _add_communes_and_teams(database)
    planner = browser_of("canbo")
    whatif = options(planner.get(f"/kich-ban?thang={MONTH}").text, "commune")
    assert in_order(whatif, EXPECTED), whatif
    month = options(planner.get(f"/thang/{MONTH}").text, "xa")
    assert in_order(month, EXPECTED), month
    report = planner.get("/bao-cao/m1").text
    teams = re.findall(r'name="visits" value="[^"]+"[^>]*> ([^<]+)', report)
    assert in_order(teams, ["Tổ số 1", "Tổ số 2", "Tổ số 10"]), teams


# -- 7: the report form ----------------------------------------------------------------


def _score_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(score_[^"]+)" inputmode="decimal" value="([^"]*)"', html))


def test_every_fault_of_a_report_is_said_in_one_round_with_its_own_maximum(
    world: World, browser_of: Browser, database: Database
) -> None:
    _add_communes_and_teams(database)
    browser = browser_of("kien")
    form = browser.get("/bao-cao/m1")
    assert "Tổ chức hội nghị đúng kỳ, đúng thành phần, đúng quy định (tối đa 15)" in form.text
    before = row_counts(database)
    sent = {
        **_score_fields(form.text),
        "score_to-chuc": "30",
        "score_noi-dung": "abc",
        "score_nam-tinh-hinh": "−3",
        "score_to-tuyen-van": "-3",
    }
    data = {"csrf": csrf_of(form.text), "delegate": "d1", "attended": "1", "visits": ["px-bm-t1"], **sent}
    refused = browser.post("/bao-cao/m1", data=data)
    assert refused.status_code == 422
    errors = dict(re.findall(r'id="e-([^"]+)" role="alert">([^<]+)<', refused.text))
    assert errors["score_to-chuc"].startswith("Cần số từ 0 đến 15;"), errors
    assert errors["score_noi-dung"].startswith("Cần số từ 0 đến 20;"), errors
    assert errors["score_nam-tinh-hinh"].startswith("Cần số từ 0 đến 20;"), errors
    assert errors["score_to-tuyen-van"].startswith("Cần số từ 0 đến 20;"), errors
    # The services' own fault (a team of another commune) in the same round.
    assert "visits" in errors, errors
    assert "1000" not in refused.text
    assert row_counts(database) == before
    # What was typed comes back as typed.
    assert _score_fields(refused.text)["score_to-chuc"] == "30"


def test_scores_take_the_decimal_comma_and_show_it(world: World, browser_of: Browser, database: Database) -> None:
    browser = browser_of("kien")
    form = browser.get("/bao-cao/m1")
    sent = {**_score_fields(form.text), "score_to-tuyen-van": "12,5", "score_to-chuc": "7.5"}
    done = browser.post(
        "/bao-cao/m1",
        data={"csrf": csrf_of(form.text), "delegate": "d1", "attended": "1", **sent},
        follow_redirects=True,
    )
    assert done.status_code == 200, done.text
    with database.reader() as session:
        assert session.scalar(select(MeetingReportRow)) is not None
    shown = _score_fields(done.text)
    assert shown["score_to-tuyen-van"] == "12,5"
    assert shown["score_to-chuc"] == "7,5"
    total = re.search(r"Tổng hiện tại: ([\d.,]+)/100", done.text)
    assert total, done.text
    assert "." not in total.group(1)
    ranking = browser_of("canbo").get(f"/xep-hang?thang={MONTH}")
    assert re.search(r"<td>\d+(,\d+)?/100</td>", ranking.text), ranking.text
    assert re.search(r"<td>\d+\.\d+/100</td>", ranking.text) is None
    assert "từ 90 điểm" in ranking.text


# -- 8: the favicon --------------------------------------------------------------------


def test_pages_have_a_favicon(world: World, browser_of: Browser) -> None:
    anonymous = browser_of()
    page = anonymous.get("/dang-nhap")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page.text
    icon = anonymous.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert len(icon.content) < 2048
    moved = anonymous.get("/favicon.ico", follow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["location"] == "/static/favicon.svg"
    assert anonymous.get("/favicon.ico").status_code == 200
