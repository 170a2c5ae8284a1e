"""The planner's workspace pages: the month, solving it, changing one seat, publishing,
the versions and their differences, the balance chart and the fragile seats.

``/thang/YYYY-MM`` is the month for a planner (:func:`month_page`, called by
:func:`web.pages.month_page`; delegates and communes keep their own view there), with
a GET form of filters (``coquan`` agency, ``cap`` tier, ``xa`` commune, ``tuan`` ISO
week, ``ban`` the version shown). Under it:

* ``POST /thang/M/lap-lich`` starts a solve job; ``/thang/M/lap-lich/JOB`` follows it (a
  progress bar fed by ``…/su-kien``, server-sent events of the job's stored state read
  with the page's session), ``POST …/dung`` stops it keeping the best schedule so far;
* ``/thang/M/hoi-nghi/MEETING`` the candidates for one seat; ``POST`` there previews
  the change (dry run), saves it, pins, forbids or releases a delegate;
* ``POST /thang/M/ban/ID/hoan-tac`` undo, ``…/sao-chep`` a draft from a version,
  ``/thang/M/ban/ID/cong-bo`` publishing with a confirmation;
* ``/thang/M/ban`` the history and the difference of two versions (and, with the month's
  page and the publish page, the links to each published version's amendment notice,
  :mod:`web.notice`);
* ``/thang/M/can-bang`` the workload chart (SVG drawn here), ``/thang/M/do-vung`` how
  many could take each seat.

Every rule is a call into ``services/``; every form that changes data carries the
session's CSRF token. The pages work without script; ``/static/workspace.js`` only makes
the progress bar live.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import from_service
from models.errors import Issue
from models.labels import STATUS_LABELS, number_vn, term_label
from models.rules import TERMS
from models.storage import config
from models.storage import jobs as job_store
from models.storage.clock import is_month, month_label
from models.storage.db import Database
from models.storage.tables import DelegateRow, JobRow, ScheduleRow
from services import candidates, jobs, requests, robustness, versions, workload, workspace
from services import schedules as schedule_service
from services.access import require_planner
from services.errors import Invalid, NotFound, ServiceError
from services.workspace import Filters
from web import session as web_session
from web.session import Viewer
from web.templating import render

router = APIRouter(include_in_schema=False)
Errors = dict[str, str]
T = TypeVar("T")
Short = Annotated[str | None, Query(max_length=64)]

# The workspace's own script (progress, dialogs) and its event stream: the pages' policy
# plus script and connections from this site only.
CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'"
)
MONTH_QUERY = ("ban", "coquan", "cap", "xa", "tuan", "xong")
FILTER_FIELDS = {"agency": "coquan", "tier": "cap", "commune": "xa", "week": "tuan"}
JOB_LABELS = {
    "queued": "đang chờ",
    "running": "đang giải",
    "done": "xong",
    "failed": "thất bại",
    "cancelled": "đã dừng",
}
DONE = {
    "hoan-tac": "Đã hoàn tác thay đổi gần nhất.",
    "cong-bo": "Đã công bố bản lịch; đại biểu và xã/phường thấy lịch này.",
    "sao-chep": "Đã tạo bản nháp mới từ bản lịch này; có thể sửa từng chỗ.",
}


def form_seconds(text: str, cap: float, unit: str = "") -> tuple[float | None, str | None]:
    """A form's solve seconds (whole, from 1 to the server's cap, which the field's hint
    states) and what is wrong with them. The API cuts a larger value to the cap; a planner
    who typed it is told beside the field instead."""
    given, most = _int(text), int(cap)
    if given is None or given < 1:
        return None, f"Thời gian giải là số giây từ 1 đến {most}{unit}; đã nhập “{text}”"
    if given > most:
        return None, f"Thời gian giải tối đa {most} giây{unit} (giới hạn của máy chủ); đã nhập {given}"
    return float(given), None


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    response = render(request, name, context, status=status)
    response.headers["Content-Security-Policy"] = CSP
    return response


def _database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


def progress_events(
    database: Database, settings: Any, job_id: str, state_of: Callable[[JobRow], dict[str, Any]]
) -> StreamingResponse:
    """A job's progress as server-sent events: one ``progress`` event each time its state
    (``state_of`` the stored row) changes, then ``end``; the month's solve and the year's
    range plan alike. Polls the database, so it follows a job whichever process runs it."""

    def snapshot() -> dict[str, Any] | None:
        with database.reader() as session:
            row = session.get(JobRow, job_id)
            return None if row is None else state_of(row)

    async def stream() -> AsyncIterator[str]:
        last = None
        deadline = time.monotonic() + settings.sse_max_seconds
        yield "retry: 2000\n\n"
        while True:
            state = await asyncio.to_thread(snapshot)
            if state is None:
                return
            data = json.dumps(state, ensure_ascii=False)
            if data != last:
                last = data
                yield f"event: {'end' if state['finished'] else 'progress'}\ndata: {data}\n\n"
            if state["finished"] or time.monotonic() > deadline:
                return
            await asyncio.sleep(settings.sse_poll_seconds)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )


async def _read(request: Request, work: Callable[[Session], T]) -> T:
    def run() -> T:
        with _database(request).reader() as session:
            result = work(session)
            session.expunge_all()
            return result

    return await run_in_threadpool(run)


async def _write(request: Request, work: Callable[[Session], T]) -> T:
    def run() -> T:
        with _database(request).writer() as session:
            return work(session)

    return await run_in_threadpool(run)


async def _planner(request: Request, month: str) -> Viewer:
    viewer = await web_session.require(request)
    require_planner(viewer.user)
    if not is_month(month):
        raise NotFound(f"Không có tháng {month} (địa chỉ dạng /thang/YYYY-MM)")
    return viewer


async def _form(request: Request, viewer: Viewer) -> dict[str, str]:
    """The posted form's fields (CSRF checked first: a refused form writes nothing)."""
    form = await request.form()
    web_session.check(form, viewer.csrf)
    require_planner(viewer.user)
    return {k: str(v).strip()[:200] for k, v in form.items() if isinstance(v, str)}


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 10 else None


