"""The pages at their fixed addresses.

``/dang-nhap`` sign in, ``/dang-xuat`` sign out (POST), ``/`` the home of the signed-in
role, ``/thang/YYYY-MM`` a month (as the account may see it), ``/tai-khoan`` change of
password, ``/nguoi-dung`` the planner's accounts, ``/kich-hoat/{token}`` a first sign-in.
A delegate's home is their meetings and calendar subscription, each coming meeting with a
"không dự được" form (``POST /hoi-nghi/{id}/khong-du``, a request to the Board); a
commune's, its meetings and the form that registers the month's meeting or moves it (with
an optional reason), and a cancellation per meeting (``POST /hoi-nghi/{id}/huy``: a request
with its reason once the month is published, a removal after a confirmation before).
Every form that changes data carries a CSRF token;
every rule is a call into ``services/`` (never into an API route).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.errors import from_service
from api.schemas.meetings import MeetingIn, MeetingPatch
from api.schemas.requests import AbsenceIn
from models.contract import ID_MAX
from models.documents.collation import name_key
from models.errors import Issue
from models.reasons import FORM_WORDS, reason
from models.storage import accounts as account_store
from models.storage import audit, users
from models.storage.clock import LOCAL, is_month, local
from models.storage.db import Database
from models.storage.tables import ChangeRequestRow, CommuneRow, DelegateRow, MeetingRow, UserRow
from services import accounts, meetings, notifications, overview, requests
from services.access import require_planner
from services.errors import Invalid, NotFound, ServiceError, TooMany
from web import session as web_session
from web.session import Viewer
from web.templating import render

router = APIRouter(include_in_schema=False)
DATE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}")
Errors = dict[str, str]


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def _field_errors(error: ServiceError) -> Errors:
    """Each issue's message under its field name (the first part of its path)."""
    out: Errors = {}
    for issue in error.issues:
        name = re.split(r"[.\[\]]", issue.path.strip("$."))[0] or "form"
        out.setdefault(name, issue.message)
    return out


def _safe_next(target: str | None) -> str:
    # Only a path of this site: never an address elsewhere (no open redirect). Browsers
    # drop tabs and line breaks from a URL, so "/\t/elsewhere" would become "//elsewhere".
    if not target or any(ord(c) < 33 or c == "\\" for c in target):
        return "/"
    return target if target.startswith("/") and not target.startswith("//") else "/"


def _write(request: Request, work: Any) -> Any:
    """Run ``work(session)`` in a writing session, in a worker thread."""

    def run() -> Any:
        with _database(request).writer() as session:
            return work(session)

    return run_in_threadpool(run)


def _read(request: Request, work: Any) -> Any:
    def run() -> Any:
        with _database(request).reader() as session:
            result = work(session)
            session.expunge_all()
            return result

    return run_in_threadpool(run)


# -- sign-in ------------------------------------------------------------------------


def _sign_in_page(request: Request, next_path: str, username: str, errors: Errors, status: int = 200) -> Response:
    token = web_session.pre_token(request)
    response = render(
        request,
        "sign_in.html",
        {"csrf": token, "next": next_path, "username": username, "errors": errors},
        status=status,
    )
    web_session.keep_pre_token(response, request, token)
    return response


