"""Score sheets and the monthly ranking of the boards (chấm điểm, xếp loại).

The Board sets the criteria (name, maximum points) and the levels (name, lowest total);
the defaults are in ``docs/scoring.md``. Each board has one sheet a month, from its
delegate's report or entered by a planner once the month's meeting has taken place,
editable by planners until the month is closed. A sheet keeps the criteria it was scored
on (a correction is checked against them); a closed month keeps the levels in force when
it was closed. The ranking orders all boards by total (equal totals share a rank); boards
not scored yet are listed last without a rank. A commune account sees only its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.storage import audit, clock, scoring
from models.storage.clock import local, month_bounds, month_label
from models.storage.excel import table_workbook
from models.storage.scoring import Criterion, Level
from models.storage.tables import CommuneRow, MeetingRow, ScoreSheetRow, UserRow
from models.storage.types import utcnow
from services.loop_errors import Fault, conflict, forbidden, invalid, not_found
from services.views import (
    ClosedOut,
    CriteriaOut,
    CriterionOut,
    LevelOut,
    RankingOut,
    RankingRowOut,
    SheetItemOut,
    SheetOut,
)


def _planner(user: UserRow, what: str) -> None:
    if user.role != "planner":
        raise forbidden(f"Chỉ cán bộ Ban Tuyên giáo được {what}")


def _commune(session: Session, commune_id: str) -> CommuneRow:
    commune = session.get(CommuneRow, commune_id)
    if commune is None:
        raise not_found(f"Không có xã/phường {commune_id}")
    return commune


# -- the Board's set-up -------------------------------------------------------------


def criteria(session: Session) -> CriteriaOut:
    items = scoring.criteria(session)
    return CriteriaOut(
        criteria=[CriterionOut(id=c.id, name=c.name, max_points=c.max_points) for c in items],
        max_total=sum(c.max_points for c in items),
    )


def set_criteria(session: Session, user: UserRow, items: Sequence[Criterion]) -> CriteriaOut:
    """Replace the criteria; sheets already made keep the criteria they were scored on."""
    _planner(user, "đặt tiêu chí chấm điểm")
    faults = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.id in seen:
            faults.append(Fault(f"$.criteria[{index}].id", item.id, "mã tiêu chí trùng"))
        seen.add(item.id)
    if faults:
        raise invalid("Tiêu chí không hợp lệ", *faults)
    scoring.set_criteria(session, list(items))
    audit.record(
        session, user, "scoring.criteria", "config", scoring.CRITERIA, {"criteria": [c.__dict__ for c in items]}
    )
    session.flush()
    return criteria(session)


def levels(session: Session) -> list[LevelOut]:
    return _levels_out(scoring.levels(session))


def _levels_out(scale: Sequence[Level]) -> list[LevelOut]:
    return [LevelOut(name=v.name, min_points=v.min_points) for v in scale]


def set_levels(session: Session, user: UserRow, items: Sequence[Level]) -> list[LevelOut]:
    """Replace the levels: distinct names and thresholds, the lowest level from 0."""
    _planner(user, "đặt mức xếp loại")
    faults = []
    names: set[str] = set()
    floors: set[float] = set()
    for index, item in enumerate(items):
        if item.name in names:
            faults.append(Fault(f"$.levels[{index}].name", item.name, "tên mức trùng"))
        if item.min_points in floors:
            faults.append(Fault(f"$.levels[{index}].min_points", item.min_points, "ngưỡng điểm trùng"))
        names.add(item.name)
        floors.add(item.min_points)
    if items and min(floors) != 0:
        faults.append(Fault("$.levels", [i.min_points for i in items], "mức thấp nhất phải bắt đầu từ 0 điểm"))
    if faults:
        raise invalid("Mức xếp loại không hợp lệ", *faults)
    scoring.set_levels(session, list(items))
    audit.record(session, user, "scoring.levels", "config", scoring.LEVELS, {"levels": [v.__dict__ for v in items]})
    session.flush()
    return levels(session)


# -- sheets -------------------------------------------------------------------------


def is_closed(session: Session, month: str) -> bool:
    return scoring.is_closed(session, month)


def criteria_of_sheet(session: Session, commune_id: str, month: str) -> list[Criterion]:
    """The criteria a board's sheet of the month is scored on: an existing sheet's own
    (it keeps them), the ones in force for a new sheet."""
    row = scoring.sheet(session, commune_id, month)
    return scoring.criteria(session) if row is None else scoring.sheet_criteria(row)


def check_scores(
    session: Session, scores: Mapping[str, float], at: str, on: Sequence[Criterion] | None = None
) -> list[Fault]:
    """What is wrong with a sheet's points against the criteria ``on`` (default: those in
    force): unknown or missing criteria, points out of range."""
    known = {c.id: c for c in (scoring.criteria(session) if on is None else on)}
    faults = []
    for key, points in scores.items():
        criterion = known.get(key)
        if criterion is None:
            faults.append(Fault(f"{at}.{key}", points, f"không có tiêu chí này; các tiêu chí: {', '.join(known)}"))
        elif points < 0:
            faults.append(Fault(f"{at}.{key}", points, "điểm không được âm"))
        elif points > criterion.max_points:
            faults.append(Fault(f"{at}.{key}", points, f"vượt điểm tối đa của tiêu chí ({criterion.max_points:g})"))
    for key in known:
        if key not in scores:
            faults.append(Fault(f"{at}.{key}", None, f"thiếu điểm tiêu chí “{known[key].name}”"))
    return faults


def write_sheet(
    session: Session,
    user: UserRow,
    commune_id: str,
    month: str,
    scores: Mapping[str, float],
    note: str | None,
    report_id: int | None,
    on: Sequence[Criterion] | None = None,
) -> ScoreSheetRow:
    """Store a checked sheet scored on the criteria ``on`` (default: those in force); the
    caller ran :func:`check_scores` on the same criteria, and the closed check."""
    chosen = scoring.criteria(session) if on is None else list(on)
    items: list[dict[str, object]] = [
        {"criterion": c.id, "name": c.name, "max_points": c.max_points, "points": float(scores[c.id])} for c in chosen
    ]
    row = scoring.sheet(session, commune_id, month)
    if row is None:
        row = ScoreSheetRow(commune_id=commune_id, month=month)
        session.add(row)
    row.items = items
    row.total = round(sum(float(scores[c.id]) for c in chosen), 2)
    row.max_total = sum(c.max_points for c in chosen)
    row.note, row.report_id = note, report_id
    row.updated_at, row.updated_by = utcnow(), user.id
    session.flush()
    return row


def sheet_out(session: Session, commune_id: str, month: str) -> SheetOut | None:
    row = scoring.sheet(session, commune_id, month)
    return None if row is None else _sheet_view(session, row, scoring.month_levels(session, month))


def _sheet_view(session: Session, row: ScoreSheetRow, scale: list[Level]) -> SheetOut:
    commune = session.get(CommuneRow, row.commune_id)
    return SheetOut(
        commune=row.commune_id,
        commune_name=commune.name if commune else row.commune_id,
        month=row.month,
        items=[SheetItemOut(**i) for i in row.items],
        total=row.total,
        max_total=row.max_total,
        level=scoring.level_of(row.total, scale).name,
        note=row.note,
        report=row.report_id,
        updated_at=local(row.updated_at),
        closed=scoring.is_closed(session, row.month),
    )


def _may_see(user: UserRow, commune_id: str) -> None:
    if user.role == "planner":
        return
    if user.role == "commune" and user.commune_id == commune_id:
        return
    raise forbidden("Chỉ xem được phiếu chấm điểm, xếp loại của xã mình")


def sheet(session: Session, user: UserRow, month: str, commune_id: str) -> SheetOut:
    """A board's sheet: planners any, a commune account its own."""
    _may_see(user, commune_id)
    _commune(session, commune_id)
    found = sheet_out(session, commune_id, month)
    if found is None:
        raise not_found(f"Chưa có phiếu chấm điểm tháng {month_label(month)} của {commune_id}")
    return found


