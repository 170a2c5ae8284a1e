"""Running a stored scenario: its base from the database, its month built and solved as a
job, its result stored. Nothing here writes a schedule version.

:func:`prepare` runs before the job exists, so that a refused run starts nothing: the
month's stored data must make a valid instance (:func:`services.months.load_month`) and
the scenario's changes must apply to it (:func:`scenarios.scenario.build`; each problem
is named at ``$.changes[i]…``, as in the body that set them). :func:`run` runs in the
job; its solve is ``phancong scenario run``'s own (:func:`scenarios.runner.run_on`), on
a base read from the database instead of files: the published version the scenario was
made against, kept as the month's ``reference`` unless the mode is ``fresh``; when no
version was published then, the base month is solved first. The figures of
``phancong scenario compare`` are taken of both. Each solve gets the run's time limit,
as the CLI's ``--time-limit``.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from api.settings import Settings
from models.errors import InputError
from models.instance import Instance
from models.labels import TERM_LABELS
from models.rules import TERMS
from models.storage import audit, jobs, schedules
from models.storage import scenarios as store
from models.storage.clock import aware, month_label
from models.storage.db import Database
from models.storage.tables import ScenarioResultRow, UserRow
from scenarios import compare
from scenarios.changes import Change
from scenarios.replan import changes_proved
from scenarios.runner import Base, BaseSource, ScenarioOutcome, run_on
from scenarios.scenario import MODES, Built, Mode, build
from scenarios.wording import Names, describe
from services.errors import Invalid
from services.months import Document, load_month
from solver import Result, score, solve
from solver.backends import Progress, ProgressCallback

Pairs = list[tuple[str, str]]
WHAT = "Kịch bản"


@dataclass(frozen=True)
class PreparedScenario:
    """A scenario ready to run on the month's data as they are now."""

    document: Document
    """The base month (without a ``reference``: the scenario sets its own)."""
    base: Instance
    base_id: int | None
    base_pairs: Pairs | None
    """The published version's pairs; None when the base month is to be solved."""
    changes: tuple[Change, ...]
    mode: Mode
    built: Built
    """The changed month; its ``reference`` is the base unless there is none yet or the mode is fresh."""


@dataclass(frozen=True)
class ScenarioOrder:
    """Everything a scenario's job needs, fixed when it is accepted."""

    job_id: str
    scenario_id: int
    revision: int
    name: str
    stored_changes: list[dict[str, Any]]
    prepared: PreparedScenario
    time_limit: float
    user_id: int | None


def as_mode(value: str) -> Mode:
    """A stored mode (the database's check constraint allows only these)."""
    if value not in MODES:
        raise ValueError(f"unknown mode {value!r}")
    return value  # type: ignore[return-value]


def prepare(
    session: Session, month: str, base_id: int | None, changes: Sequence[Change], mode: Mode
) -> PreparedScenario:
    """The scenario's month built on today's data; :class:`~services.errors.Invalid` naming each problem."""
    document, base = load_month(session, month, reference=False)
    pairs = schedules.pairs_of(session, base_id) if base_id is not None else None
    keep = pairs if mode != "fresh" else None
    try:
        built = build(document, tuple(changes), keep, WHAT, stored=True)
    except InputError as error:
        detail = f"Kịch bản không áp dụng được cho tháng {month_label(month)}"
        raise Invalid(detail, error.issues) from None
    return PreparedScenario(document, base, base_id, pairs, tuple(changes), mode, built)


def described(prepared: PreparedScenario) -> list[str]:
    """Each change in Vietnamese, naming people and places as the base month has them."""
    names = Names(prepared.base, prepared.built.instance)
    return [describe(change, names) for change in prepared.changes]


# -- in the job -------------------------------------------------------------------------


