"""Vietnamese names of the score terms, statuses, tiers and flags (shared by every UI)."""

from __future__ import annotations

import datetime as dt

#: Names of the score terms. Rotation's window is the instance's ``rules.rotation_months``:
#: :func:`term_label` names it; this neutral name is for where the rules are not known.
TERM_LABELS: dict[str, str] = {
    "rotation": "Lặp lại địa bàn (các tháng gần đây)",
    "agency_repeat": "Trùng cơ quan với kỳ trước",
    "balance": "Chênh lệch số buổi giữa đại biểu",
    "senior_at_stable": "Lãnh đạo cấp cao ở địa bàn ổn định",
    "travel": "Đi lại (đơn vị 10 phút)",
    "own_commune": "Dự xã mình phụ trách",
    "changes": "Thay đổi so với lịch đã công bố",
    "unfilled": "Chỗ trống, thiếu cấp lãnh đạo",
}

STATUS_LABELS: dict[str, str] = {
    "optimal": "tối ưu (đã chứng minh)",
    "feasible": "khả thi (chưa chứng minh tối ưu)",
    "partial": "chưa đủ người (còn chỗ trống)",
    "infeasible": "không lập được lịch",
}

TIER_LABELS: dict[int, str] = {
    1: "Thường trực",
    2: "Ủy viên Ban Thường vụ",
    3: "Lãnh đạo cơ quan",
    4: "Chuyên viên",
}

#: Names of the hard rules of RULES.md, as a planner reads them beside a refused candidate.
HARD_RULE_LABELS: dict[str, str] = {
    "H1": "Đủ số người",
    "H2": "Có lãnh đạo",
    "H3": "Nghỉ, vắng",
    "H4": "Trùng lịch",
    "H5": "Hết số buổi trong tháng",
    "H6": "Ghim, cấm",
    "H7": "Đổi chéo (không dự xã mình phụ trách)",
}

FLAG_LABELS: dict[int, str] = {0: "Ổn định", 1: "Cần quan tâm", 2: "Phức tạp"}


def term_label(term: str, rotation_months: int | None = None) -> str:
    """The term's name; rotation's says the window of the instance (``rules.rotation_months``)."""
    if term != "rotation" or rotation_months is None:
        return TERM_LABELS[term]
    if rotation_months == 0:
        return "Lặp lại địa bàn (không xét)"
    return f"Lặp lại địa bàn trong {rotation_months} tháng"


def day_span(start: dt.date, end: dt.date, year: int | None = None) -> str:
    """``06/11–08/11``; ``25/12/2025–02/01/2026`` when the two ends fall in different
    years, or in a year other than ``year`` (the month's, which planners leave out)."""
    if start.year != end.year or (year is not None and start.year != year):
        return f"{start:%d/%m/%Y}–{end:%d/%m/%Y}"
    return f"{start:%d/%m}–{end:%d/%m}"


def day_vn(day: dt.date, year: int | None = None) -> str:
    """``06/11``, or ``06/11/2025`` when the day is not in ``year``."""
    return f"{day:%d/%m/%Y}" if year is not None and day.year != year else f"{day:%d/%m}"


def number_vn(value: float, decimals: int = 0) -> str:
    """``33.204``, ``0,03``: a number as Vietnamese writes it (dot between thousands,
    comma before decimals), rounded to ``decimals`` places."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")
