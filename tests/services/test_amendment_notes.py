"""The amendment notice's note on a changed meeting names who no longer goes: its line
prints only who does, and a meeting both moved and given another delegate said only
"Dời lịch" (services.documents.amendment_lines)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from api.planning import Change
from models.storage.tables import MeetingRow, ScheduleRow
from services import documents
from services import schedules as service
from tests.api.world import World
from tests.services.conftest import account


def test_a_moved_meeting_with_another_delegate_names_who_no_longer_goes(session: Session, world: World) -> None:
    planner = account(session, "planner")
    meeting = session.get(MeetingRow, "m1")
    assert meeting is not None
    meeting.starts_at += dt.timedelta(days=1)
    session.commit()
    service.edit(session, planner, world.ids["draft"], [Change("m1", remove="d1", add="d4")])
    draft = session.get(ScheduleRow, world.ids["draft"])
    assert draft is not None
    [line] = [line for line in documents.amendment_lines(session, draft) if line.meeting == "m1"]
    notes = line.note.splitlines()
    assert notes[0].startswith("Dời lịch, trước đây 08h00 ngày 04/11/2025")
    assert notes[1] == "Thay đồng chí Nguyễn Văn Kiên"
    assert [a.id for a in line.delegates] == ["d4"]
