"""What the after-meeting services answer: plain pydantic views, the same for the JSON API
and for pages. Moments are local (+07:00), labels Vietnamese."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class View(BaseModel):
    pass


class TeamRef(View):
    id: str
    name: str


class ReportOut(View):
    """An assigned delegate's report of a meeting."""

    id: int
    meeting: str
    delegate: str
    delegate_name: str
    attended: bool
    substitute: str | None = Field(description="Người đi thay khi đại biểu được phân công không dự")
    substitute_name: str | None
    visits: list[TeamRef] | None = Field(description="Tổ đã dự đột xuất; null: chưa báo (tổ gợi ý được tính là đã dự)")
    note: str | None
    problem: str | None = Field(description="Vấn đề cần quan tâm (đề xuất gắn cờ tháng sau)")
    updated_at: dt.datetime


class SheetItemOut(View):
    criterion: str
    name: str
    max_points: float
    points: float


class SheetOut(View):
    """A board's score sheet of a month."""

    commune: str
    commune_name: str
    month: str
    items: list[SheetItemOut]
    total: float
    max_total: float
    level: str
    note: str | None
    report: int | None = Field(description="Báo cáo kèm phiếu; null: cán bộ Ban Tuyên giáo nhập")
    updated_at: dt.datetime
    closed: bool = Field(description="Tháng đã chốt: phiếu không sửa được nữa")


class SeatOut(View):
    """A seat of a published meeting with its report (None: not reported yet)."""

    delegate: str
    delegate_name: str
    tier: int
    suggested_team: str | None
    suggested_team_name: str | None
    report: ReportOut | None


class MeetingReportOut(View):
    meeting: str
    commune: str
    commune_name: str
    month: str
    start: dt.datetime
    theme: str | None
    seats: list[SeatOut]
    sheet: SheetOut | None


class MonthSeatOut(View):
    """A published assignment of the month and what its report says."""

    meeting: str
    commune: str
    commune_name: str
    start: dt.datetime
    delegate: str
    delegate_name: str
    status: str = Field(description="unconfirmed | attended | substituted | absent")
    status_label: str
    attended_by: str | None = Field(description="Người thực tế dự (chưa báo cáo: người được phân công)")
    visited: list[str] = Field(description="Tổ được tính là đã dự đột xuất")


class MonthReportsOut(View):
    month: str
    seats: list[MonthSeatOut]
    unconfirmed: int = Field(description="Số phân công chưa có báo cáo (vẫn được tính là đã dự)")
    confirmed: int


class CriterionOut(View):
    id: str
    name: str
    max_points: float


class CriteriaOut(View):
    criteria: list[CriterionOut]
    max_total: float


class LevelOut(View):
    name: str
    min_points: float


class RankingRowOut(View):
    commune: str
    commune_name: str
    total: float | None
    max_total: float | None
    level: str | None
    rank: int | None = Field(description="Hạng (đồng điểm: đồng hạng); null: chưa chấm")


class RankingOut(View):
    month: str
    closed: bool
    levels: list[LevelOut]
    rows: list[RankingRowOut]


class ClosedOut(View):
    month: str
    closed_at: dt.datetime


class ProposalOut(View):
    """A flag the results propose for a month, with the planner's answer."""

    id: str
    commune: str
    commune_name: str
    month: str = Field(description="Tháng được đề xuất gắn cờ")
    source: str = Field(description="ranking (xếp loại Chưa đạt) | report (báo cáo nêu vấn đề)")
    flag: int
    flag_label: str
    reason: str
    current_flag: int = Field(description="Mức cờ đang áp dụng cho tháng đó")
    status: str = Field(description="proposed | confirmed | dismissed")
    decided_at: dt.datetime | None


class FlagOut(View):
    commune: str
    commune_name: str
    month: str
    flag: int
    flag_label: str
    reason: str | None
    source: str = Field(description="default (mức mặc định của xã) | planner | proposal | migrated")


class FlagHistoryOut(View):
    id: int
    month: str
    flag: int
    flag_label: str
    reason: str | None
    source: str
    proposal: str | None
    created_at: dt.datetime
