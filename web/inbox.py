"""The planner's inbox of change requests and the page of notifications.

``/yeu-cau`` lists the requests waiting for the Board (meeting, requester, kind, reason);
one or several ticked are approved together (``POST /yeu-cau/duyet``), which starts the
month's fewest-changes re-plan, or one is rejected with the reason its requester will read
(``POST /yeu-cau/{id}/khong-duyet``). ``/yeu-cau/lap-lai/{job_id}`` follows that re-plan and,
once done, lists its draft's changes before → after. ``/thong-bao`` shows the outbox: sent,
waiting and failed. Planners only; every form carries a CSRF token; every rule is a call
into ``services/`` (:mod:`services.requests`, :mod:`services.amendments`,
:mod:`services.notifications`).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.storage.db import Database
from models.storage.jobs import FINISHED
from models.storage.tables import ChangeRequestRow, CommuneRow, DelegateRow, JobRow, MeetingRow, ScheduleRow, UserRow
from services import amendments, notifications, requests
from services.access import require_planner
from services.errors import Conflict, Invalid, NotFound
from web import session as web_session
from web.session import Viewer
from web.templating import moment_vn, render
from web.workspace import JOB_LABELS

router = APIRouter(include_in_schema=False)
#: The outbox's states as the page groups them ("sending" is waiting too: claimed, not yet sent).
GROUPS = (
    ("failed", "Gửi lỗi", ("failed",)),
    ("pending", "Đang chờ gửi", ("pending", "sending")),
    ("sent", "Đã gửi", ("sent",)),
)
CHANNELS = {"email": "Email", "zalo": "Zalo", "webhook": "Webhook"}


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def _planner(request: Request) -> Viewer:
    viewer = await web_session.require(request)
    require_planner(viewer.user)  # Forbidden → the 403 page
    return viewer


def _read(request: Request, work: Any) -> Any:
    def run() -> Any:
        with _database(request).reader() as session:
            result = work(session)
            session.expunge_all()
            return result

    return run_in_threadpool(run)


def _write(request: Request, work: Any) -> Any:
    def run() -> Any:
        with _database(request).writer() as session:
            return work(session)

    return run_in_threadpool(run)


def _when(value: Any) -> str:
    return moment_vn(value)  # the one way pages write a moment (web.templating)


# The delivery errors (api.deliveries) carry the text of the channel or of the operating
# system, often English ("SMTP: [Errno 111] Connection refused", "https://…: timed out"):
# the page says in Vietnamese what went wrong, and keeps the technical text after it for
# whoever configures the server.
_CAUSES = (
    (re.compile(r"refused", re.I), "máy nhận từ chối kết nối"),
    (re.compile(r"timed? ?out", re.I), "quá thời gian chờ trả lời"),
    (re.compile(r"name or service not known|getaddrinfo|nodename|no address", re.I), "không tìm thấy tên máy"),
    (re.compile(r"unreachable", re.I), "không tới được máy nhận (mạng)"),
    (re.compile(r"ssl|tls|certificate", re.I), "lỗi kết nối mã hóa (chứng chỉ)"),
    (re.compile(r"auth|535|534|530", re.I), "máy chủ thư không nhận tài khoản hoặc mật khẩu"),
    (re.compile(r"recipient|550|553", re.I), "máy chủ thư không nhận địa chỉ người nhận"),
    (re.compile(r"unknown url type|invalid url", re.I), "địa chỉ nhận không hợp lệ"),
)
_HTTP = re.compile(r"HTTP (\d{3}) từ (\S+)")


def delivery_error_vn(text: str | None) -> str:
    """A delivery's last error as a Vietnamese sentence ("" when there is none)."""
    text = (text or "").strip()
    if not text:
        return ""
    if text.startswith(("Chưa cấu hình", "Zalo")):  # already Vietnamese (api.deliveries)
        return text
    found = _HTTP.fullmatch(text)
    if found:
        return f"Máy nhận {found.group(2)} trả lời lỗi (mã HTTP {found.group(1)})"
    channel = "máy chủ thư" if text.startswith("SMTP:") else "máy nhận"
    cause = next((said for pattern, said in _CAUSES if pattern.search(text)), "lỗi không rõ")
    return f"Không gửi được qua {channel}: {cause} (chi tiết kỹ thuật: {text})"


def _items(session: Session, user: UserRow) -> list[dict[str, Any]]:
    """The pending requests as the inbox shows them."""
    waiting = [r for r in requests.visible(session, user) if r.state == "pending"]
    meeting_ids = [r.meeting_id for r in waiting]
    meetings = {m.id: m for m in session.scalars(select(MeetingRow).where(MeetingRow.id.in_(meeting_ids)))}
    communes = {c.id: c.name for c in session.scalars(select(CommuneRow))}
    people = {
        u.id: u.name for u in session.scalars(select(UserRow).where(UserRow.id.in_([r.requested_by for r in waiting])))
    }
    out = []
    for r in waiting:
        meeting = meetings.get(r.meeting_id)
        out.append(
            {
                "id": r.id,
                "month": r.month,
                "kind": requests.KINDS[r.kind],
                "meeting": r.meeting_id,
                "commune": communes.get(r.commune_id, r.commune_id),
                "start": _when(meeting.starts_at) if meeting else "",
                "requester": people.get(r.requested_by, "?") if r.requested_by is not None else "?",
                "reason": r.reason or "",
                "what": requests.describe(r),
                "at": _when(r.created_at),
            }
        )
    return out


