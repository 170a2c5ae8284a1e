"""The directory pages (planners): communes and their teams, delegates and their leave,
the month's meetings, roads; the Excel import and the downloads.

``/danh-muc`` lists everything with its add and edit forms; each form posts to its own
address and comes back to the page with the message beside the faulty field. An uploaded
workbook (``/danh-muc/nhap-excel``) is all or nothing: its bad cells are listed (sheet,
row, column, value, what is expected) and nothing is written. Every rule is a call into
``services/`` (who may, what is valid); nothing here writes a row itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from api import exports
from api.schemas.directory import CommuneIn, CommunePatch, DelegateIn, DelegatePatch, LeaveIn, TeamIn
from api.schemas.meetings import MeetingPatch
from api.schemas.roads import RoadIn, RoadPatch
from models.documents.collation import name_key
from models.errors import InputError
from models.labels import FLAG_LABELS, TIER_LABELS
from models.storage import schedules
from models.storage.clock import LOCAL, month_label
from models.storage.excel import MIME, WorkbookTooLarge
from models.storage.tables import CommuneRow, DelegateRow, MeetingRow, PlaceRow, RoadRow
from models.storage.themes import meeting_themes
from services import communes, delegates, documents, imports, meetings, roads
from services.access import require_planner
from services.errors import NotFound, ServiceError
from web import session as web_session
from web.loopkit import (
    Errors,
    _read,
    _write,
    day,
    from_status,
    month_or_404,
    month_query,
    number,
    schema_errors,
    service_errors,
    this_month,
    values,
)
from web.templating import render

router = APIRouter(include_in_schema=False)
UPLOAD_LIMIT = 5 * 1024 * 1024
#: The tiers as every other page names them (``1 Thường trực, 2 Ủy viên Ban Thường vụ, …``).
TIER_HINT = ", ".join(f"{tier} {label}" for tier, label in TIER_LABELS.items())


def _directory(session: Session, month: str) -> dict[str, Any]:
    found = list(session.scalars(select(MeetingRow).where(MeetingRow.month == month).order_by(MeetingRow.starts_at)))
    return {
        "communes": sorted(
            session.scalars(select(CommuneRow).options(selectinload(CommuneRow.teams))),
            key=lambda c: (name_key(c.name), c.id),
        ),
        "delegates": sorted(
            session.scalars(select(DelegateRow).options(selectinload(DelegateRow.leave))),
            key=lambda d: (d.tier, name_key(d.name), d.id),
        ),
        "meetings": found,
        # Each meeting's theme as every other view resolves it (its own, else the year plan's).
        "themes": meeting_themes(session, found),
        "roads": list(session.scalars(select(RoadRow).order_by(RoadRow.a, RoadRow.b))),
        "places": sorted(session.scalars(select(PlaceRow)), key=lambda p: (name_key(p.name or p.id), p.id)),
        "published": schedules.current(session, month) is not None,
    } | {
        "names": {
            **dict(session.execute(select(PlaceRow.id, PlaceRow.name)).all()),
            **dict(session.execute(select(CommuneRow.id, CommuneRow.name)).all()),
        }
    }


async def _page(
    request: Request,
    *,
    month: str | None = None,
    errors: Errors | None = None,
    form: str = "",
    sent: dict[str, str] | None = None,
    done: str | None = None,
    bad: list[imports.BadCell] | None = None,
    status: int = 200,
) -> Response:
    viewer = await web_session.require(request)
    require_planner(viewer.user)
    # A slip in ?thang= shows this month with the error beside the field (month_query).
    asked = month_query(month, this_month())
    month = asked.month
    data = await _read(request, lambda s: _directory(s, month))
    context = {
        **data,
        **asked.context(),
        "errors": errors or {},
        "which": form,
        "sent": sent or {},
        "done": done,
        "bad": bad,
        "FLAG_LABELS": FLAG_LABELS,
        "KINDS": KINDS,
        "tier_hint": TIER_HINT,
    }
    return render(request, "directory.html", context, status=asked.status if asked.error else status)


@router.get("/favicon.ico", include_in_schema=False)
async def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page links: the one icon, web/static/favicon.svg."""
    return RedirectResponse("/static/favicon.svg", status_code=301, headers={"Cache-Control": "public, max-age=86400"})


