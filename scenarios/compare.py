"""Side-by-side figures of several scenario outcomes (and of their common base).

Pure: outcomes in, rows of text out; the CLI draws them with rich. Each column is one
schedule: its status, score and every term, seats filled, flagged meetings that have a
senior delegate, the lowest and highest load in each tier group, and how many seats and
meetings differ from the base schedule. A scenario with no schedule at all (status
infeasible) has no figures: its cells show "—", never zeros that read like a schedule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from models.instance import Instance
from models.labels import STATUS_LABELS, TERM_LABELS, number_vn, term_label
from models.rules import TERMS
from scenarios.runner import BASE_SOURCE_LABELS, Base, ScenarioOutcome
from solver import ScoreReport

#: Tier groups of RULES.md's balance term, with their Vietnamese names.
GROUPS: tuple[tuple[tuple[int, ...], str], ...] = (
    ((1, 2), "Thường trực và UV BTV"),
    ((3,), "Lãnh đạo cơ quan"),
    ((4,), "Chuyên viên"),
)


@dataclass(frozen=True)
class Figures:
    """What the comparison shows of one schedule; every figure is None when there is none."""

    title: str
    status: str
    total: int | None
    points: dict[str, int] | None
    """Weighted points per term (count × weight)."""
    counts: dict[str, int] | None
    seats_filled: int | None
    seats: int
    flagged_with_senior: int | None
    flagged: int
    loads: dict[str, tuple[int, int] | None]
    """Per tier group: (min, max) assignments in this schedule; None for an empty group."""
    changed_seats: int | None
    changed_meetings: int | None
    seconds: float | None
    rotation_months: int
    """The window of the rotation term in this column's month (a scenario may change it)."""


def figures(
    title: str,
    instance: Instance,
    pairs: Sequence[tuple[str, str]],
    report: ScoreReport,
    status: str,
    *,
    changed_seats: int = 0,
    changed_meetings: int = 0,
    seconds: float | None = None,
) -> Figures:
    by_meeting: dict[str, list[str]] = {}
    for m, d in pairs:
        by_meeting.setdefault(m, []).append(d)
    seats = sum(instance.required(m) for m in instance.meetings)
    filled = sum(min(instance.required(m), len(by_meeting.get(m.id, ()))) for m in instance.meetings)
    flagged = [m for m in instance.meetings if instance.commune(m.commune).flag > 0]
    with_senior = sum(1 for m in flagged if _has_senior(instance, m.id, by_meeting.get(m.id, [])))
    return Figures(
        title=title,
        status=status,
        total=report.total,
        points={t: report.terms.get(t, 0) * instance.rules.weight(t) for t in TERMS},
        counts={t: report.terms.get(t, 0) for t in TERMS},
        seats_filled=filled,
        seats=seats,
        flagged_with_senior=with_senior,
        flagged=len(flagged),
        loads=_loads(instance, pairs),
        changed_seats=changed_seats,
        changed_meetings=changed_meetings,
        seconds=seconds,
        rotation_months=instance.rules.rotation_months,
    )


def _has_senior(instance: Instance, meeting_id: str, delegates: list[str]) -> bool:
    """A delegate of the meeting's senior tier or above (tier 3 when the meeting names none)."""
    tier = instance.senior_tier(instance.meeting(meeting_id)) or 3
    return any(instance.delegate(d).tier <= tier for d in delegates)


def _loads(instance: Instance, pairs: Sequence[tuple[str, str]]) -> dict[str, tuple[int, int] | None]:
    """Lowest and highest number of meetings per tier group, among delegates who take any."""
    count = Counter(d for _, d in pairs)
    out: dict[str, tuple[int, int] | None] = {}
    for tiers, label in GROUPS:
        loads = [count[d.id] for d in instance.delegates if d.tier in tiers and d.max_per_month > 0]
        out[label] = (min(loads), max(loads)) if loads else None
    return out


