"""Excel in and out: an instance as a workbook (one sheet per kind of row, Vietnamese
headers), and a schedule as the workbook planners print and send.

Reading a workbook builds the same document a JSON file would give, remembering which
sheet and row each part came from, so that validation issues (JSON paths) are reported
as "sheet X, row N, column Y" too. Every problem of the workbook is reported at once.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import time
import zipfile
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import ParseError

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import Font
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from models.errors import InputError, Issue, json_path
from models.instance import Instance
from models.io import instance_from_document, nfc
from models.rules import TERMS

WHAT = "Tệp Excel bài toán"
MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: str = "text"  # text, int, float, date, datetime, list, kind, senior
    required: bool = False
    #: Whether spaces around a text are dropped: yes for ids and the values compared
    #: (an agency), no for the words a person wrote (a name, a theme), kept as in JSON.
    strip: bool = True


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: tuple[Column, ...]
    required: bool = False


COMMUNES = Sheet(
    "Xã phường",
    (
        Column("Mã", "id", required=True),
        Column("Tên", "name", required=True, strip=False),
        Column("Loại", "kind", "kind"),
        Column("Mức quan tâm", "flag", "int"),
        Column("Lý do quan tâm", "flag_reason", strip=False),
        Column("Vĩ độ", "lat", "float"),
        Column("Kinh độ", "lon", "float"),
    ),
    required=True,
)
TEAMS = Sheet(
    "Tổ tuyên vận",
    (
        Column("Mã", "id", required=True),
        Column("Mã xã", "commune", required=True),
        Column("Tên", "name", required=True, strip=False),
    ),
)
DELEGATES = Sheet(
    "Đại biểu",
    (
        Column("Mã", "id", required=True),
        Column("Họ tên", "name", required=True, strip=False),
        Column("Chức vụ", "title", strip=False),
        Column("Cấp", "tier", "int", required=True),
        Column("Cơ quan", "agency", required=True),
        Column("Phụ trách", "in_charge_of", "list"),
        Column("Tối đa mỗi tháng", "max_per_month", "int"),
        Column("Nơi xuất phát", "base"),
    ),
    required=True,
)
LEAVE = Sheet(
    "Ngày nghỉ",
    (
        Column("Mã đại biểu", "delegate", required=True),
        Column("Từ ngày", "from", "date", required=True),
        Column("Đến ngày", "to", "date", required=True),
        Column("Lý do", "reason", strip=False),
    ),
)
MEETINGS = Sheet(
    "Hội nghị",
    (
        Column("Mã", "id", required=True),
        Column("Mã xã", "commune", required=True),
        Column("Bắt đầu", "start", "datetime", required=True),
        Column("Số phút", "minutes", "int"),
        Column("Số đại biểu", "required", "int"),
        Column("Cấp lãnh đạo tối thiểu", "senior_tier", "senior"),
        Column("Chủ đề", "theme", strip=False),
    ),
)
PLACES = Sheet(
    "Địa điểm",
    (
        Column("Mã", "id", required=True),
        Column("Tên", "name", strip=False),
        Column("Vĩ độ", "lat", "float"),
        Column("Kinh độ", "lon", "float"),
    ),
)
ROADS = Sheet(
    "Đường đi",
    (
        Column("Từ", "a", required=True),
        Column("Đến", "b", required=True),
        Column("Số phút", "minutes", "float", required=True),
    ),
)
ATTENDANCES = Sheet(
    "Lịch sử dự",
    (
        Column("Ngày", "date", "date", required=True),
        Column("Mã xã", "commune", required=True),
        Column("Mã đại biểu", "delegate", required=True),
    ),
)
VISITS = Sheet(
    "Lịch sử đột xuất", (Column("Ngày", "date", "date", required=True), Column("Mã tổ", "team", required=True))
)
PINS = Sheet(
    "Ghim",
    (
        Column("Mã hội nghị", "meeting", required=True),
        Column("Mã đại biểu", "delegate", required=True),
        Column("Loại", "kind", required=True),
    ),
)
GENERAL = Sheet(
    "Thông tin chung",
    (
        Column("Khóa", "key", required=True),
        # Kept as written (the plan's name); the other keys' values are stripped when read.
        Column("Giá trị", "value", "any", strip=False),
        Column("Giải thích", "note", strip=False),
    ),
)
SHEETS: tuple[Sheet, ...] = (
    GENERAL,
    COMMUNES,
    TEAMS,
    DELEGATES,
    LEAVE,
    MEETINGS,
    PLACES,
    ROADS,
    ATTENDANCES,
    VISITS,
    PINS,
)
#: Sheets a reader may find and skips: the template's explanations.
GUIDE = "Hướng dẫn"

KINDS = {"xa": "xa", "xã": "xa", "phuong": "phuong", "phường": "phuong", "thi_tran": "thi_tran", "thị trấn": "thi_tran"}
PIN_KINDS = {
    "ghim": "pinned",
    "pinned": "pinned",
    "cấm": "forbidden",
    "forbidden": "forbidden",
    "tham chiếu": "reference",
    "reference": "reference",
}
PIN_WORDS = {"pinned": "ghim", "forbidden": "cấm", "reference": "tham chiếu"}
KIND_WORDS = {"xa": "xã", "phuong": "phường", "thi_tran": "thị trấn"}
OWN_COMMUNE = {"bắt buộc": "hard", "hard": "hard", "mềm": "soft", "soft": "soft", "tắt": "off", "off": "off"}
OWN_COMMUNE_WORDS = {"hard": "bắt buộc", "soft": "mềm", "off": "tắt"}
NO_SENIOR = {"không", "khong", "none", "-"}


@dataclass(frozen=True)
class Place:
    """Where a part of the document came from."""

    sheet: str
    row: int
    columns: dict[str, str]


class WorkbookError(InputError):
    """An :class:`InputError` whose issues also carry their sheet and row."""

    def __init__(self, issues: Sequence[Issue], places: Sequence[Place | None], what: str = WHAT) -> None:
        super().__init__(issues, what)
        self.places = list(places)

    def located(self) -> list[tuple[Issue, str | None, int | None]]:
        return [
            (i, p.sheet if p else None, p.row if p else None) for i, p in zip(self.issues, self.places, strict=True)
        ]


class WorkbookTooLarge(WorkbookError):
    """The workbook costs more to read than :class:`Limits` allow (an API answers 413)."""


@dataclass(frozen=True)
class Limits:
    """What reading one workbook may cost, whatever its size on the wire.

    A compressed upload of a few hundred kilobytes can hold a million rows, and the
    ``<dimension>`` a sheet declares may lie, so rows and cells are counted while they
    are streamed, the declared uncompressed size is checked before anything is parsed,
    and the clock is watched.
    """

    rows_per_sheet: int = 20_000
    cells: int = 1_000_000
    uncompressed_bytes: int = 50 * 2**20
    seconds: float = 30.0


LIMITS = Limits()


# -- reading ------------------------------------------------------------------------


def read_instance(
    data: bytes, more: Callable[[dict[str, Any]], list[Issue]] | None = None, limits: Limits = LIMITS
) -> Instance:
    """A validated :class:`models.Instance` from workbook bytes; raises :class:`WorkbookError`.

    Cells that cannot be read, rows the instance checks refuse and rows the ``more``
    checks of the document (NFC) refuse are reported together; a row already reported
    for an unreadable cell is not reported again.
    """
    document, where, issues, places, present = _read(data, limits)
    found: list[Issue] = []
    instance = None
    try:
        instance = instance_from_document(document)
    except InputError as error:
        found = list(error.issues)
    if more is not None:
        found += more(nfc(document))
    bad_rows = {(p.sheet, p.row) for p in places if p is not None}
    for issue in found:
        if issue.path in _LISTS:
            # A list refused as a whole (none at all): its sheet is empty, or missing.
            sheet = _LISTS[issue.path]
            if sheet.title in present:
                issues.append(_empty_sheet(issue, sheet))
                places.append(Place(sheet.title, 2, {}))
            elif not sheet.required:  # a missing required sheet is already reported
                issues.append(Issue("$", sheet.title, f"thiếu trang tính '{sheet.title}': {issue.message}"))
                places.append(None)
            continue
        place = _locate(where, issue.path)
        if place is None or (place.sheet, place.row) not in bad_rows:
            issues.append(_worded(issue, place))
            places.append(place)
    if instance is not None and not issues:
        return instance
    raise WorkbookError(issues, places)


def _empty_sheet(issue: Issue, sheet: Sheet) -> Issue:
    """A check's issue with a whole list, said of the sheet the list is read from."""
    if issue.value == []:
        message = f"trang '{sheet.title}' không có dòng dữ liệu nào: cần ít nhất một dòng (từ dòng 2)"
    else:
        message = f"trang '{sheet.title}': {issue.message}"
    return Issue("$", issue.value, message)


