"""The delegate's report of a meeting, and which published assignments are confirmed.

Only the delegate the published schedule sends (or a planner, for anyone) reports, and
only on a published meeting whose day has come (local time). A report says whether the
delegate went (and who went instead), the teams actually visited unannounced (teams of
that commune), a note, a problem that needs attention, and may carry the board's score
sheet for the month (:mod:`services.ranking`). A correction replaces the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.instance import Instance
from models.storage import audit, clock, history, schedules, themes
from models.storage.clock import local, month_label
from models.storage.tables import (
    AssignmentRow,
    CommuneRow,
    DelegateRow,
    MeetingReportRow,
    MeetingRow,
    PublishedMonthRow,
    ReportVisitRow,
    TeamRow,
    UserRow,
)
from models.storage.types import utcnow
from services import later_months, ranking
from services.errors import ServiceError
from services.loop_errors import Fault, conflict, forbidden, invalid, not_found
from services.months import load_month
from services.views import MeetingReportOut, MonthReportsOut, MonthSeatOut, ReportOut, SeatOut, TeamRef
from solver import score
from solver.score import ScoreFacts

STATUS_LABELS = {
    "unconfirmed": "chưa báo cáo",
    "attended": "đã dự",
    "substituted": "người khác dự thay",
    "absent": "không dự",
}


@dataclass(frozen=True)
class ReportEntry:
    """What a report says. ``visits`` None: not said (the suggested team counts as visited)."""

    attended: bool
    delegate: str | None = None
    substitute: str | None = None
    visits: Sequence[str] | None = None
    note: str | None = None
    problem: str | None = None
    scores: Mapping[str, float] | None = None
    sheet_note: str | None = None


def _meeting(session: Session, user: UserRow, meeting_id: str) -> MeetingRow:
    meeting = session.get(MeetingRow, meeting_id)
    if meeting is None or (user.role == "commune" and meeting.commune_id != user.commune_id):
        raise not_found(f"Không có hội nghị {meeting_id}")
    return meeting


def _seats(session: Session, meeting_id: str) -> list[AssignmentRow]:
    """The meeting's assignments in the schedule in force (empty: not published)."""
    return list(
        session.scalars(
            select(AssignmentRow)
            .join(PublishedMonthRow, PublishedMonthRow.schedule_id == AssignmentRow.schedule_id)
            .where(AssignmentRow.meeting_id == meeting_id)
            .order_by(AssignmentRow.delegate_id)
        )
    )


def report_of_meeting(session: Session, user: UserRow, meeting_id: str) -> MeetingReportOut:
    """The meeting's seats with their reports and the board's sheet of the month.

    Planners see every seat; an assigned delegate sees their own; anyone else is refused.
    """
    meeting = _meeting(session, user, meeting_id)
    if user.role == "commune":
        raise forbidden("Tài khoản xã xem phiếu chấm điểm của xã mình (GET /months/{tháng}/sheets/{mã xã})")
    seats = _seats(session, meeting_id)
    if user.role == "delegate":
        seats = [s for s in seats if s.delegate_id == user.delegate_id]
        if not seats:
            raise forbidden("Chỉ đại biểu được phân công dự hội nghị này (hoặc cán bộ Ban Tuyên giáo) xem báo cáo")
    return _meeting_view(session, meeting, seats)


