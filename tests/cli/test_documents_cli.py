"""The command line with workbooks and documents: instances as .xlsx, convert, template,
solve --out by extension, and bad cells reported all at once with exit code 2."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from cli.documents import body_in_a_sentence
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
    assert '--sign-mode = "X": chỉ nhận T/M (thay mặt), T/L (thừa lệnh), K/T (ký thay)' in result.stderr
    assert not out.exists()


def _gapped(tmp_path: Path) -> Path:
    """Tiny with ids 007 (d1) and 01 (m1), and m2 asking for five delegates: one seat stays empty."""
    text = TINY.read_text(encoding="utf-8").replace('"d1"', '"007"').replace('"m1"', '"01"')
    document = json.loads(text)
    document["meetings"][1]["required"] = 5
    path = tmp_path / "gap.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _total(instance: Path, schedule: Path) -> int:
    result = phancong("score", instance, schedule, "--json")
    assert result.returncode in (0, 1), result.stderr  # 1: a seat stays empty
    return int(json.loads(result.stdout)["total"])


def test_a_solved_workbook_scores_as_the_solution(tmp_path: Path) -> None:
    """solve → .xlsx → score: the same total as the JSON solution of the same solve."""
    instance = _gapped(tmp_path)
    solution = tmp_path / "s.json"
    assert phancong("solve", instance, "--out", solution, "-q", "--time-limit", "5").returncode == 1  # partial
    book = tmp_path / "s.xlsx"
    assert phancong("convert", solution, book, "--instance", instance).returncode == 0
    written = json.loads(solution.read_text(encoding="utf-8"))["score"]["total"]
    assert _total(instance, book) == _total(instance, solution) == written
    solved_book = tmp_path / "solved.xlsx"
    assert phancong("solve", instance, "--out", solved_book, "-q", "--time-limit", "5").returncode == 1
    assert _total(instance, solved_book) == written


def test_solution_json_to_xlsx_to_json_is_the_same_schedule(tmp_path: Path) -> None:
    """JSON → XLSX → JSON: the same assignments, empty seats (with their reasons), visits and
    score; ids keep their leading zeros. The status says nothing was proved of a workbook."""
    instance = _gapped(tmp_path)
    solution, book, back = tmp_path / "s.json", tmp_path / "s.xlsx", tmp_path / "back.json"
    phancong("solve", instance, "--out", solution, "-q", "--time-limit", "5")
    assert phancong("convert", solution, book, "--instance", instance).returncode == 0
    assert phancong("convert", book, back, "--instance", instance).returncode == 0
    before, after = (json.loads(p.read_text(encoding="utf-8")) for p in (solution, back))
    assert [u["seats"] for u in before["unfilled"]] == [1]
    assert any(a["delegate"] == "007" for a in after["assignments"])
    for key in ("assignments", "unfilled", "visits", "score", "instance"):
        assert after[key] == before[key], key
    assert (before["status"], after["status"]) == ("partial", "partial")
    assert "bound" not in after


def test_an_edited_workbook_scores_the_edited_schedule(tmp_path: Path) -> None:
    """A delegate id changed in a cell: `score` scores that schedule (as its JSON would)."""
    book = tmp_path / "s.xlsx"
    assert phancong("convert", EXAMPLES / "tiny.solution.json", book, "--instance", TINY).returncode == 0
    workbook = load_workbook(book)
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    meeting, delegate = headers.index("Mã hội nghị") + 1, headers.index("Mã đại biểu") + 1
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, meeting).value == "m4")
    assert sheet.cell(row, delegate).value == "d3"
    sheet.cell(row, delegate).value = "d4"
    workbook.save(book)
    document = json.loads((EXAMPLES / "tiny.solution.json").read_text(encoding="utf-8"))
    document["assignments"] = [
        {"meeting": "m4", "delegate": "d4"} if a["meeting"] == "m4" else a for a in document["assignments"]
    ]
    del document["score"]
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(document), encoding="utf-8")
    assert _total(TINY, book) == _total(TINY, edited) != 32


def test_an_unknown_id_in_a_workbook_exits_2_naming_the_cell(tmp_path: Path) -> None:
    """An unknown delegate and an unknown meeting: both named (sheet, row, column, value), exit 2."""
    book = tmp_path / "s.xlsx"
    phancong("convert", EXAMPLES / "tiny.solution.json", book, "--instance", TINY)
    workbook = load_workbook(book)
    sheet = workbook.worksheets[0]
    sheet["F2"], sheet["E3"] = "d42", "m42"
    workbook.save(book)
    for command in (("score", TINY, book), ("convert", book, tmp_path / "x.json", "--instance", TINY)):
        result = phancong(*command)
        assert result.returncode == 2
        assert "Tệp Excel lịch phân công không hợp lệ (2 lỗi)" in result.stderr
        assert "dòng 2, cột 'Mã đại biểu': không có đại biểu mã 'd42'" in result.stderr
        assert "dòng 3, cột 'Mã hội nghị': không có hội nghị mã 'm42'" in result.stderr
    assert not (tmp_path / "x.json").exists()


def test_convert_asks_for_the_instance_of_a_schedule_and_only_then(tmp_path: Path) -> None:
    """A schedule without --instance, or an instance with it: exit 2 saying which, nothing written."""
    solution = EXAMPLES / "tiny.solution.json"
    target = tmp_path / "x.xlsx"
    result = phancong("convert", solution, target)
    assert result.returncode == 2
    assert "là lịch phân công: thêm --instance" in result.stderr
    result = phancong("convert", TINY, target, "--instance", TINY)
    assert result.returncode == 2
    assert "--instance chỉ dùng khi nguồn là lịch phân công" in result.stderr
    assert not target.exists()
    book = tmp_path / "s.xlsx"
    phancong("convert", solution, book, "--instance", TINY)
    result = phancong("convert", book, tmp_path / "x.json")
    assert result.returncode == 2
    assert "là lịch phân công" in result.stderr


def test_the_notice_is_printed_from_an_edited_workbook(tmp_path: Path) -> None:
    """`notice` takes the schedule workbook too: the delegate typed in is the one printed."""
    book = tmp_path / "s.xlsx"
    phancong("convert", EXAMPLES / "tiny.solution.json", book, "--instance", TINY)
    workbook = load_workbook(book)
    sheet = workbook.worksheets[0]
    column = [c.value for c in sheet[1]].index("Mã đại biểu") + 1
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, column).value == "d3")
    sheet.cell(row, column).value = "d4"
    workbook.save(book)
    out = tmp_path / "n.docx"
    assert phancong("notice", TINY, book, "--out", out, "--date", "28/10/2025").returncode == 0
    cells = "\n".join(c.text for t in Document(str(out)).tables for r in t.rows for c in r.cells)
    names = {d["id"]: d["name"] for d in json.loads(TINY.read_text(encoding="utf-8"))["delegates"]}
    assert names["d4"] in cells
    assert names["d3"] not in cells


def test_notice_takes_the_same_options_and_checks_them_first(tmp_path: Path) -> None:
    """`notice` has the notice's options as `solve` has them: a bad date is named, exit 2,
    nothing written; `--help` lists them all."""
    out = tmp_path / "n.pdf"
    result = phancong("notice", TINY, EXAMPLES / "tiny.solution.json", "--out", out, "--date", "31/02/2025")
    assert result.returncode == 2
    assert '--date = "31/02/2025": không có ngày này' in result.stderr
    assert not out.exists()
    for written, reason in [("2025-02-26", "ngày phải viết dd/mm/yyyy"), ("26/02/1899", "năm phải trong 2000–2099")]:
        refused = phancong("notice", TINY, EXAMPLES / "tiny.solution.json", "--out", out, "--date", written)
        assert (refused.returncode, f'--date = "{written}": {reason}' in refused.stderr) == (2, True), refused.stderr
    helps = [phancong(command, "--help").stdout for command in ("solve", "notice")]
    for option in ("--parent", "--issuer-short", "--sign-body", "--signer-position", "--recipient", "--date"):
        assert all(option in text for text in helps), option


def test_notice_refuses_a_schedule_that_breaks_a_hard_rule(tmp_path: Path) -> None:
    """An official notice never sends a delegate where the rules forbid: d1 to c3 (in charge
    of it, away that day) is refused with each rule named, exit 2, nothing written."""
    solution = {
        "format": "phancong-solution/1",
        "status": "feasible",
        "assignments": [{"meeting": "m3", "delegate": "d1"}, {"meeting": "m3", "delegate": "d2"}],
    }
    path = tmp_path / "s.json"
    path.write_text(json.dumps(solution), encoding="utf-8")
    out = tmp_path / "n.docx"
    result = phancong("notice", TINY, path, "--out", out)
    assert result.returncode == 2
    assert "vi phạm quy tắc bắt buộc" in result.stderr
    assert "H7" in result.stderr
    assert "H3" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_a_schedule_of_another_instance_is_refused(tmp_path: Path) -> None:
    """The solution names its instance: paired with another, `notice`, `score` and `convert`
    refuse it (exit 2) rather than print other people's meetings."""
    document = json.loads((EXAMPLES / "tiny.solution.json").read_text(encoding="utf-8"))
    document["instance"] = "một bài toán khác"
    path = tmp_path / "s.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    for command in (
        ["notice", TINY, path, "--out", tmp_path / "n.docx"],
        ["score", TINY, path],
        ["convert", path, tmp_path / "s.xlsx", "--instance", TINY],
    ):
        result = phancong(*command)
        assert result.returncode == 2, (command, result.stderr)
        assert "một bài toán khác" in result.stderr
    assert not (tmp_path / "n.docx").exists()
    assert not (tmp_path / "s.xlsx").exists()


