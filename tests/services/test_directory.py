"""Directory rules (services.communes, services.delegates), without HTTP."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.schemas.directory import DelegatePatch, LeaveIn
from api.schemas.roads import RoadIn
from models.storage.tables import CommuneRow, ReplanNoticeRow
from services import communes, delegates, places, roads
from services.errors import Conflict, Forbidden, Invalid
from tests.services.conftest import account


def test_a_commune_still_referenced_is_not_deleted(session: Session) -> None:
    """c9 made a delegate's base: its deletion is refused, naming the delegate."""
    planner = account(session, "planner")
    delegates.update(session, planner, "d8", DelegatePatch.model_validate({"in_charge_of": ["c9"]}))
    with pytest.raises(Conflict) as refused:
        communes.delete(session, planner, "c9")
    assert [(i.path, i.value) for i in refused.value.issues] == [("/delegates/d8", "c9")]
    session.rollback()
    assert session.get(CommuneRow, "c9") is not None


def test_an_unknown_commune_in_charge_is_invalid(session: Session) -> None:
    """A delegate put in charge of a commune that does not exist is refused at that position."""
    with pytest.raises(Invalid) as refused:
        delegates.update(
            session, account(session, "planner"), "d8", DelegatePatch.model_validate({"in_charge_of": ["c1", "zz"]})
        )
    assert [(i.path, i.value) for i in refused.value.issues] == [("$.in_charge_of[1]", "zz")]


def test_leave_over_a_published_meeting_leaves_a_replan_notice(session: Session) -> None:
    """Leave for d3 over m4's day (published) gives the published schedule a notice naming the dates."""
    planner = account(session, "planner")
    period = delegates.add_leave(
        session, planner, "d3", LeaveIn.model_validate({"from": "2025-11-01", "to": "2025-11-30", "reason": "Đi học"})
    )
    assert (period.starts_on, period.ends_on) == (dt.date(2025, 11, 1), dt.date(2025, 11, 30))
    reasons = list(session.scalars(select(ReplanNoticeRow.reason).where(ReplanNoticeRow.meeting_id == "m4")))
    assert reasons == ["Đại biểu Lò Văn Sơn nghỉ từ 01/11/2025 đến 30/11/2025"]


def test_only_planners_change_the_directory(session: Session) -> None:
    """A delegate account cannot delete a commune."""
    with pytest.raises(Forbidden):
        communes.delete(session, account(session, "delegate"), "c9")


def test_a_place_a_delegate_starts_from_is_not_deleted(session: Session) -> None:
    """hq, where d8 starts from, is kept, the refusal naming d8."""
    with pytest.raises(Conflict) as refused:
        places.delete(session, account(session, "planner"), "hq")
    assert "/delegates/d8" in {i.path for i in refused.value.issues}


def test_a_second_road_between_the_same_ends_is_refused(session: Session) -> None:
    """A road hq–c1, which the world already has (either way round), is refused."""
    with pytest.raises(Conflict, match="Đã có đường đi"):
        roads.create(session, account(session, "planner"), RoadIn.model_validate({"a": "c1", "b": "hq", "minutes": 30}))
