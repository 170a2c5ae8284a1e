"""Schedules (planners): edit a draft by hand and undo the edits, publish it, copy a
version into a new draft, discard a draft.

A change made on a version says which revision it saw, as an ``If-Match`` value (the
ETag the page rendered or the client's header, :func:`services.etags.check`): publishing
needs it, an edit or a discard may give it. Each edit is checked against the hard rules
on today's data and says how the score moves; a draft that breaks a hard rule is not
published. A published version is never changed: a change is a new draft. A delegate who
has reported on a meeting stays on it: an edit that takes them off is refused, and so is
publishing a version that no longer sends them (their report would vanish from the
month's reports and from the history the next months are planned with). Publishing
a version that changes what the month gives the later months' history marks the later
versions whose score it changed as needing a re-plan (:mod:`services.later_months`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.planning import Change, Edit, apply_changes, plan_from_pairs
from models.documents.content import unit_name
from models.errors import Issue
from models.storage import audit, schedules
from models.storage.clock import local
from models.storage.schedules import Pair, PublishError
from models.storage.tables import (
    AuditRow,
    CommuneRow,
    DelegateRow,
    MeetingReportRow,
    MeetingRow,
    ScheduleRow,
    UserRow,
)
from services import etags, later_months, notifications
from services.access import require_planner
from services.errors import Conflict, Invalid, NotFound, PreconditionFailed, ServiceError
from services.months import load_month
from solver import score

_REFUSALS: dict[int, type[ServiceError]] = {404: NotFound, 409: Conflict, 412: PreconditionFailed}


def get_schedule(session: Session, schedule_id: int, *, lock: bool = False) -> ScheduleRow:
    """The schedule; with ``lock``, row-locked for a change checked against its revision
    (:func:`models.storage.schedules.locked`), so that the check and the write are one step."""
    schedule = schedules.locked(session, schedule_id) if lock else session.get(ScheduleRow, schedule_id)
    if schedule is None:
        raise NotFound(f"Không có lịch {schedule_id}")
    return schedule


def check_version(schedule: ScheduleRow, if_match: str | None, *, required: bool) -> int:
    """The revision the caller saw, refused unless ``if_match`` holds (or may be left out)."""
    source = " (lấy từ GET /schedules/{id})"
    etags.check(if_match, schedules.etag(schedule), "lịch", "s1-r2", required=required, source=source)
    return schedule.revision


@dataclass(frozen=True)
class Edited:
    schedule: ScheduleRow
    edit: Edit
    """The pairs after the changes and the score before and after."""
    applied: bool


def edit(
    session: Session,
    planner: UserRow,
    schedule_id: int,
    changes: Sequence[Change],
    *,
    dry_run: bool = False,
    if_match: str | None = None,
) -> Edited:
    """Apply ``changes`` to a draft (committed unless ``dry_run``), each checked against the
    hard rules; :class:`Invalid` names each change that breaks one, at ``$.changes[i]``."""
    require_planner(planner)
    schedule = _draft(session, schedule_id, if_match)
    return _change(session, planner, schedule, changes, dry_run=dry_run, action="schedule.edit")


def undo(session: Session, planner: UserRow, schedule_id: int, if_match: str | None = None) -> Edited:
    """Take back the draft's latest edit not yet taken back (committed): the draft returns to
    the assignments of its previous revision, checked against the hard rules on today's
    data like any edit. :class:`Conflict` when there is nothing to take back, or when the
    draft changed otherwise since that edit."""
    require_planner(planner)
    schedule = _draft(session, schedule_id, if_match)
    rows = list(
        session.scalars(
            select(AuditRow)
            .where(
                AuditRow.entity == "schedule",
                AuditRow.entity_id == str(schedule.id),
                AuditRow.action.in_(("schedule.edit", "schedule.undo")),
            )
            .order_by(AuditRow.id.desc())
        )
    )
    undone = {row.detail.get("undid") for row in rows if row.action == "schedule.undo"}
    last = next((row for row in rows if row.action == "schedule.edit" and row.id not in undone), None)
    if last is None:
        raise Conflict("Bản nháp không còn lần sửa nào để hoàn tác")
    # The latest change (edit or undo) must have made the current revision: nothing else
    # changed the draft since, so taking back edits newest first retraces its revisions.
    if rows[0].detail.get("revision") != schedule.revision:
        raise Conflict("Bản nháp đã thay đổi sau lần sửa cuối (lập lại hoặc hoàn tác khác); không hoàn tác được")
    inverse = [Change(c["meeting"], remove=c["add"], add=c["remove"]) for c in reversed(last.detail["changes"])]
    edits = {row.id for row in rows if row.action == "schedule.edit"}
    solved = _solve_record(session, schedule.id) if edits <= undone | {last.id} else None
    return _change(
        session, planner, schedule, inverse, dry_run=False, action="schedule.undo", undid=last.id, solved=solved
    )


def _solve_record(session: Session, schedule_id: int) -> dict[str, Any] | None:
    """What the solve that made the draft said of its schedule (score, status, bound), when
    a solve made it."""
    row = session.scalar(
        select(AuditRow)
        .where(
            AuditRow.entity == "schedule", AuditRow.entity_id == str(schedule_id), AuditRow.action == "schedule.solve"
        )
        .order_by(AuditRow.id)
        .limit(1)
    )
    return None if row is None else dict(row.detail)


def _draft(session: Session, schedule_id: int, if_match: str | None) -> ScheduleRow:
    schedule = get_schedule(session, schedule_id, lock=True)
    check_version(schedule, if_match, required=False)
    if schedule.status != "draft":
        raise Conflict("Chỉ sửa được bản nháp; hãy sao chép bản đã công bố thành bản nháp mới")
    return schedule


def _change(
    session: Session,
    planner: UserRow,
    schedule: ScheduleRow,
    changes: Sequence[Change],
    *,
    dry_run: bool,
    action: str,
    undid: int | None = None,
    solved: dict[str, Any] | None = None,
) -> Edited:
    """``solved``: the solve's record of the schedule an undo takes the draft back to (every
    edit taken back). When today's data give it the solve's score, the solve's proof holds
    again: its status and bound come back, where an edited schedule has neither."""
    _, instance = load_month(session, schedule.month)
    result = apply_changes(instance, schedules.pairs_of(session, schedule.id), changes)
    items = [
        Issue("$.changes" if p.index is None else f"$.changes[{p.index}].{p.field}", p.value, p.message)
        for p in result.problems
    ]
    kept = set(result.pairs)
    removed = {(c.meeting, c.remove): i for i, c in enumerate(changes) if c.remove is not None}
    reported = _reported(session, [pair for pair in removed if pair not in kept])
    items += [
        Issue(f"$.changes[{removed[pair]}].remove", pair[1], f"{said}; không bỏ đại biểu này khỏi hội nghị được")
        for pair, said in reported.items()
    ]
    if items:
        raise Invalid(f"Không sửa được: {len(items)} vấn đề", items)
    if not dry_run:
        plan = plan_from_pairs(instance, result.pairs, result.after)
        if solved is not None and solved.get("score") == plan.total and plan.solver_status != "partial":
            status = str(solved.get("status"))
            plan.solver_status = status if status in ("optimal", "feasible") else plan.solver_status
            plan.bound = solved.get("bound", plan.total if status == "optimal" else None)
        try:
            schedules.replace_plan(session, schedule, plan)
        except PublishError as error:
            session.rollback()
            raise _refusal(error) from None
        detail: dict[str, object] = {
            "changes": [{"meeting": c.meeting, "remove": c.remove, "add": c.add} for c in changes],
            "score": result.after.total,
            # The revision the change made: an undo takes back only the draft's latest change.
            "revision": schedule.revision,
        }
        if undid is not None:
            detail["undid"] = undid
        audit.record(session, planner, action, "schedule", schedule.id, detail)
        session.commit()
    return Edited(schedule, result, applied=not dry_run)


class Outbox(Protocol):
    """Who delivers the messages of a publication (:class:`api.deliveries.Deliverer`)."""

    def enqueue(self, session: Session, row_ids: Sequence[int]) -> None: ...

    def kick(self, row_ids: Sequence[int]) -> None: ...


def publish(
    session: Session,
    planner: UserRow,
    schedule_id: int,
    if_match: str | None,
    outbox: Outbox | None = None,
    webhook: bool = False,
) -> ScheduleRow:
    """Publish a draft (committed) that the caller saw in its current revision and that
    keeps every hard rule on today's data; returns the published version.

    With ``outbox``, the notifications of the affected people are written in the same
    transaction (:func:`services.notifications.compose`) and handed to it for delivery.
    """
    require_planner(planner)
    schedule = get_schedule(session, schedule_id)
    seen = check_version(schedule, if_match, required=True)
    if schedule.status != "draft":
        raise Conflict("Lịch này đã được công bố")
    _, instance = load_month(session, schedule.month)
    broken = score(instance, schedules.pairs_of(session, schedule.id)).violations
    if broken:
        items = [
            Issue("$.assignments", {"meeting": v.meeting, "delegate": v.delegate}, f"{v.rule}: {v.message}")
            for v in broken
        ]
        raise Conflict("Lịch vi phạm quy tắc bắt buộc với dữ liệu hiện tại; hãy sửa hoặc lập lại", items)
    dropped = _dropped_reports(session, schedule)
    if dropped:
        items = [
            Issue("$.assignments", {"meeting": m, "delegate": d}, f"{said}; bản lịch mới bỏ phân công này")
            for (m, d), said in dropped.items()
        ]
        raise Conflict(
            "Bản lịch bỏ phân công của đại biểu đã báo cáo sau hội nghị; hãy giữ lại các phân công này rồi công bố",
            items,
        )
    # What the month gave the later months' history before: publishing another version of
    # it may change their scores, which then need a re-plan (services.later_months).
    before = later_months.attendances_of(session, schedule.month)
    before_id = schedules.current(session, schedule.month)
    try:
        published = schedules.publish(session, schedule.id, seen, planner.id)
        later_months.notify_later_months(
            session, schedule.month, before, before_id.id if before_id else None, planner.id
        )
        audit.record(session, planner, "schedule.publish", "schedule", schedule.id, {"month": schedule.month})
        messages = [] if outbox is None else [r.id for r in notifications.compose(session, published, webhook)]
        if outbox is not None and messages:
            outbox.enqueue(session, messages)
        session.commit()
    except PublishError as error:
        session.rollback()
        raise _refusal(error) from None
    if outbox is not None and messages:
        outbox.kick(messages)
    return published


def _reported(session: Session, pairs: Iterable[Pair]) -> dict[Pair, str]:
    """Of these (meeting, delegate) pairs, those the delegate has reported on, each with
    the sentence that says so. A report is of what happened: a later version that no longer
    sends the delegate would hide it from the month's reports and the solver's history."""
    wanted = set(pairs)
    if not wanted:
        return {}
    found = session.execute(
        select(MeetingReportRow.meeting_id, MeetingReportRow.delegate_id, DelegateRow.name, MeetingRow, CommuneRow)
        .join(MeetingRow, MeetingRow.id == MeetingReportRow.meeting_id)
        .join(CommuneRow, CommuneRow.id == MeetingRow.commune_id)
        .join(DelegateRow, DelegateRow.id == MeetingReportRow.delegate_id)
        .where(MeetingReportRow.meeting_id.in_({m for m, _ in wanted}))
        .order_by(MeetingReportRow.meeting_id, MeetingReportRow.delegate_id)
    )
    return {
        (meeting_id, delegate_id): (
            f"đại biểu {name} ({delegate_id}) đã báo cáo hội nghị của {unit_name(commune.name, commune.kind)} "
            f"ngày {local(meeting.starts_at):%d/%m/%Y}"
        )
        for meeting_id, delegate_id, name, meeting, commune in found
        if (meeting_id, delegate_id) in wanted
    }


def _dropped_reports(session: Session, schedule: ScheduleRow) -> dict[Pair, str]:
    """The reported assignments of the version in force that ``schedule`` would drop (a
    meeting cancelled since has left every later plan, its reports with it)."""
    in_force = schedules.current(session, schedule.month)
    if in_force is None:
        return {}
    kept = set(schedules.pairs_of(session, schedule.id))
    cancelled = set(
        session.scalars(
            select(MeetingRow.id).where(MeetingRow.month == schedule.month, MeetingRow.cancelled_at.is_not(None))
        )
    )
    return _reported(
        session, [p for p in schedules.pairs_of(session, in_force.id) if p not in kept and p[0] not in cancelled]
    )


def copy(session: Session, planner: UserRow, schedule_id: int) -> ScheduleRow:
    """A new draft (committed) with the assignments of a version, to edit by hand."""
    require_planner(planner)
    draft = schedules.copy_to_draft(session, get_schedule(session, schedule_id), planner.id)
    audit.record(session, planner, "schedule.copy", "schedule", draft.id, {"from": schedule_id})
    session.commit()
    return draft


def discard(session: Session, planner: UserRow, schedule_id: int, if_match: str | None = None) -> None:
    """Delete a draft (committed); a published version is never deleted."""
    require_planner(planner)
    schedule = get_schedule(session, schedule_id, lock=True)
    check_version(schedule, if_match, required=False)
    try:
        schedules.discard(session, schedule)
    except PublishError as error:
        raise _refusal(error) from None
    audit.record(session, planner, "schedule.delete", "schedule", schedule_id)
    session.commit()


def _refusal(error: PublishError) -> ServiceError:
    return _REFUSALS.get(error.status, Conflict)(error.message)