def _status(error: ServiceError) -> int:
    return from_service(error).status


def _issue_text(error: ServiceError) -> str:
    """The error and each of its issues, as one sentence a planner reads."""
    details = [i.message for i in error.issues if i.message and i.message not in error.detail]
    return error.detail + (": " + "; ".join(details) if details else "")


def _terms(session: Session, counts: dict[str, int]) -> list[dict[str, Any]]:
    """Each score term's count and points in the planner's words."""
    rules = config.rules(session)
    return [
        {
            "term": t,
            "label": term_label(t, rules.rotation_months),
            "count": int(counts.get(t, 0)),
            "points": int(counts.get(t, 0)) * rules.weight(t),
        }
        for t in TERMS
    ]


# -- the month ------------------------------------------------------------------------


async def month_page(request: Request, viewer: Viewer, month: str) -> Response:
    """The planner's month at ``/thang/YYYY-MM`` (called by :func:`web.pages.month_page`)."""
    require_planner(viewer.user)
    query = request.query_params
    unknown = [name for name in query if name not in MONTH_QUERY]
    if unknown:
        raise Invalid(
            f"Tham số truy vấn không được hỗ trợ: {', '.join(unknown)}",
            [Issue(f"query.{n}", query.get(n), "tham số không được hỗ trợ") for n in unknown],
        )
    values = {k: (query.get(k) or "").strip()[:100] for k in MONTH_QUERY}
    return await _month(request, viewer, month, values, {}, status=200)


