"""After the meeting (issue 11): reports and score sheets, the monthly ranking, flag
proposals, statistics and the year's themes.

``/bao-cao`` lists the past meetings a delegate may report (a planner: the month's seats);
``/bao-cao/{meeting}`` is the report form (attended or who went instead, teams visited,
note, problem, the Board's score sheet). ``/xep-hang`` the ranking (and its .xlsx),
``/de-xuat-muc`` the flag proposals with confirm and dismiss, ``/thong-ke`` the year's
figures with a bar chart drawn as inline SVG, ``/chu-de`` the year's themes. Who may see
and write what is the services' rule (:mod:`services.reports`, :mod:`services.ranking`,
:mod:`services.flags`, :mod:`services.statistics`, :mod:`services.themes`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.documents.collation import name_key
from models.storage import clock
from models.storage.clock import local
from models.storage.excel import MIME
from models.storage.tables import DelegateRow, TeamRow
from models.storage.types import utcnow
from services import flags, overview, ranking, reports, statistics, themes
from services.access import require_planner
from services.errors import NotFound, ServiceError
from services.reports import ReportEntry
from web import session as web_session
from web.loopkit import (
    Errors,
    MonthAsked,
    _read,
    _write,
    from_status,
    month_or_404,
    month_query,
    number,
    service_errors,
    this_month,
)
from web.templating import render

router = APIRouter(include_in_schema=False)
#: The pages' policy (web.templating.render) plus script from this site only.
REPORT_CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'"
)


# -- reports --------------------------------------------------------------------------


@router.get("/bao-cao")
async def reports_home(request: Request, thang: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    viewer = await web_session.require(request)
    user = viewer.user
    if user.role == "delegate":
        mine = await _read(request, lambda s: overview.delegate_meetings(s, user, user.delegate_id or ""))
        context = {"past": mine.past, "month": None, "seats": None, "month_typed": "", "month_error": None}
        return render(request, "loop_reports.html", context)
    require_planner(user)
    asked = month_query(thang, this_month())
    view = await _read(request, lambda s: reports.month_reports(s, user, asked.month))
    context = {"past": None, **asked.context(), "seats": view}
    return render(request, "loop_reports.html", context, status=asked.status)


def _report_data(session: Session, user: Any, meeting_id: str) -> dict[str, Any]:
    view = reports.report_of_meeting(session, user, meeting_id)
    teams = sorted(
        session.scalars(select(TeamRow).where(TeamRow.commune_id == view.commune)),
        key=lambda t: (name_key(t.name), t.id),
    )
    people = sorted(session.scalars(select(DelegateRow)), key=lambda d: (d.tier, name_key(d.name), d.id))
    return {"view": view, "teams": teams, "people": people, "criteria": ranking.criteria(session)}


async def _report_page(
    request: Request,
    meeting_id: str,
    errors: Errors | None = None,
    sent: dict[str, Any] | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    viewer = await web_session.require(request)
    data = await _read(request, lambda s: _report_data(s, viewer.user, meeting_id))
    past = local(data["view"].start).date() <= clock.today()
    context = {**data, "errors": errors or {}, "sent": sent, "done": done, "past": past}
    response = render(request, "loop_report.html", context, status=status)
    # The form's own script (/static/report.js): nobody went, so no visit can be ticked.
    response.headers["Content-Security-Policy"] = REPORT_CSP
    return response


@router.get("/bao-cao/{meeting_id}")
async def report_form(request: Request, meeting_id: str, xong: Annotated[int | None, Query()] = None) -> Response:
    return await _report_page(request, meeting_id, done="Đã lưu báo cáo." if xong == 1 else None)


# A fault's path in the services (``$.visits[0]``, ``$.scores.c1``) → the form's field.
def _report_errors(error: ServiceError) -> Errors:
    out: Errors = {"form": error.detail}
    for issue in error.issues:
        path = issue.path.strip("$.")
        if path.startswith("scores."):
            key = "score_" + path.split(".", 1)[1]
        else:
            key = path.split("[")[0].split(".")[0] or "form"
        out.setdefault(key, issue.message)
    return out


@router.post("/bao-cao/{meeting_id}")
async def submit_report(request: Request, meeting_id: str) -> Response:
    viewer = await web_session.require(request)
    form = await request.form()
    web_session.check(form, viewer.csrf)
    text = {
        k: str(form.get(k) or "").strip()[:2000]
        for k in ("delegate", "attended", "substitute", "note", "problem", "sheet_note")
    }
    visits = [str(v)[:100] for v in form.getlist("visits")][:50]
    errors: Errors = {}
    if text["attended"] not in ("1", "0"):
        errors["attended"] = "Chọn: đã dự, hoặc không dự (ghi người đi thay nếu có)"
    # Each score against its own criterion's maximum, in this round with every other fault.
    maxima = {c.id: c.max_points for c in (await _read(request, ranking.criteria)).criteria}
    scores: dict[str, float] = {}
    score_keys = [str(k) for k in form if str(k).startswith("score_")][:50]
    for key in score_keys:
        raw = str(form.get(key) or "").strip()
        if raw:
            value = number(raw, key, errors, 0, maxima.get(key.removeprefix("score_"), 1000), whole=False)
            if value is not None:
                scores[key.removeprefix("score_")] = value
    sent = {**text, "visits": visits, **{k: str(form.get(k) or "") for k in score_keys}}
    attended = text["attended"] != "0"
    entry = ReportEntry(
        attended=attended,
        delegate=text["delegate"] or None,
        substitute=None if attended else (text["substitute"] or None),
        visits=visits,
        note=text["note"] or None,
        problem=text["problem"] or None,
        scores=scores or None,
        sheet_note=text["sheet_note"] or None,
    )

    def work(session: Session) -> None:
        reports.submit_report(session, viewer.user, meeting_id, entry)
        if errors:
            session.rollback()  # a dry run: the services' own faults, said with the form's
        else:
            session.commit()

    try:
        await _write(request, work)
    except ServiceError as error:
        found = _report_errors(error)
        if not errors:
            return await _report_page(request, meeting_id, found, sent, status=from_status(error))
        if from_status(error) != 422:  # not the fields' fault (a closed month, a future meeting…)
            errors.setdefault("form", found["form"])
        else:
            for key, message in found.items():
                if key != "form":
                    errors.setdefault(key, message)
    if errors:
        fields = len([k for k in errors if k != "form"])
        errors.setdefault("form", f"Báo cáo chưa được lưu: {fields} ô cần sửa, xem lời nhắn bên cạnh từng ô")
        return await _report_page(request, meeting_id, errors, sent, status=422)
    return RedirectResponse(f"/bao-cao/{meeting_id}?xong=1", status_code=303)


# -- ranking --------------------------------------------------------------------------


@router.get("/xep-hang")
async def ranking_page(request: Request, thang: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    viewer = await web_session.require(request)
    asked = month_query(thang, this_month())
    month = asked.month

    def work(session: Session) -> dict[str, Any]:
        # month_sheets answers a commune account with its own sheet only (planners: every one).
        return {
            "view": ranking.ranking(session, viewer.user, month),
            "sheets": ranking.month_sheets(session, viewer.user, month),
        }

    data = await _read(request, work)
    return render(request, "loop_ranking.html", {**data, **asked.context()}, status=asked.status)


@router.get("/xep-hang/{month}.xlsx")
async def ranking_xlsx(request: Request, month: str) -> Response:
    viewer = await web_session.require(request)
    month_or_404(month)
    data = await _read(request, lambda s: ranking.ranking_workbook(s, viewer.user, month))
    headers = {"Content-Disposition": f'attachment; filename="xep-loai-{month}.xlsx"', "Cache-Control": "no-store"}
    return Response(data, media_type=MIME, headers=headers)


@router.post("/xep-hang/{month}/chot")
async def close_month(request: Request, month: str) -> Response:
    """Close the month's scoring (planners): its sheets are final from then on."""
    viewer = await web_session.require(request)
    form = await request.form()
    web_session.check(form, viewer.csrf)
    month_or_404(month)

    def work(session: Session) -> None:
        ranking.close_month(session, viewer.user, month)
        session.commit()

    await _write(request, work)
    return RedirectResponse(f"/xep-hang?thang={month}", status_code=303)


