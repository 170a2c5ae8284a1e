"""What-if scenarios as rows: made, changed, run (as jobs) and deleted, never touching a
schedule version.

A scenario keeps its changes in the YAML's shape and the published version in force when
it was made. Changing its changes or mode bumps ``revision``; its ETag is that revision
and a digest of its name and description, so that a rename is a new version to a
client holding the old one (RFC 9110: a strong tag changes with the representation).
The results of earlier runs are kept, each with the revision and the changes it ran, so
a result shown next to a changed scenario says it is out of date rather than passing
for an answer to the new question.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.storage.tables import JobRow, ScenarioResultRow, ScenarioRow
from models.storage.types import utcnow

ACTIVE = ("queued", "running")


def etag(scenario: ScenarioRow) -> str:
    """Strong ETag of a scenario as it is now: its revision, and its name and description
    (which are no new revision, a result staying an answer to the same question)."""
    label = hashlib.blake2s(f"{scenario.name}\0{scenario.description or ''}".encode(), digest_size=4).hexdigest()
    return f'"k{scenario.id}-r{scenario.revision}-{label}"'


def create(
    session: Session,
    *,
    name: str,
    month: str,
    changes: list[dict[str, Any]],
    mode: str = "weighted",
    description: str | None = None,
    base_id: int | None = None,
    user_id: int | None = None,
) -> ScenarioRow:
    scenario = ScenarioRow(
        name=name,
        description=description,
        month=month,
        base_id=base_id,
        mode=mode,
        changes=changes,
        revision=1,
        created_by=user_id,
    )
    session.add(scenario)
    session.flush()
    return scenario


def locked(session: Session, scenario_id: int) -> ScenarioRow | None:
    """The scenario read afresh and row-locked to the end of the transaction, for a change
    checked against its revision (``If-Match``): a concurrent change made on the same
    revision waits here until this one is committed, then reads the revision it made."""
    return session.get(ScenarioRow, scenario_id, with_for_update=True, populate_existing=True)


def listing(session: Session, month: str | None = None) -> Sequence[ScenarioRow]:
    query = select(ScenarioRow).order_by(ScenarioRow.month, ScenarioRow.id)
    if month is not None:
        query = query.where(ScenarioRow.month == month)
    return list(session.scalars(query))


def update(session: Session, scenario: ScenarioRow, fields: dict[str, Any]) -> None:
    """Set ``fields`` (name, description, mode, changes); a new question (changes or mode)
    is a new revision."""
    question = any(k in fields and fields[k] != getattr(scenario, k) for k in ("changes", "mode"))
    for key, value in fields.items():
        setattr(scenario, key, value)
    if question:
        scenario.revision += 1
    scenario.updated_at = utcnow()
    session.flush()


def active_jobs(session: Session, scenario_id: int) -> Sequence[JobRow]:
    """The scenario's runs that are queued or running."""
    return list(session.scalars(select(JobRow).where(JobRow.scenario_id == scenario_id, JobRow.status.in_(ACTIVE))))


def latest_result(session: Session, scenario_id: int) -> ScenarioResultRow | None:
    return session.scalar(
        select(ScenarioResultRow)
        .where(ScenarioResultRow.scenario_id == scenario_id)
        .order_by(ScenarioResultRow.id.desc())
        .limit(1)
    )


def results(session: Session, scenario_id: int) -> Sequence[ScenarioResultRow]:
    """Every result of the scenario, the latest first."""
    return list(
        session.scalars(
            select(ScenarioResultRow)
            .where(ScenarioResultRow.scenario_id == scenario_id)
            .order_by(ScenarioResultRow.id.desc())
        )
    )


def save_result(session: Session, result: ScenarioResultRow) -> ScenarioResultRow | None:
    """Store a run's result; None (and nothing stored) when its scenario was deleted meanwhile."""
    # Locked, so that a delete waits for the result or the result sees the delete.
    if session.get(ScenarioRow, result.scenario_id, with_for_update=True) is None:
        return None
    session.add(result)
    session.flush()
    return result


def delete(session: Session, scenario: ScenarioRow) -> None:
    """The scenario and its results go; its jobs stay in the job list (scenario_id: null)."""
    session.delete(scenario)
    session.flush()
