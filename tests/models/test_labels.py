"""Dates of a period in the planner's words (models.labels.day_span, day_vn)."""

from __future__ import annotations

import datetime as dt

from models.labels import day_span, day_vn, number_vn


def test_a_period_inside_the_month_year_leaves_the_year_out() -> None:
    """06/11–08/11 of the month's own year is written day/month on both ends."""
    assert day_span(dt.date(2025, 11, 6), dt.date(2025, 11, 8), 2025) == "06/11–08/11"
    assert day_span(dt.date(2025, 11, 6), dt.date(2025, 11, 6)) == "06/11–06/11"


def test_a_period_across_two_years_says_both_years() -> None:
    """A leave from 25/12/2025 to 02/01/2026 is never printed as 25/12–02/01."""
    assert day_span(dt.date(2025, 12, 25), dt.date(2026, 1, 2), 2026) == "25/12/2025–02/01/2026"
    assert day_span(dt.date(2025, 1, 1), dt.date(2026, 1, 1)) == "01/01/2025–01/01/2026"


def test_a_period_of_another_year_than_the_month_says_its_year() -> None:
    """A period wholly in 2024 seen from a 2025 month carries its year."""
    assert day_span(dt.date(2024, 3, 1), dt.date(2024, 3, 5), 2025) == "01/03/2024–05/03/2024"
    assert day_vn(dt.date(2024, 3, 1), 2025) == "01/03/2024"
    assert day_vn(dt.date(2025, 3, 1), 2025) == "01/03"


def test_numbers_are_written_the_vietnamese_way() -> None:
    """A decimal comma and a dot between thousands: 0,03 and 33.204, never 0.03 or 33,204."""
    assert number_vn(0.03, 2) == "0,03"
    assert number_vn(33204) == "33.204"
    assert number_vn(1234567.891, 1) == "1.234.567,9"
    assert number_vn(-1500) == "-1.500"
    assert number_vn(7) == "7"
