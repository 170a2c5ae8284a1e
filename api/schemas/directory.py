"""Bodies of communes, teams, delegates and their leave."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from api.schemas.common import Day, Id, Name, NotBool, Out, Strict, Text, _storable, optional
from models.contract import NAME_PATTERN

Kind = Literal["xa", "phuong", "thi_tran"]
Flag = Annotated[Literal[0, 1, 2], NotBool]
Tier = Annotated[Literal[1, 2, 3, 4], NotBool]
Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]
DISTRICT_MAX = 100
#: The district with its kind, as the address is written: "huyện Bát Xát", "thành phố Lào
#: Cai". Given, it may not be empty once trimmed; null (or absent) means none.
District = Annotated[
    str,
    StringConstraints(min_length=1, max_length=DISTRICT_MAX, pattern=NAME_PATTERN),
    _storable(False),
    Field(examples=["huyện Bát Xát"]),
]


class TeamIn(Strict):
    id: Id
    name: Name


class TeamPatch(Strict):
    name: Name = optional()


class TeamOut(Out):
    id: str
    commune: str
    name: str


class CommuneIn(Strict):
    id: Id
    name: Name
    kind: Kind | None = None
    district: District | None = None
    flag: Flag = 0
    flag_reason: Text | None = None
    lat: Lat | None = None
    lon: Lon | None = None


class CommunePatch(Strict):
    name: Name = optional()
    kind: Kind | None = None
    district: District | None = None
    flag: Flag = optional()
    flag_reason: Text | None = None
    lat: Lat | None = None
    lon: Lon | None = None


class CommuneOut(Out):
    id: str
    name: str
    kind: str | None
    district: str | None
    flag: int
    flag_label: str
    flag_reason: str | None
    lat: float | None
    lon: float | None
    teams: list[TeamOut]


BACKWARDS = "ngày kết thúc (to) trước ngày bắt đầu (from)"


class LeaveIn(Strict):
    from_: Day = Field(alias="from")
    to: Day
    reason: Text | None = None

    @model_validator(mode="after")
    def _ordered(self) -> LeaveIn:
        if self.to < self.from_:
            raise ValueError(BACKWARDS)
        return self


class LeavePatch(Strict):
    """A correction of a leave period: only the fields sent change. The period that
    results must still run forwards (checked against the stored dates by the route)."""

    from_: Day = optional(alias="from")
    to: Day = optional()
    reason: Text | None = None

    @model_validator(mode="after")
    def _ordered(self) -> LeavePatch:
        if self.from_ is not None and self.to is not None and self.to < self.from_:
            raise ValueError(BACKWARDS)
        return self


class LeaveOut(Out):
    id: int
    from_: dt.date = Field(serialization_alias="from")
    to: dt.date
    reason: str | None


class DelegateIn(Strict):
    id: Id
    name: Name
    title: Name | None = None
    tier: Tier
    agency: Name
    in_charge_of: Annotated[list[Id], Field(max_length=200)] = Field(default_factory=list)
    max_per_month: Annotated[int, Field(ge=0, le=31)] = 4
    base: Id = "hq"
    unavailable: Annotated[list[LeaveIn], Field(max_length=500)] = Field(default_factory=list)


class DelegatePatch(Strict):
    name: Name = optional()
    title: Name | None = None
    tier: Tier = optional()
    agency: Name = optional()
    in_charge_of: Annotated[list[Id], Field(max_length=200)] = optional()
    max_per_month: Annotated[int, Field(ge=0, le=31)] = optional()
    base: Id = optional()


class DelegateOut(Out):
    id: str
    name: str
    title: str | None
    tier: int
    tier_label: str
    agency: str
    in_charge_of: list[str]
    max_per_month: int
    base: str
    unavailable: list[LeaveOut]
