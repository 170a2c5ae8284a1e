"""What an instance document must also be to be stored, beyond the format's own checks:
text both databases store alike (:mod:`models.storage.text`), ids and names that fit
their columns, meetings in the years the service plans, and place and commune ids that
do not clash with stored ones (the two share one id space: roads join both).

Like :mod:`models.validation`, these checks read the decoded document defensively, so
they run beside the format checks even when those have complaints: an import reports
every bad row of every check at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import Issue, json_path
from models.instance import DEFAULT_TIMEZONE
from models.storage.clock import LOCAL, YEARS
from models.storage.tables import CommuneRow, PlaceRow
from models.storage.text import refused
from models.validation import START_PATTERN

ID_LIMIT, NAME_LIMIT = 64, 200
Where = list[str | int]


def document_issues(session: Session, document: Any) -> list[Issue]:
    """Every reason ``document`` (decoded, NFC) cannot be stored as it is; empty when it can."""
    if not isinstance(document, dict):
        return []
    return [*texts(document), *sizes(document), *years(document), *namespaces(session, document)]


def _items(parent: Any, field: str, path: Where) -> list[tuple[Where, dict[str, Any]]]:
    value = parent.get(field) if isinstance(parent, dict) else None
    if not isinstance(value, list):
        return []
    return [([*path, field, i], item) for i, item in enumerate(value) if isinstance(item, dict)]


def _too_long(path: Where, item: dict[str, Any], keys: Iterable[str], limit: int) -> Iterable[Issue]:
    for key in keys:
        value = item.get(key)
        if isinstance(value, str) and len(value) > limit:
            yield Issue(json_path([*path, key]), value, f"dài quá {limit} ký tự")


#: Fields of free text, where tabs and line breaks are allowed.
FREE_TEXT = frozenset({"theme", "flag_reason", "reason"})


def texts(value: Any, path: Where | None = None, free: bool = False) -> Iterable[Issue]:
    """Every text of the document (and every key) holds only characters the databases
    store alike."""
    path = path or []
    if isinstance(value, str):
        reason = refused(value, free)
        if reason is not None:
            yield Issue(json_path(path), value, reason)
    elif isinstance(value, dict):
        for key, item in value.items():
            reason = refused(key) if isinstance(key, str) else None
            if reason is not None:
                yield Issue(json_path(path), key, f"tên trường {reason}")
            yield from texts(item, [*path, str(key)], key in FREE_TEXT)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from texts(item, [*path, i])


def sizes(doc: dict[str, Any]) -> Iterable[Issue]:
    """Ids and names fit their columns (PostgreSQL refuses longer text; SQLite would keep it)."""
    for path, place in _items(doc, "places", []):
        yield from _too_long(path, place, ("id",), ID_LIMIT)
        yield from _too_long(path, place, ("name",), NAME_LIMIT)
    for path, commune in _items(doc, "communes", []):
        yield from _too_long(path, commune, ("id",), ID_LIMIT)
        yield from _too_long(path, commune, ("name",), NAME_LIMIT)
        for team_path, team in _items(commune, "teams", path):
            yield from _too_long(team_path, team, ("id",), ID_LIMIT)
            yield from _too_long(team_path, team, ("name",), NAME_LIMIT)
    for path, delegate in _items(doc, "delegates", []):
        yield from _too_long(path, delegate, ("id", "base"), ID_LIMIT)
        yield from _too_long(path, delegate, ("name", "title", "agency"), NAME_LIMIT)
    for path, meeting in _items(doc, "meetings", []):
        yield from _too_long(path, meeting, ("id",), ID_LIMIT)


def years(doc: dict[str, Any]) -> Iterable[Issue]:
    """Meetings fall in the years the service plans, in the file's zone and in local time."""
    try:
        zone = ZoneInfo(str(doc.get("timezone", DEFAULT_TIMEZONE)))
    except (ZoneInfoNotFoundError, ValueError):
        return  # the format checks report the zone
    for path, meeting in _items(doc, "meetings", []):
        start = meeting.get("start")
        if not isinstance(start, str) or not START_PATTERN.match(start):
            continue
        try:
            wall = dt.datetime.fromisoformat(start)
        except ValueError:
            continue  # reported by the format checks
        if wall.year not in YEARS or wall.replace(tzinfo=zone).astimezone(LOCAL).year not in YEARS:
            yield Issue(json_path([*path, "start"]), start, "năm phải trong 2000–2099")


def namespaces(session: Session, doc: dict[str, Any]) -> Iterable[Issue]:
    """No place takes a stored commune's id, and no commune a stored place's id."""
    places = _storable_ids(doc, "places")
    communes = _storable_ids(doc, "communes")
    stored_communes = set(session.scalars(select(CommuneRow.id).where(CommuneRow.id.in_([i for _, i in places]))))
    for path, place_id in places:
        if place_id in stored_communes:
            yield Issue(json_path([*path, "id"]), place_id, "trùng với mã một xã/phường đã có")
    stored_places = set(session.scalars(select(PlaceRow.id).where(PlaceRow.id.in_([i for _, i in communes]))))
    for path, commune_id in communes:
        if commune_id in stored_places:
            yield Issue(json_path([*path, "id"]), commune_id, "trùng với mã một địa điểm đã có")


def _storable_ids(doc: dict[str, Any], field: str) -> list[tuple[Where, str]]:
    """The ids of a part that a database can be asked about (the others are reported by :func:`texts`)."""
    found = [(path, item.get("id")) for path, item in _items(doc, field, [])]
    return [(path, value) for path, value in found if isinstance(value, str) and refused(value) is None]
