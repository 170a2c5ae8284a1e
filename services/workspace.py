"""The planner's month (the workspace): every meeting of a month with who goes where.

One view model serves the JSON route (``GET /months/{month}/workspace``) and the page:
each meeting of the month (local date and time in Asia/Ho_Chi_Minh, commune, the flag in
force for the month with its reason, the seats and the seniority asked), the delegates
one version of the schedule sends there (name, position, agency, tier), each empty seat
with its reason in words, the month's pins and bans, and the choices of the filters
(agency, tier, commune, ISO week).

The version shown is the one asked for, else the month's newest (a draft being edited is
newer than the version in force). Empty seats keep the reason the scorer's explanation
gave when the version was saved (:func:`api.planning.gap_reasons`); a meeting the version
does not know (registered after it was made) says so, and so does a meeting the version
knows whose commune's flag for the month changed after it was made (a re-plan notice of
:func:`services.flags.replan_after_flag` on the version).

It reads a fixed handful of queries whatever the month's size (no query per meeting),
so a province's month (168 communes, 300 delegates) is built in milliseconds; see
``python -m bench.month_page`` and docs/performance.md.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.documents.collation import Key, name_key
from models.errors import Issue
from models.instance import default_required, default_senior_tier
from models.labels import FLAG_LABELS, STATUS_LABELS, TIER_LABELS
from models.reasons import pattern
from models.storage import flags, schedules
from models.storage.clock import is_month, local, month_bounds, month_label
from models.storage.tables import (
    AssignmentRow,
    CommuneRow,
    DelegateRow,
    MeetingRow,
    PinRow,
    PublishedMonthRow,
    ScheduleRow,
    TeamRow,
    UserRow,
)
from services.access import require_planner
from services.errors import Invalid, NotFound
from services.flags import FLAG_NOTICE
from services.months import replan_notices

WEEK_PATTERN = pattern(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$", "không đúng dạng tuần ISO YYYY-Www (ví dụ 2024-W10)")
_WEEK = re.compile(WEEK_PATTERN)
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
NO_SCHEDULE = "Tháng này chưa lập lịch"
NOT_IN_VERSION = "Hội nghị đăng ký hoặc dời sau khi lập bản lịch này; cần lập lại lịch"
FLAG_CHANGED = "Mức quan tâm của xã/phường thay đổi sau khi lập bản lịch này; cần lập lại lịch"


def date_label(day: dt.date) -> str:
    """``04/03/2024``: how a Vietnamese notice writes a date."""
    return day.strftime("%d/%m/%Y")


def iso_week(day: dt.date) -> str:
    """``2024-W10``: the ISO week of a date (weeks start on Monday)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def senior_label(tier: int | None) -> str | None:
    """What a seniority requirement asks, in words (``None``: nothing asked)."""
    if tier is None:
        return None
    if tier == 1:
        return "Cần đồng chí Thường trực"
    return f"Cần {TIER_LABELS[tier]} trở lên"


class View(BaseModel):
    pass


class Filters(View):
    """What the month is filtered by (None: everything)."""

    agency: str | None = None
    tier: int | None = Field(default=None, description="1 Thường trực … 4 Chuyên viên")
    commune: str | None = None
    week: str | None = Field(default=None, description="Tuần ISO, ví dụ 2024-W10")


class SeatHolder(View):
    """A delegate the version sends to a meeting."""

    delegate: str
    name: str
    title: str | None = Field(description="Chức vụ")
    agency: str
    tier: int
    tier_label: str
    team: str | None = Field(description="Tổ tuyên vận gợi ý dự đột xuất")
    team_name: str | None
    pinned: bool = Field(description="Cặp được ghim (phải giữ)")


class PersonRef(View):
    delegate: str
    name: str


