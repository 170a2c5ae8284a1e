"""Small helpers shared by the directory, what-if and after-meeting pages.

Reading and writing run in a worker thread with a session of their own (as in
:mod:`web.pages`); form values are read as trimmed text and a refusal of the services or of
a request schema becomes one message per field, shown beside it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import FormData

from models.reasons import FORM_WORDS, reason
from models.storage.clock import is_month, local
from models.storage.types import utcnow
from services.errors import NotFound, ServiceError
from web.pages import _field_errors, _read, _write, from_status
from web.templating import points_vn

__all__ = ["_read", "_write", "from_status"]

Errors = dict[str, str]
DAY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def values(form: FormData, *names: str) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip()[:2000] for name in names}


def day(text: str, name: str, errors: Errors) -> dt.date | None:
    """A dd/mm/yyyy date (or ISO); the error beside ``name`` when it is not one."""
    found = DAY.fullmatch(text.strip())
    try:
        if found:
            return dt.date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        errors[name] = f"Ngày không đúng: “{text}”; nhập ngày/tháng/năm, ví dụ 12/03/2025"
        return None


_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


def number(text: str, name: str, errors: Errors, low: float, high: float, *, whole: bool = True) -> float | None:
    """A number written either way (``12,5`` or ``12.5``) within ``low``–``high``; the
    error beside ``name`` says the range in Vietnamese (``Cần số từ 0 đến 12,5``)."""
    found = _NUMBER.fullmatch(text.strip())
    value = float(found.group().replace(",", ".")) if found else None
    if value is None or not low <= value <= high or (whole and value != int(value)):
        kind = "số nguyên" if whole else "số"
        errors[name] = f"Cần {kind} từ {points_vn(low)} đến {points_vn(high)}; đã nhập “{text}”"
        return None
    return value


def service_errors(error: ServiceError) -> Errors:
    return {**_field_errors(error), "form": error.detail}


def schema_errors(error: ValidationError, names: dict[str, str] | None = None) -> Errors:
    """A request schema's refusal, each message under the form's field name."""
    names = names or {}
    out: Errors = {}
    for item in error.errors():
        loc = item.get("loc") or ("form",)
        key = str(loc[0])
        out.setdefault(names.get(key, key), reason(item, FORM_WORDS))
    return out


# What a month field takes: ``12/2026`` (also ``12-2026``, ``12.2026``, ``1/2026``) as
# Vietnamese users write it, or ``2026-12`` as the pages' own links and old bookmarks say it.
_MONTH_FIELD = re.compile(r"(\d{1,2})[/.-](\d{4})")
MONTH_HINT = "tháng/năm, ví dụ 12/2026"


def parse_month(text: str) -> str | None:
    """``03/2026`` (or ``2026-03``) → ``2026-03``; None when it is not a month."""
    text = text.strip()
    found = _MONTH_FIELD.fullmatch(text)
    month = f"{found.group(2)}-{int(found.group(1)):02d}" if found else text
    return month if is_month(month) else None


@dataclass(frozen=True)
class MonthAsked:
    """The month a page's ``?thang=`` field asks for, read once for every page that has one.

    ``month`` is the month shown (``YYYY-MM``); when the typed value is no month, the page
    shows ``default`` instead, keeps ``typed`` in the field and says ``error`` beside it
    (answered 422, like any refused form, rather than a 404 for a typing slip).
    """

    month: str
    typed: str = ""
    error: str | None = None

    @property
    def status(self) -> int:
        return 422 if self.error else 200

    def context(self) -> dict[str, Any]:
        """What the ``_month_field.html`` macro reads, merged into the page's context."""
        return {"month": self.month, "month_typed": self.typed, "month_error": self.error}


def month_query(text: str | None, default: str) -> MonthAsked:
    """The page's month from its ``thang`` query (MM/YYYY or YYYY-MM); ``default`` when empty."""
    typed = (text or "").strip()
    if not typed:
        return MonthAsked(default)
    month = parse_month(typed)
    if month is None:
        return MonthAsked(default, typed, f"Tháng không đúng: “{typed}”; nhập {MONTH_HINT}")
    return MonthAsked(month, typed)


def month_or_404(month: str) -> str:
    """A month in an address or a hidden field (``YYYY-MM``, or ``MM/YYYY``) → ``YYYY-MM``."""
    found = parse_month(month)
    if found is None:
        raise NotFound(f"Không có tháng “{month}”; tháng viết dạng tháng/năm, ví dụ 12/2026")
    return found


def this_month() -> str:
    return f"{local(utcnow()):%Y-%m}"


def database(request: Request) -> Any:
    return request.app.state.database
