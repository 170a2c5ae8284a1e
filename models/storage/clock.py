"""Local time of the service (Asia/Ho_Chi_Minh): the meetings' wall clock and calendar months.

The database stores moments in UTC; the instance format and the people speak local time.
All conversions between the two go through here.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from models.contract import MONTH_PATTERN as MONTH_PATTERN
from models.contract import YEARS as YEARS
from models.contract import is_month as is_month
from models.instance import DEFAULT_TIMEZONE
from models.storage.types import utcnow

LOCAL = ZoneInfo(DEFAULT_TIMEZONE)
# The months and years the service plans are the contract's (models.contract), named
# here too for the modules that speak local time.


def aware(moment: dt.datetime, zone: dt.tzinfo = LOCAL) -> dt.datetime:
    """``moment`` with a zone: a naive value is read as wall time in ``zone``."""
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def local(moment: dt.datetime) -> dt.datetime:
    """The aware moment in local time."""
    return moment.astimezone(LOCAL)


def today() -> dt.date:
    """Today's date in local time: from a meeting's day on it is reported, no longer asked off."""
    return local(utcnow()).date()


def local_naive(moment: dt.datetime) -> dt.datetime:
    """Local wall time without a zone: how the instance format writes a meeting's start."""
    return local(moment).replace(tzinfo=None)


def month_of(moment: dt.datetime) -> str:
    """``YYYY-MM`` of the local calendar month of an aware moment."""
    return local(moment).strftime("%Y-%m")


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First day of ``month`` and first day of the next month."""
    year, number = int(month[:4]), int(month[5:7])
    first = dt.date(year, number, 1)
    following = dt.date(year + number // 12, number % 12 + 1, 1)
    return first, following


def month_label(month: str) -> str:
    """``03/2024`` for ``2024-03``: how a Vietnamese notice writes a month."""
    return f"{month[5:7]}/{month[:4]}"
