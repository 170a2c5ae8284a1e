"""Meetings: planners manage all of them; a commune account registers and moves its own.

A commune account sees only its own commune's meetings: another commune's meeting is
refused as not found, as if it did not exist (and a commune account does not choose
meeting ids, so that no "id taken" can tell it otherwise). It keeps to one meeting a
month. A registration, move or removal in a month whose schedule is published leaves
that schedule as it is and marks it as needing a re-plan; a meeting in a published
schedule is not deleted. Once a month is published, a commune's move or cancellation is
a request to the Board instead (:mod:`services.requests`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from api.schemas.meetings import MeetingIn, MeetingPatch
from models.errors import Issue
from models.storage import audit, clock
from models.storage import meetings as meeting_store
from models.storage.clock import aware, month_of
from models.storage.tables import AssignmentRow, ChangeRequestRow, CommuneRow, MeetingRow, ScheduleRow, UserRow
from models.storage.types import utcnow
from services import requests
from services.access import require_planner, require_planner_or_commune
from services.errors import Conflict, Forbidden, Invalid, NotFound

PLANNER_FIELDS = ("required", "senior_tier")
MOVE_FIELDS = ("start", "minutes", "theme")


def visible_meeting(session: Session, user: UserRow, meeting_id: str) -> MeetingRow:
    """The meeting if this user may see it; :class:`NotFound` otherwise (no hint that it exists)."""
    meeting = session.get(MeetingRow, meeting_id)
    if meeting is None or (user.role == "commune" and meeting.commune_id != user.commune_id):
        raise NotFound(f"Không có hội nghị {meeting_id}")
    return meeting


def register(session: Session, user: UserRow, body: MeetingIn) -> MeetingRow:
    """Register a meeting (committed). A commune account registers only its own commune's,
    one a month, and never chooses the id (the system sets ``YYYYMM-<commune>``)."""
    require_planner_or_commune(user)
    if user.role != "planner" and body.given("id"):
        # Were a commune to choose ids, "taken" would tell it that another commune's
        # meeting exists under that id, which it may not even see.
        raise Forbidden("Tài khoản xã không đặt mã hội nghị; bỏ trống id để hệ thống tự đặt (YYYYMM-<mã xã>)")
    _planner_only(user, body)
    commune_id = body.commune
    if user.role == "commune":
        if commune_id is not None and commune_id != user.commune_id:
            raise Forbidden("Tài khoản xã chỉ đăng ký hội nghị của xã mình")
        commune_id = user.commune_id
    if commune_id is None:
        raise Invalid("Thiếu xã/phường", [Issue("$.commune", None, "thiếu trường bắt buộc")])
    if session.get(CommuneRow, commune_id) is None:
        raise Invalid("Không có xã/phường này", [Issue("$.commune", commune_id, "không có")])
    starts_at = _utc(body.start)
    month = month_of(starts_at)
    if user.role == "commune":
        _one_a_month(session, commune_id, month, None, "hãy dời lịch (PATCH) thay vì đăng ký mới")
    meeting_id = body.id or _free_id(session, f"{month.replace('-', '')}-{commune_id}"[:56])
    if session.get(MeetingRow, meeting_id) is not None:
        raise Conflict(f"Đã có hội nghị mã {meeting_id}")
    meeting = MeetingRow(
        id=meeting_id,
        commune_id=commune_id,
        starts_at=starts_at,
        month=month,
        minutes=body.minutes,
        required=body.required,
        senior_tier=body.senior_tier,
        senior_tier_set=body.given("senior_tier"),
        theme=body.theme,
        updated_at=utcnow(),
    )
    session.add(meeting)
    session.flush()
    meeting_store.flag_replan(session, meeting, None, user.id)
    audit.record(
        session, user, "meeting.create", "meeting", meeting_id, body.model_dump(mode="json", exclude_unset=True)
    )
    session.commit()
    return meeting


def change(
    session: Session, user: UserRow, meeting_id: str, body: MeetingPatch
) -> MeetingRow | ChangeRequestRow | None:
    """A PATCH of a meeting: once its month is published, a commune's move or cancellation
    is a request to the Board (:mod:`services.requests`; the meeting is left as
    published); otherwise the move applies at once (:func:`move`), a cancellation removes
    a meeting no published schedule holds (None: it was removed)."""
    require_planner_or_commune(user)
    meeting = visible_meeting(session, user, meeting_id)
    _not_cancelled(meeting)
    cancel = body.cancel is True
    if cancel:
        _cancel_alone(body)
    starts_at = _utc(body.start) if body.start is not None else None
    if user.role == "commune":
        _not_yet_held(meeting, starts_at)
    published = requests.is_published(session, meeting.month) or (
        starts_at is not None and requests.is_published(session, month_of(starts_at))
    )
    if user.role == "commune" and published:
        _planner_only(user, body)
        return requests.ask_move(session, user, meeting, starts_at, body.minutes, cancel, body.reason)
    if cancel and published:
        # The Board cancels a published meeting: it leaves the next plan; the version in force keeps it.
        meeting.cancelled_at = meeting.updated_at = utcnow()
        meeting_store.flag_removed(session, meeting, user.id)
        audit.record(session, user, "meeting.cancel", "meeting", meeting_id, {"reason": body.reason})
        session.commit()
        return meeting
    if cancel:
        _delete(session, user, meeting)
        return None
    return move(session, user, meeting_id, body)


def move(session: Session, user: UserRow, meeting_id: str, body: MeetingPatch) -> MeetingRow:
    """Move or correct a meeting (committed); a published month it leaves or enters is
    marked as needing a re-plan."""
    require_planner_or_commune(user)
    meeting = visible_meeting(session, user, meeting_id)
    _not_cancelled(meeting)
    _planner_only(user, body)
    before = meeting_store.snapshot(meeting)
    if body.start is not None:
        starts_at = _utc(body.start)
        if user.role == "commune":
            hint = "hãy dời hội nghị đã có của tháng đó thay vì dời hội nghị này sang"
            _one_a_month(session, meeting.commune_id, month_of(starts_at), meeting.id, hint)
        meeting.starts_at = starts_at
        meeting.month = month_of(starts_at)
    if body.minutes is not None:
        meeting.minutes = body.minutes
    if body.given("theme"):
        meeting.theme = body.theme
    if body.given("required"):
        meeting.required = body.required
    if body.given("senior_tier"):
        meeting.senior_tier, meeting.senior_tier_set = body.senior_tier, True
    meeting.updated_at = utcnow()
    session.flush()
    meeting_store.flag_replan(session, meeting, before, user.id)
    audit.record(
        session, user, "meeting.update", "meeting", meeting_id, body.model_dump(mode="json", exclude_unset=True)
    )
    session.commit()
    return meeting


def delete(session: Session, planner: UserRow, meeting_id: str) -> None:
    """Delete a meeting no published schedule holds (committed); the drafts that had it
    lose that assignment and change revision."""
    require_planner(planner)
    _delete(session, planner, visible_meeting(session, planner, meeting_id))


def _delete(session: Session, user: UserRow, meeting: MeetingRow) -> None:
    meeting_id = meeting.id
    published = session.scalar(
        select(
            exists().where(
                AssignmentRow.meeting_id == meeting_id,
                AssignmentRow.schedule_id == ScheduleRow.id,
                ScheduleRow.status == "published",
            )
        )
    )
    if published:
        raise Conflict("Hội nghị đã có trong lịch đã công bố; hãy dời lịch hoặc lập lại lịch thay vì xóa")
    drafts = select(AssignmentRow.schedule_id).where(AssignmentRow.meeting_id == meeting_id)
    # The drafts that lose an assignment change: their ETag must change too.
    session.execute(
        update(ScheduleRow)
        .where(ScheduleRow.id.in_(drafts))
        .values(revision=ScheduleRow.revision + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    meeting_store.flag_removed(session, meeting, user.id)
    session.delete(meeting)
    audit.record(session, user, "meeting.delete", "meeting", meeting_id)
    session.commit()


def _not_yet_held(meeting: MeetingRow, starts_at: dt.datetime | None) -> None:
    """A commune moves or cancels only a meeting still to come, and not into the past:
    from its day on, what happened is the delegate's report to say (the Board may still
    correct a meeting)."""
    today = clock.today()
    day = clock.local(meeting.starts_at).date()
    if day <= today:
        when = "diễn ra hôm nay" if day == today else "đã diễn ra"
        raise Conflict(
            f"Hội nghị {meeting.id} {when} ngày {day:%d/%m/%Y}: không còn dời hay hủy được; "
            "nếu có sai sót hãy báo Ban Tuyên giáo",
            [Issue("path.meeting_id", meeting.id, f"hội nghị ngày {day:%d/%m/%Y}, hôm nay {today:%d/%m/%Y}")],
        )
    if starts_at is not None and clock.local(starts_at).date() < today:
        new_day = clock.local(starts_at).date()
        raise Invalid(
            f"Không dời hội nghị về ngày đã qua ({new_day:%d/%m/%Y}; hôm nay {today:%d/%m/%Y})",
            [Issue("$.start", clock.local_naive(starts_at).isoformat(), "ngày đã qua")],
        )


def _utc(start: dt.datetime) -> dt.datetime:
    return aware(start).astimezone(dt.UTC)


def _planner_only(user: UserRow, body: MeetingIn | MeetingPatch) -> None:
    sent = [f for f in PLANNER_FIELDS if body.given(f)]
    if user.role != "planner" and sent:
        raise Forbidden(f"Chỉ cán bộ Ban Tuyên giáo được đặt {', '.join(sent)}")


def _not_cancelled(meeting: MeetingRow) -> None:
    # A cancelled meeting has left every plan: moved, it would come back with nobody sent.
    if meeting.cancelled_at is not None:
        raise Conflict(f"Hội nghị {meeting.id} đã hủy, không dời hay sửa được nữa; hãy đăng ký hội nghị mới")


def _cancel_alone(body: MeetingPatch) -> None:
    """A cancellation carries its reason only: a move or correction sent with it is refused, not dropped."""
    sent = [f for f in (*MOVE_FIELDS, *PLANNER_FIELDS) if body.given(f)]
    if sent:
        issues = [
            Issue(f"$.{f}", _shown(getattr(body, f)), "không gửi kèm cancel (hủy thì không dời hay sửa)") for f in sent
        ]
        raise Invalid("Hủy hội nghị không kèm thay đổi khác", issues)


def _shown(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _one_a_month(session: Session, commune_id: str, month: str, meeting_id: str | None, hint: str) -> None:
    """A commune account keeps to one meeting a month: refused when ``month`` already has
    another (than ``meeting_id``) of its meetings."""
    # A cancelled meeting does not count: the commune may register the month's meeting anew.
    others = select(MeetingRow.id).where(
        MeetingRow.commune_id == commune_id, MeetingRow.month == month, MeetingRow.cancelled_at.is_(None)
    )
    if meeting_id is not None:
        others = others.where(MeetingRow.id != meeting_id)
    if session.scalar(select(exists(others))):
        raise Conflict(f"Xã đã có hội nghị tháng {month}; mỗi tháng một hội nghị: {hint}")


def _free_id(session: Session, wanted: str) -> str:
    candidate, n = wanted, 1
    while session.get(MeetingRow, candidate) is not None:
        n += 1
        candidate = f"{wanted}-{n}"
    return candidate