def _worded(issue: Issue, place: Place | None) -> Issue:
    """A check's issue in the workbook's words: dates as the sheet shows them (dd/mm/yyyy),
    and a value that spans cells of the row (a leave's two dates) by column, cell by cell."""
    sheet = next((s for s in SHEETS if place is not None and s.title == place.sheet), None)
    if place is None or sheet is None:
        return issue
    kinds = {c.key: c.kind for c in sheet.columns}
    value = issue.value
    if isinstance(value, dict) and value and all(k in place.columns for k in value):
        shown = {place.columns[k]: _shown(kinds.get(k), v) for k, v in value.items()}
        cells = "; ".join(f"cột '{h}': {v if isinstance(v, str) else _json(v)}" for h, v in shown.items())
        return Issue(issue.path, shown, f"{issue.message} ({cells})")
    tail = issue.path.rsplit(".", 1)[-1]
    if tail in place.columns:
        return Issue(issue.path, _shown(kinds.get(tail), value), issue.message)
    return issue


def _shown(kind: str | None, value: Any) -> Any:
    """An ISO date (date-time) of the document as a date (date-time) cell shows it."""
    if isinstance(value, str) and kind in ("date", "datetime"):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return f"{moment:%d/%m/%Y}" if kind == "date" else f"{moment:%d/%m/%Y %H:%M}"
    return value


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def read_document(data: bytes, limits: Limits = LIMITS) -> tuple[dict[str, Any], dict[str, Place]]:
    """The instance document a workbook spells, and the place of each of its parts."""
    document, where, issues, places, _ = _read(data, limits)
    if issues:
        raise WorkbookError(issues, places)
    return document, where


