"""The notice's pages over HTTP (SQLite and PostgreSQL): the settings form saves, a bad
value is shown beside its field and nothing is written, a form without its CSRF token
is refused, delegates and communes are refused; the month page offers the notice of the
version it shows (a draft's marked DỰ THẢO)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from docx import Document
from fastapi.testclient import TestClient
from pypdf import PdfReader

from models.storage.db import Database
from models.storage.tables import ConfigRow
from services.documents import NOTICE_KEY
from tests.api.world import MONTH, World
from tests.web.conftest import csrf_of

Browser = Callable[..., TestClient]
FORM = {
    "parent": "THÀNH ỦY LÀO CAI",
    "issuer": "BAN TUYÊN GIÁO",
    "issuer_short": "Ban Tuyên giáo Thành ủy",
    "number": "21",
    "symbol": "TB/BTG",
    "place": "Lào Cai",
    "province": "tỉnh Lào Cai",
    "sign_mode": "K/T",
    "sign_body": "TRƯỞNG BAN",
    "signer_position": "PHÓ TRƯỞNG BAN",
    "signer_name": "Nguyễn Văn Đức",
    "recipients": "Thường trực Thành ủy (b/c),\n\nLưu Ban Tuyên giáo.",
}


def _stored(database: Database) -> Any:
    with database.reader() as session:
        row = session.get(ConfigRow, NOTICE_KEY)
        return None if row is None else row.value


def test_settings_save_and_reach_the_notice(world: World, browser_of: Browser, database: Database) -> None:
    planner = browser_of("canbo")
    page = planner.get(f"/thiet-lap/thong-bao?thang={MONTH}")
    assert page.status_code == 200, page.text
    assert '<label for="f-signer_name">Họ tên người ký</label>' in page.text
    assert f'href="/thang/{MONTH}"' in page.text
    saved = planner.post(
        "/thiet-lap/thong-bao", data={**FORM, "csrf": csrf_of(page.text), "thang": MONTH}, follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    stored = _stored(database)
    assert stored["signer_name"] == "Nguyễn Văn Đức"
    assert stored["sign_mode"] == "K/T"
    assert stored["province"] == "tỉnh Lào Cai"
    assert stored["recipients"] == ["Thường trực Thành ủy (b/c),", "Lưu Ban Tuyên giáo."]
    after = planner.get(saved.headers["location"])
    assert "Đã lưu thiết lập thông báo." in after.text, after.text.split("<main")[1][:1500]
    assert 'value="Nguyễn Văn Đức"' in after.text
    notice = planner.get(f"/thang/{MONTH}/thong-bao.docx")
    assert notice.status_code == 200
    cells = "\n".join(c.text for t in Document(io.BytesIO(notice.content)).tables for r in t.rows for c in r.cells)
    assert "K/T TRƯỞNG BAN" in cells
    assert "Số 21-TB/BTG" in cells


def test_a_bad_value_is_shown_beside_its_field_and_nothing_written(
    world: World, browser_of: Browser, database: Database
) -> None:
    planner = browser_of("canbo")
    before = _stored(database)
    csrf = csrf_of(planner.get("/thiet-lap/thong-bao").text)
    bad = {
        **FORM,
        "csrf": csrf,
        "signer_name": "Đức\uffff",
        "sign_mode": "Q/Đ",
        "symbol": "x" * 31,
        "province": "tỉnh " + "x" * 100,
    }
    refused = planner.post("/thiet-lap/thong-bao", data=bad)
    assert refused.status_code == 422, refused.text
    assert "Tỉnh, thành phố: dài quá 100 ký tự" in refused.text
    for field in ("signer_name", "sign_mode", "symbol", "province"):
        assert f'id="e-{field}"' in refused.text, field
    assert "Họ tên người ký: không được chứa ký tự điều khiển" in refused.text
    assert "chỉ nhận T/M" in refused.text
    assert "Ký hiệu: dài quá 30 ký tự" in refused.text
    assert 'value="PHÓ TRƯỞNG BAN"' in refused.text  # what was typed stays in the form
    assert _stored(database) == before


def test_a_form_without_csrf_is_refused(world: World, browser_of: Browser, database: Database) -> None:
    planner = browser_of("canbo")
    before = _stored(database)
    refused = planner.post("/thiet-lap/thong-bao", data=FORM)
    assert refused.status_code == 403
    assert "CSRF" in refused.text
    wrong = planner.post("/thiet-lap/thong-bao", data={**FORM, "csrf": "khong-dung"})
    assert wrong.status_code == 403
    assert _stored(database) == before


def test_delegates_and_communes_are_refused(world: World, browser_of: Browser, database: Database) -> None:
    for username in ("kien", "coclieu"):
        other = browser_of(username)
        assert other.get("/thiet-lap/thong-bao").status_code == 403, username
        assert other.get(f"/thang/{MONTH}/thong-bao.pdf").status_code == 403, username
    signed_out = browser_of()
    assert signed_out.get("/thiet-lap/thong-bao", follow_redirects=False).status_code in (303, 401)
    assert _stored(database) is None


def test_the_month_page_offers_the_notice_of_the_version_shown(world: World, browser_of: Browser) -> None:
    planner = browser_of("canbo")
    draft, published = world.ids["draft"], world.ids["published"]
    page = planner.get(f"/thang/{MONTH}").text  # the draft is shown
    assert f'href="/thang/{MONTH}/thong-bao.pdf?ban={draft}"' in page
    assert "có dấu DỰ THẢO" in page
    assert 'href="/thiet-lap/thong-bao?thang=' in page
    marked = planner.get(f"/thang/{MONTH}/thong-bao.pdf?ban={draft}")
    assert marked.status_code == 200
    assert "DỰ THẢO" in (PdfReader(io.BytesIO(marked.content)).pages[0].extract_text() or "")
    shown = planner.get(f"/thang/{MONTH}?ban={published}").text
    assert f'href="/thang/{MONTH}/thong-bao.docx"' in shown
    plain = planner.get(f"/thang/{MONTH}/thong-bao.docx")
    assert all("DỰ THẢO" not in p.text for p in Document(io.BytesIO(plain.content)).paragraphs)
    assert planner.get(f"/thang/{MONTH}/thong-bao.pdf?ban=999999").status_code == 404


def test_an_emptied_issuing_body_and_a_word_for_a_number_are_refused_beside_each_field(
    world: World, browser_of: Browser, database: Database
) -> None:
    """Review A6 on the page: the values the reviewer saved are refused, 422, each message
    beside its field, "Đã lưu" not said and nothing written."""
    planner = browser_of("canbo")
    before = _stored(database)
    csrf = csrf_of(planner.get(f"/thiet-lap/thong-bao?thang={MONTH}").text)
    emptied = {**FORM, "csrf": csrf, "thang": MONTH, "parent": "", "issuer": " ", "number": "abc", "symbol": ""}
    refused = planner.post("/thiet-lap/thong-bao", data={**emptied, "recipients": "\n"}, follow_redirects=False)
    assert refused.status_code == 422, refused.text
    for field, message in (
        ("parent", "Cơ quan cấp trên: không được để trống"),
        ("issuer", "Cơ quan ban hành: không được để trống"),
        ("number", "Số văn bản: chỉ gồm chữ số"),
        ("symbol", "Ký hiệu: không được để trống"),
        ("recipients", "Nơi nhận: cần ít nhất một nơi nhận (ngoài dòng “Lưu …”)"),
    ):
        assert f'<p class="error" id="e-{field}" role="alert">{message}' in refused.text, field
    assert "Đã lưu thiết lập thông báo." not in refused.text
    assert 'value="abc"' in refused.text  # what was typed stays, to be corrected
    assert _stored(database) == before
    # Without the "Lưu …" line the kept copy is added, as every Party document ends "Nơi nhận".
    no_kept_copy = planner.post("/thiet-lap/thong-bao", data={**FORM, "csrf": csrf, "recipients": "Các xã, phường"})
    assert no_kept_copy.status_code in (200, 303), no_kept_copy.text[:500]
    assert _stored(database)["recipients"][-1].startswith("Lưu ")


def test_settings_stored_before_the_checks_are_shown_to_be_corrected(
    world: World, browser_of: Browser, database: Database
) -> None:
    """Settings saved before the rules open with each wrong field marked; the notice is not
    printed from them until they are corrected and saved."""
    with database.transaction() as session:
        session.merge(ConfigRow(key=NOTICE_KEY, value={"parent": "", "number": "abc", "recipients": []}))
    planner = browser_of("canbo")
    page = planner.get("/thiet-lap/thong-bao")
    assert page.status_code == 200
    assert "Thiết lập đã lưu chưa đúng" in page.text
    for field in ("parent", "number", "recipients"):
        assert f'id="e-{field}"' in page.text, field
    assert 'value="BAN TUYÊN GIÁO"' in page.text  # a setting never stored shows its default
    assert planner.get(f"/thang/{MONTH}/thong-bao.pdf").status_code == 409
    saved = planner.post("/thiet-lap/thong-bao", data={**FORM, "csrf": csrf_of(page.text)}, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert planner.get(f"/thang/{MONTH}/thong-bao.pdf").status_code == 200
