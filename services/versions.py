"""A month's versions and what changed between two of them.

:func:`history` lists every version of a month (drafts and published, oldest first) with
who published it and when; :func:`diff` compares two versions meeting by meeting:

* ``changed``: the meeting is in both, with other delegates (who left, who came);
* ``moved``: the meeting is in both at another time (a published version keeps the time
  frozen at its publication; a draft shows the meeting's current time);
* ``added`` / ``removed``: the meeting has delegates in only one of the two.

A meeting that both moved and changed delegates is listed in both.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import Issue
from models.storage import schedules
from models.storage.clock import local, month_label
from models.storage.tables import (
    AssignmentRow,
    CommuneRow,
    DelegateRow,
    MeetingRow,
    PublishedMonthRow,
    ScheduleRow,
    UserRow,
)
from services.access import require_planner
from services.errors import Invalid, NotFound
from services.workspace import PersonRef, VersionRef, check_month, version_ref


class View(BaseModel):
    pass


class VersionOut(VersionRef):
    created_at: dt.datetime
    published_at: dt.datetime | None
    published_by: str | None = Field(description="Người công bố")
    based_on: int | None = Field(description="Bản đã công bố dùng làm gốc khi lập")
    assignments: int


class HistoryOut(View):
    month: str
    month_label: str
    in_force: int | None = Field(description="Mã bản đang hiệu lực")
    versions: list[VersionOut]


class MeetingChange(View):
    meeting: str
    commune: str
    commune_name: str
    start_before: dt.datetime | None
    start_after: dt.datetime | None
    before: list[PersonRef]
    after: list[PersonRef]
    left: list[PersonRef] = Field(description="Người thôi dự")
    joined: list[PersonRef] = Field(description="Người mới dự")


class DiffOut(View):
    month: str
    before: VersionRef
    after: VersionRef
    changed: list[MeetingChange] = Field(description="Cùng hội nghị, khác người dự")
    moved: list[MeetingChange] = Field(description="Cùng hội nghị, đổi giờ")
    added: list[MeetingChange] = Field(description="Chỉ có ở bản sau")
    removed: list[MeetingChange] = Field(description="Chỉ có ở bản trước")
    unchanged: int = Field(description="Số hội nghị không đổi")


def history(session: Session, planner: UserRow, month: str) -> HistoryOut:
    """Every version of ``month``, oldest first."""
    require_planner(planner)
    check_month(month)
    versions = schedules.versions(session, month)
    pointer = session.get(PublishedMonthRow, month)
    in_force = pointer.schedule_id if pointer else None
    counts: dict[int, int] = defaultdict(int)
    for (schedule_id,) in session.execute(
        select(AssignmentRow.schedule_id).where(AssignmentRow.schedule_id.in_([v.id for v in versions]))
    ):
        counts[schedule_id] += 1
    names = dict(session.execute(select(UserRow.id, UserRow.name)).all())
    return HistoryOut(
        month=month,
        month_label=month_label(month),
        in_force=in_force,
        versions=[
            VersionOut(
                **version_ref(v, in_force).model_dump(),
                created_at=local(v.created_at),
                published_at=local(v.published_at) if v.published_at else None,
                published_by=names.get(v.published_by) if v.published_by else None,
                based_on=v.base_id,
                assignments=counts[v.id],
            )
            for v in versions
        ],
    )


def diff(session: Session, planner: UserRow, month: str, before_id: int, after_id: int) -> DiffOut:
    """What changed from version ``before_id`` to version ``after_id`` of ``month``."""
    require_planner(planner)
    check_month(month)
    pointer = session.get(PublishedMonthRow, month)
    in_force = pointer.schedule_id if pointer else None
    before = _version(session, month, before_id, "from")
    after = _version(session, month, after_id, "to")
    old, new = _seats(session, before.id), _seats(session, after.id)
    ids = sorted(set(old) | set(new))
    meetings = {m.id: m for m in session.scalars(select(MeetingRow).where(MeetingRow.id.in_(ids)))}
    communes = dict(session.execute(select(CommuneRow.id, CommuneRow.name)).all())
    people = dict(session.execute(select(DelegateRow.id, DelegateRow.name)).all())
    out = DiffOut(
        month=month,
        before=version_ref(before, in_force),
        after=version_ref(after, in_force),
        changed=[],
        moved=[],
        added=[],
        removed=[],
        unchanged=0,
    )
    for meeting_id in ids:
        a, b = old.get(meeting_id), new.get(meeting_id)
        row = meetings[meeting_id]
        start_a = _start(a, row)
        start_b = _start(b, row)
        ref = _change(row, communes, people, start_a, start_b, a, b)
        if a is None:
            out.added.append(ref)
            continue
        if b is None:
            out.removed.append(ref)
            continue
        same = True
        if set(a[1]) != set(b[1]):
            out.changed.append(ref)
            same = False
        if start_a != start_b:
            out.moved.append(ref)
            same = False
        out.unchanged += int(same)
    return out


_Seats = tuple[dt.datetime | None, list[str]]


def _version(session: Session, month: str, schedule_id: int, field: str) -> ScheduleRow:
    schedule = session.get(ScheduleRow, schedule_id)
    if schedule is None:
        raise NotFound(f"Không có bản lịch {schedule_id}")
    if schedule.month != month:
        message = f"bản lịch {schedule_id} thuộc tháng {month_label(schedule.month)}"
        raise Invalid("Hai bản lịch phải cùng tháng", [Issue(field, schedule_id, message)])
    return schedule


def _seats(session: Session, schedule_id: int) -> dict[str, _Seats]:
    """meeting → (the start frozen at publication, if any; its delegates)."""
    out: dict[str, _Seats] = {}
    rows = session.execute(
        select(AssignmentRow.meeting_id, AssignmentRow.delegate_id, AssignmentRow.starts_at)
        .where(AssignmentRow.schedule_id == schedule_id)
        .order_by(AssignmentRow.meeting_id, AssignmentRow.delegate_id)
    )
    for meeting_id, delegate_id, starts_at in rows:
        frozen, people = out.get(meeting_id, (starts_at, []))
        people.append(delegate_id)
        out[meeting_id] = (frozen or starts_at, people)
    return out


def _start(seats: _Seats | None, row: MeetingRow) -> dt.datetime | None:
    if seats is None:
        return None
    return local(seats[0] or row.starts_at)


def _change(
    row: MeetingRow,
    communes: dict[str, str],
    people: dict[str, str],
    start_a: dt.datetime | None,
    start_b: dt.datetime | None,
    a: _Seats | None,
    b: _Seats | None,
) -> MeetingChange:
    before = a[1] if a else []
    after = b[1] if b else []

    def refs(ids: list[str]) -> list[PersonRef]:
        return [PersonRef(delegate=d, name=people.get(d, d)) for d in ids]

    return MeetingChange(
        meeting=row.id,
        commune=row.commune_id,
        commune_name=communes.get(row.commune_id, row.commune_id),
        start_before=start_a,
        start_after=start_b,
        before=refs(before),
        after=refs(after),
        left=refs([d for d in before if d not in after]),
        joined=refs([d for d in after if d not in before]),
    )
