"""The Board's scoring set-up (criteria and levels, kept in ``config``), the boards'
monthly score sheets and the months closed for scoring.

A sheet keeps the criteria it was scored on (copied into its items), and a closed month
keeps the levels in force when it was closed, so a later change of the set-up never
rewrites a past result.

The defaults are those of ``docs/scoring.md``: five criteria totalling 100 points, and
the levels Xuất sắc ≥ 90, Tốt ≥ 75, Đạt ≥ 50, Chưa đạt below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.storage.tables import ClosedMonthRow, ConfigRow, ScoreSheetRow
from models.storage.types import utcnow

CRITERIA = "score_criteria"
LEVELS = "ranking_levels"


@dataclass(frozen=True)
class Criterion:
    id: str
    name: str
    max_points: float


@dataclass(frozen=True)
class Level:
    name: str
    min_points: float
    """The lowest total of the level; the last level (lowest) has 0."""


DEFAULT_CRITERIA = (
    Criterion("to-chuc", "Tổ chức hội nghị đúng kỳ, đúng thành phần, đúng quy định", 15),
    Criterion("noi-dung", "Nội dung bám sát chủ đề, định hướng tuyên truyền của tháng", 20),
    Criterion("nam-tinh-hinh", "Nắm, phản ánh tình hình tư tưởng, dư luận xã hội ở cơ sở", 20),
    Criterion("to-tuyen-van", "Hoạt động của các tổ tuyên vận", 20),
    Criterion("ket-qua", "Kết quả tuyên truyền, vận động: sự đồng thuận của Nhân dân", 25),
)
DEFAULT_LEVELS = (Level("Xuất sắc", 90), Level("Tốt", 75), Level("Đạt", 50), Level("Chưa đạt", 0))


def _get(session: Session, key: str) -> Any:
    row = session.get(ConfigRow, key)
    return None if row is None else row.value


def _set(session: Session, key: str, value: Any) -> None:
    row = session.get(ConfigRow, key)
    if row is None:
        session.add(ConfigRow(key=key, value=value))
    else:
        row.value = value


def criteria(session: Session) -> list[Criterion]:
    value = _get(session, CRITERIA)
    if not isinstance(value, list):
        return list(DEFAULT_CRITERIA)
    return [Criterion(str(c["id"]), str(c["name"]), float(c["max_points"])) for c in value]


def set_criteria(session: Session, items: list[Criterion]) -> None:
    _set(session, CRITERIA, [{"id": c.id, "name": c.name, "max_points": c.max_points} for c in items])


def levels(session: Session) -> list[Level]:
    """The levels in force, from the highest down."""
    return _levels(_get(session, LEVELS))


def _levels(value: Any) -> list[Level]:
    if not isinstance(value, list):
        return list(DEFAULT_LEVELS)
    found = [Level(str(v["name"]), float(v["min_points"])) for v in value]
    return sorted(found, key=lambda level: -level.min_points)


def _stored_levels(items: list[Level]) -> list[dict[str, Any]]:
    return [{"name": v.name, "min_points": v.min_points} for v in items]


def set_levels(session: Session, items: list[Level]) -> None:
    _set(session, LEVELS, _stored_levels(items))


def month_levels(session: Session, month: str) -> list[Level]:
    """The levels ``month`` is ranked on: those kept when it was closed, else the ones in force."""
    row = closed(session, month)
    if row is not None and row.levels is not None:
        return _levels(row.levels)
    return levels(session)


def sheet_criteria(row: ScoreSheetRow) -> list[Criterion]:
    """The criteria a sheet was scored on, in their order."""
    return [Criterion(str(i.get("criterion", i["name"])), str(i["name"]), float(i["max_points"])) for i in row.items]


def level_of(total: float, scale: list[Level]) -> Level:
    for level in scale:
        if total >= level.min_points:
            return level
    return scale[-1]


def sheet(session: Session, commune_id: str, month: str) -> ScoreSheetRow | None:
    return session.scalar(
        select(ScoreSheetRow).where(ScoreSheetRow.commune_id == commune_id, ScoreSheetRow.month == month)
    )


def sheets(session: Session, month: str | None = None, year: int | None = None) -> list[ScoreSheetRow]:
    query = select(ScoreSheetRow).order_by(ScoreSheetRow.month, ScoreSheetRow.commune_id)
    if month is not None:
        query = query.where(ScoreSheetRow.month == month)
    if year is not None:
        query = query.where(ScoreSheetRow.month.like(f"{year:04d}-%"))
    return list(session.scalars(query))


def is_closed(session: Session, month: str) -> bool:
    return session.get(ClosedMonthRow, month) is not None


def closed(session: Session, month: str) -> ClosedMonthRow | None:
    return session.get(ClosedMonthRow, month)


def close(session: Session, month: str, user_id: int | None) -> ClosedMonthRow:
    """Close ``month`` for scoring, keeping the levels in force with the record."""
    row = ClosedMonthRow(month=month, closed_at=utcnow(), closed_by=user_id, levels=_stored_levels(levels(session)))
    session.add(row)
    return row
