"""Fan-out over the job queue: a robustness analysis as one job per re-plan, a scenario
comparison as one job per scenario.

``phancong scenario robustness --queue`` re-plans each absence (a delegate away all month,
or on one of their days) as its own job, a part of a parent job: the parent's ``payload``
holds the month and the schedule, each part's its absence. ``phancong scenario compare
--queue`` solves each scenario's changed month as its own part (:mod:`scenarios.parts`:
the part's payload is the whole changed month, built by the caller). Each part's
``answer`` is written by whichever worker ran it. The parts are ordinary jobs to the
workers (claim, heartbeat, retake of a dead worker's part, cancel), so the work spreads
over every worker on every machine; the caller gathers the answers by polling the parts'
rows (:func:`fan_out`, shared by both).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select

from api.jobs import COMPARE_PART, defer
from models.instance import Instance
from models.io import instance_from_document
from models.storage import jobs
from models.storage.db import Database
from models.storage.tables import JobRow
from scenarios.parts import part_json, result_of
from scenarios.robustness import Absence, Answer, SolveAll, absence_json, answer_of
from scenarios.runner import Base, ScenarioOutcome, build_on, kept, outcome_of
from scenarios.scenario import Mode, Scenario
from solver import Result

PARENT, PART = "robustness", "replan"
COMPARE = "compare"
OWNER = "fanout"


class FanoutFailed(Exception):
    """A part ended without an answer (failed or cancelled): the analysis is incomplete."""


def month_of(instance: Instance) -> str:
    # A job row needs a month; a month with no meeting left (a scenario may cancel them all)
    # has none of its own, and the row's month is only a label for such a part.
    first = min((m.start for m in instance.meetings), default=None)
    return (first or dt.datetime.now(dt.UTC)).strftime("%Y-%m")


def fan_out(
    database: Database,
    month: str,
    time_limit: float,
    kind: tuple[str, str],
    parent_payload: dict[str, Any],
    payloads: Sequence[dict[str, Any]],
    take: Callable[[int, dict[str, Any]], None],
    *,
    poll_seconds: float = 0.2,
    on_parts: Callable[[str, list[str]], None] | None = None,
) -> None:
    """One parent job (mode ``kind[0]``) and one queued part (mode ``kind[1]``) per payload;
    ``take(index, answer)`` for each part's answer as it comes. Raises :class:`FanoutFailed`
    when a part ended without one; the parts still waiting when the caller stops are cancelled."""
    parent_mode, part_mode = kind
    with database.transaction() as session:
        parent = jobs.create(session, None, month, time_limit, mode=parent_mode)
        parent.payload = parent_payload
        # Running under the caller's name, with no heartbeat: the sweep retakes only
        # beating jobs, and the parent is never queued (its parts are the work).
        parent.status, parent.worker, parent.started_at = "running", OWNER, parent.created_at
        parts = []
        for payload in payloads:
            part = jobs.create(session, None, month, time_limit, mode=part_mode)
            part.parent_id, part.payload = parent.id, payload
            parts.append(part.id)
        session.flush()
        for part_id in parts:
            defer(session, part_id)
    if on_parts is not None:
        on_parts(parent.id, parts)
    index = {part_id: i for i, part_id in enumerate(parts)}
    waiting, failed = set(parts), []
    try:
        while waiting:
            with database.reader() as session:
                query = select(JobRow).where(JobRow.parent_id == parent.id, JobRow.status.in_(jobs.FINISHED))
                ended = [row for row in session.scalars(query) if row.id in waiting]
            for row in ended:
                waiting.discard(row.id)
                if row.status == "done" and row.answer is not None:
                    take(index[row.id], row.answer)
                else:
                    failed.append(f"{row.id}: {row.error or row.status}")
            if waiting:
                time.sleep(poll_seconds)
    finally:
        with database.transaction() as session:
            for part_id in waiting:  # the caller stopped waiting: stop the parts left
                if not jobs.cancel_queued(session, part_id):
                    jobs.request_cancel(session, part_id)
            status = "done" if not waiting and not failed else "failed"
            error = None if status == "done" else f"{len(failed) + len(waiting)} phần việc không xong"
            jobs.finish(session, parent.id, status, error=error, worker=OWNER)
    if failed:
        raise FanoutFailed(f"{len(failed)} phần việc không có kết quả: " + "; ".join(failed[:3]))


def robustness_on_queue(
    database: Database,
    document: dict[str, Any],
    pairs: Sequence[tuple[str, str]],
    time_limit: float,
    *,
    poll_seconds: float = 0.2,
    on_parts: Callable[[str, list[str]], None] | None = None,
) -> SolveAll:
    """A ``solve_all`` for :func:`scenarios.robustness.analyse` that queues one job per absence."""

    def solve_all(todo: list[Absence], take: Callable[[Answer], None]) -> None:
        fan_out(
            database,
            month_of(instance_from_document(document)),
            time_limit,
            (PARENT, PART),
            {"document": document, "pairs": [list(p) for p in pairs]},
            [{"absence": absence_json(absence)} for absence in todo],
            lambda _, answer: take(answer_of(answer)),
            poll_seconds=poll_seconds,
            on_parts=on_parts,
        )

    return solve_all


def compare_on_queue(
    database: Database,
    runs: Sequence[tuple[Scenario, Base]],
    mode: Mode | None,
    time_limit: float,
    *,
    poll_seconds: float = 0.2,
    on_parts: Callable[[str, list[str]], None] | None = None,
    on_done: Callable[[], None] | None = None,
) -> list[ScenarioOutcome]:
    """Each scenario on its base solved by a queue worker, in the order given: the outcomes
    :func:`scenarios.runner.run_scenario` makes in this process (``mode`` overrides each
    scenario's own). A scenario that does not apply raises
    :class:`~models.errors.InputError` here, before anything is queued."""
    modes = [mode or scenario.mode for scenario, _ in runs]
    built = [build_on(base, s.changes, m, s.what) for (s, base), m in zip(runs, modes, strict=True)]
    results: dict[int, Result] = {}

    def take(index: int, answer: dict[str, Any]) -> None:
        results[index] = result_of(answer)
        if on_done is not None:
            on_done()

    fan_out(
        database,
        month_of(built[0].instance) if built else month_of(runs[0][1].instance),
        time_limit,
        (COMPARE, COMPARE_PART),
        {"scenarios": [s.name for s, _ in runs]},
        [part_json(b.instance, kept(base, m), m) for b, (_, base), m in zip(built, runs, modes, strict=True)],
        take,
        poll_seconds=poll_seconds,
        on_parts=on_parts,
    )
    return [
        outcome_of(base, s.name, s.changes, m, b, results[i])
        for i, ((s, base), m, b) in enumerate(zip(runs, modes, built, strict=True))
    ]