def tier_filter(values: dict[str, str], errors: Errors) -> int | None:
    """The ``cap`` (tier) filter of a planner's page, its refusal put under ``cap``."""
    if not values.get("cap"):
        return None
    tier = _int(values["cap"])
    if tier is None:
        errors["cap"] = "Cấp là số từ 1 (Thường trực) đến 4 (Chuyên viên)"
    return tier


async def _month(
    request: Request, viewer: Viewer, month: str, values: dict[str, str], errors: Errors, status: int
) -> Response:
    errors = dict(errors)
    tier = tier_filter(values, errors)
    schedule_id = None
    if values.get("ban"):
        schedule_id = _int(values["ban"])
        if schedule_id is None:
            errors["ban"] = "Mã bản lịch là một số"
    filters = Filters(
        agency=values.get("coquan") or None,
        tier=tier,
        commune=values.get("xa") or None,
        week=values.get("tuan") or None,
    )
    user = viewer.user

    def work(session: Session) -> tuple[workspace.WorkspaceOut, list[dict[str, Any]], set[str], list[int]]:
        try:
            view = workspace.month_view(session, user, month, schedule_id=schedule_id, filters=filters)
        except Invalid as error:
            for issue in error.issues:
                errors.setdefault(FILTER_FIELDS.get(issue.path, "form"), issue.message)
            view = workspace.month_view(session, user, month, schedule_id=schedule_id)
        chosen = session.get(ScheduleRow, view.schedule.id) if view.schedule else None
        terms = _terms(session, dict(chosen.terms)) if chosen else []
        # A meeting with a request waiting for the Board says so, as the commune's view does.
        pending = requests.pending_meetings(session, [m.id for m in view.meetings])
        return view, terms, pending, amended_versions(session, month)

    view, terms, pending, amended = await _read(request, work)
    if errors and status == 200:
        status = 422
    days: dict[Any, list[workspace.MeetingCell]] = {}
    for cell in view.meetings:
        days.setdefault(cell.date, []).append(cell)
    context = {
        "month": month,
        "view": view,
        "days": days,
        "terms": terms,
        "options": {
            "coquan": [(a, a) for a in view.agencies],
            "cap": [(o.value, o.label) for o in view.tiers],
            "xa": [(o.value, o.label) for o in view.communes],
            "tuan": [(o.value, o.label) for o in view.weeks],
        },
        "values": values,
        "errors": errors,
        "done": DONE.get(values.get("xong", "")),
        "max_seconds": request.app.state.settings.max_solve_seconds,
        "pending": pending,
        "pending_label": requests.PENDING,
        "amended": amended,
    }
    return _page(request, "ws_month.html", context, status=status)


def amended_versions(session: Session, month: str) -> list[int]:
    """The numbers of the month's published versions planned against an earlier one: each
    has an amendment notice (thông báo điều chỉnh)."""
    return list(
        session.scalars(
            select(ScheduleRow.version)
            .where(ScheduleRow.month == month, ScheduleRow.status != "draft", ScheduleRow.base_id.is_not(None))
            .order_by(ScheduleRow.version)
        )
    )


# -- solving ------------------------------------------------------------------------------


@router.post("/thang/{month}/lap-lich")
async def start_solve(request: Request, month: str) -> Response:
    viewer = await _planner(request, month)
    form = await _form(request, viewer)
    settings = request.app.state.settings
    runner = request.app.state.runner
    seconds: float | None = None
    text = form.get("giay", "")
    if text:
        seconds, error = form_seconds(text, settings.max_solve_seconds)
        if error is not None:
            values = dict.fromkeys(MONTH_QUERY, "") | {"giay": text}
            return await _month(request, viewer, month, values, {"giay": error}, status=422)
    changes_first = form.get("it_doi") == "1"

    def work(session: Session) -> str:
        started = jobs.start_solve(
            session, viewer.user, settings, runner, month, seconds=seconds, changes_first=changes_first
        )
        return started.job.id

    try:
        job_id = await _write(request, work)
    except ServiceError as error:
        values = dict.fromkeys(MONTH_QUERY, "") | {"giay": text}
        return await _month(request, viewer, month, values, {"giay": _issue_text(error)}, status=_status(error))
    return RedirectResponse(f"/thang/{month}/lap-lich/{job_id}", status_code=303)


