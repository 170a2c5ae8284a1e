"""The month's documents through the API: the notice (DOCX, PDF) and the CSV of the
published version only, in the published version's own times; exports that stay valid
whatever the text holds; workbook uploads that are refused, never crash."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from typing import Any

from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from models.storage.db import Database
from models.storage.excel import MIME, instance_workbook
from models.storage.tables import AssignmentRow, DelegateRow, MeetingRow
from tests.api.world import MONTH, World, build_world
from tests.storage.helpers import row_counts


def _world(database: Database, tiny_document: dict[str, Any]) -> World:
    return build_world(database, tiny_document)


def test_notice_of_the_published_month_as_docx_and_pdf(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    """Both formats hold every delegate of the published version and the settings' signer."""
    world = _world(database, tiny_document)
    auth = world.auth("planner")
    put = client.put("/settings/notice", json={"signer_name": "Nguyễn Văn Đức", "number": "21"}, headers=auth)
    assert put.status_code == 200, put.text
    docx = client.get(f"/months/{MONTH}/notice.docx", headers=auth)
    assert docx.status_code == 200
    assert docx.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    document = Document(io.BytesIO(docx.content))
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    for name in (
        "Nguyễn Văn Kiên",
        "Trần Thị Thu Hà",
        "Lò Văn Sơn",
        "Hoàng Minh Đức",
        "Nguyễn Văn Đức",
        "Số 21-TB/BTG",
    ):
        assert name in cells
    pdf = client.get(f"/months/{MONTH}/notice.pdf", headers=auth)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "Nguyễn Văn Đức" in text
    assert "tháng 11 năm 2025" in text