def submit_report(session: Session, user: UserRow, meeting_id: str, entry: ReportEntry) -> MeetingReportOut:
    """Enter or correct a report; every check runs before anything is written."""
    meeting = _meeting(session, user, meeting_id)
    if user.role not in ("planner", "delegate"):
        raise forbidden("Chỉ đại biểu được phân công hoặc cán bộ Ban Tuyên giáo báo cáo hội nghị")
    seats = _seats(session, meeting_id)
    if not seats:
        raise conflict(
            f"Hội nghị {meeting_id} chưa có trong lịch đã công bố; chỉ báo cáo hội nghị đã công bố",
            Fault("path.meeting_id", meeting_id, "chưa công bố"),
        )
    assigned = [s.delegate_id for s in seats]
    if user.role == "delegate" and user.delegate_id not in assigned:
        raise forbidden("Chỉ đại biểu được phân công dự hội nghị này (hoặc cán bộ Ban Tuyên giáo) báo cáo")
    day = local(meeting.starts_at).date()
    today = clock.today()
    if day > today:
        raise conflict(
            f"Hội nghị {meeting_id} ngày {day:%d/%m/%Y} chưa diễn ra; báo cáo từ ngày họp",
            Fault("path.meeting_id", meeting_id, f"hội nghị ngày {day:%d/%m/%Y}, hôm nay {today:%d/%m/%Y}"),
        )
    delegate_id = _whose(user, entry, assigned)
    faults = _check(session, meeting, entry, assigned, delegate_id)
    if entry.scores is not None:
        faults += ranking.check_scores(session, entry.scores, "$.scores")
        if not faults and ranking.is_closed(session, meeting.month):
            raise conflict(
                f"Tháng {month_label(meeting.month)} đã chốt điểm; phiếu chấm không sửa được",
                Fault("$.scores", dict(entry.scores), "tháng đã chốt"),
            )
    if faults:
        raise invalid(f"Báo cáo không hợp lệ ({len(faults)} lỗi)", *faults)
    # A report is history: "không dự", or a substitute, changes who attended the commune,
    # which the later months' versions were scored on (services.later_months).
    before = later_months.attendances_of(session, meeting.month)
    report = _write(session, user, meeting, delegate_id, entry)
    in_force = schedules.current(session, meeting.month)
    later_months.notify_later_months(session, meeting.month, before, in_force.id if in_force else None, user.id)
    if entry.scores is not None:
        ranking.write_sheet(session, user, meeting.commune_id, meeting.month, entry.scores, entry.sheet_note, report.id)
    audit.record(
        session,
        user,
        "meeting.report",
        "meeting",
        meeting_id,
        {
            "delegate": delegate_id,
            "attended": entry.attended,
            "substitute": entry.substitute,
            "visits": None if entry.visits is None else list(entry.visits),
            "problem": entry.problem,
            "scores": None if entry.scores is None else dict(entry.scores),
        },
    )
    session.flush()
    return _meeting_view(
        session, meeting, seats if user.role == "planner" else [s for s in seats if s.delegate_id == delegate_id]
    )


def _whose(user: UserRow, entry: ReportEntry, assigned: list[str]) -> str:
    if user.role == "delegate":
        assert user.delegate_id is not None
        if entry.delegate is not None and entry.delegate != user.delegate_id:
            raise invalid(
                "Đại biểu chỉ báo cáo phần của chính mình",
                Fault("$.delegate", entry.delegate, "không phải đại biểu của tài khoản này"),
            )
        return user.delegate_id
    if entry.delegate is None:
        if len(assigned) == 1:
            return assigned[0]
        raise invalid(
            "Hội nghị có nhiều đại biểu được phân công; hãy ghi rõ delegate",
            Fault("$.delegate", None, f"một trong: {', '.join(assigned)}"),
        )
    if entry.delegate not in assigned:
        raise invalid(
            "Đại biểu này không được phân công dự hội nghị",
            Fault("$.delegate", entry.delegate, f"không được phân công; một trong: {', '.join(assigned)}"),
        )
    return entry.delegate


def _check(
    session: Session, meeting: MeetingRow, entry: ReportEntry, assigned: list[str], delegate_id: str
) -> list[Fault]:
    faults: list[Fault] = []
    if entry.substitute is not None:
        if entry.attended:
            faults.append(Fault("$.substitute", entry.substitute, "đại biểu đã dự thì không có người đi thay"))
        elif session.get(DelegateRow, entry.substitute) is None:
            faults.append(Fault("$.substitute", entry.substitute, "không có đại biểu này"))
        elif entry.substitute in assigned:
            faults.append(Fault("$.substitute", entry.substitute, "đã được phân công dự hội nghị này"))
        else:
            faults += _substitute_elsewhere(session, meeting, delegate_id, entry.substitute)
    if entry.visits is not None:
        nobody = not entry.attended and entry.substitute is None
        if nobody and entry.visits:
            faults.append(Fault("$.visits", list(entry.visits), "không ai dự hội nghị thì không có lượt dự đột xuất"))
        seen: set[str] = set()
        for index, team_id in enumerate(entry.visits):
            team = session.get(TeamRow, team_id)
            if team_id in seen:
                faults.append(Fault(f"$.visits[{index}]", team_id, "tổ ghi hai lần"))
            elif team is None:
                faults.append(Fault(f"$.visits[{index}]", team_id, "không có tổ tuyên vận này"))
            elif team.commune_id != meeting.commune_id:
                faults.append(
                    Fault(
                        f"$.visits[{index}]",
                        team_id,
                        f"tổ của xã/phường khác ({team.commune_id}), không phải {meeting.commune_id}",
                    )
                )
            seen.add(team_id)
    return faults


