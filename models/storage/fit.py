"""What an instance document must also be to be stored, beyond the format's own checks
(which hold the contract of each value, :mod:`models.contract`: characters, lengths,
years): meetings in the years the service plans once read in local time, and place and
commune ids that do not clash with stored ones (the two share one id space: roads join
both).

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

from models.contract import day_refused, refused
from models.errors import Issue, json_path
from models.instance import DEFAULT_TIMEZONE
from models.storage.tables import CommuneRow, PlaceRow
from models.validation import START_PATTERN

Where = list[str | int]


def document_issues(session: Session, document: Any) -> list[Issue]:
    """Every reason ``document`` (decoded, NFC) cannot be stored as it is; empty when it can."""
    if not isinstance(document, dict):
        return []
    return [*years(document), *namespaces(session, document)]


def _items(parent: Any, field: str, path: Where) -> list[tuple[Where, dict[str, Any]]]:
    value = parent.get(field) if isinstance(parent, dict) else None
    if not isinstance(value, list):
        return []
    return [([*path, field, i], item) for i, item in enumerate(value) if isinstance(item, dict)]


def years(doc: dict[str, Any]) -> Iterable[Issue]:
    """Meetings fall in the years the service plans also once read in local time (the
    instance checks read them in the file's zone)."""
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
        reason = day_refused(wall.replace(tzinfo=zone))
        if reason is not None:
            yield Issue(json_path([*path, "start"]), start, reason)


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
    """The ids of a part that a database can be asked about (the others are reported by
    :func:`models.validation.texts`)."""
    found = [(path, item.get("id")) for path, item in _items(doc, field, [])]
    return [(path, value) for path, value in found if isinstance(value, str) and refused(value) is None]
