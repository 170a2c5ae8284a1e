"""Scenarios, their results and comparisons as response bodies.

A result is shown from what its run stored (names included), never recomputed from
today's data; only the current scenario's name titles its column, and ``stale`` says
when the scenario's question changed after the run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from api.errors import ErrorItem
from api.schemas.scenarios import (
    BaseOut,
    ChangedMeetingOut,
    CompareChanges,
    CompareColumn,
    CompareOut,
    CompareRow,
    LastRun,
    LoadOut,
    ScenarioAssignmentOut,
    ScenarioOut,
    ScenarioResultOut,
    ScenarioSummary,
)
from api.schemas.schedules import GapOut, TermScore
from models.labels import STATUS_LABELS, term_label
from models.rules import TERMS
from models.solution import Assignment, Score, Solution, Unfilled, VisitSuggestion
from models.storage import config, schedules
from models.storage import scenarios as store
from models.storage.clock import local, month_label
from models.storage.tables import ScenarioResultRow, ScenarioRow, ScheduleRow
from scenarios import compare
from scenarios.runner import BASE_SOURCE_LABELS
from scenarios.scenario import MODE_LABELS
from services.scenario_runs import figures_of, term_weights


def _base_in_force(session: Session, row: ScenarioRow) -> bool:
    current = schedules.current(session, row.month)
    return (current.id if current is not None else None) == row.base_id


def scenario_summary(session: Session, row: ScenarioRow) -> ScenarioSummary:
    latest = store.latest_result(session, row.id)
    active = store.active_jobs(session, row.id)
    return ScenarioSummary(
        id=row.id,
        name=row.name,
        description=row.description,
        month=row.month,
        mode=row.mode,
        mode_label=MODE_LABELS.get(row.mode, row.mode),
        revision=row.revision,
        etag=store.etag(row),
        based_on=row.base_id,
        base_in_force=_base_in_force(session, row),
        changes_count=len(row.changes),
        active_job=active[0].id if active else None,
        last_run=None if latest is None else _last_run(row, latest),
        created_at=local(row.created_at),
        updated_at=local(row.updated_at),
    )


def _last_run(row: ScenarioRow, result: ScenarioResultRow) -> LastRun:
    return LastRun(
        result_id=result.id,
        job_id=result.job_id,
        solver_status=result.solver_status,
        status_label=STATUS_LABELS.get(result.solver_status, result.solver_status),
        score_total=result.score_total,
        stale=result.revision != row.revision,
        created_at=local(result.created_at),
    )


def scenario_out(
    session: Session,
    row: ScenarioRow,
    described: list[str],
    notes: list[str],
    problems: list[ErrorItem],
) -> ScenarioOut:
    return ScenarioOut(
        **scenario_summary(session, row).model_dump(),
        changes=list(row.changes),
        described=described,
        notes=notes,
        problems=problems,
    )


def _terms(counts: dict[str, Any], weights: dict[str, int], rotation_months: int) -> list[TermScore]:
    out = []
    for term in TERMS:
        count, weight = int(counts.get(term, 0)), weights[term]
        label = term_label(term, rotation_months)
        out.append(TermScore(term=term, label=label, count=count, weight=weight, points=count * weight))
    return out


def _changed(diff: Sequence[dict[str, Any]]) -> list[ChangedMeetingOut]:
    return [ChangedMeetingOut.model_validate(c) for c in diff]


def proof(result: ScenarioResultRow) -> str:
    """Whether the number of changed assignments is proved the least, as ``scenario run`` says it."""
    if result.score_total is None:
        return "Không lập được lịch nên không có số thay đổi để so."
    if result.mode == "fresh":
        return "Lập lại từ đầu: không tính điểm thay đổi so với lịch gốc."
    kept = "đã công bố" if result.base_source == "published" else "của lịch gốc"
    count = int(result.terms.get("changes", 0))
    head = f"Giữ lịch gốc: {count} phân công {kept} bị thay"
    if not result.changes_proved:
        return f"{head} (chưa chứng minh là ít nhất)."
    if result.mode == "changes_first":
        return f"{head} — đã chứng minh là ít nhất có thể."
    # With empty seats the solver first makes them as few as possible, then the score.
    among = "trong các lịch ít chỗ trống nhất, " if result.solver_status == "partial" else ""
    return (
        f"{head} — tối ưu đã chứng minh với các trọng số hiện tại: {among}"
        "không lịch nào có tổng điểm thấp hơn, kể cả điểm thay đổi."
    )


def _base(session: Session, row: ScenarioRow, result: ScenarioResultRow) -> BaseOut:
    label = BASE_SOURCE_LABELS.get(result.base_source, result.base_source)
    in_force = False
    if result.base_id is not None:
        version = session.get(ScheduleRow, result.base_id)
        label += f" (bản {version.version})" if version is not None else ""
        current = schedules.current(session, row.month)
        in_force = current is not None and current.id == result.base_id
    return BaseOut(schedule_id=result.base_id, source=result.base_source, label=label, in_force=in_force)


def result_out(session: Session, row: ScenarioRow, result: ScenarioResultRow) -> ScenarioResultOut:
    figures = figures_of(result.figures)
    return ScenarioResultOut(
        id=result.id,
        scenario_id=row.id,
        name=row.name,
        month=row.month,
        job_id=result.job_id,
        revision=result.revision,
        stale=result.revision != row.revision,
        mode=result.mode,
        mode_label=MODE_LABELS.get(result.mode, result.mode),
        base=_base(session, row, result),
        solver_status=result.solver_status,
        status_label=STATUS_LABELS.get(result.solver_status, result.solver_status),
        score_total=result.score_total,
        bound=result.bound,
        seconds=result.seconds,
        terms=_terms(result.terms, {t: int(result.weights.get(t, 0)) for t in TERMS}, result.rotation_months),
        changes_proved=result.changes_proved,
        proof=proof(result),
        changed_seats=figures.changed_seats or 0,
        changed_meetings=figures.changed_meetings or 0,
        changes=_changed(result.diff),
        assignments=[ScenarioAssignmentOut.model_validate(a) for a in result.assignments],
        gaps=[GapOut.model_validate(g) for g in result.gaps],
        described=list(result.described),
        notes=list(result.notes),
        problems=list(result.problems),
        created_at=local(result.created_at),
    )


def solution(session: Session, row: ScenarioRow, result: ScenarioResultRow) -> Solution:
    """The scenario's schedule in ``phancong-solution/1`` (it is no schedule version)."""
    score = None
    if result.score_total is not None:
        score = Score(total=result.score_total, terms={t: int(result.terms.get(t, 0)) for t in TERMS})
    return Solution(
        instance=f"{config.name(session)} — tháng {month_label(row.month)} — kịch bản “{row.name}”",
        status=result.solver_status,  # type: ignore[arg-type]  # one of the four, as the solver said
        score=score,
        bound=result.bound,
        solve_seconds=result.seconds,
        assignments=tuple(Assignment(meeting=a["meeting"], delegate=a["delegate"]) for a in result.assignments),
        unfilled=tuple(
            Unfilled(meeting=g["meeting"], seats=g["seats"], senior_missing=g["senior_missing"], reason=g["reason"])
            for g in result.gaps
        ),
        visits=tuple(
            VisitSuggestion(meeting=a["meeting"], delegate=a["delegate"], team=a["team"])
            for a in sorted(result.assignments, key=lambda a: (a["meeting"], a["delegate"]))
            if a["team"] is not None
        ),
    )


