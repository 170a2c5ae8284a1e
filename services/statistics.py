"""The year in figures, from what happened (:mod:`models.storage.history`): attendances
per delegate, tier and agency by month; meetings of flagged communes and how many a
leader attended; teams visited and teams not visited for six months or more; communes
no member of the Standing Committee attended; each board's ranking month by month.

Only what has happened counts: meetings and visits dated up to today (local time), so a
published meeting later in the month is no attendance yet.

"Leader" is tier ≤ 3 (Thường trực, Ủy viên Ban Thường vụ, lãnh đạo cơ quan), the
delegates the practice sends where a unit has a problem; "member of the Standing
Committee" (Ban Thường vụ) is tier ≤ 2, the Thường trực included.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.documents.sheets import Table, tables_workbook
from models.labels import TIER_LABELS
from models.storage import clock, flags, history
from models.storage.clock import month_bounds
from models.storage.tables import CommuneRow, DelegateRow, TeamRow, UserRow
from services import ranking
from services.loop_errors import forbidden
from services.views import View

LEADER_TIER = 3
STANDING_TIER = 2
QUIET_MONTHS = 6
#: A month as a date cell shown MM/YYYY (its first day underneath).
MONTH_FORMAT = "mm/yyyy"


class DelegateCount(View):
    delegate: str
    name: str
    tier: int
    tier_label: str
    agency: str
    by_month: list[int] = Field(description="Tháng 1 đến tháng 12")
    total: int


class GroupCount(View):
    key: str
    label: str
    by_month: list[int]
    total: int


class FlaggedMonth(View):
    month: str
    meetings: int = Field(description="Hội nghị ở xã/phường có cờ (cần quan tâm, phức tạp) trong tháng")
    with_leader: int = Field(description="Trong đó có lãnh đạo (cấp 1–3) dự")


class QuietTeam(View):
    team: str
    name: str
    commune: str
    commune_name: str
    last_visit: dt.date | None


class TeamFigures(View):
    total: int
    visited: int = Field(description="Số tổ được dự đột xuất trong năm")
    as_of: dt.date = Field(description="Ngày tính 6 tháng (cuối năm, hoặc hôm nay nếu năm chưa hết)")
    not_visited_6_months: list[QuietTeam]


class CommuneRef(View):
    commune: str
    name: str


class MonthRank(View):
    month: str
    total: float | None
    level: str | None
    rank: int | None


class BoardYear(View):
    commune: str
    name: str
    months: list[MonthRank]


class StatisticsOut(View):
    year: int
    months: list[str]
    delegates: list[DelegateCount]
    tiers: list[GroupCount]
    agencies: list[GroupCount]
    flagged: list[FlaggedMonth]
    teams: TeamFigures
    no_standing_committee: list[CommuneRef] = Field(
        description="Xã/phường chưa có Ủy viên Ban Thường vụ (cấp 1–2) dự hội nghị trong năm"
    )
    rankings: list[BoardYear]


def year_statistics(session: Session, user: UserRow, year: int) -> StatisticsOut:
    """The statistics of ``year`` (planners)."""
    if user.role != "planner":
        raise forbidden("Chỉ cán bộ Ban Tuyên giáo xem thống kê")
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    as_of = min(end - dt.timedelta(days=1), clock.today())
    months = [f"{year:04d}-{n:02d}" for n in range(1, 13)]
    people = {d.id: d for d in session.scalars(select(DelegateRow).order_by(DelegateRow.id))}
    communes = list(session.scalars(select(CommuneRow).order_by(CommuneRow.id)))
    attended = history.attendances(session, start=start, end=as_of + dt.timedelta(days=1))

    per_delegate: dict[str, list[int]] = defaultdict(lambda: [0] * 12)
    per_tier: dict[int, list[int]] = defaultdict(lambda: [0] * 12)
    per_agency: dict[str, list[int]] = defaultdict(lambda: [0] * 12)
    standing: set[str] = set()
    for item in attended:
        person = people.get(item.delegate)
        if person is None:
            continue
        index = item.day.month - 1
        per_delegate[person.id][index] += 1
        per_tier[person.tier][index] += 1
        per_agency[person.agency][index] += 1
        if person.tier <= STANDING_TIER:
            standing.add(item.commune)

    delegates = [
        DelegateCount(
            delegate=d.id,
            name=d.name,
            tier=d.tier,
            tier_label=TIER_LABELS.get(d.tier, str(d.tier)),
            agency=d.agency,
            by_month=per_delegate[d.id],
            total=sum(per_delegate[d.id]),
        )
        for d in people.values()
    ]
    tiers = [
        GroupCount(key=str(t), label=TIER_LABELS.get(t, str(t)), by_month=per_tier[t], total=sum(per_tier[t]))
        for t in sorted({d.tier for d in people.values()})
    ]
    agencies = [
        GroupCount(key=a, label=a, by_month=per_agency[a], total=sum(per_agency[a]))
        for a in sorted({d.agency for d in people.values()})
    ]
    return StatisticsOut(
        year=year,
        months=months,
        delegates=delegates,
        tiers=tiers,
        agencies=agencies,
        flagged=_flagged(session, months, people, as_of),
        teams=_teams(session, start, end, as_of, communes),
        no_standing_committee=[CommuneRef(commune=c.id, name=c.name) for c in communes if c.id not in standing],
        rankings=_rankings(session, months, communes),
    )


def _flagged(session: Session, months: list[str], people: dict[str, DelegateRow], as_of: dt.date) -> list[FlaggedMonth]:
    out = []
    for month in months:
        if month_bounds(month)[0] > as_of:
            out.append(FlaggedMonth(month=month, meetings=0, with_leader=0))
            continue
        in_force = flags.in_force(session, month)
        seats: dict[str, list[str | None]] = defaultdict(list)
        for item in history.published(session, months=[month]):
            if item.day > as_of:
                continue  # not held yet
            if in_force.get(item.commune) and in_force[item.commune].flag > 0:
                seats[item.meeting].append(history.attended(item))
        with_leader = sum(
            1 for who in seats.values() if any(d in people and people[d].tier <= LEADER_TIER for d in who if d)
        )
        out.append(FlaggedMonth(month=month, meetings=len(seats), with_leader=with_leader))
    return out


def _teams(session: Session, start: dt.date, end: dt.date, as_of: dt.date, communes: list[CommuneRow]) -> TeamFigures:
    cutoff = _months_before(as_of, QUIET_MONTHS)
    names = {c.id: c.name for c in communes}
    teams = list(session.scalars(select(TeamRow).order_by(TeamRow.commune_id, TeamRow.id)))
    last: dict[str, dt.date] = {}
    visited: set[str] = set()
    for visit in history.visits(session, end=as_of + dt.timedelta(days=1)):
        if visit.team not in last or visit.day > last[visit.team]:
            last[visit.team] = visit.day
        if start <= visit.day < end:
            visited.add(visit.team)
    quiet = [
        QuietTeam(
            team=t.id,
            name=t.name,
            commune=t.commune_id,
            commune_name=names.get(t.commune_id, t.commune_id),
            last_visit=last.get(t.id),
        )
        for t in teams
        if t.id not in last or last[t.id] <= cutoff
    ]
    return TeamFigures(total=len(teams), visited=len(visited), as_of=as_of, not_visited_6_months=quiet)


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier (the month's last day when it has fewer)."""
    year, index = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, index + 1, min(day.day, calendar.monthrange(year, index + 1)[1]))