class MeetingCell(View):
    """One meeting of the month as the planner sees it."""

    id: str
    commune: str
    commune_name: str
    date: dt.date
    date_label: str = Field(description="dd/mm/yyyy")
    weekday: str
    week: str = Field(description="Tuần ISO")
    start: dt.datetime = Field(description="Giờ địa phương (+07:00)")
    end: dt.datetime
    time_label: str = Field(description="08:00–11:00")
    flag: int
    flag_label: str
    flag_reason: str | None
    seats: int
    senior_tier: int | None = Field(description="Cấp cao nhất được tính là lãnh đạo (≤); null: không yêu cầu")
    senior_label: str | None
    attendees: list[SeatHolder]
    empty: int = Field(description="Số chỗ còn trống")
    senior_missing: bool
    gap_reason: str | None = Field(description="Vì sao còn trống hoặc thiếu lãnh đạo, bằng lời")
    pinned: list[PersonRef]
    forbidden: list[PersonRef]


class VersionRef(View):
    id: int
    version: int
    status: str
    status_label: str = Field(description="Bản nháp / Đã công bố (đang hiệu lực)…")
    revision: int
    etag: str
    in_force: bool
    solver_status: str
    solver_label: str
    score_total: int


class Option(View):
    value: str
    label: str


class Totals(View):
    meetings: int
    seats: int
    filled: int
    empty: int
    flagged: int


class WorkspaceOut(View):
    """The planner's month."""

    month: str
    month_label: str
    schedule: VersionRef | None = Field(description="Bản lịch đang xem; null: tháng chưa có lịch")
    versions: list[VersionRef]
    filters: Filters
    agencies: list[str]
    tiers: list[Option]
    communes: list[Option]
    weeks: list[Option]
    days: list[dt.date] = Field(description="Các ngày có hội nghị (sau khi lọc)")
    meetings: list[MeetingCell]
    totals: Totals = Field(description="Cộng của các hội nghị sau khi lọc")
    needs_replan: bool


def check_month(month: str) -> str:
    if not is_month(month):
        raise Invalid("Tháng không hợp lệ", [Issue("month", month, "cần dạng YYYY-MM, ví dụ 2024-03")])
    return month


def version_ref(schedule: ScheduleRow, in_force_id: int | None) -> VersionRef:
    in_force = schedule.id == in_force_id
    if schedule.status == "draft":
        label = "Bản nháp"
    else:
        label = "Đã công bố (đang hiệu lực)" if in_force else "Đã công bố (bản cũ)"
    return VersionRef(
        id=schedule.id,
        version=schedule.version,
        status=schedule.status,
        status_label=label,
        revision=schedule.revision,
        etag=schedules.etag(schedule),
        in_force=in_force,
        solver_status=schedule.solver_status,
        solver_label=STATUS_LABELS.get(schedule.solver_status, schedule.solver_status),
        score_total=schedule.score_total,
    )


@dataclass(frozen=True)
class _Directory:
    communes: dict[str, CommuneRow]
    delegates: dict[str, DelegateRow]


def month_view(
    session: Session,
    planner: UserRow,
    month: str,
    *,
    schedule_id: int | None = None,
    filters: Filters | None = None,
) -> WorkspaceOut:
    """The month of ``month`` with version ``schedule_id`` (default: the newest), filtered.

    :class:`Invalid` names a filter that is malformed or names nothing (an unknown agency,
    commune or tier); :class:`NotFound` a version that is not one of this month's.
    """
    require_planner(planner)
    check_month(month)
    filters = filters or Filters()
    versions = schedules.versions(session, month)
    pointer = session.get(PublishedMonthRow, month)
    in_force_id = pointer.schedule_id if pointer else None
    schedule = chosen_version(versions, schedule_id, month)
    directory = _directory(session)
    _check_filters(filters, directory)

    first, following = month_bounds(month)
    rows = list(
        session.scalars(
            select(MeetingRow).where(MeetingRow.month == month).order_by(MeetingRow.starts_at, MeetingRow.id)
        )
    )
    monthly = flags.in_force(session, month)
    holders, stored_gaps = _holders(session, schedule, directory)
    pins = _pins(session, month, directory)
    reflagged = _reflagged(session, schedule)
    cells = [
        _cell(row, directory, monthly[row.commune_id], holders, stored_gaps, pins, schedule, reflagged) for row in rows
    ]
    weeks = sorted({c.week for c in cells})
    shown = [c for c in cells if _matches(c, filters)]
    notices = bool(replan_notices(session, month))
    return WorkspaceOut(
        month=month,
        month_label=month_label(month),
        schedule=version_ref(schedule, in_force_id) if schedule else None,
        versions=[version_ref(v, in_force_id) for v in versions],
        filters=filters,
        agencies=sorted({d.agency for d in directory.delegates.values()}, key=name_key),
        tiers=[Option(value=str(t), label=label) for t, label in TIER_LABELS.items()],
        communes=[Option(value=c.id, label=c.name) for c in sorted(directory.communes.values(), key=_by_name)],
        weeks=[Option(value=w, label=_week_label(w, first, following)) for w in weeks],
        days=sorted({c.date for c in shown}),
        meetings=shown,
        totals=Totals(
            meetings=len(shown),
            seats=sum(c.seats for c in shown),
            filled=sum(len(c.attendees) for c in shown),
            empty=sum(c.empty for c in shown),
            flagged=sum(1 for c in shown if c.flag > 0),
        ),
        needs_replan=notices,
    )


