"""Rows as response bodies: labels in Vietnamese, moments in local time (+07:00)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.schemas.directory import CommuneOut, DelegateOut, LeaveOut, TeamOut
from api.schemas.jobs import JobOut, JointPlanOut, RangeDraftOut
from api.schemas.meetings import Attendee, MeetingOut
from api.schemas.people import UserOut
from api.schemas.schedules import (
    AssignmentOut,
    GapOut,
    NoticeOut,
    ScheduleOut,
    ScheduleSummary,
    TermScore,
)
from models.instance import default_required
from models.labels import FLAG_LABELS, STATUS_LABELS, TIER_LABELS, number_vn, term_label
from models.rules import TERMS
from models.storage import config, flags, schedules, themes
from models.storage.clock import local, month_label
from models.storage.tables import (
    AssignmentRow,
    CommuneRow,
    DelegateRow,
    JobRow,
    MeetingRow,
    PublishedMonthRow,
    ScheduleRow,
    TeamRow,
    UserRow,
)
from services import requests

JOB_LABELS = {
    "queued": "đang chờ",
    "running": "đang giải",
    "done": "xong",
    "failed": "thất bại",
    "cancelled": "đã dừng",
}


def commune_out(row: CommuneRow) -> CommuneOut:
    return CommuneOut(
        id=row.id,
        name=row.name,
        kind=row.kind,
        district=row.district,
        flag=row.flag,
        flag_label=FLAG_LABELS.get(row.flag, str(row.flag)),
        flag_reason=row.flag_reason,
        lat=row.lat,
        lon=row.lon,
        teams=[team_out(t) for t in row.teams],
    )


def team_out(row: TeamRow) -> TeamOut:
    return TeamOut(id=row.id, commune=row.commune_id, name=row.name)


def delegate_out(row: DelegateRow) -> DelegateOut:
    return DelegateOut(
        id=row.id,
        name=row.name,
        title=row.title,
        tier=row.tier,
        tier_label=TIER_LABELS.get(row.tier, str(row.tier)),
        agency=row.agency,
        in_charge_of=[c.commune_id for c in row.charges],
        max_per_month=row.max_per_month,
        base=row.base,
        unavailable=[LeaveOut(id=p.id, from_=p.starts_on, to=p.ends_on, reason=p.reason) for p in row.leave],
    )


def seats(meeting: MeetingRow, flag: int) -> int:
    """Seats to fill, as :meth:`models.Instance.required` resolves them (``flag``: the
    commune's flag in force for the meeting's month)."""
    if meeting.required is not None:
        return meeting.required
    return default_required(flag)


def meeting_out(session: Session, row: MeetingRow) -> MeetingOut:
    return meetings_out(session, [row])[0]


def meetings_out(session: Session, rows: Sequence[MeetingRow]) -> list[MeetingOut]:
    """Meetings with the delegates the published schedule sends (never the visit plans)."""
    attendees: dict[str, list[Attendee]] = {}
    ids = [r.id for r in rows]
    found = session.execute(
        select(AssignmentRow.meeting_id, DelegateRow)
        .join(PublishedMonthRow, PublishedMonthRow.schedule_id == AssignmentRow.schedule_id)
        .join(DelegateRow, DelegateRow.id == AssignmentRow.delegate_id)
        .where(AssignmentRow.meeting_id.in_(ids))
        .order_by(DelegateRow.tier, DelegateRow.id)
    )
    for meeting_id, delegate in found:
        attendees.setdefault(meeting_id, []).append(Attendee(id=delegate.id, name=delegate.name, title=delegate.title))
    months = sorted({r.month for r in rows})
    theme_of = themes.meeting_themes(session, rows)
    monthly = {month: flags.in_force(session, month) for month in months}
    shown = requests.standing(session, rows)
    out = []
    for row in rows:
        # What the delegates were told: a change waits for the next published version.
        standing = shown[row.id]
        start = local(standing.start)
        out.append(
            MeetingOut(
                id=row.id,
                commune=row.commune_id,
                commune_name=row.commune.name,
                month=row.month,
                start=start,
                end=local(standing.end),
                minutes=round((standing.end - standing.start).total_seconds() / 60),
                required=row.required,
                seats=seats(row, monthly[row.month][row.commune_id].flag),
                senior_tier=row.senior_tier,
                theme=theme_of[row.id],
                attendees=attendees.get(row.id, []),
                pending=standing.label,
                cancelled=row.cancelled_at is not None,
            )
        )
    return out


def schedule_summary(session: Session, row: ScheduleRow) -> ScheduleSummary:
    pointer = session.get(PublishedMonthRow, row.month)
    return ScheduleSummary(
        id=row.id,
        month=row.month,
        version=row.version,
        status=row.status,
        revision=row.revision,
        etag=schedules.etag(row),
        solver_status=row.solver_status,
        status_label=STATUS_LABELS.get(row.solver_status, row.solver_status),
        score_total=row.score_total,
        bound=row.bound,
        in_force=pointer is not None and pointer.schedule_id == row.id,
        based_on=row.base_id,
        created_at=local(row.created_at),
        published_at=local(row.published_at) if row.published_at else None,
        joint=joint_plan(session, row),
    )


def proof_label(status: str | None, best: int | None, bound: int | None) -> str:
    """Whether a solve's best score is proved optimal, or how far it may be from the optimum."""
    if status == "optimal":
        return "đã chứng minh tối ưu"
    if best is None or bound is None:
        return "chưa chứng minh tối ưu (chưa có cận dưới)"
    gap = max(0, best - bound)
    share = f" ({number_vn(100 * gap / best, 1)} %)" if best > 0 else ""
    return f"chưa chứng minh tối ưu: cách cận dưới {number_vn(gap)} điểm{share}"


