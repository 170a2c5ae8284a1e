"""Changing one seat of a draft: who could take it, at what cost, and who may not and why.

:func:`rank` puts every delegate, in turn, in one seat of one meeting of a draft and asks
the independent scorer (:func:`solver.score`) what the whole schedule then scores: the
difference with the draft as it is is the candidate's cost (per term and in total). A
candidate whose schedule breaks a hard rule the draft did not break
(:func:`api.planning.new_violations`, the same test an edit is refused by) is shown with
the rule and the fact that blocks it, in the planner's words (on leave 06/11–06/11, at
another meeting that day at Xã Hợp Thành 14:00–16:30, in charge of this commune…). No
rule is decided here: only the scorer's findings are put into words.

:func:`apply` makes the change through :func:`services.schedules.edit` (the same checks
and ``If-Match`` as any edit) and :func:`undo` takes the latest one back
(:func:`services.schedules.undo`). :func:`pin`, :func:`forbid` and :func:`release` set
the month's pins and bans (rule H6) from the same place.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.planning import Change, new_violations, score_delta
from models.errors import Issue
from models.instance import Delegate, Instance, Meeting
from models.labels import FLAG_LABELS, HARD_RULE_LABELS, TIER_LABELS, day_span, term_label
from models.storage import audit, schedules
from models.storage.clock import month_label
from models.storage.schedules import Pair
from models.storage.tables import (
    AssignmentRow,
    DelegateRow,
    MeetingRow,
    PinRow,
    ReplanNoticeRow,
    ScheduleRow,
    UserRow,
)
from services import schedules as schedule_service
from services.access import require_planner
from services.errors import Conflict, Invalid, NotFound
from services.months import load_month
from services.workspace import PersonRef, check_month, chosen_version, senior_label
from solver import ScoreReport, Violation, score
from solver.calendar import month_index
from solver.score import ScoreFacts


class View(BaseModel):
    pass


class Blocker(View):
    """A hard rule the candidate would break, and the fact that breaks it."""

    rule: str = Field(description="H3, H4, …")
    rule_label: str
    fact: str = Field(description="Vì sao, bằng lời (nghỉ 06/11–06/11, đang dự hội nghị khác lúc …)")


class TermChange(View):
    term: str
    label: str
    count: int = Field(description="Thay đổi số lần của tiêu chí")
    points: int = Field(description="Thay đổi điểm (số lần × trọng số)")


class CandidateOut(View):
    delegate: str
    name: str
    title: str | None
    agency: str
    tier: int
    tier_label: str
    load: int = Field(description="Số buổi trong bản nháp tháng này (trước khi đổi)")
    allowed: bool = Field(description="Không vi phạm quy tắc bắt buộc nào")
    blockers: list[Blocker]
    warnings: list[Blocker] = Field(
        description="Được phép nhưng để thiếu cấp lãnh đạo (H2): lịch chấp nhận, điểm tính như một chỗ trống"
    )
    total_delta: int = Field(description="Điểm thay đổi nếu người này nhận chỗ (âm: tốt hơn)")
    terms: list[TermChange] = Field(description="Các tiêu chí thay đổi")


class SeatOut(View):
    """The meeting and the seat being changed."""

    meeting: str
    commune: str
    commune_name: str
    date_label: str
    time_label: str
    flag: int
    flag_label: str
    seats: int
    senior_label: str | None
    seated: list[PersonRef]
    replacing: PersonRef | None = Field(description="Người được thay; null: thêm vào chỗ trống")


class CandidatesOut(View):
    schedule: int
    status: str = Field(description="draft hoặc published (chỉ bản nháp mới đổi được)")
    etag: str
    score_total: int = Field(description="Điểm của bản nháp hiện tại")
    seat: SeatOut
    candidates: list[CandidateOut] = Field(description="Người được phép trước, điểm thay đổi tăng dần")


def rank(
    session: Session,
    planner: UserRow,
    month: str,
    meeting_id: str,
    *,
    schedule_id: int | None = None,
    replace: str | None = None,
) -> CandidatesOut:
    """Every delegate not already at ``meeting_id``, ranked by what version ``schedule_id``
    of ``month`` (default: the newest, as the workspace shows it) would score with them in
    the seat of ``replace`` (None: the empty seat, or the meeting's only one).

    :class:`NotFound` for a version or meeting the month does not have; :class:`Invalid`
    when the seat is not clear (``replace`` not at the meeting, or a full meeting of several).
    """
    require_planner(planner)
    check_month(month)
    schedule = chosen_version(schedules.versions(session, month), schedule_id, month)
    if schedule is None:
        raise NotFound(f"Tháng {month_label(month)} chưa có bản lịch nào; hãy lập lịch trước")
    _, instance = load_month(session, month)
    meeting = instance.meetings_by_id.get(meeting_id)
    if meeting is None:
        raise NotFound(f"Tháng {month_label(month)} không có hội nghị {meeting_id}")
    pairs = schedules.pairs_of(session, schedule.id)
    seated = sorted((d for m, d in pairs if m == meeting_id), key=lambda d: (instance.delegate(d).tier, d))
    replace = _seat(instance, meeting, seated, replace)
    facts = ScoreFacts(instance)  # the instance's part of scoring, once for every candidate
    before = score(instance, pairs, facts)
    kept = [p for p in pairs if p != (meeting_id, replace)]
    loads = Counter(d for m, d in pairs if month_index(instance.meeting(m).day) == month_index(meeting.day))
    out = []
    for person in instance.delegates:
        if person.id in seated:
            continue
        trial = [*kept, (meeting_id, person.id)]
        after = score(instance, trial, facts)
        broken = new_violations(before, after)
        candidate = _candidate(instance, meeting, person, trial, before, after, broken, loads[person.id])
        if _senior_lost(before, after, meeting.id):
            label = senior_label(instance.senior_tier(meeting)) or ""
            fact = f"{TIER_LABELS[person.tier]}, hội nghị {label[:1].lower()}{label[1:]}"
            candidate.warnings.append(Blocker(rule="H2", rule_label=HARD_RULE_LABELS["H2"], fact=fact))
        out.append(candidate)
    out.sort(key=lambda c: (not c.allowed, len(c.blockers), c.total_delta, c.tier, c.delegate))
    return CandidatesOut(
        schedule=schedule.id,
        status=schedule.status,
        etag=schedules.etag(schedule),
        score_total=before.total,
        seat=_seat_out(instance, meeting, seated, replace),
        candidates=out,
    )


def _senior_lost(before: ScoreReport, after: ScoreReport, meeting_id: str) -> bool:
    """Does the meeting lack its senior after the change and not before (the scorer's gaps)?"""

    def missing(report: ScoreReport) -> bool:
        return any(g.meeting == meeting_id and g.senior_missing for g in report.gaps)

    return missing(after) and not missing(before)


def _seat(instance: Instance, meeting: Meeting, seated: list[str], replace: str | None) -> str | None:
    if replace is not None:
        if replace not in seated:
            raise Invalid(
                "Đại biểu này không dự hội nghị", [Issue("replace", replace, f"không được phân công dự {meeting.id}")]
            )
        return replace
    if len(seated) < instance.required(meeting):
        return None
    if len(seated) == 1:
        return seated[0]
    message = f"hội nghị đã đủ người; chọn người được thay: {', '.join(seated)}"
    raise Invalid("Cần chọn người được thay", [Issue("replace", None, message)])


def _seat_out(instance: Instance, meeting: Meeting, seated: list[str], replace: str | None) -> SeatOut:
    commune = instance.commune(meeting.commune)
    return SeatOut(
        meeting=meeting.id,
        commune=commune.id,
        commune_name=commune.name,
        date_label=meeting.day.strftime("%d/%m/%Y"),
        time_label=f"{meeting.start:%H:%M}–{meeting.end:%H:%M}",
        flag=commune.flag,
        flag_label=FLAG_LABELS.get(commune.flag, str(commune.flag)),
        seats=instance.required(meeting),
        senior_label=senior_label(instance.senior_tier(meeting)),
        seated=[PersonRef(delegate=d, name=instance.delegate(d).name) for d in seated],
        replacing=None if replace is None else PersonRef(delegate=replace, name=instance.delegate(replace).name),
    )


def _candidate(
    instance: Instance,
    meeting: Meeting,
    person: Delegate,
    trial: list[Pair],
    before: ScoreReport,
    after: ScoreReport,
    broken: list[Violation],
    load: int,
) -> CandidateOut:
    rules = instance.rules
    counts = score_delta(before, after)
    blockers: list[Blocker] = []
    for violation in broken:
        blocker = Blocker(
            rule=violation.rule,
            rule_label=HARD_RULE_LABELS.get(violation.rule, violation.rule),
            fact=fact(instance, meeting, person, trial, violation),
        )
        if blocker not in blockers:
            blockers.append(blocker)
    return CandidateOut(
        delegate=person.id,
        name=person.name,
        title=person.title,
        agency=person.agency,
        tier=person.tier,
        tier_label=TIER_LABELS.get(person.tier, str(person.tier)),
        load=load,
        allowed=not blockers,
        blockers=blockers,
        warnings=[],
        total_delta=after.total - before.total,
        terms=[
            TermChange(
                term=t,
                label=term_label(t, rules.rotation_months),
                count=n,
                points=n * rules.weight(t),
            )
            for t, n in counts.items()
            if n
        ],
    )


def fact(instance: Instance, meeting: Meeting, person: Delegate, trial: list[Pair], violation: Violation) -> str:
    """The fact behind a violation the scorer found when ``person`` takes a seat of ``meeting``."""
    if violation.rule == "H3":
        period = person.away_on(meeting.day)
        if period is not None:
            span = day_span(period.from_, period.to, meeting.day.year)
            return f"nghỉ {span}" + (f" ({period.reason})" if period.reason else "")
    if violation.rule == "H4":
        others = [
            instance.meeting(m)
            for m, d in trial
            if d == person.id and m != meeting.id and instance.meeting(m).day == meeting.day
        ]
        named = [o for o in others if o.id == violation.meeting or f"với {o.id} " in violation.message]
        clash = (named or others)[:1]
        if clash:
            other = clash[0]
            where = instance.commune(other.commune).name
            return f"đang dự hội nghị khác cùng ngày: {where} lúc {other.start:%H:%M}–{other.end:%H:%M}"
    if violation.rule == "H5":
        return f"đã đủ số buổi tối đa trong tháng ({person.max_per_month} buổi)"
    if violation.rule == "H6":
        if violation.delegate == person.id:
            return "bị cấm dự hội nghị này"
        pinned = instance.delegates_by_id.get(violation.delegate or "")
        return f"{pinned.name if pinned else violation.delegate} được ghim vào hội nghị này, không thay được"
    if violation.rule == "H7":
        return f"phụ trách {instance.commune(meeting.commune).name}"
    return violation.message


# -- making the change ------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    """A change saved in a draft and what it did to the score."""

    schedule: ScheduleRow
    etag: str
    total_before: int
    total_after: int
    total_delta: int
    delta: dict[str, int]
    """Change of each term's count."""


def apply(
    session: Session,
    planner: UserRow,
    schedule_id: int,
    meeting_id: str,
    delegate_id: str,
    *,
    replace: str | None = None,
    if_match: str | None = None,
    dry_run: bool = False,
) -> Applied:
    """Put ``delegate_id`` in the seat of ``replace`` (None: an empty seat) of ``meeting_id``
    (committed unless ``dry_run``); refused as any edit is (:func:`services.schedules.edit`)."""
    change = Change(meeting_id, remove=replace, add=delegate_id)
    edited = schedule_service.edit(session, planner, schedule_id, [change], dry_run=dry_run, if_match=if_match)
    return _applied(edited)


def undo(session: Session, planner: UserRow, schedule_id: int, *, if_match: str | None = None) -> Applied:
    """Take back the draft's latest change (:func:`services.schedules.undo`)."""
    return _applied(schedule_service.undo(session, planner, schedule_id, if_match))


def _applied(edited: schedule_service.Edited) -> Applied:
    before, after = edited.edit.before, edited.edit.after
    return Applied(
        schedule=edited.schedule,
        etag=schedules.etag(edited.schedule),
        total_before=before.total,
        total_after=after.total,
        total_delta=after.total - before.total,
        delta=score_delta(before, after),
    )


# -- pins and bans ------------------------------------------------------------------------

KINDS = {"pinned": "ghim", "forbidden": "cấm"}


@dataclass(frozen=True)
class PinState:
    meeting: str
    delegate: str
    kind: str | None
    """``pinned``, ``forbidden`` or None (neither)."""


def pin(session: Session, planner: UserRow, meeting_id: str, delegate_id: str) -> PinState:
    """Pin the pair (committed): every schedule of the month must keep it (H6). A pair the
    delegate could never hold (on leave that day, in charge of the commune) is refused
    with its fact, as the scorer finds it; a ban of the pair is lifted. A published
    schedule without the pair gets a re-plan notice (a ban: one with it)."""
    return _set(session, planner, meeting_id, delegate_id, "pinned")


def forbid(session: Session, planner: UserRow, meeting_id: str, delegate_id: str) -> PinState:
    """Forbid the pair (committed): no schedule of the month may hold it (H6); a pin is lifted."""
    return _set(session, planner, meeting_id, delegate_id, "forbidden")


def release(session: Session, planner: UserRow, meeting_id: str, delegate_id: str) -> PinState:
    """Lift the pin or ban of the pair (committed)."""
    require_planner(planner)
    _pair(session, meeting_id, delegate_id)
    for row in session.scalars(
        select(PinRow).where(PinRow.meeting_id == meeting_id, PinRow.delegate_id == delegate_id)
    ):
        session.delete(row)
    audit.record(session, planner, "pin.release", "meeting", meeting_id, {"delegate": delegate_id})
    session.commit()
    return PinState(meeting_id, delegate_id, None)


def pins_of(session: Session, planner: UserRow, meeting_id: str) -> list[PinState]:
    """The pins and bans of a meeting."""
    require_planner(planner)
    rows = session.scalars(select(PinRow).where(PinRow.meeting_id == meeting_id).order_by(PinRow.delegate_id))
    return [PinState(r.meeting_id, r.delegate_id, r.kind) for r in rows]


def _pin_rows(session: Session, meeting_id: str, delegate_id: str) -> list[PinRow]:
    query = select(PinRow).where(PinRow.meeting_id == meeting_id, PinRow.delegate_id == delegate_id)
    return list(session.scalars(query))


def _pair(session: Session, meeting_id: str, delegate_id: str) -> MeetingRow:
    meeting = session.get(MeetingRow, meeting_id)
    if meeting is None:
        raise NotFound(f"Không có hội nghị {meeting_id}")
    if session.get(DelegateRow, delegate_id) is None:
        raise Invalid("Không có đại biểu này", [Issue("delegate", delegate_id, "không có đại biểu này")])
    return meeting


def _set(session: Session, planner: UserRow, meeting_id: str, delegate_id: str, kind: str) -> PinState:
    require_planner(planner)
    meeting = _pair(session, meeting_id, delegate_id)
    if kind == "pinned":
        _check_pin(session, meeting, delegate_id)
    rows = list(
        session.scalars(select(PinRow).where(PinRow.meeting_id == meeting_id, PinRow.delegate_id == delegate_id))
    )
    if any(r.kind == kind for r in rows):
        return PinState(meeting_id, delegate_id, kind)
    for row in rows:
        session.delete(row)
    session.flush()
    session.add(PinRow(meeting_id=meeting_id, delegate_id=delegate_id, kind=kind))
    _notify(session, planner, meeting, delegate_id, kind)
    audit.record(session, planner, f"pin.{kind}", "meeting", meeting_id, {"delegate": delegate_id})
    session.commit()
    return PinState(meeting_id, delegate_id, kind)


def _notify(session: Session, planner: UserRow, meeting: MeetingRow, delegate_id: str, kind: str) -> None:
    """A re-plan notice when the month's published schedule breaks the new pin or ban."""
    current = schedules.current(session, meeting.month)
    if current is None:
        return
    held = session.scalar(
        select(AssignmentRow.id).where(
            AssignmentRow.schedule_id == current.id,
            AssignmentRow.meeting_id == meeting.id,
            AssignmentRow.delegate_id == delegate_id,
        )
    )
    person = session.get(DelegateRow, delegate_id)
    name = person.name if person else delegate_id
    if kind == "forbidden" and held is not None:
        reason = f"Đại biểu {name} bị cấm dự hội nghị này nhưng có trong lịch đã công bố"
    elif kind == "pinned" and held is None:
        reason = f"Đại biểu {name} được ghim vào hội nghị này nhưng không có trong lịch đã công bố"
    else:
        return
    session.add(ReplanNoticeRow(schedule_id=current.id, meeting_id=meeting.id, reason=reason, user_id=planner.id))


def _check_pin(session: Session, meeting: MeetingRow, delegate_id: str) -> None:
    """Refuse a pin the delegate could hold in no schedule: the scorer's H3, H4, H5 and H7
    on the pair with the delegate's other pins of the month (a second pin on the same day
    too far away, a month's pins beyond ``max_per_month``, 0 for one who attends none),
    and a pin beyond the meeting's seats. Each would leave every solve of the month
    infeasible."""
    _, instance = load_month(session, meeting.month, reference=False)
    target = instance.meeting(meeting.id)
    person = instance.delegate(delegate_id)
    others = [p for p in instance.pinned if p.meeting == meeting.id and p.delegate != delegate_id]
    seats = instance.required(target)
    if len(others) >= seats:
        names = ", ".join(instance.delegate(p.delegate).name for p in others)
        raise Conflict(
            f"Không ghim được {person.name} vào hội nghị {meeting.id}: hội nghị cần {seats} người và đã ghim {names}",
            [Issue("delegate", delegate_id, f"hội nghị đã đủ {seats} người được ghim")],
        )
    trial = [(p.meeting, p.delegate) for p in instance.pinned if p.delegate == delegate_id and p.meeting != meeting.id]
    trial.append((meeting.id, delegate_id))
    found = score(instance, trial).violations
    blocking = [v for v in found if v.rule in ("H3", "H4", "H5", "H7") and v.delegate == delegate_id]
    if blocking:
        facts = [fact(instance, target, person, trial, v) for v in blocking]
        labels = [HARD_RULE_LABELS[v.rule] for v in blocking]
        issues = [Issue("delegate", delegate_id, f"{r}: {f}") for r, f in zip(labels, facts, strict=True)]
        raise Conflict(f"Không ghim được {person.name} vào hội nghị {meeting.id}: {'; '.join(facts)}", issues)
