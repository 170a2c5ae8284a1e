"""The notice of the Lào Cai sample month, as DOCX and PDF: every meeting, unit and delegate
once and in order, the header and signature texts with their diacritics, A4, fonts
embedded; the first PDF page rendered to out/ for a person to look at."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import unicodedata

import pytest
from docx import Document
from pypdf import PdfReader

from models.documents.content import ScheduleLine, lines_from_solution
from models.documents.notice import NoticeSettings, NoticeText, compose, date_line
from models.documents.notice_docx import notice_docx
from models.documents.notice_pdf import notice_pdf
from models.io import load_instance, load_solution
from tests.conftest import ROOT

SAMPLE = ROOT / "scenarios" / "data" / "laocai-2024-03"
SETTINGS = NoticeSettings(
    number="15", signer_name="Nguyễn Thị Đường", recipients=["Thường trực Thành ủy (b/c),", "Lưu."]
)


@pytest.fixture(scope="module")
def lines() -> list[ScheduleLine]:
    instance = load_instance(f"{SAMPLE}.instance.json")
    solution = load_solution(f"{SAMPLE}.solution.json")
    return lines_from_solution(
        instance,
        solution.pairs(),
        [(v.meeting, v.delegate, v.team) for v in solution.visits],
        [(g.meeting, g.reason) for g in solution.unfilled],
    )


@pytest.fixture(scope="module")
def text(lines: list[ScheduleLine]) -> NoticeText:
    return compose(SETTINGS, "2024-03", lines, dt.date(2024, 2, 26))


def _squash(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def _expected(text: NoticeText) -> list[str]:
    return [
        text.parent,
        text.issuer,
        "Số 15-TB/BTG",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Lào Cai, ngày 26 tháng 02 năm 2024",
        "THÔNG BÁO",
        "Phân công dự, chỉ đạo hội nghị tuyên vận tháng 3 năm 2024",
        "Nơi nhận:",
        "T/M BAN TUYÊN GIÁO",
        "TRƯỞNG BAN",
        "Nguyễn Thị Đường",
    ]


def _in_order(haystack: str, needles: list[str]) -> None:
    position = 0
    for needle in needles:
        found = haystack.find(needle, position)
        assert found >= 0, f"{needle!r} missing or out of order"
        position = found + len(needle)


def test_date_line_pads_days_and_the_first_two_months() -> None:
    """Days below 10 and months 1–2 get a leading zero, as the documents' rule says."""
    assert date_line("Lào Cai", dt.date(2024, 3, 5)) == "Lào Cai, ngày 05 tháng 3 năm 2024"
    assert date_line("Lào Cai", dt.date(2024, 1, 15)) == "Lào Cai, ngày 15 tháng 01 năm 2024"


def test_docx_holds_every_text_in_order(text: NoticeText, lines: list[ScheduleLine]) -> None:
    """Read back with python-docx: header, every unit and delegate once in order, signature."""
    document = Document(io.BytesIO(notice_docx(text)))
    header, grid, closing = document.tables
    body = "\n".join(p.text for p in document.paragraphs)
    head = "\n".join(c.text for c in header.rows[0].cells)
    end = "\n".join(c.text for c in closing.rows[0].cells)
    _in_order(head, _expected(text)[:5])
    _in_order(body, _expected(text)[5:7])
    _in_order(end, _expected(text)[7:])
    rows = grid.rows[1:]
    assert len(rows) == len(lines) == 17
    assert [r.cells[2].text for r in rows] == [line.unit for line in lines]
    people = [p for r in rows for p in r.cells[3].text.split("\n")]
    assert people == [f"Đồng chí {a.name} – {a.title}" for line in lines for a in line.delegates]
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert document.styles["Normal"].font.name == "Times New Roman"


def test_pdf_holds_every_text_in_order_on_a4_with_embedded_fonts(text: NoticeText, lines: list[ScheduleLine]) -> None:
    """Read back with pypdf: the same texts with diacritics intact, A4 pages, fonts embedded."""
    reader = PdfReader(io.BytesIO(notice_pdf(text)))
    content = _squash("\n".join(page.extract_text() for page in reader.pages))
    _in_order(content, [_squash(t) for t in _expected(text)[:7]])
    _in_order(content, [_squash(line.unit) for line in lines])
    for line in lines:
        for person in line.delegates:
            assert content.count(_squash(person.name)) >= 1
    _in_order(content, [_squash(t) for t in _expected(text)[7:]])
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    fonts = [f for page in reader.pages for f in page["/Resources"]["/Font"].values()]
    # reportlab lists Helvetica on every page (a standard font, never used here); every
    # font the text is set in is a TrueType serif with its program embedded.
    serif = [f.get_object() for f in fonts if f.get_object()["/Subtype"] == "/TrueType"]
    assert serif
    for font in serif:
        assert "Serif" in str(font["/BaseFont"])
        assert "/FontFile2" in font["/FontDescriptor"].get_object()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_first_page_is_rendered_for_a_person_to_look_at(text: NoticeText) -> None:
    """The first page as PNG in out/ (git ignores it): someone looks at it before a release."""
    folder = ROOT / "out"
    folder.mkdir(exist_ok=True)
    pdf = folder / "thong-bao-laocai-2024-03.pdf"
    pdf.write_bytes(notice_pdf(text))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf), str(folder / "thong-bao")],
        check=True,
        timeout=60,
    )
    assert any(folder.glob("thong-bao-*1.png"))