SCHEDULE_WHAT = "Tệp Excel lịch phân công"


def _schedule_sheet(title: str) -> Sheet:
    """The columns of the schedule workbook (:mod:`models.documents.schedule_book`): the
    two ids are read, every other column is for people and only checked for what every
    cell is checked for (a formula without its value, a forbidden character)."""
    from models.documents.schedule_book import DELEGATE_ID, HEADERS, MEETING_ID

    keys = {MEETING_ID: "meeting", DELEGATE_ID: "delegate"}
    columns = tuple(Column(h, keys.get(h, h), "text" if h in keys else "any", required=h in keys) for h in HEADERS)
    return Sheet(title, columns, required=True)


def is_schedule(data: bytes, limits: Limits = LIMITS) -> bool:
    """Whether a workbook is a schedule rather than an instance: none of the instance's
    sheets, and a first sheet with a meeting-id column."""
    from models.documents.schedule_book import MEETING_ID

    contents = _streamed(data, limits)
    if not contents or any(sheet.title in contents for sheet in SHEETS):
        return False
    header = next(iter(next(iter(contents.values()))), ())
    return any(isinstance(cell, str) and cell.strip().casefold() == MEETING_ID.casefold() for cell in header)


def read_schedule(data: bytes, instance: Instance, limits: Limits = LIMITS) -> list[tuple[str, str]]:
    """The (meeting, delegate) pairs of a schedule workbook, in its order; raises
    :class:`WorkbookError` naming every bad cell at once.

    The schedule is the first sheet; the others (the empty seats, the score) are what the
    scorer recomputes, and are not read. The ids are the schedule: a planner who changes a
    delegate's id in a cell changes the schedule, whatever the name beside it still says.
    A row with a meeting id and no delegate id is a seat left empty.
    """
    from models.documents.schedule_book import DELEGATE_NAME

    contents = _streamed(data, limits)
    if not contents:
        raise _damaged("tệp Excel không có trang tính nào")
    title, lines = next(iter(contents.items()))
    sheet = _schedule_sheet(title)
    found, problems = _read_sheet(sheet, lines)
    issues = [issue for issue, _ in problems]
    places: list[Place | None] = [Place(title, row, {}) for _, row in problems]
    headers = {c.key: c.header for c in sheet.columns}
    read_headers = {nfc(str(cell).strip()).casefold() for cell in next(iter(lines), ()) if cell is not None}
    if not all(headers[k].casefold() in read_headers for k in ("meeting", "delegate")):
        # Without an id column no row says anything: the missing column is the one issue.
        raise WorkbookError(issues, places, SCHEDULE_WHAT)
    bad_rows = {row for _, row in problems}
    pairs: list[tuple[str, str]] = []
    seen: dict[tuple[str, str], int] = {}

    def bad(number: int, key: str, value: Any, message: str) -> None:
        issues.append(Issue("$", value, f"trang '{title}', dòng {number}, cột '{headers[key]}': {message}"))
        places.append(Place(title, number, {}))

    for number, item, _ in found:
        if number in bad_rows:
            continue
        meeting, delegate = item.get("meeting"), item.get("delegate")
        if meeting is None:
            bad(number, "meeting", None, "thiếu mã hội nghị")
            continue
        if meeting not in instance.meetings_by_id:
            bad(number, "meeting", meeting, f"không có hội nghị mã '{meeting}' trong bài toán")
        if delegate is None:
            if item.get(DELEGATE_NAME) is not None:
                bad(number, "delegate", None, "có tên đại biểu nhưng thiếu mã đại biểu")
            continue  # an empty seat
        if delegate not in instance.delegates_by_id:
            bad(number, "delegate", delegate, f"không có đại biểu mã '{delegate}' trong bài toán")
            continue
        first = seen.setdefault((meeting, delegate), number)
        if first != number:
            bad(number, "delegate", delegate, f"đại biểu '{delegate}' đã có ở dòng {first} cho cùng hội nghị")
            continue
        if meeting in instance.meetings_by_id:
            pairs.append((meeting, delegate))
    if issues:
        # In the order of the rows, as a planner goes down the sheet to correct them.
        ordered = sorted(zip(issues, places, strict=True), key=lambda x: x[1].row if x[1] else 0)
        raise WorkbookError([i for i, _ in ordered], [p for _, p in ordered], SCHEDULE_WHAT)
    return pairs


