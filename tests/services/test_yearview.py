"""The planner's year (services.yearview): which version each month shows, the grid's
cells and their empty seats, each delegate's load with the months above their maximum,
the filters, and the refusal of other roles."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from models.storage import schedules
from models.storage.schedules import Plan
from models.storage.tables import DelegateRow
from services import yearview
from services.errors import Forbidden, Invalid, NotFound
from services.yearview import YearFilters
from tests.api.world import OPTIMUM, World
from tests.services.conftest import account

NOVEMBER, DECEMBER = 10, 11


def test_a_published_month_shows_its_version_in_force_and_says_a_newer_draft_waits(
    session: Session, world: World
) -> None:
    """November is published (version 1) with a newer draft (2): the year shows 1 and says so."""
    view = yearview.year_view(session, account(session, "planner"), 2025)
    november = view.months[NOVEMBER]
    assert (november.schedule_id, november.published) == (world.ids["published"], True)
    assert november.newer_draft == world.ids["draft"]
    assert november.state == "Đã công bố bản 1"
    december = view.months[DECEMBER]
    assert december.schedule_id is None
    assert december.meetings == 1
    assert december.state == "Chưa lập lịch"
    assert view.months[0].state == "Không có hội nghị"


def test_a_month_without_a_version_in_force_shows_its_newest_draft(session: Session, world: World) -> None:
    """A December draft is shown, marked as a draft, when December has none in force."""
    planner = account(session, "planner")
    draft = schedules.create_draft(session, "2025-12", Plan(pairs=[("m9", "d3")], total=5), None, planner.id)
    session.flush()
    view = yearview.year_view(session, planner, 2025)
    december = view.months[DECEMBER]
    assert (december.schedule_id, december.published) == (draft.id, False)
    assert december.state == f"Bản nháp {draft.version} (chưa công bố)"
    row = next(r for r in view.rows if r.commune == "c1")
    cell = row.cells[DECEMBER]
    assert cell is not None
    assert [p.delegate for p in cell.people] == ["d3"]


def test_the_grid_has_every_commune_and_says_empty_seats_in_words(session: Session, world: World) -> None:
    """Every commune is a row (one without meetings too); a meeting not planned says so."""
    view = yearview.year_view(session, account(session, "planner"), 2025)
    assert {r.commune for r in view.rows} >= {"c1", "c2", "c3", "c4", "c9"}
    by_commune = {r.commune: r for r in view.rows}
    assert all(c is None for c in by_commune["c9"].cells)
    planned = {d for _, d in OPTIMUM}
    november = [r.cells[NOVEMBER] for r in view.rows if r.cells[NOVEMBER] is not None]
    assert {p.delegate for c in november if c for p in c.people} == planned
    december = by_commune["c1"].cells[DECEMBER]
    assert december is not None
    assert december.words == "Chưa lập lịch"
    assert not december.people
    # A seat left empty by a version is counted and said in words.
    planner = account(session, "planner")
    thin = schedules.create_draft(session, "2025-12", Plan(pairs=[], total=0), None, planner.id)
    session.flush()
    cell = next(r for r in yearview.year_view(session, planner, 2025).rows if r.commune == "c1").cells[DECEMBER]
    assert thin.id
    assert cell is not None
    assert cell.planned
    assert cell.empty >= 1
    assert "chỗ trống" in cell.words


def test_each_delegate_s_load_by_month_and_the_months_above_their_maximum(session: Session, world: World) -> None:
    """The Secretary (m1 and m2 in November) with a maximum of 1 is shown over it in November."""
    secretary = session.get(DelegateRow, "d1")
    assert secretary is not None
    secretary.max_per_month = 1
    session.flush()
    view = yearview.year_view(session, account(session, "planner"), 2025)
    loads = {r.delegate: r for r in view.loads}
    assert loads["d1"].months[NOVEMBER] == 2
    assert loads["d1"].total == 2
    assert loads["d1"].over == (NOVEMBER,)
    assert loads["d2"].over == ()
    assert view.loads[0].delegate == "d1"  # heaviest first
    assert view.totals["over"] == 1
    assert sum(r.total for r in view.loads) == len(OPTIMUM)


def test_filters_narrow_the_loads_and_the_communes(session: Session, world: World) -> None:
    """A tier keeps that tier's delegates and the communes they go to; unknown values are refused."""
    planner = account(session, "planner")
    tier = session.get(DelegateRow, "d3")
    assert tier is not None
    view = yearview.year_view(session, planner, 2025, YearFilters(tier=tier.tier))
    assert view.loads
    assert all(r.tier == tier.tier for r in view.loads)
    assert all(any(c and any(p.tier == tier.tier for p in c.people) for c in r.cells) for r in view.rows)
    with pytest.raises(Invalid) as refused:
        yearview.year_view(session, planner, 2025, YearFilters(agency="Không có", tier=9))
    assert {i.path for i in refused.value.issues} == {"agency", "tier"}


@pytest.mark.parametrize("role", ["delegate", "commune"])
def test_other_roles_are_refused(session: Session, world: World, role: str) -> None:
    """Only a planner sees the year."""
    with pytest.raises(Forbidden):
        yearview.year_view(session, account(session, role), 2025)


def test_a_year_is_four_digits() -> None:
    """``/nam/abcd`` names no year."""
    assert yearview.check_year("2026") == 2026
    for bad in ("abcd", "26", "20261", "0999"):
        with pytest.raises(NotFound):
            yearview.check_year(bad)
