"""What every workbook the product writes shares.

* A cell from user data is never a formula: text starting with ``=``, ``+``, ``-``, ``@``,
  tab or CR (what Excel or LibreOffice would evaluate) is written as a text cell with the
  quote prefix, so ``=1+1`` shows ``=1+1`` and a ``=HYPERLINK(…)`` theme is no link.
* Text never makes the XML malformed: characters XML 1.0 cannot carry (C0 controls other
  than tab and line breaks, U+FFFE/U+FFFF, lone surrogates) become U+FFFD.
* Tables a planner can use as they are: bold frozen header, autofilter, widths from the
  contents with wrapped text, dates dd/mm/yyyy and times hh:mm as real cells, A4
  landscape fitted to the width with the header repeated, a title and page footer, and
  the Board as the author.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

AUTHOR = "Ban Tuyên giáo"
DATE_FORMAT = "dd/mm/yyyy"
TIME_FORMAT = "hh:mm"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
TEXT_FORMAT = "@"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MIN_WIDTH, MAX_WIDTH = 6, 60


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def put(ws: Worksheet, row: int, column: int, value: Any, number_format: str | None = None) -> Cell:
    """Write one cell from data: text stays text (never a formula), dates are real dates."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        text = xml_safe(value)
        cell.value = text
        # openpyxl makes any string starting with "=" a formula; say it is a string, and
        # set the quote prefix so that editing the cell in Excel keeps it text too.
        cell.data_type = "s"
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    else:
        cell.value = value
    if number_format is not None:
        cell.number_format = number_format
    elif isinstance(value, dt.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, dt.time):
        cell.number_format = TIME_FORMAT
    return cell


@dataclass(frozen=True)
class Table:
    """One sheet: title, headers, rows, and optionally a number format per column."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    formats: Sequence[str | None] = ()
    caption: str | None = None
    """Printed in the page header (the sheet's title when none)."""


def new_book() -> Workbook:
    book = Workbook()
    book.remove(book.active)
    book.properties.creator = AUTHOR
    book.properties.lastModifiedBy = AUTHOR
    return book


def add_table(book: Workbook, table: Table) -> Worksheet:
    ws = book.create_sheet(sheet_title(table.title))
    for column, header in enumerate(table.headers, start=1):
        put(ws, 1, column, header).font = Font(bold=True)
    for number, line in enumerate(table.rows, start=2):
        for column, value in enumerate(line, start=1):
            fmt = table.formats[column - 1] if column - 1 < len(table.formats) else None
            put(ws, number, column, value, fmt)
    finish(ws, len(table.headers), len(table.rows) + 1, table.caption or table.title)
    return ws


def finish(ws: Worksheet, columns: int, rows: int, caption: str) -> None:
    """Header frozen and filtered, widths from contents, wrap, print set-up."""
    if columns == 0:
        return
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(rows, 1)}"
    widths = [MIN_WIDTH] * columns
    for line in ws.iter_rows(min_row=1, max_row=rows, max_col=columns):
        for i, cell in enumerate(line):
            widths[i] = max(widths[i], _width(cell.value))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(MAX_WIDTH, width + 2)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.oddHeader.center.text = xml_safe(caption).replace("&", "&&")
    ws.oddFooter.center.text = "Trang &P / &N"


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, dt.time):
        return 5
    return max((len(part) for part in str(value).splitlines()), default=0)


def sheet_title(title: str) -> str:
    """A sheet name Excel accepts: no []:*?/\\ and at most 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", "-", xml_safe(title))[:31]


def save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def tables_workbook(tables: Sequence[Table]) -> bytes:
    book = new_book()
    for table in tables:
        add_table(book, table)
    return save(book)