# -- flag proposals ---------------------------------------------------------------------


async def _proposals_page(
    request: Request, month: str | MonthAsked, message: str | None = None, status: int = 200
) -> Response:
    viewer = await web_session.require(request)
    asked = month if isinstance(month, MonthAsked) else MonthAsked(month)
    found = await _read(request, lambda s: flags.proposals(s, viewer.user, asked.month))
    context = {"items": found, **asked.context(), "message": message}
    return render(request, "loop_flags.html", context, status=asked.status if asked.error else status)


@router.get("/de-xuat-muc")
async def proposals_page(request: Request, thang: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    return await _proposals_page(request, month_query(thang, flags.next_month(this_month())))


@router.post("/de-xuat-muc/quyet-dinh")
async def decide(request: Request) -> Response:
    viewer = await web_session.require(request)
    form = await request.form()
    web_session.check(form, viewer.csrf)
    require_planner(viewer.user)
    proposal = str(form.get("proposal") or "")[:200]
    decision = str(form.get("decision") or "")
    month = month_or_404(str(form.get("month") or this_month()))
    if decision not in ("confirmed", "dismissed"):
        return await _proposals_page(request, month, "Chọn xác nhận hoặc bỏ qua", status=422)

    def work(session: Session) -> None:
        flags.decide(session, viewer.user, proposal, decision)
        session.commit()

    try:
        await _write(request, work)
    except ServiceError as error:
        return await _proposals_page(request, month, error.detail, status=from_status(error))
    return RedirectResponse(f"/de-xuat-muc?thang={month}", status_code=303)


# -- statistics -----------------------------------------------------------------------


def bar_chart(labels: list[str], counts: list[int], title: str) -> Markup:
    """A plain SVG bar chart (one bar per label); every text in it is escaped."""
    width, height, left, bottom = 360, 180, 28, 24
    top = max(counts, default=0) or 1
    step = (width - left) / max(len(counts), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-t">',
        f'<title id="chart-t">{escape(title)}</title>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#555"/>',
        f'<text x="0" y="12" font-size="10">{top}</text>',
    ]
    for index, (label, count) in enumerate(zip(labels, counts, strict=True)):
        bar = (height - bottom - 16) * count / top
        x = left + index * step + step * 0.15
        y = height - bottom - bar
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{bar:.1f}" fill="#1f5fa8">'
            f"<title>{escape(label)}: {count}</title></rect>"
        )
        parts.append(
            f'<text x="{x + step * 0.35:.1f}" y="{height - 8}" font-size="10" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
        if count:
            parts.append(
                f'<text x="{x + step * 0.35:.1f}" y="{y - 2:.1f}" font-size="9" text-anchor="middle">{count}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _year(text: str | None) -> int:
    if text is None:
        return local(utcnow()).year
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise NotFound(f"Không có năm {text} (ví dụ ?nam=2025)")
    return int(text)


@router.get("/thong-ke")
async def statistics_page(request: Request, nam: Annotated[str | None, Query(max_length=4)] = None) -> Response:
    viewer = await web_session.require(request)
    year = _year(nam)
    view = await _read(request, lambda s: statistics.year_statistics(s, viewer.user, year))
    by_month = [sum(d.by_month[i] for d in view.delegates) for i in range(12)]
    chart = bar_chart([str(i + 1) for i in range(12)], by_month, f"Lượt dự hội nghị theo tháng năm {year}")
    return render(request, "loop_statistics.html", {"view": view, "year": year, "chart": chart, "by_month": by_month})


@router.get("/thong-ke/{year}.xlsx")
async def statistics_xlsx(request: Request, year: str) -> Response:
    viewer = await web_session.require(request)
    number = _year(year)
    data = await _read(request, lambda s: statistics.statistics_workbook(s, viewer.user, number))
    headers = {"Content-Disposition": f'attachment; filename="thong-ke-{number}.xlsx"', "Cache-Control": "no-store"}
    return Response(data, media_type=MIME, headers=headers)


# -- themes ---------------------------------------------------------------------------


async def _themes_page(request: Request, year: int, errors: Errors | None = None, status: int = 200) -> Response:
    viewer = await web_session.require(request)
    require_planner(viewer.user)
    plan = await _read(request, lambda s: themes.year_plan(s, year))
    return render(request, "loop_themes.html", {"plan": plan, "year": year, "errors": errors or {}}, status=status)


@router.get("/chu-de")
async def themes_page(request: Request, nam: Annotated[str | None, Query(max_length=4)] = None) -> Response:
    return await _themes_page(request, _year(nam))


@router.post("/chu-de/{year}")
async def save_themes(request: Request, year: int) -> Response:
    viewer = await web_session.require(request)
    form = await request.form()
    web_session.check(form, viewer.csrf)
    year = _year(str(year))
    quarters = {str(q): str(form.get(f"q{q}") or "").strip()[:500] for q in range(1, 5)}
    months = {f"{year:04d}-{m:02d}": str(form.get(f"m{m}") or "").strip()[:500] for m in range(1, 13)}

    def work(session: Session) -> None:
        themes.set_year_plan(
            session, viewer.user, year, {k: v for k, v in quarters.items() if v}, {k: v for k, v in months.items() if v}
        )
        session.commit()

    try:
        await _write(request, work)
    except ServiceError as error:
        return await _themes_page(request, year, service_errors(error), status=from_status(error))
    return RedirectResponse(f"/chu-de?nam={year}", status_code=303)
