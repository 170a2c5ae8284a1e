"""The contract for each value, written once: what an id, a name, a free text, a date, a
meeting time and a month may be, wherever it comes in.

Every door reads its rules from here: the instance file and its checks
(:mod:`models.validation`), the database's fit (:mod:`models.storage.fit`: imports, the
workbook), the JSON API's field types (:mod:`api.schemas.common`) and its path, query and
header values (:mod:`api.characters`), the scenario files and the CLI (which read instance
files). So a value the solver's model refuses is refused at the door that took it, with
the field named, and never later, when it would stop a whole month.

Text
    Stored in Unicode NFC. Refused everywhere: C0 and C1 control characters and DEL
    (free text keeps tab, line feed and carriage return), lone UTF-16 surrogates (no
    database can encode them; PostgreSQL also refuses NUL where SQLite keeps it), and the
    66 noncharacters (U+FDD0–U+FDEF and U+xFFFE/U+xFFFF of every plane: XML 1.0 cannot
    hold U+FFFE/U+FFFF, so an exported workbook would be damaged). Refused in ids and names
    besides: invisible format characters (Unicode category Cf: zero-width space and
    joiners, U+FEFF, the bidirectional controls U+202A–U+202E and U+2066–U+2069, soft
    hyphen…), with which ``c004\\u200b`` would sit beside ``c004`` looking the same.
Dates
    One range of years for every date: meetings, leave, history, scenario changes, the
    year's plan — 2000–2099 (``YEARS``), the years the service plans; a month and the one
    after it, twelve months before, are always valid dates there. A meeting's start is in
    that range both as written and in local time (Asia/Ho_Chi_Minh).
Months
    ``YYYY-MM`` within the same years.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator

from models.reasons import pattern

#: The service's time zone (also the instance format's default).
ZONE = "Asia/Ho_Chi_Minh"
_LOCAL = ZoneInfo(ZONE)

#: Longest id, name and free text (the database columns are sized to these).
ID_MAX = 64
NAME_MAX = 200
TEXT_MAX = 2000
#: Longest theme of the year's plan: one line printed in the notice's narrow "Ghi chú"
#: cell ("Chủ đề: …") and on every calendar; the longest real ones (a resolution's name
#: and an anniversary with its dates) run to about 230 characters.
THEME_MAX = 300

#: Years every date may fall in.
YEARS = range(2000, 2100)
FIRST_DAY = dt.date(YEARS.start, 1, 1)
LAST_DAY = dt.date(YEARS.stop - 1, 12, 31)
YEARS_TEXT = f"{YEARS.start}–{YEARS.stop - 1}"
#: A calendar month, ``YYYY-MM``, in those years.
MONTH_PATTERN = pattern(r"^20\d{2}-(0[1-9]|1[0-2])$", "không đúng dạng tháng YYYY-MM (năm 20xx, tháng 01–12)")
_MONTH = re.compile(MONTH_PATTERN)

#: Stripped from a value before it is checked: the request bodies strip them anyway.
EDGE_WHITESPACE = " \t\n\r\x0b\x0c"


def _noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def _bad(code: int, free: bool) -> bool:
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return not (free and code in (0x09, 0x0A, 0x0D))
    if code < 0xA0:
        return False
    return _noncharacter(code) or (not free and unicodedata.category(chr(code)) == "Cf")


def character_refused(char: str, free: bool = False) -> str | None:
    """Why the one character ``char`` may not be in a value (Vietnamese), or None.

    ``free``: free text (a theme, a reason), where tabs and line breaks are allowed and
    invisible format characters are kept; otherwise an id or a name.
    """
    code = ord(char)
    name = f"U+{code:04X}"
    if not (0xD800 <= code <= 0xDFFF or _bad(code, free)):
        return None
    if 0xD800 <= code <= 0xDFFF:
        return f"có ký tự Unicode không hợp lệ ({name}: nửa cặp surrogate)"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"có ký tự điều khiển {name} không được phép"
    if _noncharacter(code):
        return f"có mã {name} không phải ký tự (noncharacter) — không được phép"
    return f"có ký tự vô hình {name} (độ rộng 0, điều khiển hướng chữ…) — không được phép trong mã hay tên"


def _class(free: bool) -> str:
    """The refused characters of the Basic Multilingual Plane as a regex class body, in
    the syntax JSON Schema, Python and pydantic's Rust engine all read (``\\uXXXX``).
    Built from :func:`character_refused`, so the documented pattern and the check agree."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF or not _bad(code, free):
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


