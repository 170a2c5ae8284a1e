"""Reading and writing the exchange formats, with every input problem reported at once.

Reading goes: JSON text → JSON Schema (the public contract) → NFC-normalised text →
typed objects → semantic checks (:mod:`models.validation`). Any failure raises
:class:`~models.errors.InputError` listing every issue with its JSON path and value.
"""

from __future__ import annotations

import errno
import json
import unicodedata
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from models import schema, validation
from models.errors import InputError, Issue, json_path
from models.instance import Instance
from models.reasons import reason
from models.solution import Solution


def nfc(value: Any) -> Any:
    """Every string inside ``value`` in Unicode NFC, the one form we store and compare."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [nfc(v) for v in value]
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    return value


#: Why a file could not be read, by ``errno``: ``OSError.strerror`` is English ("No such
#: file or directory") and planners read Vietnamese. A rare cause gets its error code, which
#: is at least something to search for.
_OS_REASONS: dict[int, str] = {
    errno.ENOENT: "không có tệp này",
    errno.EISDIR: "đây là một thư mục, không phải tệp",
    errno.EACCES: "không có quyền đọc tệp",
    errno.EPERM: "không có quyền đọc tệp",
    errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.ENAMETOOLONG: "đường dẫn quá dài",
    errno.ELOOP: "đường dẫn có liên kết vòng",
}

#: What differs when the file was being written.
_OS_WRITE_REASONS: dict[int, str] = {
    errno.ENOENT: "không có thư mục chứa tệp này",
    errno.EACCES: "không có quyền ghi tệp",
    errno.EPERM: "không có quyền ghi tệp",
    errno.ENOSPC: "hết chỗ trên đĩa",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.EISDIR: "đây là một thư mục, không phải tệp",
}


def os_reason(err: OSError, *, writing: bool = False) -> str:
    """Why the file could not be read (or written), in Vietnamese."""
    if writing and err.errno in _OS_WRITE_REASONS:
        return _OS_WRITE_REASONS[err.errno]
    if err.errno in _OS_REASONS:
        return _OS_REASONS[err.errno]
    code = errno.errorcode.get(err.errno, "") if err.errno is not None else ""
    return f"lỗi hệ thống {code}".rstrip()


#: The JSON decoder's complaints (``JSONDecodeError.msg``, English), by how they begin.
_JSON_REASONS: list[tuple[str, str]] = [
    ("Expecting value", "thiếu giá trị (tệp trống, hoặc không phải JSON)"),
    ("Expecting property name enclosed in double quotes", 'tên trường phải trong ngoặc kép "…"'),
    ("Expecting ':' delimiter", "thiếu dấu hai chấm ':' sau tên trường"),
    ("Expecting ',' delimiter", "thiếu dấu phẩy ',' giữa hai phần tử"),
    ("Unterminated string", "chuỗi chưa đóng ngoặc kép"),
    ("Invalid control character", "ký tự điều khiển trong chuỗi"),
    ("Invalid \\uXXXX escape", "mã \\uXXXX không đúng"),
    ("Invalid \\escape", "dấu \\ không đúng chỗ"),
    ("Extra data", "còn dữ liệu thừa sau phần JSON"),
    ("Illegal trailing comma", "thừa dấu phẩy trước dấu đóng ngoặc"),
]


def json_reason(err: json.JSONDecodeError) -> str:
    """What the JSON decoder found wrong, in Vietnamese (its position is said apart)."""
    for start, reason_vn in _JSON_REASONS:
        if err.msg.startswith(start):
            return reason_vn
    return "sai cú pháp JSON"


def parse_json(text: str | bytes, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        issue = Issue("$", f"dòng {err.lineno}, cột {err.colno}", f"JSON không đọc được: {json_reason(err)}")
        raise InputError([issue], what) from None
    except UnicodeDecodeError:
        raise InputError([Issue("$", None, "tệp không phải văn bản UTF-8")], what) from None
    except RecursionError:
        raise InputError([Issue("$", None, "JSON lồng nhau quá sâu")], what) from None
    except ValueError as err:  # e.g. an integer of thousands of digits
        raise InputError([Issue("$", None, f"JSON có giá trị không đọc được: {err}")], what) from None


def instance_from_document(document: Any, stored: bool = False) -> Instance:
    """A validated instance from an already-decoded JSON document.

    The schema and every semantic check run on the whole document before anything is
    built, so that one error message lists every problem of the file. ``stored``: the
    document was spelt from the database (see :func:`models.validation.document_issues`).
    """
    what = "Tệp bài toán"
    document = nfc(document)
    # A NaN or an infinity is worded by the semantic checks; the schema's complaint about
    # the same value (not above a minimum…) would only confuse.
    issues = [i for i in schema.instance_issues(document) if not validation.is_non_finite(i.value)]
    issues += validation.document_issues(document, stored)
    if issues:
        raise InputError(_unique(issues), what)
    try:
        return Instance.model_validate(document)
    except ValidationError as err:
        raise InputError(_pydantic_issues(err), what) from None


def _unique(issues: list[Issue]) -> list[Issue]:
    seen: set[tuple[str, str]] = set()
    out = []
    for issue in issues:
        key = (issue.path, issue.message)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out


def load_instance(path: str | Path) -> Instance:
    what = "Tệp bài toán"
    return instance_from_document(parse_json(_read(path, what), what))


def solution_from_document(document: Any) -> Solution:
    what = "Tệp lịch phân công"
    issues = schema.solution_issues(document)
    if issues:
        raise InputError(issues, what)
    try:
        return Solution.model_validate(nfc(document))
    except ValidationError as err:
        raise InputError(_pydantic_issues(err), what) from None


def load_solution(path: str | Path) -> Solution:
    what = "Tệp lịch phân công"
    return solution_from_document(parse_json(_read(path, what), what))


def dump_json(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def write_solution(solution: Solution, path: str | Path) -> None:
    Path(path).write_text(dump_json(solution.to_json_dict()), encoding="utf-8")


def instance_to_document(instance: Instance) -> dict[str, Any]:
    """The instance as the schema spells it, keeping only what was written or differs."""
    return instance.model_dump(mode="json", by_alias=True, exclude_unset=True)


def _read(path: str | Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise InputError([Issue("$", str(path), f"không mở được tệp: {os_reason(err)}")], what) from None


def _pydantic_issues(err: ValidationError) -> list[Issue]:
    issues = []
    for error in err.errors():
        loc = [part for part in error["loc"] if not (isinstance(part, str) and part.startswith("function"))]
        issues.append(Issue(json_path(loc), error.get("input"), reason(error)))
    return issues