@router.get("/dang-nhap")
async def sign_in_form(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    if await web_session.viewer(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _sign_in_page(request, _safe_next(next), "", {})


@router.post("/dang-nhap")
async def sign_in(request: Request) -> Response:
    form = await request.form()
    web_session.check(form, request.cookies.get(web_session.PRE_COOKIE))
    username = str(form.get("username") or "").strip()[:200]
    password = str(form.get("password") or "")[:1000]
    next_path = _safe_next(str(form.get("next") or "/"))
    if not username or not password:
        errors = {}
        if not username:
            errors["username"] = "Hãy nhập tên đăng nhập"
        if not password:
            errors["password"] = "Hãy nhập mật khẩu"
        return _sign_in_page(request, next_path, username, errors, status=422)
    address = request.client.host if request.client else "?"

    def work(session: Session) -> str:
        user = accounts.sign_in(session, username, password, address)
        token, _row = account_store.open_session(session, user)
        session.commit()
        return token

    try:
        token = await _write(request, work)
    except TooMany as error:
        response = _sign_in_page(request, next_path, username, {"password": error.detail}, status=429)
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    except Invalid as error:
        return _sign_in_page(request, next_path, username, _field_errors(error), status=422)
    response = RedirectResponse(next_path, status_code=303)
    web_session.start(response, request, token)
    response.delete_cookie(web_session.PRE_COOKIE, path="/")
    return response


@router.post("/dang-xuat")
async def sign_out(request: Request) -> Response:
    viewer = await web_session.require(request)
    web_session.check(await request.form(), viewer.csrf)

    def work(session: Session) -> None:
        account_store.close_session(session, viewer.token)
        session.commit()

    await _write(request, work)
    response = RedirectResponse("/dang-nhap", status_code=303)
    web_session.end(response)
    return response


# -- change of password -------------------------------------------------------------


@router.get("/tai-khoan")
async def account_form(request: Request, xong: Annotated[int | None, Query()] = None) -> Response:
    await web_session.require(request)
    return render(request, "account.html", {"errors": {}, "done": xong == 1})


@router.post("/tai-khoan")
async def change_password(request: Request) -> Response:
    viewer = await web_session.require(request)
    form = await request.form()
    web_session.check(form, viewer.csrf)
    current, new, confirm = (str(form.get(k) or "") for k in ("current", "new", "confirm"))
    address = request.client.host if request.client else "?"

    def work(session: Session) -> str:
        user = session.get(UserRow, viewer.user.id)
        if user is None:
            raise NotFound("Tài khoản không còn")
        accounts.change_password(session, user, current, new, confirm, address)
        # Every session of the account was closed, this browser's too: it gets a new one.
        token, _row = account_store.open_session(session, user)
        session.commit()
        return token

    try:
        token = await _write(request, work)
    except TooMany as error:
        # The same lock as the sign-in page's: five wrong current passwords, 15 minutes.
        locked = render(request, "account.html", {"errors": {"current": error.detail}, "done": False}, status=429)
        locked.headers["Retry-After"] = str(error.retry_after)
        return locked
    except Invalid as error:
        return render(request, "account.html", {"errors": _field_errors(error), "done": False}, status=422)
    response = RedirectResponse("/tai-khoan?xong=1", status_code=303)
    web_session.start(response, request, token)
    return response


# -- home ---------------------------------------------------------------------------


@router.get("/")
async def home(request: Request) -> Response:
    viewer = await web_session.require(request)
    role = viewer.user.role
    if role == "delegate":
        return await _delegate_page(request, viewer, feed_url=None)
    if role == "commune":
        return await _commune_page(request, viewer, {}, {}, status=200)

    def work(session: Session) -> dict[str, Any]:
        rows = session.execute(
            select(MeetingRow.month, func.count()).group_by(MeetingRow.month).order_by(MeetingRow.month.desc())
        )
        waiting = [r for r in requests.visible(session, viewer.user) if r.state == "pending"]
        inbox = [
            {
                "id": r.id,
                "kind": requests.KINDS[r.kind],
                "meeting": r.meeting_id,
                "what": requests.describe(r),
                "at": local(r.created_at),
            }
            for r in waiting
        ]
        sent = notifications.listing(session)
        states = {state: sum(1 for n in sent if n.state == state) for state in ("sent", "pending", "failed")}
        failed = [n for n in sent if n.state == "failed"][:20]
        months = [(month, count) for month, count in rows]
        # The year view of every year with meetings (this year's when there are none yet).
        years = sorted({m[:4] for m, _ in months}, reverse=True) or [f"{local(dt.datetime.now(dt.UTC)):%Y}"]
        return {"months": months, "years": years, "inbox": inbox, "sent": states, "failed": failed}

    context = await _read(request, work)
    return render(request, "planner_home.html", context)


# -- the delegate's page ------------------------------------------------------------


def _qr_svg(url: str, title: str = "Mã QR địa chỉ đăng ký lịch") -> Markup:
    # segno writes the SVG from our own URL and a constant title (no user text in it):
    # safe to inline as is.
    svg = segno.make(url, error="m").svg_inline(scale=4, title=title)
    return Markup(svg)


def _asked(session: Session, user: UserRow) -> list[dict[str, Any]]:
    """The account's own change requests, newest first, each with the Board's answer (a
    rejection's reason is said to the requester here)."""
    rows = requests.visible(session, user)[::-1][:20]
    return [
        {
            "what": requests.describe(r),
            "state": r.state,
            "state_label": requests.STATES.get(r.state, r.state),
            "reason": r.decision_reason,
            "at": local(r.created_at),
        }
        for r in rows
    ]


def _absence_asked(session: Session, user: UserRow) -> set[str]:
    """The meetings the delegate said "không dự được" for, waiting for the Board."""
    return {r.meeting_id for r in requests.visible(session, user) if r.kind == "absent" and r.state == "pending"}


Absence = dict[str, str]
"""The "không dự được" form sent back: ``meeting``, the typed ``reason`` and its ``error``."""


async def _delegate_page(
    request: Request,
    viewer: Viewer,
    feed_url: str | None,
    absence: Absence | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    delegate_id = viewer.user.delegate_id or ""

    def work(session: Session) -> tuple[Any, list[dict[str, Any]], set[str]]:
        mine = overview.delegate_meetings(session, viewer.user, delegate_id)
        return mine, _asked(session, viewer.user), _absence_asked(session, viewer.user)

    mine, asked, absent = await _read(request, work)
    qr = _qr_svg(feed_url) if feed_url else None
    # webcal://: an iPhone subscribes to it (an http .ics link only imports a one-off copy).
    webcal = re.sub(r"^https?://", "webcal://", feed_url) if feed_url else None
    context = {
        "mine": mine,
        "feed_url": feed_url,
        "qr": qr,
        "webcal_url": webcal,
        "asked": asked,
        # The coming meetings only: a past one is not "cannot attend" any more.
        "askable": {m.meeting for m in mine.upcoming},
        "absent": absent,
        "absence": absence or {},
        "done": done,
        "back": "",
    }
    return render(request, "delegate.html", context, status=status)


async def _delegate_month_page(
    request: Request,
    viewer: Viewer,
    month: str,
    absence: Absence | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    user = viewer.user
    delegate_id = user.delegate_id or ""

    def work(session: Session) -> tuple[Any, set[str]]:
        return overview.delegate_meetings(session, user, delegate_id), _absence_asked(session, user)

    mine, absent = await _read(request, work)
    items = [m for m in [*mine.upcoming, *mine.past[::-1]] if f"{m.start:%Y-%m}" == month]
    context = {
        "month": month,
        "items": items,
        "askable": {m.meeting for m in mine.upcoming},
        "absent": absent,
        "absence": absence or {},
        "done": done,
        "back": month,
    }
    return render(request, "delegate_month.html", context, status=status)


@router.post("/hoi-nghi/{meeting_id}/khong-du")
async def ask_absence(request: Request, meeting_id: str) -> Response:
    """A delegate says "không dự được" for one of their published meetings, with a reason:
    a request to the Board (the published schedule holds until the Board approves)."""
    viewer = await web_session.require(request)
    form = await request.form()
    web_session.check(form, viewer.csrf)
    user = viewer.user
    if user.role != "delegate" or user.delegate_id is None:
        raise NotFound("Chỉ tài khoản đại biểu báo không dự được hội nghị của mình")
    if len(meeting_id) > ID_MAX:
        raise NotFound(f"Bạn không có hội nghị {meeting_id[:ID_MAX]}… trong lịch đã công bố")
    reason_text = str(form.get("reason") or "").strip()
    back = str(form.get("thang") or "")
    back = back if is_month(back) else ""

    async def again(error: str, status: int, done: str | None = None) -> Response:
        absence = {"meeting": meeting_id, "reason": reason_text, "error": error} if error else None
        if back:
            return await _delegate_month_page(request, viewer, back, absence, done, status)
        return await _delegate_page(request, viewer, None, absence, done, status)

    if not reason_text:
        return await again("Hãy ghi lý do không dự được: Ban Tuyên giáo đọc lý do trước khi duyệt", 422)
    try:
        body = AbsenceIn(reason=reason_text)
    except ValidationError as error:
        return await again(reason(error.errors()[0], FORM_WORDS).capitalize(), 422)

    def work(session: Session) -> str:
        row = requests.ask_absence(session, user, meeting_id, body.reason)
        meeting = session.get(MeetingRow, meeting_id)
        commune = session.get(CommuneRow, meeting.commune_id) if meeting else None
        where = f" {commune.name}" if commune else ""
        day = f" ngày {local(meeting.starts_at):%d/%m/%Y}" if meeting else ""
        return (
            f"Đã báo Ban không dự được hội nghị{where}{day} (yêu cầu số {row.id}), {requests.PENDING}; "
            "lịch đã công bố giữ nguyên cho đến khi Ban duyệt."
        )

    try:
        done = await _write(request, work)
    except ServiceError as error:
        return await again(error.detail, from_status(error))
    return await again("", 200, done)


@router.post("/lich/dia-chi")
async def new_feed(request: Request) -> Response:
    viewer = await web_session.require(request)
    web_session.check(await request.form(), viewer.csrf)
    user = viewer.user
    if user.role != "delegate" or user.delegate_id is None:
        raise NotFound("Chỉ tài khoản đại biểu có địa chỉ đăng ký lịch")
    delegate_id = user.delegate_id

    def work(session: Session) -> str:
        token = users.rotate_feed(session, delegate_id)
        audit.record(session, user, "feed.rotate", "delegate", delegate_id)
        session.commit()
        return token

    token = await _write(request, work)
    public = request.app.state.settings.public_url.rstrip("/")
    return await _delegate_page(request, viewer, feed_url=f"{public}/calendar/{token}.ics")


# -- the commune's page -------------------------------------------------------------


async def _commune_page(
    request: Request,
    viewer: Viewer,
    errors: Errors,
    values: dict[str, str],
    status: int,
    done: str | None = None,
    cancel: dict[str, str] | None = None,
) -> Response:
    """The commune's page; ``cancel`` is a cancellation form sent back (``meeting``, the
    typed ``reason``, and the errors under ``e_reason``, ``e_xac_nhan``, ``e_form``)."""

    def work(session: Session) -> tuple[Any, Any, list[dict[str, Any]], set[str]]:
        commune, items = overview.commune_meetings(session, viewer.user)
        cancelled = set(
            session.scalars(
                select(MeetingRow.id).where(
                    MeetingRow.commune_id == viewer.user.commune_id, MeetingRow.cancelled_at.is_not(None)
                )
            )
        )
        return commune, items, _asked(session, viewer.user), cancelled

    commune, items, asked, cancelled = await _read(request, work)
    context = {
        "commune": commune,
        "items": items,
        "errors": errors,
        "values": values,
        "done": done,
        "asked": asked,
        "cancelled": cancelled,
        "cancel": cancel or {},
    }
    return render(request, "commune.html", context, status=status)


def _start(values: dict[str, str], errors: Errors) -> dt.datetime | None:
    """The local start of the form's ``date`` (dd/mm/yyyy) and ``time`` (HH:MM) fields.

    Plain text fields, not the browser's date and time pickers: those show the date in
    the browser's own locale (mm/dd/yyyy on many machines), and the pages say dd/mm/yyyy.
    """
    day = time = None
    text = values.get("date", "").strip()
    try:
        if DATE.fullmatch(text):
            number, month, year = (int(part) for part in re.split(r"[/.-]", text))
            day = dt.date(year, month, number)
        else:
            day = dt.date.fromisoformat(text)
    except ValueError:
        errors["date"] = "Ngày không đúng: nhập ngày/tháng/năm, ví dụ 12/03/2024"
    try:
        time = dt.time.fromisoformat(values.get("time", "").strip().zfill(5))
    except ValueError:
        errors["time"] = "Giờ không đúng: nhập giờ:phút (0–23 giờ), ví dụ 07:30"
    if day is None or time is None:
        return None
    return dt.datetime.combine(day, time.replace(second=0, microsecond=0), tzinfo=LOCAL)


def _minutes(values: dict[str, str], errors: Errors) -> int | None:
    text = values.get("minutes", "").strip()
    if not text:
        return 180
    if not text.isdigit() or not 15 <= int(text) <= 720:
        errors["minutes"] = "Thời lượng là số phút từ 15 đến 720"
        return None
    return int(text)


def _pydantic_errors(error: ValidationError) -> Errors:
    names = {"start": "date", "minutes": "minutes", "theme": "theme", "reason": "reason"}
    out: Errors = {}
    for item in error.errors():
        loc = str(item.get("loc", ("form",))[0])
        out.setdefault(names.get(loc, "form"), reason(item, FORM_WORDS))
    return out


@router.post("/hoi-nghi")
async def register_meeting(request: Request) -> Response:
    """A commune account registers its meeting of a month, or, when that month already
    has one, moves it (one meeting a month)."""
    viewer = await web_session.require(request)
    form = await request.form()
    web_session.check(form, viewer.csrf)
    if viewer.user.role != "commune":
        raise NotFound("Trang này dành cho tài khoản xã/phường")
    values = {k: str(form.get(k) or "").strip() for k in ("date", "time", "minutes", "theme", "meeting", "reason")}
    errors: Errors = {}
    start = _start(values, errors)
    minutes = _minutes(values, errors)
    if errors or start is None or minutes is None:
        return await _commune_page(request, viewer, errors, values, status=422)
    theme = values["theme"] or None
    meeting_id = values["meeting"] or None
    why = values["reason"] or None

    def work(session: Session) -> str:
        existing = meeting_id
        if existing is None:
            month = f"{start:%Y-%m}"
            existing = session.scalar(
                select(MeetingRow.id).where(MeetingRow.commune_id == viewer.user.commune_id, MeetingRow.month == month)
            )
        if existing is None:
            row = meetings.register(session, viewer.user, MeetingIn(start=start, minutes=minutes, theme=theme))
            return f"Đã đăng ký hội nghị ngày {local(row.starts_at):%d/%m/%Y} lúc {local(row.starts_at):%H:%M}."
        patch = MeetingPatch(start=start, minutes=minutes, theme=theme, reason=why)
        changed = meetings.change(session, viewer.user, existing, patch)
        if isinstance(changed, ChangeRequestRow):
            # The month is published: the move waits for the Board, the published meeting holds.
            asked = local(changed.starts_at) if changed.starts_at else start
            return (
                f"Đã gửi yêu cầu dời hội nghị sang ngày {asked:%d/%m/%Y} lúc {asked:%H:%M} (yêu cầu số {changed.id}), "
                "đang chờ Ban duyệt; lịch đã công bố giữ nguyên cho đến khi Ban duyệt."
            )
        assert changed is not None  # a move: cancellations have their own form (cancel_meeting)
        moved = local(changed.starts_at)
        return f"Đã dời hội nghị sang ngày {moved:%d/%m/%Y} lúc {moved:%H:%M}."

    try:
        done = await _write(request, work)
    except ValidationError as error:
        return await _commune_page(request, viewer, _pydantic_errors(error), values, status=422)
    except ServiceError as error:
        errors = {**_field_errors(error), "form": error.detail}
        return await _commune_page(request, viewer, errors, values, status=from_status(error))
    return await _commune_page(request, viewer, {}, {}, status=200, done=done)


@router.post("/hoi-nghi/{meeting_id}/huy")
async def cancel_meeting(request: Request, meeting_id: str) -> Response:
    """A commune account cancels its meeting. In a published month it is a request to the
    Board, with its reason (the published meeting holds until approved); before
    publication the meeting is removed, once the commune ticked the confirmation."""
    viewer = await web_session.require(request)
    form = await request.form()
    web_session.check(form, viewer.csrf)
    user = viewer.user
    if user.role != "commune":
        raise NotFound("Trang này dành cho tài khoản xã/phường")
    if len(meeting_id) > ID_MAX:
        raise NotFound(f"Không có hội nghị {meeting_id[:ID_MAX]}…")
    why = str(form.get("reason") or "").strip()
    confirmed = form.get("xac_nhan") == "1"

    async def again(errors: Errors, status: int) -> Response:
        sent = {"meeting": meeting_id, "reason": why, **{f"e_{k}": v for k, v in errors.items()}}
        return await _commune_page(request, viewer, {}, {}, status=status, cancel=sent)

    try:
        patch = MeetingPatch(cancel=True, reason=why or None)
    except ValidationError as error:
        return await again({"reason": reason(error.errors()[0], FORM_WORDS).capitalize()}, 422)

    def work(session: Session) -> str:
        meeting = meetings.visible_meeting(session, user, meeting_id)  # another commune's: not found
        day = f"{local(meeting.starts_at):%d/%m/%Y}"
        published = requests.is_published(session, meeting.month)
        if published and not why:
            issue = Issue("$.reason", why, "Hãy ghi lý do hủy: Ban Tuyên giáo đọc lý do trước khi duyệt")
            raise Invalid("Chưa ghi lý do hủy", [issue])
        if not published and not confirmed:
            issue = Issue("$.xac_nhan", None, "Hãy đánh dấu ô xác nhận: hội nghị sẽ bị xóa khỏi danh sách")
            raise Invalid("Chưa xác nhận hủy hội nghị", [issue])
        changed = meetings.change(session, user, meeting_id, patch)
        if isinstance(changed, ChangeRequestRow):
            return (
                f"Đã gửi yêu cầu hủy hội nghị ngày {day} (yêu cầu số {changed.id}), {requests.PENDING}; "
                "lịch đã công bố giữ nguyên cho đến khi Ban duyệt."
            )
        return f"Đã hủy hội nghị ngày {day}; xã có thể đăng ký hội nghị khác cho tháng này."

    try:
        done = await _write(request, work)
    except ServiceError as error:
        return await again(_cancel_errors(error), from_status(error))
    return await _commune_page(request, viewer, {}, {}, status=200, done=done)


#: The fields the cancel form shows an error beside (commune.html: e_reason, e_xac_nhan).
_CANCEL_FIELDS = ("reason", "xac_nhan")


def _cancel_errors(error: ServiceError) -> Errors:
    """A refused cancellation, each message where the form shows it: the reason and the
    confirmation beside their fields; any other refusal (an issue under another path, such
    as ``path.meeting_id`` for a meeting already held, or none) gets the refusal's own
    sentence as the form's general error, so that no refusal comes back without a word.
    The detail, not the issue's message: the detail is the whole sentence ("Hội nghị … đã
    diễn ra ngày …: không còn dời hay hủy được"), the issue only its particulars."""
    found = _field_errors(error)
    errors = {k: v for k, v in found.items() if k in _CANCEL_FIELDS}
    if len(errors) < len(found) or not errors:
        errors["form"] = error.detail
    return errors


def from_status(error: ServiceError) -> int:
    return from_service(error).status


# -- a month ------------------------------------------------------------------------


# x-any-query: the planner's workspace reads its own filters (web.workspace checks them).
@router.get("/thang/{month}", openapi_extra={"x-any-query": True})
async def month_page(
    request: Request,
    month: str,
    xa: Annotated[str | None, Query(max_length=100)] = None,
    tuan: Annotated[str | None, Query(max_length=10)] = None,  # the workspace: an ISO week
    co: Annotated[str | None, Query(max_length=2)] = None,
    trong: Annotated[str | None, Query(max_length=2)] = None,
) -> Response:
    """A month; a planner may narrow it (``xa`` a part of a commune's name, ``tuan`` the
    week 1–5, ``co`` flagged only, ``trong`` empty seats only: a GET form, bookmarkable)."""
    viewer = await web_session.require(request)
    if not is_month(month):
        raise NotFound(f"Không có tháng {month} (địa chỉ dạng /thang/YYYY-MM)")
    user = viewer.user
    if user.role == "planner":
        from web import workspace  # the planner's workspace (its own filters)

        return await workspace.month_page(request, viewer, month)
    if user.role == "delegate":
        return await _delegate_month_page(request, viewer, month)
    view = await _read(request, lambda s: overview.month_view(s, user, month))
    total = len(view.meetings)
    week = int(tuan) if tuan and tuan.isdigit() and 1 <= int(tuan) <= 5 else None
    keep = overview.MonthFilter(commune=(xa or "").strip(), week=week, flagged=co == "1", empty=trong == "1")
    if user.role == "planner":
        view = overview.filtered(view, keep)
    return render(request, "month.html", {"month": month, "view": view, "total": total, "keep": keep})


# -- the planner's accounts -----------------------------------------------------------


async def _accounts_page(
    request: Request, errors: Errors, values: dict[str, str], link: str | None, status: int = 200
) -> Response:
    def work(session: Session) -> dict[str, Any]:
        return {
            "accounts": accounts.list_accounts(session),
            # Vietnamese order (Bắc before Bình, Đ after D), not the database's byte order.
            "delegates": sorted(session.scalars(select(DelegateRow)), key=lambda d: (d.tier, name_key(d.name), d.id)),
            "communes": sorted(session.scalars(select(CommuneRow)), key=lambda c: (name_key(c.name), c.id)),
        }

    data = await _read(request, work)
    qr = _qr_svg(link, "Mã QR liên kết đăng nhập lần đầu") if link else None
    context = {**data, "errors": errors, "values": values, "link": link, "qr": qr, "roles": accounts.ROLE_LABELS}
    return render(request, "accounts.html", context, status=status)


ROLE_CODE = re.compile(r"vai trò (planner|delegate|commune)\b")


def _role_words(text: str) -> str:
    """A refusal of the accounts' service as the page says it: the role's label ("Xã/phường"),
    never its code ("commune"), which the API's callers send and read."""
    if text.startswith("phải là planner, delegate hoặc commune"):
        return "Hãy chọn vai trò: Đại biểu hoặc Xã/phường"
    return ROLE_CODE.sub(lambda found: f"vai trò {accounts.ROLE_LABELS[found.group(1)]}", text)


def _link(request: Request, token: str) -> str:
    return f"{request.app.state.settings.public_url.rstrip('/')}/kich-hoat/{token}"


@router.get("/nguoi-dung")
async def accounts_page(request: Request) -> Response:
    viewer = await web_session.require(request)
    require_planner(viewer.user)
    return await _accounts_page(request, {}, {}, None)


@router.post("/nguoi-dung")
async def create_account(request: Request) -> Response:
    viewer = await web_session.require(request)
    form = await request.form()
    web_session.check(form, viewer.csrf)
    require_planner(viewer.user)
    values = {k: str(form.get(k) or "").strip() for k in ("username", "name", "role", "delegate", "commune")}
    role = values["role"]

    def work(session: Session) -> str:
        made = accounts.create_account(
            session,
            viewer.user,
            username=values["username"],
            role=role,
            name=values["name"] or None,
            delegate_id=(values["delegate"] or None) if role == "delegate" else None,
            commune_id=(values["commune"] or None) if role == "commune" else None,
        )
        assert made.activation is not None
        return made.activation

    try:
        token = await _write(request, work)
    except ServiceError as error:
        errors = {name: _role_words(text) for name, text in _field_errors(error).items()}
        return await _accounts_page(request, errors, values, None, status=from_status(error))
    return await _accounts_page(request, {}, {}, _link(request, token), status=201)


@router.post("/nguoi-dung/{user_id}/kich-hoat")
async def renew_link(request: Request, user_id: int) -> Response:
    viewer = await web_session.require(request)
    web_session.check(await request.form(), viewer.csrf)
    token = await _write(request, lambda s: accounts.new_activation(s, viewer.user, user_id))
    return await _accounts_page(request, {}, {}, _link(request, token))


# -- first sign-in ------------------------------------------------------------------


def _activation_page(request: Request, token: str, user: UserRow, errors: Errors, status: int = 200) -> Response:
    csrf = web_session.pre_token(request)
    response = render(
        request, "activate.html", {"csrf": csrf, "token": token, "account": user, "errors": errors}, status=status
    )
    web_session.keep_pre_token(response, request, csrf)
    return response


@router.get("/kich-hoat/{token}")
async def activation_form(request: Request, token: str) -> Response:
    user = await _read(request, lambda s: accounts.activation_user(s, token))
    return _activation_page(request, token, user, {})


@router.post("/kich-hoat/{token}")
async def activate(request: Request, token: str) -> Response:
    form = await request.form()
    web_session.check(form, request.cookies.get(web_session.PRE_COOKIE))
    new, confirm = str(form.get("new") or ""), str(form.get("confirm") or "")

    def work(session: Session) -> str:
        user = accounts.activate(session, token, new, confirm)
        cookie, _row = account_store.open_session(session, user)
        session.commit()
        return cookie

    try:
        cookie = await _write(request, work)
    except Invalid as error:
        user = await _read(request, lambda s: accounts.activation_user(s, token))
        return _activation_page(request, token, user, _field_errors(error), status=422)
    response = RedirectResponse("/", status_code=303)
    web_session.start(response, request, cookie)
    response.delete_cookie(web_session.PRE_COOKIE, path="/")
    return response
