"""The instance workbook's refusals name the cell (sheet, row, column) and its own value,
in the words of the sheet (dates dd/mm/yyyy), and a workbook written from a document reads
back as that document."""

from __future__ import annotations

import copy
import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from models.documents.template import template_workbook
from models.errors import InputError
from models.io import instance_from_document, instance_to_document
from models.storage.excel import WorkbookError, instance_workbook, located_message, read_document, read_instance
from scenarios.generator import generate


def _edited(data: bytes, edits: dict[tuple[str, str], Any], drop: tuple[str, ...] = ()) -> bytes:
    """Workbook bytes with cells (sheet, "B3") replaced and sheets removed."""
    book = load_workbook(io.BytesIO(data))
    for (sheet, cell), value in edits.items():
        book[sheet][cell] = value
    for title in drop:
        del book[title]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _refusals(data: bytes) -> list[tuple[str, Any]]:
    """The located message and value of every issue of a workbook that must be refused."""
    with pytest.raises(WorkbookError) as caught:
        read_instance(data)
    error = caught.value
    return [(located_message(i, p), i.value) for i, p in zip(error.issues, error.places, strict=True)]


def test_rows_pointing_nowhere_name_their_column_and_own_value() -> None:
    """A pin of an unknown kind, a leave of an unknown delegate and a team of an unknown
    commune: each names its sheet, row and column, and the value typed in that cell (not
    null, nor the row's id)."""
    data = _edited(
        template_workbook(),
        {
            ("Ghim", "A2"): "202403-001",
            ("Ghim", "B2"): "d01",
            ("Ghim", "C2"): "lạ",
            ("Ngày nghỉ", "A2"): "dX",
            ("Tổ tuyên vận", "B2"): "cX",
        },
    )
    found = _refusals(data)
    assert len(found) == 3
    messages = {value: message for message, value in found}
    assert messages["lạ"].startswith("trang 'Ghim', dòng 2, cột 'Loại': loại phải là")
    assert messages["dX"].startswith("trang 'Ngày nghỉ', dòng 2, cột 'Mã đại biểu': mã đại biểu 'dX' không có")
    assert messages["cX"].startswith("trang 'Tổ tuyên vận', dòng 2, cột 'Mã xã': mã xã 'cX' không có")


def test_empty_reference_cells_are_said_missing() -> None:
    """A pin without a kind and a team without a commune: "thiếu …", in their column."""
    data = _edited(
        template_workbook(),
        {("Ghim", "A2"): "202403-001", ("Ghim", "B2"): "d01", ("Tổ tuyên vận", "B2"): None},
    )
    found = _refusals(data)
    assert [m for m, _ in found] == [
        "trang 'Tổ tuyên vận', dòng 2, cột 'Mã xã': thiếu mã xã",
        "trang 'Ghim', dòng 2, cột 'Loại': thiếu loại ('ghim', 'cấm' hoặc 'tham chiếu')",
    ]


def test_an_unreadable_reference_cell_is_reported_once() -> None:
    """A formula without a cached value in a reference cell is one refusal, not two."""
    found = _refusals(_edited(template_workbook(), {("Ngày nghỉ", "A2"): '=LOWER("D01")'}))
    assert len(found) == 1
    assert found[0][0].startswith("trang 'Ngày nghỉ', dòng 2, cột 'Mã đại biểu': ô chứa công thức")


def test_general_sheet_rows_are_located_by_column() -> None:
    """Unknown, missing and repeated keys name the column 'Khóa'; a value the checks refuse
    names its row and the column 'Giá trị'; the cross-assignment in the sheet's words."""
    general = "Thông tin chung"
    data = _edited(
        template_workbook(),
        {
            (general, "A3"): "timezone",
            (general, "B3"): "Sao Hỏa",
            (general, "A4"): "rules.own_commune",
            (general, "B4"): "lạ",
            (general, "A5"): "rules.weights.coverage",
            (general, "B5"): 1,
            (general, "B6"): 5,
            (general, "A7"): "name",
            (general, "B7"): "Kế hoạch khác",
        },
    )
    messages = {m.split(":", 1)[0]: (m, v) for m, v in _refusals(data)}
    assert messages.keys() == {
        f"trang '{general}', dòng 3, cột 'Giá trị'",
        f"trang '{general}', dòng 4, cột 'Giá trị'",
        f"trang '{general}', dòng 5, cột 'Khóa'",
        f"trang '{general}', dòng 6, cột 'Khóa'",
        f"trang '{general}', dòng 7, cột 'Khóa'",
    }
    assert messages[f"trang '{general}', dòng 3, cột 'Giá trị'"][1] == "Sao Hỏa"
    assert messages[f"trang '{general}', dòng 4, cột 'Giá trị'"] == (
        f"trang '{general}', dòng 4, cột 'Giá trị': phải là bắt buộc, mềm hoặc tắt",
        "lạ",
    )
    assert "thiếu khóa" in messages[f"trang '{general}', dòng 6, cột 'Khóa'"][0]
    assert messages[f"trang '{general}', dòng 7, cột 'Khóa'"] == (
        f"trang '{general}', dòng 7, cột 'Khóa': khóa 'name' đã có ở dòng 2",
        "name",
    )


