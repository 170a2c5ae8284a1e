"""Flags from results: what the month's ranking and reports propose for the next month,
the planner's answer, and flags set by month.

A board ranked at the lowest level (Chưa đạt by default) in month M, or a report of a
meeting of month M that raises a problem, proposes flag 1 (cần quan tâm: a leader goes)
for month M+1. Proposals are read from the results every time, so a corrected sheet or
report corrects them; an answered proposal is kept with its answer even when the results
no longer propose it. Confirming writes the flag of month M+1 (never lowering the flag
already in force, unless the planner gives one); dismissing writes nothing else.

Proposal ids: ``ranking:<M+1>:<commune>`` and ``report:<report id>``.

A flag belongs to its month: before a commune's default changes, every published month
without a flag of its own gets the old default as its own (:func:`keep_published`), so
only months not yet published follow the new default. A change of the flag in force
for a month that alters what one of the commune's meetings asks (seats, senior tier)
puts a re-plan notice on every version of that month made before it
(:func:`replan_after_flag`): the published one, whose month then needs a re-plan, and
the drafts, which would otherwise be published as if nothing had changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.instance import default_required, default_senior_tier
from models.labels import FLAG_LABELS
from models.storage import audit, flags, scoring
from models.storage.clock import is_month, local, month_bounds, month_label
from models.storage.tables import (
    CommuneFlagRow,
    CommuneRow,
    DelegateRow,
    FlagDecisionRow,
    MeetingReportRow,
    MeetingRow,
    PublishedMonthRow,
    ReplanNoticeRow,
    ScheduleRow,
    UserRow,
)
from services.loop_errors import Fault, conflict, forbidden, invalid, not_found
from services.views import FlagHistoryOut, FlagOut, ProposalOut

PROPOSED_FLAG = 1
#: How the re-plan notice of a flag change begins: by it the workspace tells a gap that
#: a flag change made from one that a later registration made.
FLAG_NOTICE = "Mức quan tâm của "


def next_month(month: str) -> str:
    return month_bounds(month)[1].strftime("%Y-%m")


def previous_month(month: str) -> str:
    first = month_bounds(month)[0]
    year, number = (first.year, first.month - 1) if first.month > 1 else (first.year - 1, 12)
    return f"{year:04d}-{number:02d}"


@dataclass(frozen=True)
class Proposal:
    id: str
    commune: str
    month: str
    source: str
    reason: str


def _planner(user: UserRow) -> None:
    if user.role != "planner":
        raise forbidden("Chỉ cán bộ Ban Tuyên giáo xem và quyết định việc gắn cờ")


def derived(session: Session, month: str) -> list[Proposal]:
    """What the results of the month before ``month`` propose for ``month``."""
    before = previous_month(month)
    out = []
    scale = scoring.levels(session)
    lowest = scale[-1]
    for sheet in scoring.sheets(session, month=before):
        if scoring.level_of(sheet.total, scale) == lowest:
            reason = f"Xếp loại {lowest.name} tháng {month_label(before)} ({sheet.total:g}/{sheet.max_total:g} điểm)"
            out.append(Proposal(f"ranking:{month}:{sheet.commune_id}", sheet.commune_id, month, "ranking", reason))
    reports = session.execute(
        select(MeetingReportRow, MeetingRow.commune_id, DelegateRow.name)
        .join(MeetingRow, MeetingRow.id == MeetingReportRow.meeting_id)
        .join(DelegateRow, DelegateRow.id == MeetingReportRow.delegate_id)
        .where(MeetingRow.month == before, MeetingReportRow.problem.is_not(None))
        .order_by(MeetingReportRow.id)
    )
    for report, commune_id, name in reports:
        reason = f"Báo cáo hội nghị {report.meeting_id} tháng {month_label(before)} ({name}): {report.problem}"
        out.append(Proposal(f"report:{report.id}", commune_id, month, "report", reason))
    return out


def proposals(session: Session, user: UserRow, month: str) -> list[ProposalOut]:
    """The proposals for ``month``, answered or not (planners)."""
    _planner(user)
    found = {p.id: p for p in derived(session, month)}
    decisions = {d.proposal: d for d in session.scalars(select(FlagDecisionRow).where(FlagDecisionRow.month == month))}
    for key, decision in decisions.items():
        if key not in found:  # answered, and the results no longer propose it
            source = key.split(":", 1)[0]
            found[key] = Proposal(key, decision.commune_id, month, source, decision.reason)
    in_force = flags.in_force(session, month)
    names = dict(session.execute(select(CommuneRow.id, CommuneRow.name)).all())
    out = []
    for proposal in sorted(found.values(), key=lambda p: (p.commune, p.id)):
        answer = decisions.get(proposal.id)
        current = in_force[proposal.commune].flag if proposal.commune in in_force else 0
        out.append(
            ProposalOut(
                id=proposal.id,
                commune=proposal.commune,
                commune_name=names.get(proposal.commune, proposal.commune),
                month=month,
                source=proposal.source,
                flag=PROPOSED_FLAG,
                flag_label=FLAG_LABELS[PROPOSED_FLAG],
                reason=proposal.reason,
                current_flag=current,
                status="proposed" if answer is None else answer.decision,
                decided_at=None if answer is None else local(answer.decided_at),
            )
        )
    return out


def _month_of(session: Session, proposal_id: str) -> str | None:
    """The month a proposal id is for (None: not a proposal id)."""
    kind, _, rest = proposal_id.partition(":")
    if kind == "ranking":
        month = rest.split(":", 1)[0]
        return month if is_month(month) else None
    if kind == "report" and rest.isdigit() and len(rest) <= 9:  # an id the databases' integers hold
        report = session.get(MeetingReportRow, int(rest))
        if report is None:
            return None
        meeting = session.get(MeetingRow, report.meeting_id)
        return None if meeting is None else next_month(meeting.month)
    return None


def decide(
    session: Session,
    user: UserRow,
    proposal_id: str,
    decision: str,
    flag: int | None = None,
    reason: str | None = None,
) -> ProposalOut:
    """Confirm (``decision="confirmed"``) or dismiss a proposal, once."""
    _planner(user)
    done = session.get(FlagDecisionRow, proposal_id)
    if done is not None:
        said = "xác nhận" if done.decision == "confirmed" else "bỏ qua"
        raise conflict(
            f"Đề xuất {proposal_id} đã được {said} lúc {local(done.decided_at):%H:%M %d/%m/%Y}",
            Fault("path.proposal_id", proposal_id, f"đã {said}"),
        )
    month = _month_of(session, proposal_id)
    proposal = None if month is None else next((p for p in derived(session, month) if p.id == proposal_id), None)
    if month is None or proposal is None:
        raise not_found(f"Không có đề xuất gắn cờ {proposal_id}")
    if decision == "dismissed" and flag is not None:
        raise invalid("Bỏ qua đề xuất thì không đặt mức cờ", Fault("$.flag", flag, "chỉ dùng khi xác nhận"))
    written: int | None = None
    if decision == "confirmed":
        current = flags.in_force(session, month)[proposal.commune].flag
        written = flag if flag is not None else max(current, PROPOSED_FLAG)
        flags.set_flag(
            session, proposal.commune, month, written, reason or proposal.reason, "proposal", user.id, proposal_id
        )
        replan_after_flag(session, proposal.commune, month, current, written, user.id)
    session.add(
        FlagDecisionRow(
            proposal=proposal_id,
            commune_id=proposal.commune,
            month=month,
            decision=decision,
            flag=written,
            reason=reason or proposal.reason,
            decided_by=user.id,
        )
    )
    audit.record(session, user, f"flag.{decision}", "flag_proposal", proposal_id, {"flag": written, "month": month})
    session.flush()
    return next(p for p in proposals(session, user, month) if p.id == proposal_id)


def month_flags(session: Session, user: UserRow, month: str) -> list[FlagOut]:
    """Every commune's flag in force for ``month`` (planners)."""
    _planner(user)
    names = dict(session.execute(select(CommuneRow.id, CommuneRow.name)).all())
    return [
        FlagOut(
            commune=commune_id,
            commune_name=names[commune_id],
            month=month,
            flag=f.flag,
            flag_label=FLAG_LABELS[f.flag],
            reason=f.reason,
            source=f.source,
        )
        for commune_id, f in flags.in_force(session, month).items()
    ]


