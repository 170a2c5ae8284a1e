"""An out-of-order publication after a range solve: the later month's score goes stale and
the month says it needs a re-plan (services.later_months, through the HTTP API).

A range solve of November to January makes one draft per month, each scored on the drafts
before it. December is published first; then a November version other than its draft is
published, one that sends a delegate of December's to the same commune in November. Then
December's stored score is no longer what ``phancong score`` gives on the month's instance
and its solution, and ``GET /months/2025-12`` and ``GET /schedules/{december}`` say so.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from models.io import instance_from_document
from models.storage.db import Database
from services.later_months import HISTORY_TERMS, reason_for
from solver import score
from tests.api.helpers import publish, schedule
from tests.api.world import World, build_world


def _three_months(document: dict[str, Any]) -> dict[str, Any]:
    """The tiny example with its November meetings repeated in December and January."""
    out = copy.deepcopy(document)
    for month in ("2025-12", "2026-01"):
        for meeting in document["meetings"]:
            out["meetings"].append(dict(meeting, id=f"{meeting['id']}-{month}", start=month + meeting["start"][7:]))
    return out


@pytest.fixture
def months(database: Database, tiny_document: dict[str, Any]) -> World:
    return build_world(database, _three_months(tiny_document), extras=False)


def _get(client: TestClient, world: World, url: str) -> Any:
    response = client.get(url, headers=world.auth("planner"))
    assert response.status_code == 200, response.text
    return response.json()


def _history_terms(client: TestClient, world: World, month: str, pairs: list[tuple[str, str]], extra: Any = ()) -> Any:
    """The history terms ``phancong score`` gives ``pairs`` on the month's instance (with
    ``extra`` attendances added to its history, to foresee a publication)."""
    document = _get(client, world, f"/months/{month}/instance.json")
    document["history"]["attendances"] += list(extra)
    terms = score(instance_from_document(document), pairs).terms
    return [terms[t] for t in HISTORY_TERMS]


def _stored(view: dict[str, Any]) -> list[int]:
    counts = {t["term"]: t["count"] for t in view["terms"]}
    return [counts[t] for t in HISTORY_TERMS]


def test_publishing_november_after_december_marks_december(client: TestClient, months: World) -> None:
    planner = months.auth("planner")
    response = client.post("/solves", json={"from": "2025-11", "to": "2026-01", "time_limit": 1}, headers=planner)
    assert response.status_code == 201, response.text
    client.app.state.runner.wait(response.json()["id"], 60)  # type: ignore[attr-defined]
    job = _get(client, months, f"/jobs/{response.json()['id']}")
    assert job["status"] == "done", job
    november_draft, december_id, _ = job["schedule_ids"]

    december = publish(client, months, december_id)
    assert _get(client, months, "/months/2025-12")["needs_replan"] is False
    dec_pairs = [(a["meeting"], a["delegate"]) for a in december["assignments"]]

    # A copy of November's draft, edited so that one of December's delegates is also at
    # that commune's November meeting, changing December's history terms.
    copied = client.post(f"/schedules/{november_draft}/copy", headers=planner)
    assert copied.status_code == 201, copied.text
    nov = copied.json()
    start = {a["meeting"]: a["start"][:10] for a in nov["assignments"]}
    chosen = None
    for meeting, delegate in dec_pairs:
        at = meeting.split("-")[0]  # December's m1-2025-12 repeats November's m1
        for held in [a["delegate"] for a in nov["assignments"] if a["meeting"] == at]:
            if delegate == held:
                continue
            change = {"meeting": at, "remove": held, "add": delegate}
            tried = client.post(
                f"/schedules/{nov['id']}/edits", json={"changes": [change], "dry_run": True}, headers=planner
            )
            if tried.status_code != 200:
                continue
            pairs = [
                (m, d) for m, d in [(a["meeting"], a["delegate"]) for a in nov["assignments"]] if (m, d) != (at, held)
            ]
            pairs.append((at, delegate))
            commune = {a["meeting"]: a["commune"] for a in nov["assignments"]}
            extra = [{"date": start[m], "commune": commune[m], "delegate": d} for m, d in pairs]
            if _history_terms(client, months, "2025-12", dec_pairs, extra) != _stored(december):
                chosen = change
                break
        if chosen is not None:
            break
    assert chosen is not None, "no edit of November changes December's score"
    applied = client.post(f"/schedules/{nov['id']}/edits", json={"changes": [chosen]}, headers=planner)
    assert applied.status_code == 200, applied.text
    publish(client, months, nov["id"])

    # December's stored score is stale: the month and the version say so, naming November.
    assert _history_terms(client, months, "2025-12", dec_pairs) != _stored(december)
    month = _get(client, months, "/months/2025-12")
    assert month["needs_replan"] is True
    assert [n["reason"] for n in month["notices"]] == [reason_for("2025-11")]
    assert month["notices"][0]["reason"].startswith("Lịch phân công tháng 11/2025 thay đổi sau khi lập bản lịch này")
    view, _ = schedule(client, months, december_id)
    assert view["needs_replan"] is True
    assert [n["reason"] for n in view["notices"]] == [reason_for("2025-11")]
    # November itself, just published, is not marked for it.
    assert _get(client, months, "/months/2025-11")["notices"] == []

    # Publishing November again (a copy, unchanged) adds no second notice.
    again = client.post(f"/schedules/{nov['id']}/copy", headers=planner).json()
    publish(client, months, again["id"])
    assert len(_get(client, months, "/months/2025-12")["notices"]) == 1


def test_publishing_the_drafts_the_range_chained_marks_nothing(client: TestClient, months: World) -> None:
    """December published first, then November's draft as the range made it: December and
    January were scored on exactly that November, so neither needs a re-plan."""
    planner = months.auth("planner")
    response = client.post("/solves", json={"from": "2025-11", "to": "2026-01", "time_limit": 1}, headers=planner)
    assert response.status_code == 201, response.text
    client.app.state.runner.wait(response.json()["id"], 60)  # type: ignore[attr-defined]
    november, december, january = _get(client, months, f"/jobs/{response.json()['id']}")["schedule_ids"]
    publish(client, months, december)
    publish(client, months, november)
    for month in ("2025-12", "2026-01"):
        assert _get(client, months, f"/months/{month}")["notices"] == []
    view, _ = schedule(client, months, january)
    assert view["needs_replan"] is False
