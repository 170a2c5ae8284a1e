"""The kinds of change a scenario can make to a month, as typed values.

A scenario's YAML file lists changes in order; each is one of the models below, picked by
its ``kind`` (a discriminated union), with unknown fields refused so that a typo is an
error rather than a silently ignored line. The models only describe a change; applying
one to an instance is :mod:`scenarios.apply`, and wording it in Vietnamese is
:mod:`scenarios.wording`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from models.contract import PlanDay, PlanMoment
from models.instance import Delegate, Meeting
from models.rules import TERMS

Id = Annotated[str, Field(min_length=1)]
Reason = Annotated[str, Field(min_length=1)]


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    reason: Reason | None = None
    """Why, in the planner's words; it is repeated in every explanation of the change."""


class DelegateAway(_Change):
    """A delegate cannot attend on the given dates (illness, a mission, a training course)."""

    kind: Literal["delegate_away"]
    delegate: Id
    from_: PlanDay = Field(alias="from")
    to: PlanDay

    @model_validator(mode="after")
    def _forwards(self) -> DelegateAway:
        if self.to < self.from_:
            raise ValueError("ngày kết thúc (to) trước ngày bắt đầu (from)")
        return self


class DelegateAdded(_Change):
    """A new delegate joins (e.g. a newly appointed agency leader)."""

    kind: Literal["delegate_added"]
    delegate: Delegate


class DelegateLeaving(_Change):
    """A delegate leaves (retirement, transfer): no meetings from ``from`` on, or none at all.

    The delegate stays in the instance, since their past attendances still count for
    rotation and agency repeats; they only stop taking meetings.
    """

    kind: Literal["delegate_leaving"]
    delegate: Id
    from_: PlanDay | None = Field(default=None, alias="from")


class CommuneFlag(_Change):
    """A commune's flag is raised (a problem needs attention) or lowered (it is resolved)."""

    kind: Literal["commune_flag"]
    commune: Id
    flag: Literal[0, 1, 2]
    reason: Reason  # a flag always says why: planners read it on the notice


class MeetingMoved(_Change):
    """A commune moves its meeting to another date or time (and may change its length)."""

    kind: Literal["meeting_moved"]
    meeting: Id
    start: PlanMoment
    minutes: Annotated[int, Field(ge=1)] | None = None


class MeetingAdded(_Change):
    """An extra meeting (e.g. an unscheduled conference of a flagged commune)."""

    kind: Literal["meeting_added"]
    meeting: Meeting


class MeetingCancelled(_Change):
    """A meeting is called off."""

    kind: Literal["meeting_cancelled"]
    meeting: Id


class Pin(_Change):
    """The Standing Committee decides who attends: the pair must hold."""

    kind: Literal["pin"]
    meeting: Id
    delegate: Id


class Unpin(_Change):
    """An earlier pin is lifted."""

    kind: Literal["unpin"]
    meeting: Id
    delegate: Id


class Forbid(_Change):
    """A delegate must not attend a meeting (e.g. a conflict of interest)."""

    kind: Literal["forbid"]
    meeting: Id
    delegate: Id


class Unforbid(_Change):
    """An earlier ban is lifted."""

    kind: Literal["unforbid"]
    meeting: Id
    delegate: Id


class RuleOption(_Change):
    """A rule option changes (``own_commune``: hard/soft/off; ``rotation_months``)."""

    kind: Literal["rule_option"]
    option: Literal["own_commune", "rotation_months"]
    value: str | int


class Weight(_Change):
    """A score term's weight changes."""

    kind: Literal["weight"]
    term: str
    value: Annotated[int, Field(ge=0)]

    @field_validator("term")
    @classmethod
    def _known(cls, term: str) -> str:
        if term not in TERMS:
            raise ValueError(f"không có tiêu chí này (có: {', '.join(TERMS)})")
        return term


Change = Annotated[
    DelegateAway
    | DelegateAdded
    | DelegateLeaving
    | CommuneFlag
    | MeetingMoved
    | MeetingAdded
    | MeetingCancelled
    | Pin
    | Unpin
    | Forbid
    | Unforbid
    | RuleOption
    | Weight,
    Field(discriminator="kind"),
]

#: Every kind, with its Vietnamese name (shown in tables and error messages).
KIND_LABELS: dict[str, str] = {
    "delegate_away": "Đại biểu vắng",
    "delegate_added": "Thêm đại biểu",
    "delegate_leaving": "Đại biểu thôi tham gia",
    "commune_flag": "Đổi mức cần quan tâm của xã",
    "meeting_moved": "Dời hội nghị",
    "meeting_added": "Thêm hội nghị",
    "meeting_cancelled": "Hủy hội nghị",
    "pin": "Ghim phân công",
    "unpin": "Bỏ ghim",
    "forbid": "Không phân công",
    "unforbid": "Bỏ lệnh không phân công",
    "rule_option": "Đổi tùy chọn quy tắc",
    "weight": "Đổi trọng số",
}
