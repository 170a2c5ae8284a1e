"""Shared pieces of the bodies: strict request models, ids, names, months."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema, model_validator
from pydantic import Strict as StrictMode

from models.io import nfc
from models.storage.clock import MONTH_PATTERN
from models.storage.text import EDGE_WHITESPACE, FREE_TEXT_PATTERN, refused


def _storable(free: bool) -> Any:
    """Refuse, naming it, a character the databases would not store alike (NUL, another
    control character, a lone surrogate; free text may hold tabs and line breaks).

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


#: Ids made through the API: no slash, space, control character or URL punctuation, so
#: that they fit in a path.
ID_PATTERN = r"^[^\s/?#%\\\x00-\x1f\x7f]+$"
#: A name has a visible character and no control character.
NAME_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
# The constraints come first here and the check last: pydantic runs the last one first.
Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=ID_PATTERN), _storable(False)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NAME_PATTERN), _storable(False)]
Text = Annotated[str, StringConstraints(max_length=2000, pattern=FREE_TEXT_PATTERN), _storable(True)]
Month = Annotated[str, StringConstraints(pattern=MONTH_PATTERN), Field(examples=["2024-03"])]
PathId = Annotated[str, Path(min_length=1, max_length=64)]
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
#: are parsed from text, since JSON has none, but never from a number of seconds.
Day = Annotated[
    dt.date,
    StrictMode(False),
    _matching(DAY_PATTERN, "ngày YYYY-MM-DD"),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DAY_PATTERN}),
]
Moment = Annotated[
    dt.datetime,
    StrictMode(False),
    _matching(MOMENT_PATTERN, "ngày giờ YYYY-MM-DDTHH:MM (múi giờ tùy chọn)"),
    WithJsonSchema({"type": "string", "pattern": MOMENT_PATTERN}),
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
