"""The planner's year: ``/nam/YYYY`` and planning a range of months jointly from it.

* ``/nam/YYYY`` the grid of the year (communes down, months across, who goes to each
  meeting in the month's version in force, else its newest draft, marked as such) and
  each delegate's load over the year (meetings per month, the year's total, the months
  above their maximum; an SVG chart); a GET form of filters (``coquan`` agency, ``cap``
  tier), as the month page has;
* ``POST /nam/YYYY/lap-lich`` (``tu``, ``den`` months as MM/YYYY, ``giay`` seconds per
  month) starts a range job through :func:`services.jobs.start_range`, the call
  ``POST /solves`` makes; ``/nam/YYYY/lap-lich/JOB`` follows it with the month solve's
  progress bar and events (``…/su-kien``), ``POST …/dung`` stops it, and once it ends
  says whether the joint score is proved optimal (or its gap) and links each month's
  draft; under a year none of the job's months is in, these addresses are not found.

Planners only (:func:`services.access.require_planner`, the refusal of every planner
page); the forms carry the session's CSRF token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from api.present import proof_label
from models.contract import YEARS, YEARS_TEXT
from models.labels import TIER_LABELS, number_vn
from models.storage import jobs as job_store
from models.storage.clock import month_label
from models.storage.tables import JobRow, ScheduleRow
from services import jobs, yearview
from services.access import require_planner
from services.errors import Invalid, NotFound, ServiceError
from services.months import months_between
from services.yearview import YearFilters
from web import session as web_session
from web.loopkit import parse_month  # the one reading of a month field (MM/YYYY or YYYY-MM)
from web.session import Viewer
from web.workspace import (
    JOB_LABELS,
    _form,
    _issue_text,
    _page,
    _read,
    _status,
    _write,
    form_seconds,
    progress_events,
    tier_filter,
)

router = APIRouter(include_in_schema=False)
Errors = dict[str, str]
YEAR_QUERY = ("coquan", "cap")
FORM_FIELDS = ("tu", "den", "giay")
Filter = Annotated[str | None, Query(max_length=100)]


async def _planner(request: Request, year: str) -> tuple[Viewer, int]:
    viewer = await web_session.require(request)
    require_planner(viewer.user)
    number = yearview.check_year(year)
    if number not in YEARS:  # its months would not exist (/thang/1999-03 is no month)
        raise NotFound(f"Không có năm {number}: lịch được lập cho các năm {YEARS_TEXT}")
    return viewer, number


# -- the year -------------------------------------------------------------------------


@router.get("/nam/{year}")
async def year_page(request: Request, year: str, coquan: Filter = None, cap: Filter = None) -> Response:
    """The year; ``coquan`` an agency, ``cap`` a tier (a GET form, bookmarkable)."""
    viewer, number = await _planner(request, year)
    values = {"coquan": (coquan or "").strip(), "cap": (cap or "").strip()}
    return await _year(request, viewer, number, values, {}, status=200)


async def _year(
    request: Request, viewer: Viewer, year: int, values: dict[str, str], errors: Errors, status: int
) -> Response:
    errors = dict(errors)
    tier = tier_filter(values, errors)
    filters = YearFilters(agency=values.get("coquan") or None, tier=tier)
    names = {"agency": "coquan", "tier": "cap"}

    def work(session: Session) -> yearview.YearOut:
        try:
            return yearview.year_view(session, viewer.user, year, filters)
        except Invalid as error:
            for issue in error.issues:
                errors.setdefault(names.get(issue.path, "form"), issue.message)
            return yearview.year_view(session, viewer.user, year)

    view = await _read(request, work)
    if errors and status == 200:
        status = 422
    form = {"tu": f"01/{year}", "den": f"12/{year}", "giay": ""} | {k: v for k, v in values.items() if k in FORM_FIELDS}
    context = {
        "year": year,
        "previous": year - 1 if year - 1 in YEARS else None,
        "following": year + 1 if year + 1 in YEARS else None,
        "view": view,
        "chart": load_chart(view),
        "options": {
            "coquan": [(a, a) for a in view.agencies],
            "cap": [(str(t), label) for t, label in TIER_LABELS.items()],
        },
        "values": values,
        "form": form,
        "errors": errors,
        "max_seconds": request.app.state.settings.max_solve_seconds,
        "default_seconds": request.app.state.settings.default_solve_seconds,
    }
    return _page(request, "year.html", context, status=status)


ROW = 16
LABEL = 170
BAR = 300


def load_chart(view: yearview.YearOut) -> Markup:
    """Horizontal bars, one per delegate: the year's meetings, the part in months above the
    delegate's maximum drawn apart (red), the heaviest first."""
    people = view.loads
    top = max([p.total for p in people] + [1])
    height = ROW * len(people) + 8
    width = LABEL + BAR + 120
    parts = [
        f'<svg class="chart year-chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="Số buổi cả năm {view.year} của từng đại biểu">'
    ]
    for i, p in enumerate(people):
        y = i * ROW + 4
        over = sum(p.months[k] for k in p.over)
        long = BAR * p.total / top
        hot = BAR * over / top
        name = escape(p.name if len(p.name) <= 26 else p.name[:25] + "…")
        months = ", ".join(view.months[k].label for k in p.over)
        note = f"; vượt mức {p.max_per_month} buổi/tháng ở tháng {months}" if p.over else ""
        words = escape(f"{p.name}: {p.total} buổi cả năm{note}")
        label = escape(f"{p.total}" + (f" (vượt mức {len(p.over)} tháng)" if p.over else ""))
        red = f'<rect class="over" x="{LABEL + long - hot:.1f}" y="{y}" width="{hot:.1f}" height="{ROW - 4}"/>'
        parts.append(
            f'<g><title>{words}</title><text x="{LABEL - 6}" y="{y + 11}" text-anchor="end">{name}</text>'
            f'<rect class="year" x="{LABEL}" y="{y}" width="{long:.1f}" height="{ROW - 4}"/>'
            + (red if hot else "")
            + f'<text x="{LABEL + long + 4:.1f}" y="{y + 11}">{label}</text></g>'
        )
    parts.append("</svg>")
    # Every piece of data in it was escaped above: safe to inline.
    return Markup("".join(parts))


