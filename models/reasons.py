"""Why a value was refused, in Vietnamese: pydantic's reasons translated once.

Pydantic explains a refusal in English (``String should have at most 200 characters``).
Every door that validates with pydantic — the JSON API's bodies, the pages' forms, the
notice settings from the page and from the CLI — says it to a Vietnamese user through
:func:`reason`, so one kind of fault reads the same wherever it is made and the limits
(200 ký tự, từ 1 trở lên) are part of the sentence rather than a code in brackets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_DATE = "không có ngày này hoặc không đúng dạng YYYY-MM-DD"
_DATETIME = "không có ngày giờ này hoặc không đúng dạng YYYY-MM-DDTHH:MM"

#: Reasons that need no number from the error's context.
_PLAIN = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép (viết sai tên?)",
    "string_type": "cần một chuỗi ký tự",
    "string_pattern_mismatch": "có ký tự không được phép (ký tự điều khiển, xuống dòng…)",
    "string_unicode": "có ký tự Unicode không hợp lệ",
    "int_parsing": "cần một số nguyên",
    "int_type": "cần một số nguyên",
    "int_from_float": "cần một số nguyên",
    "float_parsing": "cần một số",
    "float_type": "cần một số",
    "finite_number": "phải là số hữu hạn (JSON không có NaN hay Infinity)",
    "bool_parsing": "cần đúng hoặc sai (true/false)",
    "bool_type": "cần đúng hoặc sai (true/false)",
    "date_parsing": _DATE,
    "date_type": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "datetime_parsing": _DATETIME,
    "datetime_type": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "json_invalid": "JSON không đọc được",
    "json_type": "JSON không đọc được",
    "dict_type": "cần một đối tượng JSON",
    "model_type": "cần một đối tượng JSON",
    "model_attributes_type": "cần một đối tượng JSON",
    "list_type": "cần một danh sách",
    "tuple_type": "cần một danh sách",
    "set_type": "cần một danh sách",
    "none_required": "phải để trống",
    "value_error": "giá trị không hợp lệ",
}

#: What a text refused by a pattern should look like, by pattern (:func:`pattern`).
_PATTERNS: dict[str, str] = {}
#: A pattern of a few words, ``^(a|b|c)$``: its words are what it takes.
_CHOICES = re.compile(r"\^\(([\w-]+(?:\|[\w-]+)+)\)\$")


def pattern(regex: str, expected: str) -> str:
    """``regex``, with the reason said when a text does not match it (``expected``: what the
    text should be); declared beside the field that uses it."""
    _PATTERNS[regex] = expected
    return regex


def _mismatch(regex: str) -> str:
    known = _PATTERNS.get(regex)
    if known is not None:
        return known
    choices = _CHOICES.fullmatch(regex)
    if choices is not None:
        *first, last = choices.group(1).split("|")
        return f"giá trị không hợp lệ, chỉ nhận: {', '.join(first)} hoặc {last}"
    # The text patterns (ids, names, free text) refuse characters only.
    return _PLAIN["string_pattern_mismatch"]


#: A page's field is typed, not sent: for a blank one "cần nhập" says what to do.
FORM_WORDS = {"missing": "cần nhập", "string_too_short": "cần nhập"}


def _number(value: object) -> str:
    # A limit as a Vietnamese reader writes it: 0 rather than 0.0, 0,5 rather than 0.5.
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value).replace(".", ",")
    return str(value)


def _expected(text: object) -> str:
    # pydantic lists the allowed values as "'a', 'b' or 'c'".
    return str(text).replace(" or ", " hoặc ")


def reason(error: Mapping[str, Any], words: Mapping[str, str] | None = None) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) as a Vietnamese reason.

    ``words`` replaces the reason for some kinds of error where a door says it better
    (a form's "cần nhập" for a missing field, a YAML file's hint for a list); they may
    name the error's context, as ``{max_length}``. Our own
    validators already raise Vietnamese sentences: those are kept as they are.
    """
    kind = str(error.get("type", ""))
    context: Mapping[str, Any] = error.get("ctx") or {}
    if words and kind in words:
        return words[kind].format_map(context)
    if kind in ("value_error", "assertion_error"):
        message = str(error.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return message or _PLAIN["value_error"]
    if kind == "string_too_short":
        least = context.get("min_length", 1)
        return "không được để trống" if least == 1 else f"ngắn quá, ít nhất {least} ký tự"
    if kind == "string_too_long":
        return f"dài quá {context.get('max_length')} ký tự"
    if kind == "too_short":
        return f"ít quá, cần ít nhất {context.get('min_length')} mục"
    if kind == "too_long":
        return f"nhiều quá {context.get('max_length')} mục"
    if kind == "greater_than":
        return f"cần lớn hơn {_number(context.get('gt'))}"
    if kind == "greater_than_equal":
        return f"cần lớn hơn hoặc bằng {_number(context.get('ge'))}"
    if kind == "less_than":
        return f"cần nhỏ hơn {_number(context.get('lt'))}"
    if kind == "less_than_equal":
        return f"cần nhỏ hơn hoặc bằng {_number(context.get('le'))}"
    if kind == "string_pattern_mismatch":
        return _mismatch(str(context.get("pattern", "")))
    if kind in ("literal_error", "enum"):
        return f"giá trị không hợp lệ, chỉ nhận: {_expected(context.get('expected', ''))}"
    plain = _PLAIN.get(kind)
    if plain is not None:
        return plain
    # A kind this table does not know yet: pydantic's own words beat a vague one.
    return str(error.get("msg") or _PLAIN["value_error"])
