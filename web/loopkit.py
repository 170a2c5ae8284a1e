"""Small helpers shared by the directory, what-if and after-meeting pages.

Reading and writing run in a worker thread with a session of their own (as in
:mod:`web.pages`); form values are read as trimmed text and a refusal of the services or of
a request schema becomes one message per field, shown beside it.
"""

from __future__ import annotations

import datetime as dt
import re
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


def month_or_404(month: str) -> str:
    if not is_month(month):
        raise NotFound(f"Không có tháng {month} (địa chỉ dạng YYYY-MM)")
    return month


def this_month() -> str:
    return f"{local(utcnow()):%Y-%m}"


def database(request: Request) -> Any:
    return request.app.state.database
