"""The year's tuyên vận plan: a theme per quarter and, where the plan says so, per month.

A meeting takes its month's theme (the month's own, else its quarter's) unless it has
one of its own; the notice, the calendars and the meeting views show it
(:mod:`models.storage.themes`).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete
from sqlalchemy.orm import Session

from models.contract import theme_refused
from models.storage import audit
from models.storage import themes as store
from models.storage.tables import PlanThemeRow, UserRow
from models.storage.types import utcnow
from services.loop_errors import Fault, forbidden, invalid
from services.views import View


class MonthThemeOut(View):
    month: str
    theme: str | None
    source: str | None
    """``month`` (the month's own), ``quarter``, or None (no theme)."""


class YearPlanOut(View):
    year: int
    quarters: dict[str, str]
    months: dict[str, str]
    resolved: list[MonthThemeOut]


def year_plan(session: Session, year: int) -> YearPlanOut:
    """The year's plan with each month's resolved theme (any signed-in account may read it)."""
    rows = store.year_rows(session, year)
    quarters = {r.period[-1]: r.theme for r in rows if "-Q" in r.period}
    months = {r.period: r.theme for r in rows if "-Q" not in r.period}
    resolved = []
    for number in range(1, 13):
        month = f"{year:04d}-{number:02d}"
        quarter = quarters.get(str((number - 1) // 3 + 1))
        if month in months:
            resolved.append(MonthThemeOut(month=month, theme=months[month], source="month"))
        elif quarter:
            resolved.append(MonthThemeOut(month=month, theme=quarter, source="quarter"))
        else:
            resolved.append(MonthThemeOut(month=month, theme=None, source=None))
    return YearPlanOut(year=year, quarters=quarters, months=months, resolved=resolved)


def set_year_plan(
    session: Session, user: UserRow, year: int, quarters: Mapping[str, str], months: Mapping[str, str]
) -> YearPlanOut:
    """Replace the year's plan (planners). Quarters are "1"–"4"; months ``YYYY-MM`` of the year."""
    if user.role != "planner":
        raise forbidden("Chỉ cán bộ Ban Tuyên giáo đặt kế hoạch năm")
    faults = [
        Fault(f"$.quarters.{key}", key, "quý phải là 1, 2, 3 hoặc 4")
        for key in quarters
        if key not in ("1", "2", "3", "4")
    ]
    faults += [
        Fault(f"$.months.{key}", key, f"tháng phải thuộc năm {year} (YYYY-MM)")
        for key in months
        if not (len(key) == 7 and key[:5] == f"{year:04d}-" and key[5:].isdigit() and 1 <= int(key[5:]) <= 12)
    ]
    # The API's schema refuses these too; the page's form reaches here unchecked.
    faults += [
        Fault(f"$.quarters.{key}", theme, f"Chủ đề quý {key}: {said}")
        for key, theme in quarters.items()
        if (said := theme_refused(theme)) is not None
    ]
    faults += [
        Fault(f"$.months.{key}", theme, f"Chủ đề tháng {key[5:]}/{key[:4]}: {said}")
        for key, theme in months.items()
        if (said := theme_refused(theme)) is not None
    ]
    if faults:
        raise invalid(f"Kế hoạch năm {year} không hợp lệ", *faults)
    session.execute(delete(PlanThemeRow).where(PlanThemeRow.year == year))
    now = utcnow()
    for key, theme in quarters.items():
        session.add(PlanThemeRow(period=f"{year:04d}-Q{key}", year=year, theme=theme, updated_at=now))
    for key, theme in months.items():
        session.add(PlanThemeRow(period=key, year=year, theme=theme, updated_at=now))
    audit.record(session, user, "plan.themes", "plan", year, {"quarters": dict(quarters), "months": dict(months)})
    session.flush()
    return year_plan(session, year)
