"""The command line with workbooks and documents: instances as .xlsx, convert, template,
solve --out by extension, and bad cells reported all at once with exit code 2."""

from __future__ import annotations

import io
import json
from pathlib import Path

from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.cli.test_cli import phancong
from tests.conftest import EXAMPLES

TINY = EXAMPLES / "tiny.instance.json"


def test_convert_json_to_xlsx_and_back_is_lossless(tmp_path: Path) -> None:
    """JSON → XLSX → JSON gives the same document, and both score a schedule the same."""
    book, back = tmp_path / "tiny.xlsx", tmp_path / "tiny.json"
    assert phancong("convert", TINY, book).returncode == 0
    assert phancong("convert", book, back).returncode == 0
    assert json.loads(back.read_text(encoding="utf-8")) == json.loads(TINY.read_text(encoding="utf-8"))
    solution = EXAMPLES / "tiny.solution.json"
    scores = [json.loads(phancong("score", f, solution, "--json").stdout)["total"] for f in (TINY, book)]
    assert scores == [32, 32]


def test_validate_and_solve_read_a_workbook(tmp_path: Path) -> None:
    """`validate` and `solve` take the .xlsx as they take the .json; the score is the same."""
    book = tmp_path / "tiny.xlsx"
    phancong("convert", TINY, book)
    assert phancong("validate", book).returncode == 0
    out = tmp_path / "s.json"
    assert phancong("solve", book, "--out", out, "-q", "--time-limit", "5").returncode == 0
    assert json.loads(out.read_text(encoding="utf-8"))["score"]["total"] == 32


def test_a_workbook_with_bad_cells_exits_2_naming_each(tmp_path: Path) -> None:
    """Five bad cells on three sheets: all five named (sheet, row, column), exit 2, no output."""
    book = tmp_path / "tiny.xlsx"
    phancong("convert", TINY, book)
    workbook = load_workbook(book)
    workbook["Xã phường"]["D2"] = "cao"
    workbook["Xã phường"]["C3"] = "huyện"
    workbook["Đại biểu"]["D2"] = "hai"
    workbook["Hội nghị"]["C2"] = "ngày mai"
    workbook["Hội nghị"]["F3"] = 9
    workbook.save(book)
    out = tmp_path / "s.json"
    result = phancong("solve", book, "--out", out, "--time-limit", "5")
    assert result.returncode == 2
    assert "(5 lỗi)" in result.stderr
    for where in [
        "trang 'Xã phường', dòng 2, cột 'Mức quan tâm'",
        "trang 'Xã phường', dòng 3, cột 'Loại'",
        "trang 'Đại biểu', dòng 2, cột 'Cấp'",
        "trang 'Hội nghị', dòng 2, cột 'Bắt đầu'",
        "trang 'Hội nghị', dòng 3, cột 'Cấp lãnh đạo tối thiểu'",
    ]:
        assert where in result.stderr
    assert not out.exists()


def test_solve_writes_by_the_extension_of_out(tmp_path: Path) -> None:
    """--out .xlsx is the schedule workbook, .docx and .pdf the notice with the options given."""
    options = ["--signer", "Lê Thị Đào", "--number", "07", "--date", "28/10/2025", "-q", "--time-limit", "5"]
    for name in ("s.xlsx", "n.docx", "n.pdf"):
        assert phancong("solve", TINY, "--out", tmp_path / name, *options).returncode == 0
    sheet = load_workbook(tmp_path / "s.xlsx").worksheets[0]
    assert sheet["A1"].value == "STT"
    assert sheet.max_row == 6  # five assignments
    docx_text = "\n".join(c.text for t in Document(str(tmp_path / "n.docx")).tables for r in t.rows for c in r.cells)
    assert "Lê Thị Đào" in docx_text
    assert "Số 07-TB/BTG" in docx_text
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO((tmp_path / "n.pdf").read_bytes())).pages)
    assert "ngày 28 tháng 10 năm 2025" in pdf_text


def test_unknown_out_extension_is_refused_before_solving(tmp_path: Path) -> None:
    """An --out the command cannot write (.txt) is refused with exit 2."""
    result = phancong("solve", TINY, "--out", tmp_path / "s.txt", "--time-limit", "5")
    assert result.returncode == 2
    assert "đuôi tệp" in result.stderr


def test_template_is_a_valid_instance_workbook(tmp_path: Path) -> None:
    """`template --out` writes a workbook that `validate` accepts as it is."""
    book = tmp_path / "mau.xlsx"
    assert phancong("template", "--out", book).returncode == 0
    assert phancong("validate", book).returncode == 0


def test_a_bad_notice_option_is_named_in_vietnamese(tmp_path: Path) -> None:
    """An unknown signing form is refused before solving, naming the option (exit 2)."""
    out = tmp_path / "n.pdf"
    result = phancong("solve", TINY, "--out", out, "--sign-mode", "X", "--time-limit", "5")
    assert result.returncode == 2
    assert '--sign-mode = "X": phải là T/M, T/L hoặc K/T' in result.stderr
    assert not out.exists()