def range_months(job: JobRow) -> list[str] | None:
    """The months a range job planned jointly (asked for, while it has not said which hold
    meetings); None for any other job."""
    if job.parent_id is not None or job.scenario_id is not None or "months" not in (job.payload or {}):
        return None
    answer = job.answer or {}
    return [str(m) for m in answer.get("planned", (job.payload or {})["months"])]


def joint_plan(session: Session, row: ScheduleRow) -> JointPlanOut | None:
    """The range solve a draft was planned in with other months; None for a one-month plan.

    The joint solve proves (or bounds) the range's score, while each month's draft is scored
    on its own after the drafts before it: the draft keeps its own status (``feasible``, no
    bound) and this says where the joint proof is, as the job page explains it.
    """
    job = session.get(JobRow, row.job_id) if row.job_id else None
    months = range_months(job) if job is not None else None
    if job is None or months is None or len(months) < 2:
        return None
    span = f"{month_label(months[0])} đến {month_label(months[-1])}"
    if job.result_status == "optimal":
        proof = f"điểm các tháng cùng lúc ({job.best_score}) đã được chứng minh là tối ưu"
    else:
        proof = f"điểm các tháng cùng lúc {proof_label(job.result_status, job.best_score, job.bound)}"
    note = (
        f"Bản nháp này thuộc lượt lập cùng lúc các tháng {span} (lượt {job.id}); {proof}. "
        "Mỗi bản nháp được chấm điểm riêng cho tháng của nó (các tháng trước coi là đã diễn ra), "
        "nên điểm của tháng này chưa được chứng minh là tối ưu và không có cận dưới riêng."
    )
    return JointPlanOut(
        job=job.id,
        months=months,
        status=job.result_status,
        status_label=STATUS_LABELS.get(job.result_status, job.result_status) if job.result_status else None,
        score=job.best_score,
        bound=job.bound,
        note=note,
    )


def term_scores(session: Session, terms: dict[str, int]) -> list[TermScore]:
    rules = config.rules(session)
    out = []
    for term in TERMS:
        count, weight = int(terms.get(term, 0)), rules.weight(term)
        # Rotation's label names the window the rules look back over, not a fixed one.
        label = term_label(term, rules.rotation_months)
        out.append(TermScore(term=term, label=label, count=count, weight=weight, points=count * weight))
    return out


