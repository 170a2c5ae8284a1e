"""Shared pieces of the bodies: strict request models, ids, names, texts, dates, months.

Each type is the JSON form of a value of :mod:`models.contract` (its characters, lengths
and years), with the constraints spelt in the OpenAPI so that clients and the fuzzer see
them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import Path
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic import Strict as StrictMode

from models.contract import (
    EDGE_WHITESPACE,
    FREE_TEXT_PATTERN,
    ID_MAX,
    ID_PATTERN,
    MONTH_PATTERN,
    NAME_MAX,
    NAME_PATTERN,
    TEXT_MAX,
    in_years,
    refused,
)
from models.io import nfc


def _storable(free: bool) -> Any:
    """Refuse, naming it, a character the contract refuses (a control character, a lone
    surrogate, a noncharacter; in an id or a name an invisible format character too; free
    text may hold tabs and line breaks).

    Runs before the type's own constraints, so that such a character gets this message
    rather than a pattern mismatch; the spaces the body strips anyway are not counted.
    """

    def check(value: Any) -> Any:
        if isinstance(value, str):
            reason = refused(value.strip(EDGE_WHITESPACE), free)
            if reason is not None:
                raise ValueError(reason)
        return value

    return BeforeValidator(check)


# The constraints come first here and the check last: pydantic runs the last one first.
Id = Annotated[str, StringConstraints(min_length=1, max_length=ID_MAX, pattern=ID_PATTERN), _storable(False)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX, pattern=NAME_PATTERN), _storable(False)]
Text = Annotated[str, StringConstraints(max_length=TEXT_MAX, pattern=FREE_TEXT_PATTERN), _storable(True)]
Month = Annotated[str, StringConstraints(pattern=MONTH_PATTERN), Field(examples=["2024-03"])]
PathId = Annotated[str, Path(min_length=1, max_length=ID_MAX)]
#: Integer ids in paths: bounded so that no database is asked about a number it cannot hold.
IntId = Annotated[int, Path(ge=1, le=2_147_483_647)]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def optional(**kwargs: Any) -> Any:
    """An optional field of a PATCH body that may not be null: absent means "unchanged".

    The schema keeps the field's own type (no ``null``) and shows no default.
    """
    return Field(default=None, json_schema_extra=_no_default, **kwargs)


DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
MOMENT_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$"
# What the OpenAPI shows: the same forms, in the contract's years (20xx). The checks
# read any four-digit year first, so that 9999-12-31 is told "the year", not "the form".
_SHOWN_DAY = r"^20\d{2}" + DAY_PATTERN.removeprefix(r"^\d{4}")
_SHOWN_MOMENT = r"^20\d{2}" + MOMENT_PATTERN.removeprefix(r"^\d{4}")


def _matching(pattern: str, what: str) -> Any:
    compiled = re.compile(pattern)

    def check(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value
        if not isinstance(value, str) or not compiled.match(value):
            raise ValueError(f"phải là chuỗi {what}")
        return value

    return BeforeValidator(check)


#: A date or a date-time written as JSON text, exactly in the form the schema shows.
#: Request bodies are strict (no number or boolean stands in for another type); dates
#: are parsed from text, since JSON has none, but never from a number of seconds. Both
#: fall in the contract's years (a moment also once read in local time).
Day = Annotated[
    dt.date,
    StrictMode(False),
    _matching(DAY_PATTERN, "ngày YYYY-MM-DD"),
    AfterValidator(in_years),
    WithJsonSchema({"type": "string", "format": "date", "pattern": _SHOWN_DAY}),
]
Moment = Annotated[
    dt.datetime,
    StrictMode(False),
    _matching(MOMENT_PATTERN, "ngày giờ YYYY-MM-DDTHH:MM (múi giờ tùy chọn)"),
    AfterValidator(in_years),
    WithJsonSchema({"type": "string", "pattern": _SHOWN_MOMENT}),
]


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("phải là số, không phải true/false")
    return value


#: For number enums (``Literal[0, 1, 2]``), which would otherwise take ``false`` as 0.
NotBool = BeforeValidator(_not_bool)


class Strict(BaseModel):
    """A request body: unknown fields are refused, types are not coerced (``false`` is
    not ``0``), numbers are finite, text is stored in NFC."""

    # Python's JSON reader takes NaN and Infinity, which JSON does not have: refuse them.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _nfc(cls, data: Any) -> Any:
        return nfc(data)

    def given(self, name: str) -> bool:
        """Was the field sent (even as null)?"""
        return name in self.model_fields_set


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Deleted(Out):
    deleted: str = Field(description="Id of what was deleted")
