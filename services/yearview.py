"""The planner's year: who goes where, month by month, and each delegate's load over it.

One view model for the page ``/nam/YYYY`` (:mod:`web.yearview`): a grid of the
communes (down) and the twelve months (across), each cell the delegates one version of
that month sends to the commune's meeting and its empty seats in words; and per
delegate the meetings of each month, the year's total and the months above their
monthly maximum. The version of a month is the one in force where the month is
published, else its newest draft (the page marks which); a month with neither shows its
meetings as not planned.

It reads a fixed handful of queries whatever the year's size (no query per month or
meeting), so a province's year (168 communes × 12 months, 300 delegates) is built in
well under a second; see ``python -m bench.year_page`` and docs/performance.md.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.documents.collation import name_key
from models.errors import Issue
from models.instance import default_required, default_senior_tier
from models.labels import TIER_LABELS
from models.storage.clock import local, month_label
from models.storage.tables import (
    AssignmentRow,
    CommuneFlagRow,
    CommuneRow,
    DelegateRow,
    MeetingRow,
    PublishedMonthRow,
    ScheduleRow,
    UserRow,
)
from services.access import require_planner
from services.errors import Invalid, NotFound

_YEAR = re.compile(r"^(19|20|21)\d\d$")


def check_year(year: str) -> int:
    """The year of ``/nam/YYYY`` (:class:`NotFound` for anything else: it is an address)."""
    if not _YEAR.match(year):
        raise NotFound(f"Không có năm {year} (địa chỉ dạng /nam/YYYY)")
    return int(year)


@dataclass(frozen=True)
class YearFilters:
    """Whose load and which communes are shown (None: everyone)."""

    agency: str | None = None
    tier: int | None = None


@dataclass(frozen=True)
class MonthColumn:
    month: str
    label: str
    """``03/2026``."""
    schedule_id: int | None
    version: int | None
    published: bool
    """The version shown is the one in force (else the newest draft, or none)."""
    newer_draft: int | None
    """Published, and this newer draft (its schedule id) waits: the page links to it."""
    meetings: int
    empty: int
    """Empty seats of the month in the version shown (every seat when not planned)."""

    @property
    def state(self) -> str:
        if self.schedule_id is None:
            return "Chưa lập lịch" if self.meetings else "Không có hội nghị"
        if self.published:
            return f"Đã công bố bản {self.version}"
        return f"Bản nháp {self.version} (chưa công bố)"


@dataclass(frozen=True)
class Person:
    delegate: str
    name: str
    agency: str
    tier: int


@dataclass(frozen=True)
class Cell:
    """One commune's meeting of one month in the version shown (None in a row: no meeting)."""

    meeting: str
    day: str
    """``dd/mm``."""
    people: tuple[Person, ...]
    empty: int
    senior_missing: bool
    planned: bool

    @property
    def words(self) -> str:
        """What is missing, in words (empty when nothing is)."""
        if not self.planned:
            return "Chưa lập lịch"
        parts = []
        if self.empty:
            parts.append(f"{self.empty} chỗ trống")
        if self.senior_missing:
            parts.append("thiếu lãnh đạo")
        return ", ".join(parts).capitalize()


@dataclass(frozen=True)
class CommuneYear:
    commune: str
    name: str
    cells: tuple[Cell | None, ...]
    """One per month of the year."""


@dataclass(frozen=True)
class Load:
    delegate: str
    name: str
    title: str | None
    agency: str
    tier: int
    tier_label: str
    max_per_month: int
    months: tuple[int, ...]
    """Meetings of each month of the year (in the version shown)."""
    total: int
    over: tuple[int, ...]
    """Indexes of the months above ``max_per_month``."""


@dataclass(frozen=True)
class YearOut:
    year: int
    months: tuple[MonthColumn, ...]
    rows: tuple[CommuneYear, ...]
    loads: tuple[Load, ...]
    """Heaviest first."""
    agencies: tuple[str, ...]
    filters: YearFilters
    totals: dict[str, int] = field(default_factory=dict)


