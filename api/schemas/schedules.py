"""Bodies of schedules, their edits, months and exports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from api.schemas.common import Id, Out, Strict
from api.schemas.jobs import JointPlanOut


class TermScore(Out):
    term: str
    label: str
    count: int
    weight: int
    points: int


class GapOut(Out):
    meeting: str
    commune_name: str | None
    seats: int
    senior_missing: bool
    reason: str


class AssignmentOut(Out):
    meeting: str
    commune: str
    commune_name: str
    start: dt.datetime
    delegate: str
    delegate_name: str
    tier: int
    team: str | None = Field(description="Tổ tuyên vận gợi ý dự đột xuất")
    team_name: str | None
    pending: str | None = Field(default=None, description='"đang chờ Ban duyệt" khi có yêu cầu chưa duyệt')


class NoticeOut(Out):
    id: int
    meeting: str
    reason: str
    created_at: dt.datetime


class ScheduleSummary(Out):
    id: int
    month: str
    version: int
    status: str = Field(description="draft hoặc published")
    revision: int
    etag: str
    solver_status: str
    status_label: str
    score_total: int
    bound: int | None
    in_force: bool = Field(description="Bản đang có hiệu lực của tháng")
    based_on: int | None = Field(description="Bản đã công bố dùng làm gốc khi lập")
    created_at: dt.datetime
    published_at: dt.datetime | None
    joint: JointPlanOut | None = Field(
        default=None,
        description=(
            "Bản lập trong một lượt nhiều tháng cùng lúc: lượt đó, trạng thái và cận dưới của điểm chung "
            "(solver_status và bound ở trên là của riêng bản này); null với bản lập một tháng"
        ),
    )


class ScheduleOut(ScheduleSummary):
    terms: list[TermScore]
    assignments: list[AssignmentOut]
    gaps: list[GapOut]
    needs_replan: bool
    notices: list[NoticeOut]


class ChangeIn(Strict):
    meeting: Id
    remove: Id | None = Field(default=None, description="Đại biểu bỏ ra")
    add: Id | None = Field(default=None, description="Đại biểu thêm vào")


class EditIn(Strict):
    changes: Annotated[list[ChangeIn], Field(min_length=1, max_length=100)]
    dry_run: bool = Field(default=False, description="Chỉ tính điểm, không lưu")


class ScoreOut(Out):
    total: int
    terms: dict[str, int]


class EditOut(Out):
    applied: bool
    before: ScoreOut
    after: ScoreOut
    delta: dict[str, int] = Field(description="Thay đổi số lần vi phạm theo từng tiêu chí")
    total_delta: int
    schedule: ScheduleOut


class MonthOut(Out):
    month: str
    meetings: int
    in_force: ScheduleSummary | None
    versions: list[ScheduleSummary]
    needs_replan: bool
    notices: list[NoticeOut]