def month_sheets(session: Session, user: UserRow, month: str) -> list[SheetOut]:
    """The month's sheets: planners all, a commune account its own (if any)."""
    if user.role not in ("planner", "commune"):
        raise forbidden("Chỉ cán bộ Ban Tuyên giáo hoặc tài khoản xã xem phiếu chấm điểm")
    scale = scoring.month_levels(session, month)
    rows = scoring.sheets(session, month=month)
    if user.role == "commune":
        rows = [r for r in rows if r.commune_id == user.commune_id]
    return [_sheet_view(session, r, scale) for r in rows]


def save_sheet(
    session: Session, user: UserRow, month: str, commune_id: str, scores: Mapping[str, float], note: str | None
) -> SheetOut:
    """A planner enters or corrects a board's sheet once the month's meeting has taken
    place, until the month is closed; a correction keeps the sheet's own criteria."""
    _planner(user, "nhập, sửa phiếu chấm điểm")
    _check_held(session, _commune(session, commune_id), month)
    on = criteria_of_sheet(session, commune_id, month)
    faults = check_scores(session, scores, "$.scores", on)
    if faults:
        raise invalid(f"Phiếu chấm điểm không hợp lệ ({len(faults)} lỗi)", *faults)
    if scoring.is_closed(session, month):
        raise conflict(
            f"Tháng {month_label(month)} đã chốt điểm; phiếu chấm không sửa được",
            Fault("path.month", month, "tháng đã chốt"),
        )
    previous = scoring.sheet(session, commune_id, month)
    row = write_sheet(session, user, commune_id, month, scores, note, previous.report_id if previous else None, on)
    audit.record(session, user, "sheet.save", "score_sheet", f"{month}/{commune_id}", {"scores": dict(scores)})
    return _sheet_view(session, row, scoring.month_levels(session, month))