# -- planning a range -------------------------------------------------------------------


@router.post("/nam/{year}/lap-lich")
async def start_range(request: Request, year: str) -> Response:
    viewer, number = await _planner(request, year)
    form = await _form(request, viewer)
    sent = {k: form.get(k, "") for k in FORM_FIELDS}
    values = dict.fromkeys(YEAR_QUERY, "") | sent
    errors: Errors = {}
    first = parse_month(sent["tu"])
    last = parse_month(sent["den"])
    if first is None:
        errors["tu"] = f"Tháng không đúng: “{sent['tu']}”; nhập tháng/năm, ví dụ 01/{number}"
    if last is None:
        errors["den"] = f"Tháng không đúng: “{sent['den']}”; nhập tháng/năm, ví dụ 12/{number}"
    seconds: float | None = None
    if sent["giay"]:
        seconds, error = form_seconds(sent["giay"], request.app.state.settings.max_solve_seconds, " mỗi tháng")
        if error is not None:
            errors["giay"] = error
    months: list[str] = []
    if first is not None and last is not None:
        # The service's own check, said beside the field in the page's words (MM/YYYY).
        count = len(months_between(first, last))
        try:
            months = jobs.solve_months(None, first, last)
        except Invalid as error:
            if count == 0:
                errors["den"] = f"Tháng cuối {month_label(last)} ở trước tháng đầu {month_label(first)}"
            elif count > jobs.MAX_RANGE:
                errors["den"] = f"Khoảng {count} tháng; mỗi lượt lập tối đa {jobs.MAX_RANGE} tháng"
            else:
                errors["den"] = _issue_text(error)
    if errors:
        return await _year(request, viewer, number, values, errors, status=422)
    settings = request.app.state.settings
    runner = request.app.state.runner

    def work(session: Session) -> str:
        started = jobs.start_range(session, viewer.user, settings, runner, months, seconds=seconds)
        return started.job.id

    try:
        job_id = await _write(request, work)
    except ServiceError as error:
        return await _year(request, viewer, number, values, _beside(error), status=_status(error))
    return RedirectResponse(f"/nam/{number}/lap-lich/{job_id}", status_code=303)


_FIELD_OF = {"$.from": "tu", "$.to": "den", "$.time_limit": "giay"}


def _beside(error: ServiceError) -> Errors:
    """The service's refusal beside the form's field it names (the first one: an empty range
    names both months, and the sentence already says them both), else above the form."""
    for issue in error.issues:
        if issue.path in _FIELD_OF:
            return {_FIELD_OF[issue.path]: error.detail}
    return {"form": _issue_text(error)}