def test_no_published_version_is_409_in_vietnamese(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    """A month without a published version has no notice: 409 saying so."""
    world = _world(database, tiny_document)
    response = client.get("/months/2025-12/notice.pdf", headers=world.auth("planner"))
    assert response.status_code == 409
    assert "chưa có lịch công bố" in response.json()["detail"]


def test_settings_refuse_control_characters(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    """A setting holding U+FFFF or a control character is a 422 naming the field."""
    world = _world(database, tiny_document)
    response = client.put("/settings/notice", json={"signer_name": "Đức\uffff"}, headers=world.auth("planner"))
    assert response.status_code == 422
    assert "signer_name" in response.text


def test_csv_is_utf8_with_a_bom(client: TestClient, database: Database, tiny_document: dict[str, Any]) -> None:
    """The CSV opens in Excel with its diacritics: UTF-8 with a BOM, dates dd/mm/yyyy."""
    world = _world(database, tiny_document)
    response = client.get(f"/months/{MONTH}/schedule.csv", headers=world.auth("planner"))
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["STT", "Ngày", "Giờ", "Xã/phường"]
    assert all(re.fullmatch(r"\d\d/11/2025", r[1]) for r in rows[1:])


def test_published_times_and_order_are_the_versions_own(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    """A meeting moved after publication is printed (and sorted) where the notice put it."""
    world = _world(database, tiny_document)
    before = client.get(f"/months/{MONTH}/workbook.xlsx", headers=world.auth("planner"))
    with database.transaction() as session:
        for meeting in session.scalars(select(MeetingRow).where(MeetingRow.month == MONTH)):
            meeting.starts_at = meeting.starts_at + dt.timedelta(days=20 if meeting.id == "m1" else 0)
    after = client.get(f"/months/{MONTH}/workbook.xlsx", headers=world.auth("planner"))
    assert after.status_code == 200

    def dates(body: bytes) -> list[tuple[Any, ...]]:
        sheet = load_workbook(io.BytesIO(body)).worksheets[0]
        return [tuple(r[:6]) for r in sheet.iter_rows(min_row=2, values_only=True)]

    assert dates(after.content) == dates(before.content)
    book = load_workbook(io.BytesIO(after.content))
    assert book.worksheets[0]["B2"].number_format == "dd/mm/yyyy"
    assert book.properties.creator == "Ban Tuyên giáo"


def _notice_cells(body: bytes) -> str:
    return "\n".join(c.text for t in Document(io.BytesIO(body)).tables for r in t.rows for c in r.cells)


def _workbook_people(body: bytes) -> dict[str, tuple[str, str]]:
    """Delegate id → (name, title) as the schedule workbook's first sheet prints them."""
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    headers = [c.value for c in sheet[1]]
    at = {h: headers.index(h) for h in ("Mã đại biểu", "Đại biểu", "Chức vụ")}
    return {
        row[at["Mã đại biểu"]]: (row[at["Đại biểu"]], row[at["Chức vụ"]])
        for row in sheet.iter_rows(min_row=2, values_only=True)
        if row[at["Mã đại biểu"]]
    }


def test_a_published_version_prints_the_names_and_titles_it_was_published_with(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    """Renamed and promoted after publication: the published notice and workbook still say
    who was sent, as they were then; the draft made since says who they are now."""
    world = _world(database, tiny_document)
    auth = world.auth("planner")
    with database.transaction() as session:
        d1 = session.get(DelegateRow, "d1")
        assert d1 is not None
        d1.name, d1.title = "Phạm Quốc Bảo", "Chủ tịch Hội đồng nhân dân thành phố"
    workbook = client.get(f"/months/{MONTH}/workbook.xlsx", headers=auth)
    assert workbook.status_code == 200
    assert _workbook_people(workbook.content)["d1"] == ("Nguyễn Văn Kiên", "Bí thư Thành ủy")
    notice = client.get(f"/months/{MONTH}/notice.docx", headers=auth)
    assert notice.status_code == 200
    cells = _notice_cells(notice.content)
    assert "Nguyễn Văn Kiên" in cells
    assert "Bí thư Thành ủy" in cells
    assert "Phạm Quốc Bảo" not in cells
    draft = client.get(f"/months/{MONTH}/notice.docx", params={"schedule": world.ids["draft"]}, headers=auth)
    assert draft.status_code == 200
    cells = _notice_cells(draft.content)
    assert "Phạm Quốc Bảo" in cells
    assert "Chủ tịch Hội đồng nhân dân thành phố" in cells
    assert "Nguyễn Văn Kiên" not in cells
    draft_book = client.get(f"/schedules/{world.ids['draft']}/workbook.xlsx", headers=auth)
    assert _workbook_people(draft_book.content)["d1"] == ("Phạm Quốc Bảo", "Chủ tịch Hội đồng nhân dân thành phố")


def test_rows_published_before_names_were_kept_print_the_current_ones(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    """A published row without a frozen name and title (published before 0012) prints the
    delegate's current ones, as it did before."""
    world = _world(database, tiny_document)
    with database.transaction() as session:
        for row in session.scalars(select(AssignmentRow).where(AssignmentRow.schedule_id == world.ids["published"])):
            row.delegate_name = row.delegate_title = None
        d1 = session.get(DelegateRow, "d1")
        assert d1 is not None
        d1.name = "Phạm Quốc Bảo"
    workbook = client.get(f"/months/{MONTH}/workbook.xlsx", headers=world.auth("planner"))
    assert _workbook_people(workbook.content)["d1"] == ("Phạm Quốc Bảo", "Bí thư Thành ủy")


def test_non_characters_in_a_theme_export_cleanly_and_reimport(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    """A theme stored with U+FFFF (from before the contract) exports as valid XML, and the
    exported instance workbook imports back (200), the theme still text."""
    world = _world(database, tiny_document)
    auth = world.auth("planner")
    with database.transaction() as session:
        session.get(MeetingRow, "m1").theme = "Chủ đề \uffff =1+1"  # type: ignore[union-attr]
    for path in (f"/months/{MONTH}/workbook.xlsx", f"/months/{MONTH}/instance.xlsx"):
        response = client.get(path, headers=auth)
        assert response.status_code == 200
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            for name in archive.namelist():
                assert "\uffff" not in archive.read(name).decode("utf-8", "replace")
        load_workbook(io.BytesIO(response.content))  # well-formed: openpyxl parses every part
    exported = client.get(f"/months/{MONTH}/instance.xlsx", headers=auth).content
    again = client.post("/imports/workbook", content=exported, headers={**auth, "Content-Type": MIME})
    assert again.status_code == 200, again.text
    # What could not be written came back as U+FFFD; the formula-like text stayed text.
    assert client.get("/meetings/m1", headers=auth).json()["theme"] == "Chủ đề \ufffd =1+1"


def test_malformed_workbook_is_422_and_a_bomb_413(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    """Raw U+FFFF in a sheet's XML: 422 naming the sheet; a huge declared size: 413; nothing written."""
    world = _world(database, tiny_document)
    auth = {**world.auth("planner"), "Content-Type": MIME}
    good = instance_workbook(tiny_document)
    before = row_counts(database)

    def rewrite(data: bytes, name: str, change: Any) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                body = src.read(info.filename)
                dst.writestr(info.filename, change(body) if info.filename == name else body)
        return out.getvalue()

    bad_row = '<row r="9"><c r="A9" t="inlineStr"><is><t>Xã \uffff</t></is></c></row></sheetData>'.encode()
    broken = rewrite(good, "xl/worksheets/sheet2.xml", lambda b: b.replace(b"</sheetData>", bad_row))
    response = client.post("/imports/workbook", content=broken, headers=auth)
    assert response.status_code == 422
    assert "Xã phường" in response.json()["detail"] + response.text
    line = b'<row><c t="inlineStr"><is><t>c1</t></is></c></row>'
    bomb = rewrite(
        good, "xl/worksheets/sheet2.xml", lambda b: b.replace(b"</sheetData>", line * 1_200_000 + b"</sheetData>")
    )
    assert len(bomb) < 1_000_000
    response = client.post("/imports/workbook", content=bomb, headers=auth)
    assert response.status_code == 413
    assert row_counts(database) == before


def test_template_download(client: TestClient, database: Database, tiny_document: dict[str, Any]) -> None:
    """The planner downloads the blank template; it has its guide sheet."""
    world = _world(database, tiny_document)
    response = client.get("/templates/instance.xlsx", headers=world.auth("planner"))
    assert response.status_code == 200
    assert "Hướng dẫn" in load_workbook(io.BytesIO(response.content)).sheetnames


def test_settings_without_an_issuing_body_or_with_a_word_for_number_are_refused(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    """Review A6 through the API: each bad field named with its value, 422, nothing stored."""
    world = _world(database, tiny_document)
    auth = world.auth("planner")
    before = client.get("/settings/notice", headers=auth).json()
    body = {"parent": "", "issuer": "", "number": "abc", "symbol": "", "recipients": ["Lưu VT."]}
    response = client.put("/settings/notice", json=body, headers=auth)
    assert response.status_code == 422, response.text
    errors = {e["path"]: (e["value"], e["message"]) for e in response.json()["errors"]}
    assert errors["$.parent"] == ("", "không được để trống")
    assert errors["$.issuer"] == ("", "không được để trống")
    assert errors["$.number"] == ("abc", "chỉ gồm chữ số (ví dụ 05, 125); để trống để ghi tay khi vào sổ")
    assert errors["$.symbol"] == ("", "không được để trống")
    assert errors["$.recipients"][0] == ["Lưu VT."]  # the kept copy alone sends it to nobody
    assert "ít nhất một nơi nhận" in errors["$.recipients"][1]
    assert client.get("/settings/notice", headers=auth).json() == before


def test_settings_stored_before_the_checks_stop_the_notice_naming_each_field(
    client: TestClient, database: Database, tiny_document: dict[str, Any]
) -> None:
    """Settings saved before the rules (an empty issuing body, "abc" for a number) print no
    notice with a broken header: 409 naming the fields; a PUT puts them right."""
    from models.storage.tables import ConfigRow
    from services.documents import NOTICE_KEY

    world = _world(database, tiny_document)
    auth = world.auth("planner")
    with database.transaction() as session:
        session.merge(ConfigRow(key=NOTICE_KEY, value={"parent": "", "number": "abc"}))
    for path in ("/settings/notice", f"/months/{MONTH}/notice.pdf"):
        refused = client.get(path, headers=auth)
        assert refused.status_code == 409, (path, refused.text)
        assert "Thiết lập thông báo đã lưu chưa đúng" in refused.text
        assert {"parent", "number"} <= {e["path"].strip("$.") for e in refused.json()["errors"]}
    assert client.put("/settings/notice", json={"number": "21"}, headers=auth).status_code == 200
    assert client.get(f"/months/{MONTH}/notice.pdf", headers=auth).status_code == 200
