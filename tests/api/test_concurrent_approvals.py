"""Answers to one request sent at the same moment, as two web processes receive them: the
first applies it and starts the re-plan (202), every other is the 409 a later retry gets
("Yêu cầu N đã được trả lời"), never a 500; nothing is applied twice.

On PostgreSQL each answer is held just after it has read its requests
(:class:`~tests.api.test_concurrent_writes.Rendezvous`) until all have read them or one
waits on a row lock: before the fix all read "pending" and the later ones failed on the
pin the first had written. SQLite takes the write lock at ``BEGIN``
(models/storage/db.py), so there the answers queue by themselves; the same outcome is
checked without holding anyone (a hold would wait on a request that cannot begin).

The tiny world: November 2025 published with d1 on m1 and m2, c1's request to move m1
pending; here d1's "không dự được" for m2 is added, pending too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from models.storage.db import Database
from models.storage.tables import ChangeRequestRow, JobRow, PinRow, UserRow
from services import requests as request_service
from tests.api.test_concurrent_writes import Rendezvous, _at_once
from tests.api.world import World


def _absence(database: Database) -> int:
    """d1's pending "không dự được" for m2 (04/11/2025), as the delegate sent it."""
    with database.transaction() as session:
        delegate = session.scalar(select(UserRow.id).where(UserRow.delegate_id == "d1"))
        row = ChangeRequestRow(
            kind="absent",
            state="pending",
            meeting_id="m2",
            month="2025-11",
            commune_id="c2",
            delegate_id="d1",
            before={"start": "2025-11-04T07:00:00+00:00", "minutes": 180},
            reason="Họp Tỉnh ủy",
            requested_by=delegate,
            created_at=dt.datetime(2025, 11, 1, 1, 0, tzinfo=dt.UTC),
        )
        session.add(row)
        session.flush()
        return row.id


def _hold_after_reading(database: Database, parties: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL, hold each answer once it has read a request until all ``parties`` have."""
    if database.backend != "postgresql":
        return
    rendezvous = Rendezvous(database, parties)
    read = request_service.get

    def held(*args: Any, **kwargs: Any) -> Any:
        row = read(*args, **kwargs)
        rendezvous.wait()
        return row

    monkeypatch.setattr(request_service, "get", held)


def _approvals(database: Database) -> tuple[dict[int, tuple[str, str | None]], int, int]:
    """Each request's state and job, the jobs started by approvals, d1's pins on m2."""
    with database.reader() as session:
        states = {r.id: (r.state, r.job_id) for r in session.scalars(select(ChangeRequestRow))}
        jobs = session.scalar(select(func.count()).select_from(JobRow).where(JobRow.changes_first.is_(True))) or 0
        pins = session.scalar(
            select(func.count()).select_from(PinRow).where(PinRow.meeting_id == "m2", PinRow.delegate_id == "d1")
        )
        return states, int(jobs), int(pins or 0)


def _settled(client: TestClient, won: httpx.Response) -> None:
    client.app.state.runner.wait(won.json()["job"]["id"], 60)  # type: ignore[attr-defined]


def _answered(response: httpx.Response, request_id: int) -> None:
    assert response.status_code == 409, response.text
    assert response.json()["detail"] == f"Yêu cầu {request_id} đã được trả lời (đã duyệt)"
    assert [(e["path"], e["value"]) for e in response.json()["errors"]] == [("$.requests", request_id)]


def test_three_approvals_at_once_one_is_202_the_others_409(
    client: TestClient, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three `POST /requests/{id}/approve {}` of d1's absence at once: 202, 409, 409; one
    job, one pin, the request approved with the winner's job."""
    absence = _absence(database)
    _hold_after_reading(database, 3, monkeypatch)
    url = f"/requests/{absence}/approve"
    answers = _at_once(client, *[("POST", url, {}, world.auth("planner"))] * 3)
    assert sorted(a.status_code for a in answers) == [202, 409, 409], [a.text for a in answers]
    won = next(a for a in answers if a.status_code == 202)
    for lost in (a for a in answers if a.status_code == 409):
        _answered(lost, absence)
    _settled(client, won)
    states, jobs, pins = _approvals(database)
    assert states[absence] == ("approved", won.json()["job"]["id"])
    assert (jobs, pins) == (1, 1)


def test_overlapping_approvals_at_once_one_is_202_the_other_409(
    client: TestClient, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`approve {move, also: [absence]}` and `approve {absence}` at once: one is 202, the
    other 409 naming the absence; whichever won, each request is approved once."""
    move, absence = world.ids["request"], _absence(database)
    _hold_after_reading(database, 2, monkeypatch)
    planner = world.auth("planner")
    both, alone = _at_once(
        client,
        ("POST", f"/requests/{move}/approve", {"also": [absence]}, planner),
        ("POST", f"/requests/{absence}/approve", {}, planner),
    )
    assert sorted((both.status_code, alone.status_code)) == [202, 409], (both.text, alone.text)
    won, lost = (both, alone) if both.status_code == 202 else (alone, both)
    _answered(lost, absence)
    _settled(client, won)
    states, jobs, pins = _approvals(database)
    job = won.json()["job"]["id"]
    assert states[absence] == ("approved", job)
    assert states[move] == (("approved", job) if won is both else ("pending", None))
    assert (jobs, pins) == (1, 1)


def test_a_later_approval_is_409(client: TestClient, world: World, database: Database) -> None:
    """The retry after the fact, as the issue saw it: the same 409."""
    absence = _absence(database)
    first = client.post(f"/requests/{absence}/approve", json={}, headers=world.auth("planner"))
    assert first.status_code == 202, first.text
    _settled(client, first)
    _answered(client.post(f"/requests/{absence}/approve", json={}, headers=world.auth("planner")), absence)