def solve_prepared(
    prepared: PreparedScenario,
    name: str,
    *,
    time_limit: float,
    workers: int | None = None,
    on_progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> ScenarioOutcome:
    """The scenario run on its database base: the published pairs it was made against, or
    the base month solved now when there were none."""
    pairs = prepared.base_pairs
    source: BaseSource = "published"
    if pairs is None:
        # No version was published when the scenario was made: its base is the month solved now.
        pairs = solve(prepared.base, time_limit=time_limit, workers=workers, stop=stop).assignments
        source = "solved"
    base = Base(prepared.document, prepared.base, pairs, source, score(prepared.base, pairs), stored=True)
    # The month was built on the published pairs (or on none, when fresh): built again only
    # when it is to keep pairs solved just now.
    reuse = prepared.base_pairs is not None or prepared.mode == "fresh"
    return run_on(
        base,
        name,
        prepared.changes,
        prepared.mode,
        WHAT,
        time_limit=time_limit,
        workers=workers,
        on_progress=on_progress,
        stop=stop,
        built=prepared.built if reuse else None,
    )


def run(
    database: Database,
    settings: Settings,
    order: ScenarioOrder,
    stop: threading.Event,
    on_progress: Callable[[Progress], None],
    worker: str | None = None,
) -> None:
    """Solve the scenario and store its result; the job ends done, or cancelled when
    cancelled. With ``worker``, every end is written only while that worker holds the job
    (:class:`~models.storage.jobs.Lost` otherwise, and the result is rolled back)."""
    outcome = solve_prepared(
        order.prepared,
        order.name,
        time_limit=order.time_limit,
        workers=settings.solver_threads,
        on_progress=on_progress,
        stop=stop,
    )
    result = outcome.result
    reason = getattr(stop, "reason", "cancel" if stop.is_set() else None)
    if reason == "lost":
        raise jobs.Lost(order.job_id)
    status = "cancelled" if reason == "cancel" else "done"
    with database.transaction() as session:
        if stop.is_set() and result.report is None:
            _end(jobs.finish(session, order.job_id, "cancelled", error="Đã dừng trước khi có lịch", worker=worker))
            return
        row = result_row(order, outcome)
        if store.save_result(session, row) is None:
            error = "Kịch bản đã bị xóa khi đang chạy"
            _end(jobs.finish(session, order.job_id, "cancelled", error=error, worker=worker))
            return
        finished = jobs.finish(
            session,
            order.job_id,
            status,
            result_status=result.status,
            best=result.total,
            bound=result.bound,
            seconds=round(result.seconds, 3),
            worker=worker,
        )
        _end(finished, order.job_id)
        user = session.get(UserRow, order.user_id) if order.user_id is not None else None
        detail = {"job": order.job_id, "status": result.status, "score": result.total, "result": row.id}
        audit.record(session, user, "scenario.result", "scenario", order.scenario_id, detail)


def _end(finished: bool, job_id: str = "") -> None:
    """Roll the transaction back (by raising) when the job was not this worker's to end."""
    if not finished:
        raise jobs.Lost(job_id)


def result_row(order: ScenarioOrder, outcome: ScenarioOutcome) -> ScenarioResultRow:
    """The run's answer, with every name it needs (the changed month may have people and
    meetings the directory does not)."""
    prepared, base, result = order.prepared, outcome.base, outcome.result
    instance = outcome.instance
    names = Names(instance, prepared.base)
    report = result.report
    return ScenarioResultRow(
        scenario_id=order.scenario_id,
        job_id=order.job_id,
        revision=order.revision,
        mode=prepared.mode,
        changes=order.stored_changes,
        base_id=prepared.base_id if base.source == "published" else None,
        base_source=base.source,
        solver_status=result.status,
        score_total=result.total,
        terms={t: report.terms.get(t, 0) for t in TERMS} if report is not None else {},
        weights=weights(instance),
        rotation_months=instance.rules.rotation_months,
        bound=result.bound,
        seconds=round(result.seconds, 3),
        changes_proved=changes_proved(result, prepared.mode),
        assignments=_assignments(instance, result),
        gaps=[
            {
                "meeting": g.meeting,
                "commune_name": instance.commune(instance.meeting(g.meeting).commune).name,
                "seats": g.seats,
                "senior_missing": g.senior_missing,
                "reason": g.reason,
            }
            for g in result.gaps
        ],
        diff=[
            {
                "meeting": c.meeting,
                "label": names.meeting(c.meeting),
                "before": list(c.before),
                "before_names": names.delegates(c.before),
                "after": list(c.after),
                "after_names": names.delegates(c.after),
                "reason": c.reason,
                "seats": c.seats,
            }
            for c in outcome.changes
        ],
        notes=list(outcome.notes),
        problems=list(result.problems),
        described=described(prepared),
        figures=figures_json(compare.of_outcome(outcome), instance),
        base_figures=figures_json(compare.of_base(base), prepared.base),
    )


def weights(instance: Instance) -> dict[str, int]:
    return {t: instance.rules.weight(t) for t in TERMS}


def _assignments(instance: Instance, result: Result) -> list[dict[str, Any]]:
    visits = {(m, d): t for m, d, t in result.visits}
    teams = {t.id: t.name for c in instance.communes for t in c.teams}
    rows = []
    for meeting_id, delegate_id in result.assignments:
        meeting, delegate = instance.meeting(meeting_id), instance.delegate(delegate_id)
        team = visits.get((meeting_id, delegate_id))
        rows.append(
            {
                "meeting": meeting_id,
                "commune": meeting.commune,
                "commune_name": instance.commune(meeting.commune).name,
                "start": aware(meeting.start).isoformat(),
                "delegate": delegate_id,
                "delegate_name": delegate.name,
                "tier": delegate.tier,
                "team": team,
                "team_name": teams.get(team) if team is not None else None,
            }
        )
    return sorted(rows, key=lambda r: (r["start"], r["meeting"], r["tier"], r["delegate"]))


# -- the comparison's figures, stored as JSON ---------------------------------------------


def figures_json(figures: compare.Figures, instance: Instance) -> dict[str, Any]:
    """The figures and the weights of the month they were taken in (a change may set one)."""
    return {**dataclasses.asdict(figures), "weights": weights(instance)}


def figures_of(stored: dict[str, Any], title: str | None = None) -> compare.Figures:
    fields = {f.name for f in dataclasses.fields(compare.Figures)}
    values = {k: v for k, v in stored.items() if k in fields}
    values["loads"] = {k: tuple(v) if v is not None else None for k, v in values["loads"].items()}
    if title is not None:
        values["title"] = title
    return compare.Figures(**values)


def term_weights(stored: dict[str, Any]) -> dict[str, int]:
    return {t: int(stored.get("weights", {}).get(t, 0)) for t in TERM_LABELS}
