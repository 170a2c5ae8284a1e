"""A schedule version as the exchange format ``phancong-solution/1`` and as a workbook."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.present import schedule_out
from models.rules import TERMS
from models.solution import Assignment, Score, Solution, Unfilled, VisitSuggestion
from models.storage import config, schedules
from models.storage.clock import month_label
from models.storage.tables import ScheduleRow


def solution(session: Session, row: ScheduleRow) -> Solution:
    plan = schedules.plan_of(session, row)
    return Solution(
        # The month instance's own name (``/months/{m}/instance.json``), so that the two
        # exports pair up in ``phancong score``; the version is in the file's name.
        instance=f"{config.name(session)} — tháng {month_label(row.month)}",
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
    """The schedule as Excel: the schedule in the notice's order, the empty seats, the score."""
    from models.documents.schedule_book import schedule_workbook
    from models.documents.sheets import Table
    from services.documents import lines_of

    view = schedule_out(session, row)
    gaps = [[g.meeting, g.commune_name or "", g.seats, "có" if g.senior_missing else "", g.reason] for g in view.gaps]
    terms: list[list[object]] = [[t.label, t.count, t.weight, t.points] for t in view.terms]
    terms.append(["Tổng", "", "", view.score_total])
    label = month_label(row.month)
    return schedule_workbook(
        f"Lịch tháng {label.replace('/', '-')}",
        lines_of(session, row),
        [
            Table("Chỗ trống", ["Mã hội nghị", "Xã/phường", "Thiếu người", "Thiếu lãnh đạo", "Lý do"], gaps),
            Table("Điểm", ["Tiêu chí", "Số lần", "Trọng số", "Điểm"], terms),
        ],
        caption=f"{config.name(session)} — lịch phân công tháng {label} (bản {row.version})",
    )
