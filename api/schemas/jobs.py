"""Bodies of solve jobs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from api.schemas.common import Month, Out, Strict


class SolveIn(Strict):
    month: Month | None = Field(default=None, description="Một tháng; hoặc from/to cho nhiều tháng")
    from_: Month | None = Field(
        default=None, alias="from", description="Tháng đầu của một khoảng (tối đa 12 tháng, lập cùng lúc)"
    )
    to: Month | None = Field(default=None, description="Tháng cuối của khoảng (tính cả tháng đó)")
    time_limit: Annotated[float, Field(gt=0, le=3600)] | None = Field(
        default=None,
        description=(
            "Giây (khoảng nhiều tháng: giây cho mỗi tháng, lượt giải chung được số giây đó nhân số tháng); "
            "lớn hơn giới hạn của máy chủ (max_solve_seconds, mặc định 60) thì dùng giới hạn đó: time_limit "
            "của lượt giải cho biết số giây thật"
        ),
    )
    changes_first: bool = Field(default=False, description="Khi lập lại: ít thay đổi nhất trước, rồi điểm tốt nhất")


class RangeDraftOut(Out):
    """One month's draft of a range solve."""

    month: str
    schedule_id: int


class JointPlanOut(Out):
    """The range solve a draft came from: its months were planned jointly, so the joint
    status and bound prove the range's score, not the draft's own."""

    job: str = Field(description="Lượt lập lịch nhiều tháng (GET /jobs/{job})")
    months: list[str] = Field(description="Các tháng được lập cùng lúc, theo thứ tự")
    status: str | None = Field(description="Trạng thái của lượt giải chung (optimal: điểm chung đã chứng minh)")
    status_label: str | None
    score: int | None = Field(description="Điểm các tháng cùng lúc")
    bound: int | None = Field(description="Cận dưới đã chứng minh của điểm các tháng cùng lúc")
    note: str = Field(description="Giải thích bằng lời vì sao điểm của bản nháp không có cận dưới riêng")


class JobOut(Out):
    id: str
    month: str
    status: str = Field(description="queued, running, done, failed, cancelled")
    status_label: str
    time_limit: float
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    seconds: float | None = Field(description="Thời gian đã giải")
    best_score: int | None = Field(description="Điểm tốt nhất đến lúc này")
    bound: int | None = Field(description="Cận dưới đã chứng minh")
    result_status: str | None
    schedule_id: int | None = Field(description="Bản nháp đã lập")
    error: str | None
    scenario_id: int | None = Field(description="Lượt chạy kịch bản: kịch bản được chạy (không lập bản nháp nào)")
    mode: str | None = Field(description="Lượt chạy kịch bản: weighted, changes_first hoặc fresh")
    months: list[str] | None = Field(
        default=None,
        description=(
            "Lượt lập nhiều tháng: các tháng được yêu cầu (from đến to), theo thứ tự, kể cả tháng không có "
            "hội nghị (tháng đó không có bản nháp)"
        ),
    )
    planning: str | None = Field(
        default=None, description="Lượt lập nhiều tháng: tháng đầu của các tháng đang được lập cùng lúc (null khi xong)"
    )
    schedule_ids: list[int] | None = Field(
        default=None,
        description=(
            "Lượt lập nhiều tháng: các bản nháp đã lập, theo thứ tự tháng, một bản cho mỗi tháng có hội nghị; "
            "có thể ngắn hơn months (tháng không có hội nghị không có bản nháp): tháng của từng bản ở drafts"
        ),
    )
    drafts: list[RangeDraftOut] | None = Field(
        default=None, description="Lượt lập nhiều tháng: mỗi bản nháp đã lập và tháng của nó, theo thứ tự tháng"
    )
