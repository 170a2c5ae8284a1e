"""Jinja2 for the pages: autoescape always on, Vietnamese dates (dd/mm/yyyy, local time)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from models.labels import TIER_LABELS, number_vn
from models.storage.clock import local
from services.requests import PENDING

TEMPLATES = Path(__file__).resolve().parent / "templates"
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")

# autoescape=True, not select_autoescape: every template here is HTML, and a name such as
# <script>alert(1)</script> must come out as text whatever the file is called.
env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined, trim_blocks=True)


def _moment(value: dt.datetime | dt.date) -> dt.datetime | dt.date:
    return local(value) if isinstance(value, dt.datetime) else value


def date_vn(value: dt.datetime | dt.date | None) -> str:
    return "" if value is None else f"{_moment(value):%d/%m/%Y}"


def time_vn(value: dt.datetime | None) -> str:
    return "" if value is None else f"{local(value):%H:%M}"


def moment_vn(value: dt.datetime | None) -> str:
    """A moment as every page writes it, time first as Vietnamese says it:
    ``08:31 ngày 08/12/2026`` (local time). One form for all pages (the ``luc`` filter and
    the pages' Python), so a request, a report and a version never read differently."""
    return "" if value is None else f"{time_vn(value)} ngày {date_vn(value)}"


def weekday_vn(value: dt.datetime | dt.date) -> str:
    return WEEKDAYS[_moment(value).weekday()]


def month_vn(month: str) -> str:
    """``2024-03`` → ``03/2024``."""
    year, number = month.split("-")
    return f"{number}/{year}"


def points_vn(value: float | None) -> str:
    """``12,5``, ``100``, ``1.000``: a number of points as Vietnamese writes it (a comma
    before the decimals, at most two, no trailing zeros; a dot between thousands)."""
    if value is None:
        return ""
    text = number_vn(value, 2)
    return text.rstrip("0").rstrip(",") if "," in text else text


env.filters.update(ngay=date_vn, gio=time_vn, luc=moment_vn, thu=weekday_vn, thang=month_vn, diem=points_vn)
# A request waiting for the Board reads differently from a change it approved (services.requests).
env.globals.update(TIER_LABELS=TIER_LABELS, PENDING=PENDING)


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """The page ``name`` with ``context`` (plus the request and who is signed in)."""
    viewer = getattr(request.state, "viewer", None)
    html = env.get_template(name).render(request=request, viewer=viewer, **context)
    response = HTMLResponse(html, status_code=status)
    # Pages hold personal schedules and CSRF tokens: not to be kept by shared caches.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"
    )
    return response
