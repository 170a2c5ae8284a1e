"""Bodies of what-if scenarios: the scenario, a run, its result, a comparison."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field, ValidatorFunctionWrapHandler, field_validator

from api.errors import ErrorItem
from api.schemas.common import Month, Name, Out, Strict, Text, optional
from api.schemas.scenario_changes import MAX_CHANGES, strict_changes
from api.schemas.schedules import GapOut, TermScore
from scenarios.changes import Change

Mode = Literal["weighted", "changes_first", "fresh"]
MODE_HELP = (
    "weighted: giữ lịch đã công bố theo trọng số; changes_first: ít thay đổi nhất trước, rồi điểm tốt nhất; "
    "fresh: lập lại từ đầu (vẫn so với lịch gốc)"
)
Changes = Annotated[
    list[Change],
    Field(
        max_length=MAX_CHANGES,
        description="Các thay đổi theo thứ tự, cùng dạng với danh sách changes của tệp kịch bản YAML",
    ),
]


def _changes(value: Any, _handler: ValidatorFunctionWrapHandler) -> list[Change]:
    # The models of the YAML, validated as strict JSON and worded as the YAML's errors.
    return strict_changes(value)


class ScenarioIn(Strict):
    name: Name
    description: Text | None = None
    month: Month = Field(description="Tháng gốc (dữ liệu trong cơ sở dữ liệu)")
    mode: Mode = Field(default="weighted", description=MODE_HELP)
    changes: Changes = Field(default_factory=list)

    _strict_changes = field_validator("changes", mode="wrap")(_changes)


class ScenarioPatch(Strict):
    """Only the fields sent change; new ``changes`` replace the whole list."""

    name: Name = optional()
    description: Text | None = None
    mode: Mode = optional(description=MODE_HELP)
    changes: Changes = optional()

    _strict_changes = field_validator("changes", mode="wrap")(_changes)


class RunIn(Strict):
    time_limit: Annotated[float, Field(gt=0, le=3600)] | None = Field(
        default=None, description="Giây cho mỗi lần giải; bị giới hạn bởi cấu hình máy chủ"
    )
    mode: Mode | None = Field(default=None, description="Bỏ trống: chế độ của kịch bản. " + MODE_HELP)


class LastRun(Out):
    result_id: int
    job_id: str | None
    solver_status: str
    status_label: str
    score_total: int | None
    stale: bool = Field(description="Kịch bản đã đổi từ lần chạy này")
    created_at: dt.datetime


class ScenarioSummary(Out):
    id: int
    name: str
    description: str | None
    month: str
    mode: str
    mode_label: str
    revision: int
    etag: str
    based_on: int | None = Field(description="Bản lịch đã công bố có hiệu lực khi tạo kịch bản (lịch gốc)")
    base_in_force: bool = Field(description="Lịch gốc vẫn là bản đang có hiệu lực của tháng")
    changes_count: int
    active_job: str | None = Field(description="Lượt chạy đang chờ hoặc đang giải")
    last_run: LastRun | None
    created_at: dt.datetime
    updated_at: dt.datetime


class ScenarioOut(ScenarioSummary):
    changes: list[dict[str, Any]] = Field(description="Như đã lưu: cùng dạng với changes của tệp YAML")
    described: list[str] = Field(description="Từng thay đổi bằng lời")
    notes: list[str] = Field(description="Điều các thay đổi kéo theo (ví dụ bỏ ghim)")
    problems: list[ErrorItem] = Field(description="Vì sao kịch bản không còn áp dụng được cho dữ liệu hiện tại")


class ScenarioAssignmentOut(Out):
    meeting: str
    commune: str
    commune_name: str
    start: dt.datetime
    delegate: str
    delegate_name: str
    tier: int
    team: str | None = Field(description="Tổ tuyên vận gợi ý dự đột xuất")
    team_name: str | None


class ChangedMeetingOut(Out):
    meeting: str
    label: str = Field(description="Xã/phường và giờ họp")
    before: list[str]
    before_names: str
    after: list[str]
    after_names: str
    reason: str = Field(description="Vì sao, kết thúc bằng việc đã làm (→ thay bằng …)")
    seats: int = Field(description="Số chỗ đổi người")


class BaseOut(Out):
    schedule_id: int | None = Field(description="Bản đã công bố dùng làm gốc; null: tháng gốc được lập lịch khi chạy")
    source: str = Field(description="published hoặc solved")
    label: str
    in_force: bool


class ScenarioResultOut(Out):
    id: int
    scenario_id: int
    name: str
    month: str
    job_id: str | None
    revision: int
    stale: bool = Field(description="Kịch bản đã đổi từ lần chạy này")
    mode: str
    mode_label: str
    base: BaseOut
    solver_status: str
    status_label: str
    score_total: int | None
    bound: int | None
    seconds: float
    terms: list[TermScore]
    changes_proved: bool = Field(description="Số phân công phải đổi đã được chứng minh là ít nhất")
    proof: str
    changed_seats: int
    changed_meetings: int
    changes: list[ChangedMeetingOut]
    assignments: list[ScenarioAssignmentOut]
    gaps: list[GapOut]
    described: list[str]
    notes: list[str]
    problems: list[str] = Field(description="Vì sao không lập được lịch (trạng thái infeasible)")
    created_at: dt.datetime


class LoadOut(Out):
    group: str
    least: int | None
    most: int | None


class CompareColumn(Out):
    title: str
    scenario_id: int | None = Field(description="null: cột lịch gốc")
    result_id: int | None
    stale: bool
    status: str
    status_label: str
    score_total: int | None
    terms: list[TermScore] | None
    seats_filled: int | None
    seats: int
    flagged_with_senior: int | None
    flagged: int
    loads: list[LoadOut]
    changed_seats: int | None
    changed_meetings: int | None
    seconds: float | None
    rotation_months: int


class CompareRow(Out):
    label: str
    cells: list[str]


class CompareChanges(Out):
    scenario_id: int
    name: str
    stale: bool
    solver_status: str
    problems: list[str]
    changes: list[ChangedMeetingOut]


class CompareOut(Out):
    columns: list[CompareColumn]
    rows: list[CompareRow] = Field(description="Bảng so sánh như `phancong scenario compare`, từng dòng")
    changes: list[CompareChanges]
