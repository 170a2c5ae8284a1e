"""The documents of a month for planners: the notice (DOCX, PDF), the schedule (workbook,
CSV), the template, and the notice's settings.

Only a published version is printed: its rows carry the time, the unit's name and the
delegates' names and titles frozen at publication, so a meeting moved since then is
printed, and sorted, where the notice said it was (the live start would put it out of
order), a delegate renamed or promoted since is printed as the notice named them, and a
theme changed since (the meeting's or the year plan's) is printed as it was published. No
published version: a :class:`~services.errors.Conflict` in Vietnamese.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.documents.content import Attendee, ScheduleLine, attendee_title, ordered, unit_name
from models.documents.notice import DRAFT_MARK, SETTING_WORDS, SETTINGS_KEY, NoticeSettings, compose
from models.errors import Issue
from models.reasons import reason
from models.storage import audit, schedules
from models.storage.clock import local, local_naive, month_label
from models.storage.tables import (
    AssignmentRow,
    CommuneRow,
    ConfigRow,
    DelegateRow,
    MeetingRow,
    ScheduleRow,
    TeamRow,
    UserRow,
)
from services.access import require_planner
from services.errors import Conflict, Invalid, NotFound

NOTICE_KEY = SETTINGS_KEY


def _stored_settings(session: Session) -> dict[str, Any]:
    row = session.get(ConfigRow, NOTICE_KEY)
    return dict(row.value) if row is not None and isinstance(row.value, dict) else {}


def notice_settings(session: Session, user: UserRow) -> NoticeSettings:
    """The stored settings, checked. Settings stored before a rule was added and breaking it
    (an empty issuing body, a number ``abc``) are a :class:`Conflict` naming each field, so
    that no notice is printed without its issuing body or with a broken number; the page
    shows them to be corrected (:func:`notice_settings_form`)."""
    require_planner(user)
    try:
        return parse_notice_settings(_stored_settings(session))
    except Invalid as error:
        raise Conflict(STORED_WRONG, error.issues) from None


def notice_settings_form(session: Session, user: UserRow) -> tuple[dict[str, Any], list[Issue]]:
    """What the settings page shows: the stored values (the defaults for those never set)
    and what is wrong with them (empty when they are right)."""
    require_planner(user)
    stored = _stored_settings(session)
    try:
        return parse_notice_settings(stored).model_dump(), []
    except Invalid as error:
        return {**NoticeSettings().model_dump(), **stored}, error.issues


#: Why a notice is not printed from settings stored before their checks.
STORED_WRONG = "Thiết lập thông báo đã lưu chưa đúng: sửa ở trang Thiết lập thông báo rồi in lại"


def set_notice_settings(session: Session, user: UserRow, settings: NoticeSettings) -> NoticeSettings:
    """Store ``settings``, checked by :class:`NoticeSettings` (every door builds one)."""
    require_planner(user)
    value = settings.model_dump(mode="json")
    row = session.get(ConfigRow, NOTICE_KEY)
    if row is None:
        session.add(ConfigRow(key=NOTICE_KEY, value=value))
    else:
        row.value = value
    audit.record(session, user, "notice.settings", "config", NOTICE_KEY, value)
    session.commit()
    return settings


#: The settings' fields in the planner's words (the page's labels, the errors' subjects).
SETTING_LABELS = {
    "parent": "Cơ quan cấp trên",
    "issuer": "Cơ quan ban hành",
    "issuer_short": "Tên cơ quan trong câu văn",
    "number": "Số văn bản",
    "symbol": "Ký hiệu",
    "place": "Địa danh",
    "province": "Tỉnh, thành phố",
    "sign_mode": "Thể thức ký",
    "sign_body": "Tập thể hoặc người đứng đầu",
    "signer_position": "Chức vụ người ký",
    "signer_name": "Họ tên người ký",
    "recipients": "Nơi nhận",
}
SIGN_MODES = ("T/M", "T/L", "K/T", "")


def parse_notice_settings(values: Mapping[str, Any]) -> NoticeSettings:
    """The settings from what a planner typed (the page's form, stored settings), checked
    by :class:`NoticeSettings` (text trimmed and NFC); every bad field at once as
    :class:`Invalid`, one issue per field named by its key (``recipients`` for any of its
    lines) and holding the value sent."""
    try:
        return NoticeSettings.model_validate(dict(values))
    except ValidationError as error:
        issues: dict[str, Issue] = {}
        for problem in error.errors():
            field = str(problem["loc"][0]) if problem["loc"] else "form"
            label = SETTING_LABELS.get(field, field)
            where = f" (dòng {int(problem['loc'][1]) + 1})" if len(problem["loc"]) > 1 else ""
            said = reason(problem, SETTING_WORDS)
            issues.setdefault(field, Issue(field, problem.get("input"), f"{label}{where}: {said}"))
        raise Invalid("Thiết lập thông báo chưa đúng", list(issues.values())) from None


def update_notice_settings(session: Session, user: UserRow, values: Mapping[str, Any]) -> NoticeSettings:
    """Check ``values`` as a whole and store them; nothing written on any error."""
    require_planner(user)
    return set_notice_settings(session, user, parse_notice_settings(values))


def published_lines(session: Session, user: UserRow, month: str) -> list[ScheduleLine]:
    """The lines of the month's published version, in the notice's order."""
    require_planner(user)
    schedule = schedules.current(session, month)
    if schedule is None:
        raise Conflict(f"Tháng {month_label(month)} chưa có lịch công bố: chưa thể in thông báo hay bảng lịch")
    return lines_of(session, schedule)


def lines_of(session: Session, schedule: ScheduleRow) -> list[ScheduleLine]:
    """The lines of one version: a published one with its frozen times, unit names,
    delegates' names and titles, and themes."""
    found = session.execute(
        select(AssignmentRow, MeetingRow, DelegateRow, TeamRow)
        .join(MeetingRow, MeetingRow.id == AssignmentRow.meeting_id)
        .join(DelegateRow, DelegateRow.id == AssignmentRow.delegate_id)
        .outerjoin(TeamRow, TeamRow.id == AssignmentRow.team_id)
        .where(AssignmentRow.schedule_id == schedule.id)
    )
    communes = {c.id: c for c in session.scalars(select(CommuneRow))}
    meetings: dict[str, MeetingRow] = {}
    starts: dict[str, dt.datetime] = {}
    units: dict[str, str] = {}
    people: dict[str, list[Attendee]] = defaultdict(list)
    tiers: dict[str, int] = {}
    teams: dict[str, list[str]] = defaultdict(list)
    for assignment, meeting, delegate, team in found:
        meetings[meeting.id] = meeting
        # The published row's own time and place, as frozen at publication.
        starts.setdefault(meeting.id, assignment.starts_at or meeting.starts_at)
        commune = communes[meeting.commune_id]
        units.setdefault(meeting.id, assignment.location or commune.name)
        # The name and title frozen at publication; a draft (or a row published before they
        # were kept) prints the current ones.
        current = attendee_title(delegate.title, delegate.tier, delegate.agency)
        people[meeting.id].append(
            Attendee(assignment.delegate_name or delegate.name, assignment.delegate_title or current, delegate.id)
        )
        tiers[delegate.id] = delegate.tier
        if team is not None:
            teams[meeting.id].append(team.name)
    gaps = {g["meeting"]: str(g["reason"]) for g in schedule.gaps}
    for meeting in session.scalars(select(MeetingRow).where(MeetingRow.id.in_(list(gaps)))):
        meetings.setdefault(meeting.id, meeting)
        starts.setdefault(meeting.id, meeting.starts_at)
        units.setdefault(meeting.id, communes[meeting.commune_id].name)
    # A published version prints the themes its calendars were given; a draft, today's.
    themes = schedules.themes_of(session, schedule, meetings.values())
    lines = []
    for meeting_id, meeting in meetings.items():
        commune = communes[meeting.commune_id]
        start = local_naive(starts[meeting_id])
        delegates = sorted(people.get(meeting_id, []), key=lambda d: (tiers[d.id], d.id))
        lines.append(
            ScheduleLine(
                meeting=meeting_id,
                start=start,
                minutes=meeting.minutes,
                unit=unit_name(units[meeting_id], commune.kind),
                delegates=tuple(delegates),
                teams=tuple(teams.get(meeting_id, [])),
                theme=themes[meeting_id] or "",
                note=f"Còn thiếu đại biểu: {gaps[meeting_id]}" if meeting_id in gaps else "",
            )
        )
    return ordered(lines)


def notice(session: Session, user: UserRow, month: str, kind: str, schedule_id: int | None = None) -> bytes:
    """The month's notice as ``docx`` or ``pdf``: of the published version, or of version
    ``schedule_id`` of ``month`` (a draft's carries the mark "DỰ THẢO" at the top of its
    first page and across every page of the PDF)."""
    from dataclasses import replace

    from models.documents.notice_docx import notice_docx
    from models.documents.notice_pdf import notice_pdf
    from models.storage.types import utcnow

    if schedule_id is None:
        lines = published_lines(session, user, month)
        draft = False
    else:
        schedule = version_of(session, user, month, schedule_id)
        lines = lines_of(session, schedule)
        draft = schedule.status == "draft"
    text = compose(notice_settings(session, user), month, lines, local(utcnow()).date())
    if draft:
        text = replace(text, draft=DRAFT_MARK)
    return notice_docx(text) if kind == "docx" else notice_pdf(text)


def version_of(session: Session, user: UserRow, month: str, schedule_id: int) -> ScheduleRow:
    """Version ``schedule_id``, which must be one of ``month``'s: unknown is
    :class:`NotFound`, another month's is :class:`Invalid` naming ``schedule``."""
    require_planner(user)
    schedule = session.get(ScheduleRow, schedule_id)
    if schedule is None:
        raise NotFound(f"Không có bản lịch số {schedule_id}")
    if schedule.month != month:
        theirs, ours = month_label(schedule.month), month_label(month)
        message = f"bản lịch {schedule_id} thuộc tháng {theirs}, không phải tháng {ours}"
        raise Invalid(f"Bản lịch không thuộc tháng {month_label(month)}", [Issue("schedule", schedule_id, message)])
    return schedule


def schedule_csv(session: Session, user: UserRow, month: str) -> bytes:
    from models.documents.schedule_book import schedule_csv as to_csv

    return to_csv(published_lines(session, user, month))


def template(user: UserRow) -> bytes:
    from models.documents.template import template_workbook

    require_planner(user)
    return template_workbook()


def amendment_lines(session: Session, schedule: ScheduleRow) -> list[ScheduleLine]:
    """The lines of the amendment notice of ``schedule``: each changed meeting as the new
    version has it (a cancelled one as the version in force had it), its note saying what
    changed and why."""
    from dataclasses import replace

    from services.amendments import changes

    found = changes(session, schedule)
    if not found:
        return []
    after = {line.meeting: line for line in lines_of(session, schedule)}
    base = session.get(ScheduleRow, schedule.base_id) if schedule.base_id is not None else None
    before = {line.meeting: line for line in lines_of(session, base)} if base is not None else {}
    lines = []
    for change in found:
        line = after.get(change.meeting) or before.get(change.meeting)
        if line is None:
            continue
        what = change.label.capitalize()
        if change.change == "moved" and change.before_start is not None:
            what = f"Dời lịch, trước đây {local(change.before_start):%Hh%M ngày %d/%m/%Y}"
        if change.change == "cancelled":
            line = replace(line, delegates=(), teams=())
        notes = [what]
        dropped = [d for d in change.before_delegates if d not in change.after_delegates]
        if dropped and change.after_delegates:
            # Who no longer goes: the line prints only who does, and a move that also
            # changed people said only "Dời lịch".
            was = before.get(change.meeting)
            names = {a.id: a.name for a in was.delegates} if was is not None else {}
            notes.append("Thay đồng chí " + ", ".join(names.get(d, d) for d in dropped))
        note = "\n".join([*notes, *(f"Lý do: {r}" for r in change.reasons)])
        lines.append(replace(line, note=note))
    return ordered(lines)


def amendment(session: Session, user: UserRow, month: str, number: int, kind: str) -> bytes:
    """The amendment notice (thông báo điều chỉnh) of version ``number`` of ``month`` as
    ``docx`` or ``pdf``: only what changed from the version it was planned against."""
    from dataclasses import replace

    from models.documents.notice_docx import notice_docx
    from models.documents.notice_pdf import notice_pdf
    from models.storage.types import utcnow
    from services.amendments import version

    require_planner(user)
    schedule = version(session, month, number)
    if schedule.base_id is None:
        raise Conflict(f"Bản lịch số {number} là bản công bố đầu tiên của tháng: dùng thông báo phân công")
    lines = amendment_lines(session, schedule)
    text = compose(notice_settings(session, user), month, lines, local(utcnow()).date())
    year, month_number = (int(p) for p in month.split("-"))
    period = f"tháng {month_number} năm {year}"
    issuer = notice_settings(session, user).issuer_short
    text = replace(
        text,
        abstract=f"Điều chỉnh phân công dự, chỉ đạo hội nghị tuyên vận {period}",
        opening=(
            f"{issuer} thông báo điều chỉnh phân công dự, chỉ đạo hội nghị tuyên vận {period} "
            f"(bản lịch số {number}); các hội nghị dưới đây thay cho nội dung tương ứng của thông báo đã "
            "ban hành, các hội nghị khác giữ nguyên:"
        ),
    )
    return notice_docx(text) if kind == "docx" else notice_pdf(text)