def test_a_missing_sheet_is_named_once() -> None:
    """Without the communes' sheet: one refusal naming it, no bare "cần ít nhất 1 phần tử"."""
    found = _refusals(_edited(template_workbook(), {}, drop=("Xã phường",)))
    messages = [m for m, _ in found]
    assert "thiếu trang tính 'Xã phường'" in messages
    assert all(m.startswith(("trang '", "thiếu trang tính '")) for m in messages), messages
    assert not any("phần tử" in m for m in messages)


def test_an_empty_sheet_is_named() -> None:
    """A delegates' sheet with its header and no row: the refusal names the sheet."""
    cells = {("Đại biểu", f"{c}2"): None for c in "ABCDEFGH"}
    found = _refusals(_edited(template_workbook(), cells))
    assert ("trang 'Đại biểu' không có dòng dữ liệu nào: cần ít nhất một dòng (từ dòng 2)", []) in found
    assert not any("phần tử" in m for m, _ in found)


def test_a_leave_running_backwards_says_its_dates_as_the_sheet_does() -> None:
    """From 03/11/2024 to 15/03/2024: both dates dd/mm/yyyy with their columns, no ISO date."""
    found = _refusals(_edited(template_workbook(), {("Ngày nghỉ", "B2"): "03/11/2024"}))
    assert found == [
        (
            "trang 'Ngày nghỉ', dòng 2: ngày bắt đầu sau ngày kết thúc "
            "(cột 'Từ ngày': 03/11/2024; cột 'Đến ngày': 15/03/2024)",
            {"Từ ngày": "03/11/2024", "Đến ngày": "15/03/2024"},
        )
    ]


def test_an_unreadable_date_cell_is_shown_as_a_date() -> None:
    """A date typed in a number column is shown dd/mm/yyyy, as the cell shows it."""
    found = _refusals(_edited(template_workbook(), {("Đại biểu", "D2"): dt.datetime(2024, 3, 11)}))
    assert found == [("trang 'Đại biểu', dòng 2, cột 'Cấp': phải là số nguyên", "11/03/2024")]


def _spaced(document: dict[str, Any]) -> dict[str, Any]:
    """The document with spaces around the words people write (themes, names, reasons)."""
    spaced = copy.deepcopy(document)
    spaced["name"] = "  Kế hoạch có dấu cách "
    spaced["meetings"][0]["theme"] = "  Chủ đề có dấu cách ở đầu và cuối  "
    spaced["meetings"][1]["theme"] = "\tChủ đề sau một dấu tab"
    spaced["communes"][0]["name"] = " Xã có dấu cách "
    spaced["communes"][0]["flag_reason"] = " lý do "
    spaced["communes"][0].setdefault("teams", []).append({"id": "t-spaced", "name": " Tổ có dấu cách "})
    spaced["delegates"][0]["name"] = " Nguyễn  Văn A "
    spaced["delegates"][0]["title"] = "Phó Trưởng ban "
    spaced["delegates"][0]["unavailable"] = [{"from": "2025-11-03", "to": "2025-11-04", "reason": "  nghỉ phép "}]
    spaced["places"][0]["name"] = " Trụ sở "
    return spaced


@pytest.mark.parametrize("spaces", [False, True], ids=["generated", "spaced-words"])
def test_json_workbook_json_is_lossless(spaces: bool) -> None:
    """A generated instance (8 communes, 2 months, seed 3), as is and with spaces around
    its words, written as a workbook and read back is the same document as JSON → JSON."""
    document = generate(communes=8, months=2, seed=3)
    if spaces:
        document = _spaced(document)
    assert document["roads"]
    assert document["places"]
    through_json = instance_to_document(instance_from_document(document))
    through_workbook = instance_to_document(read_instance(instance_workbook(through_json)))
    # A workbook has no way to say an empty list apart from none at all.
    through_json = {k: v for k, v in through_json.items() if v != []}
    assert through_workbook == through_json


def test_workbook_keeps_integer_numbers_integers() -> None:
    """Road minutes typed as the text "10" are the integer 10, as the number 10 in a cell
    is: the document read from the workbook says 10, not 10.0."""
    document = generate(communes=8, months=2, seed=3)
    data = _edited(instance_workbook(document), {("Đường đi", "C2"): "10", ("Đường đi", "C3"): "12,5"})
    read, _ = read_document(data)
    assert [type(r["minutes"]) for r in read["roads"][:3]] == [int, float, int]
    assert read["roads"][0]["minutes"] == 10
    assert read["roads"][1]["minutes"] == 12.5
    assert read["roads"][2]["minutes"] == document["roads"][2]["minutes"]


def test_a_file_that_is_not_a_workbook_is_told_so_in_words() -> None:
    """A text file named .xlsx, or a cut-off one: the user reads what to do, not the library's error."""
    for data in (b"ma,ten\n001,Xa A\n", instance_workbook({"communes": []})[:200]):
        with pytest.raises(InputError) as caught:
            read_instance(data)
        message = " ".join(issue.message for issue in caught.value.issues)
        assert "không phải bảng tính .xlsx" in message
        assert "Error" not in message
        assert "BadZip" not in message
