"""Cells from user data: never a formula, never malformed XML; the CSV opens right in Excel."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook

from models.documents.content import Attendee, ScheduleLine, ordered
from models.documents.schedule_book import schedule_csv, schedule_workbook

INJECTIONS = ["=1+1", '=HYPERLINK("http://example.invalid","Xem tài liệu")', "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"]


def _line(unit: str, theme: str = "", day: int = 5, hour: int = 8, meeting: str = "m") -> ScheduleLine:
    return ScheduleLine(
        meeting=f"{meeting}{day}{hour}{unit}",
        start=dt.datetime(2024, 3, day, hour, 0),
        minutes=180,
        unit=unit,
        delegates=(Attendee("Nguyễn Văn Đức", "Phó Bí thư"),),
        theme=theme,
    )


@pytest.mark.parametrize("text", INJECTIONS)
def test_formula_like_text_is_written_as_text(text: str) -> None:
    """A commune or theme that looks like a formula is a text cell holding exactly that text."""
    data = schedule_workbook("Lịch", [_line(text, theme=text)])
    sheet = load_workbook(io.BytesIO(data))["Lịch"]
    for column in ("D", "J"):
        cell = sheet[f"{column}2"]
        assert cell.data_type == "s"
        assert cell.value == text
        assert cell.quotePrefix
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_non_characters_never_make_malformed_xml() -> None:
    """U+FFFF and C0 controls are replaced, so the file opens (and re-reads) cleanly."""
    data = schedule_workbook("Lịch", [_line("Xã A", theme="Chủ đề \uffff\x01 cuối")])
    sheet = load_workbook(io.BytesIO(data))["Lịch"]
    assert sheet["J2"].value == "Chủ đề \ufffd\ufffd cuối"


def test_schedule_rows_are_sorted_by_date_then_vietnamese_unit() -> None:
    """Within a day units follow the Vietnamese alphabet (Đ after D, Â after A), not the clock."""
    lines = ordered(
        [_line("Đông Hồ", hour=7), _line("Duyên Hải", hour=14), _line("Âu Cơ", hour=9), _line("An Bình", day=4)]
    )
    assert [line.unit for line in lines] == ["An Bình", "Âu Cơ", "Duyên Hải", "Đông Hồ"]


def test_workbook_cells_are_real_dates_and_times_laid_out_for_printing() -> None:
    """Date and time cells are real values shown dd/mm/yyyy and hh:mm; header frozen and
    filtered; A4 landscape fitted to the width; the Board is the author."""
    book = load_workbook(io.BytesIO(schedule_workbook("Lịch", [_line("Xã A")])))
    sheet = book["Lịch"]
    assert sheet["B2"].value == dt.datetime(2024, 3, 5)
    assert sheet["B2"].number_format == "dd/mm/yyyy"
    assert sheet["C2"].value == dt.time(8, 0)
    assert sheet["C2"].number_format == "hh:mm"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:K2"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$1:$1"
    assert sheet["D2"].alignment.wrap_text
    assert book.properties.creator == "Ban Tuyên giáo"


def test_csv_is_utf8_with_bom_and_defuses_formulas() -> None:
    """The CSV starts with a BOM, keeps the diacritics and prefixes formula-like cells."""
    data = schedule_csv([_line("=1+1"), _line("Xã Tả Phời", day=6)])
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "Xã Tả Phời" in text
    assert "05/03/2024" in text
    assert "'=1+1" in text


def test_ids_are_text_cells_beside_the_names() -> None:
    """The meeting's and the delegate's ids are text cells (leading zeros kept, typed in
    Excel as text too), next to the names; the CSV carries them as well."""
    line = ScheduleLine(
        meeting="007",
        start=dt.datetime(2024, 3, 5, 8, 0),
        minutes=180,
        unit="Xã A",
        delegates=(Attendee("Nguyễn Văn Đức", "Phó Bí thư", "0012"),),
    )
    sheet = load_workbook(io.BytesIO(schedule_workbook("Lịch", [line])))["Lịch"]
    assert [c.value for c in sheet[1]][4:7] == ["Mã hội nghị", "Mã đại biểu", "Đại biểu"]
    for cell, value in ((sheet["E2"], "007"), (sheet["F2"], "0012")):
        assert (cell.value, cell.data_type, cell.number_format) == (value, "s", "@")
    rows = schedule_csv([line]).decode("utf-8-sig").splitlines()
    assert rows[1].split(",")[4:7] == ["007", "0012", "Nguyễn Văn Đức"]
