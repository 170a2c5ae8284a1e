"""A scenario's ``changes`` in a request body: the models of the YAML file
(:mod:`scenarios.changes`), read as strictly as every other body, and worded as the
YAML's errors are.

The change models are made for YAML, which hands over dates as dates and lets pydantic
coerce; a JSON body is held to what its schema says instead: a date is ISO text, never a
number of seconds; a number is never ``true``; text is never a number. So the list is
validated as strict JSON. Every error names its JSON path without pydantic's union tag
(``$.changes[2].flag``, not ``$.changes[2].commune_flag.flag``) and says, like
``phancong scenario check``, which change it is: "— thay đổi thứ 3 (commune_flag: …)".
Text must also be storable (:func:`models.validation.texts`): the changes are kept.
Dates fall in the years the service plans, and a moment sent with a zone is kept as the
local wall time the instance format writes, as every other meeting start of the API.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from models.contract import YEARS_TEXT, day_refused
from models.storage.clock import local_naive
from models.validation import texts
from scenarios.changes import (
    KIND_LABELS,
    Change,
    DelegateAdded,
    DelegateAway,
    DelegateLeaving,
    MeetingAdded,
    MeetingMoved,
)
from scenarios.messages import pydantic_message

CHANGES: TypeAdapter[list[Change]] = TypeAdapter(list[Change])
#: The error type every item carries: the API's error handler then keeps its message.
ERROR_TYPE = "scenario_change"


#: The most changes one scenario holds (each is applied and checked in order).
MAX_CHANGES = 200


def strict_changes(value: Any) -> list[Change]:
    """The changes of a JSON body, or a :class:`ValidationError` with one item per problem
    (locations relative to the list)."""
    if isinstance(value, list) and len(value) > MAX_CHANGES:
        message = f"nhiều nhất {MAX_CHANGES} thay đổi trong một kịch bản"
        raise ValidationError.from_exception_data("changes", [_item((), len(value), message, value)])
    problems = [_item(loc, flag, "không nhận true/false ở đây", value) for loc, flag in _booleans(value, ())]
    problems += [_item(tuple(_location(i.path)), i.value, i.message, value) for i in texts(value)]
    if problems:
        raise ValidationError.from_exception_data("changes", problems)
    try:
        changes = CHANGES.validate_json(json.dumps(value, ensure_ascii=False), strict=True)
    except ValidationError as err:
        raise ValidationError.from_exception_data("changes", list(_worded(err, value))) from None
    problems = [_item(loc, day, f"năm phải trong {YEARS_TEXT}", value) for loc, day in _dates(changes)]
    if problems:
        raise ValidationError.from_exception_data("changes", problems)
    return [_wall_time(change) for change in changes]


def load_changes(stored: list[dict[str, Any]]) -> list[Change]:
    """The changes as stored (checked when they were sent)."""
    return CHANGES.validate_python(stored)


def stored(changes: list[Change]) -> list[dict[str, Any]]:
    """The changes as JSON in the YAML's shape: only the fields that were given."""
    out = []
    for change in changes:
        fields = change.model_dump(mode="json", by_alias=True, exclude_unset=True)
        out.append({"kind": fields.pop("kind"), **fields})  # the kind first, as a file writes it
    return out


def _dates(changes: list[Change]) -> Iterator[tuple[tuple[str | int, ...], dt.date]]:
    """Every date of the changes outside the years the service plans (2000–2099, also once
    a moment with a zone is read in local time), where it is."""
    for i, change in enumerate(changes):
        found: list[tuple[tuple[str | int, ...], dt.date | None]] = []
        if isinstance(change, DelegateAway):
            found += [((i, "from"), change.from_), ((i, "to"), change.to)]
        elif isinstance(change, DelegateLeaving):
            found.append(((i, "from"), change.from_))
        elif isinstance(change, MeetingMoved):
            found.append(((i, "start"), change.start))
        elif isinstance(change, MeetingAdded):
            found.append(((i, "meeting", "start"), change.meeting.start))
        elif isinstance(change, DelegateAdded):
            for j, period in enumerate(change.delegate.unavailable):
                found += [((i, "delegate", "unavailable", j, "from"), period.from_)]
                found += [((i, "delegate", "unavailable", j, "to"), period.to)]
        for loc, day in found:
            if day is not None and day_refused(day) is not None:
                yield loc, day


def _wall_time(change: Change) -> Change:
    """A moment sent with a zone, as the local wall time the instance format writes (the
    API reads every other meeting start so)."""
    if isinstance(change, MeetingMoved) and change.start.tzinfo is not None:
        return change.model_copy(update={"start": local_naive(change.start)})
    if isinstance(change, MeetingAdded) and change.meeting.start.tzinfo is not None:
        meeting = change.meeting.model_copy(update={"start": local_naive(change.meeting.start)})
        return change.model_copy(update={"meeting": meeting})
    return change


def _item(loc: tuple[str | int, ...], value: Any, message: str, changes: Any) -> InitErrorDetails:
    """An error at ``loc`` (index first) whose message names the change, as the YAML's do."""
    if loc and isinstance(loc[0], int):
        message += f" — thay đổi thứ {loc[0] + 1}{_kind_note(changes, loc[0])}"
    # Braces would be read as the template's placeholders.
    template = message.replace("{", "{{").replace("}", "}}")
    return InitErrorDetails(type=PydanticCustomError(ERROR_TYPE, template), loc=loc, input=value)


def _worded(err: ValidationError, changes: Any) -> Iterator[InitErrorDetails]:
    for error in err.errors():
        loc = list(error["loc"])
        # A discriminated union puts the tag in the location: (2, "commune_flag", "flag").
        if len(loc) > 1 and isinstance(loc[0], int) and loc[1] in KIND_LABELS:
            del loc[1]
        value = error.get("input")
        if error["type"] == "missing":
            value = None
        elif error["type"] == "union_tag_invalid" and isinstance(value, dict):
            loc.append("kind")
            value = value.get("kind")
        yield _item(tuple(loc), value, _JSON_WORDS.get(error["type"]) or pydantic_message(error), changes)


#: Where the YAML's wording speaks of YAML ("các dòng bắt đầu bằng -"), a body's speaks of JSON.
_JSON_WORDS = {
    "list_type": "phải là danh sách (mảng JSON)",
    "model_type": "phải là đối tượng JSON",
    "dict_type": "phải là đối tượng JSON",
    "model_attributes_type": "phải là đối tượng JSON",
}


def _booleans(value: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], bool]]:
    """Where ``true``/``false`` are: no field of a change is a boolean, while pydantic
    would take ``false`` for the flag 0 even in strict mode."""
    if isinstance(value, bool):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _booleans(item, (*loc, str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _booleans(item, (*loc, i))


def _location(path: str) -> list[str | int]:
    """``$[2].reason`` → ``[2, "reason"]`` (the paths :func:`texts` writes)."""
    parts: list[str | int] = []
    for piece in path.removeprefix("$").replace("[", ".[").split("."):
        if piece.startswith("[") and piece.endswith("]"):
            parts.append(int(piece[1:-1]))
        elif piece:
            parts.append(piece)
    return parts


def _kind_note(changes: Any, index: int) -> str:
    """`` (pin: Ghim phân công)`` when the change at ``index`` has a known kind."""
    try:
        kind = changes[index].get("kind")
    except (TypeError, IndexError, AttributeError, KeyError):
        return ""
    return f" ({kind}: {KIND_LABELS[kind]})" if isinstance(kind, str) and kind in KIND_LABELS else ""