def _job_state(row: JobRow) -> dict[str, Any]:
    """What the progress bar shows of a job (the page and its events say the same)."""
    seconds = row.progress_seconds or 0.0
    if not seconds and row.started_at and row.finished_at:
        seconds = (row.finished_at - row.started_at).total_seconds()
    return {
        "status": row.status,
        "status_label": JOB_LABELS.get(row.status, row.status),
        "finished": row.status in job_store.FINISHED,
        "seconds": round(seconds, 1),
        "seconds_label": number_vn(seconds, 1),
        "time_limit": row.time_limit,
        "best_score": row.best_score,
        "bound": row.bound,
        "schedule": row.schedule_id,
    }


def _job(session: Session, month: str, job_id: str) -> JobRow:
    row = session.get(JobRow, job_id[:32])
    if row is None or row.month != month or row.scenario_id is not None:
        raise NotFound(f"Tháng {month_label(month)} không có lượt giải {job_id}")
    return row


@router.get("/thang/{month}/lap-lich/{job_id}")
async def job_page(request: Request, month: str, job_id: str) -> Response:
    await _planner(request, month)

    def work(session: Session) -> dict[str, Any]:
        row = _job(session, month, job_id)
        result = session.get(ScheduleRow, row.schedule_id) if row.schedule_id else None
        # What the solve itself reported (the draft's own status when the job has none).
        verdict = row.result_status or (result.solver_status if result else None) or ""
        return {
            "job": row,
            "state": _job_state(row),
            "result": result,
            "proved": result is not None and verdict == "optimal",
            "result_label": STATUS_LABELS.get(verdict, verdict),
            "terms": _terms(session, dict(result.terms)) if result else [],
        }

    context = await _read(request, work)
    return _page(request, "ws_job.html", {"month": month, **context})


@router.get("/thang/{month}/lap-lich/{job_id}/su-kien")
async def job_events(request: Request, month: str, job_id: str) -> Response:
    """The job's state as server-sent events: ``progress`` when it changes, ``end`` once."""
    await _planner(request, month)
    await _read(request, lambda s: _job(s, month, job_id))
    settings = request.app.state.settings

    return progress_events(_database(request), settings, job_id, _job_state)


@router.post("/thang/{month}/lap-lich/{job_id}/dung")
async def cancel_solve(request: Request, month: str, job_id: str) -> Response:
    viewer = await _planner(request, month)
    await _form(request, viewer)
    runner = request.app.state.runner

    def work(session: Session) -> None:
        _job(session, month, job_id)
        jobs.cancel(session, viewer.user, runner, job_id)

    try:
        await _write(request, work)
    except ServiceError as error:
        if _status(error) != 409:  # already finished: the page says how it ended
            raise
    return RedirectResponse(f"/thang/{month}/lap-lich/{job_id}", status_code=303)


# -- one seat -----------------------------------------------------------------------------


