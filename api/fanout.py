"""Fan-out over the job queue: a robustness analysis as one job per re-plan.

``phancong scenario robustness --queue`` re-plans each absence (a delegate away all month,
or on one of their days) as its own job, a part of a parent job: the parent's ``payload``
holds the month and the schedule, each part's its absence, and each part's ``answer`` is
written by whichever worker ran it. The parts are ordinary jobs to the workers (claim,
heartbeat, retake of a dead worker's part, cancel), so the analysis spreads over every
worker on every machine; the caller gathers the answers by polling the parts' rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select

from api.jobs import defer
from models.instance import Instance
from models.io import instance_from_document
from models.storage import jobs
from models.storage.db import Database
from models.storage.tables import JobRow
from scenarios.robustness import Absence, Answer, SolveAll, absence_json, answer_of

PARENT, PART = "robustness", "replan"
OWNER = "fanout"


class FanoutFailed(Exception):
    """A part ended without an answer (failed or cancelled): the analysis is incomplete."""


def month_of(instance: Instance) -> str:
    return min(m.start for m in instance.meetings).strftime("%Y-%m")


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
        month = month_of(instance_from_document(document))
        with database.transaction() as session:
            parent = jobs.create(session, None, month, time_limit, mode=PARENT)
            parent.payload = {"document": document, "pairs": [list(p) for p in pairs]}
            # Running under the caller's name, with no heartbeat: the sweep retakes only
            # beating jobs, and the parent is never queued (its parts are the work).
            parent.status, parent.worker, parent.started_at = "running", OWNER, parent.created_at
            parts = []
            for absence in todo:
                part = jobs.create(session, None, month, time_limit, mode=PART)
                part.parent_id, part.payload = parent.id, {"absence": absence_json(absence)}
                parts.append(part.id)
            session.flush()
            for part_id in parts:
                defer(session, part_id)
        if on_parts is not None:
            on_parts(parent.id, parts)
        waiting, failed = set(parts), []
        try:
            while waiting:
                with database.reader() as session:
                    query = select(JobRow).where(JobRow.parent_id == parent.id, JobRow.status.in_(jobs.FINISHED))
                    ended = [row for row in session.scalars(query) if row.id in waiting]
                for row in ended:
                    waiting.discard(row.id)
                    if row.status == "done" and row.answer is not None:
                        take(answer_of(row.answer))
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
                error = None if status == "done" else f"{len(failed) + len(waiting)} lần giải lại không xong"
                jobs.finish(session, parent.id, status, error=error, worker=OWNER)
        if failed:
            raise FanoutFailed(f"{len(failed)} lần giải lại không có kết quả: " + "; ".join(failed[:3]))

    return solve_all