def _substitute_elsewhere(session: Session, meeting: MeetingRow, seat: str, substitute: str) -> list[Fault]:
    """Why ``substitute`` cannot have gone in ``seat``'s place: already at this meeting in
    another seat, at a meeting that day they could not attend as well, or on leave.

    What the substitute did that day is what the reports say (:mod:`models.storage.history`);
    whether two meetings clash, or leave covers the day, is the independent scorer's rule
    (H4 with travel between the communes, H3), so a report is refused exactly when the
    solver would not have planned it.
    """
    day = local(meeting.starts_at).date()
    elsewhere: set[str] = set()
    for item in history.attendances(session, day, day + dt.timedelta(days=1)):
        if item.delegate != substitute or item.meeting is None:
            continue
        if item.meeting != meeting.id:
            elsewhere.add(item.meeting)
        elif item.assigned != seat:  # this seat's own earlier report is being replaced
            name = session.get(DelegateRow, item.assigned or "")
            whom = name.name if name is not None else item.assigned
            return [Fault("$.substitute", substitute, f"đã đi thay {whom} ở hội nghị này; mỗi người dự một chỗ")]
    try:
        _, instance = load_month(session, meeting.month)
    except ServiceError:
        # The month's stored data no longer make an instance (e.g. a road removed): the
        # rules cannot be judged, and a report of what happened is not refused for that.
        return []
    if meeting.id not in instance.meetings_by_id or substitute not in instance.delegates_by_id:
        return []
    facts = ScoreFacts(instance)
    faults = [
        Fault("$.substitute", substitute, _clash(instance, other))
        for other in sorted(elsewhere)
        if other in instance.meetings_by_id
        and any(
            v.rule == "H4" for v in score(instance, [(other, substitute), (meeting.id, substitute)], facts).violations
        )
    ]
    if any(v.rule == "H3" for v in score(instance, [(meeting.id, substitute)], facts).violations):
        period = instance.delegate(substitute).away_on(day)
        assert period is not None
        span = (
            f"ngày {period.from_:%d/%m/%Y}"
            if period.from_ == period.to
            else f"từ {period.from_:%d/%m/%Y} đến {period.to:%d/%m/%Y}"
        )
        said = f" ({period.reason})" if period.reason else ""
        faults.append(Fault("$.substitute", substitute, f"nghỉ {span}{said}, không dự được hội nghị này"))
    return faults


def _clash(instance: Instance, meeting_id: str) -> str:
    other = instance.meeting(meeting_id)
    where = instance.commune(other.commune).name
    return (
        f"đang dự hội nghị {where} ngày {other.day:%d/%m/%Y} lúc {other.start:%H:%M}–{other.end:%H:%M}, "
        "trùng giờ với hội nghị này (kể cả thời gian đi lại)"
    )


def _write(
    session: Session, user: UserRow, meeting: MeetingRow, delegate_id: str, entry: ReportEntry
) -> MeetingReportRow:
    report = session.scalar(
        select(MeetingReportRow).where(
            MeetingReportRow.meeting_id == meeting.id, MeetingReportRow.delegate_id == delegate_id
        )
    )
    now = utcnow()
    if report is None:
        report = MeetingReportRow(meeting_id=meeting.id, delegate_id=delegate_id, created_at=now)
        session.add(report)
    report.attended = entry.attended
    report.substitute_id = None if entry.attended else entry.substitute
    report.visits_stated = entry.visits is not None
    report.note, report.problem = entry.note, entry.problem or None
    report.updated_at, report.updated_by = now, user.id
    report.visits = [ReportVisitRow(team_id=t) for t in sorted(entry.visits or [])]
    session.flush()
    return report


