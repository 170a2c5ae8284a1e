"""Typed domain objects for the exchange format ``phancong-instance/1``.

The classes mirror ``schemas/instance.schema.json`` field for field (unknown fields are
refused, as the schema's ``additionalProperties: false`` says). Defaults that depend on
other objects (a meeting's seats and seniority depend on its commune's flag) are resolved
by :class:`Instance` methods, so that a file keeps saying only what its author wrote.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from models.rules import Rules

FORMAT = "phancong-instance/1"
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

NonEmpty = Annotated[str, Field(min_length=1)]
Flag = Literal[0, 1, 2]
Tier = Literal[1, 2, 3, 4]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Place(_Strict):
    id: str
    name: str | None = None
    lat: float | None = None
    lon: float | None = None


class Team(_Strict):
    id: str
    name: str


class Commune(_Strict):
    id: NonEmpty
    name: NonEmpty
    kind: Literal["xa", "phuong", "thi_tran"] | None = None
    flag: Flag = 0
    flag_reason: str | None = None
    lat: float | None = None
    lon: float | None = None
    teams: tuple[Team, ...] = ()


class Unavailability(_Strict):
    from_: dt.date = Field(alias="from")
    to: dt.date
    reason: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def covers(self, day: dt.date) -> bool:
        return self.from_ <= day <= self.to


class Delegate(_Strict):
    id: NonEmpty
    name: NonEmpty
    title: str | None = None
    tier: Tier
    agency: NonEmpty
    in_charge_of: tuple[str, ...] = ()
    max_per_month: Annotated[int, Field(ge=0)] = 4
    base: str = "hq"
    unavailable: tuple[Unavailability, ...] = ()

    def away_on(self, day: dt.date) -> Unavailability | None:
        """The leave that covers ``day``, if any."""
        for period in self.unavailable:
            if period.covers(day):
                return period
        return None


class Meeting(_Strict):
    id: NonEmpty
    commune: str
    start: dt.datetime
    minutes: Annotated[int, Field(ge=1)] = 180
    required: Annotated[int, Field(ge=1)] | None = None
    senior_tier: Literal[1, 2, 3] | None = None
    theme: str | None = None

    @field_serializer("start")
    def _local_minutes(self, start: dt.datetime) -> str:
        return start.strftime("%Y-%m-%dT%H:%M")

    @property
    def day(self) -> dt.date:
        return self.start.date()

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.minutes)


class Road(_Strict):
    a: str
    b: str
    minutes: Annotated[float, Field(gt=0)]


class Attendance(_Strict):
    date: dt.date
    commune: str
    delegate: str


class PastVisit(_Strict):
    date: dt.date
    team: str


class History(_Strict):
    attendances: tuple[Attendance, ...] = ()
    visits: tuple[PastVisit, ...] = ()


class Pair(_Strict):
    meeting: str
    delegate: str


class Instance(_Strict):
    format: Literal["phancong-instance/1"] = "phancong-instance/1"
    name: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    places: tuple[Place, ...] = ()
    communes: tuple[Commune, ...] = Field(min_length=1)
    delegates: tuple[Delegate, ...] = Field(min_length=1)
    meetings: tuple[Meeting, ...] = ()
    roads: tuple[Road, ...] = ()
    history: History = History()
    pinned: tuple[Pair, ...] = ()
    forbidden: tuple[Pair, ...] = ()
    reference: tuple[Pair, ...] = ()
    rules: Rules = Rules()

    _LOOKUPS: ClassVar[tuple[str, ...]] = ("communes_by_id", "delegates_by_id", "meetings_by_id")

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Instance:
        """A copy; the id lookups are rebuilt for it, never carried over from this one."""
        copy = super().model_copy(update=update, deep=deep)
        for name in self._LOOKUPS:
            copy.__dict__.pop(name, None)
        return copy

    @cached_property
    def communes_by_id(self) -> dict[str, Commune]:
        return {c.id: c for c in self.communes}

    @cached_property
    def delegates_by_id(self) -> dict[str, Delegate]:
        return {d.id: d for d in self.delegates}

    @cached_property
    def meetings_by_id(self) -> dict[str, Meeting]:
        return {m.id: m for m in self.meetings}

    def commune(self, commune_id: str) -> Commune:
        return self.communes_by_id[commune_id]

    def delegate(self, delegate_id: str) -> Delegate:
        return self.delegates_by_id[delegate_id]

    def meeting(self, meeting_id: str) -> Meeting:
        return self.meetings_by_id[meeting_id]

    def required(self, meeting: Meeting) -> int:
        """Seats to fill: as written, else 2 for a flag-2 commune and 1 otherwise."""
        if meeting.required is not None:
            return meeting.required
        return default_required(self.commune(meeting.commune).flag)

    def senior_tier(self, meeting: Meeting) -> int | None:
        """Highest tier that counts as senior; an explicit ``null`` means none needed."""
        if "senior_tier" in meeting.model_fields_set:
            return meeting.senior_tier
        return default_senior_tier(self.commune(meeting.commune).flag)


def default_required(flag: int) -> int:
    """Seats of a meeting that does not say: 2 at a flag-2 commune, 1 otherwise (RULES.md)."""
    return 2 if flag == 2 else 1


def default_senior_tier(flag: int) -> int | None:
    """Seniority asked of a meeting that does not say: tier ≤ 3 at flag 1, ≤ 2 at flag 2, none at 0."""
    return {0: None, 1: 3, 2: 2}[flag]
