"""The schedule workbook read back: its ids are the schedule, every bad cell is named at
once (sheet, row, column, value), and the reader's limits are the instance reader's."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook

from models.documents.content import lines_from_solution
from models.documents.schedule_book import schedule_workbook
from models.instance import Instance
from models.io import instance_from_document
from models.storage.excel import (
    Limits,
    WorkbookError,
    WorkbookTooLarge,
    instance_workbook,
    is_schedule,
    read_schedule,
)

SHEET = "Lịch tháng 11-2025"
PAIRS = [("m1", "d1"), ("m2", "d1"), ("m3", "d2"), ("m3", "d5"), ("m4", "d3")]


def _zeros(document: dict[str, Any]) -> dict[str, Any]:
    """The document with d1 renamed 007 and m1 renamed 01 everywhere (ids are only ever
    whole JSON strings, so a textual replacement renames every reference too)."""
    text = json.dumps(document, ensure_ascii=False).replace('"d1"', '"007"').replace('"m1"', '"01"')
    return json.loads(text)


def _book(instance: Instance, pairs: list[tuple[str, str]]) -> bytes:
    return schedule_workbook(SHEET, lines_from_solution(instance, pairs))


def _edited(data: bytes, edits: dict[str, Any]) -> bytes:
    book = load_workbook(io.BytesIO(data))
    for cell, value in edits.items():
        book.worksheets[0][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _column(data: bytes, header: str) -> str:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return next(c.column_letter for c in sheet[1] if c.value == header)


def _row_of(data: bytes, meeting: str, delegate: str) -> int:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    meeting_col, delegate_col = _column(data, "Mã hội nghị"), _column(data, "Mã đại biểu")
    for row in range(2, sheet.max_row + 1):
        if (sheet[f"{meeting_col}{row}"].value, sheet[f"{delegate_col}{row}"].value) == (meeting, delegate):
            return row
    raise AssertionError(f"no row for {meeting}, {delegate}")


def test_the_workbook_reads_back_as_its_pairs_with_leading_zeros(tiny_document: dict[str, Any]) -> None:
    """Written from a schedule and read back: the same pairs; ids such as 007 and 01 stay text."""
    instance = instance_from_document(_zeros(tiny_document))
    pairs = [("01", "007"), ("m2", "007"), ("m3", "d2"), ("m3", "d5"), ("m4", "d3")]
    read = read_schedule(_book(instance, pairs), instance)
    assert sorted(read) == sorted(pairs)


def test_a_meeting_left_empty_has_its_row_and_no_pair(tiny_document: dict[str, Any]) -> None:
    """A meeting without delegates keeps its row (the gap in the note) and gives no pair."""
    instance = instance_from_document(tiny_document)
    data = _book(instance, PAIRS[:-1])
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.max_row == 1 + 5  # four pairs and the empty m4
    assert sorted(read_schedule(data, instance)) == sorted(PAIRS[:-1])


def test_a_changed_delegate_id_is_the_schedule(tiny_document: dict[str, Any]) -> None:
    """The planner types another delegate's id in a cell: that delegate is read, whatever
    the name beside it still says."""
    instance = instance_from_document(tiny_document)
    data = _book(instance, PAIRS)
    row = _row_of(data, "m4", "d3")
    edited = _edited(data, {f"{_column(data, 'Mã đại biểu')}{row}": "d4"})
    assert sorted(read_schedule(edited, instance)) == sorted([*PAIRS[:-1], ("m4", "d4")])


def test_every_bad_cell_is_named_at_once(tiny_document: dict[str, Any]) -> None:
    """An unknown delegate, an unknown meeting, an id typed as a number, a formula without
    its value, a name without its id and a pair twice: six issues, each naming its sheet,
    row, column and value; no pairs."""
    instance = instance_from_document(_zeros(tiny_document))
    pairs = [("01", "007"), ("m2", "007"), ("m3", "d2"), ("m3", "d5"), ("m4", "d3")]
    data = _book(instance, pairs)
    meeting, delegate = _column(data, "Mã hội nghị"), _column(data, "Mã đại biểu")
    rows = {p: _row_of(data, *p) for p in pairs}
    edited = _edited(
        data,
        {
            f"{delegate}{rows['01', '007']}": "d99",
            f"{meeting}{rows['m2', '007']}": "m99",
            f"{delegate}{rows['m3', 'd2']}": 7,  # 007 typed as a number
            f"{delegate}{rows['m3', 'd5']}": "=B2",  # openpyxl saves no cached value
            f"{delegate}{rows['m4', 'd3']}": None,  # the name is still there
        },
    )
    book = load_workbook(io.BytesIO(edited))
    copy = [c.value for c in book.worksheets[0][rows["m3", "d2"]]]
    copy[_index(delegate)] = "d2"
    book.worksheets[0].append(copy)  # m3, d2 again (the row above now says 7)
    book.worksheets[0].append(copy)
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(WorkbookError) as caught:
        read_schedule(out.getvalue(), instance)
    messages = [i.message for i in caught.value.issues]
    values = [i.value for i in caught.value.issues]
    last = book.worksheets[0].max_row
    expected = [
        (f"dòng {rows['01', '007']}, cột 'Mã đại biểu': không có đại biểu mã 'd99'", "d99"),
        (f"dòng {rows['m2', '007']}, cột 'Mã hội nghị': không có hội nghị mã 'm99'", "m99"),
        (f"dòng {rows['m3', 'd2']}, cột 'Mã đại biểu': không có đại biểu mã '7'", "7"),
        (f"dòng {rows['m3', 'd5']}, cột 'Mã đại biểu': ô chứa công thức =B2 chưa có giá trị", "=B2"),
        (f"dòng {rows['m4', 'd3']}, cột 'Mã đại biểu': có tên đại biểu nhưng thiếu mã đại biểu", None),
        (f"dòng {last}, cột 'Mã đại biểu': đại biểu 'd2' đã có ở dòng {last - 1}", "d2"),
    ]
    assert len(messages) == len(expected), messages
    for text, value in expected:
        index = next(i for i, m in enumerate(messages) if text in m)
        assert messages[index].startswith(f"trang '{SHEET}', ")
        assert values[index] == value
    assert caught.value.what == "Tệp Excel lịch phân công"


def _index(letter: str) -> int:
    return ord(letter) - ord("A")


def test_a_workbook_without_the_id_column_is_refused_naming_it(tiny_document: dict[str, Any]) -> None:
    """A schedule without 'Mã đại biểu' (an export from before it existed) names the column."""
    instance = instance_from_document(tiny_document)
    data = _book(instance, PAIRS)
    book = load_workbook(io.BytesIO(data))
    book.worksheets[0].delete_cols(_index(_column(data, "Mã đại biểu")) + 1)
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(WorkbookError) as caught:
        read_schedule(out.getvalue(), instance)
    assert [i.message for i in caught.value.issues] == [f"trang '{SHEET}': thiếu cột 'Mã đại biểu'"]


def test_the_schedule_reader_keeps_the_limits(tiny_document: dict[str, Any]) -> None:
    """The bounded reader's limits hold for a schedule too: too many rows is too large."""
    instance = instance_from_document(tiny_document)
    with pytest.raises(WorkbookTooLarge):
        read_schedule(_book(instance, PAIRS), instance, Limits(rows_per_sheet=3))


def test_a_schedule_is_told_from_an_instance(tiny_document: dict[str, Any]) -> None:
    instance = instance_from_document(tiny_document)
    assert is_schedule(_book(instance, PAIRS))
    assert not is_schedule(instance_workbook(tiny_document))
