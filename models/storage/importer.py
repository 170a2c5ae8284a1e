"""Importing an instance document into the database: all of it, or nothing.

The document is validated whole first: the format's checks
(:func:`models.io.instance_from_document`) and the database's (:mod:`models.storage.fit`:
column sizes, planned years, ids shared by places and communes) run together, so that
one error lists every bad row of both. Only then is it written, inside the caller's
transaction. The caller commits; any error before that leaves the database untouched.

Rows with the same id are replaced (a delegate's leave and in-charge-of communes with
them, a meeting's pins), new ones are added, nothing is deleted; roads are replaced when
the document has any; history rows are added when not already there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.errors import InputError, Issue
from models.instance import Instance
from models.io import instance_from_document, instance_to_document, nfc
from models.storage import fit
from models.storage import meetings as meeting_store
from models.storage.clock import aware, month_of
from models.storage.config import set_name, set_rules
from models.storage.tables import (
    AttendanceRow,
    ChargeRow,
    CommuneRow,
    DelegateRow,
    LeaveRow,
    MeetingRow,
    PastVisitRow,
    PinRow,
    PlaceRow,
    RoadRow,
    TeamRow,
)
from models.storage.types import utcnow

WHAT = "Tệp bài toán (instance)"


@dataclass
class ImportSummary:
    """How many rows of each kind the import added or replaced."""

    places: int = 0
    communes: int = 0
    teams: int = 0
    delegates: int = 0
    meetings: int = 0
    roads: int = 0
    attendances: int = 0
    visits: int = 0
    pins: int = 0
    replan_months: list[str] = field(default_factory=list)
    """Months whose published schedule the import made out of date."""


def import_document(session: Session, document: Any, user_id: int | None = None) -> ImportSummary:
    """Validate ``document`` (every issue of every check at once) and write it into ``session``."""
    return _write(session, checked_document(session, document), user_id)


def import_workbook(session: Session, data: bytes, user_id: int | None = None) -> ImportSummary:
    """Validate an Excel workbook (every issue at once, with sheet and row) and write it."""
    from models.storage.excel import read_instance

    return _write(session, read_instance(data, lambda document: fit.document_issues(session, document)), user_id)


def import_instance(session: Session, instance: Instance, user_id: int | None = None) -> ImportSummary:
    """Write a validated instance; raises :class:`InputError` when it does not fit the database."""
    issues = fit.document_issues(session, instance_to_document(instance))
    if issues:
        raise InputError(issues, WHAT)
    return _write(session, instance, user_id)


def checked_document(session: Session, document: Any) -> Instance:
    """The instance of ``document`` once the format's checks and the database's all pass.

    Both kinds run whatever the other finds, so one error lists every bad row.
    """
    issues: list[Issue] = []
    instance = None
    try:
        instance = instance_from_document(document)
    except InputError as error:
        issues = list(error.issues)
    issues += fit.document_issues(session, nfc(document))
    if issues or instance is None:
        raise InputError(issues, WHAT)
    return instance


def _write(session: Session, instance: Instance, user_id: int | None) -> ImportSummary:
    summary = ImportSummary()
    zone = ZoneInfo(instance.timezone)
    _places(session, instance, summary)
    _communes(session, instance, summary)
    _delegates(session, instance, summary)
    session.flush()
    _meetings(session, instance, zone, user_id, summary)
    _roads(session, instance, summary)
    session.flush()
    _history(session, instance, summary)
    _pins(session, instance, summary)
    if instance.name:
        set_name(session, instance.name)
    if "rules" in instance.model_fields_set:
        set_rules(session, instance.rules)
    session.flush()
    return summary


def _places(session: Session, instance: Instance, summary: ImportSummary) -> None:
    stored = {row.id: row for row in session.scalars(select(PlaceRow))}
    for place in instance.places:
        row = stored.get(place.id) or PlaceRow(id=place.id)
        row.name, row.lat, row.lon = place.name, place.lat, place.lon
        session.add(row)
        summary.places += 1


def _communes(session: Session, instance: Instance, summary: ImportSummary) -> None:
    stored = {row.id: row for row in session.scalars(select(CommuneRow))}
    teams = {row.id: row for row in session.scalars(select(TeamRow))}
    for commune in instance.communes:
        row = stored.get(commune.id) or CommuneRow(id=commune.id)
        row.name, row.kind, row.flag, row.flag_reason = commune.name, commune.kind, commune.flag, commune.flag_reason
        row.lat, row.lon = commune.lat, commune.lon
        session.add(row)
        summary.communes += 1
        for team in commune.teams:
            team_row = teams.get(team.id) or TeamRow(id=team.id)
            team_row.commune_id, team_row.name = commune.id, team.name
            session.add(team_row)
            summary.teams += 1


def _delegates(session: Session, instance: Instance, summary: ImportSummary) -> None:
    ids = [d.id for d in instance.delegates]
    stored = {row.id: row for row in session.scalars(select(DelegateRow))}
    # Replaced wholesale: delete first, in SQL, so that the new rows never meet the old keys.
    session.execute(delete(ChargeRow).where(ChargeRow.delegate_id.in_(ids)))
    session.execute(delete(LeaveRow).where(LeaveRow.delegate_id.in_(ids)))
    for delegate in instance.delegates:
        row = stored.get(delegate.id) or DelegateRow(id=delegate.id)
        row.name, row.title, row.tier, row.agency = delegate.name, delegate.title, delegate.tier, delegate.agency
        row.max_per_month, row.base = delegate.max_per_month, delegate.base
        session.add(row)
        summary.delegates += 1
    session.flush()
    for delegate in instance.delegates:
        for position, commune_id in enumerate(delegate.in_charge_of):
            session.add(ChargeRow(delegate_id=delegate.id, commune_id=commune_id, position=position))
        for period in delegate.unavailable:
            session.add(
                LeaveRow(delegate_id=delegate.id, starts_on=period.from_, ends_on=period.to, reason=period.reason)
            )


def _meetings(
    session: Session, instance: Instance, zone: ZoneInfo, user_id: int | None, summary: ImportSummary
) -> None:
    stored = {row.id: row for row in session.scalars(select(MeetingRow))}
    now = utcnow()
    months: set[str] = set()
    for meeting in instance.meetings:
        starts_at = aware(meeting.start, zone).astimezone(dt.UTC)
        row = stored.get(meeting.id)
        before = meeting_store.snapshot(row) if row is not None else None
        if row is None:
            row = MeetingRow(id=meeting.id)
        row.commune_id, row.starts_at, row.month = meeting.commune, starts_at, month_of(starts_at)
        row.minutes, row.required, row.theme = meeting.minutes, meeting.required, meeting.theme
        row.senior_tier = meeting.senior_tier
        row.senior_tier_set = "senior_tier" in meeting.model_fields_set
        row.updated_at = now
        session.add(row)
        summary.meetings += 1
        months |= meeting_store.flag_replan(session, row, before, user_id, "nhập từ tệp")
    summary.replan_months = sorted(months)


def _roads(session: Session, instance: Instance, summary: ImportSummary) -> None:
    if not instance.roads:
        return
    session.execute(delete(RoadRow))
    for road in instance.roads:
        session.add(RoadRow(a=road.a, b=road.b, minutes=road.minutes))
        summary.roads += 1


def _history(session: Session, instance: Instance, summary: ImportSummary) -> None:
    columns = (AttendanceRow.attended_on, AttendanceRow.commune_id, AttendanceRow.delegate_id)
    seen: set[tuple[Any, ...]] = {tuple(row) for row in session.execute(select(*columns))}
    for row in instance.history.attendances:
        key = (row.date, row.commune, row.delegate)
        if key not in seen:
            seen.add(key)
            session.add(AttendanceRow(attended_on=row.date, commune_id=row.commune, delegate_id=row.delegate))
            summary.attendances += 1
    visited: set[tuple[Any, ...]] = {
        tuple(row) for row in session.execute(select(PastVisitRow.visited_on, PastVisitRow.team_id))
    }
    for visit in instance.history.visits:
        if (visit.date, visit.team) not in visited:
            visited.add((visit.date, visit.team))
            session.add(PastVisitRow(visited_on=visit.date, team_id=visit.team))
            summary.visits += 1


def _pins(session: Session, instance: Instance, summary: ImportSummary) -> None:
    ids = [m.id for m in instance.meetings]
    session.execute(delete(PinRow).where(PinRow.meeting_id.in_(ids)))
    pairs = {(p.meeting, p.delegate, "pinned") for p in instance.pinned}
    pairs |= {(p.meeting, p.delegate, "forbidden") for p in instance.forbidden}
    for meeting_id, delegate_id, kind in sorted(pairs):
        session.add(PinRow(meeting_id=meeting_id, delegate_id=delegate_id, kind=kind))
        summary.pins += 1