async def _seat_page(
    request: Request,
    viewer: Viewer,
    month: str,
    meeting_id: str,
    schedule_id: int | None,
    replace: str | None,
    *,
    errors: Errors | None = None,
    preview: dict[str, Any] | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    user = viewer.user
    errors = dict(errors or {})

    def work(session: Session) -> dict[str, Any]:
        view = workspace.month_view(session, user, month, schedule_id=schedule_id)
        cell = next((c for c in view.meetings if c.id == meeting_id), None)
        if cell is None:
            raise NotFound(f"Tháng {month_label(month)} không có hội nghị {meeting_id}")
        ranked = choose = None
        try:
            ranked = candidates.rank(session, user, month, meeting_id, schedule_id=schedule_id, replace=replace)
        except Invalid as error:
            if not any(i.path == "replace" for i in error.issues):
                raise
            choose = error.detail
        if ranked is not None and errors:
            # A refused candidate: say it with the rule and the fact in the planner's words
            # (dd/mm, names), as the list does, rather than the edit's technical message.
            for c in ranked.candidates:
                if c.delegate in errors and c.blockers:
                    words = "; ".join(f"{b.rule} {b.rule_label}: {b.fact}" for b in c.blockers)
                    errors[c.delegate] = errors["form"] = f"{c.name} không nhận được chỗ này — {words}"
        return {"view": view, "cell": cell, "ranked": ranked, "choose": choose}

    data = await _read(request, work)
    ranked = data["ranked"]
    if replace is None and ranked is not None and ranked.seat.replacing is not None:
        # A full one-seat meeting: the candidates were ranked for its one seat, and "Chọn"
        # must replace that person (it added a second one, which could only be refused).
        replace = ranked.seat.replacing.delegate
    context = {
        "month": month,
        **data,
        "replace": replace or "",
        "errors": errors,
        "preview": preview,
        "done": done,
    }
    return _page(request, "ws_seat.html", context, status=status)


@router.get("/thang/{month}/hoi-nghi/{meeting_id}")
async def seat_page(request: Request, month: str, meeting_id: str, ban: Short = None, thay: Short = None) -> Response:
    viewer = await _planner(request, month)
    return await _seat_page(request, viewer, month, meeting_id[:64], _int(ban), thay or None)


@router.post("/thang/{month}/hoi-nghi/{meeting_id}")
async def change_seat(request: Request, month: str, meeting_id: str) -> Response:
    """``buoc``: ``xem`` preview the change, ``luu`` save it, ``ghim``/``cam``/``bo`` pin,
    forbid or release the delegate ``nguoi`` at the meeting."""
    viewer = await _planner(request, month)
    form = await _form(request, viewer)
    meeting_id = meeting_id[:64]
    step = form.get("buoc", "")
    person = form.get("nguoi", "")
    replace = form.get("thay") or None
    schedule_id = _int(form.get("ban"))
    user = viewer.user
    if not person:
        errors = {"form": "Hãy chọn một đại biểu"}
        return await _seat_page(request, viewer, month, meeting_id, schedule_id, replace, errors=errors, status=422)
    if step in ("ghim", "cam", "bo"):
        action = {"ghim": candidates.pin, "cam": candidates.forbid, "bo": candidates.release}[step]
        words = {"ghim": "Đã ghim", "cam": "Đã cấm", "bo": "Đã bỏ ghim/cấm"}[step]

        def pin_work(session: Session) -> str:
            action(session, user, meeting_id, person)
            row = session.get(DelegateRow, person)
            return row.name if row else person

        try:
            name = await _write(request, pin_work)
        except ServiceError as error:
            errors = {person: _issue_text(error), "form": _issue_text(error)}
            return await _seat_page(
                request, viewer, month, meeting_id, schedule_id, replace, errors=errors, status=_status(error)
            )
        return await _seat_page(request, viewer, month, meeting_id, schedule_id, replace, done=f"{words} {name}.")
    if step not in ("xem", "luu") or schedule_id is None:
        errors = {"form": "Thao tác không hợp lệ"}
        return await _seat_page(request, viewer, month, meeting_id, schedule_id, replace, errors=errors, status=422)
    dry = step == "xem"
    etag = form.get("etag") or None

    def work(session: Session) -> dict[str, Any]:
        applied = candidates.apply(
            session, user, schedule_id, meeting_id, person, replace=replace, if_match=etag, dry_run=dry
        )
        return {
            "person": person,
            "before": applied.total_before,
            "after": applied.total_after,
            "delta": applied.total_delta,
            "terms": [t for t in _terms(session, applied.delta) if t["count"]],
            "etag": applied.etag,
        }

    try:
        result = await _write(request, work)
    except ServiceError as error:
        errors = {person: _issue_text(error), "form": _issue_text(error)}
        return await _seat_page(
            request, viewer, month, meeting_id, schedule_id, replace, errors=errors, status=_status(error)
        )
    if dry:
        return await _seat_page(request, viewer, month, meeting_id, schedule_id, replace, preview=result)
    done = f"Đã lưu: điểm {result['before']} → {result['after']} ({result['delta']:+d})."
    return await _seat_page(request, viewer, month, meeting_id, schedule_id, None, done=done)


# -- versions -------------------------------------------------------------------------------


@router.post("/thang/{month}/ban/{schedule_id}/hoan-tac")
async def undo(request: Request, month: str, schedule_id: int) -> Response:
    viewer = await _planner(request, month)
    form = await _form(request, viewer)
    etag = form.get("etag") or None
    try:
        await _write(request, lambda s: candidates.undo(s, viewer.user, schedule_id, if_match=etag))
    except ServiceError as error:
        values = dict.fromkeys(MONTH_QUERY, "") | {"ban": str(schedule_id)}
        return await _month(request, viewer, month, values, {"form": _issue_text(error)}, status=_status(error))
    return RedirectResponse(f"/thang/{month}?ban={schedule_id}&xong=hoan-tac", status_code=303)


@router.post("/thang/{month}/ban/{schedule_id}/sao-chep")
async def copy(request: Request, month: str, schedule_id: int) -> Response:
    viewer = await _planner(request, month)
    await _form(request, viewer)

    def work(session: Session) -> int:
        source = _version(session, month, schedule_id)
        return schedule_service.copy(session, viewer.user, source.id).id

    draft = await _write(request, work)
    return RedirectResponse(f"/thang/{month}?ban={draft}&xong=sao-chep", status_code=303)


def _version(session: Session, month: str, schedule_id: int) -> ScheduleRow:
    row = session.get(ScheduleRow, schedule_id)
    if row is None or row.month != month:
        raise NotFound(f"Tháng {month_label(month)} không có bản lịch {schedule_id}")
    return row


async def _publish_page(
    request: Request, viewer: Viewer, month: str, schedule_id: int, error: str | None, status: int = 200
) -> Response:
    def work(session: Session) -> dict[str, Any]:
        row = _version(session, month, schedule_id)
        history = versions.history(session, viewer.user, month)
        diff = None
        if history.in_force is not None and history.in_force != row.id:
            diff = versions.diff(session, viewer.user, month, history.in_force, row.id)
        chosen = next(v for v in history.versions if v.id == row.id)
        return {"version": chosen, "diff": diff, "terms": _terms(session, dict(row.terms))}

    data = await _read(request, work)
    context = {"month": month, **data, "error": error}
    return _page(request, "ws_publish.html", context, status=status)


@router.get("/thang/{month}/ban/{schedule_id}/cong-bo")
async def publish_form(request: Request, month: str, schedule_id: int) -> Response:
    viewer = await _planner(request, month)
    return await _publish_page(request, viewer, month, schedule_id, None)


@router.post("/thang/{month}/ban/{schedule_id}/cong-bo")
async def publish(request: Request, month: str, schedule_id: int) -> Response:
    viewer = await _planner(request, month)
    form = await _form(request, viewer)
    if form.get("xac_nhan") != "1":
        error = "Hãy đánh dấu ô xác nhận trước khi công bố"
        return await _publish_page(request, viewer, month, schedule_id, error, status=422)
    etag = form.get("etag") or None
    # As POST /schedules/{id}/publish does (api.routes.schedules): the app's deliverer writes
    # the notifications in the publication's transaction and is kicked after its commit (by
    # the service), so delegates and communes hear of a page publication as of an API one.
    # The inbox's re-plan drafts are published here too (inbox_replan.html links this page).
    deliverer = request.app.state.deliverer
    webhook = request.app.state.settings.webhook_url is not None

    def work(session: Session) -> None:
        _version(session, month, schedule_id)
        schedule_service.publish(session, viewer.user, schedule_id, etag, outbox=deliverer, webhook=webhook)

    try:
        await _write(request, work)
    except ServiceError as error:
        return await _publish_page(request, viewer, month, schedule_id, _issue_text(error), status=_status(error))
    return RedirectResponse(f"/thang/{month}?ban={schedule_id}&xong=cong-bo", status_code=303)


@router.get("/thang/{month}/ban")
async def history_page(request: Request, month: str, truoc: Short = None, sau: Short = None) -> Response:
    viewer = await _planner(request, month)
    before, after = truoc or "", sau or ""
    errors: Errors = {}
    if before and _int(before) is None:
        errors["truoc"] = "Chọn một bản lịch"
    if after and _int(after) is None:
        errors["sau"] = "Chọn một bản lịch"

    def work(session: Session) -> dict[str, Any]:
        history = versions.history(session, viewer.user, month)
        diff = None
        a, b = _int(before), _int(after)
        if a is not None and b is not None and not errors:
            try:
                diff = versions.diff(session, viewer.user, month, a, b)
            except (NotFound, Invalid) as error:
                errors["sau"] = _issue_text(error)
        return {"history": history, "diff": diff}

    data = await _read(request, work)
    context = {"month": month, **data, "before": before, "after": after, "errors": errors}
    return _page(request, "ws_history.html", context, status=422 if errors else 200)


# -- workload and robustness ---------------------------------------------------------------

ROW = 18
LABEL = 170
BAR = 260


def load_chart(group: workload.GroupLoad) -> Markup:
    """Horizontal bars, one per delegate: this month (dark) over twelve months (light)."""
    people = group.delegates
    top = max([p.twelve_months for p in people] + [1])
    height = ROW * len(people) + 24
    width = LABEL + BAR + 60
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="Số buổi của từng đại biểu — {escape(group.label)}">'
    ]
    for i, p in enumerate(people):
        y = i * ROW + 4
        long = BAR * p.twelve_months / top
        short = BAR * p.month / top
        name = escape(p.name if len(p.name) <= 26 else p.name[:25] + "…")
        words = escape(f"{p.name}: {p.month} buổi tháng này, {p.twelve_months} buổi trong mười hai tháng")
        parts.append(
            f'<g><title>{words}</title><text x="{LABEL - 6}" y="{y + 12}" text-anchor="end">{name}</text>'
            f'<rect class="year" x="{LABEL}" y="{y}" width="{long:.1f}" height="{ROW - 5}"/>'
            f'<rect class="month" x="{LABEL}" y="{y + 3}" width="{short:.1f}" height="{ROW - 11}"/>'
            f'<text x="{LABEL + long + 4:.1f}" y="{y + 12}">{p.month} / {p.twelve_months}</text></g>'
        )
    parts.append("</svg>")
    # Every piece of data in it was escaped above: safe to inline.
    return Markup("".join(parts))


@router.get("/thang/{month}/can-bang")
async def workload_page(request: Request, month: str, ban: Short = None) -> Response:
    viewer = await _planner(request, month)
    schedule_id = _int(ban)
    view = await _read(request, lambda s: workload.workload(s, viewer.user, month, schedule_id=schedule_id))
    charts = [(g, load_chart(g)) for g in view.groups]
    return _page(request, "ws_workload.html", {"month": month, "view": view, "charts": charts})


@router.get("/thang/{month}/do-vung")
async def robustness_page(request: Request, month: str) -> Response:
    viewer = await _planner(request, month)

    def work(session: Session) -> robustness.RobustnessOut | None:
        try:
            return robustness.robustness(session, viewer.user, month)
        except NotFound:
            return None

    view = await _read(request, work)
    return _page(request, "ws_robustness.html", {"month": month, "view": view})
