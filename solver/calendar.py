"""Calendar arithmetic of the rules: calendar months and the twelve-month balance window."""

from __future__ import annotations

import datetime as dt


def month_index(day: dt.date) -> int:
    """Consecutive integer per calendar month, so that ``m - 1`` is the month before."""
    return day.year * 12 + day.month - 1


def month_label(index: int) -> str:
    return f"{index % 12 + 1:02d}/{index // 12}"


def twelve_months_before(day: dt.date) -> dt.date:
    """The same day a year earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)
