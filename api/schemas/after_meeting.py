"""Request bodies of the loop after the meeting: reports, score sheets, the Board's
criteria and levels, answers to flag proposals, monthly flags, the year's plan."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path, Query
from pydantic import Field, StringConstraints

from api.schemas.common import NAME_PATTERN, Id, Name, NotBool, Strict, Text
from models.contract import MONTH_PATTERN, THEME_MAX, YEARS

Points = Annotated[float, Field(description="Điểm (số, có thể lẻ)")]
CriterionKey = Id
Scores = Annotated[
    dict[CriterionKey, Points],
    Field(max_length=50, description="Mã tiêu chí → điểm; đủ mọi tiêu chí, không vượt điểm tối đa"),
]
FlagLevel = Annotated[Literal[0, 1, 2], NotBool]
Theme = Annotated[str, StringConstraints(min_length=1, max_length=THEME_MAX, pattern=NAME_PATTERN)]

MonthPath = Annotated[str, Path(pattern=MONTH_PATTERN, examples=["2024-03"])]
MonthQuery = Annotated[str, Query(pattern=MONTH_PATTERN, examples=["2024-04"], description="YYYY-MM")]
YearPath = Annotated[int, Path(ge=YEARS.start, le=YEARS.stop - 1, examples=[2024])]
YearQuery = Annotated[int, Query(ge=YEARS.start, le=YEARS.stop - 1, examples=[2024])]
ProposalPath = Annotated[str, Path(min_length=1, max_length=100, examples=["ranking:2024-04:c011"])]


class ReportIn(Strict):
    """A delegate's report; the smallest is ``{"attended": true}``."""

    attended: bool
    delegate: Id | None = Field(default=None, description="Chỉ planner: báo cáo thay cho đại biểu nào")
    substitute: Id | None = Field(default=None, description="Người đi thay khi không dự")
    visits: Annotated[list[Id], Field(max_length=50)] | None = Field(
        default=None, description="Tổ đã dự đột xuất (của xã đó); bỏ trống: tổ gợi ý"
    )
    note: Text | None = None
    problem: Text | None = Field(default=None, description="Vấn đề cần quan tâm: đề xuất gắn cờ tháng sau")
    scores: Scores | None = None
    sheet_note: Text | None = None


class SheetIn(Strict):
    scores: Scores
    note: Text | None = None


class CriterionIn(Strict):
    id: Id
    name: Name
    max_points: Annotated[float, Field(gt=0, le=1000)]


class CriteriaIn(Strict):
    criteria: Annotated[list[CriterionIn], Field(min_length=1, max_length=30)]


class LevelIn(Strict):
    name: Name
    min_points: Annotated[float, Field(ge=0, le=1000)]


class LevelsIn(Strict):
    levels: Annotated[list[LevelIn], Field(min_length=1, max_length=10)]


class ConfirmIn(Strict):
    flag: FlagLevel | None = Field(default=None, description="Mức cờ đặt; bỏ trống: mức đề xuất (không hạ cờ đang có)")
    reason: Text | None = None


class DismissIn(Strict):
    reason: Text | None = None


class MonthFlagIn(Strict):
    flag: FlagLevel
    reason: Text | None = None


class YearPlanIn(Strict):
    quarters: Annotated[dict[Annotated[str, StringConstraints(max_length=2)], Theme], Field(max_length=4)] = Field(
        default_factory=dict, description='Chủ đề theo quý: "1"…"4"'
    )
    months: Annotated[dict[Annotated[str, StringConstraints(max_length=7)], Theme], Field(max_length=12)] = Field(
        default_factory=dict, description="Chủ đề riêng của tháng: YYYY-MM"
    )