def set_month_flag(
    session: Session, user: UserRow, commune_id: str, month: str, flag: int, reason: str | None
) -> FlagOut:
    """A planner sets a commune's flag for one month (the commune's default is untouched)."""
    _planner(user)
    commune = session.get(CommuneRow, commune_id)
    if commune is None:
        raise not_found(f"Không có xã/phường {commune_id}")
    before = flags.in_force(session, month)[commune_id].flag
    flags.set_flag(session, commune_id, month, flag, reason, "planner", user.id)
    replan_after_flag(session, commune_id, month, before, flag, user.id)
    audit.record(session, user, "flag.set", "commune", commune_id, {"month": month, "flag": flag, "reason": reason})
    return next(f for f in month_flags(session, user, month) if f.commune == commune_id)


def flag_history(session: Session, user: UserRow, commune_id: str) -> list[FlagHistoryOut]:
    """Every flag set for the commune by month, oldest first (planners)."""
    _planner(user)
    if session.get(CommuneRow, commune_id) is None:
        raise not_found(f"Không có xã/phường {commune_id}")
    return [
        FlagHistoryOut(
            id=r.id,
            month=r.month,
            flag=r.flag,
            flag_label=FLAG_LABELS[r.flag],
            reason=r.reason,
            source=r.source,
            proposal=r.proposal,
            created_at=local(r.created_at),
        )
        for r in flags.history(session, commune_id)
    ]