def _by_name(row: CommuneRow) -> tuple[Key, str]:
    return (name_key(row.name), row.id)


def chosen_version(versions: list[ScheduleRow], schedule_id: int | None, month: str) -> ScheduleRow | None:
    """The version ``schedule_id`` of the month's ``versions``, else the newest (None: none)."""
    if schedule_id is None:
        return versions[-1] if versions else None
    for version in versions:
        if version.id == schedule_id:
            return version
    raise NotFound(f"Tháng {month_label(month)} không có bản lịch {schedule_id}")


def _directory(session: Session) -> _Directory:
    return _Directory(
        communes={c.id: c for c in session.scalars(select(CommuneRow))},
        delegates={d.id: d for d in session.scalars(select(DelegateRow))},
    )


def _check_filters(filters: Filters, directory: _Directory) -> None:
    issues = []
    if filters.agency is not None and all(d.agency != filters.agency for d in directory.delegates.values()):
        issues.append(Issue("agency", filters.agency, "không có cơ quan này trong danh sách đại biểu"))
    if filters.tier is not None and filters.tier not in TIER_LABELS:
        issues.append(Issue("tier", filters.tier, "cấp từ 1 (Thường trực) đến 4 (Chuyên viên)"))
    if filters.commune is not None and filters.commune not in directory.communes:
        issues.append(Issue("commune", filters.commune, "không có xã/phường này"))
    if filters.week is not None and not _WEEK.match(filters.week):
        issues.append(Issue("week", filters.week, "cần tuần ISO dạng YYYY-Www, ví dụ 2024-W10"))
    if issues:
        raise Invalid("Bộ lọc không hợp lệ", issues)


_Holders = dict[str, list[SeatHolder]]


def _holders(
    session: Session, schedule: ScheduleRow | None, directory: _Directory
) -> tuple[_Holders, dict[str, dict[str, object]]]:
    """Who the version sends to each meeting, and its stored gaps by meeting."""
    if schedule is None:
        return {}, {}
    out: _Holders = defaultdict(list)
    found = session.execute(
        select(AssignmentRow.meeting_id, AssignmentRow.delegate_id, AssignmentRow.team_id, TeamRow.name)
        .outerjoin(TeamRow, TeamRow.id == AssignmentRow.team_id)
        .where(AssignmentRow.schedule_id == schedule.id)
    )
    for meeting_id, delegate_id, team_id, team_name in found:
        d = directory.delegates[delegate_id]
        out[meeting_id].append(
            SeatHolder(
                delegate=d.id,
                name=d.name,
                title=d.title,
                agency=d.agency,
                tier=d.tier,
                tier_label=TIER_LABELS.get(d.tier, str(d.tier)),
                team=team_id,
                team_name=team_name,
                pinned=False,
            )
        )
    for people in out.values():
        people.sort(key=lambda h: (h.tier, h.delegate))
    return out, {str(g["meeting"]): g for g in schedule.gaps}


