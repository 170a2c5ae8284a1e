"""Bodies of change requests after publication (dời, hủy, không dự được) and their answers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from api.schemas.common import Out, Strict, Text
from api.schemas.jobs import JobOut
from models.reasons import pattern

# The contract's free text (models/contract.py), never empty.
Reason = Annotated[Text, Field(min_length=1)]


class AbsenceIn(Strict):
    """A delegate cannot attend one of their published meetings."""

    reason: Reason = Field(description="Lý do không dự được")


class ApproveIn(Strict):
    """Approve several requests of one month at once (one re-plan); empty: only the one in the path."""

    also: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] = Field(
        default_factory=list, description="Các yêu cầu khác cùng tháng duyệt cùng lúc"
    )


class RejectIn(Strict):
    reason: Reason = Field(description="Lý do không duyệt (người gửi sẽ thấy)")


class RequestOut(Out):
    id: int
    kind: str = Field(description="move, cancel, absent")
    kind_label: str
    state: str = Field(description="pending, approved, rejected")
    state_label: str
    meeting: str
    month: str
    commune: str
    delegate: str | None
    start: dt.datetime | None = Field(description="Giờ mới xin dời sang (có múi giờ +07:00)")
    minutes: int | None
    before_start: dt.datetime | None = Field(description="Giờ đã công bố khi gửi yêu cầu")
    reason: str | None
    created_at: dt.datetime
    decided_at: dt.datetime | None
    decision_reason: str | None = Field(description="Lý do không duyệt, cho người gửi")
    job: str | None = Field(description="Lượt lập lại lịch do việc duyệt khởi động")


class ApprovedOut(Out):
    requests: list[RequestOut]
    job: JobOut


class ChangeOut(Out):
    """One meeting changed between the version in force and a new version."""

    meeting: str
    commune: str
    commune_name: str
    change: str = Field(description="added, moved, cancelled, delegates")
    change_label: str
    before_start: dt.datetime | None
    after_start: dt.datetime | None
    before_delegates: list[str]
    after_delegates: list[str]
    reasons: list[str]


class ChangesOut(Out):
    month: str
    version: int
    base_version: int | None
    changes: list[ChangeOut]


class NotificationOut(Out):
    id: int
    message_id: str
    schedule: int | None
    recipient_kind: str
    recipient: str
    recipient_name: str
    channel: str
    address: str
    subject: str
    body: str
    state: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


EMAIL = pattern(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", "không phải địa chỉ email (dạng ten@mien.vn)")
PHONE = pattern(r"^\+?[0-9 .-]{6,29}$", "không phải số điện thoại (6–29 chữ số, cách, chấm, gạch; + ở đầu)")
ZALO_ID = pattern(r"^[0-9A-Za-z_-]{1,64}$", "chỉ gồm chữ Latin không dấu, chữ số, _ và -")


class ContactIn(Strict):
    email: Annotated[str, Field(max_length=200, pattern=EMAIL)] | None = None
    phone: Annotated[str, Field(max_length=30, pattern=PHONE)] | None = None
    zalo_user_id: Annotated[str, Field(max_length=64, pattern=ZALO_ID)] | None = None
    channels: list[Annotated[str, Field(pattern="^(email|zalo|webhook)$")]] = Field(
        default_factory=list, description="Kênh nhận thông báo: email, zalo, webhook"
    )


class ContactOut(Out):
    email: str | None
    phone: str | None
    zalo_user_id: str | None
    channels: list[str]