def _read(
    data: bytes, limits: Limits
) -> tuple[dict[str, Any], dict[str, Place], list[Issue], list[Place | None], set[str]]:
    """The document, where each part came from, the issues of the cells and rows with
    their places, and the titles of the sheets found."""
    contents = _streamed(data, limits)
    issues: list[Issue] = []
    places: list[Place | None] = []
    rows: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = {}
    bad_cells: set[tuple[str, int, str]] = set()
    for sheet in SHEETS:
        if sheet.title not in contents:
            if sheet.required:
                issues.append(Issue("$", sheet.title, f"thiếu trang tính '{sheet.title}'"))
                places.append(None)
            rows[sheet.title] = []
            continue
        bad: set[tuple[int, str]] = set()
        found, problems = _read_sheet(sheet, contents[sheet.title], bad)
        bad_cells |= {(sheet.title, row, key) for row, key in bad}
        rows[sheet.title] = found
        for issue, row in problems:
            issues.append(issue)
            places.append(Place(sheet.title, row, {}))
    for name in contents:
        if name not in {s.title for s in SHEETS} | {GUIDE}:
            issues.append(Issue("$", name, f"trang tính không dùng đến: '{name}' (tên các trang: xem hướng dẫn)"))
            places.append(Place(name, 1, {}))
    document, where, more = _assemble(rows, bad_cells)
    for issue, place in more:
        issues.append(issue)
        places.append(place)
    return document, where, issues, places, set(contents)


#: The sheet each list of the document is read from, by the list's JSON path.
_LISTS: dict[str, Sheet] = {
    "$.communes": COMMUNES,
    "$.delegates": DELEGATES,
    "$.meetings": MEETINGS,
    "$.places": PLACES,
    "$.roads": ROADS,
    "$.history.attendances": ATTENDANCES,
    "$.history.visits": VISITS,
}


@dataclass(frozen=True)
class _Formula:
    """A cell holding a formula; its value is the one Excel cached, when it saved one."""

    text: str


#: What a file that is not an .xlsx workbook (or a damaged one) is told: a user's words, not the library's error.
NOT_XLSX = (
    "không đọc được tệp Excel (.xlsx): tệp hỏng hoặc không phải bảng tính .xlsx "
    "(tệp .xls cũ hay .csv: mở bằng Excel rồi lưu lại dạng Excel Workbook .xlsx)"
)


def _damaged(message: str) -> WorkbookError:
    return WorkbookError([Issue("$", None, message)], [None])


def _too_large(message: str) -> WorkbookTooLarge:
    return WorkbookTooLarge([Issue("$", None, message)], [None])


def _streamed(data: bytes, limits: Limits) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every sheet, as values, read within ``limits``.

    Any failure of a damaged or foreign file (zip, XML, shared strings out of range…),
    while opening or while reading rows, is an input error, never an exception of the
    library. A formula whose value was not cached by the program that saved the file is
    kept as a :class:`_Formula`, so that it is reported rather than read as blank.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            declared = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise _damaged(NOT_XLSX) from None
    if declared > limits.uncompressed_bytes:
        raise _too_large(
            f"tệp Excel quá lớn khi giải nén: {declared // 2**20} MB (tối đa {limits.uncompressed_bytes // 2**20} MB)"
        )
    deadline = time.monotonic() + limits.seconds
    values = _pass(data, limits, deadline, data_only=False)
    formulas = {
        (name, r, c)
        for name, lines in values.items()
        for r, line in enumerate(lines)
        for c, v in enumerate(line)
        if isinstance(v, _Formula)
    }
    if formulas:
        cached = _pass(data, limits, deadline, data_only=True)
        for name, r, c in formulas:
            line = cached[name][r] if r < len(cached[name]) else ()
            value = line[c] if c < len(line) else None
            if value is not None:
                row = list(values[name][r])
                row[c] = value
                values[name][r] = tuple(row)
    return values


