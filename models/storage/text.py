"""Text that both databases store alike, and the characters that are refused.

PostgreSQL refuses a NUL character in text where SQLite keeps it, and neither can encode
a lone UTF-16 surrogate: those are refused before any database sees them, so that both
answer the same. The other C0 control characters and DEL would be stored, but in an id
or a name they are never what a person meant, so they are refused too. Free text (a
theme, a reason) may hold tabs and line breaks.
"""

from __future__ import annotations

import re

#: Control characters refused anywhere, and the ones refused even in free text.
_STRICT = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_FREE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
#: The pattern the API documents for free text (JSON Schema syntax).
FREE_TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
#: Stripped from a value before it is checked: the request bodies strip them anyway.
EDGE_WHITESPACE = " \t\n\r\x0b\x0c"


def refused(text: str, free: bool = False) -> str | None:
    """Why ``text`` may not be stored (a Vietnamese sentence naming the first bad
    character), or None when it may. ``free``: tabs and line breaks are allowed."""
    found = (_FREE if free else _STRICT).search(text)
    if found is None:
        return None
    code = f"U+{ord(found.group()):04X}"
    if "\ud800" <= found.group() <= "\udfff":
        return f"có ký tự Unicode không hợp lệ ({code}: nửa cặp surrogate)"
    return f"có ký tự điều khiển {code} không được phép"


def printable(text: str) -> str:
    """``text`` with lone surrogates written as ``\\udxxx``, so that it can be sent as UTF-8."""
    return re.sub(r"[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text)