async def _inbox(
    request: Request,
    viewer: Viewer,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
    done: str | None = None,
) -> Response:
    items = await _read(request, lambda s: _items(s, viewer.user))
    context = {"items": items, "errors": errors or {}, "values": values or {}, "done": done}
    return render(request, "inbox.html", context, status=status)


@router.get("/yeu-cau")
async def inbox(request: Request, khong_duyet: Annotated[int | None, Query(ge=1)] = None) -> Response:
    viewer = await _planner(request)
    done = f"Đã ghi không duyệt yêu cầu số {khong_duyet}." if khong_duyet else None
    return await _inbox(request, viewer, done=done)


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.strip().isdigit()]


@router.post("/yeu-cau/duyet")
async def approve(request: Request) -> Response:
    viewer = await _planner(request)
    form = await request.form()
    web_session.check(form, viewer.csrf)
    ids = _ids([str(v) for v in form.getlist("id")])
    settings, runner = request.app.state.settings, request.app.state.runner

    def work(session: Session) -> tuple[str, str]:
        approved = requests.approve(session, viewer.user, settings, runner, ids)
        return approved.started.job.id, approved.requests[0].month

    try:
        job_id, _month = await _write(request, work)
    except (Invalid, Conflict) as error:
        status = 422 if isinstance(error, Invalid) else 409
        return await _inbox(request, viewer, {"approve": error.detail}, status=status)
    return RedirectResponse(f"/yeu-cau/lap-lai/{job_id}", status_code=303)


@router.post("/yeu-cau/{request_id}/khong-duyet")
async def reject(request: Request, request_id: int) -> Response:
    viewer = await _planner(request)
    form = await request.form()
    web_session.check(form, viewer.csrf)
    reason = str(form.get("reason") or "").strip()[:2000]

    def work(session: Session) -> None:
        requests.reject(session, viewer.user, request_id, reason)

    try:
        await _write(request, work)
    except (Invalid, Conflict) as error:
        key = f"reason-{request_id}"
        status = 422 if isinstance(error, Invalid) else 409
        return await _inbox(request, viewer, {key: error.detail}, {key: reason}, status=status)
    return RedirectResponse(f"/yeu-cau?khong_duyet={request_id}", status_code=303)


@router.get("/yeu-cau/lap-lai/{job_id}")
async def replan(request: Request, job_id: str) -> Response:
    """The re-plan an approval started and, once it made a draft, the draft's changes."""
    await _planner(request)

    def work(session: Session) -> dict[str, Any]:
        job = session.get(JobRow, job_id)
        approved = list(session.scalars(select(ChangeRequestRow).where(ChangeRequestRow.job_id == job_id)))
        if job is None or not approved:
            raise NotFound(f"Không có lần lập lại lịch {job_id} do duyệt yêu cầu")
        draft = session.get(ScheduleRow, job.schedule_id) if job.schedule_id else None
        changes = amendments.changes(session, draft) if draft is not None else []
        names = {d.id: d.name for d in session.scalars(select(DelegateRow))}

        def who(ids: tuple[str, ...]) -> str:
            return ", ".join(names.get(i, i) for i in ids)

        return {
            "job": job,
            "status_label": JOB_LABELS.get(job.status, job.status),
            "finished": job.status in FINISHED,
            "month": approved[0].month,
            "approved": [requests.describe(r) for r in approved],
            "draft": draft,
            "changes": [
                {
                    "meeting": c.meeting,
                    "commune": c.commune_name,
                    "label": c.label,
                    "before": _when(c.before_start),
                    "after": _when(c.after_start),
                    "before_delegates": who(c.before_delegates),
                    "after_delegates": who(c.after_delegates),
                    "reasons": "; ".join(c.reasons),
                }
                for c in changes
            ],
        }

    context = await _read(request, work)
    return render(request, "inbox_replan.html", context)


@router.get("/thong-bao")
async def outbox(request: Request) -> Response:
    """What the notifications did: failed first (they need a look), then waiting, then sent."""
    await _planner(request)

    def work(session: Session) -> list[dict[str, Any]]:
        rows = notifications.listing(session)
        groups = []
        for key, title, states in GROUPS:
            found = [
                {
                    "name": r.recipient_name,
                    "channel": CHANNELS.get(r.channel, r.channel),
                    "address": r.address,
                    "subject": r.subject,
                    "body": r.body,
                    "attempts": r.attempts,
                    "error": delivery_error_vn(r.last_error),
                    "at": _when(r.sent_at or r.next_attempt_at),
                }
                for r in rows
                if r.state in states
            ]
            groups.append({"key": key, "title": title, "rows": found[:200], "count": len(found)})
        return groups

    groups = await _read(request, work)
    return render(request, "notifications.html", {"groups": groups})
