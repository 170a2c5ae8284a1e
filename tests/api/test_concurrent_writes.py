"""Writes sent at the same moment on PostgreSQL, as two web processes receive them: of
two changes made with the same ``If-Match`` exactly one is applied (the other is 412),
and retries with the same ``Idempotency-Key`` all answer with the one job.

Each test forces the interleaving that broke: every request is held just before its
write (:class:`Rendezvous`) until all have reached that point, so that all of them have
read and checked before any writes. A request can only fail to get there by waiting on a
row lock held by one that did: then it cannot read before that one commits, which is the
point of the fix, and the held one goes on. No sleep decides an outcome; the only timeout
is a failure. SQLite takes the write lock at ``BEGIN`` (models/storage/db.py), so these
interleavings cannot happen there: the tests run on PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from api.settings import Settings
from models.storage import scenarios as scenario_store
from models.storage import schedules as schedule_store
from models.storage.db import Database
from models.storage.tables import JobRow
from services import jobs as job_service
from tests.api.helpers import schedule
from tests.api.world import ILL, World, build_world
from tests.storage.databases import ADMIN_URL

pytestmark = [
    pytest.mark.skipif(ADMIN_URL == "skip", reason="PHANCONG_TEST_POSTGRES_URL=skip"),
    pytest.mark.parametrize("backend", ["postgresql"], indirect=True),
]

#: Seconds a held request waits for the others before the test fails.
PATIENCE = 30
FLAGGED = {"kind": "commune_flag", "commune": "c4", "flag": 2, "reason": "Khiếu kiện đông người"}


class Rendezvous:
    """Holds each request at a point until ``parties`` requests have reached it, or until
    one of them waits on a lock of the test database (it then cannot reach the point
    before the held one commits). Once open, it holds nobody."""

    def __init__(self, database: Database, parties: int) -> None:
        self.database = database
        self.parties = parties
        self.arrived = 0
        self.open = False
        self.condition = threading.Condition()

    def wait(self) -> None:
        with self.condition:
            self.arrived += 1
            self.condition.notify_all()
        deadline = time.monotonic() + PATIENCE
        while True:
            with self.condition:
                if self.open or self.arrived >= self.parties:
                    self.open = True
                    self.condition.notify_all()
                    return
            if self._someone_waits_on_a_lock():
                with self.condition:
                    self.open = True
                    self.condition.notify_all()
                return
            assert time.monotonic() < deadline, f"{self.arrived} of {self.parties} requests arrived"
            with self.condition:
                self.condition.wait(0.02)

    def _someone_waits_on_a_lock(self) -> bool:
        with self.database.engine.connect() as connection:
            waiting = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        return bool(waiting)

    def around(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function``, entered only once the rendezvous lets its caller on."""

        def held(*args: Any, **kwargs: Any) -> Any:
            self.wait()
            return function(*args, **kwargs)

        return held


Request = tuple[str, str, dict[str, Any] | None, dict[str, str]]


def _at_once(client: TestClient, *requests: Request) -> list[httpx.Response]:
    """Send (method, url, JSON body or None, headers) each from its own thread, released
    together; the responses in the order given."""
    barrier = threading.Barrier(len(requests))
    answers: list[httpx.Response | None] = [None] * len(requests)

    def send(index: int) -> None:
        method, url, body, headers = requests[index]
        barrier.wait(PATIENCE)
        answers[index] = client.request(method, url, json=body, headers=headers)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE * 2)
    assert all(a is not None for a in answers), "a request never answered"
    return [a for a in answers if a is not None]


def _pairs(body: dict[str, Any]) -> set[tuple[str, str]]:
    return {(a["meeting"], a["delegate"]) for a in body["assignments"]}


def _revision(etag: str) -> int:
    return int(etag.strip('"').rsplit("-r", 1)[1])


#: Two edits of the world's draft, each valid alone, on different meetings.
EDIT_M1 = {"meeting": "m1", "remove": "d1", "add": "d4"}
EDIT_M4 = {"meeting": "m4", "remove": "d3", "add": "d8"}