def test_a_plan_of_several_months_is_titled_by_its_span(tmp_path: Path) -> None:
    """Two months planned together: the notice and the schedule workbook name both months."""
    instance = tmp_path / "two.json"
    made = phancong(
        "generate", "--communes", "3", "--delegates", "8", "--months", "2", "--seed", "2", "--out", instance
    )
    assert made.returncode == 0, made.stderr
    solution = tmp_path / "s.json"
    assert phancong("solve", instance, "--out", solution, "-q", "--time-limit", "10").returncode == 0
    months = sorted({m["start"][:7] for m in json.loads(instance.read_text(encoding="utf-8"))["meetings"]})
    (y1, m1), (y2, m2) = ((int(y), int(m)) for y, m in (p.split("-") for p in (months[0], months[-1])))
    span = f"từ tháng {m1} đến tháng {m2} năm {y1}" if y1 == y2 else f"từ tháng {m1} năm {y1} đến tháng {m2} năm {y2}"
    out = tmp_path / "n.docx"
    assert phancong("notice", instance, solution, "--out", out).returncode == 0
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert f"Phân công dự, chỉ đạo hội nghị tuyên vận {span}" in text
    book = tmp_path / "s.xlsx"
    assert phancong("convert", solution, book, "--instance", instance).returncode == 0
    sheet = load_workbook(book).worksheets[0]
    assert f"{m2:02d}-{y2}" in sheet.title


