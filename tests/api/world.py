"""The world the authorization matrix (and other API tests) run against.

The tiny example with an account per role, plus what the matrix needs to exist: an empty
commune (c9), an unused place (kho) and an unused delegate (d8) to delete, a December
meeting (m9), a published version of November and a draft planned against it, a finished
and a queued job, a calendar feed for d1, a scenario on November (d1 ill on the 4th)
with the result of a run, c1's pending request to move m1, and November's score sheets of c1 (Tốt) and c2 (Chưa đạt,
which proposes a flag for December).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.schemas.scenario_changes import load_changes
from models.storage import importer, jobs, schedules, users
from models.storage import scenarios as scenario_store
from models.storage.db import Database
from models.storage.schedules import Plan
from models.storage.scoring import DEFAULT_CRITERIA
from models.storage.tables import (
    ChangeRequestRow,
    CommuneRow,
    DelegateRow,
    LeaveRow,
    MeetingRow,
    PlaceRow,
    RoadRow,
    ScoreSheetRow,
    UserRow,
)
from services.scenario_runs import ScenarioOrder, prepare, result_row, solve_prepared

MONTH = "2025-11"
#: The proved optimum of the tiny example (score 32): feasible under every hard rule.
OPTIMUM = [("m1", "d1"), ("m2", "d1"), ("m3", "d2"), ("m3", "d5"), ("m4", "d3")]
ROLES = ("anonymous", "planner", "delegate", "commune")
#: The world's scenario: the Secretary (d1, on m1 and m2 in the published version) ill on 4 November.
ILL = {"kind": "delegate_away", "delegate": "d1", "from": "2025-11-04", "to": "2025-11-04", "reason": "Nghỉ ốm"}


@dataclass
class World:
    tokens: dict[str, str]
    ids: dict[str, Any] = field(default_factory=dict)

    def auth(self, role: str | None) -> dict[str, str]:
        """Authorization header of an account (``None`` or "anonymous": none)."""
        if role in (None, "anonymous"):
            return {}
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def build_world(database: Database, document: dict[str, Any], extras: bool = True) -> World:
    with database.transaction() as session:
        importer.import_document(session, document)
        tokens = {
            "planner": users.create_user(session, "Cán bộ Ban Tuyên giáo", "planner")[1],
            "delegate": users.create_user(session, "Nguyễn Văn Kiên", "delegate", delegate_id="d1")[1],
            "other_delegate": users.create_user(session, "Trần Thị Thu Hà", "delegate", delegate_id="d2")[1],
            "commune": users.create_user(session, "Phường Cốc Lếu", "commune", commune_id="c1")[1],
            "other_commune": users.create_user(session, "Xã Hợp Thành", "commune", commune_id="c2")[1],
        }
    world = World(tokens)
    if extras:
        _extras(database, world)
    return world


def _extras(database: Database, world: World) -> None:
    with database.transaction() as session:
        session.add(CommuneRow(id="c9", name="Xã Trống", flag=0))
        session.add(PlaceRow(id="kho", name="Kho lưu trữ"))
        session.add(
            DelegateRow(id="d8", name="Người Chưa Dự", tier=4, agency="Ban Dân vận", max_per_month=4, base="hq")
        )
        session.add(
            MeetingRow(
                id="m9",
                commune_id="c1",
                starts_at=dt.datetime(2025, 12, 2, 1, 0, tzinfo=dt.UTC),
                month="2025-12",
                minutes=180,
                senior_tier_set=False,
            )
        )
        planner = session.scalar(select(UserRow).where(UserRow.role == "planner"))
        assert planner is not None
        other = session.scalar(select(UserRow).where(UserRow.commune_id == "c2"))
        assert other is not None
        published = schedules.create_draft(session, MONTH, Plan(pairs=OPTIMUM, total=32), None, planner.id)
        schedules.publish(session, published.id, published.revision, planner.id)
        draft = schedules.create_draft(session, MONTH, Plan(pairs=OPTIMUM, total=32), published.id, planner.id)
        done = jobs.create(session, planner.id, MONTH, 1.0)
        jobs.start(session, done.id)
        jobs.finish(session, done.id, "done", schedule_id=draft.id, result_status="optimal", best=32, bound=32)
        # Queued by another planner, so that the first one may still start a solve.
        colleague, _ = users.create_user(session, "Cán bộ khác", "planner")
        queued = jobs.create(session, colleague.id, "2025-12", 1.0)
        leave = session.scalar(select(LeaveRow.id).where(LeaveRow.delegate_id == "d1"))
        feed = users.rotate_feed(session, "d1")
        road = session.scalar(select(RoadRow.id).where(RoadRow.a == "hq", RoadRow.b == "c1"))
        scenario = _scenario_with_a_result(session, published.id, planner.id)
        commune = session.scalar(select(UserRow).where(UserRow.commune_id == "c1"))
        assert commune is not None
        request = ChangeRequestRow(
            kind="move",
            meeting_id="m1",
            month=MONTH,
            commune_id="c1",
            starts_at=dt.datetime(2025, 11, 5, 1, 0, tzinfo=dt.UTC),
            before={"start": "2025-11-04T01:00:00+00:00", "minutes": 180},
            reason="Trùng lịch tiếp xúc cử tri",
            requested_by=commune.id,
        )
        session.add(request)
        session.flush()
        _sheet(session, "c1", 80.0)
        _sheet(session, "c2", 40.0)
        world.ids = {
            "other_user": other.id,
            "published": published.id,
            "draft": draft.id,
            "draft_etag": schedules.etag(draft),
            "done_job": done.id,
            "queued_job": queued.id,
            "leave": leave,
            "feed_token": feed,
            "road": road,
            "scenario": scenario,
            "request": request.id,
        }


def _sheet(session: Session, commune_id: str, total: float) -> None:
    """A November sheet of the default criteria scoring ``total`` out of 100 (each criterion alike)."""
    items = [
        {"criterion": c.id, "name": c.name, "max_points": c.max_points, "points": c.max_points * total / 100}
        for c in DEFAULT_CRITERIA
    ]
    session.add(ScoreSheetRow(commune_id=commune_id, month=MONTH, items=items, total=total, max_total=100.0))


def _scenario_with_a_result(session: Session, published: int, planner: int) -> int:
    """A scenario made against ``published`` and run once (as its job would, without the job)."""
    scenario = scenario_store.create(
        session, name="Bí thư nghỉ ốm", month=MONTH, changes=[ILL], base_id=published, user_id=planner
    )
    prepared = prepare(session, MONTH, published, load_changes([ILL]), "weighted")
    assert prepared.base_pairs is not None
    outcome = solve_prepared(prepared, scenario.name, time_limit=5)
    order = ScenarioOrder("", scenario.id, 1, scenario.name, [ILL], prepared, 5, planner)
    row = result_row(order, outcome)
    row.job_id = None
    scenario_store.save_result(session, row)
    return scenario.id
