"""Each delegate's load, by tier group, as the data of the planner's balance chart.

The groups, the window and who counts are those of RULES.md's ``balance`` term, taken
from the scorer (:func:`solver.score.balance_groups`), so the chart shows exactly what
the score weighs: per delegate the meetings of this month in one version of the schedule
and the attendances of the twelve months before the month's first meeting (history:
imported, and the published months as their reports say), and per group the spread
(max − min of the counted delegates) whose sum is the ``balance`` count.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from models.labels import TIER_LABELS
from models.storage import schedules
from models.storage.clock import month_label
from models.storage.tables import PublishedMonthRow, UserRow
from services.access import require_planner
from services.months import load_month
from services.workspace import VersionRef, check_month, chosen_version, version_ref
from solver.score import balance_groups

GROUP_LABELS = {
    (1, 2): "Thường trực và Ủy viên Ban Thường vụ",
    (3,): "Lãnh đạo cơ quan",
    (4,): "Chuyên viên",
}


class View(BaseModel):
    pass


class DelegateLoad(View):
    delegate: str
    name: str
    title: str | None
    agency: str
    tier: int
    tier_label: str
    month: int = Field(description="Số buổi tháng này (theo bản lịch)")
    earlier: int = Field(description="Số buổi trong mười hai tháng trước tháng này")
    twelve_months: int = Field(description="Tổng: tháng này và mười hai tháng trước")
    max_per_month: int
    counted: bool = Field(description="Được tính vào độ chênh lệch của nhóm")
    why_not: str | None = Field(description="Vì sao không được tính")


class GroupLoad(View):
    tiers: list[int]
    label: str
    delegates: list[DelegateLoad] = Field(description="Tải nặng trước")
    month_total: int
    highest: int | None
    lowest: int | None
    spread: int = Field(description="Chênh lệch (cao nhất − thấp nhất) của người được tính")


class WorkloadOut(View):
    month: str
    month_label: str
    schedule: VersionRef | None
    groups: list[GroupLoad]
    assignments: int = Field(description="Số phân công của bản lịch trong tháng")
    balance: int = Field(description="Tổng chênh lệch: số lần của tiêu chí balance")


def workload(session: Session, planner: UserRow, month: str, *, schedule_id: int | None = None) -> WorkloadOut:
    """The loads of ``month`` with version ``schedule_id`` (default: the newest; none: zero)."""
    require_planner(planner)
    check_month(month)
    versions = schedules.versions(session, month)
    pointer = session.get(PublishedMonthRow, month)
    in_force = pointer.schedule_id if pointer else None
    schedule = chosen_version(versions, schedule_id, month)
    _, instance = load_month(session, month)
    pairs = schedules.pairs_of(session, schedule.id) if schedule else []
    known = [d for m, d in pairs if m in instance.meetings_by_id and d in instance.delegates_by_id]
    groups = []
    for group in balance_groups(instance, known):
        members = set(group.members)
        rows = []
        for delegate_id in group.delegates:
            person = instance.delegate(delegate_id)
            why = None
            if delegate_id not in members:
                why = (
                    "không nhận phân công (tối đa 0 buổi)" if person.max_per_month == 0 else "vắng mọi ngày có hội nghị"
                )
            elif len(members) < 2:
                why = "người duy nhất của nhóm"
            rows.append(
                DelegateLoad(
                    delegate=person.id,
                    name=person.name,
                    title=person.title,
                    agency=person.agency,
                    tier=person.tier,
                    tier_label=TIER_LABELS.get(person.tier, str(person.tier)),
                    month=group.schedule[delegate_id],
                    earlier=group.history[delegate_id],
                    twelve_months=group.load(delegate_id),
                    max_per_month=person.max_per_month,
                    counted=why is None,
                    why_not=why,
                )
            )
        rows.sort(key=lambda r: (-r.twelve_months, -r.month, r.delegate))
        counted = [r.twelve_months for r in rows if r.counted]
        groups.append(
            GroupLoad(
                tiers=list(group.tiers),
                label=GROUP_LABELS.get(group.tiers, ", ".join(TIER_LABELS[t] for t in group.tiers)),
                delegates=rows,
                month_total=sum(r.month for r in rows),
                highest=max(counted, default=None),
                lowest=min(counted, default=None),
                spread=group.spread,
            )
        )
    return WorkloadOut(
        month=month,
        month_label=month_label(month),
        schedule=version_ref(schedule, in_force) if schedule else None,
        groups=groups,
        assignments=len(known),
        balance=sum(g.spread for g in groups),
    )