def _check_held(session: Session, commune: CommuneRow, month: str) -> None:
    """A board is scored on a meeting that has taken place, as a report is made from the
    meeting's day (local time): not for a month still to come, nor before the day of the
    commune's first meeting of the month when it has one."""
    today = clock.today()
    if month_bounds(month)[0] > today:
        raise conflict(
            f"Tháng {month_label(month)} chưa đến (hôm nay {today:%d/%m/%Y}); chấm điểm sau khi hội nghị diễn ra",
            Fault("path.month", month, f"tháng chưa đến, hôm nay {today:%d/%m/%Y}"),
        )
    starts = session.scalars(
        select(MeetingRow.starts_at).where(
            MeetingRow.commune_id == commune.id, MeetingRow.month == month, MeetingRow.cancelled_at.is_(None)
        )
    ).all()
    days = sorted(local(start).date() for start in starts)
    if days and days[0] > today:
        raise conflict(
            f"Hội nghị tháng {month_label(month)} của {commune.name} ngày {days[0]:%d/%m/%Y} chưa diễn ra; "
            "chấm điểm từ ngày họp",
            Fault("path.commune_id", commune.id, f"hội nghị ngày {days[0]:%d/%m/%Y}, hôm nay {today:%d/%m/%Y}"),
        )


def close_month(session: Session, user: UserRow, month: str) -> ClosedOut:
    """Close the month's scoring: its sheets are final from now on, and it is ranked on
    the levels in force now, kept with the record."""
    _planner(user, "chốt điểm tháng")
    if scoring.is_closed(session, month):
        raise conflict(f"Tháng {month_label(month)} đã chốt điểm", Fault("path.month", month, "đã chốt"))
    row = scoring.close(session, month, user.id)
    audit.record(session, user, "month.close", "month", month)
    session.flush()
    return ClosedOut(month=month, closed_at=local(row.closed_at))


# -- the ranking --------------------------------------------------------------------