def _meeting_view(session: Session, meeting: MeetingRow, seats: list[AssignmentRow]) -> MeetingReportOut:
    commune = session.get(CommuneRow, meeting.commune_id)
    assert commune is not None
    reports = {
        r.delegate_id: r
        for r in session.scalars(select(MeetingReportRow).where(MeetingReportRow.meeting_id == meeting.id))
    }
    people = _names(
        session,
        DelegateRow,
        {s.delegate_id for s in seats} | {r.substitute_id for r in reports.values() if r.substitute_id is not None},
    )
    team_names = _names(session, TeamRow, {t.id for t in commune.teams})
    out_seats = []
    for seat in seats:
        delegate = session.get(DelegateRow, seat.delegate_id)
        assert delegate is not None
        report = reports.get(seat.delegate_id)
        out_seats.append(
            SeatOut(
                delegate=seat.delegate_id,
                delegate_name=delegate.name,
                tier=delegate.tier,
                suggested_team=seat.team_id,
                suggested_team_name=team_names.get(seat.team_id or ""),
                report=None if report is None else report_out(report, people, team_names),
            )
        )
    return MeetingReportOut(
        meeting=meeting.id,
        commune=commune.id,
        commune_name=commune.name,
        month=meeting.month,
        start=local(meeting.starts_at),
        theme=themes.meeting_theme(session, meeting),
        seats=out_seats,
        sheet=ranking.sheet_out(session, commune.id, meeting.month),
    )


def _names(session: Session, table: type[DelegateRow] | type[TeamRow], ids: set[str]) -> dict[str, str]:
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    return dict(session.execute(select(table.id, table.name).where(table.id.in_(wanted))).all())


def report_out(report: MeetingReportRow, people: dict[str, str], team_names: dict[str, str]) -> ReportOut:
    return ReportOut(
        id=report.id,
        meeting=report.meeting_id,
        delegate=report.delegate_id,
        delegate_name=people.get(report.delegate_id, report.delegate_id),
        attended=report.attended,
        substitute=report.substitute_id,
        substitute_name=people.get(report.substitute_id or ""),
        visits=[TeamRef(id=v.team_id, name=team_names.get(v.team_id, v.team_id)) for v in report.visits]
        if report.visits_stated
        else None,
        note=report.note,
        problem=report.problem,
        updated_at=local(report.updated_at),
    )


def month_reports(session: Session, user: UserRow, month: str) -> MonthReportsOut:
    """Every published assignment of the month and what its report says (planners)."""
    if user.role != "planner":
        raise forbidden("Chỉ cán bộ Ban Tuyên giáo xem tình hình báo cáo của tháng")
    items = history.published(session, months=[month])
    communes = dict(session.execute(select(CommuneRow.id, CommuneRow.name)).all())
    people = dict(session.execute(select(DelegateRow.id, DelegateRow.name)).all())
    # By id: a meeting moved to another month after publication is still a seat of this month.
    ids = sorted({item.meeting for item in items})
    starts = dict(session.execute(select(MeetingRow.id, MeetingRow.starts_at).where(MeetingRow.id.in_(ids))).all())
    seats = []
    for item in items:
        who = history.attended(item)
        if item.report is None:
            status = "unconfirmed"
        elif item.report.attended:
            status = "attended"
        else:
            status = "substituted" if who else "absent"
        seats.append(
            MonthSeatOut(
                meeting=item.meeting,
                commune=item.commune,
                commune_name=communes.get(item.commune, item.commune),
                start=local(starts[item.meeting]),
                delegate=item.delegate,
                delegate_name=people.get(item.delegate, item.delegate),
                status=status,
                status_label=STATUS_LABELS[status],
                attended_by=who,
                visited=history.visited(item),
            )
        )
    unconfirmed = sum(1 for s in seats if s.status == "unconfirmed")
    return MonthReportsOut(month=month, seats=seats, unconfirmed=unconfirmed, confirmed=len(seats) - unconfirmed)