def _pass(data: bytes, limits: Limits, deadline: float, *, data_only: bool) -> dict[str, list[tuple[Any, ...]]]:
    cells = 0
    sheet = ""
    try:
        reader = _StreamingReader(io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False)
        reader.read()
        book = reader.wb
    except Exception:  # zipfile, XML and openpyxl errors of a damaged or foreign file
        raise _damaged(NOT_XLSX) from None
    out: dict[str, list[tuple[Any, ...]]] = {}
    try:
        for sheet in book.sheetnames:
            ws = book[sheet]
            lines: list[tuple[Any, ...]] = []
            for line in ws.iter_rows():
                if len(lines) >= limits.rows_per_sheet:
                    raise _too_large(
                        f"trang '{sheet}' có quá {limits.rows_per_sheet} dòng (tối đa {limits.rows_per_sheet})"
                    )
                cells += len(line)
                if cells > limits.cells:
                    raise _too_large(f"tệp có quá {limits.cells} ô (tối đa {limits.cells})")
                if len(lines) % 500 == 0 and time.monotonic() > deadline:
                    raise _too_large(f"đọc tệp Excel quá {limits.seconds:g} giây: tệp quá lớn hoặc quá phức tạp")
                lines.append(tuple(_value(cell, data_only) for cell in line))
            out[sheet] = lines
    except WorkbookError:
        raise
    except Exception as error:  # malformed XML inside a sheet, a shared string out of range…
        xml = isinstance(error, ParseError) or "XML" in type(error).__name__
        detail = "XML không hợp lệ (có ký tự không được phép?)" if xml else "nội dung không đúng cấu trúc Excel"
        raise _damaged(f"tệp Excel bị hỏng, không đọc được trang '{sheet}': {detail}") from None
    finally:
        book.close()
    return out


class _UnsizedSheet(ReadOnlyWorksheet):
    """A read-only sheet that never believes its ``<dimension>``.

    openpyxl sizes a read-only sheet from it when opening, and without one scans the whole
    sheet to look for it (the 116 s of a million-row upload, before a row is counted); a
    stale one makes the rows stop where it says. Left unsized, the rows are read to the
    real end, as the limits count them.
    """

    def _get_size(self) -> None:
        self.reset_dimensions()


class _StreamingReader(ExcelReader):
    """openpyxl's reader with :class:`_UnsizedSheet` for every worksheet (read-only only)."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            ws = _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
            ws.sheet_state = sheet.state
            self.wb._sheets.append(ws)


def _value(cell: Any, data_only: bool) -> Any:
    value = getattr(cell, "value", None)
    if not data_only and getattr(cell, "data_type", None) == "f" and isinstance(value, str):
        return _Formula(value)
    return value


def _read_sheet(
    sheet: Sheet, lines: Iterable[tuple[Any, ...]], bad_cells: set[tuple[int, str]] | None = None
) -> tuple[list[tuple[int, dict[str, Any], dict[str, str]]], list[tuple[Issue, int]]]:
    """The rows of a sheet as items, and the cells that cannot be read; each of those is
    also added to ``bad_cells`` as (row, key), so that it is not reported twice."""
    bad = set() if bad_cells is None else bad_cells
    problems: list[tuple[Issue, int]] = []
    iterator = iter(lines)
    header = next(iterator, None)
    if header is None:
        return [], []
    by_header = {c.header.casefold(): c for c in sheet.columns}
    columns: list[Column | None] = []
    for cell in header:
        title = nfc(str(cell).strip()) if cell is not None else ""
        column = by_header.get(title.casefold())
        if title and column is None:
            problems.append((Issue("$", title, f"trang '{sheet.title}': cột không biết '{title}'"), 1))
        columns.append(column)
    present = {c.key for c in columns if c is not None}
    for column in sheet.columns:
        if column.required and column.key not in present:
            problems.append((Issue("$", column.header, f"trang '{sheet.title}': thiếu cột '{column.header}'"), 1))
    out = []
    for number, line in enumerate(iterator, start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in line):
            continue
        item: dict[str, Any] = {}
        for column, value in zip(columns, line, strict=False):
            if column is None or value is None or (isinstance(value, str) and not value.strip()):
                continue
            if isinstance(value, str) and _FORBIDDEN.search(value):
                char = _FORBIDDEN.search(value).group()  # type: ignore[union-attr]
                message = (
                    f"trang '{sheet.title}', dòng {number}, cột '{column.header}': "
                    f"chứa ký tự không được phép U+{ord(char):04X}"
                )
                problems.append((Issue("$", value, message), number))
                bad.add((number, column.key))
                item[column.key] = value
                continue
            converted = _Bad(_formula_message(value.text)) if isinstance(value, _Formula) else _convert(column, value)
            if isinstance(converted, _Bad):
                message = f"trang '{sheet.title}', dòng {number}, cột '{column.header}': {converted.message}"
                problems.append((Issue("$", _cell(value), message), number))
                bad.add((number, column.key))
                # Keep the raw text, so the row is still checked as a whole (and not as "missing").
                item[column.key] = str(_cell(value))
            else:
                item[column.key] = converted
        out.append((number, item, {c.key: c.header for c in sheet.columns}))
    return out, problems


@dataclass(frozen=True)
class _Bad:
    message: str


def _formula_message(formula: str) -> str:
    return f"ô chứa công thức {formula} chưa có giá trị tính sẵn: hãy nhập giá trị (hoặc mở và lưu lại bằng Excel)"


#: Non-characters and C0 controls other than tab and line breaks: text must not carry them.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _cell(value: Any) -> Any:
    """A cell's value as the issue shows it: dates as dd/mm/yyyy, as the sheet shows them."""
    if isinstance(value, _Formula):
        return value.text
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y}" if value.time() == dt.time() else f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return value


