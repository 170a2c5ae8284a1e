"""The directory pages over HTTP: each list renders, its forms add and answer beside the
field, a bad workbook lists every bad cell and writes nothing, downloads, CSRF and roles."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from models.storage.clock import local
from models.storage.db import Database
from models.storage.excel import instance_workbook
from models.storage.tables import CommuneRow, DelegateRow, LeaveRow, MeetingRow, RoadRow
from tests.api.world import World
from tests.storage.helpers import row_counts
from tests.web.conftest import csrf_of

Browser = Callable[..., TestClient]
MONTH = "2025-11"


def test_the_directory_lists_everything(world: World, browser_of: Browser) -> None:
    page = browser_of("canbo").get(f"/danh-muc?thang={MONTH}")
    assert page.status_code == 200, page.text
    for text in ("Xã/phường và tổ tuyên vận", "Đại biểu và ngày nghỉ", "Hội nghị đã đăng ký tháng 11/2025", "Đường đi"):
        assert text in page.text
    assert "Nguyễn Văn Kiên" in page.text
    assert "Thông báo tháng 11/2025 (DOCX)" in page.text  # November is published


def test_adding_a_commune_and_a_bad_flag_reason(world: World, browser_of: Browser, database: Database) -> None:
    browser = browser_of("canbo")
    csrf = csrf_of(browser.get("/danh-muc").text)
    added = browser.post(
        "/danh-muc/xa", data={"csrf": csrf, "id": "c77", "name": "Xã Mới", "flag": "0"}, follow_redirects=False
    )
    assert added.status_code == 303
    with database.reader() as session:
        assert session.get(CommuneRow, "c77") is not None
    refused = browser.post("/danh-muc/xa/c77/muc", data={"csrf": csrf, "flag": "2", "flag_reason": ""})
    assert refused.status_code == 422
    assert "phải ghi lý do" in refused.text
    taken = browser.post("/danh-muc/xa", data={"csrf": csrf, "id": "c77", "name": "Xã Khác", "flag": "0"})
    assert taken.status_code == 409
    assert "Đã có xã/phường mã c77" in taken.text


def test_leave_in_dd_mm_yyyy_and_a_bad_date_beside_the_field(
    world: World, browser_of: Browser, database: Database
) -> None:
    browser = browser_of("canbo")
    csrf = csrf_of(browser.get("/danh-muc").text)
    bad = browser.post("/danh-muc/dai-bieu/d1/nghi", data={"csrf": csrf, "from": "31/02/2025", "to": "01/03/2025"})
    assert bad.status_code == 422
    assert "Ngày không đúng: “31/02/2025”" in bad.text
    good = browser.post(
        "/danh-muc/dai-bieu/d1/nghi",
        data={"csrf": csrf, "from": "10/12/2025", "to": "12/12/2025", "reason": "Công tác"},
        follow_redirects=True,
    )
    assert good.status_code == 200
    assert "10/12/2025–12/12/2025 (Công tác)" in good.text
    with database.reader() as session:
        assert session.scalar(select(LeaveRow).where(LeaveRow.reason == "Công tác")) is not None


def test_a_bad_workbook_lists_its_bad_cells_and_writes_nothing(
    world: World, browser_of: Browser, database: Database, tiny_document: dict[str, Any]
) -> None:
    browser = browser_of("canbo")
    csrf = csrf_of(browser.get("/danh-muc").text)
    book = load_workbook(io.BytesIO(instance_workbook(tiny_document)))
    book["Hội nghị"]["B4"] = "c99"
    data = io.BytesIO()
    book.save(data)
    before = row_counts(database)
    response = browser.post(
        "/danh-muc/nhap-excel", data={"csrf": csrf}, files={"workbook": ("xau.xlsx", data.getvalue())}
    )
    assert response.status_code == 422
    assert "chưa ghi gì" in response.text
    assert "<td>Hội nghị</td><td>4</td><td>Mã xã</td><td><code>c99</code></td>" in response.text
    assert row_counts(database) == before
    garbage = browser.post("/danh-muc/nhap-excel", data={"csrf": csrf}, files={"workbook": ("x.xlsx", b"rac")})
    assert garbage.status_code == 422
    assert row_counts(database) == before


def test_a_good_workbook_says_what_it_brought_in_words(
    world: World, browser_of: Browser, tiny_document: dict[str, Any]
) -> None:
    """The import's summary counts rows in the planner's words (it printed the table
    names: "communes 4, delegates 5")."""
    browser = browser_of("canbo")
    csrf = csrf_of(browser.get("/danh-muc").text)
    response = browser.post(
        "/danh-muc/nhap-excel",
        data={"csrf": csrf},
        files={"workbook": ("tot.xlsx", instance_workbook(tiny_document))},
        follow_redirects=True,
    )
    assert response.status_code == 200
    told = re.search(r"Đã nhập tệp Excel \(([^)]*)\)", response.text)
    assert told is not None
    assert "4 xã/phường" in told.group(1)
    assert "5 đại biểu" in told.group(1)
    assert "4 hội nghị" in told.group(1)
    assert not re.search(r"[a-z_]+ \d", told.group(1))  # no table name left


def test_downloads(world: World, browser_of: Browser) -> None:
    browser = browser_of("canbo")
    blank = browser.get("/danh-muc/mau.xlsx")
    assert blank.status_code == 200
    assert blank.content[:2] == b"PK"
    docx = browser.get(f"/danh-muc/{MONTH}/thong-bao.docx")
    assert docx.status_code == 200
    assert docx.content[:2] == b"PK"
    pdf = browser.get(f"/danh-muc/{MONTH}/thong-bao.pdf")
    assert pdf.status_code == 200
    assert pdf.content[:4] == b"%PDF"
    book = browser.get(f"/danh-muc/{MONTH}/lich.xlsx")
    assert book.status_code == 200
    assert book.content[:2] == b"PK"
    assert browser.get("/danh-muc/2031-01/lich.xlsx").status_code == 404


def test_a_form_without_csrf_is_refused(world: World, browser_of: Browser, database: Database) -> None:
    browser = browser_of("canbo")
    before = row_counts(database)
    response = browser.post("/danh-muc/xa", data={"id": "c78", "name": "Xã Không", "flag": "0"})
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert row_counts(database) == before


@pytest.mark.parametrize("username", ["kien", "coclieu"])
def test_other_roles_are_refused(world: World, browser_of: Browser, database: Database, username: str) -> None:
    browser = browser_of(username)
    for path in ("/danh-muc", "/danh-muc/mau.xlsx", f"/danh-muc/{MONTH}/thong-bao.pdf", f"/danh-muc/{MONTH}/lich.xlsx"):
        assert browser.get(path).status_code == 403, path
    csrf = csrf_of(browser.get("/tai-khoan").text)
    before = row_counts(database)
    for path, data in (
        ("/danh-muc/xa", {"id": "c79", "name": "X", "flag": "0"}),
        ("/danh-muc/dai-bieu/d1/nghi", {"from": "01/12/2025", "to": "02/12/2025"}),
        ("/danh-muc/duong", {"a": "c1", "b": "c2", "minutes": "5"}),
    ):
        assert browser.post(path, data={"csrf": csrf, **data}).status_code == 403, path
    assert row_counts(database) == before


def test_editing_a_delegate_a_road_and_moving_a_meeting(world: World, browser_of: Browser, database: Database) -> None:
    browser = browser_of("canbo")
    page = browser.get(f"/danh-muc?thang={MONTH}")
    csrf = csrf_of(page.text)
    fields = {"name": "Nguyễn Văn Kiên", "title": "", "tier": "1", "agency": "Tỉnh ủy", "max_per_month": "9"}
    edited = browser.post("/danh-muc/dai-bieu/d1/sua", data={"csrf": csrf, **fields}, follow_redirects=False)
    assert edited.status_code == 303, edited.text
    bad = browser.post("/danh-muc/dai-bieu/d1/sua", data={"csrf": csrf, **fields, "max_per_month": "99"})
    assert bad.status_code == 422
    assert "Cần số nguyên từ 0 đến 31; đã nhập “99”" in bad.text
    with database.reader() as session:
        delegate = session.get(DelegateRow, "d1")
        assert delegate is not None
        assert delegate.max_per_month == 9
        road = session.scalars(select(RoadRow)).first()
        assert road is not None
        road_id = road.id
    assert browser.post(f"/danh-muc/duong/{road_id}", data={"csrf": csrf, "minutes": "0"}).status_code == 422
    saved = browser.post(f"/danh-muc/duong/{road_id}", data={"csrf": csrf, "minutes": "33"}, follow_redirects=False)
    assert saved.status_code == 303
    moved = browser.post(
        "/danh-muc/hoi-nghi/m1", data={"csrf": csrf, "date": "05/11/2025", "time": "08:00"}, follow_redirects=True
    )
    assert moved.status_code == 200, moved.text
    assert "Đã dời hội nghị" in moved.text
    with database.reader() as session:
        meeting = session.get(MeetingRow, "m1")
        assert meeting is not None
        assert f"{local(meeting.starts_at):%d/%m/%Y %H:%M}" == "05/11/2025 08:00"
        road = session.get(RoadRow, road_id)
        assert road is not None
        assert road.minutes == 33


def test_deleting_leave_and_a_road(world: World, browser_of: Browser, database: Database) -> None:
    browser = browser_of("canbo")
    csrf = csrf_of(browser.get("/danh-muc").text)
    with database.reader() as session:
        leave = session.scalars(select(LeaveRow)).first()
        assert leave is not None
        leave_id, delegate_id = leave.id, leave.delegate_id
        road = session.scalars(select(RoadRow)).first()
        assert road is not None
        road_id = road.id
    gone = browser.post(f"/danh-muc/dai-bieu/{delegate_id}/nghi/{leave_id}/xoa", data={"csrf": csrf})
    assert gone.status_code == 200
    assert "Đã xóa ngày nghỉ" in gone.text
    assert browser.post(f"/danh-muc/dai-bieu/{delegate_id}/nghi/{leave_id}/xoa", data={"csrf": csrf}).status_code == 404
    road_gone = browser.post(f"/danh-muc/duong/{road_id}/xoa", data={"csrf": csrf})
    # A road is refused only when a delegate's base would be left off the roads (the service says which).
    assert road_gone.status_code in (200, 409), road_gone.text
    with database.reader() as session:
        assert session.get(LeaveRow, leave_id) is None
        assert (session.get(RoadRow, road_id) is None) == (road_gone.status_code == 200)


def test_a_communes_district_is_edited_with_the_error_beside_it(
    world: World, browser_of: Browser, database: Database
) -> None:
    """The commune's form saves its district (blank: none); one too long is shown beside
    the field, what was typed kept, nothing written; the list shows the district."""
    browser = browser_of("canbo")
    csrf = csrf_of(browser.get("/danh-muc").text)
    form = {"csrf": csrf, "name": "Phường Cốc Lếu", "kind": "phuong"}
    saved = browser.post("/danh-muc/xa/c1/sua", data={**form, "district": "thành phố Lào Cai"}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    with database.reader() as session:
        assert session.get(CommuneRow, "c1").district == "thành phố Lào Cai"  # type: ignore[union-attr]
    assert "Phường Cốc Lếu</strong>, thành phố Lào Cai" in browser.get("/danh-muc").text
    long = "huyện " + "x" * 100
    refused = browser.post("/danh-muc/xa/c1/sua", data={**form, "district": long})
    assert refused.status_code == 422
    assert '<p class="error" id="e-cdistrict-c1" role="alert">dài quá 100 ký tự</p>' in refused.text
    assert f'value="{long}"' in refused.text
    bad_kind = browser.post("/danh-muc/xa/c1/sua", data={**form, "kind": "tinh", "district": ""})
    assert bad_kind.status_code == 422
    assert "Chọn xã, phường, thị trấn hoặc không ghi" in bad_kind.text
    with database.reader() as session:
        assert session.get(CommuneRow, "c1").district == "thành phố Lào Cai"  # type: ignore[union-attr]
    cleared = browser.post("/danh-muc/xa/c1/sua", data={**form, "district": "  "}, follow_redirects=False)
    assert cleared.status_code == 303
    added = browser.post(
        "/danh-muc/xa",
        data={"csrf": csrf, "id": "c78", "name": "Bản Vược", "kind": "xa", "district": "huyện Bát Xát", "flag": "0"},
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    with database.reader() as session:
        assert session.get(CommuneRow, "c1").district is None  # type: ignore[union-attr]
        new = session.get(CommuneRow, "c78")
        assert new is not None
        assert (new.kind, new.district) == ("xa", "huyện Bát Xát")
