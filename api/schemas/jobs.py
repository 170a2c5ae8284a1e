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
        default=None, description="Giây (khoảng nhiều tháng: giây cho mỗi tháng); bị giới hạn bởi cấu hình máy chủ"
    )
    changes_first: bool = Field(default=False, description="Khi lập lại: ít thay đổi nhất trước, rồi điểm tốt nhất")


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
    months: list[str] | None = Field(default=None, description="Lượt lập nhiều tháng: các tháng, theo thứ tự")
    planning: str | None = Field(
        default=None, description="Lượt lập nhiều tháng: tháng đầu của các tháng đang được lập cùng lúc (null khi xong)"
    )
    schedule_ids: list[int] | None = Field(
        default=None, description="Lượt lập nhiều tháng: các bản nháp đã lập, mỗi tháng một bản, theo thứ tự"
    )
