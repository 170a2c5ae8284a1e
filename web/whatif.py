"""What-if pages (planners): make a scenario, run it, watch its run, compare scenarios.

``/kich-ban`` lists the scenarios of a month and has the form that makes one from the
page's few common changes (a delegate away on some days, a commune flagged, a meeting
moved, a delegate added); ``/kich-ban/{id}`` shows one, its changes in words and its runs
(the page refreshes itself while a run is queued or running, no script needed);
``/kich-ban/so-sanh?id=…&id=…`` puts the latest results side by side. Every rule is
:mod:`services.scenarios`' (who may, whether the changes apply, the job's checks).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.present_scenarios import compare_out
from api.schemas.scenario_changes import load_changes
from models.documents.collation import name_key
from models.labels import FLAG_LABELS, STATUS_LABELS
from models.storage import scenarios as store
from models.storage.clock import LOCAL
from models.storage.tables import CommuneRow, DelegateRow, MeetingRow
from services import scenarios
from services.access import require_planner
from services.errors import ServiceError
from services.scenario_runs import described
from web import session as web_session
from web.loopkit import (
    Errors,
    MonthAsked,
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
KINDS = {
    "delegate_away": "Đại biểu vắng một số ngày",
    "commune_flag": "Đổi mức quan tâm của xã/phường",
    "meeting_moved": "Dời một hội nghị",
    "delegate_added": "Thêm một đại biểu",
}
FIELDS = (
    "name", "month", "kind", "delegate", "from", "to", "commune", "flag", "reason",
    "meeting", "date", "time", "new_id", "new_name", "tier", "agency",
)  # fmt: skip


def _choices(session: Session, month: str) -> dict[str, Any]:
    return {
        "scenarios": list(store.listing(session, month)),
        "delegates": sorted(session.scalars(select(DelegateRow)), key=lambda d: (d.tier, name_key(d.name), d.id)),
        "communes": sorted(session.scalars(select(CommuneRow)), key=lambda c: (name_key(c.name), c.id)),
        "meetings": list(
            session.scalars(select(MeetingRow).where(MeetingRow.month == month).order_by(MeetingRow.starts_at))
        ),
    }


async def _list_page(
    request: Request,
    month: str | MonthAsked,
    errors: Errors | None = None,
    sent: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    viewer = await web_session.require(request)
    require_planner(viewer.user)
    asked = month if isinstance(month, MonthAsked) else MonthAsked(month)
    data = await _read(request, lambda s: _choices(s, asked.month))
    status = asked.status if asked.error else status
    context = {
        **data,
        **asked.context(),
        "errors": errors or {},
        "sent": sent or {},
        "KINDS": KINDS,
        "FLAGS": FLAG_LABELS,
    }
    return render(request, "whatif.html", context, status=status)


@router.get("/kich-ban")
async def scenarios_page(request: Request, thang: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    return await _list_page(request, month_query(thang, this_month()))


def _change(sent: dict[str, str], errors: Errors) -> dict[str, Any] | None:
    """The scenario's one change as the API's body would say it; errors beside the fields."""
    kind = sent["kind"]
    reason = sent["reason"] or None
    if kind == "delegate_away":
        start = day(sent["from"], "from", errors)
        end = day(sent["to"], "to", errors) if sent["to"] else start
        if not sent["delegate"]:
            errors["delegate"] = "Chọn đại biểu"
        if start and end and end < start:
            errors["to"] = "Ngày kết thúc phải từ ngày bắt đầu trở đi"
        if errors or start is None or end is None:
            return None
        change: dict[str, Any] = {"kind": kind, "delegate": sent["delegate"], "from": start, "to": end}
    elif kind == "commune_flag":
        if not sent["commune"]:
            errors["commune"] = "Chọn xã/phường"
        if sent["flag"] not in ("0", "1", "2"):
            errors["flag"] = "Chọn mức quan tâm"
        if not reason:
            errors["reason"] = "Đổi mức quan tâm phải ghi lý do"
        if errors:
            return None
        return {"kind": kind, "commune": sent["commune"], "flag": int(sent["flag"]), "reason": reason}
    elif kind == "meeting_moved":
        when = day(sent["date"], "date", errors)
        try:
            hour = dt.time.fromisoformat(sent["time"].zfill(5))
        except ValueError:
            errors["time"] = f"Giờ không đúng: “{sent['time']}”; nhập giờ:phút, ví dụ 07:30"
            hour = None
        if not sent["meeting"]:
            errors["meeting"] = "Chọn hội nghị"
        if errors or when is None or hour is None:
            return None
        change = {"kind": kind, "meeting": sent["meeting"], "start": dt.datetime.combine(when, hour, tzinfo=LOCAL)}
    elif kind == "delegate_added":
        tier = number(sent["tier"], "tier", errors, 1, 4)
        for name, label in (("new_id", "mã"), ("new_name", "họ tên"), ("agency", "cơ quan")):
            if not sent[name]:
                errors[name] = f"Cần nhập {label} của đại biểu mới"
        if errors or tier is None:
            return None
        person = {"id": sent["new_id"], "name": sent["new_name"], "tier": int(tier), "agency": sent["agency"]}
        change = {"kind": kind, "delegate": person}
    else:
        errors["kind"] = "Chọn một loại thay đổi"
        return None
    if reason:
        change["reason"] = reason
    return change


@router.post("/kich-ban")
async def create_scenario(request: Request) -> Response:
    viewer = await web_session.require(request)
    form = await request.form()
    web_session.check(form, viewer.csrf)
    require_planner(viewer.user)
    sent = values(form, *FIELDS)
    month = month_or_404(sent["month"] or this_month())
    errors: Errors = {}
    if not sent["name"]:
        errors["name"] = "Đặt tên cho kịch bản"
    change = _change(sent, errors)
    if errors or change is None:
        return await _list_page(request, month, errors, sent, status=422)

    def work(session: Session) -> int:
        changes = load_changes([change])
        shown = scenarios.create(session, viewer.user, name=sent["name"], month=month, changes=changes)
        return shown.scenario.id

    try:
        scenario_id = await _write(request, work)
    except ValidationError as error:
        names = {"from": "from", "to": "to", "delegate": "delegate", "start": "date", "commune": "commune"}
        found = schema_errors(error, names)
        return await _list_page(request, month, {"form": "Thay đổi không hợp lệ", **found}, sent, status=422)
    except ServiceError as error:
        return await _list_page(request, month, service_errors(error), sent, status=from_status(error))
    return RedirectResponse(f"/kich-ban/{scenario_id}", status_code=303)


def _one(session: Session, scenario_id: int) -> dict[str, Any]:
    scenario, prepared, problems = scenarios.show(session, scenario_id)
    jobs = list(store.active_jobs(session, scenario_id))
    results = list(store.results(session, scenario_id))
    return {
        "scenario": scenario,
        "words": described(prepared) if prepared else [],
        "problems": problems,
        "jobs": jobs,
        "results": results,
    }


@router.get("/kich-ban/so-sanh")
async def compare_page(request: Request, id: Annotated[list[int] | None, Query()] = None) -> Response:
    viewer = await web_session.require(request)
    require_planner(viewer.user)
    ids = (id or [])[:6]
    if len(ids) < 2:
        return render(
            request, "whatif_compare.html", {"table": None, "message": "Chọn ít nhất hai kịch bản để so sánh"}
        )
    try:
        table = await _read(request, lambda s: compare_out(scenarios.results_to_compare(s, ids)))
    except ServiceError as error:
        return render(
            request, "whatif_compare.html", {"table": None, "message": error.detail}, status=from_status(error)
        )
    return render(request, "whatif_compare.html", {"table": table, "message": None})


async def _scenario_view(
    request: Request, scenario_id: int, errors: Errors | None = None, done: str | None = None, status: int = 200
) -> Response:
    viewer = await web_session.require(request)
    require_planner(viewer.user)
    data = await _read(request, lambda s: _one(s, scenario_id))
    context = {**data, "errors": errors or {}, "done": done, "STATUS": STATUS_LABELS}
    return render(request, "whatif_one.html", context, status=status)


@router.get("/kich-ban/{scenario_id}")
async def scenario_page(request: Request, scenario_id: int, ban: Annotated[int | None, Query()] = None) -> Response:
    done = f"Đã tạo bản nháp số {ban} của tháng từ lịch của kịch bản." if ban else None
    return await _scenario_view(request, scenario_id, done=done)


@router.post("/kich-ban/{scenario_id}/dung")
async def adopt_scenario(request: Request, scenario_id: int) -> Response:
    """The scenario's schedule becomes a new draft of the month (the published one is untouched)."""
    viewer = await web_session.require(request)
    form = await request.form()
    web_session.check(form, viewer.csrf)
    require_planner(viewer.user)
    try:
        version = await _write(request, lambda s: scenarios.adopt(s, viewer.user, scenario_id).version)
    except ServiceError as error:
        lines = [error.detail, *(f"{i.value}: {i.message}" for i in error.issues[:10])]
        return await _scenario_view(request, scenario_id, {"form": " — ".join(lines)}, status=from_status(error))
    return RedirectResponse(f"/kich-ban/{scenario_id}?ban={version}", status_code=303)


@router.post("/kich-ban/{scenario_id}/chay")
async def run_scenario(request: Request, scenario_id: int) -> Response:
    viewer = await web_session.require(request)
    form = await request.form()
    web_session.check(form, viewer.csrf)
    require_planner(viewer.user)
    settings, runner = request.app.state.settings, request.app.state.runner

    def work(session: Session) -> None:
        scenarios.run(session, viewer.user, settings, runner, scenario_id)

    try:
        await _write(request, work)
    except ServiceError as error:
        return await _scenario_view(request, scenario_id, {"form": error.detail}, status=from_status(error))
    return RedirectResponse(f"/kich-ban/{scenario_id}", status_code=303)
