"""Bodies of users, tokens, calendars and imports."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from api.schemas.common import Id, Name, Out, Strict


class UserIn(Strict):
    name: Name
    role: Literal["planner", "delegate", "commune"]
    delegate_id: Id | None = Field(default=None, description="Bắt buộc với role delegate")
    commune_id: Id | None = Field(default=None, description="Bắt buộc với role commune")


class UserOut(Out):
    id: int
    name: str
    role: str
    delegate_id: str | None
    commune_id: str | None
    active: bool
    created_at: dt.datetime


class TokenOut(Out):
    token: str = Field(description="Chỉ hiện một lần; lưu lại ngay")


class UserWithToken(Out):
    user: UserOut
    token: str = Field(description="Chỉ hiện một lần; lưu lại ngay")


class FeedOut(Out):
    url: str = Field(description="Địa chỉ bí mật để điện thoại đăng ký lịch (iCalendar)")
    webcal: str = Field(
        description="Cùng địa chỉ dạng webcal:// — iPhone đăng ký theo dõi (một liên kết http .ics chỉ nhập một bản)"
    )


class CalendarEventOut(Out):
    uid: str
    sequence: int
    meeting: str
    commune: str
    commune_name: str
    start: dt.datetime
    end: dt.datetime
    summary: str
    location: str
    description: str
    team: str | None = Field(description="Tổ tuyên vận gợi ý dự đột xuất (chỉ đại biểu này thấy)")
    team_name: str | None
    published_at: dt.datetime
    status: str = Field(default="CONFIRMED", description="CANCELLED: phân công đã bỏ khỏi lịch đang hiệu lực")
    pending: str | None = Field(default=None, description='"đang chờ Ban duyệt" khi có yêu cầu chưa duyệt')


class CalendarOut(Out):
    delegate: str
    name: str
    events: list[CalendarEventOut]


class ImportOut(Out):
    places: int
    communes: int
    teams: int
    delegates: int
    meetings: int
    roads: int
    attendances: int
    visits: int
    pins: int
    replan_months: list[str]


class AuditOut(Out):
    id: int
    at: dt.datetime
    user_id: int | None
    user_name: str | None
    action: str
    entity: str
    entity_id: str | None
    detail: dict[str, Any]


class HealthOut(Out):
    status: str
    database: str