def keep_published(session: Session, commune: CommuneRow, user_id: int | None) -> None:
    """Before the commune's default flag or its reason changes: every published month
    without a flag of its own keeps the default it was planned with, flag and reason
    together, as its own row (source ``migrated``, as migration 0007 kept the months
    published before flags were monthly). History, statistics and the month's flags then
    keep what was in force; the new default reaches only the months not yet published."""
    own = set(session.scalars(select(CommuneFlagRow.month).where(CommuneFlagRow.commune_id == commune.id)))
    for month in session.scalars(select(PublishedMonthRow.month).order_by(PublishedMonthRow.month)):
        if month not in own:
            flags.set_flag(session, commune.id, month, commune.flag, commune.flag_reason, "migrated", user_id)


def default_changed(session: Session, commune_id: str, before: int, after: int, user_id: int | None) -> None:
    """Re-plan notices for the months that follow the commune's default (no flag of their
    own; after :func:`keep_published`, none of them is published) and already have drafts."""
    if before == after:
        return
    own = select(CommuneFlagRow.month).where(CommuneFlagRow.commune_id == commune_id)
    months = session.scalars(
        select(MeetingRow.month)
        .where(MeetingRow.commune_id == commune_id, MeetingRow.month.not_in(own))
        .distinct()
        .order_by(MeetingRow.month)
    )
    for month in list(months):
        replan_after_flag(session, commune_id, month, before, after, user_id)


def asks(meeting: MeetingRow, flag: int) -> tuple[int, int | None]:
    """The seats and the senior tier a meeting asks under ``flag`` (its own, when it says)."""
    seats = meeting.required if meeting.required is not None else default_required(flag)
    senior = meeting.senior_tier if meeting.senior_tier_set else default_senior_tier(flag)
    return seats, senior


def replan_after_flag(
    session: Session, commune_id: str, month: str, before: int, after: int, user_id: int | None
) -> set[str]:
    """A re-plan notice, on the month's version in force and on each of its drafts, for each
    meeting of the commune in ``month`` whose seats or senior tier the flag ``before`` →
    ``after`` changes; returns those meetings' ids. The versions were all made under
    ``before``: none holds what the month now asks."""
    if before == after:
        return set()
    meetings = session.scalars(
        select(MeetingRow).where(MeetingRow.commune_id == commune_id, MeetingRow.month == month).order_by(MeetingRow.id)
    )
    changed = [m.id for m in meetings if asks(m, before) != asks(m, after)]
    pointer = session.get(PublishedMonthRow, month)
    versions = set(
        session.scalars(select(ScheduleRow.id).where(ScheduleRow.month == month, ScheduleRow.status == "draft"))
    )
    if pointer is not None:
        versions.add(pointer.schedule_id)
    if not changed or not versions:
        return set()
    commune = session.get(CommuneRow, commune_id)
    name = commune.name if commune is not None else commune_id
    reason = (
        f"{FLAG_NOTICE}{name} tháng {month_label(month)} đổi từ {FLAG_LABELS[before]} sang {FLAG_LABELS[after]}"
        " sau khi lập lịch"
    )
    for schedule_id in sorted(versions):
        for meeting_id in changed:
            session.add(ReplanNoticeRow(schedule_id=schedule_id, meeting_id=meeting_id, reason=reason, user_id=user_id))
    session.flush()
    return set(changed)