def test_two_edits_with_the_same_etag_one_applies_the_other_is_412(
    client: TestClient, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two edits of one draft with the same If-Match, both past their check before either
    writes: one is 200 and moves the ETag one step, the other is 412 and writes nothing;
    the stored draft is the winner's answer."""
    draft = world.ids["draft"]
    before, etag = schedule(client, world, draft)
    rendezvous = Rendezvous(database, 2)
    monkeypatch.setattr(schedule_store, "replace_plan", rendezvous.around(schedule_store.replace_plan))
    headers = {**world.auth("planner"), "If-Match": etag}
    url = f"/schedules/{draft}/edits"
    answers = _at_once(
        client,
        ("POST", url, {"changes": [EDIT_M1]}, headers),
        ("POST", url, {"changes": [EDIT_M4]}, headers),
    )
    assert sorted(a.status_code for a in answers) == [200, 412], [a.text for a in answers]
    won = next(a for a in answers if a.status_code == 200)
    assert _revision(won.headers["ETag"]) == _revision(etag) + 1
    stored, now = schedule(client, world, draft)
    assert now == won.headers["ETag"]
    assert _pairs(stored) == _pairs(won.json()["schedule"])
    assert len(_pairs(stored) ^ _pairs(before)) == 2  # one change: one pair out, one in


def test_two_undos_with_the_same_etag_take_back_one_edit(
    client: TestClient, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an edit, two undos with its ETag at the same moment: one is 200 (the draft is
    as before the edit), the other 412."""
    draft = world.ids["draft"]
    before, _ = schedule(client, world, draft)
    edited = client.post(f"/schedules/{draft}/edits", json={"changes": [EDIT_M1]}, headers=world.auth("planner"))
    assert edited.status_code == 200, edited.text
    etag = edited.headers["ETag"]
    rendezvous = Rendezvous(database, 2)
    monkeypatch.setattr(schedule_store, "replace_plan", rendezvous.around(schedule_store.replace_plan))
    headers = {**world.auth("planner"), "If-Match": etag}
    url = f"/schedules/{draft}/undo"
    answers = _at_once(client, ("POST", url, None, headers), ("POST", url, None, headers))
    assert sorted(a.status_code for a in answers) == [200, 412], [a.text for a in answers]
    stored, now = schedule(client, world, draft)
    assert _revision(now) == _revision(etag) + 1
    assert _pairs(stored) == _pairs(before)


def test_an_edit_and_a_delete_with_the_same_etag_do_not_both_succeed(
    client: TestClient, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit and a delete of one draft with the same If-Match at the same moment: one
    of them is applied, the other refused (412 after the edit, 404 after the delete)."""
    draft = world.ids["draft"]
    _, etag = schedule(client, world, draft)
    rendezvous = Rendezvous(database, 2)
    monkeypatch.setattr(schedule_store, "replace_plan", rendezvous.around(schedule_store.replace_plan))
    monkeypatch.setattr(schedule_store, "discard", rendezvous.around(schedule_store.discard))
    headers = {**world.auth("planner"), "If-Match": etag}
    edit, delete = _at_once(
        client,
        ("POST", f"/schedules/{draft}/edits", {"changes": [EDIT_M1]}, headers),
        ("DELETE", f"/schedules/{draft}", None, headers),
    )
    assert (edit.status_code, delete.status_code) in ((200, 412), (404, 200)), (edit.text, delete.text)
    shown = client.get(f"/schedules/{draft}", headers=world.auth("planner"))
    assert shown.status_code == (200 if edit.status_code == 200 else 404)


def test_two_scenario_changes_with_the_same_etag_one_applies_the_other_is_412(
    client: TestClient, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two PATCHes of a scenario's changes with the same If-Match at the same moment: one
    is 200 (revision 2), the other 412, and the scenario keeps the winner's changes."""
    path = f"/scenarios/{world.ids['scenario']}"
    planner = world.auth("planner")
    etag = client.get(path, headers=planner).headers["ETag"]
    rendezvous = Rendezvous(database, 2)
    monkeypatch.setattr(scenario_store, "update", rendezvous.around(scenario_store.update))
    headers = {**planner, "If-Match": etag}
    answers = _at_once(
        client,
        ("PATCH", path, {"changes": [ILL, FLAGGED]}, headers),
        ("PATCH", path, {"changes": [FLAGGED]}, headers),
    )
    assert sorted(a.status_code for a in answers) == [200, 412], [a.text for a in answers]
    won = next(a for a in answers if a.status_code == 200)
    stored = client.get(path, headers=planner)
    assert stored.headers["ETag"] == won.headers["ETag"] != etag
    assert stored.json()["changes"] == won.json()["changes"]


@pytest.fixture
def fresh(database: Database, tiny_document: dict[str, Any]) -> World:
    """The tiny example with accounts, and no schedule or job yet."""
    return build_world(database, tiny_document, extras=False)


def _jobs(database: Database) -> int:
    with database.reader() as session:
        return session.scalar(select(func.count()).select_from(JobRow)) or 0


def test_six_retries_of_a_solve_with_one_key_get_the_one_job(
    client: TestClient, fresh: World, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six `POST /solves` with the same Idempotency-Key and body at the same moment, with a
    cap of one unfinished job: all six answer with the one job (the first 201, the others
    replays, never 429); the same key with another body is still 409."""
    assert settings.max_concurrent_solves == 1
    rendezvous = Rendezvous(database, 6)
    monkeypatch.setattr(job_service, "take_solve_slot", rendezvous.around(job_service.take_solve_slot))
    headers = {**fresh.auth("planner"), "Idempotency-Key": "k-abc-1"}
    body = {"month": "2025-11", "time_limit": 5}
    answers = _at_once(client, *[("POST", "/solves", body, headers)] * 6)
    assert [a.status_code for a in answers] == [201] * 6, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 5
    assert _jobs(database) == 1
    client.app.state.runner.wait(answers[0].json()["id"], 60)  # type: ignore[attr-defined]
    other = client.post("/solves", json={"month": "2025-11", "time_limit": 4}, headers=headers)
    assert other.status_code == 409, other.text
    assert _jobs(database) == 1


def test_six_retries_of_a_scenario_run_with_one_key_get_the_one_job(
    client: TestClient, world: World, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same for `POST /scenarios/{id}/runs`: one job, six answers with it, no 429."""
    before = _jobs(database)
    rendezvous = Rendezvous(database, 6)
    monkeypatch.setattr(job_service, "take_solve_slot", rendezvous.around(job_service.take_solve_slot))
    headers = {**world.auth("planner"), "Idempotency-Key": "k-abc-1"}
    url = f"/scenarios/{world.ids['scenario']}/runs"
    answers = _at_once(client, *[("POST", url, {"time_limit": 5}, headers)] * 6)
    assert [a.status_code for a in answers] == [201] * 6, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert _jobs(database) == before + 1
    client.app.state.runner.wait(answers[0].json()["id"], 60)  # type: ignore[attr-defined]
    assert client.post(url, json={"time_limit": 4}, headers=headers).status_code == 409
