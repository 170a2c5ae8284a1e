"""How fragile a month's published schedule is, read from the database.

The analysis is :mod:`scenarios.robustness`, the one ``phancong scenario robustness``
runs on files; only where the month comes from differs (the stored month and the
version in force). The seats part (who could take each seat: no solver) is always
given; the absences part (each assigned delegate away, the month re-solved with fewest
changes) solves once per absence, so it is asked for explicitly and refused above
:data:`MAX_ABSENCES` re-solves, where the command line (or a scenario) is the tool.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from models.instance import Instance, Meeting
from models.labels import TIER_LABELS
from models.storage import schedules
from models.storage.clock import month_label
from models.storage.mapping import published_pairs
from models.storage.tables import UserRow
from scenarios import robustness as analysis
from services.access import require_planner
from services.errors import NotFound, TooLarge
from services.months import load_month
from services.workspace import check_month

MAX_ABSENCES = 40
"""Re-solves one request may ask for (each takes up to its time limit)."""
MAX_SECONDS = 10.0
"""Time limit of one re-solve."""


class View(BaseModel):
    pass


class SeatRisk(View):
    meeting: str
    commune_name: str
    date_label: str
    time_label: str
    delegate: str
    name: str
    eligible: int = Field(description="Số người được phép dự thay (nghỉ, phụ trách, cấm, cấp lãnh đạo đã xét)")
    free: int = Field(description="Trong đó, số người thay ngay được mà không phải đổi ai khác")
    words: str


class DayCost(View):
    date_label: str
    changes: int
    unfilled: int
    proved: bool


class AbsenceCost(View):
    delegate: str
    name: str
    title: str
    assignments: int
    month_changes: int = Field(description="Vắng cả tháng: số phân công phải đổi")
    month_unfilled: int = Field(description="Vắng cả tháng: số chỗ không ai lấp được")
    proved: bool = Field(description="Đã chứng minh là ít nhất")
    worst_day: int
    days: list[DayCost]


class RobustnessOut(View):
    month: str
    month_label: str
    schedule: int = Field(description="Bản lịch đang hiệu lực được xét")
    seats: list[SeatRisk] = Field(description="Chỗ khó thay người nhất trước")
    absences: list[AbsenceCost] | None = Field(description="Vắng ai thì lịch phải đổi nhiều nhất; null: chưa xét")
    seconds: float | None


def robustness(
    session: Session,
    planner: UserRow,
    month: str,
    *,
    absences: bool = False,
    days: bool = False,
    time_limit: float = 2.0,
    processes: int = 1,
) -> RobustnessOut:
    """The robustness of ``month``'s version in force; ``absences`` re-solves each
    assigned delegate's absence (``days``: also each of their days), ``time_limit``
    seconds each (at most :data:`MAX_SECONDS`) in ``processes`` processes."""
    require_planner(planner)
    check_month(month)
    current = schedules.current(session, month)
    if current is None:
        raise NotFound(f"Tháng {month_label(month)} chưa có lịch công bố")
    document, instance = load_month(session, month, reference=False)
    pairs = [(m, d) for m, d in published_pairs(session, month) if m in instance.meetings_by_id]
    seats = [_seat(instance, s) for s in analysis.seats(instance, pairs)]
    if not absences:
        return RobustnessOut(
            month=month, month_label=month_label(month), schedule=current.id, seats=seats, absences=None, seconds=None
        )
    todo = analysis.absences(instance, pairs, days=days)
    if len(todo) > MAX_ABSENCES:
        raise TooLarge(
            f"Cần giải lại {len(todo)} lần (tối đa {MAX_ABSENCES} mỗi yêu cầu); "
            "hãy bỏ xét từng ngày, hoặc dùng lệnh phancong scenario robustness"
        )
    report = analysis.analyse(document, pairs, processes=processes, time_limit=min(time_limit, MAX_SECONDS), days=days)
    costs = []
    for cost in report.delegates:
        person = instance.delegate(cost.delegate)
        costs.append(
            AbsenceCost(
                delegate=person.id,
                name=person.name,
                title=person.title or TIER_LABELS[person.tier],
                assignments=cost.assignments,
                month_changes=cost.month.changes,
                month_unfilled=cost.month.unfilled,
                proved=cost.month.proved,
                worst_day=cost.worst_day,
                days=[
                    DayCost(
                        date_label=a.absence.start.strftime("%d/%m/%Y"),
                        changes=a.changes,
                        unfilled=a.unfilled,
                        proved=a.proved,
                    )
                    for a in cost.days
                ],
            )
        )
    return RobustnessOut(
        month=month,
        month_label=month_label(month),
        schedule=current.id,
        seats=seats,
        absences=costs,
        seconds=round(report.seconds, 3),
    )


def _seat(instance: Instance, seat: analysis.Seat) -> SeatRisk:
    meeting = instance.meeting(seat.meeting)
    return SeatRisk(
        meeting=meeting.id,
        commune_name=instance.commune(meeting.commune).name,
        date_label=meeting.day.strftime("%d/%m/%Y"),
        time_label=f"{meeting.start:%H:%M}–{meeting.end:%H:%M}",
        delegate=seat.delegate,
        name=instance.delegate(seat.delegate).name,
        eligible=seat.eligible,
        free=seat.free,
        words=seat_words(instance, meeting, seat),
    )


KEPT_WORDS = {
    "away": "người nghỉ",
    "charge": "người phụ trách xã này",
    "banned": "người bị cấm",
    "junior": "người không đủ cấp lãnh đạo",
    "none": "người không nhận phân công",
}
NAMED = 3
"""Replacements named on a row (the rest counted)."""


def seat_words(instance: Instance, meeting: Meeting, seat: analysis.Seat) -> str:
    """What the row adds to its counts: who could step in at once, or what keeps the
    allowed ones from it, and whether only a senior enough delegate may take the seat."""
    parts = []
    if seat.senior_only:
        tier = instance.senior_tier(meeting)
        if tier == 1:
            parts.append("Người lãnh đạo duy nhất của hội nghị: chỉ đồng chí Thường trực thay được")
        elif tier in TIER_LABELS:
            parts.append(f"Người lãnh đạo duy nhất của hội nghị: chỉ {TIER_LABELS[tier]} trở lên thay được")
    if seat.ready:
        named = ", ".join(instance.delegate(d).name for d in seat.ready[:NAMED])
        more = len(seat.ready) - NAMED
        parts.append(f"Thay ngay: {named}" + (f" và {more} người khác" if more > 0 else ""))
    elif seat.eligible:
        why = []
        if seat.full:
            why.append(f"{seat.full} người đã đủ số buổi trong tháng")
        if seat.clash:
            why.append(f"{seat.clash} người bận hội nghị khác cùng buổi")
        parts.append("Không ai thay ngay được: " + ", ".join(why))
    else:
        kept = dict(seat.kept)
        why = [f"{kept[k]} {words}" for k, words in KEPT_WORDS.items() if kept.get(k)]
        parts.append("Không ai khác được phép dự" + (": " + ", ".join(why) if why else ""))
    return ". ".join(p for p in parts if p)