@router.get("/danh-muc")
async def directory_page(
    request: Request,
    thang: Annotated[str | None, Query(max_length=100)] = None,
    xong: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    return await _page(request, month=thang, done=xong)


async def _post(request: Request, names: tuple[str, ...]) -> tuple[Any, dict[str, str]]:
    viewer = await web_session.require(request)
    form = await request.form()
    web_session.check(form, viewer.csrf)
    require_planner(viewer.user)
    return viewer, values(form, *names)


async def _done(request: Request, which: str, sent: dict[str, str], work: Any, message: str) -> Response:
    try:
        await _write(request, work)
    except ValidationError as error:
        return await _page(request, errors=schema_errors(error), form=which, sent=sent, status=422)
    except ServiceError as error:
        return await _page(request, errors=service_errors(error), form=which, sent=sent, status=from_status(error))
    return RedirectResponse(f"/danh-muc?xong={message}", status_code=303)


def _flag(text: str, errors: Errors) -> int | None:
    if text not in ("0", "1", "2"):
        errors["flag"] = "Chọn mức: 0 ổn định, 1 cần quan tâm, 2 phức tạp"
        return None
    return int(text)


#: The kinds a commune may be (the select's options); "" is "not said".
KINDS = {"": "(không ghi)", "xa": "Xã", "phuong": "Phường", "thi_tran": "Thị trấn"}


def _kind(text: str, errors: Errors) -> str | None:
    if text not in KINDS:
        errors["kind"] = "Chọn xã, phường, thị trấn hoặc không ghi"
    return text or None


@router.post("/danh-muc/xa")
async def add_commune(request: Request) -> Response:
    viewer, sent = await _post(request, ("id", "name", "kind", "district", "flag", "flag_reason"))
    errors: Errors = {}
    flag = _flag(sent["flag"] or "0", errors)
    kind = _kind(sent["kind"], errors)
    if errors:
        return await _page(request, errors=errors, form="commune", sent=sent, status=422)

    def work(session: Session) -> None:
        body = CommuneIn.model_validate(
            {
                "id": sent["id"],
                "name": sent["name"],
                "kind": kind,
                # A blank field is "no district" (a province without that level).
                "district": sent["district"] or None,
                "flag": flag,
                "flag_reason": sent["flag_reason"] or None,
            }
        )
        communes.create(session, viewer.user, body)

    return await _done(request, "commune", sent, work, "Đã thêm xã/phường")


@router.post("/danh-muc/xa/{commune_id}/sua")
async def edit_commune(request: Request, commune_id: str) -> Response:
    """Name, kind and district (what the delegates' calendars write as the address)."""
    viewer, sent = await _post(request, ("name", "kind", "district"))
    which = f"commune-{commune_id}"
    errors: Errors = {}
    kind = _kind(sent["kind"], errors)
    if errors:
        return await _page(request, errors=errors, form=which, sent=sent, status=422)

    def work(session: Session) -> None:
        body = CommunePatch.model_validate({"name": sent["name"], "kind": kind, "district": sent["district"] or None})
        communes.update(session, viewer.user, commune_id, body)

    return await _done(request, which, sent, work, "Đã lưu thông tin xã/phường")


@router.post("/danh-muc/xa/{commune_id}/muc")
async def set_flag(request: Request, commune_id: str) -> Response:
    viewer, sent = await _post(request, ("flag", "flag_reason"))
    errors: Errors = {}
    flag = _flag(sent["flag"], errors)
    if flag and not sent["flag_reason"]:
        errors["flag_reason"] = "Xã cần quan tâm hoặc phức tạp phải ghi lý do"
    if errors:
        return await _page(request, errors=errors, form=f"flag-{commune_id}", sent=sent, status=422)

    def work(session: Session) -> None:
        body = CommunePatch.model_validate({"flag": flag, "flag_reason": sent["flag_reason"] or None})
        communes.update(session, viewer.user, commune_id, body)

    return await _done(request, f"flag-{commune_id}", sent, work, "Đã lưu mức quan tâm")


@router.post("/danh-muc/xa/{commune_id}/to")
async def add_team(request: Request, commune_id: str) -> Response:
    viewer, sent = await _post(request, ("id", "name"))

    def work(session: Session) -> None:
        communes.create_team(session, viewer.user, commune_id, TeamIn.model_validate(sent))

    return await _done(request, f"team-{commune_id}", sent, work, "Đã thêm tổ tuyên vận")


@router.post("/danh-muc/dai-bieu")
async def add_delegate(request: Request) -> Response:
    viewer, sent = await _post(request, ("id", "name", "title", "tier", "agency", "max_per_month", "base"))
    errors: Errors = {}
    tier = number(sent["tier"], "tier", errors, 1, 4)
    most = number(sent["max_per_month"] or "4", "max_per_month", errors, 0, 31)
    if errors or tier is None or most is None:
        return await _page(request, errors=errors, form="delegate", sent=sent, status=422)

    def work(session: Session) -> None:
        body = DelegateIn.model_validate(
            {
                "id": sent["id"],
                "name": sent["name"],
                "title": sent["title"] or None,
                "tier": int(tier),
                "agency": sent["agency"],
                "max_per_month": int(most),
                "base": sent["base"] or "hq",
            }
        )
        delegates.create(session, viewer.user, body)

    return await _done(request, "delegate", sent, work, "Đã thêm đại biểu")


@router.post("/danh-muc/dai-bieu/{delegate_id}/nghi")
async def add_leave(request: Request, delegate_id: str) -> Response:
    viewer, sent = await _post(request, ("from", "to", "reason"))
    which = f"leave-{delegate_id}"
    errors: Errors = {}
    start = day(sent["from"], "from", errors)
    end = day(sent["to"], "to", errors)
    if start and end and end < start:
        errors["to"] = "Ngày kết thúc phải từ ngày bắt đầu trở đi"
    if errors or start is None or end is None:
        return await _page(request, errors=errors, form=which, sent=sent, status=422)

    def work(session: Session) -> None:
        body = LeaveIn.model_validate(
            {"from": start.isoformat(), "to": end.isoformat(), "reason": sent["reason"] or None}
        )
        delegates.add_leave(session, viewer.user, delegate_id, body)

    return await _done(request, which, sent, work, "Đã thêm ngày nghỉ")


@router.post("/danh-muc/duong")
async def add_road(request: Request) -> Response:
    viewer, sent = await _post(request, ("a", "b", "minutes"))
    errors: Errors = {}
    minutes = number(sent["minutes"], "minutes", errors, 1, 1440, whole=False)
    if errors or minutes is None:
        return await _page(request, errors=errors, form="road", sent=sent, status=422)

    def work(session: Session) -> None:
        roads.create(session, viewer.user, RoadIn.model_validate({"a": sent["a"], "b": sent["b"], "minutes": minutes}))

    return await _done(request, "road", sent, work, "Đã thêm đường đi")


@router.post("/danh-muc/nhap-excel")
async def import_workbook(request: Request) -> Response:
    """Every bad cell of the workbook on the page, or every row written: never a part."""
    viewer = await web_session.require(request)
    form = await request.form(max_files=1, max_part_size=UPLOAD_LIMIT)
    web_session.check(form, viewer.csrf)
    require_planner(viewer.user)
    upload = form.get("workbook")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return await _page(request, errors={"workbook": "Hãy chọn một tệp Excel (.xlsx)"}, form="import", status=422)
    data = await upload.read(UPLOAD_LIMIT + 1)
    if len(data) > UPLOAD_LIMIT:
        return await _page(request, errors={"workbook": "Tệp lớn hơn 5 MB"}, form="import", status=413)
    try:
        summary = await _write(request, lambda s: imports.import_workbook(s, viewer.user, data))
    except WorkbookTooLarge as error:
        return await _page(request, errors={"workbook": error.issues[0].message}, form="import", status=413)
    except InputError as error:
        bad = imports.bad_cells(error)
        message = f"Tệp có {len(bad)} lỗi; chưa ghi gì. Hãy sửa các ô dưới đây rồi tải lên lại."
        return await _page(request, errors={"workbook": message}, form="import", bad=bad, status=422)
    except ServiceError as error:
        return await _page(request, errors={"workbook": error.detail}, form="import", status=from_status(error))
    told = ", ".join(f"{getattr(summary, k)} {label}" for k, label in IMPORTED.items() if getattr(summary, k))
    if summary.replan_months:
        told += "; cần lập lại lịch tháng " + ", ".join(month_label(m) for m in summary.replan_months)
    return RedirectResponse(f"/danh-muc?xong=Đã nhập tệp Excel ({told or 'không có dòng nào'})", status_code=303)


#: What an import counts, as the planner says it (``models.storage.importer.ImportSummary``).
IMPORTED = {
    "places": "địa điểm",
    "communes": "xã/phường",
    "teams": "tổ tuyên vận",
    "delegates": "đại biểu",
    "meetings": "hội nghị",
    "roads": "đường đi",
    "attendances": "lượt dự đã qua",
    "visits": "lượt thăm tổ",
    "pins": "cặp ghim hoặc cấm",
}


@router.post("/danh-muc/dai-bieu/{delegate_id}/sua")
async def edit_delegate(request: Request, delegate_id: str) -> Response:
    viewer, sent = await _post(request, ("name", "title", "tier", "agency", "max_per_month"))
    which = f"edit-{delegate_id}"
    errors: Errors = {}
    tier = number(sent["tier"], "tier", errors, 1, 4)
    most = number(sent["max_per_month"], "max_per_month", errors, 0, 31)
    if errors or tier is None or most is None:
        return await _page(request, errors=errors, form=which, sent=sent, status=422)

    def work(session: Session) -> None:
        body = DelegatePatch.model_validate(
            {
                "name": sent["name"],
                "title": sent["title"] or None,
                "tier": int(tier),
                "agency": sent["agency"],
                "max_per_month": int(most),
            }
        )
        delegates.update(session, viewer.user, delegate_id, body)

    return await _done(request, which, sent, work, "Đã lưu thông tin đại biểu")


@router.post("/danh-muc/duong/{road_id}")
async def edit_road(request: Request, road_id: int) -> Response:
    viewer, sent = await _post(request, ("minutes",))
    which = f"road-{road_id}"
    errors: Errors = {}
    minutes = number(sent["minutes"], "minutes", errors, 1, 1440, whole=False)
    if errors or minutes is None:
        return await _page(request, errors=errors, form=which, sent=sent, status=422)

    def work(session: Session) -> None:
        roads.update(session, viewer.user, road_id, RoadPatch.model_validate({"minutes": minutes}))

    return await _done(request, which, sent, work, "Đã lưu đường đi")


@router.post("/danh-muc/dai-bieu/{delegate_id}/nghi/{leave_id}/xoa")
async def delete_leave(request: Request, delegate_id: str, leave_id: int) -> Response:
    viewer, sent = await _post(request, ())

    def work(session: Session) -> None:
        delegates.delete_leave(session, viewer.user, delegate_id, leave_id)

    return await _done(request, f"leave-{delegate_id}", sent, work, "Đã xóa ngày nghỉ")


@router.post("/danh-muc/duong/{road_id}/xoa")
async def delete_road(request: Request, road_id: int) -> Response:
    viewer, sent = await _post(request, ())

    def work(session: Session) -> None:
        roads.delete(session, viewer.user, road_id)

    return await _done(request, f"road-{road_id}", sent, work, "Đã xóa đường đi")


@router.post("/danh-muc/hoi-nghi/{meeting_id}")
async def move_meeting(request: Request, meeting_id: str) -> Response:
    """A planner moves a meeting (a published month it leaves or enters gets a re-plan notice)."""
    viewer, sent = await _post(request, ("date", "time", "month"))
    which = f"meeting-{meeting_id}"
    errors: Errors = {}
    when = day(sent["date"], "date", errors)
    try:
        hour = dt.time.fromisoformat(sent["time"].zfill(5))
    except ValueError:
        errors["time"] = f"Giờ không đúng: “{sent['time']}”; nhập giờ:phút, ví dụ 07:30"
        hour = None
    if errors or when is None or hour is None:
        return await _page(request, month=sent["month"] or None, errors=errors, form=which, sent=sent, status=422)
    start = dt.datetime.combine(when, hour, tzinfo=LOCAL)

    def work(session: Session) -> None:
        meetings.move(session, viewer.user, meeting_id, MeetingPatch.model_validate({"start": start.isoformat()}))

    return await _done(request, which, sent, work, "Đã dời hội nghị")


# -- downloads ------------------------------------------------------------------------


def _file(data: bytes, media: str, name: str) -> Response:
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@router.get("/danh-muc/mau.xlsx")
async def blank_template(request: Request) -> Response:
    viewer = await web_session.require(request)
    data = await _read(request, lambda s: documents.template(viewer.user))
    return _file(data, MIME, "mau-phan-cong.xlsx")


@router.get("/danh-muc/{month}/thong-bao.{kind}")
async def notice(request: Request, month: str, kind: str) -> Response:
    viewer = await web_session.require(request)
    month_or_404(month)
    if kind not in ("docx", "pdf"):
        raise NotFound("Thông báo có dạng .docx hoặc .pdf")
    require_planner(viewer.user)
    data = await _read(request, lambda s: documents.notice(s, viewer.user, month, kind))
    media = (
        "application/pdf"
        if kind == "pdf"
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    return _file(data, media, f"thong-bao-{month}.{kind}")


@router.get("/danh-muc/{month}/lich.xlsx")
async def schedule_workbook(request: Request, month: str) -> Response:
    viewer = await web_session.require(request)
    month_or_404(month)
    require_planner(viewer.user)

    def work(session: Session) -> bytes:
        schedule = schedules.current(session, month)
        if schedule is None:
            raise NotFound(f"Tháng {month} chưa có lịch công bố")
        return exports.workbook(session, schedule)

    return _file(await _read(request, work), MIME, f"phan-cong-{month}.xlsx")