# -- comparison ---------------------------------------------------------------------------


def compare_out(pairs: Sequence[tuple[ScenarioRow, ScenarioResultRow]]) -> CompareOut:
    """The figures of each scenario's latest result side by side, the base first when all
    were compared with the same base schedule."""
    columns = [figures_of(r.figures, s.name) for s, r in pairs]
    meta: list[tuple[int | None, int | None, bool, dict[str, Any]]] = [
        (s.id, r.id, r.revision != s.revision, r.figures) for s, r in pairs
    ]
    bases = {_base_key(r) for _, r in pairs}
    # Two runs that each solved their base month compare with schedules of their own,
    # however alike their figures: only a published version is one base for several.
    if len(bases) == 1 and (len(pairs) == 1 or pairs[0][1].base_source == "published"):
        first = pairs[0][1]
        columns.insert(0, figures_of(first.base_figures))
        meta.insert(0, (None, None, False, first.base_figures))
    return CompareOut(
        columns=[_column(f, *m) for f, m in zip(columns, meta, strict=True)],
        rows=[CompareRow(label=label, cells=cells) for label, cells in compare.rows(columns)],
        changes=[
            CompareChanges(
                scenario_id=s.id,
                name=s.name,
                stale=r.revision != s.revision,
                solver_status=r.solver_status,
                problems=list(r.problems),
                changes=_changed(r.diff),
            )
            for s, r in pairs
        ],
    )


def _base_key(result: ScenarioResultRow) -> tuple[str, int | None, str]:
    """Results share a base column when they kept the same version, measured alike."""
    figures = {k: v for k, v in result.base_figures.items() if k != "seconds"}
    return (result.base_source, result.base_id, json.dumps(figures, sort_keys=True))


def _column(
    figures: compare.Figures,
    scenario_id: int | None,
    result_id: int | None,
    stale: bool,
    stored: dict[str, Any],
) -> CompareColumn:
    weights = term_weights(stored)
    terms = None
    if figures.counts is not None:
        terms = _terms(figures.counts, weights, figures.rotation_months)
    return CompareColumn(
        title=figures.title,
        scenario_id=scenario_id,
        result_id=result_id,
        stale=stale,
        status=figures.status,
        status_label=STATUS_LABELS.get(figures.status, figures.status),
        score_total=figures.total,
        terms=terms,
        seats_filled=figures.seats_filled,
        seats=figures.seats,
        flagged_with_senior=figures.flagged_with_senior,
        flagged=figures.flagged,
        loads=[
            LoadOut(group=label, least=span[0] if span else None, most=span[1] if span else None)
            for label, span in figures.loads.items()
        ],
        changed_seats=figures.changed_seats,
        changed_meetings=figures.changed_meetings,
        seconds=figures.seconds,
        rotation_months=figures.rotation_months,
    )