def _convert(column: Column, value: Any) -> Any:
    if not column.strip and column.kind in ("text", "any") and isinstance(value, str):
        return nfc(value)  # words as a person wrote them, spaces and all (as JSON keeps them)
    converters: dict[str, Callable[[Any], Any]] = {
        "text": _text,
        "int": _int,
        "float": _float,
        "date": _date,
        "datetime": _datetime,
        "list": _list,
        "kind": _kind,
        "senior": _senior,
        "any": _any,
    }
    return converters[column.kind](value)


def _text(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number, e.g. 12 read back as 12.0
    return nfc(str(value).strip())


def _int(value: Any) -> Any:
    if isinstance(value, bool):
        return _Bad("phải là số nguyên")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return _Bad("phải là số nguyên")


def _float(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        if re.fullmatch(r"\s*-?\d+\s*", value):
            return int(value)  # "10" is 10, as the number 10 in a cell is
        try:
            return float(value.replace(",", "."))
        except ValueError:
            pass
    return _Bad("phải là số")


def _date(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(text, pattern).date().isoformat()
            except ValueError:
                pass
    return _Bad("ngày không đọc được (dd/mm/yyyy hoặc yyyy-mm-dd)")


def _datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, str):
        text = value.strip()
        for pattern in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"):
            try:
                return dt.datetime.strptime(text, pattern).strftime("%Y-%m-%dT%H:%M")
            except ValueError:
                pass
    return _Bad("ngày giờ không đọc được (dd/mm/yyyy hh:mm)")


def _any(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _list(value: Any) -> Any:
    return [part for part in (p.strip() for p in re.split(r"[,;]", _text(value))) if part]


def _kind(value: Any) -> Any:
    text = _text(value).casefold()
    return KINDS.get(text, _Bad("loại phải là xã, phường hoặc thị trấn"))


def _senior(value: Any) -> Any:
    if isinstance(value, str) and value.strip().casefold() in NO_SENIOR:
        return None
    number = _int(value)
    if isinstance(number, int) and number not in (1, 2, 3):
        return _Bad("phải là 1, 2, 3 hoặc 'không'")
    return number


def _assemble(
    rows: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]],
    bad_cells: Collection[tuple[str, int, str]] = (),
) -> tuple[dict[str, Any], dict[str, Place], list[tuple[Issue, Place]]]:
    """The document the rows spell, where each part came from, and the rows that point
    nowhere (a team of an unknown commune, a leave of an unknown delegate, an unknown pin
    kind or key), each named by its sheet, row, column and the cell's own value. A cell
    already reported as unreadable is not reported again."""
    where: dict[str, Place] = {}
    problems: list[tuple[Issue, Place]] = []

    def place(path: Sequence[str | int], sheet: Sheet, number: int, headers: dict[str, str]) -> None:
        where[json_path(path)] = Place(sheet.title, number, headers)

    def refuse(sheet: Sheet, number: int, headers: dict[str, str], key: str, value: Any, message: str) -> None:
        if (sheet.title, number, key) in bad_cells:
            return
        text = f"trang '{sheet.title}', dòng {number}, cột '{headers[key]}': {message}"
        problems.append((Issue("$", value, text), Place(sheet.title, number, headers)))

    def unknown(
        sheet: Sheet, number: int, headers: dict[str, str], key: str, value: Any, what: str, target: Sheet
    ) -> None:
        if value is None:
            refuse(sheet, number, headers, key, None, f"thiếu {what}")
        else:
            refuse(sheet, number, headers, key, value, f"{what} '{value}' không có trong trang '{target.title}'")

    communes: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for number, item, headers in rows[COMMUNES.title]:
        if isinstance(item.get("id"), str):
            index.setdefault(item["id"], len(communes))
        place(["communes", len(communes)], COMMUNES, number, headers)
        communes.append(item)
    for number, item, headers in rows[TEAMS.title]:
        commune = item.pop("commune", None)
        owner = index.get(str(commune)) if commune is not None else None
        if owner is None:
            unknown(TEAMS, number, headers, "commune", commune, "mã xã", COMMUNES)
            continue
        teams = communes[owner].setdefault("teams", [])
        place(["communes", owner, "teams", len(teams)], TEAMS, number, headers)
        teams.append(item)
    delegates: list[dict[str, Any]] = []
    people: dict[str, int] = {}
    for number, item, headers in rows[DELEGATES.title]:
        if isinstance(item.get("id"), str):
            people.setdefault(item["id"], len(delegates))
        place(["delegates", len(delegates)], DELEGATES, number, headers)
        delegates.append(item)
    for number, item, headers in rows[LEAVE.title]:
        delegate = item.pop("delegate", None)
        owner = people.get(str(delegate)) if delegate is not None else None
        if owner is None:
            unknown(LEAVE, number, headers, "delegate", delegate, "mã đại biểu", DELEGATES)
            continue
        periods = delegates[owner].setdefault("unavailable", [])
        place(["delegates", owner, "unavailable", len(periods)], LEAVE, number, headers)
        periods.append(item)
    document: dict[str, Any] = {"format": "phancong-instance/1", "communes": communes, "delegates": delegates}
    simple = [
        (MEETINGS, ["meetings"]),
        (PLACES, ["places"]),
        (ROADS, ["roads"]),
        (ATTENDANCES, ["history", "attendances"]),
        (VISITS, ["history", "visits"]),
    ]
    for sheet, path in simple:
        items: list[dict[str, Any]] = []
        for number, item, headers in rows[sheet.title]:
            place([*path, len(items)], sheet, number, headers)
            items.append(item)
        if len(path) == 1:
            document[path[0]] = items
        elif items:
            document.setdefault(path[0], {})[path[1]] = items
    document.setdefault("meetings", [])
    keys: dict[str, int] = {}
    known = f"các khóa: {', '.join(GENERAL_KEYS)}"
    for number, item, headers in rows[GENERAL.title]:
        key, value = item.get("key"), item.get("value")
        if key is None:
            refuse(GENERAL, number, headers, "key", None, f"thiếu khóa ({known})")
            continue
        if key not in GENERAL_KEYS:
            refuse(GENERAL, number, headers, "key", key, f"khóa không biết '{key}' ({known})")
            continue
        first = keys.setdefault(key, number)
        if first != number:
            refuse(GENERAL, number, headers, "key", key, f"khóa '{key}' đã có ở dòng {first}")
            continue
        parts = str(key).split(".")
        place(parts, GENERAL, number, {parts[-1]: headers["value"]})
        problem = _general(document, key, value)
        if problem is not None:
            refuse(GENERAL, number, headers, "value", value, problem)
    pins: dict[str, list[dict[str, Any]]] = {"pinned": [], "forbidden": [], "reference": []}
    for number, item, headers in rows[PINS.title]:
        word = item.pop("kind", None)
        kind = PIN_KINDS.get(str(word).strip().casefold()) if word is not None else None
        if kind is None:
            expected = "'ghim', 'cấm' hoặc 'tham chiếu'"
            message = f"thiếu loại ({expected})" if word is None else f"loại phải là {expected}"
            refuse(PINS, number, headers, "kind", word, message)
            continue
        place([kind, len(pins[kind])], PINS, number, headers)
        pins[kind].append(item)
    document |= {k: v for k, v in pins.items() if v}
    return document, where, problems


#: The keys of the general sheet: the instance's own values and its rules, by path.
GENERAL_KEYS: dict[str, str] = {
    "name": "Tên kế hoạch",
    "timezone": "Múi giờ (Asia/Ho_Chi_Minh)",
    "rules.own_commune": "Đổi chéo: bắt buộc, mềm hoặc tắt",
    "rules.rotation_months": "Số tháng xét luân phiên",
    **{f"rules.weights.{t}": f"Trọng số '{t}'" for t in TERMS},
}


def _general(document: dict[str, Any], key: str, value: Any) -> str | None:
    """Put one row of the general sheet into the document; the problem of its value in
    words, if any. The plan's name is kept as written; other values lose their spaces."""
    if value is None:
        return None
    if isinstance(value, str) and key != "name":
        value = value.strip()
    if key == "rules.own_commune":
        value = OWN_COMMUNE.get(str(value).casefold())
        if value is None:
            return "phải là bắt buộc, mềm hoặc tắt"
    parts = key.split(".")
    target = document
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value
    return None


def _locate(where: dict[str, Place], path: str) -> Place | None:
    """The row an issue's JSON path points into: the longest known prefix of the path."""
    probe = path
    while probe:
        if probe in where:
            return where[probe]
        cut = max(probe.rfind("."), probe.rfind("["))
        if cut <= 0:
            return None
        probe = probe[:cut]
    return None


def located_message(issue: Issue, place: Place | None) -> str:
    """The issue's message with its sheet, row and column when known."""
    if place is None or issue.path == "$":
        return issue.message
    tail = issue.path.rsplit(".", 1)[-1]
    column = place.columns.get(tail)
    where = f"trang '{place.sheet}', dòng {place.row}" + (f", cột '{column}'" if column else "")
    return f"{where}: {issue.message}"


# -- writing ------------------------------------------------------------------------


def instance_workbook(document: dict[str, Any], guide: bool = False) -> bytes:
    """The instance as a workbook that :func:`read_document` reads back to the same instance.

    Dates are real date cells shown dd/mm/yyyy, ids and names text cells (leading zeros
    kept, never a formula), lists of choices as data validation; ``guide`` adds the sheet
    that explains each column (the template).
    """
    from models.documents import sheets as cells
    from models.documents.template import add_guide, add_validations

    book = cells.new_book()
    communes = document.get("communes", [])
    delegates = document.get("delegates", [])
    history = document.get("history", {})
    content: list[tuple[Sheet, list[dict[str, Any]]]] = [
        (GENERAL, _general_rows(document)),
        (COMMUNES, communes),
        (TEAMS, [{**t, "commune": c["id"]} for c in communes for t in c.get("teams", [])]),
        (DELEGATES, delegates),
        (LEAVE, [{**p, "delegate": d["id"]} for d in delegates for p in d.get("unavailable", [])]),
        (MEETINGS, document.get("meetings", [])),
        (PLACES, document.get("places", [])),
        (ROADS, document.get("roads", [])),
        (ATTENDANCES, history.get("attendances", [])),
        (VISITS, history.get("visits", [])),
        (PINS, [{**p, "kind": PIN_WORDS[k]} for k in PIN_WORDS for p in document.get(k, [])]),
    ]
    for sheet, items in content:
        ws = book.create_sheet(sheet.title)
        for number, column in enumerate(sheet.columns, start=1):
            cells.put(ws, 1, number, column.header).font = Font(bold=True)
        for row, item in enumerate(items, start=2):
            for number, column in enumerate(sheet.columns, start=1):
                cells.put(ws, row, number, _out(column, item), FORMATS.get(column.kind))
        cells.finish(ws, len(sheet.columns), len(items) + 1, sheet.title)
        add_validations(ws, sheet)
    if guide:
        add_guide(book)
    return cells.save(book)


FORMATS = {"date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm", "text": "@", "list": "@"}


def _general_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for key, note in GENERAL_KEYS.items():
        target: Any = document
        for part in key.split("."):
            target = target.get(part) if isinstance(target, dict) else None
        if target is None:
            continue
        if key == "rules.own_commune":
            target = OWN_COMMUNE_WORDS.get(target, target)
        rows.append({"key": key, "value": target, "note": note})
    return rows


def _out(column: Column, item: dict[str, Any]) -> Any:
    if column.key not in item:
        return None
    value = item[column.key]
    if column.kind == "list":
        return ", ".join(value)
    if column.kind == "senior" and value is None:
        return "không"
    if column.kind == "kind" and value is not None:
        return KIND_WORDS.get(value, value)
    if column.kind == "datetime":
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M")
    if column.kind == "date":
        return dt.date.fromisoformat(value)
    return value


def table_workbook(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """A workbook of simple tables: (sheet title, headers, rows) each, laid out as every
    workbook of the product is (:mod:`models.documents.sheets`)."""
    from models.documents.sheets import Table, tables_workbook

    return tables_workbook([Table(title, headers, [list(line) for line in lines]) for title, headers, lines in sheets])
