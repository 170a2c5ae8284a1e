"""After publication: change requests (dời, hủy, không dự được) and the Board's answer, the
changes a re-plan made (before → after), the amendment notice, and the notifications.

The rules are in :mod:`services.requests`, :mod:`services.amendments`,
:mod:`services.documents` and :mod:`services.notifications`; these routes only translate.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import Response as RawResponse
from sqlalchemy.orm import Session

from api.deps import CurrentUser, DelegateUser, Planner, RunnerDep, SessionDep, SettingsDep
from api.errors import responses
from api.paging import PAGED, DirectoryPage
from api.present import job_out
from api.routes.documents import DOCX, MonthPath, _binary, _file
from api.schemas.common import IntId, PathId
from api.schemas.requests import (
    AbsenceIn,
    ApprovedOut,
    ApproveIn,
    ChangeOut,
    ChangesOut,
    ContactIn,
    ContactOut,
    NotificationOut,
    RejectIn,
    RequestOut,
)
from models.storage.clock import local
from models.storage.tables import ChangeRequestRow, ScheduleRow
from services import amendments, contacts, documents, notifications, requests
from services.schedules import get_schedule

router = APIRouter(tags=["requests"])
Version = Annotated[int, Path(ge=1, le=100_000)]


def request_out(row: ChangeRequestRow) -> RequestOut:
    before = row.before.get("start") if isinstance(row.before, dict) else None
    import datetime as dt

    return RequestOut(
        id=row.id,
        kind=row.kind,
        kind_label=requests.KINDS[row.kind],
        state=row.state,
        state_label=requests.STATES[row.state],
        meeting=row.meeting_id,
        month=row.month,
        commune=row.commune_id,
        delegate=row.delegate_id,
        start=local(row.starts_at) if row.starts_at else None,
        minutes=row.minutes,
        before_start=local(dt.datetime.fromisoformat(before)) if isinstance(before, str) else None,
        reason=row.reason,
        created_at=local(row.created_at),
        decided_at=local(row.decided_at) if row.decided_at else None,
        decision_reason=row.decision_reason,
        job=row.job_id,
    )


@router.get("/requests", response_model=list[RequestOut], responses={**responses(401), **PAGED})
def list_requests(user: CurrentUser, session: SessionDep, page: DirectoryPage) -> list[RequestOut]:
    """Yêu cầu thay đổi: cán bộ Ban xem tất cả, xã và đại biểu xem yêu cầu của mình."""
    return [request_out(r) for r in page.items(requests.visible(session, user))]


@router.get("/requests/{request_id}", response_model=RequestOut, responses=responses(401, 404))
def read_request(request_id: IntId, user: CurrentUser, session: SessionDep) -> RequestOut:
    """Một yêu cầu thay đổi."""
    return request_out(requests.get(session, user, request_id))


@router.post(
    "/meetings/{meeting_id}/absence",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RequestOut,
    responses=responses(401, 403, 404, 409),
)
def report_absence(meeting_id: PathId, body: AbsenceIn, user: DelegateUser, session: SessionDep) -> RequestOut:
    """Đại biểu báo "không dự được" một hội nghị của mình trong lịch đã công bố (chờ Ban duyệt)."""
    return request_out(requests.ask_absence(session, user, meeting_id, body.reason))


@router.post(
    "/requests/{request_id}/approve",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ApprovedOut,
    responses=responses(401, 403, 404, 409, 413, 429),
)
def approve_request(
    request_id: IntId,
    planner: Planner,
    session: SessionDep,
    settings: SettingsDep,
    runner: RunnerDep,
    body: ApproveIn | None = None,
) -> ApprovedOut:
    """Duyệt yêu cầu (và các yêu cầu cùng tháng trong ``also``): lập lại lịch tháng, ít thay đổi nhất."""
    ids = [request_id, *(body.also if body else [])]
    approved = requests.approve(session, planner, settings, runner, ids)
    return ApprovedOut(requests=[request_out(r) for r in approved.requests], job=job_out(approved.started.job))


@router.post("/requests/{request_id}/reject", response_model=RequestOut, responses=responses(401, 403, 404, 409))
def reject_request(request_id: IntId, body: RejectIn, planner: Planner, session: SessionDep) -> RequestOut:
    """Không duyệt yêu cầu, kèm lý do người gửi sẽ thấy."""
    return request_out(requests.reject(session, planner, request_id, body.reason))


def _changes(session: Session, schedule: ScheduleRow) -> ChangesOut:
    base = session.get(ScheduleRow, schedule.base_id) if schedule.base_id is not None else None
    return ChangesOut(
        month=schedule.month,
        version=schedule.version,
        base_version=base.version if base else None,
        changes=[
            ChangeOut(
                meeting=c.meeting,
                commune=c.commune,
                commune_name=c.commune_name,
                change=c.change,
                change_label=c.label,
                before_start=local(c.before_start) if c.before_start else None,
                after_start=local(c.after_start) if c.after_start else None,
                before_delegates=list(c.before_delegates),
                after_delegates=list(c.after_delegates),
                reasons=list(c.reasons),
            )
            for c in amendments.changes(session, schedule)
        ],
    )


@router.get("/schedules/{schedule_id}/changes", response_model=ChangesOut, responses=responses(401, 403, 404))
def schedule_changes(schedule_id: IntId, _: Planner, session: SessionDep) -> ChangesOut:
    """Các hội nghị thay đổi so với bản đang hiệu lực: trước → sau, kèm lý do."""
    return _changes(session, get_schedule(session, schedule_id))


@router.get(
    "/months/{month}/amendments/{number}.docx",
    response_class=RawResponse,
    responses={**_binary(DOCX), **responses(401, 403, 404, 409)},
)
def amendment_docx(month: MonthPath, number: Version, user: Planner, session: SessionDep) -> RawResponse:
    """Thông báo điều chỉnh dạng Word."""
    body = documents.amendment(session, user, month, number, "docx")
    return _file(body, DOCX, f"thong-bao-dieu-chinh-{month}-{number}.docx")


@router.get(
    "/months/{month}/amendments/{number}.pdf",
    response_class=RawResponse,
    responses={**_binary("application/pdf"), **responses(401, 403, 404, 409)},
)
def amendment_pdf(month: MonthPath, number: Version, user: Planner, session: SessionDep) -> RawResponse:
    """Thông báo điều chỉnh dạng PDF."""
    body = documents.amendment(session, user, month, number, "pdf")
    return _file(body, "application/pdf", f"thong-bao-dieu-chinh-{month}-{number}.pdf")


# After the .docx/.pdf routes: "{number}" would otherwise take "2.docx" and refuse it.
@router.get("/months/{month}/amendments/{number}", response_model=ChangesOut, responses=responses(401, 403, 404))
def amendment_json(month: MonthPath, number: Version, _: Planner, session: SessionDep) -> ChangesOut:
    """Nội dung thông báo điều chỉnh của bản lịch ``number``: chỉ những gì thay đổi."""
    return _changes(session, amendments.version(session, month, number))


@router.get("/notifications", response_model=list[NotificationOut], responses={**responses(401, 403), **PAGED})
def list_notifications(
    _: Planner,
    session: SessionDep,
    page: DirectoryPage,
    state: Annotated[str | None, Query(pattern="^(pending|sending|sent|failed)$")] = None,
) -> list[NotificationOut]:
    """Thông báo đã gửi, đang chờ và gửi lỗi (mỗi người, mỗi kênh)."""
    return [
        NotificationOut(
            id=r.id,
            message_id=r.message_id,
            schedule=r.schedule_id,
            recipient_kind=r.recipient_kind,
            recipient=r.recipient_id,
            recipient_name=r.recipient_name,
            channel=r.channel,
            address=r.address,
            subject=r.subject,
            body=r.body,
            state=r.state,
            attempts=r.attempts,
            next_attempt_at=local(r.next_attempt_at),
            last_error=r.last_error,
            created_at=local(r.created_at),
            sent_at=local(r.sent_at) if r.sent_at else None,
        )
        for r in page.items(notifications.listing(session, state))
    ]


def _contact_routes(kind: str, label: str) -> None:
    """GET and PUT ``/{kind}s/{id}/contact``: the planner, or the person themselves."""

    def read_contact(owner_id: PathId, user: CurrentUser, session: SessionDep) -> ContactOut:
        return ContactOut.model_validate(contacts.read(session, user, kind, owner_id))

    def write_contact(owner_id: PathId, body: ContactIn, user: CurrentUser, session: SessionDep) -> ContactOut:
        row = contacts.write(session, user, kind, owner_id, body.email, body.phone, body.zalo_user_id, body.channels)
        return ContactOut.model_validate(row)

    read_contact.__doc__ = f"Liên hệ và kênh nhận thông báo của {label} (cán bộ Ban, hoặc chính họ)."
    write_contact.__doc__ = f"Sửa email, số điện thoại, Zalo và các kênh nhận thông báo của {label}."
    path = f"/{kind}s/{{owner_id}}/contact"
    router.get(
        path, response_model=ContactOut, responses=responses(401, 403, 404), operation_id=f"read_{kind}_contact"
    )(read_contact)
    router.put(
        path, response_model=ContactOut, responses=responses(401, 403, 404), operation_id=f"write_{kind}_contact"
    )(write_contact)


_contact_routes("delegate", "đại biểu")
_contact_routes("commune", "xã/phường")