def rank_month(session: Session, month: str) -> list[RankingRowOut]:
    """Every board's row of the month, best first; unscored boards last, unranked."""
    scale = scoring.month_levels(session, month)
    sheets = {r.commune_id: r for r in scoring.sheets(session, month=month)}
    communes = list(session.scalars(select(CommuneRow).order_by(CommuneRow.id)))
    scored = sorted((c for c in communes if c.id in sheets), key=lambda c: (-sheets[c.id].total, c.id))
    rows: list[RankingRowOut] = []
    for position, commune in enumerate(scored, start=1):
        sheet_row = sheets[commune.id]
        # Competition ranking: equal totals share the rank of the first of them.
        rank = rows[-1].rank if rows and rows[-1].total == sheet_row.total else position
        rows.append(
            RankingRowOut(
                commune=commune.id,
                commune_name=commune.name,
                total=sheet_row.total,
                max_total=sheet_row.max_total,
                level=scoring.level_of(sheet_row.total, scale).name,
                rank=rank,
            )
        )
    rows += [
        RankingRowOut(commune=c.id, commune_name=c.name, total=None, max_total=None, level=None, rank=None)
        for c in communes
        if c.id not in sheets
    ]
    return rows


def ranking(session: Session, user: UserRow, month: str) -> RankingOut:
    """The month's ranking: planners see every board, a commune account its own row."""
    if user.role not in ("planner", "commune"):
        raise forbidden("Chỉ cán bộ Ban Tuyên giáo hoặc tài khoản xã xem xếp loại")
    rows = rank_month(session, month)
    if user.role == "commune":
        rows = [r for r in rows if r.commune == user.commune_id]
    return RankingOut(
        month=month,
        closed=scoring.is_closed(session, month),
        levels=_levels_out(scoring.month_levels(session, month)),
        rows=rows,
    )


def ranking_workbook(session: Session, user: UserRow, month: str) -> bytes:
    """The ranking as Excel: rank, board, each criterion's points, total, level."""
    view = ranking(session, user, month)
    rows = scoring.sheets(session, month=month)
    sheets = {r.commune_id: r for r in rows}
    current = scoring.criteria(session)
    columns = _criterion_columns(rows, current)
    if not rows and not view.closed:
        # Nothing scored yet: the columns the month's sheets will be scored on.
        columns = [(c.id, c.name) for c in current]
    lines = []
    for row in view.rows:
        found = sheets.get(row.commune)
        points = dict(zip(_keys(found), (i["points"] for i in found.items), strict=True)) if found else {}
        lines.append(
            [
                row.rank if row.rank is not None else "",
                row.commune_name,
                *[points.get(key, "") for key in columns],
                row.total if row.total is not None else "",
                row.level or "chưa chấm",
            ]
        )
    headers = ["Hạng", "Ban tuyên vận xã/phường", *_headers(columns), "Tổng điểm", "Xếp loại"]
    return table_workbook([(f"Xếp loại {month_label(month).replace('/', '-')}", headers, lines)])


def _criterion_columns(rows: Sequence[ScoreSheetRow], current: Sequence[Criterion]) -> list[tuple[str, str]]:
    """Every criterion the sheets were scored on, (id, name) each, in the order they were
    defined: each sheet's criteria in its own order, sheets on older criteria first (in
    the order the sheets were made: a sheet keeps the criteria in force when it was
    made), those on the criteria in force last."""
    now = [(c.id, c.name) for c in current]
    columns: dict[tuple[str, str], None] = {}
    for row in sorted(rows, key=lambda r: (_keys(r) == now, r.id)):
        columns.update(dict.fromkeys(_keys(row)))
    return list(columns)


def _keys(row: ScoreSheetRow) -> list[tuple[str, str]]:
    return [(c.id, c.name) for c in scoring.sheet_criteria(row)]


def _headers(columns: Sequence[tuple[str, str]]) -> list[str]:
    """The criteria's names; a name two criteria share says each one's id too."""
    names = [name for _, name in columns]
    return [f"{name} ({key})" if names.count(name) > 1 else name for key, name in columns]