def _range_job(session: Session, job_id: str) -> JobRow:
    row = session.get(JobRow, job_id[:32])
    if row is None or row.scenario_id is not None or row.parent_id is not None or "months" not in (row.payload or {}):
        raise NotFound(f"Không có lượt lập lịch nhiều tháng {job_id}")
    return row


def _years_of(row: JobRow) -> list[int]:
    """The years a range job's months fall in (one, or two across the new year)."""
    return sorted({int(str(m)[:4]) for m in (row.payload or {}).get("months", [])})


def _range_job_of(session: Session, year: int, job_id: str) -> JobRow:
    """The range job as seen under ``/nam/YEAR``: 404 when none of its months is in that
    year (an address of another year's job, which the page would file under the wrong year)."""
    row = _range_job(session, job_id)
    if year not in _years_of(row):
        raise NotFound(f"Năm {year} không có lượt lập lịch {job_id}")
    return row


def range_state(row: JobRow) -> dict[str, Any]:
    """What the progress bar shows of a range job (the page and its events say the same):
    the months are planned jointly, so the bar runs over the joint solve's time."""
    months = [str(m) for m in (row.payload or {}).get("months", [])]
    answer = row.answer or {}
    planned = [str(m) for m in answer.get("planned", months)]
    drafts = [
        {"month": str(d["month"]), "label": month_label(str(d["month"])), "schedule": int(d["schedule_id"])}
        for d in answer.get("drafts", [])
    ]
    finished = row.status in job_store.FINISHED
    seconds = row.progress_seconds or 0.0
    limit = (row.time_limit or 0.0) * max(1, len(planned))
    if finished:
        place = f"Đã lập {len(drafts)}/{len(months)} tháng"
    elif answer.get("planning"):
        place = f"Đang lập cùng lúc {len(planned)} tháng, {month_label(planned[0])} đến {month_label(planned[-1])}"
    else:
        place = "Đang chờ"
    return {
        "status": row.status,
        "status_label": JOB_LABELS.get(row.status, row.status),
        "finished": finished,
        "seconds": round(seconds, 1),
        "seconds_label": number_vn(seconds, 1),
        "time_limit": limit,
        "best_score": row.best_score,
        "bound": row.bound,
        # "xong" alone does not say whether the joint score is proved: say it, or the gap.
        "proof_label": proof_label(row.result_status, row.best_score, row.bound) if finished and drafts else "",
        "planning_label": place,
        "bar_value": limit if finished else round(min(seconds, limit), 1),
        "bar_max": limit,
        "drafts": drafts,
    }


@router.get("/nam/{year}/lap-lich/{job_id}")
async def range_page(request: Request, year: str, job_id: str) -> Response:
    _, number = await _planner(request, year)

    def work(session: Session) -> dict[str, Any]:
        row = _range_job_of(session, number, job_id)
        state = range_state(row)
        ids = [d["schedule"] for d in state["drafts"]]
        scores = {s.id: s for s in (session.get(ScheduleRow, i) for i in ids) if s is not None}
        for d in state["drafts"]:
            version = scores.get(d["schedule"])
            d["version"] = version.version if version else None
            d["score"] = number_vn(version.score_total) if version else "—"
        return {"job": row, "state": state}

    context = await _read(request, work)
    months = [str(m) for m in (context["job"].payload or {}).get("months", [])]
    context["months_label"] = f"{month_label(months[0])} đến {month_label(months[-1])}" if months else ""
    return _page(request, "year_job.html", {"year": number, **context})


@router.get("/nam/{year}/lap-lich/{job_id}/su-kien")
async def range_events(request: Request, year: str, job_id: str) -> Response:
    """The job's state as server-sent events: ``progress`` when it changes, ``end`` once."""
    _, number = await _planner(request, year)
    await _read(request, lambda s: _range_job_of(s, number, job_id))
    settings = request.app.state.settings
    database = request.app.state.database

    return progress_events(database, settings, job_id, range_state)


@router.post("/nam/{year}/lap-lich/{job_id}/dung")
async def cancel_range(request: Request, year: str, job_id: str) -> Response:
    viewer, number = await _planner(request, year)
    await _form(request, viewer)
    runner = request.app.state.runner

    def work(session: Session) -> None:
        _range_job_of(session, number, job_id)
        jobs.cancel(session, viewer.user, runner, job_id)

    try:
        await _write(request, work)
    except ServiceError as error:
        if _status(error) != 409:  # already finished: the page says how it ended
            raise
    return RedirectResponse(f"/nam/{number}/lap-lich/{job_id}", status_code=303)
