"""Publishing and editing drafts with the version the caller saw (services.schedules)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from api.planning import Change
from models.storage import schedules
from models.storage.tables import ScheduleRow
from services import schedules as service
from services.errors import Conflict, Invalid, PreconditionFailed, PreconditionRequired
from tests.api.world import World
from tests.services.conftest import account


def test_publishing_needs_the_version_seen(session: Session, world: World) -> None:
    """A publish that does not say which revision it saw is refused."""
    with pytest.raises(PreconditionRequired):
        service.publish(session, account(session, "planner"), world.ids["draft"], None)


def test_publishing_a_stale_revision_is_refused(session: Session, world: World) -> None:
    """A draft edited after it was read is not published on the old ETag, and stays a draft."""
    planner = account(session, "planner")
    draft = session.get(ScheduleRow, world.ids["draft"])
    assert draft is not None
    seen = schedules.etag(draft)
    service.edit(session, planner, draft.id, [Change("m3", remove="d5")])
    with pytest.raises(PreconditionFailed, match="hãy tải lại"):
        service.publish(session, planner, draft.id, seen)
    session.rollback()
    assert session.get(ScheduleRow, draft.id).status == "draft"  # type: ignore[union-attr]


def test_publishing_the_current_revision(session: Session, world: World) -> None:
    """The draft published on its current ETag becomes the month's published version."""
    draft = session.get(ScheduleRow, world.ids["draft"])
    assert draft is not None
    published = service.publish(session, account(session, "planner"), draft.id, schedules.etag(draft))
    assert published.status == "published"


def test_an_edit_breaking_a_hard_rule_names_the_change(session: Session, world: World) -> None:
    """Adding a delegate who does not exist is refused at that change, and nothing is saved."""
    planner = account(session, "planner")
    draft_id = world.ids["draft"]
    pairs = schedules.pairs_of(session, draft_id)
    with pytest.raises(Invalid) as refused:
        service.edit(session, planner, draft_id, [Change("m3", add="zz")])
    assert [(i.path, i.value) for i in refused.value.issues] == [("$.changes[0].add", "zz")]
    session.rollback()
    assert schedules.pairs_of(session, draft_id) == pairs


def test_a_dry_run_saves_nothing(session: Session, world: World) -> None:
    """A dry run reports the score change and leaves the draft's revision as it was."""
    draft = session.get(ScheduleRow, world.ids["draft"])
    assert draft is not None
    revision = draft.revision
    edited = service.edit(session, account(session, "planner"), draft.id, [Change("m3", remove="d5")], dry_run=True)
    assert not edited.applied
    assert edited.edit.after.total != edited.edit.before.total
    assert draft.revision == revision


def test_a_published_version_is_never_edited(session: Session, world: World) -> None:
    """An edit of the published version is refused."""
    with pytest.raises(Conflict, match="bản nháp"):
        service.edit(session, account(session, "planner"), world.ids["published"], [Change("m3", remove="d5")])