def year_view(session: Session, planner: UserRow, year: int, filters: YearFilters | None = None) -> YearOut:
    """The year ``year`` as the planner plans it; :class:`Invalid` names a filter that
    names nothing (an unknown agency, a tier outside 1–4)."""
    require_planner(planner)
    filters = filters or YearFilters()
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    delegates = {d.id: d for d in session.scalars(select(DelegateRow))}
    issues = []
    if filters.agency is not None and all(d.agency != filters.agency for d in delegates.values()):
        issues.append(Issue("agency", filters.agency, "không có cơ quan này trong danh sách đại biểu"))
    if filters.tier is not None and filters.tier not in TIER_LABELS:
        issues.append(Issue("tier", filters.tier, "cấp từ 1 (Thường trực) đến 4 (Chuyên viên)"))
    if issues:
        raise Invalid("Bộ lọc không hợp lệ", issues)

    communes = sorted(session.scalars(select(CommuneRow)), key=lambda c: (name_key(c.name), c.id))
    pointers = session.scalars(select(PublishedMonthRow).where(PublishedMonthRow.month.in_(months)))
    in_force = {p.month: p.schedule_id for p in pointers}
    shown, newer = _versions(session, months, in_force)
    # Columns, not ORM objects: a province's year is 2,000 meetings, read on every view.
    meetings = session.execute(
        select(
            MeetingRow.id,
            MeetingRow.commune_id,
            MeetingRow.month,
            MeetingRow.starts_at,
            MeetingRow.required,
            MeetingRow.senior_tier,
            MeetingRow.senior_tier_set,
        )
        .where(MeetingRow.month.in_(months))
        .order_by(MeetingRow.starts_at)
    ).all()
    persons = {d.id: Person(d.id, d.name, d.agency, d.tier) for d in delegates.values()}
    flags = _flags(session, months, {c.id: c.flag for c in communes})
    holders: dict[str, list[str]] = defaultdict(list)
    chosen_ids = [s.id for s in shown.values()]
    if chosen_ids:
        found = session.execute(
            select(AssignmentRow.meeting_id, AssignmentRow.delegate_id).where(AssignmentRow.schedule_id.in_(chosen_ids))
        )
        for meeting_id, delegate_id in found:
            holders[meeting_id].append(delegate_id)
    index = {m: i for i, m in enumerate(months)}
    grid: dict[str, list[Cell | None]] = {c.id: [None] * 12 for c in communes}
    counts: dict[str, list[int]] = {d: [0] * 12 for d in delegates}
    empty_of = [0] * 12
    meetings_of = [0] * 12
    for row in meetings:
        i = index[row.month]
        flag = flags[row.month].get(row.commune_id, 0)
        seats = row.required if row.required is not None else default_required(flag)
        senior = row.senior_tier if row.senior_tier_set else default_senior_tier(flag)
        version = shown.get(row.month)
        ids = holders.get(row.id, []) if version is not None else []
        people = tuple(sorted((persons[d] for d in ids), key=lambda p: (p.tier, p.name)))
        for person in people:
            counts[person.delegate][i] += 1
        empty = max(0, seats - len(people))
        missing = senior is not None and not any(p.tier <= senior for p in people)
        meetings_of[i] += 1
        empty_of[i] += empty
        cell = Cell(
            meeting=row.id,
            day=f"{local(row.starts_at):%d/%m}",
            people=people,
            empty=empty,
            senior_missing=missing,
            planned=version is not None,
        )
        grid.setdefault(row.commune_id, [None] * 12)[i] = cell

    columns = tuple(
        MonthColumn(
            month=m,
            label=month_label(m),
            schedule_id=shown[m].id if m in shown else None,
            version=shown[m].version if m in shown else None,
            published=m in shown and in_force.get(m) == shown[m].id,
            newer_draft=newer.get(m),
            meetings=meetings_of[i],
            empty=empty_of[i],
        )
        for i, m in enumerate(months)
    )

    def wanted(person: DelegateRow | Person) -> bool:
        if filters.agency is not None and person.agency != filters.agency:
            return False
        return filters.tier is None or person.tier == filters.tier

    filtering = filters.agency is not None or filters.tier is not None
    rows = []
    names = {c.id: c.name for c in communes}
    for commune in communes:
        cells = grid[commune.id]
        if filtering and not any(c is not None and any(wanted(p) for p in c.people) for c in cells):
            continue
        rows.append(CommuneYear(commune.id, names[commune.id], tuple(cells)))
    loads = []
    for d in delegates.values():
        if not wanted(d):
            continue
        per = tuple(counts[d.id])
        loads.append(
            Load(
                delegate=d.id,
                name=d.name,
                title=d.title,
                agency=d.agency,
                tier=d.tier,
                tier_label=TIER_LABELS.get(d.tier, str(d.tier)),
                max_per_month=d.max_per_month,
                months=per,
                total=sum(per),
                over=tuple(i for i, n in enumerate(per) if n > d.max_per_month),
            )
        )
    loads.sort(key=lambda r: (-r.total, r.tier, r.name, r.delegate))
    return YearOut(
        year=year,
        months=columns,
        rows=tuple(rows),
        loads=tuple(loads),
        agencies=tuple(sorted({d.agency for d in delegates.values()}, key=name_key)),
        filters=filters,
        totals={
            "meetings": sum(meetings_of),
            "empty": sum(empty_of),
            "planned": sum(1 for c in columns if c.schedule_id is not None),
            "published": sum(1 for c in columns if c.published),
            "over": sum(len(r.over) for r in loads),
        },
    )


@dataclass(frozen=True)
class Version:
    id: int
    month: str
    version: int
    status: str


def _versions(
    session: Session, months: list[str], in_force: dict[str, int]
) -> tuple[dict[str, Version], dict[str, int]]:
    """Each month's version to show (in force, else the newest draft), and the newest
    draft of each month whose version in force is older than it."""
    shown: dict[str, Version] = {}
    newest: dict[str, Version] = {}
    found = session.execute(
        select(ScheduleRow.id, ScheduleRow.month, ScheduleRow.version, ScheduleRow.status)
        .where(ScheduleRow.month.in_(months))
        .order_by(ScheduleRow.month, ScheduleRow.version)
    )
    for id_, month_, version_, status_ in found:
        row = Version(id_, month_, version_, status_)
        if row.id == in_force.get(row.month):
            shown[row.month] = row
        if row.status == "draft":
            newest[row.month] = row
    newer: dict[str, int] = {}
    for month, draft in newest.items():
        if month not in shown:
            shown[month] = draft
        elif draft.version > shown[month].version:
            newer[month] = draft.id
    return shown, newer


def _flags(session: Session, months: list[str], defaults: dict[str, int]) -> dict[str, dict[str, int]]:
    """month → commune → the flag in force (the latest set for the month, else the commune's)."""
    out = {m: dict(defaults) for m in months}
    found = session.execute(
        select(CommuneFlagRow.month, CommuneFlagRow.commune_id, CommuneFlagRow.flag)
        .where(CommuneFlagRow.month.in_(months))
        .order_by(CommuneFlagRow.id)
    )
    for month, commune_id, flag in found:
        out[month][commune_id] = flag  # in id order: the last one set holds
    return out
