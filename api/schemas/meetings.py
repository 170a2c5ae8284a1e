"""Bodies of meetings (a commune's registration) and of who attends them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from api.schemas.common import Id, Moment, NotBool, Out, Strict, Text, optional

Minutes = Annotated[int, Field(ge=15, le=720)]
SeniorTier = Annotated[Literal[1, 2, 3], NotBool]


# In the contract's years, as written and in local time (:data:`api.schemas.common.Moment`).
Start = Annotated[
    Moment,
    Field(
        description="Giờ bắt đầu: giờ địa phương (Asia/Ho_Chi_Minh) nếu không ghi múi giờ",
        examples=["2024-03-06T07:30"],
    ),
]


class MeetingIn(Strict):
    """A registration. A commune account may leave out ``commune`` (its own is used), and
    leaves out ``id`` (the service names its meetings)."""

    id: Id | None = Field(default=None, description="Chỉ planner; bỏ trống: tự đặt YYYYMM-<mã xã>")
    commune: Id | None = None
    start: Start
    minutes: Minutes = 180
    required: Annotated[int, Field(ge=1, le=10)] | None = Field(default=None, description="Chỉ planner")
    senior_tier: SeniorTier | None = Field(default=None, description="Chỉ planner; null: không cần")
    theme: Text | None = None


class MeetingPatch(Strict):
    """A move (start, minutes) or a correction; ``required``/``senior_tier``: planners only."""

    start: Start = optional()
    minutes: Minutes = optional()
    theme: Text | None = None
    required: Annotated[int, Field(ge=1, le=10)] | None = None
    senior_tier: SeniorTier | None = None
    cancel: Literal[True] = optional(description="Hủy hội nghị (sau khi công bố: thành yêu cầu chờ Ban duyệt)")
    reason: Text | None = Field(default=None, description="Lý do dời/hủy, gửi kèm yêu cầu")


class Attendee(Out):
    """A delegate coming to a meeting, as the published schedule says (no visit plans)."""

    id: str
    name: str
    title: str | None


class MeetingOut(Out):
    id: str
    commune: str
    commune_name: str
    month: str
    start: dt.datetime = Field(description="Có múi giờ (+07:00)")
    end: dt.datetime
    minutes: int
    required: int | None
    seats: int = Field(description="Số đại biểu cần (mặc định theo mức quan tâm của xã)")
    senior_tier: int | None
    theme: str | None
    attendees: list[Attendee] = Field(description="Đại biểu dự theo lịch đã công bố")
    pending: str | None = Field(
        default=None,
        description='"đang chờ Ban duyệt" khi có yêu cầu chưa duyệt; '
        '"Ban đã duyệt thay đổi, chờ công bố lịch điều chỉnh" khi thay đổi đã duyệt chưa có trong '
        "lịch công bố (giờ hiển thị vẫn là giờ đã công bố)",
    )
    cancelled: bool = Field(default=False, description="Hội nghị đã hủy (không còn trong lịch lập sau đó)")
