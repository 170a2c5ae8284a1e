"""Bodies of places (a delegate's base that is not a commune) and roads between them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from api.schemas.common import Id, Name, Out, Strict, optional
from api.schemas.directory import Lat, Lon

#: A road's travel time: positive, finite (the bodies refuse NaN and Infinity), and no
#: longer than the instance format accepts for one road (``models.validation``: 100000).
Minutes = Annotated[float, Field(gt=0, le=100_000, description="Thời gian đi (phút)")]


class PlaceIn(Strict):
    id: Id
    name: Name | None = None
    lat: Lat | None = None
    lon: Lon | None = None


class PlacePatch(Strict):
    name: Name | None = None
    lat: Lat | None = None
    lon: Lon | None = None


class PlaceOut(Out):
    id: str
    name: str | None
    lat: float | None
    lon: float | None


class RoadIn(Strict):
    a: Id = Field(description="Mã xã/phường hoặc địa điểm ở một đầu")
    b: Id = Field(description="Mã xã/phường hoặc địa điểm ở đầu kia")
    minutes: Minutes


class RoadPatch(Strict):
    a: Id = optional()
    b: Id = optional()
    minutes: Minutes = optional()


class RoadOut(Out):
    id: int
    a: str
    a_name: str | None = Field(description="Tên xã/phường hoặc địa điểm")
    b: str
    b_name: str | None
    minutes: int | float

    @field_validator("minutes")
    @classmethod
    def _whole(cls, minutes: float) -> int | float:
        # Whole minutes come back as sent (10, not 10.0), as the instance document writes them.
        return int(minutes) if float(minutes).is_integer() else minutes