def _reflagged(session: Session, schedule: ScheduleRow | None) -> set[str]:
    """The meetings whose commune's flag changed what they ask after ``schedule`` was made."""
    if schedule is None:
        return set()
    return {n.meeting_id for n in schedules.notices(session, schedule.id) if n.reason.startswith(FLAG_NOTICE)}


def _pins(session: Session, month: str, directory: _Directory) -> dict[tuple[str, str], list[PersonRef]]:
    """(meeting, kind) → the delegates pinned to or forbidden from it."""
    out: dict[tuple[str, str], list[PersonRef]] = defaultdict(list)
    found = session.execute(
        select(PinRow.meeting_id, PinRow.delegate_id, PinRow.kind)
        .join(MeetingRow, MeetingRow.id == PinRow.meeting_id)
        .where(MeetingRow.month == month)
        .order_by(PinRow.meeting_id, PinRow.delegate_id)
    )
    for meeting_id, delegate_id, kind in found:
        out[meeting_id, kind].append(PersonRef(delegate=delegate_id, name=directory.delegates[delegate_id].name))
    return out


def _cell(
    row: MeetingRow,
    directory: _Directory,
    flag: flags.Flag,
    holders: _Holders,
    stored_gaps: dict[str, dict[str, object]],
    pins: dict[tuple[str, str], list[PersonRef]],
    schedule: ScheduleRow | None,
    reflagged: set[str],
) -> MeetingCell:
    start = local(row.starts_at)
    end = start + dt.timedelta(minutes=row.minutes)
    seats = row.required if row.required is not None else default_required(flag.flag)
    senior = row.senior_tier if row.senior_tier_set else default_senior_tier(flag.flag)
    pinned = pins.get((row.id, "pinned"), [])
    pinned_ids = {p.delegate for p in pinned}
    people = [h.model_copy(update={"pinned": h.delegate in pinned_ids}) for h in holders.get(row.id, [])]
    empty = max(0, seats - len(people))
    senior_missing = senior is not None and not any(p.tier <= senior for p in people)
    reason = None
    if empty or senior_missing:
        gap = stored_gaps.get(row.id)
        if schedule is None:
            reason = NO_SCHEDULE
        elif gap is not None and int(str(gap["seats"])) == empty and bool(gap["senior_missing"]) == senior_missing:
            reason = str(gap["reason"])
        elif row.id in reflagged and (gap is not None or row.id in holders):  # the version knew the meeting
            reason = FLAG_CHANGED
        else:
            reason = NOT_IN_VERSION
    return MeetingCell(
        id=row.id,
        commune=row.commune_id,
        commune_name=directory.communes[row.commune_id].name,
        date=start.date(),
        date_label=date_label(start.date()),
        weekday=WEEKDAYS[start.weekday()],
        week=iso_week(start.date()),
        start=start,
        end=end,
        time_label=f"{start:%H:%M}–{end:%H:%M}",
        flag=flag.flag,
        flag_label=FLAG_LABELS.get(flag.flag, str(flag.flag)),
        flag_reason=flag.reason,
        seats=seats,
        senior_tier=senior,
        senior_label=senior_label(senior),
        attendees=people,
        empty=empty,
        senior_missing=senior_missing,
        gap_reason=reason,
        pinned=pinned,
        forbidden=pins.get((row.id, "forbidden"), []),
    )


def _matches(cell: MeetingCell, filters: Filters) -> bool:
    if filters.commune is not None and cell.commune != filters.commune:
        return False
    if filters.week is not None and cell.week != filters.week:
        return False
    if filters.agency is not None and not any(p.agency == filters.agency for p in cell.attendees):
        return False
    return filters.tier is None or any(p.tier == filters.tier for p in cell.attendees)


def _week_label(week: str, first: dt.date, following: dt.date) -> str:
    """``Tuần 10 (04/03–10/03)``, the days clipped to the month."""
    monday = dt.date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
    start = max(monday, first)
    end = min(monday + dt.timedelta(days=6), following - dt.timedelta(days=1))
    return f"Tuần {int(week[6:])} ({start:%d/%m}–{end:%d/%m})"
