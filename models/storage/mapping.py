"""The one mapping from the database to the solver's instance of a month.

``month_document`` spells the month as a ``phancong-instance/1`` document:

* the whole directory: places, communes with their teams, roads, delegates with their
  leave and the communes they are in charge of, the stored rule options;
* the month's meetings (local wall time), with the pins of those meetings;
* each commune's flag in force for the month (:mod:`models.storage.flags`);
* history: imported attendances and visits dated before the month, plus what happened
  at the published meetings of earlier months as their reports say (an unreported
  assignment counts as attended and its suggested team as visited; see
  :mod:`models.storage.history`);
* ``reference``: the month's published schedule, when there is one (re-planning).

``month_instance`` validates that document with :func:`models.io.instance_from_document`,
so the solver only ever sees an instance that passed every check a file would.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.contract import FIRST_DAY, clip
from models.instance import DEFAULT_TIMEZONE, Instance
from models.io import instance_from_document
from models.storage import config, flags, history, themes
from models.storage.clock import local_naive, month_bounds, month_label
from models.storage.tables import (
    AssignmentRow,
    ChargeRow,
    CommuneRow,
    DelegateRow,
    LeaveRow,
    MeetingRow,
    PinRow,
    PlaceRow,
    PublishedMonthRow,
    RoadRow,
    TeamRow,
)

Document = dict[str, Any]


def month_instance(session: Session, month: str) -> Instance:
    """The validated instance of ``month`` (raises :class:`models.errors.InputError`)."""
    return instance_from_document(month_document(session, month), stored=True)


def month_document(session: Session, month: str) -> Document:
    first, _ = month_bounds(month)
    meetings = list(
        session.scalars(
            # A cancelled meeting stays for the versions that hold it, and leaves every later plan.
            select(MeetingRow)
            .where(MeetingRow.month == month, MeetingRow.cancelled_at.is_(None))
            .order_by(MeetingRow.starts_at, MeetingRow.id)
        )
    )
    theme_of = themes.meeting_themes(session, meetings)
    doc: Document = {
        "format": "phancong-instance/1",
        "name": f"{config.name(session)} — tháng {month_label(month)}",
        "timezone": DEFAULT_TIMEZONE,
        "places": [
            _drop_none({"id": p.id, "name": p.name, "lat": p.lat, "lon": p.lon}) for p in _all(session, PlaceRow)
        ],
        "communes": _communes(session, month),
        "delegates": delegate_items(session),
        "meetings": [meeting_item(m, theme_of[m.id]) for m in meetings],
        "roads": [{"a": r.a, "b": r.b, "minutes": r.minutes} for r in _all(session, RoadRow)],
        "history": _history(session, first),
    }
    ids = [m.id for m in meetings]
    pins = session.execute(select(PinRow.meeting_id, PinRow.delegate_id, PinRow.kind).where(PinRow.meeting_id.in_(ids)))
    for meeting_id, delegate_id, kind in sorted(pins):
        doc.setdefault(kind, []).append({"meeting": meeting_id, "delegate": delegate_id})
    reference = published_pairs(session, month)
    if reference:
        doc["reference"] = [{"meeting": m, "delegate": d} for m, d in reference]
    if config.rules_were_set(session):
        doc["rules"] = config.rules(session).model_dump(mode="json")
    return doc


def published_pairs(session: Session, month: str) -> list[tuple[str, str]]:
    """The (meeting, delegate) pairs of the month's schedule in force; empty when none."""
    rows = session.execute(
        select(AssignmentRow.meeting_id, AssignmentRow.delegate_id)
        .join(PublishedMonthRow, PublishedMonthRow.schedule_id == AssignmentRow.schedule_id)
        .where(PublishedMonthRow.month == month)
        .order_by(AssignmentRow.meeting_id, AssignmentRow.delegate_id)
    )
    return [(m, d) for m, d in rows]


def _all(session: Session, table: Any) -> list[Any]:
    return list(session.scalars(select(table).order_by(table.id)))


def _drop_none(item: Document) -> Document:
    return {k: v for k, v in item.items() if v is not None}


def _communes(session: Session, month: str) -> list[Document]:
    teams: dict[str, list[Document]] = defaultdict(list)
    for team in session.scalars(select(TeamRow).order_by(TeamRow.id)):
        teams[team.commune_id].append({"id": team.id, "name": team.name})
    monthly = flags.in_force(session, month)
    out = []
    for c in _all(session, CommuneRow):
        flag = monthly[c.id]
        item: Document = {"id": c.id, "name": c.name, "kind": c.kind, "flag": flag.flag, "flag_reason": flag.reason}
        item |= {"lat": c.lat, "lon": c.lon, "teams": teams.get(c.id, [])}
        out.append(_drop_none(item))
    return out


def delegate_items(session: Session) -> list[Document]:
    """Every delegate as the instance format writes it (charges, leave, base)."""
    charges: dict[str, list[str]] = defaultdict(list)
    for charge in session.scalars(select(ChargeRow).order_by(ChargeRow.delegate_id, ChargeRow.position)):
        charges[charge.delegate_id].append(charge.commune_id)
    leave: dict[str, list[Document]] = defaultdict(list)
    for period in session.scalars(select(LeaveRow).order_by(LeaveRow.starts_on, LeaveRow.id)):
        # Read tolerantly: a period stored before the contract bounded its years (leave to
        # 9999-12-31) is its part inside them, which covers every month that can be planned.
        inside = clip(period.starts_on, period.ends_on)
        if inside is None:
            continue
        span = {"from": inside[0].isoformat(), "to": inside[1].isoformat(), "reason": period.reason}
        leave[period.delegate_id].append(_drop_none(span))
    out = []
    for d in _all(session, DelegateRow):
        item: Document = {"id": d.id, "name": d.name, "title": d.title, "tier": d.tier, "agency": d.agency}
        item |= {"in_charge_of": charges.get(d.id, []), "max_per_month": d.max_per_month}
        if d.base != "hq":
            # The default base is only checked against the places when there are roads.
            item["base"] = d.base
        item["unavailable"] = leave.get(d.id, [])
        out.append(_drop_none(item))
    return out


def meeting_item(row: MeetingRow, theme: str | None) -> Document:
    """The meeting as the instance format writes it; ``theme`` as :func:`themes.meeting_themes` resolves it."""
    item: Document = {
        "id": row.id,
        "commune": row.commune_id,
        "start": local_naive(row.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "minutes": row.minutes,
    }
    if row.required is not None:
        item["required"] = row.required
    if row.senior_tier_set:
        item["senior_tier"] = row.senior_tier
    if theme is not None:
        item["theme"] = theme
    return item


def _history(session: Session, first: dt.date) -> Document:
    attendances = {(a.day, a.commune, a.delegate) for a in history.attendances(session, end=first)}
    visits = {(v.day, v.team) for v in history.visits(session, end=first)}
    # Read tolerantly: a row dated before the contract's years (stored before it bounded
    # them) is older than any rule looks back to from a plannable month.
    attendances = {a for a in attendances if a[0] >= FIRST_DAY}
    visits = {v for v in visits if v[0] >= FIRST_DAY}
    return {
        "attendances": [{"date": day.isoformat(), "commune": c, "delegate": d} for day, c, d in sorted(attendances)],
        "visits": [{"date": day.isoformat(), "team": t} for day, t in sorted(visits)],
    }