_STRICT_CLASS = _class(False)
_FREE_CLASS = _class(True)
#: Patterns the API documents (OpenAPI/JSON Schema). Characters outside the BMP (a
#: noncharacter U+1FFFE, a tag character) and lone surrogates are refused by the checks.
#: Ids made through the API also have no space, slash or URL punctuation: they go in paths.
ID_PATTERN = pattern(
    rf"^[^\s/?#%\\{_STRICT_CLASS}]+$", "có ký tự không được phép trong mã (khoảng trắng, / ? # % \\, ký tự điều khiển…)"
)
#: A name has a visible character.
NAME_PATTERN = rf"^[^{_STRICT_CLASS}]*[^\s{_STRICT_CLASS}][^{_STRICT_CLASS}]*$"
FREE_TEXT_PATTERN = rf"^[^{_FREE_CLASS}]*$"
_STRICT = re.compile(rf"[{_STRICT_CLASS}\ud800-\udfff]")
_FREE = re.compile(rf"[{_FREE_CLASS}\ud800-\udfff]")


def refused(text: str, free: bool = False) -> str | None:
    """Why ``text`` may not be stored (a Vietnamese sentence naming the first bad
    character), or None when it may. ``free``: free text, see :func:`character_refused`."""
    found = (_FREE if free else _STRICT).search(text)
    if found is not None:
        return character_refused(found.group(), free)
    if text.isascii():
        return None
    # Beyond the BMP: noncharacters and format characters (tags) the class cannot spell.
    for char in text:
        if ord(char) > 0xFFFF:
            reason = character_refused(char, free)
            if reason is not None:
                return reason
    return None


def printable(text: str) -> str:
    """``text`` with lone surrogates written as ``\\udxxx``, so that it can be sent as UTF-8."""
    return re.sub(r"[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text)


def too_long(text: str, most: int) -> str | None:
    return f"dài quá {most} ký tự" if len(text) > most else None


def theme_refused(text: str) -> str | None:
    """Why ``text`` may not be a theme of the year's plan, or None: a line of at most
    :data:`THEME_MAX` characters with a visible one and only the characters of a name."""
    if not text.strip():
        return "không được để trống"
    return too_long(text, THEME_MAX) or refused(text)


def day_refused(day: dt.date) -> str | None:
    """Why a date is outside the contract, or None. A date-time is also read in local time
    (2099-12-31T23:00-05:00 is already 2100 in Vietnam)."""
    years = [day.year]
    if isinstance(day, dt.datetime):
        aware = day.replace(tzinfo=_LOCAL) if day.tzinfo is None else day
        years.append(aware.astimezone(_LOCAL).year)
    if all(year in YEARS for year in years):
        return None
    return f"năm phải trong {YEARS_TEXT}"


def in_years(value: Any) -> Any:
    """A pydantic validator: ``value`` when it is not a date outside the contract's years."""
    reason = day_refused(value) if isinstance(value, dt.date) else None
    if reason is not None:
        raise ValueError(reason)
    return value


#: A date, and a date-time, of a typed model (a scenario's changes), in the contract's years.
PlanDay = Annotated[dt.date, AfterValidator(in_years)]
PlanMoment = Annotated[dt.datetime, AfterValidator(in_years)]


def year_refused(text: str) -> str | None:
    """The year of an ISO date or date-time written as text (``YYYY-…``); None when it is
    not such a text (its format is another check's)."""
    if re.match(r"^\d{4}-", text) and int(text[:4]) not in YEARS:
        return f"năm phải trong {YEARS_TEXT}"
    return None


def clip(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date] | None:
    """A stored period read tolerantly: its part inside the contract's years, or None when
    none of it is. A leave to 9999-12-31 still covers every month that can be planned."""
    start, end = max(start, FIRST_DAY), min(end, LAST_DAY)
    return (start, end) if start <= end else None


def is_month(text: str) -> bool:
    """``YYYY-MM`` in the contract's years."""
    return bool(_MONTH.match(text))