def schedule_out(session: Session, row: ScheduleRow) -> ScheduleOut:
    summary = schedule_summary(session, row)
    found = session.execute(
        select(AssignmentRow, MeetingRow, DelegateRow, TeamRow)
        .join(MeetingRow, MeetingRow.id == AssignmentRow.meeting_id)
        .join(DelegateRow, DelegateRow.id == AssignmentRow.delegate_id)
        .outerjoin(TeamRow, TeamRow.id == AssignmentRow.team_id)
        .where(AssignmentRow.schedule_id == row.id)
        .order_by(MeetingRow.starts_at, MeetingRow.id, DelegateRow.tier, DelegateRow.id)
    )
    communes = {c.id: c for c in session.scalars(select(CommuneRow))}
    rows = list(found)
    waiting = requests.pending_meetings(session, sorted({m.id for _, m, _, _ in rows}))
    assignments = []
    for assignment, meeting, delegate, team in rows:
        commune = communes[meeting.commune_id]
        # A published row shows the time frozen at publication; a draft the meeting's current time.
        start = assignment.starts_at or meeting.starts_at
        assignments.append(
            AssignmentOut(
                meeting=meeting.id,
                commune=commune.id,
                commune_name=commune.name,
                start=local(start),
                delegate=delegate.id,
                delegate_name=delegate.name,
                tier=delegate.tier,
                team=team.id if team else None,
                team_name=team.name if team else None,
                pending=requests.PENDING if meeting.id in waiting else None,
            )
        )
    meeting_communes = dict(
        session.execute(
            select(MeetingRow.id, MeetingRow.commune_id).where(MeetingRow.id.in_([g["meeting"] for g in row.gaps]))
        ).all()
    )
    gaps = [
        GapOut(
            meeting=g["meeting"],
            commune_name=communes[meeting_communes[g["meeting"]]].name if g["meeting"] in meeting_communes else None,
            seats=int(g["seats"]),
            senior_missing=bool(g["senior_missing"]),
            reason=str(g["reason"]),
        )
        for g in row.gaps
    ]
    notices = [
        NoticeOut(id=n.id, meeting=n.meeting_id, reason=n.reason, created_at=local(n.created_at))
        # The version in force, and a draft made before a change (it holds it no more than the
        # published one); an older published version is history.
        for n in (schedules.notices(session, row.id) if summary.in_force or row.status == "draft" else [])
    ]
    return ScheduleOut(
        **summary.model_dump(),
        terms=term_scores(session, row.terms),
        assignments=assignments,
        gaps=gaps,
        needs_replan=bool(notices),
        notices=notices,
    )


def job_out(row: JobRow) -> JobOut:
    return JobOut(
        id=row.id,
        month=row.month,
        status=row.status,
        status_label=JOB_LABELS.get(row.status, row.status),
        time_limit=row.time_limit,
        created_at=local(row.created_at),
        started_at=local(row.started_at) if row.started_at else None,
        finished_at=local(row.finished_at) if row.finished_at else None,
        seconds=row.progress_seconds,
        best_score=row.best_score,
        bound=row.bound,
        result_status=row.result_status,
        schedule_id=row.schedule_id,
        error=row.error,
        scenario_id=row.scenario_id,
        mode=row.mode,
        **range_out(row),
    )


def range_out(row: JobRow) -> dict[str, Any]:
    """A range solve's months, the month it plans now and its drafts (nothing for other jobs)."""
    if row.parent_id is not None or not row.payload or "months" not in row.payload:
        return {}
    answer = row.answer or {}
    drafts = [RangeDraftOut(month=str(d["month"]), schedule_id=int(d["schedule_id"])) for d in answer.get("drafts", [])]
    return {
        "months": list(row.payload["months"]),
        "planning": answer.get("planning"),
        # A month without meetings has no draft: the ids alone cannot be zipped with months.
        "schedule_ids": [d.schedule_id for d in drafts],
        "drafts": drafts,
    }


def user_out(row: UserRow) -> UserOut:
    return UserOut(
        id=row.id,
        name=row.name,
        role=row.role,
        delegate_id=row.delegate_id,
        commune_id=row.commune_id,
        active=row.active,
        created_at=local(row.created_at),
    )
