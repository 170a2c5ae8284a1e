"""Readable Vietnamese tables of a schedule, its score and input errors (rich)."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from models.errors import InputError
from models.instance import Instance
from models.labels import STATUS_LABELS, TIER_LABELS, number_vn, term_label
from models.rules import TERMS
from solver.result import Result
from solver.score import ScoreReport


def schedule_table(instance: Instance, result: Result) -> Table:
    table = Table(title=f"Lịch phân công — {instance.name or 'bài toán'}", show_lines=False)
    for header in ("Ngày giờ", "Xã/phường", "Đại biểu", "Chức vụ", "Tổ dự đột xuất"):
        table.add_column(header)
    visits = {(m, d): t for m, d, t in result.visits}
    teams = {t.id: t.name for c in instance.communes for t in c.teams}
    rows = sorted(result.assignments, key=lambda p: (instance.meeting(p[0]).start, p[0], p[1]))
    for meeting_id, delegate_id in rows:
        meeting = instance.meeting(meeting_id)
        delegate = instance.delegate(delegate_id)
        commune = instance.commune(meeting.commune)
        team = visits.get((meeting_id, delegate_id))
        table.add_row(
            f"{meeting.start:%H:%M %d/%m/%Y}",
            commune.name,
            delegate.name,
            delegate.title or TIER_LABELS[delegate.tier],
            teams.get(team, "") if team else "",
        )
    return table


def score_table(report: ScoreReport, weights: dict[str, int], rotation_months: int | None = None) -> Table:
    """Count, weight and points of every term; ``rotation_months`` (the instance's rule) names
    the rotation window, which a caller that does not pass it leaves unsaid."""
    table = Table(title="Điểm phạt (càng thấp càng tốt)")
    table.add_column("Tiêu chí")
    table.add_column("Số lần", justify="right")
    table.add_column("Trọng số", justify="right")
    table.add_column("Điểm", justify="right")
    for term in TERMS:
        count, weight = report.terms.get(term, 0), weights[term]
        table.add_row(term_label(term, rotation_months), str(count), str(weight), str(count * weight))
    table.add_row("[bold]Tổng[/bold]", "", "", f"[bold]{report.total}[/bold]")
    return table


def summary(result: Result) -> str:
    parts = [f"Trạng thái: {STATUS_LABELS[result.status]}"]
    if result.total is not None:
        parts.append(f"điểm {result.total}")
    if result.bound is not None:
        parts.append(f"cận dưới {result.bound}")
    # The backend's name (auto/lp-branch…) is for developers: it is in the solution file.
    parts.append(f"{number_vn(result.seconds, 2)} giây")
    return " · ".join(parts)


def print_input_error(console: Console, error: InputError) -> None:
    console.print(f"[bold red]{error.what} không hợp lệ[/bold red] ({len(error.issues)} lỗi):")
    for issue in error.issues:
        # A workbook's issue says its sheet, row and column in the message: no JSON path.
        text = (
            f"{issue.message} (giá trị: {json.dumps(issue.value, ensure_ascii=False, default=str)[:80]})"
            if isinstance(error, WorkbookInputError)
            else str(issue)
        )
        console.print(f"  • {text}", markup=False, highlight=False, soft_wrap=True)


class WorkbookInputError(InputError):
    """Issues of a workbook, each message already naming its sheet, row and column."""