def test_notice_options_are_checked_as_the_page_checks_them(tmp_path: Path) -> None:
    """Review A6 through the CLI: an emptied issuing body, a word for the number, an empty
    symbol and only the "Lưu …" line for recipients are each named, exit 2, nothing written;
    options left out take their defaults (shown in --help)."""
    out = tmp_path / "n.pdf"
    solution = EXAMPLES / "tiny.solution.json"
    bad = ["--parent", "", "--issuer", " ", "--number", "abc", "--symbol", "", "--recipient", "Lưu VT."]
    result = phancong("notice", TINY, solution, "--out", out, *bad)
    assert result.returncode == 2, result.stderr
    for said in (
        '--parent = "": không được để trống',
        '--issuer = " ": không được để trống',
        '--number = "abc": chỉ gồm chữ số',
        '--symbol = "": không được để trống',
        "--recipient",
        "cần ít nhất một nơi nhận",
    ):
        assert said in result.stderr, (said, result.stderr)
    assert not out.exists()
    assert phancong("notice", TINY, solution, "--out", out, "--number", "07", "--date", "28/10/2025").returncode == 0
    assert "Số 07-TB/BTG" in "".join(page.extract_text() for page in PdfReader(str(out)).pages)


def test_another_issuing_body_signs_and_speaks_as_itself(tmp_path: Path) -> None:
    """``--issuer`` alone: the sentences and the signature name that body too (review: the
    header said "… TỈNH ỦY" while the body said "Thành ủy" and the signature the default)."""
    out = tmp_path / "n.pdf"
    given = ["--parent", "ĐẢNG BỘ TỈNH TUYÊN QUANG", "--issuer", "BAN TUYÊN GIÁO TỈNH ỦY", "--date", "28/10/2025"]
    result = phancong("notice", TINY, EXAMPLES / "tiny.solution.json", "--out", out, *given)
    assert result.returncode == 0, result.stderr
    text = " ".join("".join(page.extract_text() for page in PdfReader(str(out)).pages).split())
    assert "Ban Tuyên giáo Tỉnh ủy" in text
    assert "Ban Tuyên giáo Thành ủy" not in text
    assert "T/M BAN TUYÊN GIÁO TỈNH ỦY" in text


@pytest.mark.parametrize(
    ("header", "sentence"),
    [
        ("BAN TUYÊN GIÁO VÀ DÂN VẬN TỈNH ỦY", "Ban Tuyên giáo và Dân vận Tỉnh ủy"),
        ("BAN TUYÊN GIÁO THÀNH ỦY LÀO CAI", "Ban Tuyên giáo Thành ủy Lào Cai"),
        ("Ban Tuyên giáo Huyện ủy", "Ban Tuyên giáo Huyện ủy"),
    ],
)
def test_a_bodys_name_in_a_sentence(header: str, sentence: str) -> None:
    assert body_in_a_sentence(header) == sentence
