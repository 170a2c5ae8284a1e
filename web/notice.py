"""The notice's pages for planners: its settings and the downloads of a month's notice.

* ``/thiet-lap/thong-bao`` the settings (issuing body, parent, place, number and symbol,
  sign mode, signer and position, recipients): a form whose every bad field is shown
  beside it, nothing written then; ``?thang=YYYY-MM`` only keeps the way back to that
  month's page.
* ``/thang/YYYY-MM/thong-bao.docx|pdf`` the notice of the published version, or with
  ``?ban=ID`` of that version of the month (a draft's carries the mark "DỰ THẢO").
* ``/thang/YYYY-MM/dieu-chinh/N.docx|pdf`` the amendment notice (thông báo điều chỉnh) of
  version number N of the month: only what changed from the version it was planned
  against (409 for a month's first version, which has none).

The rules (what a setting may hold, which version may be printed) are in
:mod:`services.documents`; the form carries the session's CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from models.errors import Issue
from models.storage.clock import is_month
from models.storage.db import Database
from services import documents
from services.access import require_planner
from services.errors import Invalid, NotFound
from web import session as web_session
from web.session import Viewer
from web.templating import render

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
Short = Annotated[str | None, Query(max_length=64)]
FIELDS = tuple(documents.SETTING_LABELS)
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
#: Above the form when the stored settings break a rule added since they were saved.
STORED_WRONG = "Thiết lập đã lưu chưa đúng (lưu trước khi có các quy tắc này): sửa các ô được chỉ ra rồi lưu lại."
SIGN_MODE_LABELS = (
    ("T/M", "T/M — thay mặt tập thể"),
    ("T/L", "T/L — thừa lệnh"),
    ("K/T", "K/T — ký thay người đứng đầu"),
    ("", "Không ghi thể thức"),
)


async def _run(request: Request, work: Callable[[Session], T], write: bool = False) -> T:
    database: Database = request.app.state.database

    def run() -> T:
        if write:
            with database.writer() as session:
                return work(session)
        with database.reader() as session:
            result = work(session)
            session.expunge_all()
            return result

    return await run_in_threadpool(run)


async def _planner(request: Request) -> Viewer:
    viewer = await web_session.require(request)
    require_planner(viewer.user)
    return viewer


def _values(settings: Mapping[str, Any]) -> dict[str, str]:
    """The form's values of stored settings (recipients one a line)."""
    values = {k: str(v) for k, v in settings.items() if k != "recipients"}
    recipients = settings.get("recipients")
    values["recipients"] = "\n".join(map(str, recipients)) if isinstance(recipients, list) else ""
    return values


def _errors(issues: Iterable[Issue], detail: str) -> dict[str, str]:
    """Each issue's message beside its field, the summary at the top of the form."""
    errors = {i.path if i.path in FIELDS else "form": i.message for i in issues}
    errors.setdefault("form", detail)
    return errors


def _page(
    request: Request,
    viewer: Viewer,
    values: dict[str, str],
    errors: dict[str, str],
    month: str,
    status: int,
    done: bool = False,
) -> Response:
    context = {
        "values": values,
        "errors": errors,
        "labels": documents.SETTING_LABELS,
        "modes": SIGN_MODE_LABELS,
        "month": month,
        "done": done,
    }
    return render(request, "notice_settings.html", context, status=status)


def _month(text: str | None) -> str:
    """The month to go back to; anything else is dropped (it only makes a link)."""
    return text if text and is_month(text) else ""


@router.get("/thiet-lap/thong-bao")
async def settings_page(request: Request, thang: Short = None, xong: Short = None) -> Response:
    viewer = await _planner(request)
    stored, issues = await _run(request, lambda s: documents.notice_settings_form(s, viewer.user))
    # Settings stored before their checks are shown with what to correct.
    errors = _errors(issues, STORED_WRONG) if issues else {}
    return _page(request, viewer, _values(stored), errors, _month(thang), 200, done=xong == "1" and not issues)


@router.post("/thiet-lap/thong-bao")
async def save_settings(request: Request) -> Response:
    viewer = await web_session.require(request)
    form = await request.form()
    web_session.check(form, viewer.csrf)
    require_planner(viewer.user)
    sent = {k: str(form.get(k) or "") for k in FIELDS}
    month = _month(str(form.get("thang") or ""))
    values: dict[str, Any] = {k: v.strip() for k, v in sent.items() if k != "recipients"}
    # One recipient a line; blank lines are the spacing people type, not recipients.
    values["recipients"] = [line.strip() for line in sent["recipients"].splitlines() if line.strip()]
    try:
        await _run(request, lambda s: documents.update_notice_settings(s, viewer.user, values), write=True)
    except Invalid as error:
        return _page(request, viewer, sent, _errors(error.issues, error.detail), month, 422)
    back = f"&thang={month}" if month else ""
    return RedirectResponse(f"/thiet-lap/thong-bao?xong=1{back}", status_code=303)


@router.get("/thang/{month}/thong-bao.{kind}")
async def month_notice(request: Request, month: str, kind: str, ban: Short = None) -> Response:
    """The notice of the version shown on the month's page (a draft's marked DỰ THẢO)."""
    viewer = await _planner(request)
    if not is_month(month) or kind not in MEDIA:
        raise NotFound(f"Không có thông báo {month}.{kind} (dạng .docx hoặc .pdf)")
    schedule_id = None
    if ban:
        if not ban.isdigit() or len(ban) > 9:
            raise NotFound(f"Không có bản lịch “{ban}”")
        schedule_id = int(ban)
    data = await _run(request, lambda s: documents.notice(s, viewer.user, month, kind, schedule_id))
    suffix = f"-ban-{schedule_id}" if schedule_id is not None else ""
    return _download(data, kind, f"thong-bao-{month}{suffix}")


@router.get("/thang/{month}/dieu-chinh/{number}.{kind}")
async def month_amendment(request: Request, month: str, number: str, kind: str) -> Response:
    """The amendment notice of version ``number`` of the month (planners only, as the
    JSON API's ``/months/{month}/amendments/{number}``, but with the page's session)."""
    viewer = await _planner(request)
    if not is_month(month) or kind not in MEDIA or not number.isdigit() or len(number) > 9:
        raise NotFound(f"Không có thông báo điều chỉnh {month}/{number}.{kind} (dạng .docx hoặc .pdf)")
    version = int(number)
    data = await _run(request, lambda s: documents.amendment(s, viewer.user, month, version, kind))
    return _download(data, kind, f"thong-bao-dieu-chinh-{month}-ban-{version}")


def _download(data: bytes, kind: str, name: str) -> Response:
    """A notice to save (never cached: a draft's changes with each edit)."""
    headers = {"Content-Disposition": f'attachment; filename="{name}.{kind}"', "Cache-Control": "no-store"}
    return Response(data, media_type=MEDIA[kind], headers=headers)
