"""Excel import: a workbook reads back as the instance it was written from, and every bad
row is reported with its sheet, row and column; nothing is written when one row is bad."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from models.io import instance_from_document
from models.storage import importer
from models.storage.db import Database
from models.storage.excel import WorkbookError, instance_workbook, located_message, read_instance
from tests.storage.helpers import row_counts


def _edit_cells(data: bytes, edits: dict[tuple[str, str], Any]) -> bytes:
    """Workbook bytes with cells (sheet, "B3") replaced."""
    book = load_workbook(io.BytesIO(data))
    for (sheet, cell), value in edits.items():
        book[sheet][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_workbook_round_trip_gives_the_same_instance(sample_document: dict[str, Any]) -> None:
    """The sample written as a workbook and read back is the same instance."""
    original = instance_from_document(sample_document)
    again = read_instance(instance_workbook(sample_document))
    assert again.communes == original.communes
    assert again.delegates == original.delegates
    assert again.meetings == original.meetings
    assert again.roads == original.roads
    assert again.history == original.history
    assert (again.pinned, again.forbidden, again.places) == (original.pinned, original.forbidden, original.places)


def test_bad_rows_are_located_by_sheet_row_and_column(tiny_document: dict[str, Any]) -> None:
    """Bad cells in three sheets (an unknown commune, a tier out of range, an unreadable
    date) are all reported at once, each with its sheet, Excel row and column."""
    data = _edit_cells(
        instance_workbook(tiny_document),
        {("Hội nghị", "B3"): "c99", ("Đại biểu", "D6"): 7, ("Ngày nghỉ", "B2"): "ngày mai"},
    )
    with pytest.raises(WorkbookError) as caught:
        read_instance(data)
    located = {(sheet, row) for _, sheet, row in caught.value.located()}
    assert located == {("Hội nghị", 3), ("Đại biểu", 6), ("Ngày nghỉ", 2)}
    messages = [located_message(i, p) for i, p in zip(caught.value.issues, caught.value.places, strict=True)]
    assert any("trang 'Hội nghị', dòng 3, cột 'Mã xã'" in m for m in messages)
    assert any("trang 'Ngày nghỉ', dòng 2, cột 'Từ ngày'" in m for m in messages)


def test_unknown_sheet_and_column_are_reported(tiny_document: dict[str, Any]) -> None:
    """A misspelt sheet or column is an error, never silently ignored."""
    book = load_workbook(io.BytesIO(instance_workbook(tiny_document)))
    book.create_sheet("Ghi chú")
    book["Xã phường"]["H1"] = "Dân số"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(WorkbookError) as caught:
        read_instance(out.getvalue())
    values = {issue.value for issue in caught.value.issues}
    assert {"Ghi chú", "Dân số"} <= values


def test_not_a_workbook_is_an_input_error() -> None:
    """Bytes that are not an .xlsx file give an input error, not a crash."""
    with pytest.raises(WorkbookError):
        read_instance(b"PK\x03\x04 not really a zip")
    with pytest.raises(WorkbookError):
        read_instance("mã,tên\nc1,Phường".encode())


def test_workbook_with_one_bad_row_writes_nothing(database: Database, tiny_document: dict[str, Any]) -> None:
    """Importing a workbook with one bad meeting row leaves every table as it was."""
    data = _edit_cells(instance_workbook(tiny_document), {("Hội nghị", "B5"): "c99"})
    empty = row_counts(database)
    with pytest.raises(WorkbookError), database.transaction() as session:
        importer.import_workbook(session, data)
    assert row_counts(database) == empty
    with database.transaction() as session:
        summary = importer.import_workbook(session, instance_workbook(tiny_document))
    assert (summary.communes, summary.delegates, summary.meetings) == (4, 5, 4)


def test_workbook_reports_format_and_storage_issues_at_once(database: Database, tiny_document: dict[str, Any]) -> None:
    """A tier out of range and a meeting id too long for its column are both located in
    one error, and nothing is written."""
    long_id = "m" * 65
    data = _edit_cells(instance_workbook(tiny_document), {("Đại biểu", "D2"): 9, ("Hội nghị", "A2"): long_id})
    empty = row_counts(database)
    with pytest.raises(WorkbookError) as caught, database.transaction() as session:
        importer.import_workbook(session, data)
    located = {(issue.value, sheet, row) for issue, sheet, row in caught.value.located()}
    assert {(9, "Đại biểu", 2), (long_id, "Hội nghị", 2)} <= located
    assert row_counts(database) == empty
