"""A schedule version as the exchange format ``phancong-solution/1`` and as a workbook."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.present import schedule_out
from models.labels import TIER_LABELS
from models.rules import TERMS
from models.solution import Assignment, Score, Solution, Unfilled, VisitSuggestion
from models.storage import config, schedules
from models.storage.clock import month_label
from models.storage.excel import table_workbook
from models.storage.tables import DelegateRow, MeetingRow, ScheduleRow
from models.storage.themes import month_themes


def solution(session: Session, row: ScheduleRow) -> Solution:
    plan = schedules.plan_of(session, row)
    return Solution(
        instance=f"{config.name(session)} — tháng {month_label(row.month)} (bản {row.version})",
        status=row.solver_status,  # type: ignore[arg-type]  # one of the four, checked by the schema test
        score=Score(total=row.score_total, terms={t: int(row.terms.get(t, 0)) for t in TERMS}),
        bound=row.bound,
        solve_seconds=row.solve_seconds,
        assignments=tuple(Assignment(meeting=m, delegate=d) for m, d in plan.pairs),
        unfilled=tuple(
            Unfilled(meeting=g["meeting"], seats=g["seats"], senior_missing=g["senior_missing"], reason=g["reason"])
            for g in row.gaps
        ),
        visits=tuple(VisitSuggestion(meeting=m, delegate=d, team=t) for (m, d), t in sorted(plan.visits.items())),
    )


def workbook(session: Session, row: ScheduleRow) -> bytes:
    """The assignment notice as Excel: the schedule, the empty seats, the score."""
    view = schedule_out(session, row)
    people = {
        d.id: d for d in session.query(DelegateRow).filter(DelegateRow.id.in_({a.delegate for a in view.assignments}))
    }
    meetings = {
        m.id: m for m in session.query(MeetingRow).filter(MeetingRow.id.in_({a.meeting for a in view.assignments}))
    }
    plan_theme = month_themes(session, [row.month]).get(row.month)
    lines = []
    for number, a in enumerate(view.assignments, start=1):
        person = people[a.delegate]
        lines.append(
            [
                number,
                a.start.strftime("%d/%m/%Y"),
                a.start.strftime("%H:%M"),
                a.commune_name,
                a.meeting,
                person.name,
                person.title or TIER_LABELS.get(person.tier, ""),
                person.agency,
                a.team_name or "",
                meetings[a.meeting].theme or plan_theme or "",
            ]
        )
    headers = [
        "STT",
        "Ngày",
        "Giờ",
        "Xã/phường",
        "Mã hội nghị",
        "Đại biểu",
        "Chức vụ",
        "Cơ quan",
        "Tổ dự đột xuất (gợi ý)",
        "Chủ đề",
    ]
    gaps = [[g.meeting, g.commune_name or "", g.seats, "có" if g.senior_missing else "", g.reason] for g in view.gaps]
    terms = [[t.label, t.count, t.weight, t.points] for t in view.terms]
    terms.append(["Tổng", "", "", view.score_total])
    return table_workbook(
        [
            (f"Lịch tháng {month_label(row.month).replace('/', '-')}", headers, lines),
            ("Chỗ trống", ["Mã hội nghị", "Xã/phường", "Thiếu người", "Thiếu lãnh đạo", "Lý do"], gaps),
            ("Điểm", ["Tiêu chí", "Số lần", "Trọng số", "Điểm"], terms),
        ]
    )
