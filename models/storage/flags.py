"""Flags by month: the flag of each commune in force for a month, and its history.

Every setting is a new :class:`CommuneFlagRow`; the latest row of (commune, month) is in
force, and a month with no row follows the commune's own ``flag`` (its default). So the
solver plans each month with the flag set for that month: a flag set for April (by a
planner, or by confirming a proposal) is April's alone, and changing the default moves
only the months without a row of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.storage.tables import CommuneFlagRow, CommuneRow


@dataclass(frozen=True)
class Flag:
    flag: int
    reason: str | None
    source: str
    """``default`` (the commune's own flag), or the source of the month's row."""


def in_force(session: Session, month: str) -> dict[str, Flag]:
    """commune id → the flag in force for ``month``, for every commune."""
    latest = (
        select(func.max(CommuneFlagRow.id))
        .where(CommuneFlagRow.month == month)
        .group_by(CommuneFlagRow.commune_id)
        .scalar_subquery()
    )
    rows = {r.commune_id: r for r in session.scalars(select(CommuneFlagRow).where(CommuneFlagRow.id.in_(latest)))}
    out = {}
    for commune in session.scalars(select(CommuneRow).order_by(CommuneRow.id)):
        row = rows.get(commune.id)
        if row is None:
            out[commune.id] = Flag(commune.flag, commune.flag_reason, "default")
        else:
            out[commune.id] = Flag(row.flag, row.reason, row.source)
    return out


def history(session: Session, commune_id: str) -> list[CommuneFlagRow]:
    """Every flag set for the commune, by month then in the order they were set."""
    return list(
        session.scalars(
            select(CommuneFlagRow)
            .where(CommuneFlagRow.commune_id == commune_id)
            .order_by(CommuneFlagRow.month, CommuneFlagRow.id)
        )
    )


def set_flag(
    session: Session,
    commune_id: str,
    month: str,
    flag: int,
    reason: str | None,
    source: str,
    user_id: int | None,
    proposal: str | None = None,
) -> CommuneFlagRow:
    row = CommuneFlagRow(
        commune_id=commune_id,
        month=month,
        flag=flag,
        reason=reason,
        source=source,
        proposal=proposal,
        created_by=user_id,
    )
    session.add(row)
    session.flush()
    return row
