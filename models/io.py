"""Reading and writing the exchange formats, with every input problem reported at once.

Reading goes: JSON text → JSON Schema (the public contract) → NFC-normalised text →
typed objects → semantic checks (:mod:`models.validation`). Any failure raises
:class:`~models.errors.InputError` listing every issue with its JSON path and value.
"""

from __future__ import annotations

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


def parse_json(text: str | bytes, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        issue = Issue("$", f"dòng {err.lineno}, cột {err.colno}", f"JSON không đọc được: {err.msg}")
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
    what = "Tệp bài toán (instance)"
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
    what = "Tệp bài toán (instance)"
    return instance_from_document(parse_json(_read(path, what), what))


def solution_from_document(document: Any) -> Solution:
    what = "Tệp lịch phân công (solution)"
    issues = schema.solution_issues(document)
    if issues:
        raise InputError(issues, what)
    try:
        return Solution.model_validate(nfc(document))
    except ValidationError as err:
        raise InputError(_pydantic_issues(err), what) from None


def load_solution(path: str | Path) -> Solution:
    what = "Tệp lịch phân công (solution)"
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
        raise InputError([Issue("$", str(path), f"không mở được tệp: {err.strerror}")], what) from None


def _pydantic_issues(err: ValidationError) -> list[Issue]:
    issues = []
    for error in err.errors():
        loc = [part for part in error["loc"] if not (isinstance(part, str) and part.startswith("function"))]
        issues.append(Issue(json_path(loc), error.get("input"), reason(error)))
    return issues