def of_base(base: Base) -> Figures:
    return figures("Lịch gốc", base.instance, base.pairs, base.report, _base_status(base))


def of_outcome(outcome: ScenarioOutcome) -> Figures:
    result = outcome.result
    report = result.report
    assert report is not None or result.status == "infeasible"
    if report is None:
        return _no_schedule(outcome.name, outcome.instance, result.status, result.seconds)
    return figures(
        outcome.name,
        outcome.instance,
        result.assignments,
        report,
        result.status,
        changed_seats=outcome.changed_seats,
        changed_meetings=len(outcome.changes),
        seconds=result.seconds,
    )


def _no_schedule(title: str, instance: Instance, status: str, seconds: float) -> Figures:
    """A column for a scenario that has no schedule: only what the month itself says."""
    return Figures(
        title=title,
        status=status,
        total=None,
        points=None,
        counts=None,
        seats_filled=None,
        seats=sum(instance.required(m) for m in instance.meetings),
        flagged_with_senior=None,
        flagged=sum(1 for m in instance.meetings if instance.commune(m.commune).flag > 0),
        loads={label: None for _, label in GROUPS},
        changed_seats=None,
        changed_meetings=None,
        seconds=seconds,
        rotation_months=instance.rules.rotation_months,
    )


def _base_status(base: Base) -> str:
    """Where the base schedule comes from, and whether it breaks a rule of the base month."""
    text = BASE_SOURCE_LABELS[base.source]
    if base.report.violations:
        return f"{text}, vi phạm {len(base.report.violations)} ràng buộc cứng"
    return f"{text}, còn chỗ trống" if base.report.gaps else text


def rows(columns: Sequence[Figures]) -> list[tuple[str, list[str]]]:
    """(label, one cell per column), in the order the table shows them."""
    out: list[tuple[str, list[str]]] = [
        ("Trạng thái", [STATUS_LABELS.get(f.status, f.status) for f in columns]),
        ("Tổng điểm phạt; từng tiêu chí: điểm (số lần)", [_show(f.total) for f in columns]),
    ]
    for term in TERMS:
        cells = [_term(f, term) for f in columns]
        out.append((f"  {_term_label(term, columns)}", cells))
    out.append(("Chỗ đã có người", [f"{_show(f.seats_filled)}/{f.seats}" for f in columns]))
    out.append(("Hội nghị cần quan tâm có lãnh đạo", [f"{_show(f.flagged_with_senior)}/{f.flagged}" for f in columns]))
    for _, label in GROUPS:
        out.append((f"Số buổi trong tháng, ít nhất–nhiều nhất: {label}", [_span(f.loads[label]) for f in columns]))
    out.append(("Chỗ thay đổi so với lịch gốc", [_show(f.changed_seats) for f in columns]))
    out.append(("Hội nghị thay đổi người dự", [_show(f.changed_meetings) for f in columns]))
    out.append(("Thời gian giải (giây)", ["—" if f.seconds is None else number_vn(f.seconds, 2) for f in columns]))
    return out


def _term_label(term: str, columns: Sequence[Figures]) -> str:
    """The term's name; rotation's window when every column has the same, else each one's."""
    windows = list(dict.fromkeys(f.rotation_months for f in columns))
    if len(windows) <= 1:
        return term_label(term, windows[0] if windows else None)
    if term != "rotation":
        return TERM_LABELS[term]
    return f"{TERM_LABELS[term]}; số tháng xét theo cột: {' / '.join(str(f.rotation_months) for f in columns)}"


def _show(value: int | None) -> str:
    return "—" if value is None else number_vn(value)


def _term(column: Figures, term: str) -> str:
    if column.points is None or column.counts is None:
        return "—"
    return f"{number_vn(column.points[term])} ({number_vn(column.counts[term])})"


def _span(value: tuple[int, int] | None) -> str:
    return "—" if value is None else f"{value[0]}–{value[1]}"