def _rankings(session: Session, months: list[str], communes: list[CommuneRow]) -> list[BoardYear]:
    by_month = {m: {r.commune: r for r in ranking.rank_month(session, m)} for m in months}
    return [
        BoardYear(
            commune=c.id,
            name=c.name,
            months=[
                MonthRank(
                    month=m,
                    total=by_month[m][c.id].total,
                    level=by_month[m][c.id].level,
                    rank=by_month[m][c.id].rank,
                )
                for m in months
            ],
        )
        for c in communes
    ]


def statistics_workbook(session: Session, user: UserRow, year: int) -> bytes:
    """The statistics as Excel, one sheet per table, Vietnamese headers, numbers as numbers."""
    view = year_statistics(session, user, year)
    month_headers = [f"T{n}" for n in range(1, 13)]
    delegates = [[d.name, d.tier_label, d.agency, *d.by_month, d.total] for d in view.delegates]
    tiers = [[t.label, *t.by_month, t.total] for t in view.tiers]
    agencies = [[a.label, *a.by_month, a.total] for a in view.agencies]
    # Months and days are real date cells (sorted, filtered and computed as dates by Excel).
    flagged = [[month_bounds(f.month)[0], f.meetings, f.with_leader] for f in view.flagged]
    quiet = [
        [q.commune_name, q.name, q.last_visit if q.last_visit else "chưa dự lần nào"]
        for q in view.teams.not_visited_6_months
    ]
    teams = [["Tổng số tổ", view.teams.total], ["Số tổ được dự đột xuất trong năm", view.teams.visited]]
    standing = [[c.name] for c in view.no_standing_committee]
    ranks = [[b.name, *[m.rank if m.rank is not None else "" for m in b.months]] for b in view.rankings]
    totals = [[b.name, *[m.total if m.total is not None else "" for m in b.months]] for b in view.rankings]
    return tables_workbook(
        [
            Table("Đại biểu", ["Đại biểu", "Cấp", "Cơ quan", *month_headers, "Cả năm"], delegates),
            Table("Theo cấp", ["Cấp", *month_headers, "Cả năm"], tiers),
            Table("Theo cơ quan", ["Cơ quan", *month_headers, "Cả năm"], agencies),
            Table("Địa bàn cần quan tâm", ["Tháng", "Số hội nghị", "Có lãnh đạo dự"], flagged, formats=[MONTH_FORMAT]),
            Table("Tổ tuyên vận", ["Chỉ tiêu", "Số lượng"], teams),
            Table("Tổ chưa dự 6 tháng", ["Xã/phường", "Tổ tuyên vận", "Lần dự gần nhất"], quiet),
            Table("Chưa có Thường vụ dự", ["Xã/phường"], standing),
            Table("Hạng theo tháng", ["Ban tuyên vận", *month_headers], ranks),
            Table("Điểm theo tháng", ["Ban tuyên vận", *month_headers], totals),
        ]
    )
